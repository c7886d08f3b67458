import { describe, expect, it } from 'vitest'

import { ApiKey } from '../../src/protocol/api-keys.js'
import { decodeDescribeClusterResponse, encodeDescribeClusterRequest } from '../../src/protocol/messages/describe-cluster.js'
import { decodeDescribeGroupsResponse, encodeDescribeGroupsRequest } from '../../src/protocol/messages/describe-groups.js'
import { decodeFetchResponse, encodeFetchRequest } from '../../src/protocol/messages/fetch.js'
import { decodeGetTelemetrySubscriptionsResponse, encodeGetTelemetrySubscriptionsRequest } from '../../src/protocol/messages/get-telemetry-subscriptions.js'
import { decodeListOffsetsResponse, encodeListOffsetsRequest } from '../../src/protocol/messages/list-offsets.js'
import { decodeMetadataResponse, encodeMetadataRequest } from '../../src/protocol/messages/metadata.js'
import { decodeOffsetCommitResponse, encodeOffsetCommitRequest } from '../../src/protocol/messages/offset-commit.js'
import { decodeOffsetFetchResponse, encodeOffsetFetchRequest } from '../../src/protocol/messages/offset-fetch.js'
import { decodeProduceResponse, encodeProduceRequest } from '../../src/protocol/messages/produce.js'
import { decodePushTelemetryResponse, encodePushTelemetryRequest, type PushTelemetryRequestInput } from '../../src/protocol/messages/push-telemetry.js'
import { ZERO_UUID } from '../../src/protocol/reader.js'
import type { RawConnection } from '../helpers/raw-client.js'
import { serverEachTest, type TestServer } from '../helpers/server.js'
import { batchOf, fetchRecords } from '../interop/helpers/wire-ops.js'

// The versions Kafka 4.3 added to the APIs kafka-ts serves, each answered as a 4.3 broker answers it, over a
// real socket. Error codes and bit fields are written out from Kafka's sources, not taken from the code.
const UNKNOWN_TOPIC_ID = 100
const GROUP_ID_NOT_FOUND = 69
const INVALID_REQUEST = 42
const UNKNOWN_SUBSCRIPTION_ID = 117
// AclOperation bits of every operation AclEntry.supportedOperations lists (Kafka 4.3).
const ALL_TOPIC_OPERATIONS = (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 10) | (1 << 11)
const ALL_GROUP_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8) | (1 << 10) | (1 << 11)
const ALL_CLUSTER_OPERATIONS = (1 << 5) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11) | (1 << 12)
const OMITTED = -2147483648
/** Java: (int) CRC32C("[]300000"), the empty subscription's checksum (computed with java.util.zip.CRC32C). */
const EMPTY_SUBSCRIPTION_CRC = -725132322

const { start, open } = serverEachTest()

async function setUp(topic = 't', partitions = 2): Promise<{ s: TestServer; c: RawConnection; topicId: Buffer }> {
  const s = await start()
  expect(s.broker.createTopics([{ name: topic, numPartitions: partitions, replicationFactor: 1, configs: new Map() }])[0]?.ok).toBe(true)
  const c = await open(s)
  const topicId = s.broker.findTopic(topic)?.uuid
  if (topicId === undefined) throw new Error('topic not created')
  return { s, c, topicId }
}

const otherId = () => Buffer.alloc(16, 7)

describe('Produce v12–13', () => {
  it('v13 names the topic by id, appends, and echoes the id; an unknown id is UNKNOWN_TOPIC_ID', async () => {
    const { c, topicId } = await setUp()
    const res = await c.request(
      ApiKey.Produce,
      13,
      (w, v) =>
        encodeProduceRequest(w, v, {
          acks: -1,
          timeoutMs: 5000,
          topicData: [
            { topicId, partitionData: [{ index: 1, records: batchOf(['by-id']) }] },
            { topicId: otherId(), partitionData: [{ index: 0, records: batchOf(['lost']) }] },
          ],
        }),
      decodeProduceResponse,
    )
    expect(res.responses.map((t) => [t.topicId.toString('hex'), t.partitionResponses.map((p) => [p.index, p.errorCode, p.baseOffset])])).toEqual([
      [topicId.toString('hex'), [[1, 0, 0]]],
      [otherId().toString('hex'), [[0, UNKNOWN_TOPIC_ID, -1]]],
    ])
    expect((await fetchRecords(c, 't', 1)).records.map((r) => r.value)).toEqual(['by-id'])
  })

  it('v12 (transaction protocol v2 for transactional batches) appends a plain batch by name', async () => {
    const { c } = await setUp()
    const res = await c.request(
      ApiKey.Produce,
      12,
      (w, v) => encodeProduceRequest(w, v, { acks: 1, timeoutMs: 5000, topicData: [{ name: 't', partitionData: [{ index: 0, records: batchOf(['v12']) }] }] }),
      decodeProduceResponse,
    )
    expect(res.responses[0]?.partitionResponses[0]).toMatchObject({ index: 0, errorCode: 0, baseOffset: 0 })
  })
})

