// consumer-groups as a real process over a real data directory. Group state is made in-process through
// the broker API on the same directory (members joined and synced with ConsumerProtocol bytes, offsets
// committed, records with chosen timestamps), then the broker is closed and the CLI run. Expected texts
// are kafka-consumer-groups' (cli.md §4, ConsumerGroupCommand 3.9); effects are checked by reading the
// committed offsets and the log back through the broker.

import fs from 'node:fs'
import path from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import type { Broker } from '../../src/broker/broker.js'
import { DEFAULT_BROKER_CONFIG } from '../../src/broker/broker-config.js'
import { encodeAssignment, encodeSubscription } from '../../src/protocol/consumer-protocol.js'
import type { JoinResult } from '../../src/broker/groups/types.js'
import { openBroker } from '../../src/broker/open-broker.js'
import { RecordBatchBuilder } from '../../src/broker/records.js'
import { runCli, tempDir } from '../helpers/cli.js'

let dir: string
let cleanup: () => void
beforeEach(() => {
  ;({ dir, cleanup } = tempDir())
  dir = path.join(dir, 'data')
})
afterEach(() => cleanup())

const groups = (...args: string[]) => runCli(['consumer-groups', ...args], { dataDir: dir })
const T0 = Date.parse('2024-01-01T00:00:00.000Z')
const MIN = 60_000
const HOUR = 3_600_000
const WARN_EXECUTE =
  'WARN: No action will be performed as the --execute option is missing. In version 5.0, this command will require either --dry-run or --execute to be specified. You should add the --dry-run option explicitly if you are scripting this command and want to keep the current default behavior without prompting.\n'

// ---- fixtures through the broker API ------------------------------------------------------------

async function withBroker<T>(fn: (b: Broker) => T | Promise<T>): Promise<T> {
  const b = openBroker({ dataDir: dir, initialize: 'auto', config: { ...DEFAULT_BROKER_CONFIG, groupInitialRebalanceDelayMs: 0 } })
  try {
    return await fn(b)
  } finally {
    b.close()
  }
}

function topic(b: Broker, name: string, partitions: number): void {
  const [o] = b.createTopics([{ name, numPartitions: partitions, replicationFactor: -1, configs: new Map() }])
  expect(o?.ok).toBe(true)
}

/** One record per timestamp, in one batch. */
function produce(b: Broker, name: string, partition: number, timestamps: readonly number[]): void {
  const builder = new RecordBatchBuilder()
  timestamps.forEach((ts, i) => builder.append(ts, null, Buffer.from(`v${i}`)))
  const [r] = b.produce([{ topic: b.requireTopic(name), partition, batch: builder.build() }], 'commit')
  expect(r?.ok).toBe(true)
}

function commit(b: Broker, group: string, offsets: [string, number, number][], member = { generationId: -1, memberId: '' }): void {
  const results = b.groups.commitOffsets({
    groupId: group,
    ...member,
    groupInstanceId: null,
    topics: offsets.map(([name, partition, offset]) => ({ name, partitions: [{ partition, offset, leaderEpoch: -1, metadata: '' }] })),
  })
  for (const t of results) for (const p of t.partitions) expect(p.error).toBeUndefined()
}

interface MemberSpec {
  clientId: string
  host: string
  instanceId?: string
  assignment: { topic: string; partitions: number[] }[]
}

const joinRequest = (group: string, m: MemberSpec, memberId: string) => ({
  groupId: group,
  memberId,
  groupInstanceId: m.instanceId ?? null,
  clientId: m.clientId,
  clientHost: m.host,
  sessionTimeoutMs: 120_000,
  rebalanceTimeoutMs: 120_000,
  protocolType: 'consumer',
  protocols: [{ name: 'range', metadata: encodeSubscription({ topics: [...new Set(m.assignment.map((a) => a.topic))] }, 0) }],
  requireKnownMemberId: false,
})

/** Joins every member and syncs the given assignments: a Stable group whose members stay (session 2 min). */
async function stableGroup(b: Broker, group: string, members: MemberSpec[]): Promise<{ ids: string[]; generationId: number }> {
  const [first, ...others] = members
  const joined = await b.groups.joinGroup(joinRequest(group, first!, ''))
  let results: JoinResult[] = [joined]
  if (others.length > 0) {
    // The others park until the first member rejoins; then the join phase completes for all.
    const pending = others.map((m) => b.groups.joinGroup(joinRequest(group, m, '')))
    const rejoin = b.groups.joinGroup(joinRequest(group, first!, joined.memberId))
    results = await Promise.all([rejoin, ...pending])
  }
  for (const r of results) expect(r.error).toBeUndefined()
  const ids = results.map((r) => r.memberId)
  const { generationId, leader } = results[0]!
  const assignments = members.map((m, i) => ({ memberId: ids[i]!, assignment: encodeAssignment({ assignedPartitions: m.assignment }, 0) }))
  const syncs = await Promise.all(
    ids.map((memberId) =>
      b.groups.syncGroup({
        groupId: group,
        generationId,
        memberId,
        groupInstanceId: members[ids.indexOf(memberId)]!.instanceId ?? null,
        protocolType: 'consumer',
        protocolName: 'range',
        assignments: memberId === leader ? assignments : [],
      }),
    ),
  )
  for (const s of syncs) expect(s.error).toBeUndefined()
  return { ids, generationId }
}

/** Committed offsets of a group as `topic-partition` → offset, read back through the broker. */
async function committed(group: string): Promise<Record<string, number>> {
  return withBroker((b) => Object.fromEntries(b.groups.describeGroupOverview(group).offsets.map((o) => [`${o.topic}-${o.partition}`, o.offset])))
}

