import { randomBytes } from 'node:crypto'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { ApiKey } from '../../src/protocol/api-keys.js'
import { decodeApiVersionsResponse, encodeApiVersionsRequest } from '../../src/protocol/messages/api-versions.js'
import { decodeFetchResponse, encodeFetchRequest, type FetchRequestInput, type FetchResponse } from '../../src/protocol/messages/fetch.js'
import { decodeListOffsetsResponse, encodeListOffsetsRequest } from '../../src/protocol/messages/list-offsets.js'
import { RawConnection } from '../helpers/raw-client.js'
import { startTestServer, type TestServer } from '../helpers/server.js'
import { batchOf, produce, produceOutcome } from '../interop/helpers/wire-ops.js'

// Fetch v12–17 over the wire: flexible encoding (v12+), topics named by id (v13+), fetch sessions
// (KIP-227, Kafka's FetchManager.newContext), current_leader_epoch checks, and replica_state (v15+) ignored.

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

// Fetch sessions as Kafka's FetchManager keeps them (KIP-227): epoch 0 opens one and is answered in
// full with its id; later epochs name only changed partitions and are answered with only the
// partitions that have news; epoch -1 is sessionless and closes the session it names.
describe('fetch sessions', () => {
  const INVALID_FETCH_SESSION_EPOCH = 71
  const FETCH_SESSION_TOPIC_ID_ERROR = 106

  /** An incremental fetch of session `sessionId` at `sessionEpoch`, naming `partitions` (from `offset`) and forgetting `forget`. */
  function incremental(version: number, sessionId: number, sessionEpoch: number, partitions: number[] = [], offset = 0, forget: number[] = []): Promise<FetchResponse> {
    const topic = version >= 13 ? { topicId } : { topic: 'fv' }
    return fetch(version, {
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1 << 20,
      sessionId,
      sessionEpoch,
      topics: partitions.length === 0 ? [] : [{ ...topic, partitions: partitions.map((partition) => ({ partition, fetchOffset: offset, partitionMaxBytes: 1 << 20 })) }],
      forgottenTopicsData: forget.length === 0 ? [] : [{ ...topic, partitions: forget }],
    })
  }

  it.each([7, 12, 13, 17])('v%i: epoch 0 opens a session, answered in full with its id', async (version) => {
    const res = await fetchFv(version, [0, 1], 0, { sessionId: 0, sessionEpoch: 0 })
    expect(res.errorCode).toBe(0)
    expect(res.sessionId).toBeGreaterThan(0)
    expect(res.responses[0]?.partitions.map((p) => p.partitionIndex)).toEqual([0, 1])
    expect(res.responses[0]?.partitions[0]?.records).toEqual(stored)
  })

  it.each([7, 12, 13, 17])('v%i: incremental answers name only the partitions with news', async (version) => {
    const opened = await fetchFv(version, [0, 1], 0, { sessionId: 0, sessionEpoch: 0 })
    const id = opened.sessionId
    // Partition 0 moves to its end: same high watermark, no records, so nothing to tell.
    let res = await incremental(version, id, 1, [0], 5)
    expect(res.errorCode).toBe(0)
    expect(res.sessionId).toBe(id)
    expect(res.responses).toEqual([])
    // Nothing named, nothing new.
    res = await incremental(version, id, 2)
    expect(res.responses).toEqual([])
    // A record in partition 1 (still read from 0, as the session holds it): only partition 1 is named.
    expect(produceOutcome(await produce(conn, 'fv', 1, batchOf(['x'], 1_700_000_000_002))).errorCode).toBe(0)
    res = await incremental(version, id, 3)
    expect(res.responses).toHaveLength(1)
    expect(res.responses[0]?.partitions.map((p) => [p.partitionIndex, p.highWatermark])).toEqual([[1, 1]])
    expect(res.responses[0]?.partitions[0]?.records?.length).toBeGreaterThan(0)
    // Forgotten: partition 1 is no longer read, whatever arrives there; partition 0 still is.
    res = await incremental(version, id, 4, [], 0, [1])
    expect(res.responses).toHaveLength(0)
    expect(produceOutcome(await produce(conn, 'fv', 1, batchOf(['y'], 1_700_000_000_003))).errorCode).toBe(0)
    expect(produceOutcome(await produce(conn, 'fv', 0, batchOf(['z'], 1_700_000_000_004))).errorCode).toBe(0)
    res = await incremental(version, id, 5)
    expect(res.responses[0]?.partitions.map((p) => [p.partitionIndex, p.highWatermark])).toEqual([[0, 6]])
  })

  it.each([7, 12, 13, 17])('v%i: an unknown session or a wrong epoch is a top-level error with no topics', async (version) => {
    const { sessionId } = await fetchFv(version, [0], 0, { sessionId: 0, sessionEpoch: 0 })
    for (const [id, epoch, code] of [
      [sessionId + 1, 1, FETCH_SESSION_ID_NOT_FOUND],
      [0, 1, FETCH_SESSION_ID_NOT_FOUND],
      [sessionId, 2, INVALID_FETCH_SESSION_EPOCH],
    ] as const) {
      const res = await incremental(version, id, epoch, [0])
      expect(res.errorCode).toBe(code)
      expect(res.sessionId).toBe(0)
      expect(res.responses).toEqual([])
    }
    // The session is still there at its epoch.
    expect((await incremental(version, sessionId, 1)).errorCode).toBe(0)
  })

  it.each([7, 12, 17])('v%i: a full fetch naming a session closes it; epoch -1 opens none', async (version) => {
    const { sessionId } = await fetchFv(version, [0], 0, { sessionId: 0, sessionEpoch: 0 })
    const res = await fetchFv(version, [0], 0, { sessionId, sessionEpoch: -1 })
    expect(res.errorCode).toBe(0)
    expect(res.sessionId).toBe(0)
    expect(res.responses[0]?.partitions[0]?.records).toEqual(stored)
    expect((await incremental(version, sessionId, 1)).errorCode).toBe(FETCH_SESSION_ID_NOT_FOUND)
    // Epoch 0 naming a session closes it and opens another.
    const first = await fetchFv(version, [0], 0, { sessionId: 0, sessionEpoch: 0 })
    const second = await fetchFv(version, [0], 0, { sessionId: first.sessionId, sessionEpoch: 0 })
    expect(second.sessionId).not.toBe(first.sessionId)
    expect((await incremental(version, first.sessionId, 1)).errorCode).toBe(FETCH_SESSION_ID_NOT_FOUND)
    expect((await incremental(version, second.sessionId, 1)).errorCode).toBe(0)
  })

  it('max.incremental.fetch.session.cache.slots=0 keeps none: epoch 0 is served in full with id 0, an incremental fetch is FETCH_SESSION_ID_NOT_FOUND', async () => {
    const noSlots = await startTestServer({ props: { 'max.incremental.fetch.session.cache.slots': '0' } })
    const c = await RawConnection.open(noSlots.port)
    try {
      noSlots.broker.createTopics([{ name: 'fv', numPartitions: 1, replicationFactor: -1, configs: new Map() }])
      const ask = (sessionId: number, sessionEpoch: number) =>
        c.request(
          ApiKey.Fetch,
          12,
          (w, v) => encodeFetchRequest(w, v, { maxWaitMs: 0, minBytes: 0, sessionId, sessionEpoch, topics: [{ topic: 'fv', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1024 }] }] }),
          decodeFetchResponse,
        )
      const full = await ask(0, 0)
      expect([full.errorCode, full.sessionId, full.responses[0]?.partitions[0]?.errorCode]).toEqual([0, 0, 0])
      expect((await ask(1, 1)).errorCode).toBe(FETCH_SESSION_ID_NOT_FOUND)
    } finally {
      c.close()
      await noSlots.stop()
    }
  })

  it('a session opened by name (v12) used by id (v13) is FETCH_SESSION_TOPIC_ID_ERROR', async () => {
    const { sessionId } = await fetchFv(12, [0], 0, { sessionId: 0, sessionEpoch: 0 })
    const res = await incremental(13, sessionId, 1)
    expect(res.errorCode).toBe(FETCH_SESSION_TOPIC_ID_ERROR)
    expect(res.responses).toEqual([])
  })
})

