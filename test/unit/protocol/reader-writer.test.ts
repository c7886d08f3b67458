import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ProtocolDecodeError } from '../../../src/protocol/protocol-error.js'
import { Reader, isZeroUuid } from '../../../src/protocol/reader.js'
import { Writer } from '../../../src/protocol/writer.js'

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex')
const reader = (s: string) => new Reader(hex(s))
const bytesOf = (write: (w: Writer) => void) => {
  const w = new Writer(16)
  write(w)
  return w.toBuffer().toString('hex')
}

function decodeError(fn: () => unknown): ProtocolDecodeError {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolDecodeError)
    return e as ProtocolDecodeError
  }
  throw new Error('expected a ProtocolDecodeError')
}

// Expected encodings below are written out from the type table in protocol.md §2, not produced by the Writer.
describe('primitive encodings', () => {
  it('reads and writes fixed-width integers big-endian, two’s complement', () => {
    const r = reader('80 7ffe 80000000 fffffffffffffffe 001fffffffffffff ffff ffffffff')
    expect(r.int8()).toBe(-128)
    expect(r.int16()).toBe(32766)
    expect(r.int32()).toBe(-2147483648)
    expect(r.int64()).toBe(-2)
    expect(r.int64()).toBe(2 ** 53 - 1)
    expect(r.uint16()).toBe(65535)
    expect(r.uint32()).toBe(4294967295)
    expect(r.remaining).toBe(0)
    expect(bytesOf((w) => w.int8(-128).int16(32766).int32(-2147483648).int64(-2).int64(2 ** 53 - 1).uint16(65535).uint32(4294967295))).toBe(
      '807ffe80000000fffffffffffffffe001fffffffffffffffffffffffff',
    )
  })

  it('refuses int64 values that a number cannot hold exactly', () => {
    expect(reader('ffffffffffffffff').int64()).toBe(-1)
    expect(reader('ffe0000000000001').int64()).toBe(-(2 ** 53) + 1)
    const err = decodeError(() => reader('0020000000000000').int64())
    expect(err.offset).toBe(0)
    decodeError(() => reader('7fffffffffffffff').int64())
    decodeError(() => reader('8000000000000000').int64())
    expect(() => new Writer().int64(2 ** 53)).toThrow(RangeError)
  })

  it('float64, bool and uuid', () => {
    const r = reader('3ff8000000000000 00 01 ff 000102030405060708090a0b0c0d0e0f')
    expect(r.float64()).toBe(1.5)
    expect(r.bool()).toBe(false)
    expect(r.bool()).toBe(true)
    expect(r.bool()).toBe(true)
    const id = r.uuid()
    expect(id.toString('hex')).toBe('000102030405060708090a0b0c0d0e0f')
    expect(id.buffer).toBe(r.buf.buffer) // a view, not a copy
    expect(isZeroUuid(Buffer.alloc(16))).toBe(true)
    expect(isZeroUuid(id)).toBe(false)
    expect(bytesOf((w) => w.float64(1.5).bool(false).bool(true).uuid(id))).toBe('3ff80000000000000001000102030405060708090a0b0c0d0e0f')
  })

  it('strings: int16 length, −1 = null; compact: varint length+1, 0 = null', () => {
    const r = reader('0003 616263  ffff  0000  04 616263  00  01  03 c3a9')
    expect(r.string()).toBe('abc')
    expect(r.nullableString()).toBeNull()
    expect(r.string()).toBe('')
    expect(r.compactString()).toBe('abc')
    expect(r.compactNullableString()).toBeNull()
    expect(r.compactString()).toBe('')
    expect(r.compactString()).toBe('é')
    expect(bytesOf((w) => w.string('abc').nullableString(null).string('').compactString('abc').compactNullableString(null).compactString('').compactString('é'))).toBe(
      '0003616263ffff000004616263000103c3a9',
    )
  })

  it('refuses null in non-nullable strings and negative lengths other than −1', () => {
    decodeError(() => reader('ffff').string())
    decodeError(() => reader('00').compactString())
    decodeError(() => reader('fffe').nullableString())
    decodeError(() => reader('0005 6162').string())
    expect(() => new Writer().string('x'.repeat(0x8000))).toThrow(RangeError)
  })

  it('bytes are zero-copy views; −1 / 0 mean null', () => {
    const buf = hex('00000002 abcd ffffffff 03 0102 00')
    const r = new Reader(buf)
    const b = r.bytes()
    expect(b.toString('hex')).toBe('abcd')
    expect(b.buffer).toBe(buf.buffer)
    expect(b.byteOffset).toBe(buf.byteOffset + 4)
    expect(r.nullableBytes()).toBeNull()
    expect(r.compactBytes().toString('hex')).toBe('0102')
    expect(r.compactNullableBytes()).toBeNull()
    decodeError(() => reader('ffffffff').bytes())
    decodeError(() => reader('fffffffe').nullableBytes())
  })

  it('arrays: int32 count (−1 null) and compact count+1 (0 null), elements in wire order', () => {
    const r = reader('00000003 00000003 00000001 00000002  ffffffff  03 0002 0001  00')
    expect(r.array(() => r.int32())).toEqual([3, 1, 2])
    expect(r.nullableArray(() => r.int32())).toBeNull()
    expect(r.compactArray(() => r.int16())).toEqual([2, 1])
    expect(r.compactNullableArray(() => r.int16())).toBeNull()
    expect(
      bytesOf((w) =>
        w
          .array([3, 1, 2], (e) => w.int32(e))
          .nullableArray(null, (e: number) => w.int32(e))
          .compactArray([2, 1], (e) => w.int16(e))
          .compactNullableArray(null, (e: number) => w.int16(e)),
      ),
    ).toBe('00000003' + '00000003' + '00000001' + '00000002' + 'ffffffff' + '03' + '0002' + '0001' + '00')
  })

  it('refuses array counts that cannot fit in the bytes left (no huge allocation)', () => {
    const err = decodeError(() => reader('7fffffff 00').array(() => 0))
    expect(err.offset).toBe(0)
    decodeError(() => reader('ffffffff').array(() => 0))
    decodeError(() => reader('fffffffe').nullableArray(() => 0))
    decodeError(() => reader('ffffffff0f').compactArray(() => 0))
  })

  it('varints as in protocol.md §2 (LEB128, zig-zag)', () => {
    const r = reader('ac02 01 feffffff0f')
    expect(r.unsignedVarint()).toBe(300)
    expect(r.varint()).toBe(-1)
    expect(r.unsignedVarint()).toBe(4294967294)
    expect(bytesOf((w) => w.unsignedVarint(300).varint(-1).varlong(-(2 ** 40)))).toBe('ac0201ffffffffff3f')
    decodeError(() => reader('ff').unsignedVarint())
    decodeError(() => reader('ffffffffff01').unsignedVarint())
  })
})

