// kafkajs (devDependency) as an independent implementation: its per-version request encoders produce frames that
// our header reader and generated decoders must read back to the values kafkajs was given, and its response
// decoders must read what our generated encoders write. Expected values are written from the inputs here, in each
// library's own vocabulary, never taken from our codec's output.
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { FrameDecoder } from '../../../../src/protocol/frame-decoder.js'
import * as apiVersions from '../../../../src/protocol/messages/api-versions.js'
import * as createPartitions from '../../../../src/protocol/messages/create-partitions.js'
import * as createTopics from '../../../../src/protocol/messages/create-topics.js'
import * as deleteGroups from '../../../../src/protocol/messages/delete-groups.js'
import * as deleteTopics from '../../../../src/protocol/messages/delete-topics.js'
import * as describeConfigs from '../../../../src/protocol/messages/describe-configs.js'
import * as describeGroups from '../../../../src/protocol/messages/describe-groups.js'
import * as fetch from '../../../../src/protocol/messages/fetch.js'
import * as findCoordinator from '../../../../src/protocol/messages/find-coordinator.js'
import * as heartbeat from '../../../../src/protocol/messages/heartbeat.js'
import * as initProducerId from '../../../../src/protocol/messages/init-producer-id.js'
import * as joinGroup from '../../../../src/protocol/messages/join-group.js'
import * as leaveGroup from '../../../../src/protocol/messages/leave-group.js'
import * as listGroups from '../../../../src/protocol/messages/list-groups.js'
import * as listOffsets from '../../../../src/protocol/messages/list-offsets.js'
import * as metadata from '../../../../src/protocol/messages/metadata.js'
import * as offsetCommit from '../../../../src/protocol/messages/offset-commit.js'
import * as offsetFetch from '../../../../src/protocol/messages/offset-fetch.js'
import * as produce from '../../../../src/protocol/messages/produce.js'
import * as syncGroup from '../../../../src/protocol/messages/sync-group.js'
import { readBatchHeader } from '../../../../src/protocol/record-batch.js'
import { Reader, ZERO_UUID } from '../../../../src/protocol/reader.js'
import { readRequestHeader } from '../../../../src/protocol/request-header.js'
import { Writer } from '../../../../src/protocol/writer.js'

const require = createRequire(import.meta.url)

interface KjsRequest {
  apiKey: number
  apiVersion: number
  encode(): Promise<{ buffer: Buffer }>
}
type KjsFrame = (opts: { correlationId: number; clientId: string; request: KjsRequest }) => Promise<{ buffer: Buffer }>
const kjsFrame = require('kafkajs/src/protocol/request.js') as KjsFrame
const KjsRecord = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (r: object) => unknown
const { RecordBatch: KjsRecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as {
  RecordBatch: (opts: object) => Promise<{ buffer: Buffer }>
}

const range = (lo: number, hi: number) => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i)

/** kafkajs builds the whole frame (size, header v1, body); we split, read the header and decode the body. */
async function viaKafkajsRequest<T>(api: string, version: number, args: unknown, decode: (r: Reader, v: number) => T): Promise<T> {
  const factory = require(`kafkajs/src/protocol/requests/${api}/v${version}/request.js`) as (a: unknown) => KjsRequest
  const request = factory(args)
  expect(request.apiVersion).toBe(version)
  const frame = (await kjsFrame({ correlationId: 4242, clientId: 'oracle', request })).buffer
  const frames = new FrameDecoder()
  frames.push(frame)
  const body = frames.next()
  expect(body).toBeDefined()
  expect(frames.next()).toBeUndefined()
  const r = new Reader(body!)
  expect(readRequestHeader(r)).toEqual({ apiKey: request.apiKey, apiVersion: version, correlationId: 4242, clientId: 'oracle', headerVersion: 1 })
  const msg = decode(r, version)
  expect(r.remaining).toBe(0)
  return msg
}

/** Our encoder writes the response body; kafkajs's decoder for that version reads it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- kafkajs decoders are untyped JS; results are probed field by field
async function viaKafkajsResponse<M>(api: string, version: number, encode: (w: Writer, v: number, m: M) => void, msg: M): Promise<any> {
  const w = new Writer()
  encode(w, version, msg)
  const { decode } = require(`kafkajs/src/protocol/requests/${api}/v${version}/response.js`) as { decode: (b: Buffer) => Promise<unknown> }
  return decode(w.toBuffer())
}

/** kafkajs v2+ responses report the broker's throttle as clientSideThrottleTime (KIP-219) — either way, the value. */
const throttleOf = (res: { throttleTime?: number; clientSideThrottleTime?: number }) => res.clientSideThrottleTime ?? res.throttleTime

