/**
 * CreateTopics (19), v2–v7 (v0–1 closed the connection since Kafka 4.0, KIP-896).
 * Behaviour: topics are validated and created one by one (one bad topic never fails the others), with the
 * KRaft controller's codes and messages: illegal name / '.'-'_' collision → INVALID_TOPIC_EXCEPTION, existing
 * → TOPIC_ALREADY_EXISTS, a name given twice in one request → INVALID_REQUEST `Duplicate topic name.` (once),
 * a null config value → INVALID_CONFIG `Null value not supported for topic configs: <names>`, unknown config
 * or bad value → INVALID_CONFIG, -1 partitions / replication factor = broker defaults (v4+ semantics, accepted
 * at every version), 0 or < -1 → INVALID_PARTITIONS / INVALID_REPLICATION_FACTOR, a factor above 1 →
 * INVALID_REPLICATION_FACTOR (one broker). Manual `assignments` need numPartitions = replicationFactor = -1
 * (else INVALID_REQUEST), partitions 0..n-1 each placed on exactly this node (else INVALID_REPLICA_ASSIGNMENT
 * with the controller's message). validate_only (v1+) checks without creating. error_message v1+; v5+ returns
 * the partition count, replication factor and every config of the topic (as DescribeConfigs reports them);
 * v7 the topic id (for validate_only too, an id that is then discarded, as Kafka does).
 * Differs from Apache Kafka: timeout_ms is ignored (creation is synchronous); INVALID_CONFIG and assignment
 * checks of one topic come in kafka-ts's broker order when a topic has several faults at once.
 */
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeCreateTopicsRequest,
  encodeCreateTopicsResponse,
  type CreatableTopic,
  type CreatableTopicResultInput,
  type CreateTopicsRequest,
  type CreateTopicsResponseInput,
} from '../../protocol/messages/create-topics.js'
import { KafkaError } from '../../broker/kafka-error.js'
import { CONFIG_SOURCE_IDS } from '../../broker/config-def.js'
import type { CreatedTopic, NamedOutcome } from '../../broker/types.js'
import { base64UrlToUuid } from '../../util/kafka-uuid.js'
import { defineHandler, type RequestContext } from '../handler.js'

export const createTopicsHandler = defineHandler<CreateTopicsRequest, CreateTopicsResponseInput>({
  apiKey: ApiKey.CreateTopics,
  name: 'CreateTopics',
  minVersion: 2,
  maxVersion: 7,
  decode: decodeCreateTopicsRequest,
  encode: encodeCreateTopicsResponse,
  handle(req, ctx) {
    const occurrences = new Map<string, number>()
    for (const t of req.topics) occurrences.set(t.name, (occurrences.get(t.name) ?? 0) + 1)
    const reported = new Set<string>()
    const topics: CreatableTopicResultInput[] = []
    for (const t of req.topics) {
      if ((occurrences.get(t.name) ?? 0) > 1) {
        if (!reported.has(t.name)) topics.push(failure(t.name, new KafkaError('INVALID_REQUEST', 'Duplicate topic name.')))
        reported.add(t.name)
        continue
      }
      topics.push(createOne(t, req.validateOnly, ctx))
    }
    return { throttleTimeMs: 0, topics }
  },
})

function createOne(t: CreatableTopic, validateOnly: boolean, ctx: RequestContext): CreatableTopicResultInput {
  const { broker, apiVersion } = ctx
  const nullNames = t.configs.filter((c) => c.value === null).map((c) => c.name)
  const configs = new Map<string, string>()
  for (const c of t.configs) if (c.value !== null) configs.set(c.name, c.value)
  const hasAssignments = t.assignments.length > 0
  if (nullNames.length > 0 || hasAssignments) {
    // The controller checks names, existence and configs before assignments: ask the broker for those
    // alone with a partition count and factor that cannot fail.
    const [probe] = broker.createTopics(
      [{ name: t.name, numPartitions: 1, replicationFactor: 1, configs: nullNames.length > 0 ? new Map() : configs }],
      { validateOnly: true },
    )
    if (probe && !probe.ok) return failure(t.name, probe.error)
    if (nullNames.length > 0) {
      return failure(t.name, new KafkaError('INVALID_CONFIG', `Null value not supported for topic configs: ${nullNames.join(',')}`))
    }
  }
  let numPartitions = t.numPartitions
  let replicationFactor = t.replicationFactor
  if (hasAssignments) {
    const problem = assignmentProblem(t, broker.nodeId)
    if (problem) return failure(t.name, problem)
    numPartitions = t.assignments.length
    replicationFactor = 1
  }
  const [outcome] = broker.createTopics([{ name: t.name, numPartitions, replicationFactor, configs }], { validateOnly })
  return toResult(t.name, outcome, apiVersion)
}

