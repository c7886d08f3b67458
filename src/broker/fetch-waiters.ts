import { ExternalChangePoller } from './external-change-poller.js'
import type { ChangeCounter } from './change-stamp.js'

// Long-poll support: consumers (console-consumer's follow mode, Fetch max_wait_ms) wait here for
// appends instead of re-querying the log. Appends in this process wake waiters directly; appends by
// other processes on the same data directory are noticed through the store's external change
// counter (PRAGMA data_version), polled only while someone is waiting.

export type WaitResult = 'data' | 'timeout' | 'aborted'

interface Waiter {
  readonly keys: ReadonlySet<string> | 'any'
  readonly wake: (result: WaitResult) => void
}

const key = (topicId: number, partition: number) => `${topicId}:${partition}`

export class FetchWaiters {
  private readonly waiters = new Set<Waiter>()
  private readonly poller: ExternalChangePoller

  constructor(counter: ChangeCounter, pollIntervalMs = 20) {
    this.poller = new ExternalChangePoller(counter, pollIntervalMs, () => {
      for (const w of [...this.waiters]) w.wake('data')
    })
  }

  /** Called after a commit that appended to these partitions. */
  notify(partitions: Iterable<{ topicId: number; partition: number }>): void {
    if (this.waiters.size === 0) return
    const touched = new Set<string>()
    for (const p of partitions) touched.add(key(p.topicId, p.partition))
    for (const w of this.waiters) {
      if (w.keys === 'any' || sharesKey(touched, w.keys)) w.wake('data')
    }
  }

  /**
   * Resolves when one of `partitions` (or, with 'any', anything) may have new data, after
   * `timeoutMs`, or when `signal` aborts. May wake spuriously: callers re-read and wait again.
   */
  wait(
    partitions: Iterable<{ topicId: number; partition: number }> | 'any',
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<WaitResult> {
    if (signal?.aborted) return Promise.resolve('aborted')
    return new Promise<WaitResult>((resolve) => {
      const keys = partitions === 'any' ? 'any' : new Set([...partitions].map((p) => key(p.topicId, p.partition)))
      const finish = (result: WaitResult) => {
        if (!this.waiters.delete(waiter)) return
        clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
        if (this.waiters.size === 0) this.stopPolling()
        resolve(result)
      }
      const waiter: Waiter = { keys, wake: finish }
      const onAbort = () => finish('aborted')
      const timer = setTimeout(() => finish('timeout'), Math.max(0, timeoutMs))
      signal?.addEventListener('abort', onAbort, { once: true })
      this.waiters.add(waiter)
      this.startPolling()
    })
  }

  /** Wakes every waiter (e.g. on shutdown) so nobody hangs. */
  close(): void {
    for (const w of [...this.waiters]) w.wake('aborted')
    this.stopPolling()
  }

  private startPolling(): void {
    this.poller.start()
  }

  private stopPolling(): void {
    this.poller.stop()
  }
}

/** Whether the partitions an append touched (usually one) include one a waiter watches (maybe thousands). */
function sharesKey(touched: ReadonlySet<string>, watched: ReadonlySet<string>): boolean {
  for (const k of touched) if (watched.has(k)) return true
  return false
}