describe('ApiVersions v0–2 against kafkajs', () => {
  for (const v of range(0, 2)) {
    it(`v${v}`, async () => {
      expect(await viaKafkajsRequest('apiVersions', v, undefined, apiVersions.decodeApiVersionsRequest)).toEqual({ clientSoftwareName: '', clientSoftwareVersion: '' })
      const res = await viaKafkajsResponse('apiVersions', v, apiVersions.encodeApiVersionsResponse, {
        errorCode: 0,
        apiKeys: [
          { apiKey: 0, minVersion: 3, maxVersion: 8 },
          { apiKey: 18, minVersion: 0, maxVersion: 3 },
        ],
        throttleTimeMs: 17, // ignorable: dropped at v0
      })
      expect(res.errorCode).toBe(0)
      expect(res.apiVersions).toEqual([
        { apiKey: 0, minVersion: 3, maxVersion: 8 },
        { apiKey: 18, minVersion: 0, maxVersion: 3 },
      ])
      if (v >= 1) expect(throttleOf(res)).toBe(17)
    })
  }
})

describe('Metadata v0–6 against kafkajs', () => {
  for (const v of range(0, 6)) {
    it(`v${v}`, async () => {
      const req = await viaKafkajsRequest('metadata', v, { topics: ['orders', 'payments'], allowAutoTopicCreation: false }, metadata.decodeMetadataRequest)
      expect(req).toEqual({
        topics: [
          { topicId: ZERO_UUID, name: 'orders' },
          { topicId: ZERO_UUID, name: 'payments' },
        ],
        allowAutoTopicCreation: v >= 4 ? false : true,
        includeClusterAuthorizedOperations: false,
        includeTopicAuthorizedOperations: false,
      })

      const res = await viaKafkajsResponse('metadata', v, metadata.encodeMetadataResponse, {
        throttleTimeMs: 9,
        brokers: [{ nodeId: 1, host: 'broker.local', port: 9092, rack: v >= 1 ? 'r1' : null }],
        clusterId: 'cluster-x',
        controllerId: 1,
        topics: [
          {
            errorCode: 0,
            name: 'orders',
            isInternal: false,
            partitions: [
              { errorCode: 0, partitionIndex: 0, leaderId: 1, replicaNodes: [1], isrNodes: [1], offlineReplicas: [] },
              { errorCode: 5, partitionIndex: 1, leaderId: -1, replicaNodes: [1, 2], isrNodes: [], offlineReplicas: v >= 5 ? [2] : [] },
            ],
          },
        ],
      })
      expect(res.brokers).toEqual([{ nodeId: 1, host: 'broker.local', port: 9092, ...(v >= 1 ? { rack: 'r1' } : {}) }])
      if (v >= 1) expect(res.controllerId).toBe(1)
      if (v >= 2) expect(res.clusterId).toBe('cluster-x')
      if (v >= 3) expect(throttleOf(res)).toBe(9)
      expect(res.topicMetadata).toHaveLength(1)
      expect(res.topicMetadata[0]).toMatchObject({ topicErrorCode: 0, topic: 'orders', ...(v >= 1 ? { isInternal: false } : {}) })
      expect(res.topicMetadata[0].partitionMetadata).toEqual([
        { partitionErrorCode: 0, partitionId: 0, leader: 1, replicas: [1], isr: [1], ...(v >= 5 ? { offlineReplicas: [] } : {}) },
        { partitionErrorCode: 5, partitionId: 1, leader: -1, replicas: [1, 2], isr: [], ...(v >= 5 ? { offlineReplicas: [2] } : {}) },
      ])
    })
  }
})

