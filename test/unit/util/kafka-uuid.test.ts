// Kafka's Uuid text form. Expected strings were computed independently (Python's
// base64.urlsafe_b64encode without '=' padding) or come from Kafka itself (Uuid.METADATA_TOPIC_ID
// prints as AAAAAAAAAAAAAAAAAAAAAQ).

import { describe, expect, it } from 'vitest'
import { base64UrlToUuid, randomKafkaUuid, randomKafkaUuidBytes, uuidToBase64Url } from '../../../src/util/kafka-uuid.js'

describe('uuidToBase64Url / base64UrlToUuid', () => {
  const vectors: [string, string][] = [
    ['000102030405060708090a0b0c0d0e0f', 'AAECAwQFBgcICQoLDA0ODw'],
    ['ffffffffffffffffffffffffffffffff', '_____________________w'],
    ['00000000000000000000000000000001', 'AAAAAAAAAAAAAAAAAAAAAQ'],
  ]
  it.each(vectors)('%s <-> %s', (hex, text) => {
    expect(uuidToBase64Url(Buffer.from(hex, 'hex'))).toBe(text)
    expect(base64UrlToUuid(text).toString('hex')).toBe(hex)
  })

  it("ignores the 4 unused trailing bits like Java's decoder (Kafka's own sample cluster id sets them)", () => {
    // 'k' carries bits that 'g' leaves zero; Uuid.fromString accepts both.
    expect(base64UrlToUuid('MkU3OEVBNTcwNTJENDM2Qk').toString('hex')).toBe('32453738454135373035324434333642')
    expect(uuidToBase64Url(base64UrlToUuid('MkU3OEVBNTcwNTJENDM2Qk'))).toBe('MkU3OEVBNTcwNTJENDM2Qg')
  })

  it('rejects wrong lengths and characters outside the alphabet', () => {
    expect(() => uuidToBase64Url(Buffer.alloc(15))).toThrow(RangeError)
    expect(() => base64UrlToUuid('AAECAwQFBgcICQoLDA0ODw0')).toThrow('too long')
    expect(() => base64UrlToUuid('AAECAwQFBgcICQoLDA0O')).toThrow('16 bytes')
    expect(() => base64UrlToUuid('AAECAwQFBgcICQoLDA0OD+')).toThrow(RangeError)
    expect(() => base64UrlToUuid('AAECAwQFBgcICQoLDA0OD=')).toThrow(RangeError)
  })

  it('encodes a subarray of a larger buffer by its own bytes', () => {
    const big = Buffer.from('ff000102030405060708090a0b0c0d0e0fff', 'hex')
    expect(uuidToBase64Url(big.subarray(1, 17))).toBe('AAECAwQFBgcICQoLDA0ODw')
  })
})

describe('randomKafkaUuid', () => {
  it('makes version-4 UUIDs in 22 base64url characters that never start with "-"', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 5000; i++) {
      const text = randomKafkaUuid()
      expect(text).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/)
      seen.add(text)
      const bytes = base64UrlToUuid(text)
      expect((bytes[6] ?? 0) >> 4).toBe(4)
      expect((bytes[8] ?? 0) >> 6).toBe(2)
    }
    expect(seen.size).toBe(5000)
    expect(randomKafkaUuidBytes()).toHaveLength(16)
  })
})