// Kafka's Partition.checkCurrentLeaderEpoch: our partitions are led at epoch 0 for ever.
describe('current_leader_epoch', () => {
  const FENCED_LEADER_EPOCH = 74
  const UNKNOWN_LEADER_EPOCH = 75

  it.each([9, 12, 13, 17])('v%i: an epoch newer than 0 is UNKNOWN_LEADER_EPOCH, older is FENCED_LEADER_EPOCH, 0 and -1 are served', async (version) => {
    const topic = version >= 13 ? { topicId } : { topic: 'fv' }
    const res = await fetch(version, {
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1 << 20,
      topics: [{ ...topic, partitions: [3, -2, 0, -1].map((currentLeaderEpoch, i) => ({ partition: i % 2, currentLeaderEpoch, fetchOffset: 0, partitionMaxBytes: 1 << 20 })) }],
    })
    expect(res.responses[0]?.partitions.map((p) => p.errorCode)).toEqual([UNKNOWN_LEADER_EPOCH, FENCED_LEADER_EPOCH, 0, 0])
    expect(res.responses[0]?.partitions[0]).toMatchObject({ highWatermark: -1, records: Buffer.alloc(0) })
    expect(res.responses[0]?.partitions[2]?.records).toEqual(stored)
  })

  it.each([4, 9, 11])('ListOffsets v%i checks it the same way', async (version) => {
    const res = await conn.request(
      ApiKey.ListOffsets,
      version,
      (w, v) =>
        encodeListOffsetsRequest(w, v, {
          replicaId: -1,
          topics: [{ name: 'fv', partitions: [3, -2, 0, -1].map((currentLeaderEpoch) => ({ partitionIndex: 0, currentLeaderEpoch, timestamp: -1 })) }],
        }),
      decodeListOffsetsResponse,
    )
    expect(res.topics[0]?.partitions.map((p) => [p.errorCode, p.offset])).toEqual([
      [UNKNOWN_LEADER_EPOCH, -1],
      [FENCED_LEADER_EPOCH, -1],
      [0, 5],
      [0, 5],
    ])
  })
})

/** Length of the batch at `at`: its 12 bytes of offset and length field, plus that length. */
function batchLength(buf: Buffer, at: number): number {
  return 12 + buf.readInt32BE(at + 8)
}
