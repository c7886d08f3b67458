import { forEachRecord, type RecordTimestamps } from '../protocol/batch-records.js'
import { RecordBatchError } from '../protocol/record-batch.js'
import { NO_TIMESTAMP } from '../protocol/record-batch-layout.js'
import { KafkaError, RecordValidationError, type RecordError } from './kafka-error.js'

// The checks a batch from a producer passes before it is appended, as Kafka's LogValidator makes them: a
// malformed batch, record timestamps outside the topic's bounds, keyless records on a compacted topic.
// Each names the offending records (Kafka's per-record errors in the Produce answer).

export function asBatchError(err: unknown): unknown {
  if (err instanceof RecordBatchError) {
    return new KafkaError(err.kind === 'CORRUPT_MESSAGE' ? 'CORRUPT_MESSAGE' : 'INVALID_RECORD', err.message, { cause: err })
  }
  return err
}

/**
 * CreateTime records must lie within message.timestamp.before.max.ms before and after.max.ms after now
 * (Kafka's LogValidator, INVALID_TIMESTAMP with one record error per offending record). Records without a
 * timestamp are not checked. The common case costs two comparisons; the records are walked only to name
 * the offending ones.
 */
export function checkTimestamps(
  batch: Buffer,
  timestamps: RecordTimestamps,
  settings: { readonly timestampBeforeMaxMs: number; readonly timestampAfterMaxMs: number },
  nowMs: number,
): void {
  const earliest = nowMs - settings.timestampBeforeMaxMs
  const latest = nowMs + settings.timestampAfterMaxMs
  if (timestamps.min >= earliest && timestamps.max <= latest) return
  const errors: RecordError[] = []
  let index = 0
  try {
    forEachRecord(batch, (r) => {
      if (r.timestamp !== NO_TIMESTAMP && (r.timestamp < earliest || r.timestamp > latest)) {
        errors.push({
          batchIndex: index,
          message: `Timestamp ${r.timestamp} of message with offset ${r.offset} is out of range. The timestamp should be within [${earliest}, ${latest}]`,
        })
      }
      index++
    })
  } catch (err) {
    throw asBatchError(err)
  }
  if (errors.length > 0) throw new RecordValidationError(errors, 'INVALID_TIMESTAMP')
}

/** True when a cleanup.policy value (a comma list) includes compact. */
export function isCompacted(policy: string): boolean {
  return policy.split(',').some((p) => p.trim() === 'compact')
}

/**
 * The log cleaner keeps the latest record per key, so a keyless record could never be cleaned: Kafka's
 * LogValidator refuses it on a compacted topic, listing every keyless record of the batch. This walks the
 * records (inflating a compressed batch), a cost only compacted topics pay.
 */
export function requireKeys(batch: Buffer, topicPartition: string): void {
  const errors: RecordError[] = []
  let index = 0
  try {
    forEachRecord(batch, (r) => {
      if (r.keyLength < 0) errors.push({ batchIndex: index, message: `Compacted topic cannot accept message without key in topic partition ${topicPartition}.` })
      index++
    })
  } catch (err) {
    throw asBatchError(err)
  }
  if (errors.length > 0) throw new RecordValidationError(errors)
}
