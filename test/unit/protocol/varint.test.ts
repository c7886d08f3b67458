import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ProtocolDecodeError } from '../../../src/protocol/protocol-error.js'
import {
  readUnsignedVarint,
  readVarint,
  readVarlong,
  sizeOfUnsignedVarint,
  sizeOfVarint,
  sizeOfVarlong,
  writeUnsignedVarint,
  writeVarint,
  writeVarlong,
  zigZagDecode32,
  zigZagEncode32,
} from '../../../src/protocol/varint.js'

const hex = (s: string) => Buffer.from(s.replace(/ /g, ''), 'hex')

// Vectors from Apache Kafka's ByteUtilsTest (testUnsignedVarintSerde / testVarintSerde / testVarlongSerde).
// Java's int is signed; the unsigned reads here return the same 32 bits as an unsigned number.
const UNSIGNED: [number, string][] = [
  [0, '00'],
  [-1, 'ff ff ff ff 0f'],
  [1, '01'],
  [63, '3f'],
  [-64, 'c0 ff ff ff 0f'],
  [64, '40'],
  [8191, 'ff 3f'],
  [-8192, '80 c0 ff ff 0f'],
  [8192, '80 40'],
  [-8193, 'ff bf ff ff 0f'],
  [1048575, 'ff ff 3f'],
  [1048576, '80 80 40'],
  [2147483647, 'ff ff ff ff 07'],
  [-2147483648, '80 80 80 80 08'],
]

const SIGNED: [number, string][] = [
  [0, '00'],
  [-1, '01'],
  [1, '02'],
  [63, '7e'],
  [-64, '7f'],
  [64, '80 01'],
  [-65, '81 01'],
  [8191, 'fe 7f'],
  [-8192, 'ff 7f'],
  [8192, '80 80 01'],
  [-8193, '81 80 01'],
  [1048575, 'fe ff 7f'],
  [-1048576, 'ff ff 7f'],
  [1048576, '80 80 80 01'],
  [-1048577, '81 80 80 01'],
  [134217727, 'fe ff ff 7f'],
  [-134217728, 'ff ff ff 7f'],
  [134217728, '80 80 80 80 01'],
  [-134217729, '81 80 80 80 01'],
  [2147483647, 'fe ff ff ff 0f'],
  [-2147483648, 'ff ff ff ff 0f'],
]

// Kafka's varlong vectors that fit a double exactly (|n| < 2^53).
const VARLONG: [number, string][] = [
  ...SIGNED,
  [17179869183, 'fe ff ff ff 7f'],
  [-17179869184, 'ff ff ff ff 7f'],
  [17179869184, '80 80 80 80 80 01'],
  [-17179869185, '81 80 80 80 80 01'],
  [2199023255551, 'fe ff ff ff ff 7f'],
  [-2199023255552, 'ff ff ff ff ff 7f'],
  [2199023255552, '80 80 80 80 80 80 01'],
  [-2199023255553, '81 80 80 80 80 80 01'],
  [281474976710655, 'fe ff ff ff ff ff 7f'],
  [-281474976710656, 'ff ff ff ff ff ff 7f'],
  [281474976710656, '80 80 80 80 80 80 80 01'],
  [-281474976710657, '81 80 80 80 80 80 80 01'],
]

function encode(write: (buf: Uint8Array, v: number, at: number) => number, value: number): Buffer {
  const buf = Buffer.alloc(16)
  return buf.subarray(0, write(buf, value, 0))
}

describe('unsigned varint', () => {
  it.each(UNSIGNED)('%d ⇄ %s', (value, bytes) => {
    expect(encode(writeUnsignedVarint, value)).toEqual(hex(bytes))
    expect(sizeOfUnsignedVarint(value)).toBe(hex(bytes).length)
    const p = { pos: 0 }
    expect(readUnsignedVarint(hex(bytes), p)).toBe(value >>> 0)
    expect(p.pos).toBe(hex(bytes).length)
  })
})

