// RecordBatch v2 ("magic 2", Kafka ≥ 0.11): protocol.md §8.1 (61-byte header) and §8.2 (records).
// Reference: Kafka's DefaultRecordBatch.java / DefaultRecord.java; validation rules from LogValidator.java.
//
//   baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 | magic int8 | crc uint32 |
//   attributes int16 | lastOffsetDelta int32 | baseTimestamp int64 | maxTimestamp int64 | producerId int64 |
//   producerEpoch int16 | baseSequence int32 | recordsCount int32 | records (compressed as one blob if codec ≠ none)
//
// The CRC-32C covers bytes 21…end, so the broker can patch baseOffset, batchLength and partitionLeaderEpoch
// without recomputing it. int64 fields are JS numbers (exact up to 2^53, beyond any real offset or timestamp).
// Legacy message sets (magic 0/1) are not decoded: kafka-ts only advertises Produce ≥ 3 / Fetch ≥ 4.
//
// This module holds the layout (byte offsets and attribute bits) and the helpers the codec modules beside
// it share: record-batch.ts (the header), batch-records.ts (the records), record-batch-builder.ts (writing).

import { RecordBatchError } from './protocol-error.js'

export const BATCH_HEADER_SIZE = 61
/** baseOffset + batchLength: the bytes not counted by batchLength. */
export const BATCH_OVERHEAD = 12
export const CURRENT_MAGIC = 2

export const MIN_BATCH_LENGTH = BATCH_HEADER_SIZE - BATCH_OVERHEAD
export const MAGIC_AT = 16
export const CRC_AT = 17
export const ATTRIBUTES_AT = 21
export const MAX_TIMESTAMP_AT = 35
export const RECORDS_AT = BATCH_HEADER_SIZE

export const COMPRESSION_MASK = 0x07
export const TIMESTAMP_TYPE_BIT = 0x08
export const TRANSACTIONAL_BIT = 0x10
export const CONTROL_BIT = 0x20
export const DELETE_HORIZON_BIT = 0x40

const TWO_POW_32 = 2 ** 32
/** A record or batch without a timestamp (RecordBatch.NO_TIMESTAMP). */
export const NO_TIMESTAMP = -1

export function readInt64(buf: Buffer, at: number): number {
  return buf.readInt32BE(at) * TWO_POW_32 + buf.readUInt32BE(at + 4)
}

export function writeInt64(buf: Buffer, value: number, at: number): void {
  const high = Math.floor(value / TWO_POW_32)
  buf.writeInt32BE(high, at)
  buf.writeUInt32BE(value - high * TWO_POW_32, at + 4)
}

export function corrupt(message: string, cause?: unknown): RecordBatchError {
  return new RecordBatchError('CORRUPT_MESSAGE', message, cause === undefined ? undefined : { cause })
}

export function invalid(message: string, cause?: unknown): RecordBatchError {
  return new RecordBatchError('INVALID_RECORD', message, cause === undefined ? undefined : { cause })
}
