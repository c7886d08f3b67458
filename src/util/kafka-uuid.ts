// Kafka's Uuid (org.apache.kafka.common.Uuid): 16 bytes printed as URL-safe base64 without padding,
// 22 characters. Used for cluster ids, directory ids and topic ids. Dependency-free so every layer
// (storage format, CLI random-uuid, protocol topic ids) can share it.

import { randomBytes } from 'node:crypto'

export const KAFKA_UUID_BYTES = 16
const ENCODED_LENGTH = 22
const BASE64URL = /^[A-Za-z0-9_-]*$/

/** Encodes 16 bytes the way Kafka's Uuid.toString does. */
export function uuidToBase64Url(bytes: Uint8Array): string {
  if (bytes.length !== KAFKA_UUID_BYTES) {
    throw new RangeError(`a Kafka UUID has ${KAFKA_UUID_BYTES} bytes, got ${bytes.length}`)
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64url')
}

/**
 * Decodes Kafka's 22-character form. Like Java's Base64 decoder (which Uuid.fromString uses) it ignores
 * the 4 unused trailing bits, but unlike Node's lenient decoder it rejects characters outside the alphabet.
 */
export function base64UrlToUuid(text: string): Buffer {
  if (text.length > ENCODED_LENGTH) {
    throw new RangeError(`Input string with prefix \`${text.slice(0, ENCODED_LENGTH)}\` is too long to be decoded as a base64 UUID`)
  }
  if (!BASE64URL.test(text)) throw new RangeError(`Input string \`${text}\` is not valid base64url`)
  const bytes = Buffer.from(text, 'base64url')
  if (bytes.length !== KAFKA_UUID_BYTES || text.length !== ENCODED_LENGTH) {
    throw new RangeError(
      `Input string \`${text}\` decoded as ${bytes.length} bytes, which is not equal to the expected ${KAFKA_UUID_BYTES} bytes of a base64-encoded UUID`,
    )
  }
  return bytes
}

/**
 * A random version-4 UUID as Kafka's Uuid.randomUuid makes it: never the reserved all-zero or 0…01
 * values, and never one whose text starts with '-' (it would read as a command-line flag).
 */
export function randomKafkaUuidBytes(): Buffer {
  for (;;) {
    const bytes = randomBytes(KAFKA_UUID_BYTES)
    bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40 // version 4
    bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80 // IETF variant
    // With the version and variant bits set the reserved values cannot occur; only '-' needs a re-roll
    // ('-' is 62 = 0b111110 in the first 6 bits).
    if (bytes[0] !== undefined && bytes[0] >> 2 !== 62) return bytes
  }
}

/** `randomKafkaUuidBytes()` in Kafka's printed form, e.g. `MkU3OEVBNTcwNTJENDM2Qk`. */
export function randomKafkaUuid(): string {
  return uuidToBase64Url(randomKafkaUuidBytes())
}
