// consumer-groups with --bootstrap-server against our server, compared byte for byte with the embedded
// run over the same data directory (the server and the CLI processes share it). Groups: `idle` (offsets
// only, Empty), `busy` (two members joined through the broker API, Stable for the whole file) and `live`
// (a real @platformatic/kafka consumer through the server). Read-only actions run both ways at once;
// actions that change something run embedded, the state is put back, then they run remote, and the
// outputs and the resulting offsets must match. Only two things are normalised: log4j timestamps on
// WARN lines, and the --state COORDINATOR column. Embedded prints this node's advertised listener from
// the default config (localhost:9092); remote prints what FindCoordinator answered, the address the
// server really listens on (a free port, so the two cannot be made equal; the node id must match).

import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'

import { Consumer } from '@platformatic/kafka'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import type { Broker } from '../../src/broker/broker.js'
import { encodeAssignment, encodeSubscription } from '../../src/protocol/consumer-protocol.js'
import { RecordBatchBuilder } from '../../src/broker/records.js'
import { runCli, tempDir, type CliResult } from '../helpers/cli.js'
import { startTestServer, type TestServer } from '../helpers/server.js'

const T0 = Date.parse('2024-01-01T00:00:00.000Z')
const MIN = 60_000
const HOUR = 3_600_000
const LONG_SESSION_MS = 1_200_000

let server: TestServer
let dir: { dir: string; cleanup: () => void }
let consumer: Consumer<Buffer, Buffer, Buffer, Buffer> | undefined

const embedded = (args: readonly string[]) => runCli(['consumer-groups', ...args], { dataDir: server.dataDir })
const remote = (args: readonly string[]) => runCli(['consumer-groups', ...args, '--bootstrap-server', server.bootstrap])

/** What may differ between the two runs, and nothing else. */
function norm(text: string, opts: { coordinator?: boolean } = {}): string {
  let t = text.replace(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] WARN /gm, '[<time>] WARN ')
  if (opts.coordinator) {
    t = t.replace(/\S+:\d+ {2}\(1\)/g, '<coordinator>').replace(/ +/g, ' ')
  }
  return t
}

const view = (r: CliResult, opts?: { coordinator?: boolean }) => ({ code: r.code, out: norm(r.out, opts), err: norm(r.stderr, opts) })

/** Runs a read-only action both ways (at once) and expects the same bytes; returns the embedded run. */
async function same(args: readonly string[], opts?: { coordinator?: boolean }): Promise<CliResult> {
  const [e, r] = await Promise.all([embedded(args), remote(args)])
  expect(view(r, opts)).toEqual(view(e, opts))
  return e
}

/** Runs a changing action embedded, restores the state, runs it remote: same output, same effect. */
async function sameChange(args: readonly string[], restore: () => void | Promise<void>, effect: () => unknown): Promise<CliResult> {
  await restore()
  const e = await embedded(args)
  const afterEmbedded = effect()
  await restore()
  const r = await remote(args)
  expect(view(r)).toEqual(view(e))
  expect(effect()).toEqual(afterEmbedded)
  return e
}

// ---- fixtures through the server's broker ------------------------------------------------------

function produce(b: Broker, name: string, partition: number, timestamps: readonly number[]): void {
  const builder = new RecordBatchBuilder()
  timestamps.forEach((ts, i) => builder.append(ts, null, Buffer.from(`v${i}`)))
  const [r] = b.produce([{ topic: b.requireTopic(name), partition, batch: builder.build() }], 'commit')
  expect(r?.ok).toBe(true)
}

function commit(group: string, offsets: [string, number, number][], member = { generationId: -1, memberId: '' }): void {
  const results = server.broker.groups.commitOffsets({
    groupId: group,
    ...member,
    groupInstanceId: null,
    topics: offsets.map(([name, partition, offset]) => ({ name, partitions: [{ partition, offset, leaderEpoch: -1, metadata: '' }] })),
  })
  for (const t of results) for (const p of t.partitions) expect(p.error).toBeUndefined()
}

/** `idle` holds offsets only (Empty, protocol type ''): orders-0 at 3, orders-1 at 1, audit-0 at 2. */
function restoreIdle(): void {
  commit('idle', [
    ['orders', 0, 3],
    ['orders', 1, 1],
    ['audit', 0, 2],
  ])
}

