import { describe, expect, it } from 'vitest'

import { ApiKey } from '../../src/protocol/api-keys.js'
import { crc32c } from '../../src/protocol/crc32c.js'
import { decodeApiVersionsResponse, encodeApiVersionsRequest } from '../../src/protocol/messages/api-versions.js'
import { decodeFetchResponse, encodeFetchRequest } from '../../src/protocol/messages/fetch.js'
import { decodeListOffsetsResponse, encodeListOffsetsRequest } from '../../src/protocol/messages/list-offsets.js'
import { decodeMetadataResponse, encodeMetadataRequest } from '../../src/protocol/messages/metadata.js'
import { encodeProduceRequest } from '../../src/protocol/messages/produce.js'
import { Reader } from '../../src/protocol/reader.js'
import { serverEachTest, type TestServer } from '../helpers/server.js'
import { batchOf, closedWithin, fetchRecords, frameBytes, produce, produceOutcome, serverResponds } from '../interop/helpers/wire-ops.js'

// Bad input over real sockets. Expected outcomes are Kafka's (protocol.md §1, §4.3, §7 and
// Kafka 3.9's ProduceRequest.validateRecords / ByteBufferLogInputStream / LogValidator): a per-entity
// error code where Kafka answers, a closed connection where Kafka cannot parse the request — and in
// every case the broker keeps serving others and keeps what it acknowledged.

// Kafka error codes (Errors.java), written out rather than taken from the code under test.
const CORRUPT_MESSAGE = 2
const UNKNOWN_TOPIC_OR_PARTITION = 3
const MESSAGE_TOO_LARGE = 10
const INVALID_REQUIRED_ACKS = 21
const UNSUPPORTED_VERSION = 35
const INVALID_RECORD = 87
const TRANSACTIONAL_ID_AUTHORIZATION_FAILED = 53

const { start, open } = serverEachTest()

/** A topic with `count` acknowledged records in partition 0: what must survive whatever follows. */
async function seed(s: TestServer, topic: string, count = 5): Promise<string[]> {
  const created = s.broker.createTopics([{ name: topic, numPartitions: 1, replicationFactor: 1, configs: new Map() }])
  expect(created[0]?.ok).toBe(true)
  const values = Array.from({ length: count }, (_, i) => `acked-${topic}-${i}`)
  const c = await open(s)
  expect(produceOutcome(await produce(c, topic, 0, batchOf(values), { acks: -1 }))).toEqual({ errorCode: 0, baseOffset: 0 })
  c.close()
  return values
}

/** The seeded records are all still there, in order. */
async function expectSeedIntact(s: TestServer, topic: string, values: readonly string[]): Promise<void> {
  const c = await open(s)
  const { errorCode, records } = await fetchRecords(c, topic, 0)
  expect(errorCode).toBe(0)
  expect(records.slice(0, values.length).map((r) => [r.offset, r.value])).toEqual(values.map((v, i) => [i, v]))
  c.close()
}

function flipByte(b: Buffer, at: number): void {
  b.writeUInt8(b.readUInt8(at) ^ 0xff, at)
}

/** A valid Metadata v1 frame's header with a body cut short (an array count with no elements behind it). */
function truncatedMetadataFrame(correlationId: number): Buffer {
  return frameBytes(ApiKey.Metadata, 1, correlationId, (w) => w.int32(5))
}

