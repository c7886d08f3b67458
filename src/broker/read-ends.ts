import type { ChangeStamp } from './change-stamp.js'
import type { FetchedPartition, IsolationLevel } from './types.js'

// The offsets each partition had at this process's last read of it, with the store's external change
// counter taken just before: a consumer that asks again from exactly the end, with nothing committed since,
// is answered (or waited for) without another read of the store. Appends, markers, DeleteRecords, the log
// cleaner and topic changes of this process forget what they move.

interface ReadEnd {
  readonly highWatermark: number
  readonly lastStableOffset: number
  readonly logStartOffset: number
  readonly stamp: number
}

export class ReadEnds {
  private readonly ends = new Map<string, ReadEnd>()

  constructor(private readonly changeStamp: ChangeStamp) {}

  /** A read's offsets, with the change counter read before it (a commit in between makes the entry stale, never wrong). */
  remember(topicId: number, partition: number, read: Pick<FetchedPartition, 'highWatermark' | 'lastStableOffset' | 'logStartOffset'>, stamp: number): void {
    const { highWatermark, lastStableOffset, logStartOffset } = read
    this.ends.set(`${topicId}:${partition}`, { highWatermark, lastStableOffset, logStartOffset, stamp })
  }

  /** The empty answer of a read from `offset` when the partition is known to end there; else undefined. */
  answer(topicId: number, partition: number, offset: number, isolation: IsolationLevel): FetchedPartition | undefined {
    const known = this.ends.get(`${topicId}:${partition}`)
    if (known === undefined || known.stamp !== this.changeStamp.get()) return undefined
    const committed = isolation === 'read_committed'
    // read_committed is caught up at the last stable offset: what lies beyond waits for a marker.
    if ((committed ? known.lastStableOffset : known.highWatermark) !== offset) return undefined
    const { highWatermark, lastStableOffset, logStartOffset } = known
    return { batches: [], highWatermark, lastStableOffset, logStartOffset, ...(committed ? { abortedTransactions: [] } : {}) }
  }

  forget(topicId: number, partition: number): void {
    this.ends.delete(`${topicId}:${partition}`)
  }

  clear(): void {
    this.ends.clear()
  }
}
