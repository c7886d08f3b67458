import { randomBytes } from 'node:crypto'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { ApiKey } from '../../src/protocol/api-keys.js'
import { decodeApiVersionsResponse, encodeApiVersionsRequest } from '../../src/protocol/messages/api-versions.js'
import { decodeFetchResponse, encodeFetchRequest, type FetchRequestInput, type FetchResponse } from '../../src/protocol/messages/fetch.js'
import { RawConnection } from '../helpers/raw-client.js'
import { startTestServer, type TestServer } from '../helpers/server.js'
import { batchOf, produce, produceOutcome } from '../interop/helpers/wire-ops.js'

// Fetch v12–17 over the wire: flexible encoding (v12+), topics named by id (v13+), Kafka's answers to
// fetch-session requests from a broker that keeps no sessions (max.incremental.fetch.session.cache.slots=0,
// Kafka's FetchManager.newContext), and replica_state (v15+) ignored.

const OFFSET_OUT_OF_RANGE = 1
const UNKNOWN_TOPIC_OR_PARTITION = 3
const FETCH_SESSION_ID_NOT_FOUND = 70
const UNKNOWN_TOPIC_ID = 100

let server: TestServer
let conn: RawConnection
let topicId: Buffer
/** What partition 0 of "fv" must serve: the produced batches with the two fields a leader stamps. */
let stored: Buffer

/** The batch as Kafka's leader stores it: base offset assigned, partition leader epoch = its epoch (0). */
function asStored(sent: Buffer, baseOffset: number): Buffer {
  const b = Buffer.from(sent)
  b.writeBigInt64BE(BigInt(baseOffset), 0)
  b.writeInt32BE(0, 12)
  return b
}

beforeEach(async () => {
  server = await startTestServer()
  const [created] = server.broker.createTopics([{ name: 'fv', numPartitions: 2, replicationFactor: -1, configs: new Map() }])
  expect(created?.ok).toBe(true)
  topicId = server.broker.requireTopic('fv').uuid
  conn = await RawConnection.open(server.port)
  const sent = [batchOf(['a', 'bb', 'ccc'], 1_700_000_000_000), batchOf([Buffer.from([0, 0xff, 0x80]), ''], 1_700_000_000_001)]
  const parts: Buffer[] = []
  for (const b of sent) {
    const out = produceOutcome(await produce(conn, 'fv', 0, b))
    expect(out.errorCode).toBe(0)
    parts.push(asStored(b, out.baseOffset))
  }
  expect(parts.map((p) => p.readBigInt64BE(0))).toEqual([0n, 3n])
  stored = Buffer.concat(parts)
})

afterEach(async () => {
  conn.close()
  await server.stop()
})

function fetch(version: number, req: FetchRequestInput): Promise<FetchResponse> {
  return conn.request(ApiKey.Fetch, version, (w, v) => encodeFetchRequest(w, v, req), decodeFetchResponse)
}

/** A full, sessionless fetch of partitions of "fv" from `offset`, named the way `version` names topics. */
function fetchFv(version: number, partitions: number[], offset = 0, extra: Partial<FetchRequestInput> = {}): Promise<FetchResponse> {
  const topic = version >= 13 ? { topicId } : { topic: 'fv' }
  return fetch(version, {
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    ...extra,
    topics: [{ ...topic, partitions: partitions.map((partition) => ({ partition, fetchOffset: offset, partitionMaxBytes: 1 << 20 })) }],
  })
}

