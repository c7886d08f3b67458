import { afterEach, describe, expect, it } from 'vitest'

import { ApiKey } from '../../src/protocol/api-keys.js'
import { decodeDescribeLogDirsResponse, encodeDescribeLogDirsRequest, type DescribeLogDirsRequestInput } from '../../src/protocol/messages/describe-log-dirs.js'
import { decodeDescribeProducersResponse, encodeDescribeProducersRequest } from '../../src/protocol/messages/describe-producers.js'
import {
  decodeDescribeTopicPartitionsResponse,
  encodeDescribeTopicPartitionsRequest,
  type DescribeTopicPartitionsRequestInput,
} from '../../src/protocol/messages/describe-topic-partitions.js'
import { decodeOffsetForLeaderEpochResponse, encodeOffsetForLeaderEpochRequest, type OffsetForLeaderPartitionInput } from '../../src/protocol/messages/offset-for-leader-epoch.js'
import { ZERO_UUID } from '../../src/protocol/reader.js'
import { RecordBatchBuilder } from '../../src/protocol/record-batch-builder.js'
import { rawRequest } from '../helpers/raw-client.js'
import { startTestServer, type TestServer } from '../helpers/server.js'

// The APIs a Kafka 4.x broker serves beside the classic ones, through a real server and the project's own
// codec over a raw socket: DescribeTopicPartitions' paging, OffsetForLeaderEpoch's answers for epoch 0,
// DescribeLogDirs' sizes and DescribeProducers' idempotent-producer state.

const UNKNOWN_TOPIC_OR_PARTITION = 3
const INVALID_TOPIC_EXCEPTION = 17
const INVALID_REQUEST = 42
const FENCED_LEADER_EPOCH = 74
const UNKNOWN_LEADER_EPOCH = 75
/** READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS. */
const ALL_TOPIC_OPERATIONS = 3576

let server: TestServer | undefined

afterEach(async () => {
  await server?.stop()
  server = undefined
})

async function withTopics(topics: Record<string, number>): Promise<TestServer> {
  server = await startTestServer()
  const created = server.broker.createTopics(Object.entries(topics).map(([name, numPartitions]) => ({ name, numPartitions, replicationFactor: -1, configs: new Map() })))
  expect(created.every((c) => c.ok)).toBe(true)
  return server
}

/** Appends `count` records to the partition in one batch (idempotent when `producer` is given); returns the batch's max timestamp. */
function append(s: TestServer, topic: string, partition: number, count: number, producer?: { id: number; epoch: number; sequence: number }): number {
  const builder = new RecordBatchBuilder()
  const now = Date.now()
  for (let i = 0; i < count; i++) builder.append(now + i, null, Buffer.from(`value-${i}`))
  const batch = builder.build(producer === undefined ? {} : { producerId: producer.id, producerEpoch: producer.epoch, baseSequence: producer.sequence })
  const [result] = s.broker.produce([{ topic: s.broker.requireTopic(topic), partition, batch }], 'commit')
  expect(result?.ok).toBe(true)
  return now + count - 1
}

function describeTopicPartitions(s: TestServer, req: DescribeTopicPartitionsRequestInput) {
  return rawRequest(s.port, ApiKey.DescribeTopicPartitions, 0, (w, v) => encodeDescribeTopicPartitionsRequest(w, v, req), decodeDescribeTopicPartitionsResponse)
}