describe('Produce v3–7 against kafkajs', () => {
  for (const v of range(3, 7)) {
    it(`v${v}`, async () => {
      const req = await viaKafkajsRequest('produce', v, {
        acks: -1,
        timeout: 30000,
        compression: 0,
        topicData: [
          {
            topic: 'orders',
            partitions: [
              { partition: 2, firstSequence: 0, messages: [{ key: 'k1', value: 'v1', timestamp: 1700000000000 }, { key: null, value: 'v2', timestamp: 1700000000001 }] },
            ],
          },
        ],
      }, produce.decodeProduceRequest)
      expect(req).toMatchObject({ transactionalId: null, acks: -1, timeoutMs: 30000 })
      expect(req.topicData).toHaveLength(1)
      expect(req.topicData[0]!.name).toBe('orders')
      expect(req.topicData[0]!.partitionData.map((p) => p.index)).toEqual([2])
      const records = req.topicData[0]!.partitionData[0]!.records
      expect(records).not.toBeNull()
      const header = readBatchHeader(records!)
      expect(header).toMatchObject({ magic: 2, recordCount: 2, baseTimestamp: 1700000000000, maxTimestamp: 1700000000001 })
      expect(header.batchLength + 12).toBe(records!.length)

      const res = await viaKafkajsResponse('produce', v, produce.encodeProduceResponse, {
        responses: [{ name: 'orders', partitionResponses: [{ index: 2, errorCode: 0, baseOffset: 12345678901, logAppendTimeMs: -1, logStartOffset: 7 }] }],
        throttleTimeMs: 3,
      })
      expect(res.topics).toEqual([
        {
          topicName: 'orders',
          partitions: [{ partition: 2, errorCode: 0, baseOffset: '12345678901', logAppendTime: '-1', ...(v >= 5 ? { logStartOffset: '7' } : {}) }],
        },
      ])
      expect(throttleOf(res)).toBe(3)
    })
  }
})

/** Fetch v18's follower high watermark defaults to Long.MAX_VALUE ("not supported"), as a JS number. */
const LONG_MAX = Number('9223372036854775807')

describe('Fetch v4–11 against kafkajs', () => {
  for (const v of range(4, 11)) {
    it(`v${v}`, async () => {
      const req = await viaKafkajsRequest('fetch', v, {
        replicaId: -1,
        maxWaitTime: 500,
        minBytes: 1,
        maxBytes: 1048576,
        isolationLevel: 1,
        topics: [{ topic: 'orders', partitions: [{ partition: 0, fetchOffset: '12345678901', maxBytes: 65536 }, { partition: 3, fetchOffset: '0', maxBytes: 1024 }] }],
      }, fetch.decodeFetchRequest)
      expect(req).toMatchObject({
        replicaId: -1,
        maxWaitMs: 500,
        minBytes: 1,
        maxBytes: 1048576,
        isolationLevel: 1,
        sessionId: 0,
        sessionEpoch: -1,
        forgottenTopicsData: [],
        rackId: '',
      })
      expect(req.topics).toEqual([
        {
          topic: 'orders',
          topicId: ZERO_UUID,
          partitions: [
            { partition: 0, currentLeaderEpoch: -1, fetchOffset: 12345678901, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 65536, replicaDirectoryId: ZERO_UUID, highWatermark: LONG_MAX },
            { partition: 3, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1024, replicaDirectoryId: ZERO_UUID, highWatermark: LONG_MAX },
          ],
        },
      ])

      // Stored batches as kafkajs itself would build them; the response carries them as two spliced buffers.
      const batch = async (firstOffset: number, key: string) =>
        (
          await KjsRecordBatch({
            firstOffset: String(firstOffset),
            firstTimestamp: 1700000000000,
            maxTimestamp: 1700000000000,
            lastOffsetDelta: 0,
            records: [KjsRecord({ key, value: `value-${key}`, offsetDelta: 0, timestampDelta: 0, headers: {} })],
          })
        ).buffer
      const batches = [await batch(40, 'a'), await batch(41, 'b')]
      const res = await viaKafkajsResponse('fetch', v, fetch.encodeFetchResponse, {
        throttleTimeMs: 2,
        errorCode: 0,
        sessionId: 0,
        responses: [
          {
            topic: 'orders',
            partitions: [
              { partitionIndex: 0, errorCode: 0, highWatermark: 42, lastStableOffset: 42, logStartOffset: 0, abortedTransactions: [], preferredReadReplica: -1, records: batches },
              { partitionIndex: 3, errorCode: 1, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, abortedTransactions: null, records: null },
            ],
          },
        ],
      })
      expect(throttleOf(res)).toBe(2)
      if (v >= 7) expect(res).toMatchObject({ errorCode: 0, sessionId: 0 })
      expect(res.responses).toHaveLength(1)
      expect(res.responses[0].topicName).toBe('orders')
      const [p0, p3] = res.responses[0].partitions
      expect(p0).toMatchObject({ partition: 0, errorCode: 0, highWatermark: '42', lastStableOffset: '42', abortedTransactions: [] })
      if (v >= 5) expect(p0.lastStartOffset).toBe('0')
      if (v >= 11) expect(p0.preferredReadReplica).toBe(-1)
      expect(p0.messages.map((m: { offset: string; key: Buffer; value: Buffer }) => [m.offset, m.key.toString(), m.value.toString()])).toEqual([
        ['40', 'a', 'value-a'],
        ['41', 'b', 'value-b'],
      ])
      expect(p3).toMatchObject({ partition: 3, errorCode: 1, highWatermark: '-1', messages: [] })
    })
  }
})

