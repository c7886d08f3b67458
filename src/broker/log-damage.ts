import { StoreDamagedError, type StoredBatch } from '../storage/log-store.js'
import { KafkaError } from './kafka-error.js'

// Damage met while reading a partition's log, as the Kafka error that partition answers with — and
// nothing else: the other partitions of the same request keep serving.
//   - SQLite reports a damaged page (free to detect): KAFKA_STORAGE_ERROR, Kafka's answer when a log
//     directory fails.
//   - A stored batch whose bytes no longer frame as the batch its row says (length, magic, offsets):
//     CORRUPT_MESSAGE. A few integer reads per batch; the CRC over the whole batch is left to the
//     consumers (Kafka's check.crcs) and `kafka-ts storage check`, so the Fetch path never pays it.
// Reads return the good batches before a damaged one; the read that starts at it gets the error.

/** Offset of magic (int8) and lastOffsetDelta (int32) in a RecordBatch v2 header; batchLength is at 8. */
const MAGIC_AT = 16
const LAST_OFFSET_DELTA_AT = 23
const HEADER_SIZE = 61

/** The read errors that mean a partition's stored log is damaged there: asking again reads the same damage. */
export function isLogDamage(error: Pick<KafkaError, 'errorName'>): boolean {
  return error.errorName === 'KAFKA_STORAGE_ERROR' || error.errorName === 'CORRUPT_MESSAGE'
}

/** What every damage message suggests: the command that lists all the damage of a data directory. */
export function storageCheckHint(dataDir: string): string {
  return `see every damaged place with \`kafka-ts storage check --data-dir ${dataDir}\``
}

/** The KAFKA_STORAGE_ERROR a read of `topic-partition` answers when SQLite found its pages damaged; undefined otherwise. */
export function damagedLogError(err: unknown, topicName: string, partition: number): KafkaError | undefined {
  if (!(err instanceof StoreDamagedError)) return undefined
  const at = err.offset === undefined ? '' : ` at offset ${err.offset}`
  return new KafkaError('KAFKA_STORAGE_ERROR', `The log of ${topicName}-${partition} is damaged${at} in ${err.file}: ${err.detail}`, { cause: err })
}

/** Why a stored batch's bytes do not frame as the batch its row describes, or undefined when they do. */
export function framingProblem(batch: StoredBatch): string | undefined {
  const bytes = batch.bytes
  if (bytes.length < HEADER_SIZE) return `${bytes.length} bytes is shorter than a record batch header`
  const magic = bytes.readInt8(MAGIC_AT)
  if (magic !== 2) return `magic byte is ${magic}, not 2`
  const length = bytes.readInt32BE(8) + 12
  if (length !== bytes.length) return `batch length field says ${length} bytes but ${bytes.length} are stored`
  // Offsets as two halves: exact for any offset below 2^53 without a BigInt per batch.
  const base = bytes.readInt32BE(0) * 2 ** 32 + bytes.readUInt32BE(4)
  if (base !== batch.baseOffset) return `base offset field says ${base}`
  const last = base + bytes.readInt32BE(LAST_OFFSET_DELTA_AT)
  if (last !== batch.lastOffset) return `last offset is ${last} but the index says ${batch.lastOffset}`
  return undefined
}

/** CORRUPT_MESSAGE for the stored batch at `baseOffset` of `topic-partition`. */
export function corruptBatchError(topicName: string, partition: number, baseOffset: number, problem: string): KafkaError {
  return new KafkaError('CORRUPT_MESSAGE', `The record batch of ${topicName}-${partition} at offset ${baseOffset} is corrupt: ${problem}`)
}

/**
 * The bytes of the batches a read may serve: all of them, or those before the first one that does not
 * frame; when that is the first one, its CORRUPT_MESSAGE is thrown.
 */
export function servableBatches(batches: readonly StoredBatch[], topicName: string, partition: number): Buffer[] {
  const out: Buffer[] = []
  for (const batch of batches) {
    const problem = framingProblem(batch)
    if (problem !== undefined) {
      if (out.length === 0) throw corruptBatchError(topicName, partition, batch.baseOffset, problem)
      break
    }
    out.push(batch.bytes)
  }
  return out
}
