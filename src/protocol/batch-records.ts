// The records inside a RecordBatch v2 (protocol.md §8.2; Kafka's DefaultRecord.java): walking them with
// one reused cursor (the consumers' hot path), filtering them the way the log cleaner rewrites a batch, and
// the broker's full validation of a produced batch (LogValidator.java).

import { crc32c } from './crc32c.js'
import { compress, decompress } from './compression.js'
import { ProtocolDecodeError, RecordBatchError } from './protocol-error.js'
import { batchSizeAt, readBatchHeader, verifyBatchCrc, type BatchHeader, type RecordHeader, type TimestampType } from './record-batch.js'
import {
  ATTRIBUTES_AT,
  BATCH_HEADER_SIZE,
  BATCH_OVERHEAD,
  COMPRESSION_MASK,
  CRC_AT,
  CURRENT_MAGIC,
  MAGIC_AT,
  MAX_TIMESTAMP_AT,
  NO_TIMESTAMP,
  RECORDS_AT,
  corrupt,
  invalid,
  writeInt64,
} from './record-batch-layout.js'
import { readVarint, readVarlong, type ReadPosition } from './varint.js'

/**
 * Full validation for the broker's produce path: size vs batchLength, magic 2, CRC-32C, offset range and count,
 * idempotent batches carry a sequence, and every record (inflated when compressed, as Kafka's
 * LogValidator does) parses, offset deltas are 0..n-1 and the records end exactly at the batch end. Returns the
 * header with the records' timestamps, from which the broker recomputes the batch's max timestamp. Messages follow
 * Kafka's LogValidator where it has one. `batch` must hold exactly one batch.
 */
export function validateBatch(batch: Buffer): ValidatedBatch {
  if (batch.length < BATCH_HEADER_SIZE) {
    throw corrupt(`record batch of ${batch.length} bytes is shorter than the ${BATCH_HEADER_SIZE}-byte header`)
  }
  const magic = batch.readInt8(MAGIC_AT)
  if (magic !== CURRENT_MAGIC) {
    if (magic === 0 || magic === 1) {
      throw invalid(`Produce requests are only allowed to contain record batches with magic version 2, got ${magic}`)
    }
    throw corrupt(`Invalid magic found in record: ${magic}`)
  }
  const size = batchSizeAt(batch, 0)
  if (size > batch.length) {
    throw corrupt(`record batch is truncated: batchLength says ${size} bytes but only ${batch.length} were received`)
  }
  if (size < batch.length) {
    throw invalid(`records hold ${batch.length} bytes but the batch is ${size}; only one batch per partition is allowed`)
  }
  verifyBatchCrc(batch)
  const header = readBatchHeader(batch)
  if (header.lastOffsetDelta + 1 <= 0) throw invalid(`Batch has an invalid offset range: [0, ${header.lastOffsetDelta}]`)
  if (header.recordCount <= 0) throw invalid(`Invalid reported count for record batch: ${header.recordCount}`)
  if (header.recordCount !== header.lastOffsetDelta + 1) {
    throw invalid(
      `Inconsistent batch offset range [0, ${header.lastOffsetDelta}] and count of records ${header.recordCount}`,
    )
  }
  if (header.producerId >= 0 && header.baseSequence < 0) {
    throw invalid(`Invalid sequence number ${header.baseSequence} in record batch with producerId ${header.producerId}`)
  }
  return { ...header, recordTimestamps: verifyRecords(batch, header) }
}

/**
 * The timestamps a batch's records carry, as LogValidator sees them: `max` is the largest record timestamp
 * (-1, NO_TIMESTAMP, when no record has one; what a CreateTime batch's maxTimestamp must say), `min` the
 * smallest one that is not NO_TIMESTAMP (+Infinity when none is). For LogAppendTime batches both come from
 * the records' CreateTime deltas too, which is what a producer that set the flag itself would have meant.
 */
export interface RecordTimestamps {
  readonly min: number
  readonly max: number
}

export interface ValidatedBatch extends BatchHeader {
  readonly recordTimestamps: RecordTimestamps
}

/**
 * Reads only each record's length and timestamp delta (inflating a compressed batch): what the broker needs
 * to recompute a batch's max timestamp from its records when it trusts the rest of the batch (batches this
 * process built). Throws RecordBatchError when the framing is broken.
 */
