import { describe, expect, it } from 'vitest'
import { crc32c } from '../../../src/protocol/crc32c.js'

describe('crc32c', () => {
  it('matches the CRC-32C check value', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283)
  })

  // RFC 3720 (iSCSI) appendix B.4 test vectors
  it.each([
    ['32 zero bytes', Buffer.alloc(32, 0), 0x8a9136aa],
    ['32 0xff bytes', Buffer.alloc(32, 0xff), 0x62a8ab43],
    ['0..31 ascending', Buffer.from(Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e],
    ['31..0 descending', Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c],
  ])('matches RFC 3720 vector: %s', (_name, input, expected) => {
    expect(crc32c(input)).toBe(expected)
  })

  it('is unsigned and covers only [start, end)', () => {
    const framed = Buffer.concat([Buffer.from('xx'), Buffer.from('123456789'), Buffer.from('yyy')])
    expect(crc32c(framed, 2, 11)).toBe(0xe3069283)
    expect(crc32c(framed, 2, 2)).toBe(0)
    expect(crc32c(Buffer.alloc(32, 0xff))).toBeGreaterThan(0)
  })
})
