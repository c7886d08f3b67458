// RecordBatch v2: the 61-byte header (protocol.md §8.1): reading it, patching what the broker patches,
// checking the CRC, and splitting a `records` field into batches. The layout is in record-batch-layout.ts;
// the records inside a batch are read in batch-records.ts and written by record-batch-builder.ts.

import { crc32c } from './crc32c.js'
import { codecFromId, type CompressionCodec } from './compression.js'
import {
  ATTRIBUTES_AT,
  BATCH_HEADER_SIZE,
  BATCH_OVERHEAD,
  COMPRESSION_MASK,
  CONTROL_BIT,
  CRC_AT,
  DELETE_HORIZON_BIT,
  MAGIC_AT,
  MAX_TIMESTAMP_AT,
  MIN_BATCH_LENGTH,
  TIMESTAMP_TYPE_BIT,
  TRANSACTIONAL_BIT,
  corrupt,
  readInt64,
  writeInt64,
} from './record-batch-layout.js'

export { RecordBatchError, type RecordBatchErrorKind } from './protocol-error.js'

export interface RecordHeader {
  readonly key: Buffer
  readonly value: Buffer | null
}

export type TimestampType = 'CreateTime' | 'LogAppendTime'

export interface BatchHeader {
  baseOffset: number
  batchLength: number
  partitionLeaderEpoch: number
  magic: number
  crc: number
  attributes: number
  compression: CompressionCodec
  timestampType: TimestampType
  isTransactional: boolean
  isControl: boolean
  hasDeleteHorizon: boolean
  lastOffsetDelta: number
  baseTimestamp: number
  maxTimestamp: number
  producerId: number
  producerEpoch: number
  baseSequence: number
  recordCount: number
}

/** Decodes the 61-byte header at `at`. Field values are only meaningful when `magic` is 2. */
export function readBatchHeader(buf: Buffer, at = 0): BatchHeader {
  if (at < 0 || buf.length - at < BATCH_HEADER_SIZE) {
    throw corrupt(`record batch header needs ${BATCH_HEADER_SIZE} bytes but only ${Math.max(0, buf.length - at)} remain`)
  }
  const attributes = buf.readUInt16BE(at + ATTRIBUTES_AT)
  return {
    baseOffset: readInt64(buf, at),
    batchLength: buf.readInt32BE(at + 8),
    partitionLeaderEpoch: buf.readInt32BE(at + 12),
    magic: buf.readInt8(at + MAGIC_AT),
    crc: buf.readUInt32BE(at + CRC_AT),
    attributes,
    compression: codecFromId(attributes & COMPRESSION_MASK),
    timestampType: attributes & TIMESTAMP_TYPE_BIT ? 'LogAppendTime' : 'CreateTime',
    isTransactional: (attributes & TRANSACTIONAL_BIT) !== 0,
    isControl: (attributes & CONTROL_BIT) !== 0,
    hasDeleteHorizon: (attributes & DELETE_HORIZON_BIT) !== 0,
    lastOffsetDelta: buf.readInt32BE(at + 23),
    baseTimestamp: readInt64(buf, at + 27),
    maxTimestamp: readInt64(buf, at + MAX_TIMESTAMP_AT),
    producerId: readInt64(buf, at + 43),
    producerEpoch: buf.readInt16BE(at + 51),
    baseSequence: buf.readInt32BE(at + 53),
    recordCount: buf.readInt32BE(at + 57),
  }
}

/**
 * Total size (12 + batchLength) of the batch starting at `at`, or -1 when fewer than 12 bytes remain.
 * Throws when batchLength is below the v2 minimum: such a length cannot be skipped over safely.
 */
export function batchSizeAt(buf: Buffer, at: number): number {
  if (buf.length - at < BATCH_OVERHEAD) return -1
  const batchLength = buf.readInt32BE(at + 8)
  if (batchLength < MIN_BATCH_LENGTH) {
    throw corrupt(`batchLength ${batchLength} at byte ${at} is below the minimum of ${MIN_BATCH_LENGTH}`)
  }
  return BATCH_OVERHEAD + batchLength
}

/** Writes baseOffset (bytes 0–7). The CRC does not cover it. */
export function patchBaseOffset(batch: Buffer, baseOffset: number): void {
  writeInt64(batch, baseOffset, 0)
}

/** Writes partitionLeaderEpoch (bytes 12–15). The CRC does not cover it. */
export function patchPartitionLeaderEpoch(batch: Buffer, epoch: number): void {
  batch.writeInt32BE(epoch, 12)
}

/** Marks the batch LogAppendTime with maxTimestamp = `timestamp` (protocol.md §8.4 step 4) and rewrites the CRC. */
export function stampLogAppendTime(batch: Buffer, timestamp: number): void {
  batch.writeUInt16BE(batch.readUInt16BE(ATTRIBUTES_AT) | TIMESTAMP_TYPE_BIT, ATTRIBUTES_AT)
  writeInt64(batch, timestamp, MAX_TIMESTAMP_AT)
  batch.writeUInt32BE(crc32c(batch, ATTRIBUTES_AT), CRC_AT)
}

/** Rewrites baseSequence (bytes 53–56) and the CRC: an idempotent producer renumbering a batch after an earlier one failed. */
export function patchBaseSequence(batch: Buffer, baseSequence: number): void {
  batch.writeInt32BE(baseSequence, 53)
  batch.writeUInt32BE(crc32c(batch, ATTRIBUTES_AT), CRC_AT)
}

/** Throws CORRUPT_MESSAGE unless the stored CRC matches bytes 21…end (consumers' `check.crcs`). */
export function verifyBatchCrc(batch: Buffer): void {
  if (batch.length < BATCH_HEADER_SIZE) throw corrupt(`record batch of ${batch.length} bytes is shorter than its header`)
  const stored = batch.readUInt32BE(CRC_AT)
  const computed = crc32c(batch, ATTRIBUTES_AT)
  if (stored !== computed) throw corrupt(`Record is corrupt (stored crc = ${stored}, computed crc = ${computed})`)
}

/**
 * Splits a `records` field (possibly several concatenated batches) into batch views (subarrays, no copy).
 * A trailing partial batch is returned in `partialTail` rather than thrown (Fetch responses may end mid-batch).
 */
export function splitBatches(buf: Buffer): { batches: Buffer[]; partialTail: number } {
  const batches: Buffer[] = []
  let at = 0
  while (at < buf.length) {
    const size = batchSizeAt(buf, at)
    if (size < 0 || at + size > buf.length) break
    batches.push(buf.subarray(at, at + size))
    at += size
  }
  return { batches, partialTail: buf.length - at }
}

/**
 * Writes a CreateTime batch's maxTimestamp and the CRC, only when it differs (Kafka's
 * DefaultRecordBatch.setMaxTimestamp). Returns true when the batch changed.
 */
export function patchMaxTimestamp(batch: Buffer, maxTimestamp: number): boolean {
  if (readInt64(batch, MAX_TIMESTAMP_AT) === maxTimestamp && (batch.readUInt16BE(ATTRIBUTES_AT) & TIMESTAMP_TYPE_BIT) === 0) return false
  batch.writeUInt16BE(batch.readUInt16BE(ATTRIBUTES_AT) & ~TIMESTAMP_TYPE_BIT, ATTRIBUTES_AT)
  writeInt64(batch, maxTimestamp, MAX_TIMESTAMP_AT)
  batch.writeUInt32BE(crc32c(batch, ATTRIBUTES_AT), CRC_AT)
  return true
}