describe('DescribeTopicPartitions', () => {
  it('pages through every topic by ResponsePartitionLimit, continuing at NextCursor', async () => {
    const s = await withTopics({ beta: 2, alpha: 3, gamma: 1 })
    const first = await describeTopicPartitions(s, { topics: [], responsePartitionLimit: 4 })
    expect(first.topics.map((t) => [t.name, t.partitions.map((p) => p.partitionIndex)])).toEqual([
      ['alpha', [0, 1, 2]],
      ['beta', [0]],
    ])
    expect(first.nextCursor).toEqual({ topicName: 'beta', partitionIndex: 1 })
    const second = await describeTopicPartitions(s, { topics: [], responsePartitionLimit: 4, cursor: first.nextCursor })
    expect(second.topics.map((t) => [t.name, t.partitions.map((p) => p.partitionIndex)])).toEqual([
      ['beta', [1]],
      ['gamma', [0]],
    ])
    expect(second.nextCursor).toBeNull()
    const alpha = first.topics[0]!
    expect(alpha.topicId).toEqual(s.broker.requireTopic('alpha').uuid)
    expect(alpha.topicAuthorizedOperations).toBe(ALL_TOPIC_OPERATIONS)
    expect(alpha.partitions[0]).toEqual({
      errorCode: 0,
      partitionIndex: 0,
      leaderId: 1,
      leaderEpoch: 0,
      replicaNodes: [1],
      isrNodes: [1],
      eligibleLeaderReplicas: [],
      lastKnownElr: [],
      offlineReplicas: [],
    })
  })

  it('starts the next page at the following topic when a page ends exactly at a topic boundary', async () => {
    const s = await withTopics({ alpha: 2, beta: 1 })
    const page = await describeTopicPartitions(s, { topics: [{ name: 'alpha' }, { name: 'beta' }], responsePartitionLimit: 2 })
    expect(page.topics.map((t) => t.name)).toEqual(['alpha'])
    expect(page.nextCursor).toEqual({ topicName: 'beta', partitionIndex: 0 })
  })

  it('answers named topics that do not exist with their error, sorted with the others', async () => {
    const s = await withTopics({ orders: 1 })
    const res = await describeTopicPartitions(s, { topics: [{ name: 'orders' }, { name: 'missing' }, { name: 'bad name!' }] })
    expect(res.topics.map((t) => [t.name, t.errorCode, t.partitions.length])).toEqual([
      ['bad name!', INVALID_TOPIC_EXCEPTION, 0],
      ['missing', UNKNOWN_TOPIC_OR_PARTITION, 0],
      ['orders', 0, 1],
    ])
    expect(res.topics[1]!.topicId).toEqual(ZERO_UUID)
  })

  it('refuses a cursor naming a topic that is not among the named ones with INVALID_REQUEST on every topic', async () => {
    const s = await withTopics({ orders: 1 })
    const res = await describeTopicPartitions(s, { topics: [{ name: 'orders' }], cursor: { topicName: 'other', partitionIndex: 0 } })
    expect(res.topics.map((t) => [t.name, t.errorCode])).toEqual([['orders', INVALID_REQUEST]])
  })
})

describe('OffsetForLeaderEpoch', () => {
  async function endOffsets(s: TestServer, version: number, partitions: OffsetForLeaderPartitionInput[], topic = 'orders') {
    const res = await rawRequest(
      s.port,
      ApiKey.OffsetForLeaderEpoch,
      version,
      (w, v) => encodeOffsetForLeaderEpochRequest(w, v, { replicaId: -1, topics: [{ topic, partitions }] }),
      decodeOffsetForLeaderEpochResponse,
    )
    return res.topics[0]!.partitions.map((p) => [p.errorCode, p.leaderEpoch, p.endOffset])
  }

  it.each([2, 3, 4])('v%i: epoch 0 ends at the log end offset; -1 and later epochs have no end', async (version) => {
    const s = await withTopics({ orders: 1 })
    append(s, 'orders', 0, 5)
    expect(await endOffsets(s, version, [{ partition: 0, leaderEpoch: 0 }, { partition: 0, leaderEpoch: 1 }, { partition: 0, leaderEpoch: -1 }])).toEqual([
      [0, 0, 5],
      [0, -1, -1],
      [0, -1, -1],
    ])
  })

  it('fences a current leader epoch other than 0 and reports unknown partitions', async () => {
    const s = await withTopics({ orders: 1 })
    expect(
      await endOffsets(s, 4, [
        { partition: 0, leaderEpoch: 0, currentLeaderEpoch: 3 },
        { partition: 0, leaderEpoch: 0, currentLeaderEpoch: -7 },
        { partition: 9, leaderEpoch: 0 },
      ]),
    ).toEqual([
      [UNKNOWN_LEADER_EPOCH, -1, -1],
      [FENCED_LEADER_EPOCH, -1, -1],
      [UNKNOWN_TOPIC_OR_PARTITION, -1, -1],
    ])
    expect(await endOffsets(s, 4, [{ partition: 0, leaderEpoch: 0 }], 'missing')).toEqual([[UNKNOWN_TOPIC_OR_PARTITION, -1, -1]])
  })
})