describe('Fetch v12–17', () => {
  it('ApiVersions advertises Fetch 4–18', async () => {
    const res = await conn.request(
      ApiKey.ApiVersions,
      3,
      (w, v) => encodeApiVersionsRequest(w, v, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' }),
      decodeApiVersionsResponse,
    )
    const fetchRange = res.apiKeys.find((k) => k.apiKey === ApiKey.Fetch)
    expect(fetchRange && [fetchRange.minVersion, fetchRange.maxVersion]).toEqual([4, 18])
  })

  it('v12 (flexible, topics by name) returns the produced batches byte for byte', async () => {
    const res = await fetchFv(12, [0, 1])
    expect(res.errorCode).toBe(0)
    expect(res.sessionId).toBe(0)
    expect(res.responses).toHaveLength(1)
    const t = res.responses[0]!
    expect(t.topic).toBe('fv')
    const [p0, p1] = t.partitions
    expect(p0).toMatchObject({ partitionIndex: 0, errorCode: 0, highWatermark: 5, lastStableOffset: 5, logStartOffset: 0, preferredReadReplica: -1 })
    expect(p0!.records).toEqual(stored)
    expect(p1).toMatchObject({ partitionIndex: 1, errorCode: 0, highWatermark: 0 })
    expect(p1!.records?.length).toBe(0)
  })

  it('v12 answers an unknown topic name with UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const res = await fetch(12, { maxWaitMs: 0, minBytes: 0, topics: [{ topic: 'nope', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1024 }] }] })
    expect(res.responses[0]?.topic).toBe('nope')
    expect(res.responses[0]?.partitions[0]).toMatchObject({ errorCode: UNKNOWN_TOPIC_OR_PARTITION, highWatermark: -1 })
  })

  it.each([13, 14, 15, 16, 17])('v%i looks topics up by id and answers with the id, not the name', async (version) => {
    const res = await fetchFv(version, [0, 1], 3)
    expect(res.errorCode).toBe(0)
    expect(res.sessionId).toBe(0)
    const t = res.responses[0]!
    expect(t.topicId).toEqual(topicId)
    // From v13 the name is not on the wire: the decoder leaves its default, and no bytes were left over.
    expect(t.topic).toBe('')
    expect(t.partitions[0]).toMatchObject({ partitionIndex: 0, errorCode: 0, highWatermark: 5, logStartOffset: 0 })
    // Offset 3 is the second batch's base offset: served from there, bytes as stored.
    expect(t.partitions[0]!.records).toEqual(stored.subarray(batchLength(stored, 0)))
    // The empty partition 1 has no offset 3.
    expect(t.partitions[1]).toMatchObject({ partitionIndex: 1, errorCode: OFFSET_OUT_OF_RANGE })
    expect(res.nodeEndpoints).toEqual([])
  })

  it('v13 answers an unknown topic id with UNKNOWN_TOPIC_ID per partition, echoing the id, and still serves the known one', async () => {
    const unknown = randomBytes(16)
    const res = await fetch(13, {
      maxWaitMs: 0,
      minBytes: 0,
      topics: [
        { topicId: unknown, partitions: [0, 1].map((partition) => ({ partition, fetchOffset: 0, partitionMaxBytes: 1 << 20 })) },
        { topicId, partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] },
      ],
    })
    expect(res.errorCode).toBe(0)
    const [bad, good] = res.responses
    expect(bad?.topicId).toEqual(unknown)
    expect(bad?.partitions.map((p) => [p.partitionIndex, p.errorCode, p.highWatermark, p.logStartOffset, p.records?.length])).toEqual([
      [0, UNKNOWN_TOPIC_ID, -1, -1, 0],
      [1, UNKNOWN_TOPIC_ID, -1, -1, 0],
    ])
    expect(good?.topicId).toEqual(topicId)
    expect(good?.partitions[0]?.records).toEqual(stored)
  })

  it('v13 answers a partition the topic does not have with UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const res = await fetchFv(13, [7])
    expect(res.responses[0]?.partitions[0]).toMatchObject({ partitionIndex: 7, errorCode: UNKNOWN_TOPIC_OR_PARTITION })
  })

  it('v17 serves a consumer that sends replica_state and a replica directory id (both ignored)', async () => {
    const res = await fetch(17, {
      maxWaitMs: 0,
      minBytes: 0,
      replicaState: { replicaId: -1, replicaEpoch: 3 },
      topics: [{ topicId, partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20, replicaDirectoryId: randomBytes(16) }] }],
    })
    expect(res.errorCode).toBe(0)
    expect(res.responses[0]?.partitions[0]?.records).toEqual(stored)
  })

  it('v17 long poll by topic id wakes on a produce and returns the new batch as stored', async () => {
    const polled = fetch(17, {
      maxWaitMs: 30_000,
      minBytes: 1,
      topics: [{ topicId, partitions: [{ partition: 1, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }],
    })
    const producer = await RawConnection.open(server.port)
    try {
      const sent = batchOf(['late'], 1_700_000_000_002)
      expect(produceOutcome(await produce(producer, 'fv', 1, sent)).errorCode).toBe(0)
      const res = await polled
      expect(res.responses[0]?.partitions[0]).toMatchObject({ errorCode: 0, highWatermark: 1 })
      expect(res.responses[0]?.partitions[0]?.records).toEqual(asStored(sent, 0))
    } finally {
      producer.close()
    }
  })
})

// Kafka's FetchManager with no session slots: epoch 0 or -1 is a full fetch (a session id given is
// closed, none is created, session id 0 is answered); any other epoch is incremental and needs a
// cached session, which never exists → FETCH_SESSION_ID_NOT_FOUND at the top level and no topics.
describe('fetch sessions (none are kept)', () => {
  it.each([7, 12, 13, 17])('v%i: epoch 0 (asking for a session) is served in full with session id 0', async (version) => {
    const res = await fetchFv(version, [0], 0, { sessionId: 0, sessionEpoch: 0 })
    expect(res.errorCode).toBe(0)
    expect(res.sessionId).toBe(0)
    expect(res.responses[0]?.partitions[0]?.records).toEqual(stored)
  })

  it.each([7, 12, 17])('v%i: a full fetch naming a session id (epoch -1 or 0) is served with session id 0', async (version) => {
    for (const sessionEpoch of [-1, 0]) {
      const res = await fetchFv(version, [0], 0, { sessionId: 123_456, sessionEpoch })
      expect(res.errorCode).toBe(0)
      expect(res.sessionId).toBe(0)
      expect(res.responses[0]?.partitions[0]?.records).toEqual(stored)
    }
  })

  it.each([7, 12, 13, 17])('v%i: an incremental fetch (epoch ≥ 1) is FETCH_SESSION_ID_NOT_FOUND with no topics', async (version) => {
    for (const [sessionId, sessionEpoch] of [
      [123_456, 1],
      [123_456, 7],
      [0, 1],
    ] as const) {
      const res = await fetchFv(version, [0], 0, { sessionId, sessionEpoch })
      expect(res.errorCode).toBe(FETCH_SESSION_ID_NOT_FOUND)
      expect(res.sessionId).toBe(0)
      expect(res.responses).toEqual([])
    }
  })
})

/** Length of the batch at `at`: its 12 bytes of offset and length field, plus that length. */
function batchLength(buf: Buffer, at: number): number {
  return 12 + buf.readInt32BE(at + 8)
}
