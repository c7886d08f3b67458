/**
 * DeleteTopics (20), v1–v6 (v0 closes the connection since Kafka 4.0, KIP-896).
 * Behaviour: each topic is deleted on its own (its records and partitions go with it). v1–v5 name topics;
 * v6 names them or gives their topic id (unknown id → UNKNOWN_TOPIC_ID, and the answer carries the deleted
 * topic's name). Unknown name → UNKNOWN_TOPIC_OR_PARTITION. As the KRaft controller: a name or id given twice
 * → INVALID_REQUEST `Duplicate topic name.` / `Duplicate topic id.` (once); v6 with both name and id →
 * INVALID_REQUEST `You may not specify both topic name and topic id.`, with neither → `Neither topic name nor
 * id were specified.`; `delete.topic.enable=false` → TOPIC_DELETION_DISABLED (INVALID_REQUEST below v3, which
 * predates that code). error_message from v5.
 * Differs from Apache Kafka: timeout_ms is ignored (deletion is synchronous); results keep request order.
 */
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeDeleteTopicsRequest,
  encodeDeleteTopicsResponse,
  type DeletableTopicResultInput,
  type DeleteTopicsRequest,
  type DeleteTopicsResponseInput,
} from '../../protocol/messages/delete-topics.js'
import { ZERO_UUID, isZeroUuid } from '../../protocol/reader.js'
import { KafkaError } from '../../broker/kafka-error.js'
import { defineHandler, type RequestContext } from '../handler.js'

interface Target {
  readonly name: string | null
  readonly topicId: Buffer
}

export const deleteTopicsHandler = defineHandler<DeleteTopicsRequest, DeleteTopicsResponseInput>({
  apiKey: ApiKey.DeleteTopics,
  name: 'DeleteTopics',
  minVersion: 1,
  maxVersion: 6,
  decode: decodeDeleteTopicsRequest,
  encode: encodeDeleteTopicsResponse,
  handle(req, ctx) {
    const targets: Target[] = ctx.apiVersion >= 6 ? req.topics : req.topicNames.map((name) => ({ name, topicId: ZERO_UUID }))
    const nameCount = new Map<string, number>()
    const idCount = new Map<string, number>()
    for (const t of targets) {
      if (t.name !== null && isZeroUuid(t.topicId)) nameCount.set(t.name, (nameCount.get(t.name) ?? 0) + 1)
      if (t.name === null && !isZeroUuid(t.topicId)) {
        const id = t.topicId.toString('hex')
        idCount.set(id, (idCount.get(id) ?? 0) + 1)
      }
    }
    const reported = new Set<string>()
    const responses: DeletableTopicResultInput[] = []
    for (const t of targets) {
      const byName = isZeroUuid(t.topicId)
      if (t.name !== null && !byName) {
        responses.push(result(t.name, t.topicId, new KafkaError('INVALID_REQUEST', 'You may not specify both topic name and topic id.'), ctx))
      } else if (t.name === null && byName) {
        responses.push(result(null, ZERO_UUID, new KafkaError('INVALID_REQUEST', 'Neither topic name nor id were specified.'), ctx))
      } else if (t.name !== null) {
        if ((nameCount.get(t.name) ?? 0) > 1) {
          if (!reported.has(`n:${t.name}`)) responses.push(result(t.name, ZERO_UUID, new KafkaError('INVALID_REQUEST', 'Duplicate topic name.'), ctx))
          reported.add(`n:${t.name}`)
        } else {
          responses.push(deleteByName(t.name, ctx))
        }
      } else {
        const id = t.topicId.toString('hex')
        if ((idCount.get(id) ?? 0) > 1) {
          if (!reported.has(`i:${id}`)) responses.push(result(null, t.topicId, new KafkaError('INVALID_REQUEST', 'Duplicate topic id.'), ctx))
          reported.add(`i:${id}`)
        } else {
          const row = ctx.broker.findTopicByUuid(t.topicId)
          responses.push(row ? deleteByName(row.name, ctx, t.topicId) : result(null, t.topicId, new KafkaError('UNKNOWN_TOPIC_ID'), ctx))
        }
      }
    }
    return { throttleTimeMs: 0, responses }
  },
})

function deleteByName(name: string, ctx: RequestContext, topicId?: Buffer): DeletableTopicResultInput {
  const id = topicId ?? ctx.broker.findTopic(name)?.uuid ?? ZERO_UUID
  const [outcome] = ctx.broker.deleteTopics([name])
  if (!outcome) return result(name, id, new KafkaError('UNKNOWN_SERVER_ERROR'), ctx)
  if (outcome.ok) return result(name, id, undefined, ctx)
  // TOPIC_DELETION_DISABLED (73) arrived with DeleteTopics v3; older clients cannot decode it.
  const error =
    outcome.error.errorName === 'TOPIC_DELETION_DISABLED' && ctx.apiVersion < 3
      ? new KafkaError('INVALID_REQUEST', 'Topic deletion is disabled.')
      : outcome.error
  return result(name, error.errorName === 'UNKNOWN_TOPIC_OR_PARTITION' ? ZERO_UUID : id, error, ctx)
}

function result(name: string | null, topicId: Buffer, error: KafkaError | undefined, ctx: RequestContext): DeletableTopicResultInput {
  const r: DeletableTopicResultInput = { name, errorCode: error?.code ?? 0 }
  if (ctx.apiVersion >= 5) r.errorMessage = error?.message ?? null
  if (ctx.apiVersion >= 6) r.topicId = topicId
  return r
}