async function stateOf(group: string): Promise<string> {
  return withBroker((b) => b.groups.describeGroupOverview(group).state)
}

/** orders: p0 10 records one minute apart from T0, p1 4 records one hour apart; audit: 3 and 5 records. */
async function standardTopics(b: Broker): Promise<void> {
  topic(b, 'orders', 2)
  topic(b, 'audit', 2)
  produce(b, 'orders', 0, Array.from({ length: 10 }, (_, i) => T0 + i * MIN))
  produce(b, 'orders', 1, Array.from({ length: 4 }, (_, i) => T0 + i * HOUR))
  produce(b, 'audit', 0, [T0, T0, T0])
  produce(b, 'audit', 1, [T0, T0, T0, T0, T0])
}

// Kafka 4.3: GROUP and TOPIC max(15, longest) wide (every name here is shorter), NEW-OFFSET unpadded.
const resetHeader = 'GROUP           TOPIC           PARTITION  NEW-OFFSET\n'
const resetRow = (g: string, t: string, p: number, o: number) => `${g.padEnd(15)} ${t.padEnd(15)} ${String(p).padEnd(10)} ${o}\n`

// ---- usage errors -------------------------------------------------------------------------------

describe('option rules (usage errors: message on stderr, exit 1, nothing done)', () => {
  it.each([
    [[], 'This tool helps to list all consumer groups, describe a consumer group, delete consumer group info, or reset consumer group offsets.'],
    [['--group', 'g'], 'Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets, --validate-regex'],
    [['--delete', '--describe', '--group', 'g'], 'Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets, --validate-regex'],
    [['--describe'], 'Option [describe] takes one of these options: [all-groups], [group]'],
    [['--describe', '--group', 'g', '--members', '--state'], 'Option [describe] takes at most one of these options: [members], [offsets], [state]'],
    [['--describe', '--group', 'g', '--state', 'stable'], 'Option [describe] does not take a value for [state]'],
    [['--delete'], 'Option [delete] takes one of these options: [all-groups], [group]'],
    [['--delete', '--group', 'g', '--topic', 't'], 'The consumer does not support topic-specific offset deletion from a consumer group.'],
    [['--delete-offsets', '--group', 'g'], 'Option [delete-offsets] takes the following options: [topic], [group]'],
    [['--reset-offsets', '--group', 'g', '--dry-run', '--execute'], 'Option [reset-offsets] only accepts one of [execute] and [dry-run]'],
    [['--reset-offsets', '--to-earliest', '--dry-run'], 'Option [reset-offsets] takes one of these options: [all-groups], [group]'],
    [['--reset-offsets', '--group', 'g', '--to-offset', '1', '--shift-by', '1', '--dry-run'], 'Option "[to-offset]" can\'t be used with option "[shift-by]"'],
    [['--reset-offsets', '--group', 'g', '--to-latest', '--to-earliest', '--to-current', '--dry-run'], 'Option "[to-earliest]" can\'t be used with option "[to-current]"'],
    [['--describe', '--group', 'g', '--all-groups'], 'Option "[group]" can\'t be used with option "[all-groups]"'],
    [['--list', '--group', 'g'], 'Option "[group]" can\'t be used with option "[list]"'],
    [['--describe', '--group', 'g', '--topic', 't'], 'Option "[topic]" can\'t be used with option "[describe]"'],
    [['--list', '--members'], 'Option(s) [members] are unavailable given other options on the command line'],
    [['--delete', '--group', 'g', '--type'], 'Option(s) [type] are unavailable given other options on the command line'],
    [['--list', '--state', 'stable,bogus'], "Invalid state list 'stable,bogus'. Valid states are: PreparingRebalance, CompletingRebalance, Stable, Dead, Empty, Assigning, Reconciling"],
    [['--list', '--type', 'share'], "Invalid types list 'share'. Valid types are: Consumer, Classic"],
    [['--reset-offsets', '--group', 'g', '--topic', 't', '--to-offset', 'ten', '--dry-run'], "Cannot parse argument 'ten' of option to-offset"],
  ])('%j', async (args, message) => {
    const r = await groups(...args)
    expect(r.stderr).toContain(`${message}\n`)
    expect(r.out).toBe('')
    expect(r.code).toBe(1)
  })

  it('prints the missing --execute WARN before a later usage error, and not with --dry-run', async () => {
    const warned = await groups('--reset-offsets', '--to-earliest')
    expect(warned.stderr.startsWith(WARN_EXECUTE)).toBe(true)
    expect(warned.stderr).toContain('Option [reset-offsets] takes one of these options: [all-groups], [group]')
    const quiet = await groups('--reset-offsets', '--to-earliest', '--dry-run')
    expect(quiet.stderr).not.toContain('WARN')
  })

  it('with --bootstrap-server goes to that broker: none listening is a one-line error naming it (more in consumer-groups-remote.test.ts)', async () => {
    const r = await groups('--list', '--bootstrap-server', '127.0.0.1:1')
    expect(r.code).toBe(1)
    expect(r.out).toBe('')
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toContain('127.0.0.1:1')
  })

  it('checks the reset scope, the scenario and --topic arguments only for a group it is about to reset', async () => {
    await withBroker((b) => standardTopics(b))
    const noScope = await groups('--reset-offsets', '--group', 'g', '--to-earliest', '--dry-run')
    expect(noScope.stderr).toContain('One of the reset scopes should be defined: --all-topics, --topic.\n')
    expect(noScope.code).toBe(1)
    const noScenario = await groups('--reset-offsets', '--group', 'g', '--topic', 'orders', '--dry-run')
    expect(noScenario.stderr).toContain(
      "Option '[reset-offsets]' requires one of the following scenarios: [[to-offset], [to-current], [to-datetime], [from-file], [by-duration], [to-earliest], [to-latest], [shift-by]]\n",
    )
    expect(noScenario.code).toBe(1)
    const badPartition = await groups('--reset-offsets', '--group', 'g', '--topic', 'orders:0,x', '--to-earliest', '--dry-run')
    expect(badPartition.stderr).toContain("Invalid partition 'x' specified in topic arg 'orders:0,x''\n")
    const badArg = await groups('--reset-offsets', '--group', 'g', '--topic', 'orders:', '--to-earliest', '--dry-run')
    expect(badArg.stderr).toContain("Invalid topic arg 'orders:', expected topic name and partitions\n")
    expect(badArg.code).toBe(1)
  })
})

