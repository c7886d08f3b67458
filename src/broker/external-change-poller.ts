import type { ChangeCounter } from './change-stamp.js'

/** While commits keep coming, the counter is looked at this often. */
export const ACTIVE_POLL_MS = 2
/** A change seen keeps the poller at ACTIVE_POLL_MS for this long. */
const ACTIVE_WINDOW_MS = 1000

/**
 * Notices commits by other processes on the same data directory: polls the store's external change
 * counter (PRAGMA data_version — one cheap pragma, not a query of the logs) while started, and calls
 * `onChange` when it moved. Waiters start it only while someone is waiting.
 *
 * The interval adapts: every `idleIntervalMs` while nothing happens, every ACTIVE_POLL_MS for a second
 * after a change. A consumer tailing another process's producer learns of each commit within ~2 ms
 * instead of waiting out half an idle interval on average (issue 11: the poll was most of the
 * embedded producer → consumer latency), while an idle waiter costs no more than before.
 */
export class ExternalChangePoller {
  private timer: NodeJS.Timeout | undefined
  /** The counter when we last looked; kept across stop/start so nothing committed in between is missed. */
  private last: number
  /** Until then the poller looks every ACTIVE_POLL_MS. */
  private activeUntil = 0

  constructor(
    private readonly counter: ChangeCounter,
    private readonly idleIntervalMs: number,
    private readonly onChange: () => void,
  ) {
    this.last = counter.get()
  }

  start(): void {
    if (this.timer) return
    // A commit by another process that the counter shows already (this turn's reading) but this poller
    // has not seen would otherwise go unnoticed until the wait timed out. One later than this turn's
    // reading is seen by the first tick: `last` is never newer than what the counter last showed.
    if (this.changed(this.counter.get())) queueMicrotask(this.onChange)
    this.schedule()
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
  }

  private schedule(): void {
    const interval = Date.now() < this.activeUntil ? Math.min(ACTIVE_POLL_MS, this.idleIntervalMs) : this.idleIntervalMs
    this.timer = setTimeout(() => {
      this.timer = undefined
      const changed = this.changed(this.counter.fresh())
      // onChange may stop (or restart) the poller; keep polling only if nobody did.
      this.schedule()
      if (changed) this.onChange()
    }, interval)
    this.timer.unref()
  }

  private changed(now: number): boolean {
    if (now === this.last) return false
    this.last = now
    this.activeUntil = Date.now() + ACTIVE_WINDOW_MS
    return true
  }
}