describe('zig-zag varint', () => {
  it.each(SIGNED)('%d ⇄ %s', (value, bytes) => {
    expect(encode(writeVarint, value)).toEqual(hex(bytes))
    expect(sizeOfVarint(value)).toBe(hex(bytes).length)
    const p = { pos: 0 }
    expect(readVarint(hex(bytes), p)).toBe(value)
    expect(p.pos).toBe(hex(bytes).length)
  })

  it('zig-zag maps 0, -1, 1, -2 to 0, 1, 2, 3', () => {
    expect([0, -1, 1, -2].map(zigZagEncode32)).toEqual([0, 1, 2, 3])
    expect([0, 1, 2, 3].map(zigZagDecode32)).toEqual([0, -1, 1, -2])
    expect(zigZagEncode32(-2147483648)).toBe(0xffffffff)
  })

  it('round-trips every int32 (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.nat(8), (n, offset) => {
        const buf = Buffer.alloc(offset + 5)
        const end = writeVarint(buf, n, offset)
        expect(end - offset).toBe(sizeOfVarint(n))
        const p = { pos: offset }
        expect(readVarint(buf, p)).toBe(n)
        expect(p.pos).toBe(end)
        expect(zigZagDecode32(zigZagEncode32(n))).toBe(n)
      }),
    )
  })

  it('round-trips every uint32 as an unsigned varint (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (n) => {
        const buf = Buffer.alloc(5)
        const end = writeUnsignedVarint(buf, n, 0)
        expect(end).toBe(sizeOfUnsignedVarint(n))
        expect(readUnsignedVarint(buf, { pos: 0 })).toBe(n)
      }),
    )
  })
})

describe('zig-zag varlong', () => {
  it.each(VARLONG)('%d ⇄ %s', (value, bytes) => {
    expect(encode(writeVarlong, value)).toEqual(hex(bytes))
    expect(sizeOfVarlong(value)).toBe(hex(bytes).length)
    const p = { pos: 0 }
    expect(readVarlong(hex(bytes), p)).toBe(value)
    expect(p.pos).toBe(hex(bytes).length)
  })

  it('reads Long.MAX_VALUE / MIN_VALUE (10 bytes) to the nearest double', () => {
    const max = hex('fe ff ff ff ff ff ff ff ff 01')
    const min = hex('ff ff ff ff ff ff ff ff ff 01')
    const p = { pos: 0 }
    expect(readVarlong(max, p)).toBe(Number(2n ** 63n - 1n))
    expect(p.pos).toBe(10)
    expect(readVarlong(min, { pos: 0 })).toBe(-(2 ** 63))
  })

  it('round-trips every safe integer (property)', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) => {
        const buf = Buffer.alloc(10)
        const end = writeVarlong(buf, n, 0)
        expect(end).toBe(sizeOfVarlong(n))
        const p = { pos: 0 }
        expect(readVarlong(buf, p)).toBe(n)
        expect(p.pos).toBe(end)
      }),
    )
  })
})

describe('malformed input', () => {
  // ByteUtilsTest.testInvalidVarint / testInvalidVarlong: one continuation byte too many
  it('rejects a 6-byte varint and an 11-byte varlong', () => {
    expect(() => readVarint(hex('ff ff ff ff ff 01'), { pos: 0 })).toThrow(ProtocolDecodeError)
    expect(() => readUnsignedVarint(hex('ff ff ff ff ff 01'), { pos: 0 })).toThrow(ProtocolDecodeError)
    expect(() => readVarlong(hex('ff ff ff ff ff ff ff ff ff ff 01'), { pos: 0 })).toThrow(ProtocolDecodeError)
  })

  it('throws ProtocolDecodeError (not RangeError) on truncation, honouring the end bound', () => {
    expect(() => readVarint(Buffer.alloc(0), { pos: 0 })).toThrow(ProtocolDecodeError)
    expect(() => readVarint(hex('80 80'), { pos: 0 })).toThrow(ProtocolDecodeError)
    expect(() => readVarlong(hex('80 80 80 80 80 80'), { pos: 0 })).toThrow(ProtocolDecodeError)
    expect(() => readVarint(hex('80 01'), { pos: 0 }, 1)).toThrow(ProtocolDecodeError)
    const p = { pos: 1 }
    expect(() => readUnsignedVarint(hex('00 80'), p)).toThrow(/truncated varint at byte 1/)
    expect(p.pos).toBe(1)
  })

  it('random bytes either decode or throw ProtocolDecodeError (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 12 }), fc.nat(12), (bytes, end) => {
        const buf = Buffer.from(bytes)
        for (const read of [readVarint, readUnsignedVarint, readVarlong]) {
          try {
            const p = { pos: 0 }
            const value = read(buf, p, Math.min(end, buf.length))
            expect(Number.isFinite(value)).toBe(true)
            expect(p.pos).toBeLessThanOrEqual(Math.min(end, buf.length))
          } catch (err) {
            expect(err).toBeInstanceOf(ProtocolDecodeError)
          }
        }
      }),
    )
  })
})