function assignmentProblem(t: CreatableTopic, nodeId: number): KafkaError | undefined {
  if (t.replicationFactor !== -1) {
    return new KafkaError('INVALID_REQUEST', 'A manual partition assignment was specified, but replication factor was not set to -1.')
  }
  if (t.numPartitions !== -1) {
    return new KafkaError('INVALID_REQUEST', 'A manual partition assignment was specified, but numPartitions was not set to -1.')
  }
  const seen = new Set<number>()
  let replicas: number | undefined
  for (const a of t.assignments) {
    if (seen.has(a.partitionIndex)) {
      return new KafkaError('INVALID_REPLICA_ASSIGNMENT', `Found multiple manual partition assignments for partition ${a.partitionIndex}`)
    }
    const problem = manualAssignmentProblem(a.brokerIds, nodeId, replicas)
    if (problem) return new KafkaError('INVALID_REPLICA_ASSIGNMENT', problem)
    replicas = a.brokerIds.length
    seen.add(a.partitionIndex)
  }
  for (let i = 0; i < seen.size; i++) {
    if (!seen.has(i)) return new KafkaError('INVALID_REPLICA_ASSIGNMENT', 'partitions should be a consecutive 0-based integer sequence')
  }
  return undefined
}

/**
 * Why one partition's replica list cannot be placed on this single node (the controller's
 * validateManualPartitionAssignment texts), or undefined. `replicas`: the count earlier partitions used.
 */
export function manualAssignmentProblem(brokerIds: readonly number[], nodeId: number, replicas: number | undefined): string | undefined {
  if (brokerIds.length === 0) return 'The manual partition assignment includes an empty replica list.'
  const sorted = [...brokerIds].sort((a, b) => a - b)
  let previous: number | undefined
  for (const id of sorted) {
    if (id !== nodeId) return `The manual partition assignment includes broker ${id}, but no such broker is registered.`
    if (id === previous) return `The manual partition assignment includes the broker ${id} more than once.`
    previous = id
  }
  if (replicas !== undefined && sorted.length !== replicas) {
    return `The manual partition assignment includes a partition with ${sorted.length} replica(s), but this is not consistent with previous partitions, which have ${replicas} replica(s).`
  }
  return undefined
}

function toResult(name: string, outcome: NamedOutcome<CreatedTopic> | undefined, version: number): CreatableTopicResultInput {
  if (!outcome) return failure(name, new KafkaError('UNKNOWN_SERVER_ERROR'))
  if (!outcome.ok) return failure(name, outcome.error)
  const created = outcome.value
  const result: CreatableTopicResultInput = { name, errorCode: 0, errorMessage: null }
  if (version >= 7) result.topicId = base64UrlToUuid(created.topicId)
  if (version >= 5) {
    result.numPartitions = created.numPartitions
    result.replicationFactor = created.replicationFactor
    result.configs = created.configs.map((c) => ({
      name: c.name,
      value: c.isSensitive ? null : c.value,
      readOnly: c.readOnly,
      configSource: CONFIG_SOURCE_IDS[c.source],
      isSensitive: c.isSensitive,
    }))
  }
  return result
}

function failure(name: string, error: KafkaError): CreatableTopicResultInput {
  return { name, errorCode: error.code, errorMessage: error.message }
}