// ---- --list ---------------------------------------------------------------------------------------

describe('--validate-regex (Kafka 4.3: no broker, exit 0 either way)', () => {
  it('says whether a subscription pattern is valid, without opening the data directory', async () => {
    const ok = await groups('--validate-regex', 'orders-.*')
    expect({ code: ok.code, out: ok.out }).toEqual({ code: 0, out: 'The regular expression `orders-.*` is valid.\n' })
    const bad = await groups('--validate-regex', 'orders-(')
    expect(bad.code).toBe(0)
    expect(bad.out).toMatch(/^The regular expression `orders-\(` is invalid: .+\.\n$/)
    expect(fs.existsSync(path.join(dir, 'meta.properties'))).toBe(false)
  })
})

describe('--list', () => {
  it('lists consumer groups and offsets-only groups, with STATE and TYPE columns on request', async () => {
    await withBroker(async (b) => {
      await standardTopics(b)
      await stableGroup(b, 'live', [{ clientId: 'c', host: '/127.0.0.1', assignment: [{ topic: 'orders', partitions: [0, 1] }] }])
      commit(b, 'parked', [['orders', 0, 1]])
    })
    const plain = await groups('--list')
    expect(plain.out.split('\n').filter(Boolean).sort()).toEqual(['live', 'parked'])
    expect(plain.code).toBe(0)

    const withState = await groups('--list', '--state')
    const stateLines = withState.out.split('\n')
    expect(stateLines[0]).toBe('GROUP                     STATE               ')
    expect(stateLines.slice(1, 3).sort()).toEqual(['live                      Stable              ', 'parked                    Empty               '])
    expect(stateLines[3]).toBe('')

    expect((await groups('--list', '--state', 'STABLE')).out).toBe('GROUP                     STATE               \nlive                      Stable              \n')
    expect((await groups('--list', '--state', 'empty', '--type', 'classic')).out).toBe(
      'GROUP                     TYPE                 STATE               \nparked                    Classic              Empty               \n',
    )
    expect((await groups('--list', '--type', 'consumer')).out).toBe('GROUP                     TYPE                \n')
  })

  it('prints nothing when there are no groups', async () => {
    await withBroker(() => undefined)
    const r = await groups('--list')
    expect(r.out).toBe('')
    expect(r.code).toBe(0)
  })
})

// ---- --describe -----------------------------------------------------------------------------------

