import type { Durability } from '../storage/log-store.js'
import type { Outcome } from './kafka-error.js'
import type { ProduceEntry } from './partition-log.js'
import type { AppendResult } from './types.js'

// Group commit for the server: Produce requests that arrive in the same turn of the event loop
// (from any number of connections, and several pipelined on one connection) are written in one
// transaction, so acks=-1 pays one fsync for all of them instead of one per request. A request
// waits at most until the next setImmediate. Requests are written in arrival order: consecutive
// ones of the same durability share a transaction, so one connection's batches keep their order
// even when it mixes acks=1 and acks=-1.

type ProduceFn = (entries: readonly ProduceEntry[], durability: Durability) => Outcome<AppendResult>[]

interface Waiting {
  readonly entries: readonly ProduceEntry[]
  readonly durability: Durability
  readonly resolve: (results: Outcome<AppendResult>[]) => void
  readonly reject: (err: unknown) => void
}

export class GroupCommitter {
  private queue: Waiting[] = []
  private scheduled = false

  constructor(private readonly produce: ProduceFn) {}

  submit(entries: readonly ProduceEntry[], durability: Durability): Promise<Outcome<AppendResult>[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ entries, durability, resolve, reject })
      if (!this.scheduled) {
        this.scheduled = true
        setImmediate(() => this.flush())
      }
    })
  }

  /** Writes everything queued now (also used at shutdown). */
  flush(): void {
    this.scheduled = false
    const queue = this.queue
    this.queue = []
    for (let start = 0; start < queue.length; ) {
      const durability = queue[start]!.durability
      let end = start + 1
      while (end < queue.length && queue[end]!.durability === durability) end++
      const run = queue.slice(start, end)
      start = end
      try {
        const results = this.produce(run.length === 1 ? run[0]!.entries : run.flatMap((w) => w.entries), durability)
        let at = 0
        for (const w of run) {
          w.resolve(results.slice(at, at + w.entries.length))
          at += w.entries.length
        }
      } catch (err) {
        for (const w of run) w.reject(err)
      }
    }
  }
}
