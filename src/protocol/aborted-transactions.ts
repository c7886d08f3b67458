import type { BatchHeader } from './record-batch.js'

// Which batches of a range of a partition belong to aborted transactions, decided as Kafka's consumer
// (CompletedFetch.nextFetchedRecord) and log cleaner (CleanedTransactionMetadata) decide it: walking the
// batches in offset order with the aborted transactions the range overlaps (producer id, first offset),
// a producer becomes "aborting" once a batch reaches its first offset and stops being so at its next
// control batch (the ABORT marker). Control batches are markers, never data.

export interface AbortedTxnRef {
  readonly producerId: number
  readonly firstOffset: number
  /** The ABORT marker's offset, when known: an entry that ends before the walk reaches it is passed over. */
  readonly lastOffset?: number
}

/** A batch as read_committed sees it: a transaction marker, a batch of an aborted transaction, or data. */
export type BatchKind = 'control' | 'aborted' | 'data'

export class AbortedTxnWalk {
  private readonly pending: AbortedTxnRef[]
  private readonly aborting = new Set<number>()

  /** `aborted`: the range's aborted transactions; null or undefined when none are known (read_uncommitted). */
  constructor(aborted: readonly AbortedTxnRef[] | null | undefined) {
    this.pending = aborted === null || aborted === undefined ? [] : [...aborted].sort((a, b) => a.firstOffset - b.firstOffset)
  }

  /** Classifies the next batch; call for every batch of the range, in offset order. */
  classify(header: BatchHeader): BatchKind {
    const lastOffset = header.baseOffset + header.lastOffsetDelta
    for (let next = this.pending[0]; next !== undefined && next.firstOffset <= lastOffset; next = this.pending[0]) {
      this.pending.shift()
      if (next.lastOffset === undefined || next.lastOffset >= header.baseOffset) this.aborting.add(next.producerId)
    }
    if (header.isControl) {
      // The marker ends the producer's transaction: its later batches belong to another one.
      if (header.isTransactional) this.aborting.delete(header.producerId)
      return 'control'
    }
    return header.isTransactional && this.aborting.has(header.producerId) ? 'aborted' : 'data'
  }
}