describe('--describe', () => {
  const A = { clientId: 'client-a', host: '/10.0.0.1', assignment: [{ topic: 'orders', partitions: [1, 0] }] }
  const B = { clientId: 'client-b', host: '/10.0.0.2', assignment: [{ topic: 'audit', partitions: [0] }] }
  let ids: string[]

  beforeEach(async () => {
    ids = await withBroker(async (b) => {
      await standardTopics(b)
      const g = await stableGroup(b, 'live', [B, A])
      // Committed by a member in its generation: one owned partition and one nobody owns now.
      commit(b, 'live', [['orders', 0, 4], ['audit', 1, 2]], { generationId: g.generationId, memberId: g.ids[0]! })
      commit(b, 'idle', [['orders', 0, 7], ['orders', 1, 4]])
      return g.ids
    })
  })

  it('--offsets (default): members with more partitions first, unowned committed partitions with `-`, LAG = log end − committed', async () => {
    const [b, a] = ids as [string, string]
    expect(a).toMatch(/^client-a-[0-9a-f-]{36}$/)
    const expected =
      '\n' +
      `GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             ${'CONSUMER-ID'.padEnd(45)} HOST            CLIENT-ID\n` +
      `live            orders          0          4               10              6               ${a} /10.0.0.1       client-a\n` +
      `live            orders          1          -               4               -               ${a} /10.0.0.1       client-a\n` +
      `live            audit           0          -               3               -               ${b} /10.0.0.2       client-b\n` +
      `live            audit           1          2               5               3               ${'-'.padEnd(45)} -               -\n`
    for (const args of [[], ['--offsets']]) {
      const r = await groups('--describe', '--group', 'live', ...args)
      expect(r.out).toBe(expected)
      expect(r.stderr).toBe('')
      expect(r.code).toBe(0)
    }
  })

  it('--verbose adds the committed leader epoch after PARTITION (`-` when the commit carried none)', async () => {
    const r = await groups('--describe', '--group', 'idle', '--verbose')
    expect(r.out).toBe(
      '\n' +
        'GROUP           TOPIC           PARTITION  LEADER-EPOCH    CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID     HOST            CLIENT-ID\n' +
        'idle            orders          0          -               7               10              3               -               -               -\n' +
        'idle            orders          1          -               4               4               0               -               -               -\n',
    )
  })

  it('an Empty group: the note on stderr, then its committed offsets', async () => {
    const r = await groups('--describe', '--group', 'idle')
    expect(r.stderr).toBe("\nConsumer group 'idle' has no active members.\n")
    expect(r.out).toBe(
      '\n' +
        'GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID     HOST            CLIENT-ID\n' +
        'idle            orders          0          7               10              3               -               -               -\n' +
        'idle            orders          1          4               4               0               -               -               -\n',
    )
    expect(r.code).toBe(0)
  })

  it('an unknown group: Kafka\'s error on stdout, exit 0', async () => {
    for (const view of [[], ['--members'], ['--state']]) {
      const r = await groups('--describe', '--group', 'nobody', ...view)
      // Kafka 4.3: DescribeGroups v6 answers GROUP_ID_NOT_FOUND, which the tool reports as a failure (exit 0).
      expect(r.out).toBe('\nError: Executing consumer group command failed due to org.apache.kafka.common.errors.GroupIdNotFoundException: Group nobody not found.\n')
      expect(r.code).toBe(0)
    }
  })

  it('--members and --members --verbose', async () => {
    const [b, a] = ids as [string, string]
    const r = await groups('--describe', '--group', 'live', '--members')
    const rows = r.out.split('\n')
    expect(rows[0]).toBe('')
    expect(rows[1]).toBe(`GROUP           ${'CONSUMER-ID'.padEnd(45)} HOST            CLIENT-ID       #PARTITIONS     `)
    expect(rows.slice(2, 4).sort()).toEqual(
      [`live            ${a} /10.0.0.1       client-a        2               `, `live            ${b} /10.0.0.2       client-b        1               `].sort(),
    )
    const v = await groups('--describe', '--group', 'live', '--members', '--verbose')
    const vrows = v.out.split('\n')
    const epochs = 'CURRENT-EPOCH   CURRENT-ASSIGNMENT   TARGET-EPOCH    TARGET-ASSIGNMENT    '
    expect(vrows[1]).toBe(`GROUP           ${'CONSUMER-ID'.padEnd(45)} HOST            CLIENT-ID       #PARTITIONS     ${epochs}`)
    const classic = (assignment: string) => `-               ${assignment.padEnd(20)} -               ${'-'.padEnd(20)} `
    expect(vrows.slice(2, 4).sort()).toEqual(
      [
        `live            ${a} /10.0.0.1       client-a        2               ${classic('orders:0,1')}`,
        `live            ${b} /10.0.0.2       client-b        1               ${classic('audit:0')}`,
      ].sort(),
    )
    expect(vrows.length).toBe(5)
  })

  it('--state', async () => {
    const r = await groups('--describe', '--group', 'live', '--state')
    expect(r.out).toBe(
      '\nGROUP           COORDINATOR (ID)          ASSIGNMENT-STRATEGY  STATE                #MEMBERS\n' +
        'live            localhost:9092  (1)       range                Stable               2\n',
    )
    const idle = await groups('--describe', '--group', 'idle', '--state')
    expect(idle.stderr).toBe("\nConsumer group 'idle' has no active members.\n")
    expect(idle.out).toBe(
      '\nGROUP           COORDINATOR (ID)          ASSIGNMENT-STRATEGY  STATE                #MEMBERS\n' +
        'idle            localhost:9092  (1)       -                    Empty                0\n',
    )
  })

  it('--json carries what each view\'s table shows: offsets, log end offsets, lag and owners; members; state', async () => {
    const [b, a] = ids as [string, string]
    const owner = (id: string, host: string, clientId: string) => ({ consumerId: id, host, clientId })
    const none = { consumerId: null, host: null, clientId: null }
    const offsets = await groups('--describe', '--group', 'live', '--group', 'idle', '--json')
    expect(offsets.code, offsets.stderr).toBe(0)
    expect(JSON.parse(offsets.out)).toEqual({
      action: 'describe',
      groups: [
        {
          groupId: 'idle',
          state: 'Empty',
          offsets: [
            { topic: 'orders', partition: 0, currentOffset: 7, leaderEpoch: null, logEndOffset: 10, lag: 3, ...none },
            { topic: 'orders', partition: 1, currentOffset: 4, leaderEpoch: null, logEndOffset: 4, lag: 0, ...none },
          ],
        },
        {
          groupId: 'live',
          state: 'Stable',
          offsets: [
            { topic: 'orders', partition: 0, currentOffset: 4, leaderEpoch: null, logEndOffset: 10, lag: 6, ...owner(a, '/10.0.0.1', 'client-a') },
            { topic: 'orders', partition: 1, currentOffset: null, leaderEpoch: null, logEndOffset: 4, lag: null, ...owner(a, '/10.0.0.1', 'client-a') },
            { topic: 'audit', partition: 0, currentOffset: null, leaderEpoch: null, logEndOffset: 3, lag: null, ...owner(b, '/10.0.0.2', 'client-b') },
            { topic: 'audit', partition: 1, currentOffset: 2, leaderEpoch: null, logEndOffset: 5, lag: 3, ...none },
          ],
        },
      ],
    })

    const members = JSON.parse((await groups('--describe', '--group', 'live', '--members', '--json')).out) as { groups: { members: { consumerId: string }[] }[] }
    expect(members.groups[0]).toEqual({
      groupId: 'live',
      state: 'Stable',
      members: expect.arrayContaining([
        { consumerId: a, groupInstanceId: null, host: '/10.0.0.1', clientId: 'client-a', partitions: 2, assignment: [{ topic: 'orders', partitions: [0, 1] }] },
        { consumerId: b, groupInstanceId: null, host: '/10.0.0.2', clientId: 'client-b', partitions: 1, assignment: [{ topic: 'audit', partitions: [0] }] },
      ]),
    })
    expect(members.groups[0]?.members).toHaveLength(2)

    const state = JSON.parse((await groups('--describe', '--group', 'live', '--state', '--json')).out) as unknown
    expect(state).toEqual({
      action: 'describe',
      groups: [{ groupId: 'live', state: 'Stable', coordinator: 'localhost:9092  (1)', assignmentStrategy: 'range', memberCount: 2 }],
    })
  })

  it('--all-groups and repeated --group: one table per group, in sorted order; an Empty group without members has no --members table', async () => {
    const all = await groups('--describe', '--all-groups', '--members')
    expect(all.stderr).toBe("\nConsumer group 'idle' has no active members.\n")
    expect(all.out.match(/^GROUP/gm)).toHaveLength(1)
    const both = await groups('--describe', '--group', 'live', '--group', 'idle', '--group', 'nobody', '--state')
    expect(both.out.indexOf('\nidle ')).toBeLessThan(both.out.indexOf('\nlive '))
    expect(both.out.indexOf('GroupIdNotFoundException: Group nobody not found.')).toBeGreaterThan(both.out.indexOf('\nlive '))
    expect(both.stderr).toBe("\nConsumer group 'idle' has no active members.\n")
  })
})