describe('ListOffsets v1–3 against kafkajs', () => {
  for (const v of range(1, 3)) {
    it(`v${v}`, async () => {
      const req = await viaKafkajsRequest('listOffsets', v, {
        replicaId: -1,
        isolationLevel: 1,
        topics: [{ topic: 'orders', partitions: [{ partition: 0, timestamp: -2 }, { partition: 1, timestamp: 1700000000000 }] }],
      }, listOffsets.decodeListOffsetsRequest)
      expect(req).toEqual({
        replicaId: -1,
        isolationLevel: v >= 2 ? 1 : 0,
        timeoutMs: 0,
        topics: [
          {
            name: 'orders',
            partitions: [
              { partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -2 },
              { partitionIndex: 1, currentLeaderEpoch: -1, timestamp: 1700000000000 },
            ],
          },
        ],
      })

      const res = await viaKafkajsResponse('listOffsets', v, listOffsets.encodeListOffsetsResponse, {
        throttleTimeMs: 6,
        topics: [
          {
            name: 'orders',
            partitions: [{ partitionIndex: 0, errorCode: 0, timestamp: -1, offset: 5 }],
          },
        ],
      })
      const partition = { partition: 0, errorCode: 0, timestamp: '-1', offset: '5' }
      expect(res.responses).toEqual([{ topic: 'orders', partitions: [partition] }])
      if (v >= 2) expect(throttleOf(res)).toBe(6)
    })
  }
})

describe('CreateTopics v2–3 against kafkajs', () => {
  for (const v of range(2, 3)) {
    it(`v${v}`, async () => {
      const req = await viaKafkajsRequest('createTopics', v, {
        topics: [
          { topic: 'orders', numPartitions: 3, replicationFactor: 1, replicaAssignment: [], configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
          { topic: 'manual', replicaAssignment: [{ partition: 0, replicas: [1] }] },
        ],
        timeout: 4000,
        validateOnly: true,
      }, createTopics.decodeCreateTopicsRequest)
      expect(req).toEqual({
        topics: [
          { name: 'orders', numPartitions: 3, replicationFactor: 1, assignments: [], configs: [{ name: 'cleanup.policy', value: 'compact' }] },
          { name: 'manual', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [1] }], configs: [] },
        ],
        timeoutMs: 4000,
        validateOnly: true,
      })

      const res = await viaKafkajsResponse('createTopics', v, createTopics.encodeCreateTopicsResponse, {
        throttleTimeMs: 4,
        topics: [
          { name: 'a', errorCode: 0, errorMessage: null },
          { name: 'b', errorCode: 36, errorMessage: "Topic 'b' already exists." },
        ],
      })
      expect(res.topicErrors).toEqual([
        { topic: 'a', errorCode: 0, errorMessage: null },
        { topic: 'b', errorCode: 36, errorMessage: "Topic 'b' already exists." },
      ])
      expect(throttleOf(res)).toBe(4)
    })
  }
})

describe('DeleteTopics v1 against kafkajs', () => {
  for (const v of range(1, 1)) {
    it(`v${v}`, async () => {
      const req = await viaKafkajsRequest('deleteTopics', v, { topics: ['a', 'b'], timeout: 3000 }, deleteTopics.decodeDeleteTopicsRequest)
      expect(req).toEqual({ topics: [], topicNames: ['a', 'b'], timeoutMs: 3000 })
      const res = await viaKafkajsResponse('deleteTopics', v, deleteTopics.encodeDeleteTopicsResponse, {
        throttleTimeMs: 8,
        responses: [
          { name: 'a', errorCode: 0 },
          { name: 'b', errorCode: 3 },
        ],
      })
      expect(res.topicErrors).toEqual([
        { topic: 'a', errorCode: 0 },
        { topic: 'b', errorCode: 3 },
      ])
      expect(throttleOf(res)).toBe(8)
    })
  }
})

