import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { CompressionCodecs, CompressionTypes, Kafka, Partitioners, logLevel, type IHeaders, type Message } from 'kafkajs'

import { compress, decompress, type CompressionCodec } from '../../src/protocol/compression.js'
import { CODEC_IDS } from '../../src/protocol/compression.js'
import { readBatchHeader } from '../../src/protocol/record-batch.js'
import { startTestServer, type TestServer } from '../helpers/server.js'

// kafkajs 2.2 (npm devDependency) against the broker over the wire: admin (create/list/delete topics,
// create partitions, offsets, delete records) and the idempotent producer with every codec, read back
// with kafkajs's own Fetch decoding. Consumer groups are not used: they belong to the next issue.

// kafkajs ships gzip only; snappy/lz4/zstd are plugins. Registering ours exercises kafkajs's framing of
// the compressed records with the codecs the broker itself uses to validate batches.
const plugin = (codec: CompressionCodec) => () => ({
  compress: async (encoder: { buffer: Buffer }) => compress(codec, encoder.buffer),
  decompress: async (buffer: Buffer) => decompress(codec, buffer),
})
CompressionCodecs[CompressionTypes.Snappy] = plugin('snappy')
CompressionCodecs[CompressionTypes.LZ4] = plugin('lz4')
CompressionCodecs[CompressionTypes.ZSTD] = plugin('zstd')

const CODECS: [CompressionCodec, CompressionTypes][] = [
  ['none', CompressionTypes.None],
  ['gzip', CompressionTypes.GZIP],
  ['snappy', CompressionTypes.Snappy],
  ['lz4', CompressionTypes.LZ4],
  ['zstd', CompressionTypes.ZSTD],
]

let server: TestServer | undefined
const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined)
  await server?.stop()
  server = undefined
})

async function start(props: Record<string, string> = {}): Promise<{ s: TestServer; kafka: Kafka }> {
  server = await startTestServer({ props })
  const kafka = new Kafka({ clientId: 'kafka-ts-kafkajs-test', brokers: [server.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 3 } })
  return { s: server, kafka }
}

interface FetchedMessage {
  offset: string
  key: Buffer | null
  value: Buffer | null
  headers?: IHeaders
}

interface LowLevelBroker {
  fetch(req: {
    maxWaitTime: number
    minBytes: number
    maxBytes: number
    topics: { topic: string; partitions: { partition: number; fetchOffset: string; maxBytes: number }[] }[]
  }): Promise<{ responses: { topicName: string; partitions: { partition: number; errorCode: number; highWatermark: string; messages: FetchedMessage[] }[] }[] }>
}

interface LowLevelCluster {
  connect(): Promise<void>
  disconnect(): Promise<void>
  addTargetTopic(topic: string): Promise<void>
  findTopicPartitionMetadata(topic: string): { partitionId: number; leader: number }[]
  findBroker(node: { nodeId: string }): Promise<LowLevelBroker>
}

/**
 * kafkajs's own cluster/broker layer (what its consumer uses underneath), reached through the Kafka
 * object's private factory: without consumer groups there is no public kafkajs API that fetches.
 */
function lowLevelCluster(kafka: Kafka): LowLevelCluster {
  const symbol = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster')
  if (!symbol) throw new Error('kafkajs internals changed: no private:Kafka:createCluster')
  const factory = (kafka as unknown as Record<symbol, (opts: object) => LowLevelCluster>)[symbol]!
  return factory({})
}