describe('--describe of groups in other states', () => {
  it('warns that a rebalancing group is rebalancing (stderr) and shows its committed offsets without owners', async () => {
    await withBroker(async (b) => {
      await standardTopics(b)
      commit(b, 'moving', [['orders', 1, 1]])
      // Joined but never synced: CompletingRebalance until the member's timeouts pass.
      const joined = await b.groups.joinGroup(joinRequest('moving', { clientId: 'c', host: '/127.0.0.1', assignment: [{ topic: 'orders', partitions: [0] }] }, ''))
      expect(joined.error).toBeUndefined()
    })
    const r = await groups('--describe', '--group', 'moving')
    expect(r.stderr).toBe("\nWarning: Consumer group 'moving' is rebalancing.\n")
    expect(r.out).toBe(
      '\n' +
        'GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID     HOST            CLIENT-ID\n' +
        'moving          orders          1          1               4               3               -               -               -\n',
    )
    const members = await groups('--describe', '--group', 'moving', '--members')
    expect(members.stderr).toBe("\nWarning: Consumer group 'moving' is rebalancing.\n")
    expect(members.out).toMatch(/^\nGROUP {11}CONSUMER-ID {28}HOST {12}CLIENT-ID {7}#PARTITIONS {5}\nmoving {10}c-[0-9a-f-]{36} \/127\.0\.0\.1 {6}c {15}0 {15}\n$/)
  })

  it('shows GROUP-INSTANCE-ID when a member is static, empty for the dynamic ones', async () => {
    const { ids } = await withBroker(async (b) => {
      topic(b, 't', 2)
      return stableGroup(b, 'mixed', [
        { clientId: 'dyn', host: '/127.0.0.1', assignment: [{ topic: 't', partitions: [0] }] },
        { clientId: 'sta', host: '/127.0.0.1', instanceId: 'instance-1', assignment: [{ topic: 't', partitions: [1] }] },
      ])
    })
    const r = await groups('--describe', '--group', 'mixed', '--members')
    const lines = r.out.split('\n')
    expect(lines[1]).toBe(`GROUP           ${'CONSUMER-ID'.padEnd(47)} GROUP-INSTANCE-ID HOST            CLIENT-ID       #PARTITIONS     `)
    expect(lines.slice(2, 4).sort()).toEqual(
      [
        `mixed           ${ids[0]!.padEnd(47)} ${''.padEnd(17)} /127.0.0.1      dyn             1               `,
        `mixed           ${ids[1]!.padEnd(47)} instance-1        /127.0.0.1      sta             1               `,
      ].sort(),
    )
  })
})

// ---- --reset-offsets ----------------------------------------------------------------------------

describe('--reset-offsets', () => {
  beforeEach(async () => {
    await withBroker(async (b) => {
      await standardTopics(b)
      commit(b, 'g', [['orders', 0, 5], ['orders', 1, 2]])
    })
  })

  it('dry run (the default, with the WARN) changes nothing; --execute commits exactly what it prints', async () => {
    const dry = await groups('--reset-offsets', '--group', 'g', '--topic', 'orders', '--to-earliest')
    expect(dry.stderr).toBe(WARN_EXECUTE)
    expect(dry.out).toBe(`\n${resetHeader}${resetRow('g', 'orders', 0, 0)}${resetRow('g', 'orders', 1, 0)}`)
    expect(dry.code).toBe(0)
    expect(await committed('g')).toEqual({ 'orders-0': 5, 'orders-1': 2 })

    const dry2 = await groups('--reset-offsets', '--group', 'g', '--topic', 'orders', '--to-earliest', '--dry-run')
    expect(dry2.stderr).toBe('')
    expect(dry2.out).toBe(dry.out)

    const exec = await groups('--reset-offsets', '--group', 'g', '--topic', 'orders:1', '--to-latest', '--execute')
    expect(exec.out).toBe(`\n${resetHeader}${resetRow('g', 'orders', 1, 4)}`)
    expect(exec.stderr).toBe('')
    expect(await committed('g')).toEqual({ 'orders-0': 5, 'orders-1': 4 })
  })

  it('--to-offset, --shift-by and --from-file are clamped to [log start, log end] with Kafka\'s WARN lines', async () => {
    await withBroker((b) => {
      const [r] = b.deleteRecords([{ topic: 'orders', partition: 0, offset: 3 }])
      expect(r?.ok).toBe(true)
    })
    const low = await groups('--reset-offsets', '--group', 'g', '--topic', 'orders:0', '--to-offset', '1', '--execute')
    expect(low.stderr).toMatch(
      /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] WARN New offset \(1\) is lower than earliest offset for topic partition orders-0\. Value will be set to 3 \(org\.apache\.kafka\.tools\.consumer\.group\.ConsumerGroupCommand\)\n$/,
    )
    expect(low.out).toBe(`\n${resetHeader}${resetRow('g', 'orders', 0, 3)}`)
    expect((await committed('g'))['orders-0']).toBe(3)

    const high = await groups('--reset-offsets', '--group', 'g', '--topic', 'orders', '--to-offset', '7', '--execute')
    expect(high.stderr).toContain('WARN New offset (7) is higher than latest offset for topic partition orders-1. Value will be set to 4 (')
    expect(high.stderr).not.toContain('orders-0')
    expect(high.out).toBe(`\n${resetHeader}${resetRow('g', 'orders', 0, 7)}${resetRow('g', 'orders', 1, 4)}`)
    expect(await committed('g')).toEqual({ 'orders-0': 7, 'orders-1': 4 })

    const shifted = await groups('--reset-offsets', '--group', 'g', '--all-topics', '--shift-by', '-6', '--execute')
    expect(shifted.out).toBe(`\n${resetHeader}${resetRow('g', 'orders', 0, 3)}${resetRow('g', 'orders', 1, 0)}`)
    expect(shifted.stderr).toContain('New offset (1) is lower than earliest offset for topic partition orders-0. Value will be set to 3')
    expect(shifted.stderr).toContain('New offset (-2) is lower than earliest offset for topic partition orders-1. Value will be set to 0')
    expect(await committed('g')).toEqual({ 'orders-0': 3, 'orders-1': 0 })

    const plan = path.join(dir, '..', 'plan.csv')
    fs.writeFileSync(plan, 'orders,0,99\norders,1,2\n')
    const fromFile = await groups('--reset-offsets', '--group', 'g', '--from-file', plan, '--execute')
    expect(fromFile.out).toBe(`\n${resetHeader}${resetRow('g', 'orders', 0, 10)}${resetRow('g', 'orders', 1, 2)}`)
    expect(await committed('g')).toEqual({ 'orders-0': 10, 'orders-1': 2 })
  })

  it('--to-current keeps committed offsets and puts the others at the log end; --shift-by needs a committed offset', async () => {
    const cur = await groups('--reset-offsets', '--group', 'g', '--topic', 'orders', '--topic', 'audit:1', '--to-current', '--execute')
    expect(cur.out).toBe(`\n${resetHeader}${resetRow('g', 'audit', 1, 5)}${resetRow('g', 'orders', 0, 5)}${resetRow('g', 'orders', 1, 2)}`)
    expect(await committed('g')).toEqual({ 'audit-1': 5, 'orders-0': 5, 'orders-1': 2 })

    const shift = await groups('--reset-offsets', '--group', 'g', '--topic', 'audit', '--shift-by', '1', '--execute')
    expect(shift.stderr).toContain('Cannot shift offset for partition audit-0 since there is no current committed offset\n')
    expect(shift.code).toBe(1)
    expect(await committed('g')).toEqual({ 'audit-1': 5, 'orders-0': 5, 'orders-1': 2 })
  })

  it('--to-datetime finds the first record at or after the time (UTC unless a zone is given); an empty answer falls back to the log end', async () => {
    // orders-0: T0 + i min (offsets 0..9); orders-1: T0 + i h (offsets 0..3).
    const at = await groups('--reset-offsets', '--group', 'g', '--topic', 'orders', '--to-datetime', '2024-01-01T00:02:30.000', '--dry-run')
    expect(at.out).toBe(`\n${resetHeader}${resetRow('g', 'orders', 0, 3)}${resetRow('g', 'orders', 1, 1)}`)
    const zoned = await groups('--reset-offsets', '--group', 'g', '--topic', 'orders', '--to-datetime', '2024-01-01T02:05:00+02:00', '--dry-run')
    expect(zoned.out).toBe(`\n${resetHeader}${resetRow('g', 'orders', 0, 5)}${resetRow('g', 'orders', 1, 1)}`)
    const late = await groups('--reset-offsets', '--group', 'g', '--topic', 'orders', '--to-datetime', '2024-01-01T02:30:00.000', '--execute')
    expect(late.out).toBe(
      `\nWarn: Partition 0 from topic orders is empty. Falling back to latest known offset.\n\n${resetHeader}${resetRow('g', 'orders', 0, 10)}${resetRow('g', 'orders', 1, 3)}`,
    )
    expect(await committed('g')).toEqual({ 'orders-0': 10, 'orders-1': 3 })
    const bad = await groups('--reset-offsets', '--group', 'g', '--topic', 'orders', '--to-datetime', '2024-13-01T00:00:00', '--execute')
    expect(bad.out).toBe('\nError: Executing consumer group command failed due to java.text.ParseException: Unparseable date: "2024-13-01T00:00:00Z"\n')
    expect(bad.code).toBe(0)
    expect(await committed('g')).toEqual({ 'orders-0': 10, 'orders-1': 3 })
  })

  it('--by-duration resets to the first record at or after now minus the duration', async () => {
    const now = Date.now()
    await withBroker((b) => {
      topic(b, 'recent', 1)
      produce(b, 'recent', 0, [now - 10 * 86_400_000, now - 5 * 86_400_000, now - 86_400_000, now - HOUR])
    })
    const r = await groups('--reset-offsets', '--group', 'g', '--topic', 'recent', '--by-duration', 'P3D', '--execute')
    expect(r.out).toBe(`\n${resetHeader}${resetRow('g', 'recent', 0, 2)}`)
    const r2 = await groups('--reset-offsets', '--group', 'g', '--topic', 'recent', '--by-duration', 'PT30M', '--dry-run')
    expect(r2.out).toBe(`\nWarn: Partition 0 from topic recent is empty. Falling back to latest known offset.\n\n${resetHeader}${resetRow('g', 'recent', 0, 4)}`)
    expect((await committed('g'))['recent-0']).toBe(2)
    const bad = await groups('--reset-offsets', '--group', 'g', '--topic', 'recent', '--by-duration', '3 days', '--execute')
    expect(bad.out).toBe('\nError: Executing consumer group command failed due to Text cannot be parsed to a Duration\n')
    expect(bad.code).toBe(0)
  })

  it('refuses a Stable group with Kafka\'s message on stdout and exit 0', async () => {
    await withBroker(async (b) => {
      const g = await stableGroup(b, 'busy', [{ clientId: 'c', host: '/127.0.0.1', assignment: [{ topic: 'orders', partitions: [0, 1] }] }])
      commit(b, 'busy', [['orders', 0, 1]], { generationId: g.generationId, memberId: g.ids[0]! })
    })
    const r = await groups('--reset-offsets', '--group', 'busy', '--topic', 'orders', '--to-latest', '--execute')
    expect(r.out).toBe(`\nError: Assignments can only be reset if the group 'busy' is inactive, but the current state is Stable.\n\n${resetHeader}`)
    expect(r.code).toBe(0)
    expect(await committed('busy')).toEqual({ 'orders-0': 1 })
    expect(await stateOf('busy')).toBe('Stable')
  })

  it('resets an unknown group (creating its offsets), and reports an unknown topic as Kafka does', async () => {
    const r = await groups('--reset-offsets', '--group', 'fresh', '--topic', 'audit', '--to-latest', '--execute')
    expect(r.out).toBe(`\n${resetHeader}${resetRow('fresh', 'audit', 0, 3)}${resetRow('fresh', 'audit', 1, 5)}`)
    expect(await committed('fresh')).toEqual({ 'audit-0': 3, 'audit-1': 5 })
    const missing = await groups('--reset-offsets', '--group', 'fresh', '--topic', 'nope', '--to-latest', '--execute')
    expect(missing.out).toBe(
      '\nError: Executing consumer group command failed due to java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host this topic-partition.\n',
    )
    expect(missing.code).toBe(0)
    // Kafka 4.3 checks the partitions named on --topic first.
    const noPartition = await groups('--reset-offsets', '--group', 'fresh', '--topic', 'audit:1,7', '--topic', 'nope:0', '--to-latest', '--execute')
    expect({ code: noPartition.code, out: noPartition.out }).toEqual({
      code: 0,
      out: '\nError: Executing consumer group command failed due to The partitions "audit-7,nope-0" do not exist\n',
    })
    expect(await committed('fresh')).toEqual({ 'audit-0': 3, 'audit-1': 5 })
  })

  it('--export prints CSV that --from-file reads back, for one group and for several', async () => {
    await withBroker((b) => commit(b, 'h', [['audit', 0, 1]]))
    const one = await groups('--reset-offsets', '--group', 'g', '--all-topics', '--shift-by', '-1', '--export')
    expect(one.out).toBe('orders,0,4\norders,1,1\n\n')
    const file1 = path.join(dir, '..', 'one.csv')
    fs.writeFileSync(file1, one.out)
    const applied = await groups('--reset-offsets', '--group', 'g', '--from-file', file1, '--execute')
    expect(applied.out).toBe(`\n${resetHeader}${resetRow('g', 'orders', 0, 4)}${resetRow('g', 'orders', 1, 1)}`)
    expect(await committed('g')).toEqual({ 'orders-0': 4, 'orders-1': 1 })

    const many = await groups('--reset-offsets', '--group', 'g', '--group', 'h', '--all-topics', '--to-earliest', '--export', '--dry-run')
    expect(many.out).toBe('g,orders,0,0\ng,orders,1,0\nh,audit,0,0\n\n')
    const file2 = path.join(dir, '..', 'many.csv')
    fs.writeFileSync(file2, many.out)
    const both = await groups('--reset-offsets', '--all-groups', '--from-file', file2, '--execute', '--export')
    expect(both.out.split('\n').filter(Boolean).sort()).toEqual(['g,orders,0,0', 'g,orders,1,0', 'h,audit,0,0'])
    expect(await committed('g')).toEqual({ 'orders-0': 0, 'orders-1': 0 })
    expect(await committed('h')).toEqual({ 'audit-0': 0 })
  })

  it('a malformed plan file or a group missing from it changes nothing', async () => {
    const file = path.join(dir, '..', 'bad.csv')
    fs.writeFileSync(file, 'orders,0,1\norders,one,2\n')
    const bad = await groups('--reset-offsets', '--group', 'g', '--from-file', file, '--execute')
    expect(bad.out).toMatch(/^\nError: Executing consumer group command failed due to Invalid reset plan line 2: 'orders,one,2'/)
    expect(bad.code).toBe(0)
    expect(await committed('g')).toEqual({ 'orders-0': 5, 'orders-1': 2 })

    fs.writeFileSync(file, 'other,orders,0,1\n')
    const none = await groups('--reset-offsets', '--group', 'g', '--group', 'h', '--from-file', file, '--execute')
    expect(none.out).toBe(`\nError: No reset plan for group g found\n\nError: No reset plan for group h found\n\n${resetHeader}`)
    expect(await committed('g')).toEqual({ 'orders-0': 5, 'orders-1': 2 })

    const missing = await groups('--reset-offsets', '--group', 'g', '--from-file', path.join(dir, 'nope.csv'), '--execute')
    expect(missing.out).toBe(`\nError: Executing consumer group command failed due to java.nio.file.NoSuchFileException: ${path.join(dir, 'nope.csv')}\n`)
  })
})

