import type { AbortedTxn, BatchRewrite, LogStore, StoredBatch, TopicPartition } from '../storage/log-store.js'
import { AbortedTxnWalk } from '../protocol/aborted-transactions.js'
import { filterRecords, forEachRecord, type RecordCursor } from '../protocol/batch-records.js'
import { readBatchHeader } from '../protocol/record-batch.js'

// cleanup.policy=compact: keep the latest record per key (Kafka's LogCleaner, one partition at a time).
// A round has two phases, both resumable so a scheduler can spread them over many short slices:
//   map   — read the dirty section [checkpoint, dirty limit) and remember each key's latest offset;
//   clean — walk [log start, dirty end) in offset order and rewrite each batch that loses records, one
//           short write transaction per few batches; then move the checkpoint to the dirty end.
// Rewritten batches keep their offsets (gaps stay, as in Kafka); the high watermark never moves.
// Transactions, as Kafka's cleaner (CleanedTransactionMetadata): the scheduler never lets a round reach
// the last stable offset (open transactions stay whole); records of aborted transactions give no key to
// the map and are removed; a COMMIT or ABORT marker stays while any batch of its transaction is still in
// the log, and after that until delete.retention.ms past its timestamp; an ABORT marker leaves the
// aborted-transaction index with it, so the index never names a transaction whose marker is gone.

export interface CompactionSettings {
  /** delete.retention.ms: how long a tombstone outlives its batch's max timestamp. */
  readonly deleteRetentionMs: number
  /** Bytes the key map may take (Kafka: log.cleaner.dedupe.buffer.size) before the dirty section is cut short. */
  readonly mapBudgetBytes: number
}

/** Where a round starts and may end, decided by the scheduler from the checkpoint and the lag settings. */
export interface CompactionRange {
  /** First offset not yet compacted (the checkpoint, or the log start offset if that is higher). */
  readonly firstDirty: number
  /** Offsets from here on are not compacted in this round (the last batch, min.compaction.lag.ms). */
  readonly dirtyLimit: number
}

export interface CompactionCounts {
  recordsRemoved: number
  batchesRewritten: number
  batchesDropped: number
  /** Stored bytes before minus after (positive when space was saved). */
  bytesSaved: number
}

/** Rough heap cost of one map entry beyond its key: Map slot, string header, number. */
const MAP_ENTRY_OVERHEAD_BYTES = 64
/** One read of the map phase: about a millisecond of decoding, so a scheduler's slice ends on time. */
const MAP_READ = { maxBytes: 512 << 10, maxBatches: 32 } as const
/** One write transaction of the clean phase: a few ms of work at most. */
const CLEAN_STEP = { maxBytes: 512 << 10, maxBatches: 32 } as const

function keyOf(r: RecordCursor): string {
  // latin1 maps each byte to one UTF-16 unit: an exact, cheap key for arbitrary key bytes.
  return r.data.toString('latin1', r.keyStart, r.keyStart + r.keyLength)
}

export class CompactionJob {
  private phase: 'map' | 'clean' | 'done' = 'map'
  private readonly map = new Map<string, number>()
  private mapBytes = 0
  private mapCursor: number
  private dirtyEnd: number
  private cleanCursor = 0
  /**
   * Kafka keeps an idempotent producer's last batch even when compaction empties it, so the producer's
   * sequence numbers survive a restart (kafka-ts rebuilds producer state from the log). Per producer id:
   * the empty batch kept so far; it is dropped once a later batch of the same producer turns up.
   */
  private readonly keptEmpty = new Map<number, number>()
  private readonly dropLater: number[] = []
  private oldestTombstoneMs: number | null = null
  /** The aborted transactions of the rounds' range, for both walks. */
  private readonly aborted: readonly AbortedTxn[]
  private readonly mapWalk: AbortedTxnWalk
  private cleanWalk: AbortedTxnWalk
  /** Producers with a batch of their current transaction seen by the clean walk since their last marker. */
  private readonly txnBatchSeen = new Set<number>()
  readonly counts: CompactionCounts = { recordsRemoved: 0, batchesRewritten: 0, batchesDropped: 0, bytesSaved: 0 }

  constructor(
    private readonly store: LogStore,
    readonly tp: TopicPartition,
    private readonly settings: CompactionSettings,
    private readonly range: CompactionRange,
    private readonly nowMs: number,
  ) {
    this.mapCursor = range.firstDirty
    this.dirtyEnd = range.firstDirty
    this.aborted = store.abortedTxns(tp, 0, range.dirtyLimit)
    this.mapWalk = new AbortedTxnWalk(this.aborted)
    this.cleanWalk = new AbortedTxnWalk(this.aborted)
  }

  get done(): boolean {
    return this.phase === 'done'
  }

  /** Does one bounded piece of work (one read, or one write transaction); returns true when the round is over. */
  step(): boolean {
    if (this.phase === 'map') this.mapStep()
    else if (this.phase === 'clean') this.cleanStep()
    return this.phase === 'done'
  }

  private mapStep(): void {
    const limit = this.range.dirtyLimit
    if (this.mapCursor >= limit) return this.startClean(limit)
    const batches = this.store.read(this.tp, this.mapCursor, MAP_READ)
    if (batches.length === 0) return this.startClean(this.mapCursor)
    for (const batch of batches) {
      if (batch.baseOffset >= limit) return this.startClean(limit)
      // Kafka cuts the dirty section where the offset map fills up; the rest waits for the next round.
      if (this.mapBytes >= this.settings.mapBudgetBytes && this.map.size > 0) return this.startClean(batch.baseOffset)
      // Markers and aborted transactions' records are no key's latest value.
      if (batch.recordCount > 0 && this.mapWalk.classify(readBatchHeader(batch.bytes)) === 'data') {
        forEachRecord(batch.bytes, (r) => {
          if (r.keyLength < 0) return
          const key = keyOf(r)
          const size = this.map.size
          this.map.set(key, r.offset)
          if (this.map.size > size) this.mapBytes += MAP_ENTRY_OVERHEAD_BYTES + key.length
        })
      }
      this.mapCursor = batch.lastOffset + 1
    }
  }

