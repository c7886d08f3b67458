import type { BatchHeader } from '../protocol/record-batch.js'

// Which batches of one fetched range a consumer hands to the application, as Kafka's consumer decides it
// (CompletedFetch.nextFetchedRecord): never a control batch (transaction markers), and with read_committed
// never a batch of an aborted transaction. The broker lists the aborted transactions the range overlaps
// (producer id, first offset); walking the batches in offset order, a producer becomes "aborting" once a
// batch reaches its first offset and stops being so at its next marker.

export interface AbortedTransactionRef {
  readonly producerId: number
  readonly firstOffset: number
}

export class FetchedBatchFilter {
  private readonly pending: AbortedTransactionRef[]
  private readonly aborting = new Set<number>()

  /** `aborted`: the fetch's aborted transactions; null or undefined for read_uncommitted (nothing is dropped but markers). */
  constructor(aborted: readonly AbortedTransactionRef[] | null | undefined) {
    this.pending = aborted === null || aborted === undefined ? [] : [...aborted].sort((a, b) => a.firstOffset - b.firstOffset)
  }

  /** True when the batch's records must not reach the application; call for every batch, in offset order. */
  skip(header: BatchHeader): boolean {
    const lastOffset = header.baseOffset + header.lastOffsetDelta
    while (this.pending.length > 0 && (this.pending[0]?.firstOffset ?? Infinity) <= lastOffset) {
      const next = this.pending.shift()
      if (next !== undefined) this.aborting.add(next.producerId)
    }
    if (header.isControl) {
      // The marker ends the producer's transaction: its later batches belong to another one.
      if (header.isTransactional) this.aborting.delete(header.producerId)
      return true
    }
    return header.isTransactional && this.aborting.has(header.producerId)
  }
}
