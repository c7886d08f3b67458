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

import { crc32c } from './crc32c.js'
import { CODEC_IDS, codecFromId, compress, decompress, type CompressionCodec } from './compression.js'
import { ProtocolDecodeError, RecordBatchError } from './protocol-error.js'
import {
  readVarint,
  readVarlong,
  sizeOfVarint,
  sizeOfVarlong,
  writeVarint,
  writeVarlong,
  type ReadPosition,
} from './varint.js'

export { RecordBatchError, type RecordBatchErrorKind } from './protocol-error.js'

export const BATCH_HEADER_SIZE = 61
/** baseOffset + batchLength: the bytes not counted by batchLength. */
export const BATCH_OVERHEAD = 12
export const CURRENT_MAGIC = 2

const MIN_BATCH_LENGTH = BATCH_HEADER_SIZE - BATCH_OVERHEAD
const MAGIC_AT = 16
const CRC_AT = 17
const ATTRIBUTES_AT = 21
const MAX_TIMESTAMP_AT = 35
const RECORDS_AT = BATCH_HEADER_SIZE

const COMPRESSION_MASK = 0x07
const TIMESTAMP_TYPE_BIT = 0x08
const TRANSACTIONAL_BIT = 0x10
const CONTROL_BIT = 0x20
const DELETE_HORIZON_BIT = 0x40

const TWO_POW_32 = 2 ** 32
/** A record or batch without a timestamp (RecordBatch.NO_TIMESTAMP). */
export const NO_TIMESTAMP = -1

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

function readInt64(buf: Buffer, at: number): number {
  return buf.readInt32BE(at) * TWO_POW_32 + buf.readUInt32BE(at + 4)
}

function writeInt64(buf: Buffer, value: number, at: number): void {
  const high = Math.floor(value / TWO_POW_32)
  buf.writeInt32BE(high, at)
  buf.writeUInt32BE(value - high * TWO_POW_32, at + 4)
}

function corrupt(message: string, cause?: unknown): RecordBatchError {
  return new RecordBatchError('CORRUPT_MESSAGE', message, cause === undefined ? undefined : { cause })
}