/** Every message of one partition from offset 0 to the high watermark, via kafkajs Fetch requests. */
async function fetchAll(cluster: LowLevelCluster, topic: string, partition: number): Promise<FetchedMessage[]> {
  const leader = cluster.findTopicPartitionMetadata(topic).find((p) => p.partitionId === partition)?.leader
  if (leader === undefined) throw new Error(`no leader for ${topic}-${partition}`)
  const broker = await cluster.findBroker({ nodeId: String(leader) })
  const out: FetchedMessage[] = []
  let offset = 0
  for (;;) {
    const res = await broker.fetch({
      maxWaitTime: 100,
      minBytes: 1,
      maxBytes: 4 << 20,
      topics: [{ topic, partitions: [{ partition, fetchOffset: String(offset), maxBytes: 1 << 20 }] }],
    })
    const p = res.responses[0]?.partitions[0]
    if (!p) throw new Error('empty fetch response')
    if (p.errorCode !== 0) throw new Error(`fetch error ${p.errorCode}`)
    // A fetch from mid-batch returns the whole batch; kafkajs hands back records before the asked offset too.
    for (const m of p.messages) if (Number(m.offset) >= offset) out.push(m)
    const last = out.at(-1)
    if (last) offset = Number(last.offset) + 1
    if (offset >= Number(p.highWatermark)) return out
    if (p.messages.length === 0) throw new Error(`no progress at offset ${offset} below high watermark ${p.highWatermark}`)
  }
}

/** Messages with binary keys and values, null keys and values, and headers. */
function messages(count: number, tag: string): Message[] {
  const out: Message[] = []
  for (let i = 0; i < count; i++) {
    const value = Buffer.alloc(20 + (i % 50), i % 251)
    value.write(`${tag}:${i}:`, 0, 'latin1')
    out.push({
      key: i % 7 === 0 ? null : Buffer.from([0x00, 0xff, i & 0xff, (i >> 8) & 0xff]),
      value: i % 13 === 5 ? null : value,
      headers: i % 3 === 0 ? { trace: Buffer.from(`t${i}`), empty: Buffer.alloc(0) } : undefined,
    })
  }
  return out
}

describe('kafkajs admin', () => {
  it('creates, lists, describes, grows and deletes topics', async () => {
    const { s, kafka } = await start()
    const admin = kafka.admin()
    await admin.connect()
    cleanups.push(() => admin.disconnect())

    expect(await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 2 }, { topic: 'audit.log' }] })).toBe(true)
    expect((await admin.listTopics()).sort()).toEqual(['audit.log', 'orders'])
    // An existing topic: kafkajs resolves false rather than failing (it saw TOPIC_ALREADY_EXISTS).
    expect(await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 5 }] })).toBe(false)

    const before = await admin.fetchTopicMetadata({ topics: ['orders'] })
    expect(before.topics[0]?.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1])
    expect(before.topics[0]?.partitions.every((p) => p.leader === 1 && p.replicas.join() === '1' && p.isr.join() === '1')).toBe(true)

    await admin.createPartitions({ topicPartitions: [{ topic: 'orders', count: 5 }] })
    const after = await admin.fetchTopicMetadata({ topics: ['orders'] })
    expect(after.topics[0]?.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2, 3, 4])
    expect(s.broker.requireTopic('orders').partitionCount).toBe(5)
    // Shrinking is refused (INVALID_PARTITIONS), and the count stays.
    await expect(admin.createPartitions({ topicPartitions: [{ topic: 'orders', count: 3 }] })).rejects.toThrow()
    expect(s.broker.requireTopic('orders').partitionCount).toBe(5)

    await admin.deleteTopics({ topics: ['orders'] })
    expect(await admin.listTopics()).toEqual(['audit.log'])
    expect(s.broker.findTopic('orders')).toBeUndefined()
    await expect(admin.deleteTopics({ topics: ['never-created'] })).rejects.toThrow(/does not host this topic-partition|UNKNOWN_TOPIC/i)
  })

  it('reads offsets (earliest, latest, by timestamp) and deletes records', async () => {
    const { kafka } = await start()
    const admin = kafka.admin()
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
    await admin.connect()
    await producer.connect()
    cleanups.push(() => admin.disconnect(), () => producer.disconnect())
    await admin.createTopics({ topics: [{ topic: 'timed', numPartitions: 1 }] })
    await producer.send({ topic: 'timed', acks: -1, messages: [0, 1, 2, 3].map((i) => ({ value: `a${i}`, timestamp: String(1_000 + i) })) })
    await producer.send({ topic: 'timed', acks: -1, messages: [0, 1, 2, 3].map((i) => ({ value: `b${i}`, timestamp: String(2_000 + i) })) })

    expect(await admin.fetchTopicOffsets('timed')).toEqual([{ partition: 0, offset: '8', high: '8', low: '0' }])
    expect(await admin.fetchTopicOffsetsByTimestamp('timed', 1_002)).toEqual([{ partition: 0, offset: '2' }])
    expect(await admin.fetchTopicOffsetsByTimestamp('timed', 1_500)).toEqual([{ partition: 0, offset: '4' }])

    await admin.deleteTopicRecords({ topic: 'timed', partitions: [{ partition: 0, offset: '3' }] })
    expect(await admin.fetchTopicOffsets('timed')).toEqual([{ partition: 0, offset: '8', high: '8', low: '3' }])
  })
})