export function recordTimestamps(batch: Buffer, header: BatchHeader = readBatchHeader(batch)): RecordTimestamps {
  const { data, start, end } = recordsSection(batch, header)
  const baseTimestamp = header.baseTimestamp
  const p: ReadPosition = { pos: start }
  let min = Number.POSITIVE_INFINITY
  let max = -1
  for (let i = 0; i < header.recordCount; i++) {
    let timestampDelta: number
    let recordEnd: number
    try {
      const length = readVarint(data, p, end)
      recordEnd = p.pos + length
      if (length < 0 || recordEnd > end) throw invalid(`record length ${length} overruns the records section`)
      p.pos++ // attributes
      timestampDelta = readVarlong(data, p, recordEnd)
    } catch (err) {
      throw asRecordError(err, `record ${i} of batch at offset ${header.baseOffset}`)
    }
    const timestamp = baseTimestamp + timestampDelta
    if (timestamp > max) max = timestamp
    if (timestamp !== NO_TIMESTAMP && timestamp < min) min = timestamp
    p.pos = recordEnd
  }
  return { min, max }
}

/** Read side, hot path of console-consumer: one mutable cursor reused for every record. */
export interface RecordCursor {
  /** Buffer the positions below refer to (decompressed records section, or the batch itself). */
  readonly data: Buffer
  /** Absolute offset = baseOffset + offsetDelta. */
  offset: number
  /** CreateTime: baseTimestamp + delta; LogAppendTime: the batch maxTimestamp. */
  timestamp: number
  timestampType: TimestampType
  keyStart: number
  /** -1 = null key. */
  keyLength: number
  valueStart: number
  /** -1 = null value (tombstone). */
  valueLength: number
  headerCount: number
  /** Decodes this record's headers on demand. */
  headers(): RecordHeader[]
  /** Subarray view of the key, on demand. */
  key(): Buffer | null
  value(): Buffer | null
}

class Cursor implements RecordCursor {
  data: Buffer = EMPTY
  offset = 0
  timestamp = 0
  timestampType: TimestampType = 'CreateTime'
  keyStart = 0
  keyLength = -1
  valueStart = 0
  valueLength = -1
  headerCount = 0
  offsetDelta = 0
  timestampDelta = 0
  headersStart = 0
  recordEnd = 0

  key(): Buffer | null {
    return this.keyLength < 0 ? null : this.data.subarray(this.keyStart, this.keyStart + this.keyLength)
  }

  value(): Buffer | null {
    return this.valueLength < 0 ? null : this.data.subarray(this.valueStart, this.valueStart + this.valueLength)
  }

  headers(): RecordHeader[] {
    const out: RecordHeader[] = []
    if (this.headerCount === 0) return out
    const p = { pos: this.headersStart }
    try {
      readHeaders(this.data, p, this.recordEnd, this.headerCount, out)
    } catch (err) {
      throw asRecordError(err, `record at offset ${this.offset}`)
    }
    return out
  }
}

const EMPTY = Buffer.alloc(0)

function asRecordError(err: unknown, where: string): unknown {
  if (err instanceof ProtocolDecodeError) return invalid(`${where}: ${err.message}`, err)
  if (err instanceof RecordBatchError) return invalid(`${where}: ${err.message}`, err)
  return err
}

/**
 * Parses one record's fixed part at p.pos into `c` (everything up to the headers, which stay undecoded) and returns
 * with p.pos at the first header. Throws ProtocolDecodeError/RecordBatchError; callers label and convert.
 */
function parseRecord(data: Buffer, p: ReadPosition, end: number, c: Cursor): void {
  const length = readVarint(data, p, end)
  const recordEnd = p.pos + length
  if (length < 0 || recordEnd > end) throw invalid(`record length ${length} overruns the records section`)
  p.pos++ // attributes: unused in v2
  const timestampDelta = readVarlong(data, p, recordEnd)
  c.offsetDelta = readVarint(data, p, recordEnd)
  const keyLength = readVarint(data, p, recordEnd)
  if (keyLength < -1 || p.pos + keyLength > recordEnd) throw invalid(`key length ${keyLength} is out of range`)
  c.keyStart = p.pos
  c.keyLength = keyLength
  if (keyLength > 0) p.pos += keyLength
  const valueLength = readVarint(data, p, recordEnd)
  if (valueLength < -1 || p.pos + valueLength > recordEnd) throw invalid(`value length ${valueLength} is out of range`)
  c.valueStart = p.pos
  c.valueLength = valueLength
  if (valueLength > 0) p.pos += valueLength
  const headerCount = readVarint(data, p, recordEnd)
  // each header takes at least two bytes (two length varints)
  if (headerCount < 0 || headerCount * 2 > recordEnd - p.pos) throw invalid(`invalid number of record headers ${headerCount}`)
  c.headerCount = headerCount
  c.headersStart = p.pos
  c.recordEnd = recordEnd
  c.timestampDelta = timestampDelta
}

