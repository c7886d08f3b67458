import { afterEach, expect, it } from 'vitest'
import { Kafka, Partitioners, logLevel } from 'kafkajs'

import { ApiKey } from '../../src/protocol/api-keys.js'
import { decodeFetchResponse, encodeFetchRequest } from '../../src/protocol/messages/fetch.js'
import { decodeProduceResponse, encodeProduceRequest } from '../../src/protocol/messages/produce.js'
import { readBatchHeader } from '../../src/protocol/record-batch.js'
import { RecordBatchBuilder } from '../../src/protocol/record-batch-builder.js'
import { crc32c } from '../../src/protocol/crc32c.js'
import { tempDir } from '../helpers/cli.js'
import { RawConnection, rawRequest } from '../helpers/raw-client.js'
import { produce as rawProduce, produceOutcome } from '../interop/helpers/wire-ops.js'
import { startServerProcess, startTestServer, type TestServer } from '../helpers/server.js'

// Retention and compaction seen from real clients over the wire: kafkajs consumers positioned below a
// log start offset that retention moved, keyless records refused on a compacted topic (kafkajs and raw
// Produce v8 with its record_errors), and passes run by the server's own timers with short intervals.

let server: TestServer | undefined
const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined)
  await server?.stop()
  server = undefined
})

const HOUR = 3_600_000

async function start(props: Record<string, string> = {}): Promise<{ s: TestServer; kafka: Kafka }> {
  server = await startTestServer({ props: { 'group.initial.rebalance.delay.ms': '0', ...props } })
  const kafka = new Kafka({ clientId: 'kafka-ts-retention-test', brokers: [server.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2 } })
  return { s: server, kafka }
}

/** Polls `done` until it holds; the bound only stops a hang, it is not a timing assertion. */
async function until(what: string, done: () => boolean | Promise<boolean>, boundMs = 30_000): Promise<void> {
  const end = Date.now() + boundMs
  while (!(await done())) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

async function admin(kafka: Kafka) {
  const a = kafka.admin()
  await a.connect()
  cleanups.push(() => a.disconnect())
  return a
}

async function producer(kafka: Kafka, idempotent = false) {
  const p = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent, ...(idempotent ? { maxInFlightRequests: 1 } : {}) })
  await p.connect()
  cleanups.push(() => p.disconnect())
  return p
}

it('a kafkajs consumer whose committed offset fell below the log start gets OFFSET_OUT_OF_RANGE and resets to the earliest offset', async () => {
  const { s, kafka } = await start()
  const a = await admin(kafka)
  await a.createTopics({ topics: [{ topic: 'expiring', configEntries: [{ name: 'retention.ms', value: String(HOUR) }] }] })
  const p = await producer(kafka)
  const old = String(Date.now() - 2 * HOUR)
  await p.send({ topic: 'expiring', messages: Array.from({ length: 10 }, (_, i) => ({ value: `old-${i}`, timestamp: old })) })
  await p.send({ topic: 'expiring', messages: Array.from({ length: 5 }, (_, i) => ({ value: `new-${i}` })) })
  await a.setOffsets({ groupId: 'behind', topic: 'expiring', partitions: [{ partition: 0, offset: '3' }] })

  const stats = s.broker.runLogCleaner()
  expect(stats.batchesDeleted).toBe(1)
  expect(await a.fetchTopicOffsets('expiring')).toEqual([expect.objectContaining({ partition: 0, low: '10', high: '15' })])

  // Fetch below the log start: OFFSET_OUT_OF_RANGE (1); like Kafka, the offsets of an errored partition are -1.
  const fetched = await rawRequest(
    s.port,
    ApiKey.Fetch,
    11,
    (w, v) =>
      encodeFetchRequest(w, v, {
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: 1 << 20,
        isolationLevel: 0,
        topics: [{ topic: 'expiring', partitions: [{ partition: 0, fetchOffset: 3, partitionMaxBytes: 1 << 20 }] }],
      }),
    decodeFetchResponse,
  )
  const part = fetched.responses[0]?.partitions[0]
  expect([part?.errorCode, part?.logStartOffset, part?.highWatermark]).toEqual([1, -1, -1])

  const consumer = kafka.consumer({ groupId: 'behind', maxWaitTimeInMs: 100 })
  await consumer.connect()
  cleanups.push(() => consumer.disconnect())
  await consumer.subscribe({ topic: 'expiring', fromBeginning: true })
  const seen: string[] = []
  await consumer.run({ eachMessage: async ({ message }) => void seen.push(`${message.offset}:${message.value?.toString() ?? ''}`) })
  await until('the five retained records', () => seen.length >= 5)
  expect(seen).toEqual(['10:new-0', '11:new-1', '12:new-2', '13:new-3', '14:new-4'])
})