describe('wrong API versions and unknown APIs', () => {
  // Kafka 4.x's SocketServer refuses any version outside an API's range (the lower bounds KIP-896 raised
  // included, and Produce v0–2 although ApiVersions names Produce from v0) by closing the connection.
  it.each([
    ['Metadata v14 (above it)', ApiKey.Metadata, 14],
    ['Produce v2', ApiKey.Produce, 2],
    ['Produce v0', ApiKey.Produce, 0],
    ['Fetch v3', ApiKey.Fetch, 3],
    ['ListOffsets v0', ApiKey.ListOffsets, 0],
    ['OffsetCommit v1', ApiKey.OffsetCommit, 1],
    ['OffsetFetch v0', ApiKey.OffsetFetch, 0],
    ['CreateTopics v1', ApiKey.CreateTopics, 1],
    ['DeleteTopics v0', ApiKey.DeleteTopics, 0],
    ['DescribeConfigs v0', ApiKey.DescribeConfigs, 0],
    ['InitProducerId v6 (unstable in 4.3)', ApiKey.InitProducerId, 6],
    ['unknown API key 999', 999, 0],
    ['unknown API key -1', -1, 0],
  ])('%s closes the connection; the broker keeps serving', async (_name, apiKey, version) => {
    const s = await start()
    const values = await seed(s, 'kept')
    const c = await open(s)
    c.writeRaw(frameBytes(apiKey, version, 1, (w) => w.int32(0).int32(0).int32(0)))
    expect(await closedWithin(c)).toBe(true)
    expect(await serverResponds(s.port)).toBe(true)
    await expectSeedIntact(s, 'kept', values)
  })

  it("ApiVersions advertises 4.3's ranges: Produce from v0 (KAFKA-18659), the other raised lower bounds as served", async () => {
    const s = await start()
    const c = await open(s)
    const res = await c.request(ApiKey.ApiVersions, 4, (w, v) => encodeApiVersionsRequest(w, v, { clientSoftwareName: 'x', clientSoftwareVersion: '1' }), decodeApiVersionsResponse)
    const range = (apiKey: number) => {
      const k = res.apiKeys.find((x) => x.apiKey === apiKey)
      return k && [k.minVersion, k.maxVersion]
    }
    // Kafka 4.3.1's broker listener (kafka-4/README.md's table).
    expect(range(ApiKey.Produce)).toEqual([0, 13])
    expect(range(ApiKey.Fetch)).toEqual([4, 18])
    expect(range(ApiKey.ListOffsets)).toEqual([1, 11])
    expect(range(ApiKey.Metadata)).toEqual([0, 13])
    expect(range(ApiKey.OffsetCommit)).toEqual([2, 10])
    expect(range(ApiKey.OffsetFetch)).toEqual([1, 10])
    expect(range(ApiKey.FindCoordinator)).toEqual([0, 6])
    expect(range(ApiKey.DescribeGroups)).toEqual([0, 6])
    expect(range(ApiKey.ApiVersions)).toEqual([0, 4])
    expect(range(ApiKey.CreateTopics)).toEqual([2, 7])
    expect(range(ApiKey.DeleteTopics)).toEqual([1, 6])
    expect(range(ApiKey.InitProducerId)).toEqual([0, 5])
    expect(range(ApiKey.DescribeConfigs)).toEqual([1, 4])
    expect(range(ApiKey.DescribeCluster)).toEqual([0, 2])
    expect(range(ApiKey.GetTelemetrySubscriptions)).toEqual([0, 0])
    expect(range(ApiKey.PushTelemetry)).toEqual([0, 0])
    // Features of a 4.3 node: metadata.version from 3.3-IV3 (7) to 4.3-IV0 (30), the others from 0; a directory
    // made without `storage format` is finalized at 4.3-IV0's defaults with a static quorum (kraft.version 0).
    expect(res.supportedFeatures).toEqual([
      { name: 'eligible.leader.replicas.version', minVersion: 0, maxVersion: 1 },
      { name: 'group.version', minVersion: 0, maxVersion: 1 },
      { name: 'kraft.version', minVersion: 0, maxVersion: 1 },
      { name: 'metadata.version', minVersion: 7, maxVersion: 30 },
      { name: 'share.version', minVersion: 0, maxVersion: 1 },
      { name: 'streams.version', minVersion: 0, maxVersion: 1 },
      { name: 'transaction.version', minVersion: 0, maxVersion: 2 },
    ])
    const finalized = Object.fromEntries(res.finalizedFeatures.map((f) => [f.name, [f.minVersionLevel, f.maxVersionLevel]]))
    expect(finalized).toEqual({
      'metadata.version': [30, 30],
      'transaction.version': [2, 2],
      'group.version': [1, 1],
      'eligible.leader.replicas.version': [1, 1],
      'share.version': [1, 1],
      'streams.version': [1, 1],
    })
    // v3 leaves out the features whose supported minimum is 0 (KAFKA-17011).
    const v3 = await c.request(ApiKey.ApiVersions, 3, (w, v) => encodeApiVersionsRequest(w, v, { clientSoftwareName: 'x', clientSoftwareVersion: '1' }), decodeApiVersionsResponse)
    expect(v3.supportedFeatures).toEqual([{ name: 'metadata.version', minVersion: 7, maxVersion: 30 }])
  })

  it('ApiVersions v9 gets a v0 UNSUPPORTED_VERSION answer listing the ApiVersions range, and the connection stays usable', async () => {
    const s = await start()
    const c = await open(s)
    // The body of an unknown version must not be parsed: send bytes no ApiVersions version could decode.
    const frame = await c.send(ApiKey.ApiVersions, 9, (w) => w.raw(Buffer.from([0xff, 0xff, 0xff])))
    const r = new Reader(frame)
    expect(r.int32()).toBe(1) // response header v0: the correlation id only, no tagged fields
    const body = decodeApiVersionsResponse(r, 0)
    expect(r.remaining).toBe(0)
    expect(body.errorCode).toBe(UNSUPPORTED_VERSION)
    expect(body.apiKeys.find((k) => k.apiKey === ApiKey.ApiVersions)).toEqual({ apiKey: 18, minVersion: 0, maxVersion: 4 })

    // What librdkafka does next: retry at the highest version both sides know, on the same connection.
    const retry = await c.request(ApiKey.ApiVersions, 4, (w, v) => encodeApiVersionsRequest(w, v, { clientSoftwareName: 'x', clientSoftwareVersion: '1' }), decodeApiVersionsResponse)
    expect(retry.errorCode).toBe(0)
    expect(retry.apiKeys.some((k) => k.apiKey === ApiKey.Produce)).toBe(true)
  })
})