describe('CreatePartitions v0–1 against kafkajs', () => {
  for (const v of range(0, 1)) {
    it(`v${v}`, async () => {
      const req = await viaKafkajsRequest('createPartitions', v, {
        topicPartitions: [{ topic: 'orders', count: 4, assignments: [[1], [1]] }, { topic: 'plain', count: 2 }],
        validateOnly: true,
        timeout: 2500,
      }, createPartitions.decodeCreatePartitionsRequest)
      expect(req).toEqual({
        topics: [
          { name: 'orders', count: 4, assignments: [{ brokerIds: [1] }, { brokerIds: [1] }] },
          { name: 'plain', count: 2, assignments: null }, // kafkajs writes an empty nullable array as −1
        ],
        timeoutMs: 2500,
        validateOnly: true,
      })
      const res = await viaKafkajsResponse('createPartitions', v, createPartitions.encodeCreatePartitionsResponse, {
        throttleTimeMs: 2,
        results: [
          { name: 'orders', errorCode: 0, errorMessage: null },
          { name: 'plain', errorCode: 37, errorMessage: 'Topic currently has 2 partitions, which is higher than the requested 1.' },
        ],
      })
      expect(res.topicErrors).toEqual([
        { topic: 'orders', errorCode: 0, errorMessage: null },
        { topic: 'plain', errorCode: 37, errorMessage: 'Topic currently has 2 partitions, which is higher than the requested 1.' },
      ])
      expect(throttleOf(res)).toBe(2)
    })
  }
})

describe('DescribeConfigs v1–2 against kafkajs', () => {
  for (const v of range(1, 2)) {
    it(`v${v}`, async () => {
      const req = await viaKafkajsRequest('describeConfigs', v, {
        resources: [
          { type: 2, name: 'orders', configNames: ['retention.ms', 'cleanup.policy'] },
          { type: 4, name: '1', configNames: [] }, // kafkajs writes an empty nullable array as −1 (all configs)
        ],
        includeSynonyms: true,
      }, describeConfigs.decodeDescribeConfigsRequest)
      expect(req).toEqual({
        resources: [
          { resourceType: 2, resourceName: 'orders', configurationKeys: ['retention.ms', 'cleanup.policy'] },
          { resourceType: 4, resourceName: '1', configurationKeys: null },
        ],
        includeSynonyms: true,
        includeDocumentation: false,
      })
      const res = await viaKafkajsResponse('describeConfigs', v, describeConfigs.encodeDescribeConfigsResponse, {
        throttleTimeMs: 1,
        results: [
          {
            errorCode: 0,
            errorMessage: null,
            resourceType: 2,
            resourceName: 'orders',
            configs: [
              {
                name: 'retention.ms',
                value: '1000',
                readOnly: false,
                configSource: 1,
                isSensitive: false,
                synonyms: [{ name: 'retention.ms', value: '1000', source: 1 }],
              },
            ],
          },
        ],
      })
      expect(throttleOf(res)).toBe(1)
      expect(res.resources).toHaveLength(1)
      expect(res.resources[0]).toMatchObject({ errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 'orders' })
      const entry = res.resources[0].configEntries[0]
      expect(entry).toMatchObject({ configName: 'retention.ms', configValue: '1000', readOnly: false, isSensitive: false })
      expect(entry.configSource).toBe(1)
      expect(entry.configSynonyms).toEqual([{ configName: 'retention.ms', configValue: '1000', configSource: 1 }])
    })
  }
})

describe('InitProducerId v0–1 against kafkajs', () => {
  for (const v of range(0, 1)) {
    it(`v${v}`, async () => {
      const req = await viaKafkajsRequest('initProducerId', v, { transactionalId: null, transactionTimeout: 5000 }, initProducerId.decodeInitProducerIdRequest)
      expect(req).toEqual({ transactionalId: null, transactionTimeoutMs: 5000, producerId: -1, producerEpoch: -1, enable2Pc: false, keepPreparedTxn: false })
      const txn = await viaKafkajsRequest('initProducerId', v, { transactionalId: 'tx-1', transactionTimeout: 60000 }, initProducerId.decodeInitProducerIdRequest)
      expect(txn.transactionalId).toBe('tx-1')
      const res = await viaKafkajsResponse('initProducerId', v, initProducerId.encodeInitProducerIdResponse, {
        throttleTimeMs: 0,
        errorCode: 0,
        producerId: 123456789012,
        producerEpoch: 3,
      })
      expect(res).toMatchObject({ errorCode: 0, producerId: '123456789012', producerEpoch: 3 })
    })
  }
})

