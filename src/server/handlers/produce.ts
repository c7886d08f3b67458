/**
 * Produce (0), v3–v13, advertised from v0 as Kafka 4.x does (KAFKA-18659); v0–2 close the connection.
 * Behaviour: acks must be -1, 0 or 1 (else INVALID_REQUIRED_ACKS for every partition). Each
 * partition's `records` must be exactly one RecordBatch v2 (else INVALID_RECORD), fully validated
 * (CRC → CORRUPT_MESSAGE, structure → INVALID_RECORD, size → MESSAGE_TOO_LARGE); ZSTD needs v7+
 * (UNSUPPORTED_COMPRESSION_TYPE). Offsets are assigned in the write transaction; idempotent batches
 * get Kafka's sequence checks. A keyless record on a compacted topic fails its batch with INVALID_RECORD
 * and record_errors naming each such record (Kafka's LogValidator). acks=-1 is answered after the batch is fsynced and acks=1 after the
 * commit — requests arriving together share one transaction (group commit). acks=0 gets no answer,
 * and if its append failed the connection is closed so the client notices (as Kafka does).
 * Version notes: v0–2 are advertised only because librdkafka (≤ 2.11) sends gzip, snappy and lz4
 * batches solely to brokers whose range includes Produce v0; like Kafka 4.x the connection refuses them.
 * v10/v11 add the current leader and node endpoints, sent only with NOT_LEADER_OR_FOLLOWER, which a single
 * node never answers. v12 is the same request for non-transactional data (for transactional batches it
 * means transaction protocol v2, KIP-890: under transaction.version 2 the batch adds its partition to the
 * transaction). v13 names topics by id (KIP-516): an unknown id → UNKNOWN_TOPIC_ID.
 * Transactional batches (attribute bit 4) need a transactional_id (else TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
 * as Kafka answers). KIP-890 part 1 (transaction.partition.verification.enable): the partition must be in the
 * producer's open transaction at the coordinator, else INVALID_TXN_STATE (≤ v10) / TRANSACTION_ABORTABLE
 * (v11+); a stale producer → PRODUCER_FENCED / INVALID_PRODUCER_ID_MAPPING. The first batch of a producer's
 * transaction in a partition opens it there, holding the last stable offset until the coordinator's COMMIT
 * or ABORT marker.
 * Differs from Apache Kafka: no up-conversion of magic 0/1 message sets.
 */
import { KafkaError, RecordValidationError } from '../../broker/kafka-error.js'
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeProduceRequest,
  encodeProduceResponse,
  type ProduceRequest,
  type ProduceResponseInput,
  type TopicProduceData,
} from '../../protocol/messages/produce.js'
import { RecordBatchError } from '../../protocol/protocol-error.js'
import { readBatchHeader, splitBatches, type BatchHeader } from '../../protocol/record-batch.js'
import type { Durability, ProduceEntry, TransactionalProduce } from '../../broker/broker.js'
import { NO_RESPONSE, defineHandler } from '../handler.js'

type Slot = { topic: TopicProduceData; partition: number; error?: KafkaError; entry?: number }
interface TransactionalBatch extends TransactionalProduce {
  readonly slot: Slot
}