it('refuses keyless records on a compacted topic: kafkajs sees INVALID_RECORD, raw Produce v8 gets record_errors', async () => {
  const { s, kafka } = await start()
  const a = await admin(kafka)
  await a.createTopics({ topics: [{ topic: 'table', configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] })
  const p = await producer(kafka)
  await expect(p.send({ topic: 'table', messages: [{ value: 'no key' }] })).rejects.toMatchObject({ type: 'INVALID_RECORD' })
  await p.send({ topic: 'table', messages: [{ key: 'k', value: 'keyed' }] })

  const b = new RecordBatchBuilder()
  b.append(Date.now(), Buffer.from('k'), Buffer.from('a'))
  b.append(Date.now(), null, Buffer.from('b'))
  const res = await rawRequest(
    s.port,
    ApiKey.Produce,
    8,
    (w, v) => encodeProduceRequest(w, v, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: 'table', partitionData: [{ index: 0, records: b.build() }] }] }),
    decodeProduceResponse,
  )
  const r = res.responses[0]?.partitionResponses[0]
  const message = 'Compacted topic cannot accept message without key in topic partition table-0.'
  expect(r).toMatchObject({
    errorCode: 87,
    baseOffset: -1,
    recordErrors: [{ batchIndex: 1, batchIndexErrorMessage: message }],
    errorMessage: `One or more records have been rejected due to 1 record errors in total, and only showing the first three errors at most: [RecordError(batchIndex=1, message='${message}')]`,
  })
  expect(await a.fetchTopicOffsets('table')).toEqual([expect.objectContaining({ high: '1' })])
})

it('the server runs retention every log.retention.check.interval.ms', async () => {
  const { s, kafka } = await start({ 'log.retention.check.interval.ms': '100' })
  const a = await admin(kafka)
  await a.createTopics({ topics: [{ topic: 'timed' }] })
  const p = await producer(kafka)
  await p.send({ topic: 'timed', messages: [{ value: 'old', timestamp: String(Date.now() - 2 * HOUR) }] })
  await p.send({ topic: 'timed', messages: [{ value: 'new' }] })
  // retention.ms is 7 days until altered: a pass or two go by with nothing to delete.
  await a.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: 'timed', configEntries: [{ name: 'retention.ms', value: String(HOUR) }] }] })
  await until('retention to move the log start offset', async () => (await a.fetchTopicOffsets('timed'))[0]?.low === '1')
  expect(s.logs.some((l) => l.startsWith('[LogCleaner] pass over') && l.includes('retention deleted 1 batches'))).toBe(true)
})

it('batches whose header lies about their max timestamp (-1, 0, 30 days ago, ten years ahead) survive the server\'s retention passes and stay findable by time', async () => {
  const { s } = await start({ 'log.retention.check.interval.ms': '100' })
  const created = s.broker.createTopics([{ name: 'lying', numPartitions: 1, replicationFactor: 1, configs: new Map([['retention.ms', String(HOUR)]]) }])
  expect(created[0]?.ok).toBe(true)
  const conn = await RawConnection.open(s.port)
  cleanups.push(async () => conn.close())
  const now = Date.now()
  const batchAt = (ts: number, claimedMax?: number): Buffer => {
    const b = new RecordBatchBuilder()
    b.append(ts, null, Buffer.from(`at-${ts}`))
    b.append(ts + 1, null, Buffer.from(`at-${ts + 1}`))
    const bytes = b.build()
    if (claimedMax !== undefined) {
      bytes.writeBigInt64BE(BigInt(claimedMax), 35) // maxTimestamp, as a careless producer fills it
      bytes.writeUInt32BE(crc32c(bytes, 21), 17)
    }
    return bytes
  }
  // A genuinely expired batch first: its deletion proves a pass ran over the batches behind it.
  const sent: [number, number | undefined][] = [[now - 2 * HOUR, undefined], [now - 50_000, -1], [now - 40_000, 0], [now - 30_000, now - 30 * 24 * HOUR], [now - 20_000, now + 10 * 365 * 24 * HOUR], [now - 10_000, undefined]]
  for (const [ts, claim] of sent) expect(produceOutcome(await rawProduce(conn, 'lying', 0, batchAt(ts, claim), { version: 9 })).errorCode).toBe(0)

  const topic = s.broker.requireTopic('lying')
  await until('retention to delete the expired batch', () => {
    const o = s.broker.offsets(topic, 0)
    return o.ok && o.value.logStartOffset > 0
  })
  expect(s.broker.offsets(topic, 0)).toEqual({ ok: true, value: { logStartOffset: 2, highWatermark: 12 } })
  sent.slice(1).forEach(([ts], i) => {
    expect(s.broker.listOffset(topic, 0, ts)).toEqual({ ok: true, value: { offset: 2 + 2 * i, timestamp: ts } })
  })
})

