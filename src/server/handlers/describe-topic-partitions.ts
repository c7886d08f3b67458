/**
 * DescribeTopicPartitions (75), v0 (flexible).
 * Behaviour (Kafka 4.3's DescribeTopicPartitionsRequestHandler and KRaftMetadataCache): the named topics, or
 * every topic when none is named, from the cursor's topic on, sorted by name; at most
 * min(ResponsePartitionLimit, max.request.partition.size.limit = 2000) partitions in all (at least 1). A topic
 * cut short, or the first topic left out, becomes NextCursor (topic, first partition not sent). Named topics
 * that do not exist answer UNKNOWN_TOPIC_OR_PARTITION (INVALID_TOPIC_EXCEPTION for an illegal name); when
 * listing all, none can be missing. A cursor whose topic is not among the named ones, or with a negative
 * partition, fails the whole request with INVALID_REQUEST on every named topic. This node leads every
 * partition at epoch 0 with itself as the only replica; the eligible-leader-replica lists are empty.
 * Topic authorized operations: every topic operation (no authorizer).
 */
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeDescribeTopicPartitionsRequest,
  encodeDescribeTopicPartitionsResponse,
  type DescribeTopicPartitionsRequest,
  type DescribeTopicPartitionsResponseInput,
  type DescribeTopicPartitionsResponseTopicInput,
} from '../../protocol/messages/describe-topic-partitions.js'
import { ZERO_UUID } from '../../protocol/reader.js'
import { authorizedOperations } from '../../broker/authorized-operations.js'
import { KafkaError } from '../../broker/kafka-error.js'
import { LEADER_EPOCH } from '../../broker/leader-epoch.js'
import { isInternalTopic, topicNameProblem } from '../../broker/topic-names.js'
import { defineHandler } from '../handler.js'

/** Kafka's max.request.partition.size.limit default: the broker's own cap on partitions per answer. */
const MAX_REQUEST_PARTITION_SIZE_LIMIT = 2000

export const describeTopicPartitionsHandler = defineHandler<DescribeTopicPartitionsRequest, DescribeTopicPartitionsResponseInput>({
  apiKey: ApiKey.DescribeTopicPartitions,
  name: 'DescribeTopicPartitions',
  minVersion: 0,
  maxVersion: 0,
  decode: decodeDescribeTopicPartitionsRequest,
  encode: encodeDescribeTopicPartitionsResponse,
  handle(req, ctx) {
    const { broker } = ctx
    const all = req.topics.length === 0
    const cursor = req.cursor
    const from = cursor?.topicName ?? ''
    const names = [...new Set(all ? broker.listTopics().map((t) => t.name) : req.topics.map((t) => t.name))].filter((n) => n >= from).sort()
    if ((cursor !== null && !all && !names.includes(cursor.topicName)) || (cursor !== null && cursor.partitionIndex < 0)) {
      const code = new KafkaError('INVALID_REQUEST').code
      return { throttleTimeMs: 0, topics: req.topics.map((t) => ({ errorCode: code, name: t.name, topicId: ZERO_UUID, isInternal: false, partitions: [] })), nextCursor: null }
    }
    let remaining = Math.max(Math.min(MAX_REQUEST_PARTITION_SIZE_LIMIT, req.responsePartitionLimit), 1)
    const topics: DescribeTopicPartitionsResponseTopicInput[] = []
    let nextCursor: { topicName: string; partitionIndex: number } | null = null
    for (const name of names) {
      if (remaining <= 0) {
        nextCursor ??= { topicName: name, partitionIndex: 0 }
        break
      }
      const row = broker.findTopic(name)
      if (row === undefined) {
        if (all) continue
        const error = new KafkaError(topicNameProblem(name) === undefined ? 'UNKNOWN_TOPIC_OR_PARTITION' : 'INVALID_TOPIC_EXCEPTION')
        topics.push({ errorCode: error.code, name, topicId: ZERO_UUID, isInternal: isInternalTopic(name), partitions: [], topicAuthorizedOperations: authorizedOperations('topic') })
        continue
      }
      const start = name === cursor?.topicName ? cursor.partitionIndex : 0
      const end = Math.min(start + remaining, row.partitionCount)
      if (end < row.partitionCount) nextCursor = { topicName: name, partitionIndex: end }
      const partitions = []
      for (let partitionIndex = start; partitionIndex < end; partitionIndex++) {
        const node = [broker.nodeId]
        partitions.push({ errorCode: 0, partitionIndex, leaderId: broker.nodeId, leaderEpoch: LEADER_EPOCH, replicaNodes: node, isrNodes: node, eligibleLeaderReplicas: [], lastKnownElr: [], offlineReplicas: [] })
      }
      remaining -= partitions.length
      topics.push({ errorCode: 0, name, topicId: row.uuid, isInternal: isInternalTopic(name), partitions, topicAuthorizedOperations: authorizedOperations('topic') })
    }
    return { throttleTimeMs: 0, topics, nextCursor }
  },
})