export const produceHandler = defineHandler<ProduceRequest, ProduceResponseInput>({
  apiKey: ApiKey.Produce,
  name: 'Produce',
  minVersion: 3,
  advertisedMinVersion: 0,
  maxVersion: 13,
  decode: decodeProduceRequest,
  encode: encodeProduceResponse,
  async handle(req, ctx) {
    const { broker, apiVersion } = ctx
    const acks = req.acks
    const validAcks = acks === -1 || acks === 0 || acks === 1
    // One slot per partition of the request, in request order; filled by a check or the append.
    const slots: Slot[] = []
    const candidates: { slot: Slot; entry: ProduceEntry }[] = []
    const transactional: TransactionalBatch[] = []
    const byId = apiVersion >= 13
    for (const t of req.topicData) {
      const row = byId ? broker.findTopicByUuid(t.topicId) : broker.findTopic(t.name)
      for (const p of t.partitionData) {
        const slot: Slot = { topic: t, partition: p.index }
        slots.push(slot)
        if (!validAcks) slot.error = new KafkaError('INVALID_REQUIRED_ACKS')
        else if (!row && byId) slot.error = new KafkaError('UNKNOWN_TOPIC_ID')
        else if (!row || p.index < 0 || p.index >= row.partitionCount) slot.error = new KafkaError('UNKNOWN_TOPIC_OR_PARTITION')
        else {
          const batch = singleBatch(p.records, apiVersion)
          const header = batch instanceof KafkaError ? batch : headerOf(batch)
          if (batch instanceof KafkaError) slot.error = batch
          else if (header instanceof KafkaError) slot.error = header
          else if (apiVersion < 7 && header.compression === 'zstd') slot.error = new KafkaError('UNSUPPORTED_COMPRESSION_TYPE')
          // Kafka's KafkaApis: transactional records need a transactional id (answered as a failed authorization).
          else if (header.isTransactional && req.transactionalId === null) slot.error = new KafkaError('TRANSACTIONAL_ID_AUTHORIZATION_FAILED')
          else {
            if (header.isTransactional) transactional.push({ slot, topic: row, partition: p.index, header })
            candidates.push({ slot, entry: { topic: row, partition: p.index, batch } })
          }
        }
      }
    }
    if (transactional.length > 0 && req.transactionalId !== null) {
      // KIP-890: each transactional batch's partition must be in the producer's open transaction.
      const verdicts = broker.verifyTransactionalProduce(req.transactionalId, transactional, apiVersion)
      transactional.forEach((t, i) => (t.slot.error = verdicts[i]))
    }
    const entries: ProduceEntry[] = []
    for (const c of candidates) {
      if (c.slot.error !== undefined) continue
      c.slot.entry = entries.length
      entries.push(c.entry)
    }
    const durability: Durability = acks === -1 ? 'fsync' : 'commit'
    const results = entries.length > 0 ? await broker.produceGrouped(entries, durability) : []
    // The operator must hear of a store that refuses writes (disk full, I/O): one line per request.
    const storageFailure = results.find((r) => !r.ok && r.error.errorName === 'KAFKA_STORAGE_ERROR')
    if (storageFailure && !storageFailure.ok) ctx.log(`Produce from ${ctx.clientHost} (${ctx.clientId}) not stored: ${storageFailure.error.message}`)
    if (acks === 0) {
      const failed = slots.some((s) => s.error !== undefined) || results.some((r) => !r.ok)
      if (failed) ctx.log(`Closing connection: an acks=0 produce from ${ctx.clientHost} (${ctx.clientId}) failed`)
      if (failed) throw new KafkaError('UNKNOWN_SERVER_ERROR', 'acks=0 produce failed')
      return NO_RESPONSE
    }
    // One response entry per topic (a topic named twice in the request is answered once, as Kafka's map does).
    const byTopic = new Map<string, { topic: TopicProduceData; partitions: ProduceResponseInput['responses'][number]['partitionResponses'][number][] }>()
    for (const s of slots) {
      const result = s.entry === undefined ? undefined : results[s.entry]
      const error = s.error ?? (result && !result.ok ? result.error : undefined)
      const ok = result?.ok ? result.value : undefined
      const key = byId ? s.topic.topicId.toString('hex') : s.topic.name
      const group = byTopic.get(key) ?? { topic: s.topic, partitions: [] }
      byTopic.set(key, group)
      group.partitions.push({
        index: s.partition,
        errorCode: error ? error.code : 0,
        baseOffset: ok ? ok.baseOffset : -1,
        logAppendTimeMs: ok ? ok.logAppendTimeMs : -1,
        logStartOffset: ok ? ok.logStartOffset : -1,
        recordErrors:
          error instanceof RecordValidationError ? error.recordErrors.map((e) => ({ batchIndex: e.batchIndex, batchIndexErrorMessage: e.message })) : [],
        errorMessage: error && error.message !== '' ? error.message : null,
      })
    }
    return {
      responses: [...byTopic.values()].map(({ topic, partitions }) =>
        byId ? { topicId: topic.topicId, partitionResponses: partitions } : { name: topic.name, partitionResponses: partitions },
      ),
      throttleTimeMs: 0,
    }
  },
})

/** The one batch a partition's records must hold (Kafka refuses more than one for magic 2). */
/** The batch's header, or CORRUPT_MESSAGE for one that cannot be read (an unknown compression codec). */
function headerOf(batch: Buffer): BatchHeader | KafkaError {
  try {
    return readBatchHeader(batch)
  } catch (err) {
    if (err instanceof RecordBatchError) return new KafkaError('CORRUPT_MESSAGE', err.message)
    throw err
  }
}

function singleBatch(records: Buffer | null, version: number): Buffer | KafkaError {
  const none = () => new KafkaError('INVALID_RECORD', `Produce requests with version ${version} must have at least one record batch per partition`)
  if (records === null || records.length === 0) return none()
  let split
  try {
    split = splitBatches(records)
  } catch (err) {
    return new KafkaError('CORRUPT_MESSAGE', err instanceof Error ? err.message : String(err))
  }
  const { batches, partialTail } = split
  const [batch] = batches
  if (!batch || batches.length !== 1 || partialTail !== 0) {
    if (batches.length === 0) return none()
    return new KafkaError('INVALID_RECORD', `Produce requests with version ${version} are only allowed to contain exactly one record batch per partition`)
  }
  return batch
}