describe('tagged fields', () => {
  it('skips a whole section of unknown tags', () => {
    // 2 fields: tag 5 size 2, tag 300 size 0; then a sentinel int8
    const r = reader('02 05 02 abcd ac02 00 7f')
    r.skipTaggedFields()
    expect(r.int8()).toBe(127)
  })

  it('reads a known value inside its declared size and skips what it leaves', () => {
    const r = reader('03 0000ee 7f')
    const v = r.tagged(r.unsignedVarint(), () => r.int16())
    expect(v).toBe(0)
    expect(r.int8()).toBe(127)
    expect(r.end).toBe(5)
  })

  it('refuses a value that runs past its declared size, and a size past the end', () => {
    const r = reader('02 00000007')
    decodeError(() => r.tagged(r.unsignedVarint(), () => r.int32()))
    decodeError(() => reader('09 00').tagged(9, () => 0))
    decodeError(() => reader('01 05 09 00').skipTaggedFields())
  })

  it('writes tag, size, value', () => {
    expect(bytesOf((w) => w.unsignedVarint(2).tagged(0, (t) => t.int32(7)).tagged(300, (t) => t.compactString('ab')).emptyTaggedFields())).toBe(
      '02' + '00' + '04' + '00000007' + 'ac02' + '03' + '036162' + '00',
    )
  })
})