describe('FindCoordinator v0–2 against kafkajs', () => {
  for (const v of range(0, 2)) {
    it(`v${v}`, async () => {
      const args = v === 0 ? { groupId: 'group-1' } : { coordinatorKey: 'tx-1', coordinatorType: 1 }
      const req = await viaKafkajsRequest('findCoordinator', v, args, findCoordinator.decodeFindCoordinatorRequest)
      expect(req).toEqual({ key: v === 0 ? 'group-1' : 'tx-1', keyType: v === 0 ? 0 : 1, coordinatorKeys: [] })
      const res = await viaKafkajsResponse('findCoordinator', v, findCoordinator.encodeFindCoordinatorResponse, {
        throttleTimeMs: 5,
        errorCode: 0,
        errorMessage: null,
        nodeId: 1,
        host: 'localhost',
        port: 9092,
      })
      expect(res).toMatchObject({ errorCode: 0, coordinator: { nodeId: 1, host: 'localhost', port: 9092 } })
      if (v >= 1) {
        expect(res.errorMessage).toBeNull()
        expect(throttleOf(res)).toBe(5)
      }
    })
  }
})

describe('JoinGroup v0–5 against kafkajs', () => {
  for (const v of range(0, 5)) {
    it(`v${v}`, async () => {
      const meta = Buffer.from([0, 1, 2, 3, 250])
      const req = await viaKafkajsRequest('joinGroup', v, {
        groupId: 'group-1',
        sessionTimeout: 30000,
        rebalanceTimeout: 60000,
        memberId: '',
        groupInstanceId: null,
        protocolType: 'consumer',
        groupProtocols: [
          { name: 'RoundRobinAssigner', metadata: meta },
          { name: 'Other', metadata: Buffer.alloc(0) },
        ],
      }, joinGroup.decodeJoinGroupRequest)
      expect(req).toEqual({
        groupId: 'group-1',
        sessionTimeoutMs: 30000,
        rebalanceTimeoutMs: v >= 1 ? 60000 : -1,
        memberId: '',
        groupInstanceId: null,
        protocolType: 'consumer',
        protocols: [
          { name: 'RoundRobinAssigner', metadata: meta },
          { name: 'Other', metadata: Buffer.alloc(0) },
        ],
        reason: null,
      })
      const res = await viaKafkajsResponse('joinGroup', v, joinGroup.encodeJoinGroupResponse, {
        throttleTimeMs: 0,
        errorCode: 0,
        generationId: 7,
        protocolName: 'RoundRobinAssigner',
        leader: 'member-1',
        memberId: 'member-2',
        members: [
          { memberId: 'member-1', groupInstanceId: null, metadata: meta },
          { memberId: 'member-2', groupInstanceId: null, metadata: Buffer.from('x') },
        ],
      })
      expect(res).toMatchObject({ errorCode: 0, generationId: 7, groupProtocol: 'RoundRobinAssigner', leaderId: 'member-1', memberId: 'member-2' })
      expect(res.members.map((m: { memberId: string; memberMetadata: Buffer }) => [m.memberId, m.memberMetadata.toString('hex')])).toEqual([
        ['member-1', meta.toString('hex')],
        ['member-2', '78'],
      ])
    })
  }
})

describe('SyncGroup v0–3 against kafkajs', () => {
  for (const v of range(0, 3)) {
    it(`v${v}`, async () => {
      const assignment = Buffer.from('0001000000010006', 'hex')
      const req = await viaKafkajsRequest('syncGroup', v, {
        groupId: 'group-1',
        generationId: 7,
        memberId: 'member-1',
        groupInstanceId: null,
        groupAssignment: [
          { memberId: 'member-1', memberAssignment: assignment },
          { memberId: 'member-2', memberAssignment: Buffer.alloc(0) },
        ],
      }, syncGroup.decodeSyncGroupRequest)
      expect(req).toEqual({
        groupId: 'group-1',
        generationId: 7,
        memberId: 'member-1',
        groupInstanceId: null,
        protocolType: null,
        protocolName: null,
        assignments: [
          { memberId: 'member-1', assignment },
          { memberId: 'member-2', assignment: Buffer.alloc(0) },
        ],
      })
      const res = await viaKafkajsResponse('syncGroup', v, syncGroup.encodeSyncGroupResponse, { throttleTimeMs: 0, errorCode: 0, assignment })
      expect(res.errorCode).toBe(0)
      expect(res.memberAssignment.toString('hex')).toBe(assignment.toString('hex'))
    })
  }
})

