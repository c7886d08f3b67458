// Appends to and reads from the partitions' log tables. Offsets are assigned from the high watermark read
// inside the writer's lock (PartitionRows.state), never from a cache. Reads are bounded by bytes and batch
// count, decided from the stored sizes before any bytes are copied out.

import { OffsetGapError } from '../log-store.js'
import type { PartitionOffsets, PartitionRead, ReadLimits, StableOffsets, StoredBatch, TopicPartition } from '../log-store.js'
import { asDamage, isCorruption } from './damage.js'
import { FOLD_OFFSETS, type PartitionRows, type PartitionState } from './partition-rows.js'
import { createPartitionTable, type PartitionStatements } from './partition-tables.js'
import type { StoreContext } from './store-context.js'
import type { TxnTables } from './txn-tables.js'

export class PartitionLogs {
  constructor(
    private readonly ctx: StoreContext,
    private readonly partitions: PartitionRows,
    private readonly txns: TxnTables,
  ) {}

  append(tp: TopicPartition, batch: StoredBatch): void {
    if (!Number.isSafeInteger(batch.baseOffset) || !Number.isSafeInteger(batch.lastOffset) || batch.lastOffset < batch.baseOffset) {
      throw new RangeError(`invalid batch offsets ${batch.baseOffset}..${batch.lastOffset}`)
    }
    this.ctx.tx.atomically(() => {
      const state = this.partitions.state(tp)
      if (batch.baseOffset !== state.highWatermark) throw new OffsetGapError(tp, state.highWatermark, batch.baseOffset)
      const runningMax = Math.max(state.maxTimestamp, batch.maxTimestamp)
      const row = state.row
      // The first append creates the partition's table (in this transaction: a rollback takes it back).
      if (row.foldedEnd === 0) createPartitionTable(this.ctx.db, tp.topicId, tp.partition)
      this.ctx.logs
        .get(tp.topicId, tp.partition)
        .insert.run(batch.baseOffset, batch.lastOffset, batch.maxTimestamp, runningMax, batch.recordCount, batch.bytes)
      // The row is folded at the first append (a row whose end is above 0 says the table exists) and
      // then every FOLD_OFFSETS offsets, which bounds the batches a stored-bytes reading sums.
      const end = batch.lastOffset + 1
      if (row.foldedEnd === 0 || end - row.foldedEnd >= FOLD_OFFSETS) {
        this.partitions.fold(tp, { logStartOffset: state.logStartOffset, highWatermark: end, maxTimestamp: runningMax, row })
      }
    })
  }

  read(tp: TopicPartition, fromOffset: number, limits: ReadLimits): StoredBatch[] {
    if (limits.maxBatches === 0) return []
    return this.readSnapshot(tp, fromOffset, limits, false).batches
  }

  readWithOffsets(tp: TopicPartition, fromOffset: number, limits: ReadLimits): PartitionRead {
    return this.readSnapshot(tp, fromOffset, limits, true)
  }

  stableOffsets(tp: TopicPartition): StableOffsets {
    return this.ctx.tx.inReadTransaction(() => this.stable(tp, this.partitions.reading(tp, undefined)))
  }

  private stable(tp: TopicPartition, state: PartitionState): StableOffsets {
    const { logStartOffset, highWatermark } = state
    return { logStartOffset, highWatermark, lastStableOffset: this.txns.firstOpenOffset(tp, logStartOffset) ?? highWatermark }
  }

  offsets(tp: TopicPartition): PartitionOffsets {
    // The row and its log table's end from one snapshot (a fold and a deletion in between would otherwise
    // pair an old row with a table emptied since).
    const state = this.ctx.tx.inReadTransaction(() => this.partitions.reading(tp, undefined))
    return { logStartOffset: state.logStartOffset, highWatermark: state.highWatermark }
  }

  setLogStartOffset(tp: TopicPartition, offset: number): void {
    const { sql, logs, tx } = this.ctx
    tx.atomically(() => {
      const state = this.partitions.state(tp)
      if (!Number.isSafeInteger(offset) || offset > state.highWatermark) {
        throw new RangeError(`log start offset ${offset} is beyond the high watermark ${state.highWatermark}`)
      }
      if (offset <= state.logStartOffset) return
      // The freed sizes come off the row's stored bytes, which must count every batch first.
      this.partitions.fold(tp, state)
      let freed = 0
      for (const size of logs.get(tp.topicId, tp.partition).deleteBelow.iterate({ offset })) freed += size
      sql.setLogStartOffset.run(offset, tp.topicId, tp.partition)
      this.txns.logStartMoved(tp, offset)
      if (freed > 0) sql.addStoredBytes.run(-freed, tp.topicId, tp.partition)
    })
  }

