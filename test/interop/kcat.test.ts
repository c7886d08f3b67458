import { afterEach, beforeAll, describe, expect, it } from 'vitest'

import { readBatchHeader } from '../../src/protocol/record-batch.js'
import { RecordBatchBuilder } from '../../src/protocol/record-batch-builder.js'
import type { CompressionCodec } from '../../src/protocol/compression.js'
import { CODEC_IDS } from '../../src/protocol/compression.js'
import { startTestServer, type TestServer } from '../helpers/server.js'
import { KCAT_CONSUME_FORMAT, kcatInput, keyedMessages, parseKcatOutput, roundTripProblems, type KeyedMessage } from './helpers/keyed-messages.js'
import { assertTool, kcatStatus, run, skipWithoutTool } from './helpers/tools.js'
import { RawConnection } from '../helpers/raw-client.js'
import { ApiKey } from '../../src/protocol/api-keys.js'
import { decodeMetadataResponse, encodeMetadataRequest } from '../../src/protocol/messages/metadata.js'
import { decodeProduceResponse, encodeProduceRequest } from '../../src/protocol/messages/produce.js'

// kcat (librdkafka 2.0.x) against the broker: metadata, produce with every codec, consume back
// byte-exact, offsets by timestamp, idempotent produce.

const kcat = kcatStatus()

/**
 * librdkafka ≤ 2.11 keeps gzip/snappy/lz4 only if rd_kafka_broker_ApiVersion_supported(Produce, 0, 0) — i.e. the
 * broker advertises Produce v0 — and lz4 also needs FindCoordinator v0 (its FEATURE_LZ4); zstd needs Produce 7
 * and Fetch 10. Otherwise it logs "Broker does not support compression type" and sends the batch uncompressed.
 */