/** Committed offsets as `topic-partition` → offset. */
function committedOf(group: string): Record<string, number> {
  return Object.fromEntries(server.broker.groups.describeGroupOverview(group).offsets.map((o) => [`${o.topic}-${o.partition}`, o.offset]))
}

const member = (clientId: string, clientHost: string, instanceId: string | null, memberId: string) => ({
  groupId: 'busy',
  memberId,
  groupInstanceId: instanceId,
  clientId,
  clientHost,
  sessionTimeoutMs: LONG_SESSION_MS,
  rebalanceTimeoutMs: LONG_SESSION_MS,
  protocolType: 'consumer',
  protocols: [{ name: 'range', metadata: encodeSubscription({ topics: ['orders'] }) }],
  requireKnownMemberId: false,
})

/** `busy`: two members (one static) own orders-0 and orders-1 (Java's v3 assignment bytes); orders-0 committed at 5. */
async function busyGroup(b: Broker): Promise<void> {
  const first = await b.groups.joinGroup(member('busy-1', '/10.0.0.1', null, ''))
  const pending = b.groups.joinGroup(member('busy-2', '/10.0.0.2', 'static-2', ''))
  const rejoin = b.groups.joinGroup(member('busy-1', '/10.0.0.1', null, first.memberId))
  const joined = await Promise.all([rejoin, pending])
  for (const j of joined) expect(j.error).toBeUndefined()
  const { generationId, leader } = joined[0]
  const ids = joined.map((j) => j.memberId)
  const assignments = ids.map((memberId, i) => ({ memberId, assignment: encodeAssignment({ assignedPartitions: [{ topic: 'orders', partitions: [i] }] }) }))
  const syncs = await Promise.all(
    ids.map((memberId, i) =>
      b.groups.syncGroup({
        groupId: 'busy',
        generationId,
        memberId,
        groupInstanceId: i === 1 ? 'static-2' : null,
        protocolType: 'consumer',
        protocolName: 'range',
        assignments: memberId === leader ? assignments : [],
      }),
    ),
  )
  for (const s of syncs) expect(s.error).toBeUndefined()
  commit('busy', [['orders', 0, 5]], { generationId, memberId: ids[0]! })
}

/** `live`: a real client consumer reads audit through the server and commits what it read. */
async function liveGroup(): Promise<void> {
  consumer = new Consumer({ clientId: 'live-reader', groupId: 'live', bootstrapBrokers: [server.bootstrap], maxWaitTime: 200, retries: 2 })
  const stream = await consumer.consume({ topics: ['audit'], mode: 'earliest', autocommit: false })
  let seen = 0
  for await (const message of stream) {
    await message.commit()
    if (++seen === 8) break
  }
}

async function closedPort(): Promise<number> {
  const probe = net.createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const port = (probe.address() as net.AddressInfo).port
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  return port
}

beforeAll(async () => {
  dir = tempDir('kafka-ts-groups-remote-')
  server = await startTestServer({ dataDir: path.join(dir.dir, 'data'), props: { 'group.initial.rebalance.delay.ms': '0' } })
  const b = server.broker
  for (const name of ['orders', 'audit']) {
    const [o] = b.createTopics([{ name, numPartitions: 2, replicationFactor: -1, configs: new Map() }])
    expect(o?.ok).toBe(true)
  }
  produce(b, 'orders', 0, Array.from({ length: 10 }, (_, i) => T0 + i * MIN))
  produce(b, 'orders', 1, Array.from({ length: 4 }, (_, i) => T0 + i * HOUR))
  produce(b, 'audit', 0, [T0, T0, T0])
  produce(b, 'audit', 1, [T0, T0, T0, T0, T0])
  restoreIdle()
  await busyGroup(b)
  await liveGroup()
}, 60_000)

afterAll(async () => {
  if (consumer !== undefined) {
    const c = consumer
    await new Promise<void>((resolve) => c.close(true, () => resolve()))
  }
  await server?.stop()
  dir?.cleanup()
})

