import { afterEach, beforeAll, describe, expect, it } from 'vitest'

import { CODEC_IDS, type CompressionCodec } from '../../src/protocol/compression.js'
import { readBatchHeader } from '../../src/protocol/record-batch.js'
import { startTestServer, type TestServer } from '../helpers/server.js'
import { assertTool, prng, pythonModuleStatus, runPython, skipWithoutTool } from './helpers/tools.js'

// kafka-python 2.0 and confluent-kafka (librdkafka) against the broker: admin, producer with
// acks=all (idempotent for confluent), consumer with manual assignment reading everything back.

const kafkaPython = pythonModuleStatus('kafka', 'python3-kafka')
const confluent = pythonModuleStatus('confluent_kafka', 'python3-confluent-kafka')

interface TestMessage {
  key: string | null
  value: string | null
  partition: number | null
}

interface RoundTrip {
  partitions: number[]
  produced: ([number, number] | null)[]
  consumed: { partition: number; offset: number; key: string | null; value: string | null }[]
  errors?: string[]
  undelivered?: number
}

const PARTITIONS = 3

/**
 * Messages with every shape a client must carry unchanged: binary keys and values, null keys, empty and
 * null values (a null value needs a key), some sent to an explicit partition and some left to the partitioner.
 */
function testMessages(count: number, seed: number): TestMessage[] {
  const rand = prng(seed)
  // Sixteen byte values (NUL, 0xff, invalid UTF-8, …) keep the data binary yet compressible: librdkafka sends a
  // batch uncompressed when compressing does not shrink it, which would leave the codec path untested.
  const alphabet = [0x00, 0x01, 0x0a, 0x0d, 0x20, 0x22, 0x2c, 0x30, 0x41, 0x5c, 0x61, 0x7f, 0x80, 0xc3, 0xa9, 0xff]
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => alphabet[Math.floor(rand() * alphabet.length)]!)).toString('hex')
  const out: TestMessage[] = []
  for (let i = 0; i < count; i++) {
    const shape = i % 10
    const key = shape === 1 ? null : shape === 2 ? '' : `${Buffer.from(`k${i % 97}`).toString('hex')}${bytes(Math.floor(rand() * 4))}`
    const value = shape === 3 ? '' : shape === 4 && key !== null ? null : `${Buffer.from(`m${i}:`).toString('hex')}${bytes(Math.floor(rand() * 300))}`
    const partition = shape === 5 || shape === 6 ? Math.floor(rand() * PARTITIONS) : null
    out.push({ key, value, partition })
  }
  return out
}

/** Every produced message was acknowledged at a distinct offset and read back byte-exact from exactly there. */
function roundTripProblems(sent: readonly TestMessage[], result: RoundTrip): string[] {
  const problems: string[] = []
  const add = (p: string) => {
    if (problems.length < 20) problems.push(p)
  }
  if (result.errors && result.errors.length > 0) add(`client errors: ${result.errors.slice(0, 5).join('; ')}`)
  if (result.undelivered) add(`${result.undelivered} messages undelivered`)
  if (result.consumed.length !== sent.length) add(`consumed ${result.consumed.length}, sent ${sent.length}`)
  const byPosition = new Map(result.consumed.map((m) => [`${m.partition}/${m.offset}`, m]))
  const lastOffset = new Map<number, number>()
  sent.forEach((m, i) => {
    const at = result.produced[i]
    if (!at) return add(`message ${i} has no delivery report`)
    const [partition, offset] = at
    if (m.partition !== null && partition !== m.partition) add(`message ${i} asked for partition ${m.partition}, went to ${partition}`)
    // acks=all with at most in-order retries: a partition's offsets follow the send order.
    if (offset <= (lastOffset.get(partition) ?? -1)) add(`message ${i} at ${partition}/${offset} is not after the previous one`)
    lastOffset.set(partition, offset)
    const got = byPosition.get(`${partition}/${offset}`)
    if (!got) return add(`message ${i} (${partition}/${offset}) not consumed`)
    if (got.key !== m.key) add(`message ${i}: key ${got.key} != ${m.key}`)
    if (got.value !== m.value) add(`message ${i}: value differs (${got.value?.slice(0, 20)} vs ${m.value?.slice(0, 20)})`)
  })
  for (const p of result.partitions) {
    const offsets = result.consumed.filter((m) => m.partition === p).map((m) => m.offset)
    if (!offsets.every((o, i) => o === i)) add(`partition ${p}: consumed offsets are not 0…${offsets.length - 1} in order`)
  }
  return problems
}

