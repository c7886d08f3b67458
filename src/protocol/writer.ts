// Growable output for one request/response. Small fields are copied into a working buffer; large byte payloads
// (stored record batches in a Fetch response) are spliced in by reference, so the result is a list of chunks for
// the socket (cork + write each, i.e. writev) and a megabyte batch is never copied by the codec.
//
// Errors thrown here are programming errors in the encoder's caller (a string too long for int16, an unsafe
// int64), not peer input, so they are plain RangeErrors.

import { writeUnsignedVarint, writeVarint, writeVarlong } from './varint.js'

/** What a `records` field accepts when encoding: one buffer, several (concatenated on the wire), or null. */
export type RecordsInput = Buffer | readonly Buffer[] | null

const TWO_POW_32 = 2 ** 32
/** Below this size a payload is cheaper to copy than to carry as a separate chunk. */
const SPLICE_THRESHOLD = 1024

export class Writer {
  private buf: Buffer
  private pos = 0
  /** Start (in `buf`) of the bytes not yet moved into `chunks`. */
  private segmentStart = 0
  private readonly chunks: Buffer[] = []
  /** Total length of `chunks`. */
  private flushed = 0

  constructor(initialCapacity = 256) {
    this.buf = Buffer.allocUnsafe(Math.max(16, initialCapacity))
  }

