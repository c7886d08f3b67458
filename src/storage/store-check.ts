// The check capability of a store (`kafka-ts storage check`), beside the LogStore port: read only, and
// streaming, so a store of any size is checked in bounded memory. The store says what its engine finds
// (pages it cannot read, its own integrity check); what a batch's bytes must look like is the broker's
// to judge (src/broker/store-check.ts).

import type { StoredBatch, TopicPartition } from './log-store.js'

export interface PartitionToCheck extends TopicPartition {
  readonly topicName: string
  readonly logStartOffset: number
  readonly highWatermark: number
  /** Offsets below it were compacted: batches may be missing there. 0 = never compacted. */
  readonly cleanerCheckpoint: number
}

/** What walking a partition's log yields, in offset order. */
export type LogWalkItem =
  | { readonly kind: 'batch'; readonly batch: StoredBatch }
  /**
   * Stored rows that cannot be read (damaged pages): every offset in [fromOffset, toOffset), where
   * toOffset is the base offset of the next readable batch, or undefined when none follows.
   */
  | { readonly kind: 'unreadable'; readonly fromOffset: number; readonly toOffset: number | undefined; readonly detail: string }

/** One line of the engine's own integrity check, with the partition it concerns when it concerns one. */
export interface EngineProblem {
  readonly tp?: TopicPartition
  /** The table or index, when known. */
  readonly object?: string
  readonly message: string
}

export interface StoreChecker {
  /** The database file. */
  readonly file: string
  /** The engine's integrity check (`quick`: cheaper, skips index-content checks); at most `limit` problems. */
  engineCheck(quick: boolean, limit: number): EngineProblem[]
  /** Every partition with its bookkeeping, by topic name then partition. Throws StoreDamagedError when they cannot be read. */
  partitions(): PartitionToCheck[]
  /** The partition's stored batches from its first, reading past damaged pages. */
  walk(tp: TopicPartition): Iterable<LogWalkItem>
  close(): void
}