/** Compression codec ids of every stored batch of a topic. */
function storedCodecs(s: TestServer, topic: string): Set<number> {
  const row = s.broker.requireTopic(topic)
  const ids = new Set<number>()
  for (let p = 0; p < row.partitionCount; p++) {
    const r = s.broker.read(row, p, 0, 256 << 20)
    if (!r.ok) throw r.error
    for (const b of r.value.batches) ids.add(readBatchHeader(b).attributes & 0x07)
  }
  return ids
}

function parseJson<T>(r: { code: number | null; stdout: Buffer; stderr: string }): T {
  expect(r.code, r.stderr).toBe(0)
  return JSON.parse(r.stdout.toString('utf8')) as T
}

let server: TestServer | undefined
afterEach(async () => {
  await server?.stop()
  server = undefined
})

async function start(): Promise<TestServer> {
  server = await startTestServer({ props: { 'num.partitions': String(PARTITIONS) } })
  return server
}

describe.skipIf(skipWithoutTool(kafkaPython))('kafka-python', () => {
  beforeAll(() => assertTool(kafkaPython))

  it('admin creates, lists, grows and deletes a topic', async () => {
    const s = await start()
    const out = parseJson<Record<string, unknown>>(await runPython('kafka_python_client.py', ['admin', s.bootstrap, 'py-admin', '2']))
    expect(out).toEqual({
      listedAfterCreate: ['py-admin'],
      describedPartitions: [0, 1],
      createAgain: 'TopicAlreadyExistsError',
      partitionsAfterIncrease: 4,
      listedAfterDelete: [],
    })
    expect(s.broker.findTopic('py-admin')).toBeUndefined()
  })

  it.each(['none', 'gzip'] as const)('acks=all producer (%s) then an assign()ed consumer reads everything back byte-exact', async (codec) => {
    const s = await start()
    const topic = `py-${codec}`
    const sent = testMessages(3000, 11)
    const result = parseJson<RoundTrip>(await runPython('kafka_python_client.py', ['roundtrip', s.bootstrap, topic, codec], { input: JSON.stringify(sent) }))
    expect(result.partitions).toEqual([0, 1, 2])
    expect(roundTripProblems(sent, result)).toEqual([])
    expect([...storedCodecs(s, topic)]).toContain(CODEC_IDS[codec])
  })
})

describe.skipIf(skipWithoutTool(confluent))('confluent-kafka (librdkafka)', () => {
  beforeAll(() => assertTool(confluent))

  it('AdminClient creates, lists, grows and deletes a topic, with Kafka error codes for the failures', async () => {
    const s = await start()
    const out = parseJson<Record<string, unknown>>(await runPython('confluent_client.py', ['admin', s.bootstrap, 'ck-admin', '2']))
    expect(out).toEqual({
      create: 'ok',
      listedAfterCreate: ['ck-admin'],
      partitionsAfterCreate: 2,
      createAgain: 'TOPIC_ALREADY_EXISTS',
      createPartitions: 'ok',
      partitionsAfterIncrease: 4,
      delete: 'ok',
      listedAfterDelete: [],
      deleteMissing: 'UNKNOWN_TOPIC_OR_PART',
    })
  })

  const cases: [CompressionCodec, boolean][] = [
    ['none', false],
    ['gzip', true],
    ['snappy', true],
    ['lz4', true],
    ['zstd', true],
  ]
  it.each(cases)('acks=all producer (%s, idempotent=%s) then an assign()ed consumer reads everything back byte-exact', async (codec, idempotent) => {
    const s = await start()
    const topic = `ck-${codec}`
    const sent = testMessages(3000, 23)
    const result = parseJson<RoundTrip>(
      await runPython('confluent_client.py', ['roundtrip', s.bootstrap, topic, codec, idempotent ? '1' : '0'], { input: JSON.stringify(sent) }),
    )
    expect(result.partitions).toEqual([0, 1, 2])
    expect(roundTripProblems(sent, result)).toEqual([])
    // librdkafka sends a batch uncompressed when compressing does not shrink it; the codec must still show up.
    // librdkafka ≤ 2.11 drops gzip/snappy/lz4 unless the broker advertises Produce v0 (see kcat.test.ts).
    const codecs = storedCodecs(s, topic)
    expect([...codecs], 'librdkafka sent no batch with this codec').toContain(CODEC_IDS[codec])
    if (idempotent) {
      const row = s.broker.requireTopic(topic)
      const r = s.broker.read(row, 0, 0, 256 << 20)
      if (!r.ok) throw r.error
      for (const b of r.value.batches) expect(readBatchHeader(b).producerId).toBeGreaterThanOrEqual(0)
    }
  })
})