function invalid(message: string, cause?: unknown): RecordBatchError {
  return new RecordBatchError('INVALID_RECORD', message, cause === undefined ? undefined : { cause })
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

// ---------------------------------------------------------------------------------------------------------------
// Read side

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

// ---------------------------------------------------------------------------------------------------------------
// Write side

export interface BuildOptions {
  compression?: CompressionCodec
  producerId?: number
  producerEpoch?: number
  baseSequence?: number
  timestampType?: TimestampType
  isTransactional?: boolean
  /** Defaults to 0: producers send 0 and the broker assigns the real offset. */
  baseOffset?: number
  /** Defaults to -1, what producers send. */
  partitionLeaderEpoch?: number
}

/**
 * Builds batches. Hot path of console-producer: records are encoded straight into one growable Buffer behind a
 * reserved header; no per-record objects. build() copies the result out, so the builder's buffer is reused.
 */
export class RecordBatchBuilder {
  private buf: Buffer
  private pos = RECORDS_AT
  private n = 0
  private baseTimestamp = -1
  private maxTimestamp = -1

  constructor(initialCapacity = 16 * 1024) {
    this.buf = Buffer.allocUnsafe(Math.max(initialCapacity, BATCH_HEADER_SIZE + 64))
  }

  get count(): number {
    return this.n
  }

  /** Bytes the batch would take uncompressed (header + records). */
  get sizeInBytes(): number {
    return this.pos
  }

  /** Appends one record; the first record sets baseTimestamp. Offset deltas are 0, 1, 2, … */
  append(timestamp: number, key: Buffer | null, value: Buffer | null, headers?: readonly RecordHeader[]): void {
    const n = this.n
    if (n === 0) {
      this.baseTimestamp = timestamp
      this.maxTimestamp = timestamp
    } else if (timestamp > this.maxTimestamp) {
      this.maxTimestamp = timestamp
    }
    const timestampDelta = timestamp - this.baseTimestamp
    const keyLength = key === null ? -1 : key.length
    const valueLength = value === null ? -1 : value.length
    const headerCount = headers === undefined ? 0 : headers.length
    let bodySize =
      1 + // attributes
      sizeOfVarlong(timestampDelta) +
      sizeOfVarint(n) +
      sizeOfVarint(keyLength) +
      (keyLength > 0 ? keyLength : 0) +
      sizeOfVarint(valueLength) +
      (valueLength > 0 ? valueLength : 0) +
      sizeOfVarint(headerCount)
    if (headers !== undefined) {
      for (let i = 0; i < headerCount; i++) {
        const h = headers[i]!
        const hv = h.value === null ? -1 : h.value.length
        bodySize += sizeOfVarint(h.key.length) + h.key.length + sizeOfVarint(hv) + (hv > 0 ? hv : 0)
      }
    }
    if (this.pos + 5 + bodySize > this.buf.length) this.grow(this.pos + 5 + bodySize)
    const buf = this.buf
    let at = writeVarint(buf, bodySize, this.pos)
    buf[at++] = 0
    at = writeVarlong(buf, timestampDelta, at)
    at = writeVarint(buf, n, at)
    at = writeVarint(buf, keyLength, at)
    if (keyLength > 0) {
      buf.set(key!, at)
      at += keyLength
    }
    at = writeVarint(buf, valueLength, at)
    if (valueLength > 0) {
      buf.set(value!, at)
      at += valueLength
    }
    at = writeVarint(buf, headerCount, at)
    if (headers !== undefined) {
      for (let i = 0; i < headerCount; i++) {
        const h = headers[i]!
        at = writeVarint(buf, h.key.length, at)
        buf.set(h.key, at)
        at += h.key.length
        if (h.value === null) {
          at = writeVarint(buf, -1, at)
        } else {
          at = writeVarint(buf, h.value.length, at)
          buf.set(h.value, at)
          at += h.value.length
        }
      }
    }
    this.pos = at
    this.n = n + 1
  }

  /** Returns a complete batch (CRC computed) and resets the builder for reuse. */
  build(opts: BuildOptions = {}): Buffer {
    const codec = opts.compression ?? 'none'
    let out: Buffer
    if (codec === 'none') {
      out = Buffer.allocUnsafe(this.pos)
      this.buf.copy(out, RECORDS_AT, RECORDS_AT, this.pos)
    } else {
      const compressed = compress(codec, this.buf.subarray(RECORDS_AT, this.pos))
      out = Buffer.allocUnsafe(RECORDS_AT + compressed.length)
      compressed.copy(out, RECORDS_AT)
    }
    let attributes = CODEC_IDS[codec]
    if (opts.timestampType === 'LogAppendTime') attributes |= TIMESTAMP_TYPE_BIT
    if (opts.isTransactional === true) attributes |= TRANSACTIONAL_BIT
    writeInt64(out, opts.baseOffset ?? 0, 0)
    out.writeInt32BE(out.length - BATCH_OVERHEAD, 8)
    out.writeInt32BE(opts.partitionLeaderEpoch ?? -1, 12)
    out.writeInt8(CURRENT_MAGIC, MAGIC_AT)
    out.writeUInt16BE(attributes, ATTRIBUTES_AT)
    out.writeInt32BE(this.n - 1, 23)
    writeInt64(out, this.baseTimestamp, 27)
    writeInt64(out, this.maxTimestamp, MAX_TIMESTAMP_AT)
    writeInt64(out, opts.producerId ?? -1, 43)
    out.writeInt16BE(opts.producerEpoch ?? -1, 51)
    out.writeInt32BE(opts.baseSequence ?? -1, 53)
    out.writeInt32BE(this.n, 57)
    out.writeUInt32BE(crc32c(out, ATTRIBUTES_AT), CRC_AT)
    this.reset()
    return out
  }

  reset(): void {
    this.pos = RECORDS_AT
    this.n = 0
    this.baseTimestamp = -1
    this.maxTimestamp = -1
  }

  private grow(needed: number): void {
    let capacity = this.buf.length * 2
    while (capacity < needed) capacity *= 2
    const next = Buffer.allocUnsafe(capacity)
    this.buf.copy(next, 0, 0, this.pos)
    this.buf = next
  }
}