describe('framing', () => {
  it('a frame over socket.request.max.bytes is refused as soon as its size arrives', async () => {
    const s = await start({ 'socket.request.max.bytes': '4096' })
    const values = await seed(s, 'kept')
    const c = await open(s)
    const size = Buffer.alloc(4)
    size.writeInt32BE(4097)
    c.writeRaw(size) // and nothing else: Kafka does not wait for the body
    expect(await closedWithin(c)).toBe(true)

    // A frame just under the limit is served.
    const ok = await open(s)
    const topics = Array.from({ length: 30 }, (_, i) => ({ name: `t${i}`.padEnd(100, 'x') }))
    const md = await ok.request(ApiKey.Metadata, 1, (w, v) => encodeMetadataRequest(w, v, { topics }), decodeMetadataResponse)
    expect(md.topics).toHaveLength(30)
    await expectSeedIntact(s, 'kept', values)
  })

  it.each([
    ['a negative frame size', Buffer.from([0xff, 0xff, 0xff, 0xfe])],
    ['size -2^31', Buffer.from([0x80, 0x00, 0x00, 0x00])],
    ['an HTTP request (size 0x47455420, over 100 MiB)', Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')],
    ['a zero-length frame', Buffer.from([0, 0, 0, 0])],
    ['a frame shorter than a request header', Buffer.from([0, 0, 0, 3, 0, 18, 0])],
    ['a valid size followed by garbage', Buffer.concat([Buffer.from([0, 0, 0, 16]), Buffer.from('0123456789abcdef')])],
  ])('%s closes the connection; the broker keeps serving', async (_name, bytes) => {
    const s = await start()
    const values = await seed(s, 'kept')
    const c = await open(s)
    c.writeRaw(bytes)
    expect(await closedWithin(c)).toBe(true)
    expect(await serverResponds(s.port)).toBe(true)
    await expectSeedIntact(s, 'kept', values)
  })

  it('a request whose body is truncated inside its frame closes the connection', async () => {
    const s = await start()
    const c = await open(s)
    c.writeRaw(truncatedMetadataFrame(1))
    expect(await closedWithin(c)).toBe(true)
    expect(await serverResponds(s.port)).toBe(true)
  })

  it('pipelined requests of several APIs are answered in order', async () => {
    const s = await start({ 'num.partitions': '2' })
    const c = await open(s)
    const pending: Promise<unknown>[] = []
    // Written back to back without waiting; RawConnection rejects any answer out of correlation-id order.
    for (let i = 0; i < 10; i++) {
      pending.push(c.request(ApiKey.ApiVersions, i % 4, (w, v) => encodeApiVersionsRequest(w, v, { clientSoftwareName: 'p', clientSoftwareVersion: '1' }), decodeApiVersionsResponse))
      pending.push(c.request(ApiKey.Metadata, 4, (w, v) => encodeMetadataRequest(w, v, { topics: [{ name: 'piped' }], allowAutoTopicCreation: true }), decodeMetadataResponse))
      pending.push(produce(c, 'piped', i % 2, batchOf([`p${i}`]), { acks: 1 }))
      pending.push(
        c.request(
          ApiKey.ListOffsets,
          1,
          (w, v) => encodeListOffsetsRequest(w, v, { replicaId: -1, topics: [{ name: 'piped', partitions: [{ partitionIndex: i % 2, timestamp: -1 }] }] }),
          decodeListOffsetsResponse,
        ),
      )
    }
    const results = await Promise.all(pending)
    // Each ListOffsets(latest) sees the produce just before it and nothing after it.
    for (let i = 0; i < 10; i++) {
      const produced = produceOutcome(results[i * 4 + 2] as Awaited<ReturnType<typeof produce>>)
      expect(produced).toEqual({ errorCode: 0, baseOffset: Math.floor(i / 2) })
      const latest = (results[i * 4 + 3] as Awaited<ReturnType<typeof decodeListOffsetsResponse>>).topics[0]?.partitions[0]
      expect(latest?.offset).toBe(Math.floor(i / 2) + 1)
    }
  })
})

describe('produce validation', () => {
  it('a batch with a bad CRC is refused with CORRUPT_MESSAGE and not stored', async () => {
    const s = await start()
    const values = await seed(s, 'crc')
    const c = await open(s)
    const batch = batchOf(['will be corrupted'])
    flipByte(batch, batch.length - 3) // inside the last record: covered by the CRC-32C
    expect(produceOutcome(await produce(c, 'crc', 0, batch)).errorCode).toBe(CORRUPT_MESSAGE)
    const { records, highWatermark } = await fetchRecords(c, 'crc', 0)
    expect(highWatermark).toBe(values.length)
    expect(records.map((r) => r.value)).toEqual(values)
  })

  // Kafka: magic 0/1 in Produce ≥ v3 → InvalidRecordException (ProduceRequest.validateRecords) = INVALID_RECORD;
  // a magic above 2 (or negative) fails ByteBufferLogInputStream.nextBatchSize with CorruptRecordException.
  it.each([
    [0, INVALID_RECORD],
    [1, INVALID_RECORD],
    [3, CORRUPT_MESSAGE],
    [-1, CORRUPT_MESSAGE],
  ])('a batch with magic %i gets error %i', async (magic, code) => {
    const s = await start()
    const values = await seed(s, 'magic')
    const c = await open(s)
    const batch = batchOf(['x'])
    batch.writeInt8(magic, 16) // before the CRC-covered range, so only the magic is wrong
    expect(produceOutcome(await produce(c, 'magic', 0, batch)).errorCode).toBe(code)
    expect((await fetchRecords(c, 'magic', 0)).highWatermark).toBe(values.length)
  })

  // Attribute bits a client may not set, or that name no codec; the CRC is rewritten so only the bits are wrong.
  it.each([
    ['a control batch', 0x20, INVALID_RECORD, 'Clients are not allowed to write control records in topic partition attrs-0'],
    // Kafka's KafkaApis: transactional records without a transactional id fail its authorization.
    ['a transactional batch without a transactional id', 0x10, TRANSACTIONAL_ID_AUTHORIZATION_FAILED, 'Transactional Id authorization failed.'],
    ['compression codec id 5', 0x05, CORRUPT_MESSAGE, 'unknown compression codec id 5'],
  ])('%s is refused and not stored', async (_what, bits, code, message) => {
    const s = await start()
    const values = await seed(s, 'attrs')
    const c = await open(s)
    const batch = batchOf(['x'])
    batch.writeInt16BE(batch.readInt16BE(21) | bits, 21)
    batch.writeUInt32BE(crc32c(batch, 21), 17)
    // Produce v8 is the first with a per-partition error message.
    const answer = (await produce(c, 'attrs', 0, batch, { version: 8 })).responses[0]?.partitionResponses[0]
    expect(answer).toMatchObject({ errorCode: code, errorMessage: message })
    expect((await fetchRecords(c, 'attrs', 0)).highWatermark).toBe(values.length)
  })

  it('a batch whose length runs past the records bytes gets INVALID_RECORD (Kafka sees no complete batch)', async () => {
    const s = await start()
    await seed(s, 'short')
    const c = await open(s)
    const batch = batchOf(['abcdefghij', 'klmnopqrst'])
    expect(produceOutcome(await produce(c, 'short', 0, batch.subarray(0, batch.length - 5))).errorCode).toBe(INVALID_RECORD)
  })

  it('a record batch over max.message.bytes gets MESSAGE_TOO_LARGE; one under it is stored', async () => {
    const s = await start({ 'message.max.bytes': '2000' })
    const values = await seed(s, 'big')
    const c = await open(s)
    expect(produceOutcome(await produce(c, 'big', 0, batchOf([Buffer.alloc(2100, 0x61)]))).errorCode).toBe(MESSAGE_TOO_LARGE)
    expect(produceOutcome(await produce(c, 'big', 0, batchOf([Buffer.alloc(1800, 0x62)]))).errorCode).toBe(0)
    const { records } = await fetchRecords(c, 'big', 0)
    expect(records.map((r) => r.value?.length)).toEqual([...values.map((v) => v.length), 1800])
  })

  it('acks=5 gets INVALID_REQUIRED_ACKS and stores nothing', async () => {
    const s = await start()
    const values = await seed(s, 'acks')
    const c = await open(s)
    expect(produceOutcome(await produce(c, 'acks', 0, batchOf(['nope']), { acks: 5 })).errorCode).toBe(INVALID_REQUIRED_ACKS)
    expect((await fetchRecords(c, 'acks', 0)).highWatermark).toBe(values.length)
  })

  it('acks=0 gets no response, yet the record is stored and the next request is answered', async () => {
    const s = await start()
    await seed(s, 'fire', 1)
    const c = await open(s)
    // Written raw: RawConnection would otherwise wait for an answer that must not come. If the broker did
    // answer, that frame would be taken as the reply to the ApiVersions below and fail its correlation check.
    c.writeRaw(
      frameBytes(ApiKey.Produce, 7, 999, (w) =>
        encodeProduceRequest(w, 7, { acks: 0, timeoutMs: 5000, topicData: [{ name: 'fire', partitionData: [{ index: 0, records: batchOf(['forgotten']) }] }] }),
      ),
    )
    const versions = await c.request(ApiKey.ApiVersions, 0, (w, v) => encodeApiVersionsRequest(w, v, {}), decodeApiVersionsResponse)
    expect(versions.errorCode).toBe(0)
    const { records } = await fetchRecords(c, 'fire', 0)
    expect(records.map((r) => r.value)).toEqual(['acked-fire-0', 'forgotten'])
  })

  it('an acks=0 produce that fails closes the connection so the client notices', async () => {
    const s = await start()
    await seed(s, 'fire0', 1)
    const c = await open(s)
    const batch = batchOf(['corrupt'])
    flipByte(batch, batch.length - 2)
    c.writeRaw(
      frameBytes(ApiKey.Produce, 7, 5, (w) => encodeProduceRequest(w, 7, { acks: 0, timeoutMs: 5000, topicData: [{ name: 'fire0', partitionData: [{ index: 0, records: batch }] }] })),
    )
    expect(await closedWithin(c)).toBe(true)
    expect(await serverResponds(s.port)).toBe(true)
  })
})

describe('unknown topics and partitions', () => {
  it('with auto.create.topics.enable=false, Produce and Metadata answer UNKNOWN_TOPIC_OR_PARTITION and create nothing', async () => {
    const s = await start({ 'auto.create.topics.enable': 'false' })
    const c = await open(s)
    for (const version of [1, 4, 9]) {
      const md = await c.request(ApiKey.Metadata, version, (w, v) => encodeMetadataRequest(w, v, { topics: [{ name: 'ghost' }], allowAutoTopicCreation: true }), decodeMetadataResponse)
      expect(md.topics.map((t) => [t.name, t.errorCode]), `Metadata v${version}`).toEqual([['ghost', UNKNOWN_TOPIC_OR_PARTITION]])
    }
    expect(produceOutcome(await produce(c, 'ghost', 0, batchOf(['x']))).errorCode).toBe(UNKNOWN_TOPIC_OR_PARTITION)
    expect(s.broker.findTopic('ghost')).toBeUndefined()
  })

  it('Produce does not auto-create even when auto-creation is on (only Metadata does)', async () => {
    const s = await start()
    const c = await open(s)
    expect(produceOutcome(await produce(c, 'not-yet', 0, batchOf(['x']))).errorCode).toBe(UNKNOWN_TOPIC_OR_PARTITION)
  })

  it.each([1, 7, -1])('partition %i of a one-partition topic is UNKNOWN_TOPIC_OR_PARTITION for Produce, Fetch and ListOffsets', async (partition) => {
    const s = await start()
    const values = await seed(s, 'one')
    const c = await open(s)
    expect(produceOutcome(await produce(c, 'one', partition, batchOf(['x']))).errorCode).toBe(UNKNOWN_TOPIC_OR_PARTITION)
    const fetched = await c.request(
      ApiKey.Fetch,
      11,
      (w, v) => encodeFetchRequest(w, v, { maxWaitMs: 0, minBytes: 0, topics: [{ topic: 'one', partitions: [{ partition, fetchOffset: 0, partitionMaxBytes: 1024 }] }] }),
      decodeFetchResponse,
    )
    expect(fetched.responses[0]?.partitions[0]?.errorCode).toBe(UNKNOWN_TOPIC_OR_PARTITION)
    const listed = await c.request(
      ApiKey.ListOffsets,
      1,
      (w, v) => encodeListOffsetsRequest(w, v, { replicaId: -1, topics: [{ name: 'one', partitions: [{ partitionIndex: partition, timestamp: -1 }] }] }),
      decodeListOffsetsResponse,
    )
    expect(listed.topics[0]?.partitions[0]?.errorCode).toBe(UNKNOWN_TOPIC_OR_PARTITION)
    await expectSeedIntact(s, 'one', values)
  })
})

describe('clients that disconnect', () => {
  it('a client that disconnects mid-frame does not disturb others, and acknowledged writes stay', async () => {
    const s = await start()
    const values = await seed(s, 'mid')
    const quitter = await open(s)
    const frame = frameBytes(ApiKey.Produce, 7, 1, (w) =>
      encodeProduceRequest(w, 7, { acks: -1, timeoutMs: 5000, topicData: [{ name: 'mid', partitionData: [{ index: 0, records: batchOf(['half']) }] }] }),
    )
    quitter.writeRaw(frame.subarray(0, Math.floor(frame.length / 2)))
    const other = await open(s)
    expect(produceOutcome(await produce(other, 'mid', 0, batchOf(['after'])))).toEqual({ errorCode: 0, baseOffset: values.length })
    quitter.close()
    expect(await serverResponds(s.port)).toBe(true)
    const { records } = await fetchRecords(other, 'mid', 0)
    expect(records.map((r) => r.value)).toEqual([...values, 'after'])
  })

  it('clients that send whole produce requests and hang up before the answer leave the broker consistent', async () => {
    const s = await start()
    const values = await seed(s, 'gone')
    for (let i = 0; i < 20; i++) {
      const c = await open(s)
      c.writeRaw(
        frameBytes(ApiKey.Produce, 7, 1, (w) =>
          encodeProduceRequest(w, 7, { acks: -1, timeoutMs: 5000, topicData: [{ name: 'gone', partitionData: [{ index: 0, records: batchOf([`unacked-${i}`]) }] }] }),
        ),
      )
      c.close()
    }
    expect(await serverResponds(s.port)).toBe(true)
    const c = await open(s)
    const { records } = await fetchRecords(c, 'gone', 0)
    // Unanswered writes may or may not have landed; acknowledged ones must, and offsets stay dense.
    expect(records.slice(0, values.length).map((r) => r.value)).toEqual(values)
    expect(records.map((r) => r.offset)).toEqual(records.map((_, i) => i))
    expect(records.slice(values.length).every((r) => /^unacked-\d+$/.test(r.value ?? ''))).toBe(true)
  })
})