  firstBatchAtOrAfter(tp: TopicPartition, timestampMs: number): StoredBatch | undefined {
    return this.ctx.tx.inReadTransaction(() => {
      const state = this.partitions.reading(tp, undefined)
      const log = this.partitions.logOf(tp, state)
      if (log === undefined || state.maxTimestamp < timestampMs) return undefined
      try {
        const first = log.firstOffset.get()
        if (first === undefined) return undefined
        // The running maximum never decreases along the log: binary search over offsets for the first
        // batch whose running maximum reaches the timestamp (one primary-key seek per probe).
        let lo = first
        let hi = state.highWatermark - 1
        let found: number | undefined
        while (lo <= hi) {
          const mid = lo + Math.floor((hi - lo) / 2)
          const probe = log.runningMaxAt.get({ offset: mid })
          if (probe !== undefined && probe.runningMax >= timestampMs) {
            found = probe.baseOffset
            hi = probe.baseOffset - 1
          } else {
            lo = mid + 1
          }
        }
        if (found === undefined) return undefined
        return log.firstFromAtOrAfterTime.get({ from: found, ts: timestampMs })
      } catch (err) {
        throw asDamage(err, this.ctx.db.name, tp)
      }
    })
  }

  /**
   * Offsets and batches in one read transaction; `inRangeOnly` reads nothing below the log start offset.
   * `committedOnly` stops at the last stable offset (a batch boundary: an open transaction's first batch,
   * or the end) and lists the aborted transactions the batches overlap.
   */
  private readSnapshot(tp: TopicPartition, fromOffset: number, limits: ReadLimits, inRangeOnly: boolean): PartitionRead {
    const maxBatches = limits.maxBatches ?? -1 // LIMIT -1: no limit
    let offsets: StableOffsets | undefined
    let upToDamage: StoredBatch[] | undefined
    try {
      return this.ctx.tx.inReadTransaction(() => {
        const state = this.partitions.reading(tp, fromOffset)
        offsets = this.stable(tp, state)
        if (maxBatches === 0 || (inRangeOnly && fromOffset < state.logStartOffset)) return { ...offsets, batches: [], abortedTxns: [] }
        const end = limits.committedOnly === true ? offsets.lastStableOffset : state.highWatermark
        const read = this.readBatches(tp, state, fromOffset, end, limits.maxBytes, maxBatches)
        if (read.damaged) upToDamage = read.batches
        const last = read.batches[read.batches.length - 1]
        const abortedTxns = limits.committedOnly === true && last !== undefined ? this.txns.aborted(tp, fromOffset, last.lastOffset + 1) : []
        return { ...offsets, batches: read.batches, abortedTxns }
      })
    } catch (err) {
      // SQLite ends a transaction that met damage, so its COMMIT fails as well: what was read before stands.
      if (offsets !== undefined && upToDamage !== undefined && isCorruption(err)) return { ...offsets, batches: upToDamage, abortedTxns: [] }
      throw err
    }
  }

  /**
   * The batches of one read. A damaged page met after the first batch ends the read there (`damaged`):
   * the batches before it are served, and the next read, starting at the damage, throws StoreDamagedError.
   */
  private readBatches(
    tp: TopicPartition,
    state: PartitionState,
    fromOffset: number,
    endOffset: number,
    maxBytes: number,
    maxBatches: number,
  ): { batches: StoredBatch[]; damaged: boolean } {
    if (fromOffset >= endOffset) return { batches: [], damaged: false }
    // Decide what fits from the sizes alone, then copy out exactly those batches.
    const statements = this.ctx.logs.get(tp.topicId, tp.partition)
    let first: number | undefined
    let last: number | undefined
    let bytes = 0
    let count = 0
    let damaged = false
    try {
      // maxBatches -1: no limit (the count never reaches it).
      for (const row of statements.planFrom.iterate({ from: fromOffset })) {
        if (row.baseOffset >= endOffset) break
        if (first !== undefined && (bytes + row.size > maxBytes || count === maxBatches)) break
        first ??= row.baseOffset
        last = row.baseOffset
        bytes += row.size
        count++
      }
    } catch (err) {
      if (first === undefined || !isCorruption(err)) throw asDamage(err, this.ctx.db.name, tp, fromOffset)
      damaged = true
    }
    if (first === undefined || last === undefined) return { batches: [], damaged: false }
    try {
      return { batches: statements.readRange.all({ first, last }), damaged }
    } catch (err) {
      if (!isCorruption(err)) throw err
      return { batches: this.readUpToDamage(statements, tp, fromOffset, first, last), damaged: true }
    }
  }

  /** The batches of [first, last] one row at a time, stopping at the first that cannot be read. */
  private readUpToDamage(statements: PartitionStatements, tp: TopicPartition, fromOffset: number, first: number, last: number): StoredBatch[] {
    const batches: StoredBatch[] = []
    try {
      for (const batch of statements.readRange.iterate({ first, last })) batches.push(batch)
    } catch (err) {
      const next = batches[batches.length - 1]
      if (batches.length === 0 || !isCorruption(err)) throw asDamage(err, this.ctx.db.name, tp, next === undefined ? fromOffset : next.lastOffset + 1)
    }
    return batches
  }
}