// ---- --delete and --delete-offsets ----------------------------------------------------------------

describe('--delete', () => {
  it('deletes inactive groups; reports NON_EMPTY_GROUP and GROUP_ID_NOT_FOUND as Kafka does', async () => {
    await withBroker(async (b) => {
      await standardTopics(b)
      commit(b, 'a', [['orders', 0, 1]])
      commit(b, 'b', [['orders', 0, 1]])
      await stableGroup(b, 'busy', [{ clientId: 'c', host: '/127.0.0.1', assignment: [{ topic: 'orders', partitions: [0] }] }])
    })
    const ok = await groups('--delete', '--group', 'a')
    expect(ok.out).toBe("Deletion of requested consumer groups ('a') was successful.\n")
    expect(ok.code).toBe(0)
    expect(await stateOf('a')).toBe('Dead')

    const mixed = await groups('--delete', '--group', 'busy', '--group', 'nobody', '--group', 'b')
    expect(mixed.out).toBe(
      '\nError: Deletion of some consumer groups failed:\n' +
        "* Group 'busy' could not be deleted due to: java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.GroupNotEmptyException: The group is not empty.\n" +
        "* Group 'nobody' could not be deleted due to: java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.GroupIdNotFoundException: The group id does not exist.\n" +
        "\nThese consumer groups were deleted successfully: 'b'\n",
    )
    expect(mixed.code).toBe(0)
    expect(await stateOf('b')).toBe('Dead')
    expect(await stateOf('busy')).toBe('Stable')
  })
})