  private startClean(dirtyEnd: number): void {
    this.dirtyEnd = dirtyEnd
    this.phase = 'clean'
    this.cleanCursor = 0
    this.cleanWalk = new AbortedTxnWalk(this.aborted)
    this.txnBatchSeen.clear()
  }

  private cleanStep(): void {
    const finished = this.store.atomically(() => {
      const { logStartOffset } = this.store.offsets(this.tp)
      const from = Math.max(this.cleanCursor, logStartOffset)
      const rewrites: BatchRewrite[] = []
      let reachedEnd = from >= this.dirtyEnd
      if (!reachedEnd) {
        const batches = this.store.read(this.tp, from, CLEAN_STEP)
        if (batches.length === 0) reachedEnd = true
        for (const batch of batches) {
          if (batch.baseOffset >= this.dirtyEnd) {
            reachedEnd = true
            break
          }
          const rewrite = this.clean(batch)
          if (rewrite) rewrites.push(rewrite)
          this.cleanCursor = batch.lastOffset + 1
        }
        if (this.cleanCursor >= this.dirtyEnd) reachedEnd = true
      }
      // After the rewrites: an empty batch kept earlier in this very step may be among them.
      for (const baseOffset of this.dropLater.splice(0)) rewrites.push({ baseOffset, replacement: null })
      this.store.rewriteBatches(this.tp, rewrites)
      if (reachedEnd) {
        const { cleanedOffset } = this.store.cleanerState(this.tp)
        // Another process may have completed a longer round meanwhile: never move the checkpoint back.
        this.store.setCleanerCheckpoint(this.tp, Math.max(cleanedOffset, this.dirtyEnd), this.oldestTombstoneMs)
      }
      return reachedEnd
    }, 'commit')
    if (finished) this.phase = 'done'
  }

  /** A transaction marker goes once no batch of its transaction is left and delete.retention.ms has passed. */
  private cleanMarker(batch: StoredBatch, producerId: number): BatchRewrite | undefined {
    const dataLeft = this.txnBatchSeen.delete(producerId)
    if (dataLeft || batch.maxTimestamp + this.settings.deleteRetentionMs > this.nowMs) return undefined
    // Inside the step's write transaction: the index entry goes with its marker (a no-op for a COMMIT).
    this.store.removeAbortedTxn(this.tp, batch.baseOffset)
    this.counts.batchesDropped++
    this.counts.bytesSaved += batch.bytes.length
    return { baseOffset: batch.baseOffset, replacement: null }
  }

  /** The change to one batch of the clean range, if any. */
  private clean(batch: StoredBatch): BatchRewrite | undefined {
    const header = readBatchHeader(batch.bytes)
    const kind = this.cleanWalk.classify(header)
    if (kind === 'control') return this.cleanMarker(batch, header.producerId)
    const producerId = header.producerId
    if (header.isTransactional) this.txnBatchSeen.add(producerId)
    // Tombstones outlive their batch's max timestamp by delete.retention.ms (see log-cleaner.ts).
    const tombstonesExpired = batch.maxTimestamp + this.settings.deleteRetentionMs <= this.nowMs
    let tombstoneKept = false
    let removed = 0
    const result = filterRecords(batch.bytes, (r) => {
      if (kind === 'aborted') {
        removed++
        return false
      }
      // Keyless records cannot be compacted; Kafka's cleaner discards them (they predate the policy).
      if (r.keyLength < 0) {
        removed++
        return false
      }
      const latest = this.map.get(keyOf(r))
      if (latest !== undefined && r.offset < latest) {
        removed++
        return false
      }
      if (r.valueLength < 0) {
        if (tombstonesExpired) {
          removed++
          return false
        }
        tombstoneKept = true
      }
      return true
    })
    const remaining = result.kind === 'unchanged' ? batch.recordCount : result.recordCount
    const maxTimestamp = result.kind === 'unchanged' ? batch.maxTimestamp : result.maxTimestamp
    if (tombstoneKept && (this.oldestTombstoneMs === null || maxTimestamp < this.oldestTombstoneMs)) this.oldestTombstoneMs = maxTimestamp
    if (producerId >= 0) {
      const earlierEmpty = this.keptEmpty.get(producerId)
      if (earlierEmpty !== undefined) {
        this.dropLater.push(earlierEmpty)
        this.keptEmpty.delete(producerId)
        this.counts.batchesDropped++
      }
      if (remaining === 0) this.keptEmpty.set(producerId, batch.baseOffset)
    }
    if (result.kind === 'unchanged') return undefined
    this.counts.recordsRemoved += removed
    if (remaining === 0 && producerId < 0) {
      this.counts.batchesDropped++
      this.counts.bytesSaved += batch.bytes.length
      return { baseOffset: batch.baseOffset, replacement: null }
    }
    this.counts.batchesRewritten++
    this.counts.bytesSaved += batch.bytes.length - result.bytes.length
    return {
      baseOffset: batch.baseOffset,
      replacement: {
        baseOffset: batch.baseOffset,
        lastOffset: batch.lastOffset,
        // An empty batch holds no record a timestamp lookup (ListOffsets) could find: its row says so.
        maxTimestamp: result.recordCount === 0 ? -1 : result.maxTimestamp,
        recordCount: result.recordCount,
        bytes: result.bytes,
      },
    }
  }
}