describe('Fetch v18', () => {
  it('serves a consumer fetch by topic id (the follower high watermark is ignored)', async () => {
    const { c, topicId } = await setUp()
    await c.request(
      ApiKey.Produce,
      13,
      (w, v) => encodeProduceRequest(w, v, { acks: -1, timeoutMs: 5000, topicData: [{ topicId, partitionData: [{ index: 0, records: batchOf(['a', 'b']) }] }] }),
      decodeProduceResponse,
    )
    const res = await c.request(
      ApiKey.Fetch,
      18,
      (w, v) => encodeFetchRequest(w, v, { maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, topics: [{ topicId, partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }] }),
      decodeFetchResponse,
    )
    expect(res.responses[0]?.topicId).toEqual(topicId)
    expect(res.responses[0]?.partitions[0]).toMatchObject({ errorCode: 0, highWatermark: 2 })
  })
})

describe('ListOffsets v8–11', () => {
  it('earliest-local (-4) is the log start; latest-tiered (-5) and earliest-pending-upload (-6) are -1 with no error', async () => {
    const { c } = await setUp()
    const ask = (version: number, timestamp: number) =>
      c.request(
        ApiKey.ListOffsets,
        version,
        (w, v) => encodeListOffsetsRequest(w, v, { replicaId: -1, timeoutMs: 1000, topics: [{ name: 't', partitions: [{ partitionIndex: 0, timestamp }] }] }),
        decodeListOffsetsResponse,
      )
    const answer = async (version: number, timestamp: number) => {
      const p = (await ask(version, timestamp)).topics[0]?.partitions[0]
      return p && [p.errorCode, p.offset, p.timestamp, p.leaderEpoch]
    }
    expect(await answer(8, -4)).toEqual([0, 0, -1, 0])
    expect(await answer(9, -5)).toEqual([0, -1, -1, -1])
    expect(await answer(11, -6)).toEqual([0, -1, -1, -1])
    expect(await answer(10, -6)).toEqual([35, -1, -1, -1]) // -6 needs v11: UNSUPPORTED_VERSION
  })
})

describe('OffsetCommit / OffsetFetch v10 by topic id', () => {
  it('commits and fetches by id; an unknown id is UNKNOWN_TOPIC_ID on each partition and is not committed', async () => {
    const { c, topicId } = await setUp()
    const commit = await c.request(
      ApiKey.OffsetCommit,
      10,
      (w, v) =>
        encodeOffsetCommitRequest(w, v, {
          groupId: 'g',
          generationIdOrMemberEpoch: -1,
          memberId: '',
          topics: [
            { topicId, partitions: [{ partitionIndex: 1, committedOffset: 42, committedMetadata: 'm' }] },
            { topicId: otherId(), partitions: [{ partitionIndex: 0, committedOffset: 1, committedMetadata: null }] },
          ],
        }),
      decodeOffsetCommitResponse,
    )
    expect(commit.topics.map((t) => [t.topicId.toString('hex'), t.partitions.map((p) => [p.partitionIndex, p.errorCode])])).toEqual([
      [topicId.toString('hex'), [[1, 0]]],
      [otherId().toString('hex'), [[0, UNKNOWN_TOPIC_ID]]],
    ])
    const fetchBy = (topics: { topicId: Buffer; partitionIndexes: number[] }[] | null) =>
      c.request(ApiKey.OffsetFetch, 10, (w, v) => encodeOffsetFetchRequest(w, v, { groups: [{ groupId: 'g', topics }] }), decodeOffsetFetchResponse)
    const named = await fetchBy([
      { topicId, partitionIndexes: [0, 1] },
      { topicId: otherId(), partitionIndexes: [0] },
    ])
    expect(named.groups[0]?.errorCode).toBe(0)
    expect(named.groups[0]?.topics.map((t) => [t.topicId.toString('hex'), t.partitions.map((p) => [p.partitionIndex, p.committedOffset, p.metadata, p.errorCode])])).toEqual([
      [topicId.toString('hex'), [[0, -1, '', 0], [1, 42, 'm', 0]]],
      [otherId().toString('hex'), [[0, -1, '', UNKNOWN_TOPIC_ID]]],
    ])
    const all = await fetchBy(null)
    expect(all.groups[0]?.topics.map((t) => [t.topicId.toString('hex'), t.partitions.map((p) => [p.partitionIndex, p.committedOffset])])).toEqual([
      [topicId.toString('hex'), [[1, 42]]],
    ])
  })
})

describe('DescribeGroups v6 (KIP-1043)', () => {
  it('an unknown group is GROUP_ID_NOT_FOUND with a message at v6, and a Dead group without error at v5', async () => {
    const { c } = await setUp()
    const describe = (version: number) =>
      c.request(ApiKey.DescribeGroups, version, (w, v) => encodeDescribeGroupsRequest(w, v, { groups: ['nobody'], includeAuthorizedOperations: true }), decodeDescribeGroupsResponse)
    expect((await describe(6)).groups[0]).toMatchObject({ errorCode: GROUP_ID_NOT_FOUND, errorMessage: 'Group nobody not found.', groupState: 'Dead', authorizedOperations: OMITTED })
    expect((await describe(5)).groups[0]).toMatchObject({ errorCode: 0, groupState: 'Dead', authorizedOperations: ALL_GROUP_OPERATIONS })
  })
})

