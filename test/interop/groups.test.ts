import { spawn } from 'node:child_process'
import path from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { AssignerProtocol, Kafka, Partitioners, PartitionAssigners, logLevel, type PartitionAssigner } from 'kafkajs'

import { decodeAssignment } from '../../src/protocol/consumer-protocol.js'
import { startTestServer, type TestServer } from '../helpers/server.js'
import { assertTool, HELPERS_DIR, kcatStatus, PYTHON, pythonModuleStatus, run, runPython, skipWithoutTool, type ProcResult } from './helpers/tools.js'

// Consumer groups of system-package clients against the broker: confluent-kafka (librdkafka) members
// with the cooperative-sticky assignor, kafka-python members (eager, range), a kcat -G member, and a
// group that mixes kafkajs with librdkafka. Members commit what they processed before their partitions
// move (see group_members.py), so every record must be consumed exactly once across the group.

const confluent = pythonModuleStatus('confluent_kafka', 'python3-confluent-kafka')
const kafkaPython = pythonModuleStatus('kafka', 'python3-kafka')
const kcat = kcatStatus()

const PARTITIONS = 6

let server: TestServer | undefined
const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await Promise.resolve(c()).catch(() => undefined)
  await server?.stop()
  server = undefined
})

/** A server with a short initial rebalance delay, so members starting together share the first generation. */
async function start(): Promise<{ s: TestServer; kafka: Kafka }> {
  server = await startTestServer({ props: { 'group.initial.rebalance.delay.ms': '500' } })
  const kafka = new Kafka({ clientId: 'groups-interop', brokers: [server.bootstrap], logLevel: logLevel.NOTHING })
  return { s: server, kafka }
}

function createTopic(s: TestServer, name: string): void {
  const [created] = s.broker.createTopics([{ name, numPartitions: PARTITIONS, replicationFactor: 1, configs: new Map() }])
  expect(created?.ok).toBe(true)
}

/** Writes `count` records keyed k<first>…, spread over the partitions by the default partitioner. */
async function produce(kafka: Kafka, topic: string, count: number, first = 0): Promise<void> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
  await producer.connect()
  try {
    for (let base = first; base < first + count; base += 1000) {
      const n = Math.min(1000, first + count - base)
      await producer.send({ topic, acks: -1, messages: Array.from({ length: n }, (_, i) => ({ key: `k${base + i}`, value: `v${base + i}` })) })
    }
  } finally {
    await producer.disconnect()
  }
}

function logEnd(s: TestServer, topic: string): number[] {
  const row = s.broker.requireTopic(topic)
  return Array.from({ length: row.partitionCount }, (_, p) => {
    const r = s.broker.read(row, p, 0, 1)
    if (!r.ok) throw r.error
    return r.value.highWatermark
  })
}

function committed(s: TestServer, groupId: string, topic: string): number[] {
  const res = s.broker.groups.fetchOffsets({ groupId, topics: [{ name: topic, partitions: Array.from({ length: PARTITIONS }, (_, p) => p) }] })
  return res.topics[0]?.partitions.map((p) => p.offset) ?? []
}

