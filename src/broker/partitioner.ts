// Kafka's default partitioner for keyed records (protocol.md §12): Java's Utils.murmur2 + toPositive, which
// kafka-python and kafkajs reproduce. librdkafka defaults to consistent_random (CRC32) instead, so kcat users
// only land on the same partitions with `-X partitioner=murmur2_random`.

const SEED = 0x9747b28c
const M = 0x5bd1e995
const R = 24

/** Kafka's 32-bit murmur2 of `key`, as a signed int32 (the value Java's Utils.murmur2 returns). */
export function murmur2(key: Buffer): number {
  const length = key.length
  let h = SEED ^ length
  const blocks = length & ~3
  for (let i = 0; i < blocks; i += 4) {
    let k = key[i]! | (key[i + 1]! << 8) | (key[i + 2]! << 16) | (key[i + 3]! << 24)
    k = Math.imul(k, M)
    k ^= k >>> R
    k = Math.imul(k, M)
    h = Math.imul(h, M) ^ k
  }
  const tail = length & 3
  if (tail === 3) h ^= key[blocks + 2]! << 16
  if (tail >= 2) h ^= key[blocks + 1]! << 8
  if (tail >= 1) {
    h ^= key[blocks]!
    h = Math.imul(h, M)
  }
  h ^= h >>> 13
  h = Math.imul(h, M)
  h ^= h >>> 15
  return h | 0
}

/** Partition for a non-null key: positive murmur2 (a mask, not Math.abs) modulo the partition count. */
export function partitionForKey(key: Buffer, numPartitions: number): number {
  return (murmur2(key) & 0x7fffffff) % numPartitions
}
