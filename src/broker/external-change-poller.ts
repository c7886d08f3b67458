import type { LogStore } from '../storage/log-store.js'

/**
 * Notices commits by other processes on the same data directory: polls the store's external change
 * counter (PRAGMA data_version — one cheap pragma, not a query of the logs) while started, and calls
 * `onChange` when it moved. Waiters start it only while someone is waiting.
 */
export class ExternalChangePoller {
  private timer: NodeJS.Timeout | undefined
  /** The counter when we last looked; kept across stop/start so nothing committed in between is missed. */
  private last: number

  constructor(
    private readonly store: LogStore,
    private readonly intervalMs: number,
    private readonly onChange: () => void,
  ) {
    this.last = store.externalChangeCounter()
  }

  start(): void {
    if (this.timer) return
    // A commit by another process after the waiter's last read but before polling began would
    // otherwise go unnoticed until the wait timed out.
    const now = this.store.externalChangeCounter()
    if (now !== this.last) {
      this.last = now
      queueMicrotask(this.onChange)
    }
    this.timer = setInterval(() => {
      const now = this.store.externalChangeCounter()
      if (now === this.last) return
      this.last = now
      this.onChange()
    }, this.intervalMs)
    this.timer.unref()
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
  }
}
