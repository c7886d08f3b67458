/**
 * Metadata (3), v0–v13.
 * Behaviour: this node is the only broker, leader and sole replica of every partition. Requested
 * topics: v0 empty array = all, v1+ null = all. An unknown topic is created on the spot with the
 * broker defaults when auto-creation is allowed (v4+ allow_auto_topic_creation; implicitly for
 * v0–3) and `auto.create.topics.enable` is on, and returned complete with error 0; otherwise
 * UNKNOWN_TOPIC_OR_PARTITION (INVALID_TOPIC_EXCEPTION for an illegal name). v10+ topics may be
 * asked for by id (UNKNOWN_TOPIC_ID when unknown). v8+ authorized operations, when asked for, are what a
 * broker without an authorizer answers: every topic operation for each topic named or listed (not for unknown
 * ids, as Kafka), every cluster operation (v8–10). v13 adds a top-level error code, always 0 here (Kafka
 * sets it only to ask clients to rebootstrap).
 * Differs from Apache Kafka: KRaft answers the creating request with UNKNOWN_TOPIC_OR_PARTITION
 * and lets the client retry; one node can create synchronously, so clients skip the retry.
 */
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeMetadataRequest,
  encodeMetadataResponse,
  type MetadataRequest,
  type MetadataResponseInput,
  type MetadataResponseTopicInput,
} from '../../protocol/messages/metadata.js'
import { ZERO_UUID } from '../../protocol/reader.js'
import type { TopicRow } from '../../broker/records.js'
import { KafkaError } from '../../broker/kafka-error.js'
import { topicNameProblem } from '../../broker/topic-names.js'
import { AUTHORIZED_OPERATIONS_OMITTED, authorizedOperations } from '../../broker/authorized-operations.js'
import { defineHandler, type RequestContext } from '../handler.js'

export const metadataHandler = defineHandler<MetadataRequest, MetadataResponseInput>({
  apiKey: ApiKey.Metadata,
  name: 'Metadata',
  minVersion: 0,
  maxVersion: 13,
  decode: decodeMetadataRequest,
  encode: encodeMetadataResponse,
  handle(req, ctx) {
    const { broker, apiVersion } = ctx
    const nodeId = broker.nodeId
    const all = req.topics === null || (apiVersion === 0 && req.topics.length === 0)
    const allowAutoCreate = (apiVersion < 4 || req.allowAutoTopicCreation) && broker.config.autoCreateTopicsEnable
    const topics: MetadataResponseTopicInput[] = all
      ? broker.listTopics().map((row) => topicEntry(row, nodeId))
      : (req.topics ?? []).map((t) => {
          if (t.name === null) {
            const row = broker.findTopicByUuid(t.topicId)
            return row ? topicEntry(row, nodeId) : errorEntry(null, new KafkaError('UNKNOWN_TOPIC_ID'), t.topicId)
          }
          return lookup(t.name, allowAutoCreate, ctx)
        })
    if (apiVersion >= 8 && req.includeTopicAuthorizedOperations) {
      for (const t of topics) if (t.name !== null) t.topicAuthorizedOperations = authorizedOperations('topic')
    }
    const askedForCluster = apiVersion >= 8 && apiVersion <= 10 && req.includeClusterAuthorizedOperations
    return {
      throttleTimeMs: 0,
      brokers: [{ nodeId, host: ctx.advertised.host, port: ctx.advertised.port, rack: null }],
      clusterId: broker.clusterId,
      controllerId: nodeId,
      topics,
      clusterAuthorizedOperations: askedForCluster ? authorizedOperations('cluster') : AUTHORIZED_OPERATIONS_OMITTED,
    }
  },
})

function lookup(name: string, allowAutoCreate: boolean, ctx: RequestContext): MetadataResponseTopicInput {
  const { broker } = ctx
  const existing = broker.findTopic(name)
  if (existing) return topicEntry(existing, broker.nodeId)
  if (topicNameProblem(name) !== undefined) return errorEntry(name, new KafkaError('INVALID_TOPIC_EXCEPTION'))
  if (!allowAutoCreate) return errorEntry(name, new KafkaError('UNKNOWN_TOPIC_OR_PARTITION'))
  const [outcome] = broker.createTopics([{ name, numPartitions: -1, replicationFactor: -1, configs: new Map() }])
  const created = broker.findTopic(name)
  if (created) {
    if (outcome?.ok) ctx.log(`Auto-created topic ${name} with ${created.partitionCount} partition(s) for client ${ctx.clientId}`)
    return topicEntry(created, broker.nodeId)
  }
  return errorEntry(name, outcome && !outcome.ok ? outcome.error : new KafkaError('UNKNOWN_TOPIC_OR_PARTITION'))
}

function topicEntry(row: TopicRow, nodeId: number): MetadataResponseTopicInput {
  return {
    errorCode: 0,
    name: row.name,
    topicId: row.uuid,
    isInternal: row.name.startsWith('__'),
    partitions: Array.from({ length: row.partitionCount }, (_, partitionIndex) => ({
      errorCode: 0,
      partitionIndex,
      leaderId: nodeId,
      leaderEpoch: 0,
      replicaNodes: [nodeId],
      isrNodes: [nodeId],
      offlineReplicas: [],
    })),
    topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
  }
}

function errorEntry(name: string | null, error: KafkaError, topicId: Buffer = ZERO_UUID): MetadataResponseTopicInput {
  return { errorCode: error.code, name, topicId, isInternal: false, partitions: [], topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED }
}
