import { forEachRecord, type RecordCursor } from '../protocol/batch-records.js'
import type { LogStore, TopicPartition } from '../storage/log-store.js'
import type { OffsetAndTimestamp } from './types.js'

// ListOffsets by time over a partition's stored batches: the store's running maximum of batch timestamps
// finds where to start, the records themselves decide.

/**
 * The earliest offset whose record timestamp is at or after `timestampMs` (Kafka's time index lookup).
 * The store finds the first batch whose max timestamp reaches it; that batch can still hold no such record
 * at or above the log start (or only records without timestamps, stored with their append time), so the
 * walk goes on to later batches until one does.
 */
export function offsetForTimestamp(store: LogStore, tp: TopicPartition, timestampMs: number, logStartOffset: number): OffsetAndTimestamp {
  let found: OffsetAndTimestamp = { offset: -1, timestamp: -1 }
  const first = store.firstBatchAtOrAfter(tp, timestampMs)
  if (!first) return found
  const visit = (r: RecordCursor) => {
    if (r.offset >= logStartOffset && r.timestamp >= timestampMs) {
      found = { offset: r.offset, timestamp: r.timestamp }
      return false
    }
    return true
  }
  forEachRecord(first.bytes, visit)
  let from = first.lastOffset + 1
  while (found.offset < 0) {
    const batches = store.read(tp, from, { maxBytes: 8 << 20, maxBatches: 1000 })
    const last = batches[batches.length - 1]
    if (!last) break
    for (const b of batches) {
      if (b.maxTimestamp < timestampMs) continue
      forEachRecord(b.bytes, visit)
      if (found.offset >= 0) break
    }
    from = last.lastOffset + 1
  }
  return found
}

/** Offset of the record with the largest timestamp (the first such record on ties), as ListOffsets -3. */
export function maxTimestampOffset(store: LogStore, tp: TopicPartition, logStartOffset: number): OffsetAndTimestamp {
  let best: OffsetAndTimestamp = { offset: -1, timestamp: -1 }
  let from = logStartOffset
  for (;;) {
    const batches = store.read(tp, from, { maxBytes: 8 << 20, maxBatches: 1000 })
    if (batches.length === 0) return best
    for (const b of batches) {
      if (b.maxTimestamp > best.timestamp) {
        forEachRecord(b.bytes, (r) => {
          if (r.offset >= logStartOffset && r.timestamp > best.timestamp) best = { offset: r.offset, timestamp: r.timestamp }
        })
      }
    }
    const last = batches[batches.length - 1]
    if (!last) return best
    from = last.lastOffset + 1
  }
}
