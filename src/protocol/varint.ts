// Kafka's variable-length integers (protocol.md §2): unsigned varint (LEB128, ≤ 5 bytes), and zig-zag varint
// (int32, ≤ 5 bytes) / varlong (int64, ≤ 10 bytes) as used by records, headers and compact/flexible encodings.
//
// Reads take a mutable position holder rather than returning {value, next}: the record cursor decodes several
// varints per record and must not allocate per call. Writes take an explicit position and return the next one;
// the caller guarantees capacity (a Uint8Array silently drops out-of-range writes).
//
// varlongs are JS numbers: exact for |n| ≤ 2^53 − 1, which covers timestamps and offsets in practice; larger
// values lose low bits instead of throwing, like any number-typed int64 here.

import { ProtocolDecodeError } from './protocol-error.js'

/** Read position shared by consecutive reads; each read advances `pos` past what it consumed. */
export interface ReadPosition {
  pos: number
}

const TWO_POW_27 = 2 ** 27
const TWO_POW_31 = 2 ** 31

function truncated(kind: string, at: number): ProtocolDecodeError {
  return new ProtocolDecodeError(`truncated ${kind} at byte ${at}`, { offset: at })
}

/** Unsigned 32-bit LEB128. Values wrap modulo 2^32 like Java's ByteUtils; a 6th byte is an error. */
export function readUnsignedVarint(buf: Uint8Array, p: ReadPosition, end: number = buf.length): number {
  const start = p.pos
  let pos = start
  if (pos >= end) throw truncated('varint', start)
  let b = buf[pos++]!
  if (b < 0x80) {
    p.pos = pos
    return b
  }
  let result = b & 0x7f
  for (let shift = 7; ; shift += 7) {
    if (pos >= end) throw truncated('varint', start)
    b = buf[pos++]!
    if (shift === 28) {
      if (b & 0x80) throw new ProtocolDecodeError(`varint longer than 5 bytes at byte ${start}`, { offset: start })
      result |= b << 28
      break
    }
    result |= (b & 0x7f) << shift
    if (b < 0x80) break
  }
  p.pos = pos
  return result >>> 0
}

/** Zig-zag encoded signed 32-bit varint. */
export function readVarint(buf: Uint8Array, p: ReadPosition, end: number = buf.length): number {
  const u = readUnsignedVarint(buf, p, end)
  return (u >>> 1) ^ -(u & 1)
}

/** Zig-zag encoded signed 64-bit varlong, as a number (see the precision note at the top). */
export function readVarlong(buf: Uint8Array, p: ReadPosition, end: number = buf.length): number {
  const start = p.pos
  let pos = start
  if (pos >= end) throw truncated('varlong', start)
  let b = buf[pos++]!
  if (b < 0x80) {
    p.pos = pos
    return (b >>> 1) ^ -(b & 1)
  }
  // First 28 bits with integer ops, the rest (up to 64) by multiplication since they overflow int32.
  let low = b & 0x7f
  let shift = 7
  for (; shift < 28; shift += 7) {
    if (pos >= end) throw truncated('varlong', start)
    b = buf[pos++]!
    low |= (b & 0x7f) << shift
    if (b < 0x80) {
      p.pos = pos
      return (low >>> 1) ^ -(low & 1)
    }
  }
  let high = 0
  let scale = 1
  for (;;) {
    if (pos >= end) throw truncated('varlong', start)
    b = buf[pos++]!
    high += (b & 0x7f) * scale
    if (b < 0x80) break
    scale *= 128
    shift += 7
    if (shift > 63) throw new ProtocolDecodeError(`varlong longer than 10 bytes at byte ${start}`, { offset: start })
  }
  p.pos = pos
  // n = raw / 2 (raw even) or -(raw + 1) / 2 (raw odd), with raw = high·2^28 + low; halving before combining keeps
  // the result exact up to 2^53 where raw itself would not be.
  const half = high * TWO_POW_27 + (low >>> 1)
  return low & 1 ? -half - 1 : half
}

/** Writes `value` (taken modulo 2^32) as an unsigned varint at `at`; returns the position after it. */
export function writeUnsignedVarint(buf: Uint8Array, value: number, at: number): number {
  let v = value >>> 0
  while (v > 0x7f) {
    buf[at++] = (v & 0x7f) | 0x80
    v >>>= 7
  }
  buf[at++] = v
  return at
}

/** Writes a signed 32-bit value as a zig-zag varint; returns the position after it. */
export function writeVarint(buf: Uint8Array, value: number, at: number): number {
  return writeUnsignedVarint(buf, (value << 1) ^ (value >> 31), at)
}

/** Writes an integer (|value| ≤ 2^53 − 1) as a zig-zag varlong; returns the position after it. */
export function writeVarlong(buf: Uint8Array, value: number, at: number): number {
  // zig-zag z = 2m (value ≥ 0) or 2m + 1 (value < 0, m = −value − 1). Forming z would double past 2^53, so the
  // first byte comes from m directly and the rest from floor(m / 64) = floor(z / 128).
  const sign = value < 0 ? 1 : 0
  const m = sign ? -value - 1 : value
  if (m < TWO_POW_31) return writeUnsignedVarint(buf, m * 2 + sign, at)
  buf[at++] = ((m % 64) * 2 + sign) | 0x80
  let rest = Math.floor(m / 64)
  while (rest > 0x7f) {
    buf[at++] = (rest % 128) | 0x80
    rest = Math.floor(rest / 128)
  }
  buf[at++] = rest
  return at
}

export function sizeOfUnsignedVarint(value: number): number {
  const v = value >>> 0
  if (v < 0x80) return 1
  if (v < 0x4000) return 2
  if (v < 0x200000) return 3
  if (v < 0x10000000) return 4
  return 5
}

export function sizeOfVarint(value: number): number {
  return sizeOfUnsignedVarint((value << 1) ^ (value >> 31))
}

export function sizeOfVarlong(value: number): number {
  const m = value < 0 ? -value - 1 : value
  if (m < TWO_POW_31) return sizeOfUnsignedVarint(m * 2 + (value < 0 ? 1 : 0))
  let size = 2
  for (let rest = Math.floor(m / 64); rest > 0x7f; rest = Math.floor(rest / 128)) size++
  return size
}

/** 32-bit zig-zag: maps signed to unsigned so small magnitudes encode short (0→0, −1→1, 1→2, …). */
export function zigZagEncode32(n: number): number {
  return ((n << 1) ^ (n >> 31)) >>> 0
}

export function zigZagDecode32(n: number): number {
  return (n >>> 1) ^ -(n & 1)
}