/** Polls `done` until it holds; the bound only stops a hang, it is not a timing assertion. */
async function until(what: string, done: () => boolean, boundMs = 30_000): Promise<void> {
  const end = Date.now() + boundMs
  while (!done()) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

interface MemberOutput {
  consumed: [number, number, string][]
  events: [string, number[]][]
  commitErrors: string[]
  finalAssignment?: number[]
}

function parseMember(r: ProcResult): MemberOutput {
  expect(r.code, r.stderr).toBe(0)
  return JSON.parse(r.stdout.toString('utf8')) as MemberOutput
}

/** Records consumed more than once or never, across members (empty lists = exactly once). */
function exactlyOnceProblems(members: readonly MemberOutput[], total: number): { missing: string[]; duplicated: string[] } {
  const seen = new Map<string, number>()
  for (const m of members) for (const [, , key] of m.consumed) seen.set(key, (seen.get(key) ?? 0) + 1)
  const missing: string[] = []
  const duplicated: string[] = []
  for (let i = 0; i < total; i++) {
    const n = seen.get(`k${i}`) ?? 0
    if (n === 0) missing.push(`k${i}`)
    if (n > 1) duplicated.push(`k${i}×${n}`)
  }
  return { missing: missing.slice(0, 10), duplicated: duplicated.slice(0, 10) }
}

/** A group member that leaves part-way and one that stays to the end, started together. */
async function leaverAndSurvivor(client: 'confluent' | 'kafka-python', s: TestServer, group: string, topic: string, strategy: string, leaveAfter: number, total: number) {
  const args = (role: string) => [client, s.bootstrap, group, topic, strategy, role, String(total)]
  // What the coordinator reports while they run: "<members> <protocol>" of each Stable generation.
  const stable = new Set<string>()
  const sampler = setInterval(() => {
    const g = s.broker.groups.describeGroups([group])[0]
    if (g?.state === 'Stable') stable.add(`${g.members.length} ${g.protocolData}`)
  }, 25)
  try {
    const [leaver, survivor] = await Promise.all([
      runPython('group_members.py', args(`leaver:${leaveAfter}`), { timeoutMs: 90_000 }),
      runPython('group_members.py', args('survivor'), { timeoutMs: 90_000 }),
    ])
    return { leaver: parseMember(leaver), survivor: parseMember(survivor), stable }
  } finally {
    clearInterval(sampler)
  }
}

describe.skipIf(skipWithoutTool(confluent))('confluent-kafka group members', () => {
  beforeAll(() => assertTool(confluent))

  it('two cooperative-sticky members share a topic; when one leaves, the other gets its partitions incrementally; each record once', async () => {
    const { s, kafka } = await start()
    createTopic(s, 'coop')
    const total = 12_000
    await produce(kafka, 'coop', total)
    const { leaver, survivor, stable } = await leaverAndSurvivor('confluent', s, 'coop-group', 'coop', 'cooperative-sticky', 2000, total)

    expect(exactlyOnceProblems([leaver, survivor], total)).toEqual({ missing: [], duplicated: [] })
    expect(leaver.consumed.length + survivor.consumed.length).toBe(total)
    expect(leaver.consumed.length).toBeGreaterThanOrEqual(2000)
    // The leaver left while it shared the topic: its partitions were a strict subset.
    expect(leaver.finalAssignment?.length).toBeGreaterThan(0)
    expect(leaver.finalAssignment?.length).toBeLessThan(PARTITIONS)
    expect(survivor.consumed.length).toBeGreaterThan(0)
    expect(stable).toContain('2 cooperative-sticky')
    // Incremental: the survivor never gives up everything, and the leaver's partitions arrive as an addition.
    expect(survivor.finalAssignment).toEqual([0, 1, 2, 3, 4, 5])
    const rebalances = survivor.events.slice(0, survivor.events.findIndex(([kind]) => kind === 'close'))
    const last = rebalances.at(-1)
    expect(last?.[0]).toBe('assign')
    expect(last?.[1].length).toBeLessThan(PARTITIONS)
    expect(rebalances.some(([kind, parts]) => kind === 'revoke' && parts.length === PARTITIONS)).toBe(false)
    expect(committed(s, 'coop-group', 'coop')).toEqual(logEnd(s, 'coop'))
    expect(s.broker.groups.describeGroups(['coop-group'])[0]?.state).toBe('Empty')
  })
})

describe.skipIf(skipWithoutTool(kafkaPython))('kafka-python group members', () => {
  beforeAll(() => assertTool(kafkaPython))

  it('two range members share a topic; when one leaves, the other takes over from its commits; each record once', async () => {
    const { s, kafka } = await start()
    createTopic(s, 'kp')
    const total = 12_000
    await produce(kafka, 'kp', total)
    const { leaver, survivor, stable } = await leaverAndSurvivor('kafka-python', s, 'kp-group', 'kp', 'range', 2000, total)

    expect(exactlyOnceProblems([leaver, survivor], total)).toEqual({ missing: [], duplicated: [] })
    expect(leaver.consumed.length + survivor.consumed.length).toBe(total)
    expect(leaver.finalAssignment?.length).toBeGreaterThan(0)
    expect(leaver.finalAssignment?.length).toBeLessThan(PARTITIONS)
    expect(survivor.consumed.length).toBeGreaterThan(0)
    expect(survivor.finalAssignment).toEqual([0, 1, 2, 3, 4, 5])
    expect(stable).toContain('2 range')
    // range over 6 partitions and 2 members: 0-2 and 3-5 (protocol.md §10.2), whoever sorts first.
    expect([[0, 1, 2], [3, 4, 5]]).toContainEqual(leaver.finalAssignment)
    expect(committed(s, 'kp-group', 'kp')).toEqual(logEnd(s, 'kp'))
  })
})

describe.skipIf(skipWithoutTool(kcat))('kcat -G member', () => {
  beforeAll(() => assertTool(kcat))

  it('consumes a topic as a group member, commits, and a second run starts from the committed offsets', async () => {
    const { s, kafka } = await start()
    createTopic(s, 'kc')
    await produce(kafka, 'kc', 3000)
    const consume = () => run('kcat', ['-b', s.bootstrap, '-G', 'kcat-group', '-X', 'auto.offset.reset=earliest', '-e', '-q', '-f', '%p %o %k\\n', 'kc'], { timeoutMs: 60_000 })
    const lines = (r: ProcResult) => {
      expect(r.code, r.stderr).toBe(0)
      return r.stdout.toString('utf8').split('\n').filter((l) => l !== '')
    }
    const first = lines(await consume())
    expect(first).toHaveLength(3000)
    expect(new Set(first.map((l) => l.split(' ')[2])).size).toBe(3000)
    expect(committed(s, 'kcat-group', 'kc')).toEqual(logEnd(s, 'kc'))

    await produce(kafka, 'kc', 500, 3000)
    const second = lines(await consume())
    expect(second.map((l) => l.split(' ')[2]).sort()).toEqual(Array.from({ length: 500 }, (_, i) => `k${3000 + i}`).sort())
    expect(committed(s, 'kcat-group', 'kc')).toEqual(logEnd(s, 'kc'))
    expect(s.broker.groups.describeGroups(['kcat-group'])[0]).toMatchObject({ state: 'Empty', protocolType: 'consumer', members: [] })
  })
})

/** kafkajs's round-robin assignor published under the name Java and librdkafka use for theirs. */
const roundrobinNamed: PartitionAssigner = (config) => {
  const inner = PartitionAssigners.roundRobin(config)
  return {
    name: 'roundrobin',
    version: inner.version,
    assign: (group) => inner.assign(group),
    protocol: ({ topics }) => ({ name: 'roundrobin', metadata: AssignerProtocol.MemberMetadata.encode({ version: inner.version, topics, userData: Buffer.alloc(0) }) }),
  }
}

describe.skipIf(skipWithoutTool(confluent))('a group mixing kafkajs and librdkafka', () => {
  beforeAll(() => assertTool(confluent))

  it('kafkajs with its default assignor is refused (INCONSISTENT_GROUP_PROTOCOL); with a "roundrobin" assignor it shares the topic', async () => {
    const { s, kafka } = await start()
    createTopic(s, 'mixed')
    const python = spawn(PYTHON, [path.join(HELPERS_DIR, 'group_members.py'), 'confluent-idle', s.bootstrap, 'mixed-group', 'mixed', 'range,roundrobin'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
    })
    cleanups.push(() => void python.kill('SIGKILL'))
    const out: Buffer[] = []
    let err = ''
    python.stdout.on('data', (c: Buffer) => out.push(c))
    python.stderr.on('data', (c: Buffer) => (err += c.toString()))
    const exited = new Promise<number | null>((resolve) => python.on('close', resolve))
    const group = () => s.broker.groups.describeGroups(['mixed-group'])[0]
    await until('the librdkafka member to be in the group', () => group()?.state === 'Stable' && group()?.members.length === 1)
    expect(group()?.protocolData).toBe('range')

    // kafkajs offers only "RoundRobinAssigner": nothing in common with range/roundrobin.
    const refused = kafka.consumer({ groupId: 'mixed-group', retry: { retries: 0, restartOnFailure: async () => false } })
    cleanups.push(() => refused.disconnect())
    await refused.connect()
    await refused.subscribe({ topic: 'mixed', fromBeginning: true })
    const crashed = new Promise<{ type?: string }>((resolve) => refused.on(refused.events.CRASH, (e) => resolve(e.payload.error as { type?: string })))
    await refused.run({ eachMessage: async () => undefined })
    expect((await crashed).type).toBe('INCONSISTENT_GROUP_PROTOCOL')
    await refused.disconnect()
    expect(group()?.members).toHaveLength(1)

    // The same algorithm under the shared name "roundrobin": the group agrees on it.
    const joined = kafka.consumer({ groupId: 'mixed-group', partitionAssigners: [roundrobinNamed], heartbeatInterval: 300, maxWaitTimeInMs: 200 })
    cleanups.push(() => joined.disconnect())
    const byKafkajs: string[] = []
    await joined.connect()
    await joined.subscribe({ topic: 'mixed', fromBeginning: true })
    await joined.run({ eachMessage: async ({ message }) => void byKafkajs.push(message.key?.toString() ?? '?') })
    await until('both members to share the group under roundrobin', () => group()?.state === 'Stable' && group()?.members.length === 2 && group()?.protocolData === 'roundrobin')
    const owned = (group()?.members ?? []).map((m) => decodeAssignment(m.assignment).value.assignedPartitions.flatMap((tp) => tp.partitions))
    expect(owned.every((p) => p.length > 0)).toBe(true)
    expect(owned.flat().sort()).toEqual([0, 1, 2, 3, 4, 5])

    const total = 600
    await produce(kafka, 'mixed', total)
    await until('both members to commit everything', () => committed(s, 'mixed-group', 'mixed').reduce((a, b) => a + b, 0) === total)
    python.stdin.end()
    expect(await exited, err).toBe(0)
    const librdkafka = JSON.parse(Buffer.concat(out).toString('utf8')) as MemberOutput
    await joined.disconnect()

    expect(exactlyOnceProblems([librdkafka, { consumed: byKafkajs.map((k) => [0, 0, k]), events: [], commitErrors: [] }], total)).toEqual({ missing: [], duplicated: [] })
    expect(librdkafka.consumed.length).toBeGreaterThan(0)
    expect(byKafkajs.length).toBeGreaterThan(0)
  })
})
