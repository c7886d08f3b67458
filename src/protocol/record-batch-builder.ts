// Writing RecordBatch v2 (Kafka's MemoryRecordsBuilder, for one batch): records encoded straight into one
// growable buffer behind a reserved header, then the header and CRC.

import { crc32c } from './crc32c.js'
import { CODEC_IDS, compress, type CompressionCodec } from './compression.js'
import type { RecordHeader, TimestampType } from './record-batch.js'
import {
  ATTRIBUTES_AT,
  BATCH_HEADER_SIZE,
  BATCH_OVERHEAD,
  CRC_AT,
  CURRENT_MAGIC,
  MAGIC_AT,
  MAX_TIMESTAMP_AT,
  RECORDS_AT,
  TIMESTAMP_TYPE_BIT,
  TRANSACTIONAL_BIT,
  CONTROL_BIT,
  writeInt64,
} from './record-batch-layout.js'
import { sizeOfVarint, sizeOfVarlong, writeVarint, writeVarlong } from './varint.js'

export interface BuildOptions {
  compression?: CompressionCodec
  producerId?: number
  producerEpoch?: number
  baseSequence?: number
  timestampType?: TimestampType
  isTransactional?: boolean
  /** A control batch (transaction markers): only the broker writes these. */
  isControl?: boolean
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
    if (opts.isControl === true) attributes |= CONTROL_BIT
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
