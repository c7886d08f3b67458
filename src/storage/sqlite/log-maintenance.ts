// What retention and the log cleaner ask of the store: a partition's stored bytes and cleaner checkpoint,
// batch metadata without the bytes, batch rewrites, the cluster-wide cleaner schedule, freeing pages, and
// rebuilding the time index. These writes run with durability 'commit': a crash loses at most work the
// next cleaner run redoes.

import type { BatchInfo, BatchRewrite, CleanerPartitionState, TopicPartition } from '../log-store.js'
import type { PartitionRows } from './partition-rows.js'
import type { StoreContext } from './store-context.js'
import { AUTO_VACUUM_INCREMENTAL } from './statements.js'

export class LogMaintenance {
  constructor(
    private readonly ctx: StoreContext,
    private readonly partitions: PartitionRows,
  ) {}

  cleanerState(tp: TopicPartition): CleanerPartitionState {
    const { sql, tx } = this.ctx
    const partitions = this.partitions
    const read = () => {
      const state = partitions.state(tp)
      const row = state.row
      // The row counts the batches below its folded end; the few appended since are summed here.
      const unfolded = row.foldedBytes >= 0 && state.highWatermark > row.foldedEnd ? partitions.bytesFrom(tp, row.foldedEnd) : 0
      return {
        logStartOffset: state.logStartOffset,
        highWatermark: state.highWatermark,
        storedBytes: row.foldedBytes < 0 ? -1 : row.foldedBytes + unfolded,
        cleanedOffset: row.cleanerCheckpoint,
        oldestTombstoneMs: row.oldestTombstoneMs,
      }
    }
    const state = tx.inReadTransaction(read)
    if (state.storedBytes >= 0) return state
    // A partition from before stored_bytes existed: one scan of its sizes, then it is kept up to date.
    return tx.atomically(() => {
      const current = read()
      if (current.storedBytes >= 0) return current
      const partition = partitions.state(tp)
      partitions.fold(tp, partition)
      const storedBytes = partitions.logOf(tp, partition) === undefined ? 0 : partitions.bytesFrom(tp, 0)
      sql.setStoredBytes.run(storedBytes, tp.topicId, tp.partition)
      return { ...current, storedBytes }
    }, 'commit')
  }

  batchInfos(tp: TopicPartition, fromOffset: number, limit: number): BatchInfo[] {
    if (limit <= 0) return []
    return this.ctx.tx.inReadTransaction(() => {
      return this.partitions.logOf(tp, this.partitions.state(tp))?.infosFrom.all({ from: fromOffset, limit }) ?? []
    })
  }

  storedBytesBetween(tp: TopicPartition, fromOffset: number, toOffset: number): number {
    if (toOffset <= fromOffset) return 0
    return this.ctx.tx.inReadTransaction(() => {
      return this.partitions.logOf(tp, this.partitions.state(tp))?.bytesBetween.get({ from: fromOffset, to: toOffset }) ?? 0
    })
  }

  rewriteBatches(tp: TopicPartition, rewrites: readonly BatchRewrite[]): void {
    if (rewrites.length === 0) return
    this.ctx.tx.atomically(() => {
      const state = this.partitions.state(tp)
      const statements = this.partitions.logOf(tp, state)
      if (statements === undefined) return
      // The size changes apply to the row's stored bytes, which must count every batch first.
      this.partitions.fold(tp, state)
      let delta = 0
      for (const { baseOffset, replacement } of rewrites) {
        if (replacement === null) {
          for (const size of statements.deleteOne.iterate({ baseOffset })) delta -= size
          continue
        }
        if (replacement.baseOffset !== baseOffset) throw new RangeError(`a rewrite of batch ${baseOffset} must keep its base offset`)
        const before = statements.sizeOf.get({ baseOffset })
        if (before === undefined) continue
        const changed = statements.rewrite.run({
          baseOffset,
          lastOffset: replacement.lastOffset,
          maxTimestamp: replacement.maxTimestamp,
          recordCount: replacement.recordCount,
          bytes: replacement.bytes,
        }).changes
        if (changed !== 1) throw new RangeError(`a rewrite of batch ${baseOffset} must keep its last offset`)
        delta += replacement.bytes.length - before
      }
      if (delta !== 0) this.ctx.sql.addStoredBytes.run(delta, tp.topicId, tp.partition)
    }, 'commit')
  }

  setCleanerCheckpoint(tp: TopicPartition, cleanedOffset: number, oldestTombstoneMs: number | null): void {
    this.ctx.tx.atomically(() => {
      this.partitions.state(tp)
      this.ctx.sql.setCleanerCheckpoint.run(cleanedOffset, oldestTombstoneMs, tp.topicId, tp.partition)
    }, 'commit')
  }

  claimCleanerRun(nowMs: number, nextRunMs: number, force = false): { claimed: boolean; dueMs: number } {
    const { sql, tx } = this.ctx
    return tx.atomically(() => {
      const due = sql.cleanerNextRun.get() ?? null
      if (!force && (due === null || due > nowMs)) {
        if (due !== null) return { claimed: false, dueMs: due }
        sql.setCleanerNextRun.run(nextRunMs)
        return { claimed: false, dueMs: nextRunMs }
      }
      sql.setCleanerNextRun.run(nextRunMs)
      return { claimed: true, dueMs: nextRunMs }
    }, 'commit')
  }

  reclaimSpace(maxBytes: number): number {
    const { sql, tx } = this.ctx
    if (sql.autoVacuum.get() !== AUTO_VACUUM_INCREMENTAL) return 0
    const pageSize = sql.pageSize.get() ?? 4096
    const maxPages = Math.max(1, Math.ceil(maxBytes / pageSize))
    let released = 0
    while (released < maxPages) {
      const step = tx.atomically(() => {
        const before = sql.freelistCount.get() ?? 0
        if (before === 0) return 0
        sql.incrementalVacuum.run()
        return before - (sql.freelistCount.get() ?? 0)
      }, 'commit')
      if (step <= 0) break
      released += step
    }
    return released * pageSize
  }

  rebuildTimeIndex(tp: TopicPartition): void {
    this.ctx.tx.atomically(() => {
      const state = this.partitions.state(tp)
      const statements = this.partitions.logOf(tp, state)
      if (statements === undefined) return
      this.partitions.fold(tp, state)
      statements.rebuildRunningMax.run()
      this.ctx.sql.setPartitionMaxTimestamp.run(statements.maxTimestamp.get() ?? -1, tp.topicId, tp.partition)
    }, 'commit')
  }
}