describe('--delete-offsets', () => {
  beforeEach(async () => {
    await withBroker(async (b) => {
      await standardTopics(b)
      commit(b, 'g', [['orders', 0, 5], ['orders', 1, 2], ['audit', 0, 1]])
      const live = await stableGroup(b, 'live', [{ clientId: 'c', host: '/127.0.0.1', assignment: [{ topic: 'orders', partitions: [0, 1] }] }])
      commit(b, 'live', [['orders', 0, 1], ['audit', 1, 1]], { generationId: live.generationId, memberId: live.ids[0]! })
    })
  })
  const header = 'TOPIC           PARTITION  STATUS         \n'
  const row = (t: string, p: string, s: string) => `${t.padEnd(15)} ${p.padEnd(10)} ${s.padEnd(15)}\n`

  it('deletes the named partitions or a whole topic', async () => {
    const r = await groups('--delete-offsets', '--group', 'g', '--topic', 'orders')
    expect(r.out).toBe(`Request succeeded for deleting offsets from group g.\n\n${header}${row('orders', '0', 'Successful')}${row('orders', '1', 'Successful')}`)
    expect(r.code).toBe(0)
    expect(await committed('g')).toEqual({ 'audit-0': 1 })
    const p = await groups('--delete-offsets', '--group', 'g', '--topic', 'audit:0')
    expect(p.out).toBe(`Request succeeded for deleting offsets from group g.\n\n${header}${row('audit', '0', 'Successful')}`)
    expect(await committed('g')).toEqual({})
  })

  it('reports an unknown group, a subscribed topic and an unknown topic as Kafka does', async () => {
    const unknown = await groups('--delete-offsets', '--group', 'nobody', '--topic', 'orders:0')
    expect(unknown.out).toBe(
      `\nError: The group id does not exist.\n\n${header}${row('orders', '0', 'Error: org.apache.kafka.common.errors.GroupIdNotFoundException: The group id does not exist.')}`,
    )
    expect(unknown.code).toBe(0)

    const subscribed = await groups('--delete-offsets', '--group', 'live', '--topic', 'orders:0', '--topic', 'audit')
    expect(subscribed.out).toBe(
      '\nError: Encountered some partition-level error, see the follow-up details.\n\n' +
        header +
        row('audit', '0', 'Successful') +
        row('audit', '1', 'Successful') +
        row('orders', '0', 'Error: org.apache.kafka.common.errors.GroupSubscribedToTopicException: The consumer group is actively subscribed to the topic'),
    )
    expect(await committed('live')).toEqual({ 'orders-0': 1 })

    const noTopic = await groups('--delete-offsets', '--group', 'g', '--topic', 'nope', '--topic', 'orders:7')
    expect(noTopic.out).toBe(
      '\nError: Encountered some partition-level error, see the follow-up details.\n\n' +
        header +
        row('nope', '-', 'Error: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host this topic-partition.') +
        row('orders', '7', 'Error: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host this topic-partition.'),
    )
    expect(await committed('g')).toEqual({ 'audit-0': 1, 'orders-0': 5, 'orders-1': 2 })
  })
})