describe('kafkajs idempotent producer', () => {
  beforeAll(() => {
    // Fail loudly rather than test nothing if kafkajs stops honouring the registered plugins.
    expect(typeof CompressionCodecs[CompressionTypes.ZSTD]).toBe('function')
  })

  it.each(CODECS)('produces with %s and reads everything back byte-exact through the protocol', async (codec, type) => {
    const { s, kafka } = await start()
    const topic = `kjs-${codec}`
    const admin = kafka.admin()
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner })
    const cluster = lowLevelCluster(kafka)
    await admin.connect()
    await producer.connect()
    await cluster.connect()
    cleanups.push(() => admin.disconnect(), () => producer.disconnect(), () => cluster.disconnect())
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] })

    // Several sends, each spread over partitions: the broker checks every batch's sequence numbers.
    const sent = new Map<number, Message[]>()
    for (let round = 0; round < 5; round++) {
      const batch = messages(400, `${codec}-${round}`).map((m, i) => ({ ...m, partition: (round + i) % 3 }))
      const results = await producer.send({ topic, acks: -1, compression: type, messages: batch })
      expect(results.every((r) => r.errorCode === 0)).toBe(true)
      for (const m of batch) sent.set(m.partition, [...(sent.get(m.partition) ?? []), m])
    }

    await cluster.addTargetTopic(topic)
    for (let p = 0; p < 3; p++) {
      const want = sent.get(p) ?? []
      const got = await fetchAll(cluster, topic, p)
      expect(got.map((m) => Number(m.offset))).toEqual(want.map((_, i) => i))
      got.forEach((m, i) => {
        const w = want[i]!
        expect(m.key === null ? null : Buffer.from(m.key), `key of ${p}/${i}`).toEqual(w.key === null || w.key === undefined ? null : Buffer.from(w.key))
        expect(m.value === null ? null : Buffer.from(m.value), `value of ${p}/${i}`).toEqual(w.value === null ? null : Buffer.from(w.value as Buffer))
        const headers = Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, Buffer.from(v as Buffer)]))
        expect(headers, `headers of ${p}/${i}`).toEqual(w.headers ?? {})
      })

      // What the broker stored: the producer's batches, compressed as sent, with its producer id and
      // sequence numbers continuing batch to batch.
      const row = s.broker.requireTopic(topic)
      const r = s.broker.read(row, p, 0, 64 << 20)
      if (!r.ok) throw r.error
      let nextSequence = 0
      for (const b of r.value.batches) {
        const h = readBatchHeader(b)
        expect(h.attributes & 0x07).toBe(CODEC_IDS[codec])
        expect(h.producerId).toBeGreaterThanOrEqual(0)
        expect(h.baseSequence).toBe(nextSequence)
        nextSequence += h.recordCount
      }
      expect(nextSequence).toBe(want.length)
    }
  })
})