describe('bounds', () => {
  it('every read past the end is a ProtocolDecodeError carrying the offset and request', () => {
    const reads: ((r: Reader) => unknown)[] = [
      (r) => r.int8(),
      (r) => r.int16(),
      (r) => r.int32(),
      (r) => r.int64(),
      (r) => r.uint16(),
      (r) => r.uint32(),
      (r) => r.float64(),
      (r) => r.bool(),
      (r) => r.uuid(),
      (r) => r.unsignedVarint(),
      (r) => r.varint(),
      (r) => r.varlong(),
      (r) => r.string(),
      (r) => r.compactString(),
      (r) => r.bytes(),
      (r) => r.compactBytes(),
      (r) => r.array(() => r.int8()),
      (r) => r.compactArray(() => r.int8()),
      (r) => r.skipTaggedFields(),
    ]
    for (const read of reads) {
      const r = new Reader(Buffer.alloc(8), 8)
      r.apiKey = 3
      r.apiVersion = 1
      const err = decodeError(() => read(r))
      expect(err.offset).toBe(8)
      expect(err.apiKey).toBe(3)
      expect(err.apiVersion).toBe(1)
    }
  })

  it('respects a start and end inside a larger buffer', () => {
    const buf = hex('ffff 0001 ffff')
    const r = new Reader(buf, 2, 4)
    expect(r.int16()).toBe(1)
    decodeError(() => r.int8())
  })
})

describe('Writer output', () => {
  it('grows across many small writes without losing bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 300 }), (values) => {
        const w = new Writer(16)
        for (const v of values) w.int32(v)
        const expected = Buffer.alloc(values.length * 4)
        values.forEach((v, i) => expected.writeInt32BE(v, i * 4))
        expect(w.toBuffer().equals(expected)).toBe(true)
        expect(w.length).toBe(expected.length)
      }),
    )
  })

  it('splices large bytes and records by reference and keeps small ones inline', () => {
    const big = Buffer.alloc(64 * 1024, 7)
    const big2 = Buffer.alloc(4096, 9)
    const small = Buffer.from('abc')
    const w = new Writer(16)
    w.int16(1).bytes(big).int8(2).records([big2, small]).compactRecords(big).records(null).compactRecords(null).compactBytes(small)
    const parts = w.toBuffers()
    expect(parts.filter((p) => p === big)).toHaveLength(2)
    expect(parts.filter((p) => p === big2)).toHaveLength(1)
    const expected = Buffer.concat([
      hex('0001 00010000'),
      big,
      hex('02 00001003'),
      big2,
      small,
      hex('818004'), // unsigned varint 65537 = 64 KiB + 1
      big,
      hex('ffffffff 00 04'),
      small,
    ])
    expect(w.toBuffer().equals(expected)).toBe(true)
    expect(w.length).toBe(expected.length)
  })

  it('patches a reserved int32 after growth and splices', () => {
    const w = new Writer(16)
    const at = w.reserveInt32()
    w.int16(5)
    w.bytes(Buffer.alloc(5000, 1))
    for (let i = 0; i < 100; i++) w.int32(i)
    w.setInt32(at, w.length - 4)
    const out = w.toBuffer()
    expect(out.readInt32BE(0)).toBe(out.length - 4)
    expect(out.readInt16BE(4)).toBe(5)

    const w2 = new Writer(16)
    w2.bytes(Buffer.alloc(5000, 1))
    const mid = w2.reserveInt32()
    w2.int32(1)
    w2.setInt32(mid, 42)
    expect(w2.toBuffer().readInt32BE(mid)).toBe(42)
    expect(() => w2.setInt32(w2.length - 2, 0)).toThrow(RangeError)
  })
})
