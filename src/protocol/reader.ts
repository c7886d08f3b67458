// Bounds-checked cursor over one request/response body. Every read checks against `end` first and throws a
// ProtocolDecodeError, so a malformed frame can never surface a RangeError from Buffer's readers (style.md §2.4).
// bytes, records and uuid values are subarrays of the input: zero copy, valid as long as the frame buffer is.
//
// Method names say the wire form (string / nullableString / compactString / compactNullableString …) instead of
// taking a `compact` flag, so generated call sites read as the spec does (pitfall 1).

import { ProtocolDecodeError } from './protocol-error.js'
import { readUnsignedVarint, readVarint, readVarlong, type ReadPosition } from './varint.js'

const TWO_POW_32 = 2 ** 32

export class Reader implements ReadPosition {
  readonly buf: Buffer
  pos: number
  /** Exclusive limit of readable bytes; narrowed temporarily while a tagged field's value is read. */
  end: number
  /** Carried into every error so the connection log says which request was unreadable. */
  apiKey: number | undefined
  apiVersion: number | undefined

  constructor(buf: Buffer, start = 0, end: number = buf.length) {
    this.buf = buf
    this.pos = start
    this.end = end
  }

  get remaining(): number {
    return this.end - this.pos
  }

  error(message: string, at: number = this.pos): ProtocolDecodeError {
    return new ProtocolDecodeError(message, { offset: at, apiKey: this.apiKey, apiVersion: this.apiVersion })
  }

  /** Claims `n` bytes and returns where they start. */
  private take(n: number, what: string): number {
    const at = this.pos
    if (n > this.end - at) throw this.error(`truncated ${what}: need ${n} bytes, ${this.end - at} left`, at)
    this.pos = at + n
    return at
  }

  skip(n: number): void {
    this.take(n, 'field')
  }

  int8(): number {
    return this.buf.readInt8(this.take(1, 'int8'))
  }

  int16(): number {
    return this.buf.readInt16BE(this.take(2, 'int16'))
  }

  int32(): number {
    return this.buf.readInt32BE(this.take(4, 'int32'))
  }

  uint16(): number {
    return this.buf.readUInt16BE(this.take(2, 'uint16'))
  }

  uint32(): number {
    return this.buf.readUInt32BE(this.take(4, 'uint32'))
  }

  /** int64 as a number; values outside ±(2^53 − 1) cannot be represented exactly and are refused. */
  int64(): number {
    const at = this.take(8, 'int64')
    const value = this.buf.readInt32BE(at) * TWO_POW_32 + this.buf.readUInt32BE(at + 4)
    if (!Number.isSafeInteger(value)) throw this.error('int64 value beyond ±2^53 is not supported', at)
    return value
  }

  float64(): number {
    return this.buf.readDoubleBE(this.take(8, 'float64'))
  }

  bool(): boolean {
    return this.buf[this.take(1, 'bool')] !== 0
  }

  /** 16 raw bytes, as a view. */
  uuid(): Buffer {
    const at = this.take(16, 'uuid')
    return this.buf.subarray(at, at + 16)
  }

  unsignedVarint(): number {
    try {
      return readUnsignedVarint(this.buf, this, this.end)
    } catch (e) {
      throw this.rethrow(e)
    }
  }

  varint(): number {
    try {
      return readVarint(this.buf, this, this.end)
    } catch (e) {
      throw this.rethrow(e)
    }
  }

  varlong(): number {
    try {
      return readVarlong(this.buf, this, this.end)
    } catch (e) {
      throw this.rethrow(e)
    }
  }

  private rethrow(e: unknown): unknown {
    return e instanceof ProtocolDecodeError ? this.error(e.message, e.offset) : e
  }

  // --- strings: int16 length (−1 = null) or compact unsigned varint length+1 (0 = null) ---

  string(): string {
    const s = this.nullableString()
    if (s === null) throw this.error('non-nullable string field was null', this.pos - 2)
    return s
  }

  nullableString(): string | null {
    const len = this.int16()
    if (len < 0) {
      if (len === -1) return null
      throw this.error(`invalid string length ${len}`, this.pos - 2)
    }
    const at = this.take(len, 'string')
    return this.buf.toString('utf8', at, at + len)
  }

  compactString(): string {
    const start = this.pos
    const s = this.compactNullableString()
    if (s === null) throw this.error('non-nullable compact string field was null', start)
    return s
  }

