import type { Durability } from '../storage/log-store.js'
import type { Outcome } from './kafka-error.js'
import type { ProduceEntry } from './partition-log.js'
import type { AppendResult } from './types.js'

// Group commit for the server: Produce requests that arrive in the same turn of the event loop
// (from any number of connections) are written in one transaction, so acks=-1 pays one fsync for
// all of them instead of one per request. A request waits at most until the next setImmediate.

type ProduceFn = (entries: readonly ProduceEntry[], durability: Durability) => Outcome<AppendResult>[]

interface Waiting {
  readonly entries: readonly ProduceEntry[]
  readonly resolve: (results: Outcome<AppendResult>[]) => void
  readonly reject: (err: unknown) => void
}

export class GroupCommitter {
  private readonly queues: Record<Durability, Waiting[]> = { fsync: [], commit: [] }
  private scheduled = false

  constructor(private readonly produce: ProduceFn) {}

  submit(entries: readonly ProduceEntry[], durability: Durability): Promise<Outcome<AppendResult>[]> {
    return new Promise((resolve, reject) => {
      this.queues[durability].push({ entries, resolve, reject })
      if (!this.scheduled) {
        this.scheduled = true
        setImmediate(() => this.flush())
      }
    })
  }

  /** Writes everything queued now (also used at shutdown). */
  flush(): void {
    this.scheduled = false
    for (const durability of ['fsync', 'commit'] as const) {
      const waiting = this.queues[durability].splice(0)
      if (waiting.length === 0) continue
      try {
        const results = this.produce(waiting.flatMap((w) => w.entries), durability)
        let at = 0
        for (const w of waiting) {
          w.resolve(results.slice(at, at + w.entries.length))
          at += w.entries.length
        }
      } catch (err) {
        for (const w of waiting) w.reject(err)
      }
    }
  }
}
