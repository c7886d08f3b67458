import type { LogStore, TopicPartition } from '../storage/log-store.js'

// cleanup.policy=delete: whole stored batches leave the front of the log once they are older than
// retention.ms or lie beyond retention.bytes, and the log start offset moves past them (Kafka's
// UnifiedLog.deleteOldSegments, with a stored batch in the role of a segment).

export interface RetentionLimits {
  /** retention.ms; negative = keep forever. */
  readonly retentionMs: number
  /** retention.bytes per partition; negative = no size limit. */
  readonly retentionBytes: number
}

export interface RetentionStep {
  readonly batchesDeleted: number
  readonly recordsDeleted: number
  readonly bytesDeleted: number
  /** True when the step stopped at its batch limit, so another step may find more to delete. */
  readonly more: boolean
}

const NOTHING: RetentionStep = { batchesDeleted: 0, recordsDeleted: 0, bytesDeleted: 0, more: false }

/**
 * Deletes at most `maxBatches` batches from the front of one partition, in one short write transaction.
 *
 * A batch goes when its max timestamp is more than retention.ms before `nowMs` (Kafka:
 * `now - segment.largestTimestamp > retention.ms`), or while deleting it still leaves at least
 * retention.bytes stored (Kafka: `size - segment.size >= retention.bytes`, so a partition never drops
 * below its limit). Deletion stops at the first batch that meets neither rule, as Kafka stops at the
 * first segment it keeps.
 *
 * The active segment: Kafka never deletes it for size, and for time only after rolling a new, empty
 * one, so a partition whose every record expired ends with log start = log end. kafka-ts has no
 * segments, so the last stored batch plays the active segment: size never removes it (a partition over
 * its limit keeps its newest batch, whatever its size), time does, and the log start offset then equals
 * the high watermark, as in Kafka.
 */
export function applyRetention(store: LogStore, tp: TopicPartition, limits: RetentionLimits, nowMs: number, maxBatches: number): RetentionStep {
  const { retentionMs, retentionBytes } = limits
  if (retentionMs < 0 && retentionBytes < 0) return NOTHING
  // One transaction from decision to delete: two processes applying retention.bytes at once must not
  // both subtract the same excess.
  return store.atomically(() => {
    const state = store.cleanerState(tp)
    if (state.logStartOffset >= state.highWatermark) return NOTHING
    let excess = retentionBytes >= 0 ? state.storedBytes - retentionBytes : -1
    const infos = store.batchInfos(tp, state.logStartOffset, maxBatches)
    let newStart = -1
    let batchesDeleted = 0
    let recordsDeleted = 0
    let bytesDeleted = 0
    for (const info of infos) {
      const isLast = info.lastOffset >= state.highWatermark - 1
      const expired = retentionMs >= 0 && nowMs - info.maxTimestamp > retentionMs
      const overSize = retentionBytes >= 0 && !isLast && excess - info.size >= 0
      if (!expired && !overSize) break
      excess -= info.size
      newStart = info.lastOffset + 1
      batchesDeleted++
      recordsDeleted += info.recordCount
      bytesDeleted += info.size
    }
    if (batchesDeleted === 0) return NOTHING
    store.setLogStartOffset(tp, Math.max(state.logStartOffset, newStart))
    return { batchesDeleted, recordsDeleted, bytesDeleted, more: batchesDeleted === infos.length && infos.length === maxBatches }
  }, 'commit')
}
