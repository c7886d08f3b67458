import type { LogStore, StoredBatch } from '../storage/log-store.js'
import { recordTimestamps } from '../protocol/batch-records.js'
import { patchMaxTimestamp, readBatchHeader } from '../protocol/record-batch.js'
import { NO_TIMESTAMP } from '../protocol/record-batch-layout.js'

// The data upgrade owed by stores written before the broker recomputed a batch's max timestamp from its
// records: those stores hold the producers' claims (-1, 0, a far-future value) in the batch headers and in
// the stored max timestamps, which retention and the time index trust — retention deleted such batches as
// expired and lookups by time skipped them, or everything after them. Done once, on open, before the log
// cleaner can run: each CreateTime batch's header (and CRC) and stored max timestamp are rewritten from its
// records, then each partition's time index is rebuilt.

export const RECOMPUTE_MAX_TIMESTAMPS = 'recompute-max-timestamps'

const BATCHES_PER_READ = 1000

export function repairStoredMaxTimestamps(store: LogStore, nowMs = Date.now()): void {
  if (!store.pendingDataUpgrades().includes(RECOMPUTE_MAX_TIMESTAMPS)) return
  // One write transaction: another process opening the store at the same moment waits, then finds it done.
  store.atomically(() => {
    if (!store.pendingDataUpgrades().includes(RECOMPUTE_MAX_TIMESTAMPS)) return
    for (const topic of store.listTopics()) {
      for (let partition = 0; partition < topic.partitionCount; partition++) {
        const tp = { topicId: topic.id, partition }
        let from = store.offsets(tp).logStartOffset
        let rewritten = false
        for (;;) {
          const batches = store.read(tp, from, { maxBytes: 16 << 20, maxBatches: BATCHES_PER_READ })
          const last = batches[batches.length - 1]
          if (!last) break
          const rewrites = batches.flatMap((b) => {
            const replacement = repaired(b, nowMs)
            return replacement ? [{ baseOffset: b.baseOffset, replacement }] : []
          })
          if (rewrites.length > 0) {
            store.rewriteBatches(tp, rewrites)
            rewritten = true
          }
          from = last.lastOffset + 1
        }
        if (rewritten) store.rebuildTimeIndex(tp)
      }
    }
    store.completeDataUpgrade(RECOMPUTE_MAX_TIMESTAMPS)
  }, 'fsync')
}

/** The batch with its header and stored max timestamp taken from its records, or undefined when both are right. */
function repaired(batch: StoredBatch, nowMs: number): StoredBatch | undefined {
  const header = readBatchHeader(batch.bytes)
  if (header.timestampType !== 'CreateTime') return undefined
  let max = NO_TIMESTAMP
  let readable = true
  try {
    max = recordTimestamps(batch.bytes, header).max
  } catch {
    // Records that cannot be read keep their bytes (`storage check` reports them); they must not expire
    // early because of a claim, so they age from now like records without timestamps.
    readable = false
  }
  const changed = readable && patchMaxTimestamp(batch.bytes, max)
  // Records without timestamps age from their append; the old store did not keep it, so from now.
  const stored = max === NO_TIMESTAMP ? nowMs : max
  if (!changed && stored === batch.maxTimestamp) return undefined
  return { ...batch, maxTimestamp: stored }
}