function readHeaders(data: Buffer, p: ReadPosition, end: number, count: number, out: RecordHeader[] | null): void {
  for (let i = 0; i < count; i++) {
    const keyLength = readVarint(data, p, end)
    if (keyLength < 0 || p.pos + keyLength > end) throw invalid(`header key length ${keyLength} is out of range`)
    const key = data.subarray(p.pos, p.pos + keyLength)
    p.pos += keyLength
    const valueLength = readVarint(data, p, end)
    if (valueLength < -1 || p.pos + valueLength > end) throw invalid(`header value length ${valueLength} is out of range`)
    let value: Buffer | null = null
    if (valueLength >= 0) {
      value = data.subarray(p.pos, p.pos + valueLength)
      p.pos += valueLength
    }
    out?.push({ key, value })
  }
}

interface RecordsSection {
  header: BatchHeader
  data: Buffer
  start: number
  end: number
}

function recordsSection(batch: Buffer, header?: BatchHeader): RecordsSection {
  const h = header ?? readBatchHeader(batch)
  if (h.magic !== CURRENT_MAGIC) throw corrupt(`unsupported record batch magic ${h.magic}`)
  const size = batchSizeAt(batch, 0)
  if (size > batch.length) throw corrupt(`record batch is truncated: ${batch.length} of ${size} bytes present`)
  if (h.compression === 'none') return { header: h, data: batch, start: RECORDS_AT, end: size }
  const data = decompress(h.compression, batch.subarray(RECORDS_AT, size))
  return { header: h, data, start: 0, end: data.length }
}

/**
 * Visits every record of one batch (decompressing if needed); bytes after the batch are ignored. Return false from
 * `visit` to stop early. Throws RecordBatchError on malformed records; the CRC is not checked (see verifyBatchCrc).
 */
export function forEachRecord(batch: Buffer, visit: (r: RecordCursor) => boolean | void): void {
  const { header, data, start, end } = recordsSection(batch)
  const c = new Cursor()
  c.data = data
  c.timestampType = header.timestampType
  const logAppendTime = header.timestampType === 'LogAppendTime'
  const baseOffset = header.baseOffset
  const baseTimestamp = header.baseTimestamp
  const maxTimestamp = header.maxTimestamp
  const count = header.recordCount
  const p: ReadPosition = { pos: start }
  for (let i = 0; i < count; i++) {
    try {
      parseRecord(data, p, end, c)
    } catch (err) {
      throw asRecordError(err, `record ${i} of batch at offset ${baseOffset}`)
    }
    c.offset = baseOffset + c.offsetDelta
    c.timestamp = logAppendTime ? maxTimestamp : baseTimestamp + c.timestampDelta
    if (visit(c) === false) return
    p.pos = c.recordEnd
  }
}

/** What filterRecords made of a batch. */
export type FilteredBatch =
  | { readonly kind: 'unchanged' }
  | {
      readonly kind: 'rewritten'
      /** The batch holding only the retained records, or an empty batch when none was retained. */
      readonly bytes: Buffer
      readonly recordCount: number
      readonly maxTimestamp: number
    }

/**
 * Keeps the records `retain` accepts, the way Kafka's log cleaner rewrites a batch: baseOffset, lastOffsetDelta,
 * baseTimestamp and the producer fields stay, and the retained records keep their bytes verbatim (so their offset
 * and timestamp deltas, and therefore their offsets and timestamps, do not change). Only recordCount, maxTimestamp
 * (recomputed for CreateTime), batchLength and the CRC change; a compressed batch is recompressed with its codec.
 * With no record retained the result is Kafka's empty batch (header only, no codec), which a caller may keep to
 * preserve the producer's sequence bookkeeping. `retain` must not keep the cursor beyond the call.
 */
