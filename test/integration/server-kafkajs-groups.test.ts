import { afterEach, expect, it } from 'vitest'
import { Kafka, Partitioners, logLevel, type Consumer, type LogEntry } from 'kafkajs'

import { decodeAssignment } from '../../src/protocol/consumer-protocol.js'
import { startTestServer, type TestServer } from '../helpers/server.js'

// Queue semantics with kafkajs 2.2 (npm devDependency): three consumers of one group share a 6-partition
// topic while a producer writes 60 000 records; one member is stopped part-way and another joins. Each
// record is processed once across the group: members commit what they processed inside eachBatch, before
// they return, and a stopped member (disconnect) finishes its batch, commits and leaves the group — so no
// record may be processed twice, and none may be missed.

const TOPIC = 'jobs'
const GROUP = 'workers'
const PARTITIONS = 6
const TOTAL = 60_000
const CHUNK = 1000
/** kafkajs's text for REBALANCE_IN_PROGRESS (27). */
const REBALANCE_IN_PROGRESS_TEXT = 'The group is rebalancing, so a rejoin is needed'

let server: TestServer | undefined
const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined)
  await server?.stop()
  server = undefined
})

/** Polls `done` until it holds; the bound only stops a hang, it is not a timing assertion. */
async function until(what: string, done: () => boolean | Promise<boolean>, boundMs = 60_000): Promise<void> {
  const end = Date.now() + boundMs
  while (!(await done())) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

it('three kafkajs consumers in one group process 60 000 records exactly once while one member stops and another joins', async () => {
  server = await startTestServer({ props: { 'group.initial.rebalance.delay.ms': '0' } })
  const s = server
  const clientErrors: string[] = []
  const kafka = new Kafka({
    clientId: 'kafkajs-groups',
    brokers: [s.bootstrap],
    logLevel: logLevel.ERROR,
    logCreator: () => (entry: LogEntry) => {
      const { message, error } = entry.log as { message: string; error?: string }
      // kafkajs logs the REBALANCE_IN_PROGRESS answers to its heartbeats (its cue to rejoin) as errors.
      if (error !== REBALANCE_IN_PROGRESS_TEXT) clientErrors.push(`${entry.namespace}: ${message} ${error ?? ''}`)
    },
  })
  const admin = kafka.admin()
  await admin.connect()
  cleanups.push(() => admin.disconnect())
  expect(await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] })).toBe(true)

  /** How often each record (by key) was processed, and by whom. */
  const processedBy = new Map<string, string[]>()
  const perMember = new Map<string, number>()
  let processed = 0

  async function startMember(name: string): Promise<Consumer> {
    const consumer = kafka.consumer({ groupId: GROUP, sessionTimeout: 10_000, rebalanceTimeout: 20_000, heartbeatInterval: 500, maxWaitTimeInMs: 200 })
    cleanups.push(() => consumer.disconnect())
    await consumer.connect()
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true })
    perMember.set(name, 0)
    await consumer.run({
      autoCommit: true,
      // With a threshold of 1, commitOffsetsIfNecessary() commits whatever was resolved.
      autoCommitThreshold: 1,
      eachBatchAutoResolve: false,
      eachBatch: async (payload) => {
        const { batch } = payload
        for (const m of batch.messages) {
          if (!payload.isRunning() || payload.isStale()) break
          const key = m.key?.toString() ?? '?'
          const by = processedBy.get(key)
          if (by) by.push(name)
          else processedBy.set(key, [name])
          perMember.set(name, (perMember.get(name) ?? 0) + 1)
          processed++
          payload.resolveOffset(m.offset)
        }
        await payload.commitOffsetsIfNecessary()
      },
    })
    return consumer
  }

  const members = new Map<string, Consumer>()
  for (const name of ['a', 'b', 'c']) members.set(name, await startMember(name))

  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
  await producer.connect()
  cleanups.push(() => producer.disconnect())
  const producing = (async () => {
    for (let base = 0; base < TOTAL; base += CHUNK) {
      await producer.send({
        topic: TOPIC,
        acks: -1,
        messages: Array.from({ length: CHUNK }, (_, i) => ({ key: `k${base + i}`, value: `v${base + i}` })),
      })
    }
  })()

  // Part-way through, one member leaves (finishing and committing its batch first) and a new one joins.
  await until('a third of the records to be processed', () => processed >= TOTAL / 3)
  await members.get('b')!.disconnect()
  const processedByB = perMember.get('b')!
  members.set('d', await startMember('d'))

  await producing
  await until('every record to be processed', () => processedBy.size >= TOTAL)
  const endOffsets = await admin.fetchTopicOffsets(TOPIC)
  expect(endOffsets.reduce((sum, p) => sum + Number(p.high), 0)).toBe(TOTAL)
  const highs = new Map(endOffsets.map((p) => [p.partition, p.high]))
  // The last commits follow the last processing: wait for them to reach the log end.
  await until('the group to commit up to the log end', async () => {
    const [committed] = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] })
    return committed !== undefined && committed.partitions.every((p) => p.offset === highs.get(p.partition))
  })

  const missing: string[] = []
  const twice: string[] = []
  for (let i = 0; i < TOTAL; i++) {
    const by = processedBy.get(`k${i}`)
    if (!by) missing.push(`k${i}`)
    else if (by.length > 1) twice.push(`k${i} by ${by.join(',')}`)
  }
  expect({ missing: missing.slice(0, 10), missingCount: missing.length, twice: twice.slice(0, 10), twiceCount: twice.length }).toEqual({
    missing: [],
    missingCount: 0,
    twice: [],
    twiceCount: 0,
  })
  expect(processed).toBe(TOTAL)
  expect(processedByB).toBeGreaterThan(0)
  expect(perMember.get('b')).toBe(processedByB)
  expect(perMember.get('d')).toBeGreaterThan(0)

  // The group now has a, c and d, and each partition belongs to exactly one of them.
  const [group] = (await admin.describeGroups([GROUP])).groups
  expect(group?.state).toBe('Stable')
  expect(group?.protocol).toBe('RoundRobinAssigner')
  expect(group?.members).toHaveLength(3)
  const owned = (group?.members ?? []).flatMap((m) => decodeAssignment(m.memberAssignment).value.assignedPartitions.flatMap((tp) => tp.partitions))
  expect(owned.sort()).toEqual([0, 1, 2, 3, 4, 5])
  expect(clientErrors).toEqual([])
})