describe('consumer-groups --bootstrap-server prints what the embedded run prints', () => {
  it('--list, with --state and --type columns and filters', async () => {
    const plain = await same(['--list'])
    expect(plain.out.split('\n').sort()).toEqual(['', 'busy', 'idle', 'live'])
    await same(['--list', '--state'])
    await same(['--list', '--type'])
    await same(['--list', '--state', 'stable'])
    await same(['--list', '--state', 'Empty', '--type', 'classic'])
    await same(['--list', '--type', 'consumer'])
  }, 120_000)

  it('--describe (offsets) of a real consumer group, a Stable group, an offsets-only group, an unknown one, --all-groups', async () => {
    const live = await same(['--describe', '--group', 'live'])
    expect(live.out).toMatch(/live +audit +0 +3 +3 +0 +\S+ +\/127\.0\.0\.1 +live-reader/)
    const busy = await same(['--describe', '--group', 'busy', '--offsets'])
    expect(busy.out).toMatch(/busy +orders +0 +5 +10 +5 /)
    await same(['--describe', '--group', 'idle'])
    const unknown = await same(['--describe', '--group', 'nope'])
    expect(unknown.out).toBe('\nError: Executing consumer group command failed due to org.apache.kafka.common.errors.GroupIdNotFoundException: Group nope not found.\n')
    await same(['--describe', '--all-groups'])
  }, 120_000)

  it('--describe --members [--verbose] decodes the assignments', async () => {
    for (const group of ['busy', 'live', 'idle']) {
      await same(['--describe', '--group', group, '--members'])
      await same(['--describe', '--group', group, '--members', '--verbose'])
    }
    const verbose = await same(['--describe', '--group', 'busy', '--members', '--verbose'])
    expect(verbose.out).toContain('static-2')
    expect(verbose.out).toMatch(/static-2 +\/10\.0\.0\.2 +busy-2 +1 +- +orders:1 /)
    await same(['--describe', '--all-groups', '--members', '--verbose'])
  }, 120_000)

  it('--describe --state: the coordinator is the node FindCoordinator names', async () => {
    for (const group of ['busy', 'live', 'idle', 'nope']) await same(['--describe', '--group', group, '--state'], { coordinator: true })
    const r = await remote(['--describe', '--group', 'busy', '--state'])
    expect(r.out).toContain(`127.0.0.1:${server.port}  (1)`)
    expect(r.out).toMatch(/range +Stable +2/)
  }, 120_000)

  it('--reset-offsets --dry-run: every scenario, --export, and the refusal for a Stable group', async () => {
    const scenarios = [
      ['--to-earliest'],
      ['--to-latest'],
      ['--to-offset', '2'],
      ['--to-offset', '50'],
      ['--shift-by', '-1'],
      ['--shift-by', '100'],
      ['--to-current'],
      ['--to-datetime', '2024-01-01T00:05:00.000'],
      ['--to-datetime', '2030-01-01T00:00:00.000'],
      ['--by-duration', 'P1D'],
    ]
    for (const scenario of scenarios) {
      const e = await same(['--reset-offsets', '--group', 'idle', '--all-topics', ...scenario, '--dry-run'])
      expect(e.out).toContain('NEW-OFFSET')
      await same(['--reset-offsets', '--group', 'idle', '--topic', 'orders:1', '--topic', 'audit', ...scenario, '--dry-run'])
    }
    await same(['--reset-offsets', '--group', 'idle', '--all-topics', '--to-earliest'])
    await same(['--reset-offsets', '--group', 'idle', '--all-topics', '--to-offset', '2', '--export', '--dry-run'])
    await same(['--reset-offsets', '--all-groups', '--all-topics', '--to-earliest', '--export', '--dry-run'])
    const stable = await same(['--reset-offsets', '--group', 'busy', '--all-topics', '--to-earliest', '--dry-run'])
    expect(stable.out).toContain("Error: Assignments can only be reset if the group 'busy' is inactive, but the current state is Stable.")
    await same(['--reset-offsets', '--group', 'idle', '--topic', 'ghost', '--to-earliest', '--dry-run'])
    await same(['--reset-offsets', '--group', 'idle', '--topic', 'orders:7', '--to-earliest', '--dry-run'])
  }, 240_000)

  it('--reset-offsets --from-file reads the plan the same way', async () => {
    const file = path.join(dir.dir, 'plan.csv')
    fs.writeFileSync(file, 'orders,0,7\norders,1,99\naudit,1,2\n')
    const e = await same(['--reset-offsets', '--group', 'idle', '--from-file', file, '--dry-run'])
    expect(e.stderr).toContain('WARN New offset (99) is higher than latest offset')
    fs.writeFileSync(file, 'other,orders,0,1\n')
    await same(['--reset-offsets', '--group', 'idle', '--group', 'busy', '--from-file', file, '--dry-run'])
  }, 120_000)

  it('--reset-offsets --execute commits the same offsets', async () => {
    const args = (...scenario: string[]) => ['--reset-offsets', '--group', 'idle', '--all-topics', ...scenario, '--execute']
    const e = await sameChange(args('--to-earliest'), restoreIdle, () => committedOf('idle'))
    expect(e.out).toContain('idle')
    expect(committedOf('idle')).toEqual({ 'audit-0': 0, 'orders-0': 0, 'orders-1': 0 })
    await sameChange(args('--to-latest'), restoreIdle, () => committedOf('idle'))
    await sameChange(args('--shift-by', '2'), restoreIdle, () => committedOf('idle'))
    await sameChange(args('--to-datetime', '2024-01-01T01:30:00.000'), restoreIdle, () => committedOf('idle'))
    await sameChange(['--reset-offsets', '--group', 'idle', '--topic', 'audit:1', '--to-offset', '4', '--execute'], restoreIdle, () => committedOf('idle'))
    restoreIdle()
  }, 240_000)

  it('--delete: an Empty group goes, a Stable one and an unknown one fail per group', async () => {
    const e = await sameChange(['--delete', '--group', 'idle', '--group', 'busy', '--group', 'nope'], restoreIdle, () => [committedOf('idle'), committedOf('busy')])
    expect(e.out).toBe(
      '\nError: Deletion of some consumer groups failed:\n' +
        "* Group 'busy' could not be deleted due to: java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.GroupNotEmptyException: The group is not empty.\n" +
        "* Group 'nope' could not be deleted due to: java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.GroupIdNotFoundException: The group id does not exist.\n" +
        "\nThese consumer groups were deleted successfully: 'idle'\n",
    )
    await sameChange(['--delete', '--group', 'idle'], restoreIdle, () => committedOf('idle'))
    restoreIdle()
  }, 120_000)

  it('--delete-offsets: whole topics and partitions, unknown topics and partitions, a consumed topic, an unknown group', async () => {
    await sameChange(['--delete-offsets', '--group', 'idle', '--topic', 'orders'], restoreIdle, () => committedOf('idle'))
    await sameChange(['--delete-offsets', '--group', 'idle', '--topic', 'orders:1', '--topic', 'audit'], restoreIdle, () => committedOf('idle'))
    const unknown = await sameChange(['--delete-offsets', '--group', 'idle', '--topic', 'ghost', '--topic', 'orders:9'], restoreIdle, () => committedOf('idle'))
    expect(unknown.out).toContain('Error: Encountered some partition-level error')
    const consumed = await sameChange(['--delete-offsets', '--group', 'busy', '--topic', 'orders'], () => undefined, () => committedOf('busy'))
    expect(consumed.out).toContain('GroupSubscribedToTopicException')
    const nope = await sameChange(['--delete-offsets', '--group', 'nope', '--topic', 'orders'], () => undefined, () => committedOf('nope'))
    expect(nope.out.startsWith('\nError: The group id does not exist.\n')).toBe(true)
    restoreIdle()
  }, 120_000)
})

describe('consumer-groups --bootstrap-server without a broker', () => {
  it('fails every action with one line naming the address and a non-zero exit', async () => {
    const port = await closedPort()
    for (const args of [
      ['--list'],
      ['--describe', '--group', 'g'],
      ['--reset-offsets', '--group', 'g', '--all-topics', '--to-earliest', '--dry-run'],
      ['--delete', '--group', 'g'],
      ['--delete-offsets', '--group', 'g', '--topic', 't'],
    ]) {
      const r = await runCli(['consumer-groups', ...args, '--bootstrap-server', `127.0.0.1:${port}`])
      expect(r.code, args.join(' ')).toBe(1)
      expect(r.out).toBe('')
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).toContain(`127.0.0.1:${port}`)
    }
  }, 120_000)
})