export function filterRecords(batch: Buffer, retain: (r: RecordCursor) => boolean): FilteredBatch {
  const { header, data, start, end } = recordsSection(batch)
  const c = new Cursor()
  c.data = data
  c.timestampType = header.timestampType
  const logAppendTime = header.timestampType === 'LogAppendTime'
  const runs: number[] = [] // [start, end) pairs into `data`; adjacent retained records share one run
  let retained = 0
  let maxTimestamp = -1
  const p: ReadPosition = { pos: start }
  for (let i = 0; i < header.recordCount; i++) {
    const recordStart = p.pos
    try {
      parseRecord(data, p, end, c)
    } catch (err) {
      throw asRecordError(err, `record ${i} of batch at offset ${header.baseOffset}`)
    }
    c.offset = header.baseOffset + c.offsetDelta
    c.timestamp = logAppendTime ? header.maxTimestamp : header.baseTimestamp + c.timestampDelta
    if (retain(c)) {
      retained++
      if (c.timestamp > maxTimestamp) maxTimestamp = c.timestamp
      if (runs.length > 0 && runs[runs.length - 1] === recordStart) runs[runs.length - 1] = c.recordEnd
      else runs.push(recordStart, c.recordEnd)
    }
    p.pos = c.recordEnd
  }
  if (retained === header.recordCount) return { kind: 'unchanged' }
  if (logAppendTime) maxTimestamp = header.maxTimestamp
  if (retained === 0) {
    const out = Buffer.from(batch.subarray(0, RECORDS_AT))
    const attributes = header.attributes & ~COMPRESSION_MASK
    out.writeUInt16BE(attributes, ATTRIBUTES_AT)
    // Kafka's empty batch (DefaultRecordBatch.writeEmptyHeader) carries the old max timestamp in both fields.
    writeInt64(out, header.maxTimestamp, 27)
    return { kind: 'rewritten', bytes: sealBatch(out, 0, header.maxTimestamp), recordCount: 0, maxTimestamp: header.maxTimestamp }
  }
  const pieces: Buffer[] = []
  for (let i = 0; i < runs.length; i += 2) pieces.push(data.subarray(runs[i], runs[i + 1]))
  const plain = Buffer.concat(pieces)
  const records = header.compression === 'none' ? plain : compress(header.compression, plain)
  const out = Buffer.allocUnsafe(RECORDS_AT + records.length)
  batch.copy(out, 0, 0, RECORDS_AT)
  records.copy(out, RECORDS_AT)
  return { kind: 'rewritten', bytes: sealBatch(out, retained, maxTimestamp), recordCount: retained, maxTimestamp }
}

/** Sets the fields a rewrite changes (batchLength, maxTimestamp, recordCount) and the CRC over them. */
function sealBatch(out: Buffer, recordCount: number, maxTimestamp: number): Buffer {
  out.writeInt32BE(out.length - BATCH_OVERHEAD, 8)
  writeInt64(out, maxTimestamp, MAX_TIMESTAMP_AT)
  out.writeInt32BE(recordCount, 57)
  out.writeUInt32BE(crc32c(out, ATTRIBUTES_AT), CRC_AT)
  return out
}

/** Walks every record fully (headers included), checks offsets and exact framing, and collects the timestamps. */
function verifyRecords(batch: Buffer, header: BatchHeader): RecordTimestamps {
  const { data, start, end } = recordsSection(batch, header)
  const c = new Cursor()
  const p: ReadPosition = { pos: start }
  const count = header.recordCount
  const baseTimestamp = header.baseTimestamp
  let min = Number.POSITIVE_INFINITY
  let max = -1
  for (let i = 0; i < count; i++) {
    if (p.pos >= end) throw invalid(`batch declares ${count} records but holds only ${i}`)
    try {
      parseRecord(data, p, end, c)
      readHeaders(data, p, c.recordEnd, c.headerCount, null)
    } catch (err) {
      throw asRecordError(err, `record ${i}`)
    }
    if (p.pos !== c.recordEnd) {
      throw invalid(`Invalid record size: record ${i} declares ${c.recordEnd - p.pos} more bytes than it uses`)
    }
    if (c.offsetDelta !== i) throw invalid(`record ${i} has offset delta ${c.offsetDelta}; expected ${i}`)
    const timestamp = baseTimestamp + c.timestampDelta
    if (timestamp > max) max = timestamp
    if (timestamp !== NO_TIMESTAMP && timestamp < min) min = timestamp
  }
  if (p.pos !== end) throw invalid(`${end - p.pos} bytes remain after the ${count} declared records`)
  return { min, max }
}