const LIBRDKAFKA_CODEC_GATE = 'librdkafka sent no batch with this codec: see its compression feature gate (kcat.test.ts)'
const MESSAGES = 100_000
const CODECS: readonly CompressionCodec[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd']

let server: TestServer | undefined
afterEach(async () => {
  await server?.stop()
  server = undefined
})

async function start(props: Record<string, string> = {}): Promise<TestServer> {
  server = await startTestServer({ props })
  return server
}

function kcatRun(args: readonly string[], input?: Buffer) {
  return run('kcat', args, { input, timeoutMs: 120_000 })
}

/** Every record batch stored for a topic, for checks on what the broker kept. */
function storedBatches(s: TestServer, topic: string): Buffer[] {
  const row = s.broker.requireTopic(topic)
  const out: Buffer[] = []
  for (let p = 0; p < row.partitionCount; p++) {
    let offset = 0
    for (;;) {
      const r = s.broker.read(row, p, offset, 64 << 20)
      if (!r.ok) throw r.error
      const last = r.value.batches.at(-1)
      if (!last) break
      out.push(...r.value.batches)
      const h = readBatchHeader(last)
      offset = h.baseOffset + h.lastOffsetDelta + 1
      if (offset >= r.value.highWatermark) break
    }
  }
  return out
}

describe.skipIf(skipWithoutTool(kcat))('kcat (librdkafka)', () => {
  let messages: KeyedMessage[]
  let input: Buffer
  beforeAll(() => {
    assertTool(kcat)
    messages = keyedMessages(MESSAGES, { seed: 7 })
    input = kcatInput(messages)
  })

  it('-L lists the broker and topics with their partitions', async () => {
    const s = await start()
    const created = s.broker.createTopics([
      { name: 'orders', numPartitions: 3, replicationFactor: 1, configs: new Map() },
      { name: 'audit.log', numPartitions: 1, replicationFactor: 1, configs: new Map() },
    ])
    expect(created.every((c) => c.ok)).toBe(true)
    const r = await kcatRun(['-L', '-J', '-b', s.bootstrap])
    expect(r.code, r.stderr).toBe(0)
    const md = JSON.parse(r.stdout.toString('utf8')) as {
      controllerid: number
      brokers: { id: number; name: string }[]
      topics: { topic: string; partitions: { partition: number; leader: number; replicas: { id: number }[]; isrs: { id: number }[] }[] }[]
    }
    expect(md.brokers).toEqual([{ id: 1, name: `127.0.0.1:${s.port}` }])
    expect(md.controllerid).toBe(1)
    const byName = new Map(md.topics.map((t) => [t.topic, t]))
    expect([...byName.keys()].sort()).toEqual(['audit.log', 'orders'])
    expect(byName.get('orders')?.partitions.map((p) => p.partition).sort()).toEqual([0, 1, 2])
    for (const t of md.topics) {
      for (const p of t.partitions) {
        expect(p.leader).toBe(1)
        expect(p.replicas).toEqual([{ id: 1 }])
        expect(p.isrs).toEqual([{ id: 1 }])
      }
    }

    // The plain-text form names the broker as the controller, and one topic can be asked for.
    const text = await kcatRun(['-L', '-b', s.bootstrap, '-t', 'orders'])
    expect(text.code, text.stderr).toBe(0)
    const out = text.stdout.toString('utf8')
    expect(out).toContain(`broker 1 at 127.0.0.1:${s.port} (controller)`)
    expect(out).toContain('topic "orders" with 3 partitions:')
    expect(out).not.toContain('audit.log')
  })

  it.each(CODECS)('-P of 100 000 keyed messages with -z %s, then -C -e reads all back byte-exact', async (codec) => {
    const s = await start({ 'num.partitions': '3' })
    const topic = `kcat-${codec}`
    const produced = await kcatRun(['-P', '-b', s.bootstrap, '-t', topic, '-K', '\t', '-z', codec, '-X', 'acks=all'], input)
    expect(produced.code, produced.stderr).toBe(0)
    expect(produced.stderr).not.toMatch(/fail|error/i)

    const consumed = await kcatRun(['-C', '-b', s.bootstrap, '-t', topic, '-e', '-q', '-o', 'beginning', '-f', KCAT_CONSUME_FORMAT])
    expect(consumed.code, consumed.stderr).toBe(0)
    expect(roundTripProblems(messages, parseKcatOutput(consumed.stdout))).toEqual([])

    // The broker kept the producer's batches as they were sent: several records each, compressed with the
    // codec asked for (librdkafka sends a batch uncompressed when compressing would not shrink it).
    const batches = storedBatches(s, topic)
    expect(batches.length).toBeGreaterThan(0)
    expect(batches.length).toBeLessThan(MESSAGES / 10)
    const codecs = new Set(batches.map((b) => readBatchHeader(b).attributes & 0x07))
    expect([...codecs], LIBRDKAFKA_CODEC_GATE).toContain(CODEC_IDS[codec])
    expect([...codecs].every((id) => id === CODEC_IDS[codec] || id === 0)).toBe(true)
  })

  it('-Q finds offsets by timestamp (and -2/-1 as earliest/latest)', async () => {
    const s = await start()
    const topic = 'timed'
    // Two batches with known CreateTime timestamps, produced over the wire: offsets 0–9 at 1000…1009 and
    // 10–19 at 2000…2009.
    const builder = new RecordBatchBuilder()
    const c = await RawConnection.open(s.port)
    try {
      await c.request(ApiKey.Metadata, 4, (w, v) => encodeMetadataRequest(w, v, { topics: [{ name: topic }], allowAutoTopicCreation: true }), decodeMetadataResponse)
      for (const base of [1000, 2000]) {
        for (let i = 0; i < 10; i++) builder.append(base + i, Buffer.from(`k${i}`), Buffer.from(`v${base + i}`))
        const records = builder.build()
        const res = await c.request(
          ApiKey.Produce,
          7,
          (w, v) => encodeProduceRequest(w, v, { acks: -1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }] }),
          decodeProduceResponse,
        )
        expect(res.responses[0]?.partitionResponses[0]?.errorCode).toBe(0)
      }
    } finally {
      c.close()
    }
    const cases: [number, number][] = [
      [0, 0],
      [1000, 0],
      [1005, 5],
      [1009, 9],
      [1010, 10],
      [1500, 10],
      [2009, 19],
      [-2, 0],
      [-1, 20],
    ]
    // One query per run: kcat keeps only the last -t for a given topic:partition.
    for (const [ts, want] of cases) {
      const r = await kcatRun(['-Q', '-b', s.bootstrap, '-t', `${topic}:0:${ts}`])
      expect(r.code, r.stderr).toBe(0)
      expect(r.stdout.toString('utf8').trim(), `timestamp ${ts}`).toBe(`${topic} [0] offset ${want}`)
    }

    // Past the last timestamp there is no such offset: Kafka answers -1.
    const none = await kcatRun(['-Q', '-b', s.bootstrap, '-t', `${topic}:0:3000`])
    expect(none.code, none.stderr).toBe(0)
    expect(none.stdout.toString('utf8').trim()).toBe(`${topic} [0] offset -1`)
  })

  it('-X enable.idempotence=true produces through InitProducerId with sequence-numbered batches', async () => {
    const s = await start({ 'num.partitions': '2' })
    const topic = 'idempotent'
    const sent = messages.slice(0, 20_000)
    const produced = await kcatRun(['-P', '-b', s.bootstrap, '-t', topic, '-K', '\t', '-z', 'lz4', '-X', 'enable.idempotence=true'], kcatInput(sent))
    expect(produced.code, produced.stderr).toBe(0)
    expect(produced.stderr).not.toMatch(/fatal|fail|error/i)

    const consumed = await kcatRun(['-C', '-b', s.bootstrap, '-t', topic, '-e', '-q', '-f', KCAT_CONSUME_FORMAT])
    expect(consumed.code, consumed.stderr).toBe(0)
    expect(roundTripProblems(sent, parseKcatOutput(consumed.stdout))).toEqual([])

    // Every stored batch carries the producer id the broker handed out, and per partition the
    // sequence numbers continue exactly where the previous batch stopped.
    const row = s.broker.requireTopic(topic)
    for (let p = 0; p < row.partitionCount; p++) {
      const r = s.broker.read(row, p, 0, 64 << 20)
      if (!r.ok) throw r.error
      let nextSequence = 0
      for (const b of r.value.batches) {
        const h = readBatchHeader(b)
        expect(h.producerId).toBeGreaterThanOrEqual(0)
        expect(h.baseSequence).toBe(nextSequence)
        nextSequence += h.recordCount
      }
    }
  })
})