describe('Heartbeat v0–3 against kafkajs', () => {
  for (const v of range(0, 3)) {
    it(`v${v}`, async () => {
      const req = await viaKafkajsRequest('heartbeat', v, { groupId: 'group-1', groupGenerationId: 7, memberId: 'member-1', groupInstanceId: 'instance-a' }, heartbeat.decodeHeartbeatRequest)
      expect(req).toEqual({ groupId: 'group-1', generationId: 7, memberId: 'member-1', groupInstanceId: v >= 3 ? 'instance-a' : null })
      const res = await viaKafkajsResponse('heartbeat', v, heartbeat.encodeHeartbeatResponse, { throttleTimeMs: 11, errorCode: 0 })
      expect(res.errorCode).toBe(0)
      if (v >= 1) expect(throttleOf(res)).toBe(11)
    })
  }
})

describe('LeaveGroup v0–3 against kafkajs', () => {
  for (const v of range(0, 3)) {
    it(`v${v}`, async () => {
      const args = v < 3 ? { groupId: 'group-1', memberId: 'member-1' } : { groupId: 'group-1', members: [{ memberId: 'member-1' }, { memberId: 'member-2', groupInstanceId: 'i2' }] }
      const req = await viaKafkajsRequest('leaveGroup', v, args, leaveGroup.decodeLeaveGroupRequest)
      expect(req).toEqual(
        v < 3
          ? { groupId: 'group-1', memberId: 'member-1', members: [] }
          : {
              groupId: 'group-1',
              memberId: '',
              members: [
                { memberId: 'member-1', groupInstanceId: null, reason: null },
                { memberId: 'member-2', groupInstanceId: 'i2', reason: null },
              ],
            },
      )
      const res = await viaKafkajsResponse('leaveGroup', v, leaveGroup.encodeLeaveGroupResponse, {
        throttleTimeMs: 0,
        errorCode: 0,
        members: v >= 3 ? [{ memberId: 'member-1', groupInstanceId: null, errorCode: 25 }] : [],
      })
      expect(res.errorCode).toBe(0)
      if (v >= 3) expect(res.members).toEqual([{ memberId: 'member-1', groupInstanceId: null, errorCode: 25 }])
    })
  }
})

describe('OffsetCommit v2–5 against kafkajs', () => {
  for (const v of range(2, 5)) {
    it(`v${v}`, async () => {
      const req = await viaKafkajsRequest('offsetCommit', v, {
        groupId: 'group-1',
        groupGenerationId: 7,
        memberId: 'member-1',
        retentionTime: 86400000,
        topics: [
          {
            topic: 'orders',
            partitions: [
              { partition: 0, offset: '12345678901', timestamp: 1700000000000, metadata: null },
              { partition: 1, offset: '5', timestamp: 1700000000000, metadata: 'm' },
            ],
          },
        ],
      }, offsetCommit.decodeOffsetCommitRequest)
      expect(req).toEqual({
        groupId: 'group-1',
        generationIdOrMemberEpoch: 7,
        memberId: 'member-1',
        groupInstanceId: null,
        retentionTimeMs: v >= 2 && v <= 4 ? 86400000 : -1,
        topics: [
          {
            name: 'orders',
            topicId: ZERO_UUID,
            partitions: [
              { partitionIndex: 0, committedOffset: 12345678901, committedLeaderEpoch: -1, committedMetadata: null },
              { partitionIndex: 1, committedOffset: 5, committedLeaderEpoch: -1, committedMetadata: 'm' },
            ],
          },
        ],
      })
      const res = await viaKafkajsResponse('offsetCommit', v, offsetCommit.encodeOffsetCommitResponse, {
        throttleTimeMs: 3,
        topics: [
          {
            name: 'orders',
            partitions: [
              { partitionIndex: 0, errorCode: 0 },
              { partitionIndex: 1, errorCode: 12 },
            ],
          },
        ],
      })
      expect(res.responses).toEqual([
        {
          topic: 'orders',
          partitions: [
            { partition: 0, errorCode: 0 },
            { partition: 1, errorCode: 12 },
          ],
        },
      ])
      if (v >= 3) expect(throttleOf(res)).toBe(3)
    })
  }
})