  /** Bytes written so far. */
  get length(): number {
    return this.flushed + this.pos - this.segmentStart
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return
    // Only the open segment moves; earlier chunks keep referring to the old buffer, which stays valid.
    const live = this.pos - this.segmentStart
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, live + n, 256))
    this.buf.copy(next, 0, this.segmentStart, this.pos)
    this.buf = next
    this.segmentStart = 0
    this.pos = live
  }

  int8(value: number): this {
    this.ensure(1)
    this.pos = this.buf.writeInt8(value, this.pos)
    return this
  }

  int16(value: number): this {
    this.ensure(2)
    this.pos = this.buf.writeInt16BE(value, this.pos)
    return this
  }

  int32(value: number): this {
    this.ensure(4)
    this.pos = this.buf.writeInt32BE(value, this.pos)
    return this
  }

  uint16(value: number): this {
    this.ensure(2)
    this.pos = this.buf.writeUInt16BE(value, this.pos)
    return this
  }

  uint32(value: number): this {
    this.ensure(4)
    this.pos = this.buf.writeUInt32BE(value, this.pos)
    return this
  }

  int64(value: number): this {
    if (!Number.isSafeInteger(value)) throw new RangeError(`int64 value ${value} is not a safe integer`)
    const high = Math.floor(value / TWO_POW_32)
    this.ensure(8)
    this.buf.writeInt32BE(high, this.pos)
    this.buf.writeUInt32BE(value - high * TWO_POW_32, this.pos + 4)
    this.pos += 8
    return this
  }

  float64(value: number): this {
    this.ensure(8)
    this.pos = this.buf.writeDoubleBE(value, this.pos)
    return this
  }

  bool(value: boolean): this {
    this.ensure(1)
    this.buf[this.pos++] = value ? 1 : 0
    return this
  }

  uuid(value: Uint8Array): this {
    if (value.length !== 16) throw new RangeError(`uuid must be 16 bytes, got ${value.length}`)
    return this.raw(value)
  }

  unsignedVarint(value: number): this {
    this.ensure(5)
    this.pos = writeUnsignedVarint(this.buf, value, this.pos)
    return this
  }

  varint(value: number): this {
    this.ensure(5)
    this.pos = writeVarint(this.buf, value, this.pos)
    return this
  }

  varlong(value: number): this {
    this.ensure(10)
    this.pos = writeVarlong(this.buf, value, this.pos)
    return this
  }

  /** Copies bytes in as they are (no length prefix). */
  raw(bytes: Uint8Array): this {
    this.ensure(bytes.length)
    this.buf.set(bytes, this.pos)
    this.pos += bytes.length
    return this
  }

  /** Appends bytes (no length prefix) by reference when large enough to be worth a chunk of their own. */
  splice(bytes: Buffer): this {
    if (bytes.length < SPLICE_THRESHOLD) return this.raw(bytes)
    this.closeSegment()
    this.chunks.push(bytes)
    this.flushed += bytes.length
    return this
  }

  private closeSegment(): void {
    if (this.pos > this.segmentStart) {
      this.chunks.push(this.buf.subarray(this.segmentStart, this.pos))
      this.flushed += this.pos - this.segmentStart
      this.segmentStart = this.pos
    }
  }

  // --- strings ---

  string(value: string): this {
    const len = Buffer.byteLength(value, 'utf8')
    if (len > 0x7fff) throw new RangeError(`string of ${len} bytes is too long for an int16 length`)
    this.ensure(2 + len)
    this.pos = this.buf.writeInt16BE(len, this.pos)
    this.pos += this.buf.write(value, this.pos, len, 'utf8')
    return this
  }

  nullableString(value: string | null): this {
    return value === null ? this.int16(-1) : this.string(value)
  }

  compactString(value: string): this {
    const len = Buffer.byteLength(value, 'utf8')
    this.ensure(5 + len)
    this.pos = writeUnsignedVarint(this.buf, len + 1, this.pos)
    this.pos += this.buf.write(value, this.pos, len, 'utf8')
    return this
  }

  compactNullableString(value: string | null): this {
    return value === null ? this.unsignedVarint(0) : this.compactString(value)
  }

  // --- bytes and records ---

  bytes(value: Uint8Array): this {
    this.int32(value.length)
    return Buffer.isBuffer(value) ? this.splice(value) : this.raw(value)
  }

  nullableBytes(value: Uint8Array | null): this {
    return value === null ? this.int32(-1) : this.bytes(value)
  }

  compactBytes(value: Uint8Array): this {
    this.unsignedVarint(value.length + 1)
    return Buffer.isBuffer(value) ? this.splice(value) : this.raw(value)
  }

  compactNullableBytes(value: Uint8Array | null): this {
    return value === null ? this.unsignedVarint(0) : this.compactBytes(value)
  }

  /** Nullable bytes whose content may be given as several batches; each is spliced, never concatenated. */
  records(value: RecordsInput): this {
    if (value === null) return this.int32(-1)
    if (Buffer.isBuffer(value)) return this.bytes(value)
    this.int32(totalLength(value))
    for (const part of value) this.splice(part)
    return this
  }

  compactRecords(value: RecordsInput): this {
    if (value === null) return this.unsignedVarint(0)
    if (Buffer.isBuffer(value)) return this.compactBytes(value)
    this.unsignedVarint(totalLength(value) + 1)
    for (const part of value) this.splice(part)
    return this
  }

  // --- arrays ---

  array<T>(items: readonly T[], writeElement: (item: T) => void): this {
    this.int32(items.length)
    for (const item of items) writeElement(item)
    return this
  }

  nullableArray<T>(items: readonly T[] | null, writeElement: (item: T) => void): this {
    return items === null ? this.int32(-1) : this.array(items, writeElement)
  }

  compactArray<T>(items: readonly T[], writeElement: (item: T) => void): this {
    this.unsignedVarint(items.length + 1)
    for (const item of items) writeElement(item)
    return this
  }

  compactNullableArray<T>(items: readonly T[] | null, writeElement: (item: T) => void): this {
    return items === null ? this.unsignedVarint(0) : this.compactArray(items, writeElement)
  }

  /** A nullable struct field: -1 for null, else 1 and the struct (Kafka's marker byte). */
  nullableStruct<T>(value: T | null, writeStruct: (item: T) => void): this {
    if (value === null) return this.int8(-1)
    this.int8(1)
    writeStruct(value)
    return this
  }

  // --- tagged fields ---

  /** The section of a flexible struct that carries no tagged fields: a single 0x00. */
  emptyTaggedFields(): this {
    this.ensure(1)
    this.buf[this.pos++] = 0
    return this
  }

  /** One tagged field: tag, size, value. The value is encoded aside first because its size comes before it. */
  tagged(tag: number, writeValue: (w: Writer) => void): this {
    const value = new Writer(64)
    writeValue(value)
    this.unsignedVarint(tag).unsignedVarint(value.length)
    for (const part of value.toBuffers()) this.splice(part)
    return this
  }

  // --- framing ---

  /** Writes a placeholder int32 (e.g. a frame size) and returns its offset for setInt32. */
  reserveInt32(): number {
    const at = this.length
    this.int32(0)
    return at
  }

  /** Overwrites 4 bytes at `offset` (counted from the first byte ever written). */
  setInt32(offset: number, value: number): this {
    if (offset < 0 || offset + 4 > this.length) throw new RangeError(`offset ${offset} is outside the written bytes`)
    if (offset >= this.flushed) {
      this.buf.writeInt32BE(value, this.segmentStart + offset - this.flushed)
      return this
    }
    let at = 0
    for (const chunk of this.chunks) {
      // A placeholder is written whole into one segment, never across a splice.
      if (offset < at + chunk.length) {
        chunk.writeInt32BE(value, offset - at)
        return this
      }
      at += chunk.length
    }
    return this
  }

  /** The output as chunks to write in order (views of the writer's buffers and of spliced payloads). */
  toBuffers(): Buffer[] {
    if (this.pos === this.segmentStart) return this.chunks.slice()
    return [...this.chunks, this.buf.subarray(this.segmentStart, this.pos)]
  }

  /** The output as one Buffer; copies once when large payloads were spliced in. */
  toBuffer(): Buffer {
    const parts = this.toBuffers()
    if (parts.length === 1) return parts[0]!
    return Buffer.concat(parts, this.length)
  }
}

function totalLength(parts: readonly Buffer[]): number {
  let n = 0
  for (const p of parts) n += p.length
  return n
}

/** For generated encoders: a field that the requested version cannot carry was given a non-default value. */
export function fieldNotInVersion(message: string, field: string, version: number): RangeError {
  return new RangeError(`${message}: ${field} has a non-default value but cannot be written at version ${version}`)
}

/** For generated encoders: null given for a field that is not nullable at the requested version. */
export function nullNotAllowed(message: string, field: string, version: number): RangeError {
  return new RangeError(`${message}: ${field} is not nullable at version ${version}`)
}

/** For generated encoders: a version outside the message's validVersions. */
export function versionNotValid(message: string, version: number): RangeError {
  return new RangeError(`${message}: version ${version} is not a valid version`)
}