describe('authorized operations without an authorizer', () => {
  it('Metadata answers every topic operation (v8+) and every cluster operation (v8–10) when asked, the default otherwise', async () => {
    const { c } = await setUp()
    const metadata = (version: number, asked: boolean) =>
      c.request(
        ApiKey.Metadata,
        version,
        (w, v) =>
          encodeMetadataRequest(w, v, {
            topics: [{ name: 't' }, { name: 'missing' }],
            allowAutoTopicCreation: false,
            includeTopicAuthorizedOperations: asked,
            ...(v <= 10 ? { includeClusterAuthorizedOperations: asked } : {}),
          }),
        decodeMetadataResponse,
      )
    const v10 = await metadata(10, true)
    expect(v10.topics.map((t) => [t.name, t.errorCode, t.topicAuthorizedOperations])).toEqual([
      ['t', 0, ALL_TOPIC_OPERATIONS],
      ['missing', 3, ALL_TOPIC_OPERATIONS],
    ])
    expect(v10.clusterAuthorizedOperations).toBe(ALL_CLUSTER_OPERATIONS)
    const v13 = await metadata(13, true)
    expect(v13.errorCode).toBe(0)
    expect(v13.topics[0]?.topicAuthorizedOperations).toBe(ALL_TOPIC_OPERATIONS)
    expect((await metadata(12, false)).topics[0]?.topicAuthorizedOperations).toBe(OMITTED)
  })

  it('DescribeCluster answers every cluster operation when asked; DescribeGroups every group operation for a live group', async () => {
    const { c } = await setUp()
    const cluster = (asked: boolean) =>
      c.request(ApiKey.DescribeCluster, 2, (w, v) => encodeDescribeClusterRequest(w, v, { includeClusterAuthorizedOperations: asked, includeFencedBrokers: true }), decodeDescribeClusterResponse)
    expect((await cluster(true)).clusterAuthorizedOperations).toBe(ALL_CLUSTER_OPERATIONS)
    expect((await cluster(false)).clusterAuthorizedOperations).toBe(OMITTED)

    await c.request(
      ApiKey.OffsetCommit,
      9,
      (w, v) => encodeOffsetCommitRequest(w, v, { groupId: 'held', generationIdOrMemberEpoch: -1, memberId: '', topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 0, committedMetadata: null }] }] }),
      decodeOffsetCommitResponse,
    )
    const groups = await c.request(ApiKey.DescribeGroups, 6, (w, v) => encodeDescribeGroupsRequest(w, v, { groups: ['held'], includeAuthorizedOperations: true }), decodeDescribeGroupsResponse)
    expect(groups.groups[0]).toMatchObject({ errorCode: 0, errorMessage: null, groupState: 'Empty', authorizedOperations: ALL_GROUP_OPERATIONS })
  })
})

describe('client telemetry (KIP-714) without client-metrics subscriptions', () => {
  it('GetTelemetrySubscriptions hands a new instance id an empty subscription; a push naming it is accepted, others refused', async () => {
    const { c } = await setUp()
    const res = await c.request(ApiKey.GetTelemetrySubscriptions, 0, (w, v) => encodeGetTelemetrySubscriptionsRequest(w, v, { clientInstanceId: ZERO_UUID }), decodeGetTelemetrySubscriptionsResponse)
    const id = res.clientInstanceId
    expect(id.equals(ZERO_UUID)).toBe(false)
    // Uuid.hashCode: the four 32-bit words XORed.
    const hash = id.readInt32BE(0) ^ id.readInt32BE(4) ^ id.readInt32BE(8) ^ id.readInt32BE(12)
    expect(res).toMatchObject({
      errorCode: 0,
      subscriptionId: EMPTY_SUBSCRIPTION_CRC ^ hash,
      acceptedCompressionTypes: [4, 3, 1, 2],
      pushIntervalMs: 300000,
      telemetryMaxBytes: 1048576,
      deltaTemporality: true,
      requestedMetrics: [],
    })
    // A client that already has an id keeps it.
    const again = await c.request(ApiKey.GetTelemetrySubscriptions, 0, (w, v) => encodeGetTelemetrySubscriptionsRequest(w, v, { clientInstanceId: id }), decodeGetTelemetrySubscriptionsResponse)
    expect(again.clientInstanceId).toEqual(id)

    const push = async (m: PushTelemetryRequestInput) => (await c.request(ApiKey.PushTelemetry, 0, (w, v) => encodePushTelemetryRequest(w, v, m), decodePushTelemetryResponse)).errorCode
    const ok = { clientInstanceId: id, subscriptionId: res.subscriptionId, terminating: true, compressionType: 0, metrics: Buffer.alloc(0) }
    expect(await push(ok)).toBe(0)
    expect(await push({ ...ok, subscriptionId: res.subscriptionId + 1 })).toBe(UNKNOWN_SUBSCRIPTION_ID)
    expect(await push({ ...ok, clientInstanceId: ZERO_UUID })).toBe(INVALID_REQUEST)
  })
})