  compactNullableString(): string | null {
    const len = this.unsignedVarint() - 1
    if (len < 0) return null
    const at = this.take(len, 'compact string')
    return this.buf.toString('utf8', at, at + len)
  }

  // --- bytes (and records, which share the nullable-bytes wire form) ---

  bytes(): Buffer {
    const start = this.pos
    const b = this.nullableBytes()
    if (b === null) throw this.error('non-nullable bytes field was null', start)
    return b
  }

  nullableBytes(): Buffer | null {
    const len = this.int32()
    if (len < 0) {
      if (len === -1) return null
      throw this.error(`invalid bytes length ${len}`, this.pos - 4)
    }
    const at = this.take(len, 'bytes')
    return this.buf.subarray(at, at + len)
  }

  compactBytes(): Buffer {
    const start = this.pos
    const b = this.compactNullableBytes()
    if (b === null) throw this.error('non-nullable compact bytes field was null', start)
    return b
  }

  compactNullableBytes(): Buffer | null {
    const len = this.unsignedVarint() - 1
    if (len < 0) return null
    const at = this.take(len, 'compact bytes')
    return this.buf.subarray(at, at + len)
  }

  // --- arrays: the element reader is called once per element, in wire order ---

  /** int32 count, −1 = null. A count larger than the bytes left is refused before anything is allocated. */
  arrayLength(): number {
    const at = this.pos
    const n = this.int32()
    if (n < -1) throw this.error(`invalid array length ${n}`, at)
    if (n > this.end - this.pos) throw this.error(`array of ${n} elements cannot fit in ${this.end - this.pos} bytes`, at)
    return n
  }

  /** Unsigned varint count+1, 0 = null; returns −1 for null. */
  compactArrayLength(): number {
    const at = this.pos
    const n = this.unsignedVarint() - 1
    if (n > this.end - this.pos) throw this.error(`array of ${n} elements cannot fit in ${this.end - this.pos} bytes`, at)
    return n
  }

  array<T>(readElement: () => T): T[] {
    const at = this.pos
    const n = this.arrayLength()
    if (n < 0) throw this.error('non-nullable array field was null', at)
    return this.elements(n, readElement)
  }

  nullableArray<T>(readElement: () => T): T[] | null {
    const n = this.arrayLength()
    return n < 0 ? null : this.elements(n, readElement)
  }

  compactArray<T>(readElement: () => T): T[] {
    const at = this.pos
    const n = this.compactArrayLength()
    if (n < 0) throw this.error('non-nullable compact array field was null', at)
    return this.elements(n, readElement)
  }

  compactNullableArray<T>(readElement: () => T): T[] | null {
    const n = this.compactArrayLength()
    return n < 0 ? null : this.elements(n, readElement)
  }

  /** A nullable struct field: an int8 marker (-1 null, 1 present) before the struct, in every version. */
  nullableStruct<T>(readStruct: () => T): T | null {
    return this.int8() < 0 ? null : readStruct()
  }

  private elements<T>(n: number, readElement: () => T): T[] {
    const out: T[] = []
    for (let i = 0; i < n; i++) out.push(readElement())
    return out
  }

  // --- tagged fields (flexible versions) ---

  /** Skips a whole tagged-field section: all tags are unknown to the caller. */
  skipTaggedFields(): void {
    const count = this.unsignedVarint()
    for (let i = 0; i < count; i++) {
      this.unsignedVarint()
      this.skip(this.unsignedVarint())
    }
  }

  /**
   * Reads one known tagged field's value of `size` bytes: the value may not run past its declared size, and
   * anything it leaves unread (a newer encoding of the value) is skipped.
   */
  tagged<T>(size: number, readValue: () => T): T {
    const valueEnd = this.take(size, 'tagged field') + size
    this.pos = valueEnd - size
    const outerEnd = this.end
    this.end = valueEnd
    try {
      return readValue()
    } finally {
      this.end = outerEnd
      this.pos = valueEnd
    }
  }
}

/** The all-zero uuid, Kafka's "no id". Shared: never write into it. */
export const ZERO_UUID: Buffer = Buffer.alloc(16)

/** Zero-length bytes, the default of a non-nullable bytes/records field. Shared: never write into it. */
export const EMPTY_BYTES: Buffer = Buffer.alloc(0)

export function isZeroUuid(id: Uint8Array): boolean {
  for (let i = 0; i < id.length; i++) if (id[i] !== 0) return false
  return true
}
