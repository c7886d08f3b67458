import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { murmur2, partitionForKey } from '../../../src/broker/partitioner.js'

// protocol.md §12; the first six are Apache Kafka's own UtilsTest values.
const VECTORS: [string, number, number, [number, number, number, number]][] = [
  ['21', -973932308, 1173551340, [0, 0, 0, 0]],
  ['foobar', -790332482, 1357151166, [0, 2, 0, 6]],
  ['a-little-bit-long-string', -985981536, 1161502112, [2, 0, 2, 2]],
  ['a-little-bit-longer-string', -1486304829, 661178819, [2, 3, 5, 9]],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971, 2088585677, [2, 1, 5, 7]],
  ['abc', 479470107, 479470107, [0, 3, 3, 7]],
  ['key1', 28543940, 28543940, [2, 0, 2, 0]],
  ['key2', 1674751211, 1674751211, [2, 3, 5, 1]],
  ['hello', 2132663229, 2132663229, [0, 1, 3, 9]],
  ['a', -1563381124, 584102524, [1, 0, 4, 4]],
  ['', 275646681, 275646681, [0, 1, 3, 1]],
]

describe('murmur2 (Kafka default partitioner)', () => {
  it.each(VECTORS)('%j → %d', (key, hash, positive, partitions) => {
    const bytes = Buffer.from(key, 'utf8')
    expect(murmur2(bytes)).toBe(hash)
    expect(murmur2(bytes) & 0x7fffffff).toBe(positive)
    expect([3, 4, 6, 10].map((n) => partitionForKey(bytes, n))).toEqual(partitions)
  })

  it('always yields a signed int32 and a partition in range (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 1, max: 10_000 }), (bytes, n) => {
        const h = murmur2(Buffer.from(bytes))
        expect(h | 0).toBe(h)
        const p = partitionForKey(Buffer.from(bytes), n)
        expect(Number.isInteger(p) && p >= 0 && p < n).toBe(true)
      }),
    )
  })

  it('masks rather than negates: a negative hash is not Math.abs’d', () => {
    const key = Buffer.from('21')
    expect(partitionForKey(key, 10_007)).toBe(1173551340 % 10_007)
    expect(partitionForKey(key, 10_007)).not.toBe(Math.abs(-973932308) % 10_007)
  })
})