describe('DescribeLogDirs', () => {
  function describeLogDirs(s: TestServer, version: number, req: DescribeLogDirsRequestInput) {
    return rawRequest(s.port, ApiKey.DescribeLogDirs, version, (w, v) => encodeDescribeLogDirsRequest(w, v, req), decodeDescribeLogDirsResponse)
  }

  it('v4: the data directory with each partition’s on-disk size and the file system’s total and usable bytes', async () => {
    const s = await withTopics({ orders: 2 })
    append(s, 'orders', 0, 200)
    const res = await describeLogDirs(s, 4, { topics: null })
    expect(res.errorCode).toBe(0)
    expect(res.results).toHaveLength(1)
    const dir = res.results[0]!
    expect(dir.logDir).toBe(s.dataDir)
    expect(dir.totalBytes).toBeGreaterThan(0)
    expect(dir.usableBytes).toBeGreaterThan(0)
    expect(dir.usableBytes).toBeLessThanOrEqual(dir.totalBytes)
    const [written, empty] = dir.topics[0]!.partitions
    expect(dir.topics.map((t) => t.name)).toEqual(['orders'])
    // 200 records of ~20 bytes in one batch fill at least one 4 KiB page of the partition's table.
    expect(written).toMatchObject({ partitionIndex: 0, offsetLag: 0, isFutureKey: false })
    expect(written!.partitionSize).toBeGreaterThanOrEqual(4096)
    expect(empty).toMatchObject({ partitionIndex: 1, partitionSize: 0 })
  })

  it('v1: only the partitions asked for that exist, without the volume sizes', async () => {
    const s = await withTopics({ orders: 3, other: 1 })
    const res = await describeLogDirs(s, 1, { topics: [{ topic: 'orders', partitions: [2, 7] }, { topic: 'missing', partitions: [0] }] })
    const dir = res.results[0]!
    expect(dir.topics.map((t) => [t.name, t.partitions.map((p) => p.partitionIndex)])).toEqual([['orders', [2]]])
    expect(dir.totalBytes).toBe(-1)
  })
})

describe('DescribeProducers', () => {
  it('reports each idempotent producer’s epoch, last sequence and last timestamp; no transaction state', async () => {
    const s = await withTopics({ orders: 2 })
    append(s, 'orders', 0, 5, { id: 7, epoch: 2, sequence: 0 })
    const lastTimestamp = append(s, 'orders', 0, 3, { id: 7, epoch: 2, sequence: 5 })
    append(s, 'orders', 0, 1)
    const res = await rawRequest(
      s.port,
      ApiKey.DescribeProducers,
      0,
      (w, v) => encodeDescribeProducersRequest(w, v, { topics: [{ name: 'orders', partitionIndexes: [0, 1, 5] }, { name: 'missing', partitionIndexes: [0] }] }),
      decodeDescribeProducersResponse,
    )
    expect(res.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.errorCode, p.activeProducers])])).toEqual([
      [
        'orders',
        [
          [0, 0, [{ producerId: 7, producerEpoch: 2, lastSequence: 7, lastTimestamp, coordinatorEpoch: -1, currentTxnStartOffset: -1 }]],
          [1, 0, []],
          [5, UNKNOWN_TOPIC_OR_PARTITION, []],
        ],
      ],
      ['missing', [[0, UNKNOWN_TOPIC_OR_PARTITION, []]]],
    ])
  })
})
