// A partition's offsets as its `partitions` row and the end of its log table say them together. Appends
// leave the row alone so that a small commit dirties one page (the log table's) instead of two: every page
// a commit dirties is written whole to the WAL and later copied by a checkpoint (16 KiB each). The row is
// folded (brought up to date) now and then, and before every other write of it.

import { PartitionNotFoundError } from '../log-store.js'
import type { TopicPartition } from '../log-store.js'
import { asDamage } from './damage.js'
import type { PartitionStatements } from './partition-tables.js'
import type { StoreContext } from './store-context.js'
import type { PartitionRecord } from './statements.js'

/**
 * Offsets appended between two folds of a partition row: at most this many batches are summed when its
 * stored bytes are read, and a stream of one-record batches writes the row once per this many commits.
 */
export const FOLD_OFFSETS = 1024

/** A partition's offsets, its row's end and the batches appended since (see PartitionRows.state). */
export interface PartitionState {
  readonly logStartOffset: number
  readonly highWatermark: number
  /** Largest batch max timestamp ever appended (a running maximum), -1 if none. */
  readonly maxTimestamp: number
  /** The row as stored, for a fold and for what only the row holds. */
  readonly row: PartitionRecord
}

export class PartitionRows {
  constructor(private readonly ctx: Omit<StoreContext, 'tx'>) {}

  /** The partition's offsets: its row, with the batches appended since the last fold read from the end of its log table (one seek). */
  state(tp: TopicPartition): PartitionState {
    const { sql, logs } = this.ctx
    const row = sql.partition.get(tp.topicId, tp.partition)
    if (row === undefined) {
      // Another process may have deleted the topic: forget statements on its dropped table.
      if (Number.isSafeInteger(tp.topicId) && tp.topicId >= 0 && Number.isSafeInteger(tp.partition) && tp.partition >= 0) {
        logs.evict(tp.topicId, tp.partition)
      }
      throw new PartitionNotFoundError(tp)
    }
    // A row never folded belongs to a partition never appended to: it has no table yet.
    const tail = row.foldedEnd === 0 ? undefined : logs.get(tp.topicId, tp.partition).tail.get()
    return {
      logStartOffset: row.logStartOffset,
      highWatermark: tail === undefined ? row.foldedEnd : Math.max(row.foldedEnd, tail.lastOffset + 1),
      maxTimestamp: tail === undefined ? row.foldedMaxTimestamp : Math.max(row.foldedMaxTimestamp, tail.runningMax),
      row,
    }
  }

  /** state() for a read, with damage reported against the partition (and the offset being read). */
  reading(tp: TopicPartition, offset: number | undefined): PartitionState {
    try {
      return this.state(tp)
    } catch (err) {
      throw asDamage(err, this.ctx.db.name, tp, offset)
    }
  }

  /**
   * Writes the batches appended since the row was last folded into it (its end, max timestamp and stored
   * bytes), inside a write transaction. Every write of the row other than an append folds first, so the
   * row's stored bytes always count exactly the batches below its end.
   */
  fold(tp: TopicPartition, state: PartitionState): void {
    const row = state.row
    if (state.highWatermark === row.foldedEnd && state.maxTimestamp === row.foldedMaxTimestamp) return
    const added = row.foldedBytes < 0 || state.highWatermark === row.foldedEnd ? 0 : this.bytesFrom(tp, row.foldedEnd)
    this.ctx.sql.foldPartition.run(state.highWatermark, state.maxTimestamp, added, tp.topicId, tp.partition)
  }

  /** Bytes of the partition's stored batches from `offset` on (the partition has its table). */
  bytesFrom(tp: TopicPartition, offset: number): number {
    return this.ctx.logs.get(tp.topicId, tp.partition).bytesBetween.get({ from: offset, to: Number.MAX_SAFE_INTEGER }) ?? 0
  }

  /** The statements of the partition's table, or undefined while nothing was ever appended (no table yet). */
  logOf(tp: TopicPartition, state: PartitionState): PartitionStatements | undefined {
    return state.highWatermark === 0 ? undefined : this.ctx.logs.get(tp.topicId, tp.partition)
  }
}
