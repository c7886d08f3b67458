import type { Durability } from '../storage/log-store.js'
import type { Outcome } from './kafka-error.js'
import type { BatchValidation, ProduceEntry } from './partition-log.js'
import type { AppendResult } from './types.js'

// Group commit, the one way both front ends write records: batches submitted close together are
// appended in one write transaction, so acks=-1 pays one fsync for all of them instead of one each.
// - The server submits each Produce request (from any number of connections, several pipelined on
//   one): a request waits at most until the next setImmediate, the rest of this event-loop turn.
// - The embedded producer submits each batch it closes: they wait up to 2 ms for company, or commit
//   at once when 4 MiB are queued (its input loop yields rarely; memory stays bounded).
// Submissions are written in arrival order: consecutive ones of the same durability (and validation)
// share a transaction, so one connection's batches keep their order even when it mixes acks=1 and
// acks=-1.

export type ProduceFn = (entries: readonly ProduceEntry[], durability: Durability, validation: BatchValidation) => Outcome<AppendResult>[]

export interface GroupCommitPolicy {
  /** Queued batch bytes that make the submission reaching them commit before submit() returns; Infinity: never. */
  readonly maxBytes: number
  /** How long the first queued submission waits for others: 0 means until setImmediate, else a timer of that many ms. */
  readonly maxWaitMs: number
}

/** Told once, after the transaction that carried the submission: its entries' outcomes in order, or what the write threw. */
export interface Settle {
  (results: Outcome<AppendResult>[]): void
  (results: undefined, error: unknown): void
}

interface Waiting {
  readonly entries: readonly ProduceEntry[]
  readonly durability: Durability
  readonly validation: BatchValidation
  readonly settle: Settle
}

export class GroupCommitter {
  private queue: Waiting[] = []
  private queuedBytes = 0
  private timer: NodeJS.Timeout | undefined
  private immediate: NodeJS.Immediate | undefined
  /** Set while flush() runs: what a settle callback submits then is written by that flush, after the rest of its queue. */
  private flushing = false

  constructor(
    private readonly produce: ProduceFn,
    private readonly policy: GroupCommitPolicy,
  ) {}

  /** Queues entries; `settle` is called from the commit that writes them (synchronously when maxBytes is reached). */
  submit(entries: readonly ProduceEntry[], durability: Durability, validation: BatchValidation, settle: Settle): void {
    this.queue.push({ entries, durability, validation, settle })
    for (const e of entries) this.queuedBytes += e.batch.length
    if (this.flushing) return
    if (this.queuedBytes >= this.policy.maxBytes) this.flush()
    else if (this.timer === undefined && this.immediate === undefined) {
      if (this.policy.maxWaitMs > 0) this.timer = setTimeout(this.flushLater, this.policy.maxWaitMs)
      else this.immediate = setImmediate(this.flushLater)
    }
  }

  /** Like submit, as a promise of the outcomes. */
  submitAsync(entries: readonly ProduceEntry[], durability: Durability, validation: BatchValidation): Promise<Outcome<AppendResult>[]> {
    return new Promise((resolve, reject) => {
      const fail: (error: unknown) => void = reject
      this.submit(entries, durability, validation, (results: Outcome<AppendResult>[] | undefined, error?: unknown) => {
        if (results) resolve(results)
        else fail(error)
      })
    })
  }

  /** Writes everything queued now (explicit flushes, linger expiry, shutdown). */
  flush(): void {
    if (this.flushing) return
    this.cancelTimer()
    this.flushing = true
    // A settle callback that throws must not leave the submissions after it unwritten and unsettled.
    let thrown: { error: unknown } | undefined
    try {
      while (this.queue.length > 0) this.writeQueued((error) => (thrown ??= { error }))
    } finally {
      this.flushing = false
    }
    if (thrown) throw thrown.error
  }

  private readonly flushLater = (): void => {
    this.timer = undefined
    this.immediate = undefined
    this.flush()
  }

  private writeQueued(onThrow: (error: unknown) => void): void {
    const queue = this.queue
    this.queue = []
    this.queuedBytes = 0
    for (let start = 0; start < queue.length; ) {
      const { durability, validation } = queue[start]!
      let end = start + 1
      while (end < queue.length && queue[end]!.durability === durability && queue[end]!.validation === validation) end++
      const run = queue.slice(start, end)
      start = end
      let results: Outcome<AppendResult>[]
      try {
        results = this.produce(run.length === 1 ? run[0]!.entries : run.flatMap((w) => w.entries), durability, validation)
      } catch (err) {
        for (const w of run) settleSafely(() => w.settle(undefined, err), onThrow)
        continue
      }
      let at = 0
      for (const w of run) {
        const mine = results.slice(at, at + w.entries.length)
        settleSafely(() => w.settle(mine), onThrow)
        at += w.entries.length
      }
    }
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    if (this.immediate !== undefined) clearImmediate(this.immediate)
    this.timer = undefined
    this.immediate = undefined
  }
}

function settleSafely(settle: () => void, onThrow: (error: unknown) => void): void {
  try {
    settle()
  } catch (err) {
    onThrow(err)
  }
}