it('the server compacts on its cleaner timer; kafkajs reads the compacted log, empty idempotent batch included', async () => {
  const { s, kafka } = await start({ 'log.cleaner.backoff.ms': '100' })
  const a = await admin(kafka)
  await a.createTopics({
    topics: [{ topic: 'compacted', configEntries: [{ name: 'cleanup.policy', value: 'compact' }, { name: 'min.cleanable.dirty.ratio', value: '0.01' }] }],
  })
  const idempotent = await producer(kafka, true)
  const plain = await producer(kafka)
  await idempotent.send({ topic: 'compacted', messages: [{ key: 'k', value: 'v1' }, { key: 'j', value: 'j1' }] })
  await plain.send({ topic: 'compacted', messages: [{ key: 'k', value: 'v2' }, { key: 'j', value: 'j2' }] })
  await plain.send({ topic: 'compacted', messages: [{ key: 'tail', value: 't' }] })

  // The pass logs when it ends, which can be after the rewrite is visible: wait for both.
  const removed = () => s.logs.reduce((n, l) => n + Number(/compaction removed (\d+) records/.exec(l)?.[1] ?? 0), 0)
  await until('the idempotent batch to be compacted away', () => {
    const res = s.broker.read(s.broker.requireTopic('compacted'), 0, 0, 1 << 20)
    return res.ok && readBatchHeader(res.value.batches[0]!).recordCount === 0 && removed() > 0
  })
  expect(removed()).toBe(2)

  const consumer = kafka.consumer({ groupId: 'reader', maxWaitTimeInMs: 100 })
  await consumer.connect()
  cleanups.push(() => consumer.disconnect())
  await consumer.subscribe({ topic: 'compacted', fromBeginning: true })
  const seen: string[] = []
  await consumer.run({ eachMessage: async ({ message }) => void seen.push(`${message.offset}:${message.key?.toString() ?? ''}=${message.value?.toString() ?? ''}`) })
  await until('the three live records', () => seen.length >= 3)
  expect(seen).toEqual(['2:k=v2', '3:j=j2', '4:tail=t'])

  // The idempotent producer's sequence state survived: its next batch is accepted in order.
  await idempotent.send({ topic: 'compacted', messages: [{ key: 'k', value: 'v3' }] })
  await until('the next record', () => seen.length >= 4)
  expect(seen[3]).toBe('5:k=v3')
})

it('kafka-ts server-start with a small log.retention.check.interval.ms deletes expired records on its own', async () => {
  const data = tempDir()
  cleanups.push(async () => data.cleanup())
  const { child, port, stderr } = await startServerProcess([
    '--data-dir', data.dir,
    '--override', 'listeners=PLAINTEXT://127.0.0.1:0',
    '--override', 'log.retention.check.interval.ms=200',
    '--override', 'log.retention.minutes=60',
  ])
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  cleanups.push(async () => {
    if (child.exitCode === null) child.kill('SIGKILL')
    await exited
  })
  const kafka = new Kafka({ clientId: 'server-start-retention', brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING })
  const a = await admin(kafka)
  // No topic override: log.retention.minutes=60 from the overrides applies.
  await a.createTopics({ topics: [{ topic: 'events' }] })
  const p = await producer(kafka)
  await p.send({ topic: 'events', messages: [{ value: 'two hours old', timestamp: String(Date.now() - 2 * HOUR) }] })
  await p.send({ topic: 'events', messages: [{ value: 'fresh' }] })
  await until('the server to apply retention', async () => (await a.fetchTopicOffsets('events'))[0]?.low === '1')
  // The pass logs once it has visited every partition, after the deletion commits: wait for the line too.
  await until('the server to log the retention pass', () => stderr().includes('retention deleted 1 batches'))
  child.kill('SIGTERM')
  expect(await exited).toBe(0)
})
