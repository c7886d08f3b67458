// java.util.HashSet's iteration order, which Kafka's messages inherit when they print a set: buckets in
// index order (the spread hash masked by the table size), entries of one bucket in insertion order.

/**
 * The iteration order of a HashSet holding `items` (in insertion order), `hashOf` being each item's
 * hashCode() and `tableSize` the set's bucket count (a power of two; 16 for a small default set).
 */
export function javaHashSetOrder<T>(items: readonly T[], hashOf: (item: T) => number, tableSize = 16): T[] {
  const bucket = (item: T) => {
    const h = hashOf(item)
    return (h ^ (h >>> 16)) & (tableSize - 1)
  }
  return items
    .map((item, index) => ({ item, index, bucket: bucket(item) }))
    .sort((a, b) => a.bucket - b.bucket || a.index - b.index)
    .map((e) => e.item)
}

/** The bucket count of `new HashSet<>(collection)` for a collection of `size` elements. */
export function hashSetTableSizeFor(size: number): number {
  const capacity = Math.max(Math.floor(size / 0.75) + 1, 16)
  let n = 1
  while (n < capacity) n *= 2
  return n
}