describe('OffsetFetch v1–4 against kafkajs', () => {
  for (const v of range(1, 4)) {
    it(`v${v}`, async () => {
      const req = await viaKafkajsRequest('offsetFetch', v, {
        groupId: 'group-1',
        topics: [{ topic: 'orders', partitions: [{ partition: 0 }, { partition: 2 }] }],
      }, offsetFetch.decodeOffsetFetchRequest)
      expect(req).toEqual({ groupId: 'group-1', topics: [{ name: 'orders', partitionIndexes: [0, 2] }], groups: [], requireStable: false })
      const res = await viaKafkajsResponse('offsetFetch', v, offsetFetch.encodeOffsetFetchResponse, {
        throttleTimeMs: 4,
        topics: [
          {
            name: 'orders',
            partitions: [
              { partitionIndex: 0, committedOffset: 12345678901, metadata: '', errorCode: 0 },
              { partitionIndex: 2, committedOffset: -1, metadata: null, errorCode: 0 },
            ],
          },
        ],
        errorCode: 0,
      })
      expect(res.responses).toEqual([
        {
          topic: 'orders',
          partitions: [
            { partition: 0, offset: '12345678901', metadata: '', errorCode: 0 },
            { partition: 2, offset: '-1', metadata: null, errorCode: 0 },
          ],
        },
      ])
      if (v >= 2) expect(res.errorCode).toBe(0)
      if (v >= 3) expect(throttleOf(res)).toBe(4)
    })
  }
})

describe('ListGroups v0–2 against kafkajs', () => {
  for (const v of range(0, 2)) {
    it(`v${v}`, async () => {
      expect(await viaKafkajsRequest('listGroups', v, undefined, listGroups.decodeListGroupsRequest)).toEqual({ statesFilter: [], typesFilter: [] })
      const res = await viaKafkajsResponse('listGroups', v, listGroups.encodeListGroupsResponse, {
        throttleTimeMs: 2,
        errorCode: 0,
        groups: [
          { groupId: 'group-b', protocolType: 'consumer' },
          { groupId: 'group-a', protocolType: '' },
        ],
      })
      expect(res.errorCode).toBe(0)
      expect(res.groups).toEqual([
        { groupId: 'group-b', protocolType: 'consumer' },
        { groupId: 'group-a', protocolType: '' },
      ])
      if (v >= 1) expect(throttleOf(res)).toBe(2)
    })
  }
})

describe('DescribeGroups v0–2 against kafkajs', () => {
  for (const v of range(0, 2)) {
    it(`v${v}`, async () => {
      const req = await viaKafkajsRequest('describeGroups', v, { groupIds: ['g2', 'g1'] }, describeGroups.decodeDescribeGroupsRequest)
      expect(req).toEqual({ groups: ['g2', 'g1'], includeAuthorizedOperations: false })
      const res = await viaKafkajsResponse('describeGroups', v, describeGroups.encodeDescribeGroupsResponse, {
        throttleTimeMs: 1,
        groups: [
          {
            errorCode: 0,
            groupId: 'g2',
            groupState: 'Stable',
            protocolType: 'consumer',
            protocolData: 'RoundRobinAssigner',
            members: [{ memberId: 'm1', clientId: 'client', clientHost: '/127.0.0.1', memberMetadata: Buffer.from('md'), memberAssignment: Buffer.from('as') }],
          },
        ],
      })
      expect(res.groups).toHaveLength(1)
      expect(res.groups[0]).toMatchObject({ errorCode: 0, groupId: 'g2', state: 'Stable', protocolType: 'consumer', protocol: 'RoundRobinAssigner' })
      const member = res.groups[0].members[0]
      expect([member.memberId, member.clientId, member.clientHost, member.memberMetadata.toString(), member.memberAssignment.toString()]).toEqual([
        'm1',
        'client',
        '/127.0.0.1',
        'md',
        'as',
      ])
      if (v >= 1) expect(throttleOf(res)).toBe(1)
    })
  }
})

describe('DeleteGroups v0–1 against kafkajs', () => {
  for (const v of range(0, 1)) {
    it(`v${v}`, async () => {
      expect(await viaKafkajsRequest('deleteGroups', v, ['g1', 'g2'], deleteGroups.decodeDeleteGroupsRequest)).toEqual({ groupsNames: ['g1', 'g2'] })
      const res = await viaKafkajsResponse('deleteGroups', v, deleteGroups.encodeDeleteGroupsResponse, {
        throttleTimeMs: 0,
        results: [
          { groupId: 'g1', errorCode: 0 },
          { groupId: 'g2', errorCode: 69 },
        ],
      })
      expect(res.results).toMatchObject([
        { groupId: 'g1', errorCode: 0 },
        { groupId: 'g2', errorCode: 69, error: { type: 'GROUP_ID_NOT_FOUND' } },
      ])
    })
  }
})
