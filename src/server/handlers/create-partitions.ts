/**
 * CreatePartitions (37), v0–v3.
 * Behaviour: `count` is the new total, checked per topic with the KRaft controller's messages: unknown topic
 * → UNKNOWN_TOPIC_OR_PARTITION; equal → INVALID_PARTITIONS `Topic already has <n> partition(s).`; lower →
 * INVALID_PARTITIONS `The topic <t> currently has <n> partition(s); <m> would not be an increase.`; a
 * non-null `assignments` must hold exactly one entry per new partition (INVALID_REPLICA_ASSIGNMENT
 * `Attempted to add <a> additional partition(s), but only <b> assignment(s) were specified.`), each placing
 * it on this node alone; a name given twice → INVALID_REQUEST `Duplicate topic name.` (once).
 * validate_only checks without adding.
 * Differs from Apache Kafka: timeout_ms is ignored (the partitions exist when the answer is sent).
 */
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeCreatePartitionsRequest,
  encodeCreatePartitionsResponse,
  type CreatePartitionsRequest,
  type CreatePartitionsResponseInput,
  type CreatePartitionsTopic,
  type CreatePartitionsTopicResultInput,
} from '../../protocol/messages/create-partitions.js'
import { KafkaError } from '../../broker/kafka-error.js'
import { defineHandler, type RequestContext } from '../handler.js'
import { manualAssignmentProblem } from './create-topics.js'

/** Replicas per partition of every kafka-ts topic (one node). */
const REPLICATION_FACTOR = 1

export const createPartitionsHandler = defineHandler<CreatePartitionsRequest, CreatePartitionsResponseInput>({
  apiKey: ApiKey.CreatePartitions,
  name: 'CreatePartitions',
  minVersion: 0,
  maxVersion: 3,
  decode: decodeCreatePartitionsRequest,
  encode: encodeCreatePartitionsResponse,
  handle(req, ctx) {
    const occurrences = new Map<string, number>()
    for (const t of req.topics) occurrences.set(t.name, (occurrences.get(t.name) ?? 0) + 1)
    const reported = new Set<string>()
    const results: CreatePartitionsTopicResultInput[] = []
    for (const t of req.topics) {
      if ((occurrences.get(t.name) ?? 0) > 1) {
        if (!reported.has(t.name)) results.push(result(t.name, new KafkaError('INVALID_REQUEST', 'Duplicate topic name.')))
        reported.add(t.name)
        continue
      }
      results.push(result(t.name, addPartitions(t, req.validateOnly, ctx)))
    }
    return { throttleTimeMs: 0, results }
  },
})

function addPartitions(t: CreatePartitionsTopic, validateOnly: boolean, ctx: RequestContext): KafkaError | undefined {
  const { broker } = ctx
  const row = broker.findTopic(t.name)
  // The count checks come first (the broker makes them); assignments only matter for a real increase.
  if (t.assignments !== null && row && t.count > row.partitionCount) {
    const additional = t.count - row.partitionCount
    if (t.assignments.length !== additional) {
      return new KafkaError(
        'INVALID_REPLICA_ASSIGNMENT',
        `Attempted to add ${additional} additional partition(s), but only ${t.assignments.length} assignment(s) were specified.`,
      )
    }
    for (const a of t.assignments) {
      const problem = manualAssignmentProblem(a.brokerIds, broker.nodeId, REPLICATION_FACTOR)
      if (problem) return new KafkaError('INVALID_REPLICA_ASSIGNMENT', problem)
    }
  }
  const [outcome] = broker.createPartitions([{ name: t.name, count: t.count }], { validateOnly })
  if (!outcome) return new KafkaError('UNKNOWN_SERVER_ERROR')
  return outcome.ok ? undefined : outcome.error
}

function result(name: string, error: KafkaError | undefined): CreatePartitionsTopicResultInput {
  return { name, errorCode: error?.code ?? 0, errorMessage: error?.message ?? null }
}
