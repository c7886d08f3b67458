import { ChangeStamp } from '../change-stamp.js'
import { ExternalChangePoller } from '../external-change-poller.js'
import type { LogStore } from '../../storage/log-store.js'

// Parked JoinGroup and SyncGroup calls. A waiter re-runs its `check` whenever its group may have changed:
// at once when this process changed it (`notify`), within one poll interval when another process
// committed anything (the store's external change counter, polled only while someone waits), and when
// the group's next timer is due (rebalance timeout, initial delay, session expiry), because a timer
// only fires when somebody evaluates it. The same pattern as FetchWaiters, keyed by group.

export type CheckResult<T> = { readonly done: T } | { readonly dueAtMs: number | null }

interface Waiter {
  readonly groupId: string
  /** Runs the check; returns true when the waiter is finished. */
  readonly recheck: () => boolean
  readonly abort: (reason: unknown) => void
  dueAtMs: number | null
}

/** Never re-arm a timer closer than this: a due time that did not change anything must not spin. */
const MIN_TIMER_MS = 10

export class GroupWaiters {
  private readonly waiters = new Set<Waiter>()
  private readonly poller: ExternalChangePoller
  private timer: NodeJS.Timeout | undefined
  private timerAtMs = Infinity

  constructor(
    store: LogStore,
    private readonly clock: () => number,
    pollIntervalMs = 20,
  ) {
    this.poller = new ExternalChangePoller(new ChangeStamp(store), pollIntervalMs, () => this.recheck(() => true))
  }

  get size(): number {
    return this.waiters.size
  }

  /**
   * Parks until `check` returns `{ done }`. `check` is synchronous and is run again on every possible
   * change of the group; `{ dueAtMs }` tells when it must be run again even if nothing else happens.
   * Rejects with the signal's reason when `signal` aborts.
   */
  wait<T>(groupId: string, check: () => CheckResult<T>, initialDueAtMs: number | null, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error)
    return new Promise<T>((resolve, reject) => {
      const finish = () => {
        this.waiters.delete(waiter)
        signal?.removeEventListener('abort', onAbort)
        if (this.waiters.size === 0) this.stopAll()
      }
      const waiter: Waiter = {
        groupId,
        dueAtMs: initialDueAtMs,
        recheck: () => {
          let result: CheckResult<T>
          try {
            result = check()
          } catch (err) {
            finish()
            reject(asError(err))
            return true
          }
          if ('done' in result) {
            finish()
            resolve(result.done)
            return true
          }
          waiter.dueAtMs = result.dueAtMs
          return false
        },
        abort: (reason) => {
          finish()
          reject(asError(reason))
        },
      }
      const onAbort = () => waiter.abort(signal?.reason)
      signal?.addEventListener('abort', onAbort, { once: true })
      this.waiters.add(waiter)
      this.startPolling()
      // A change committed by another process just before polling started would go unnoticed: look once
      // more now that the poller's baseline is set.
      if (!waiter.recheck()) this.armTimer()
    })
  }

  /** This process changed these groups: re-check their waiters now. */
  notify(groupIds: Iterable<string>): void {
    if (this.waiters.size === 0) return
    const touched = new Set(groupIds)
    this.recheck((w) => touched.has(w.groupId))
  }

  /** Rejects every waiter (shutdown) so nobody hangs. */
  close(reason: unknown): void {
    for (const w of [...this.waiters]) w.abort(reason)
    this.stopAll()
  }

  private recheck(filter: (w: Waiter) => boolean): void {
    for (const w of [...this.waiters]) if (this.waiters.has(w) && filter(w)) w.recheck()
    this.armTimer()
  }

  private startPolling(): void {
    this.poller.start()
  }

  /** One timer for the earliest due time among the waiters. */
  private armTimer(): void {
    let earliest = Infinity
    for (const w of this.waiters) if (w.dueAtMs !== null) earliest = Math.min(earliest, w.dueAtMs)
    if (earliest === this.timerAtMs && this.timer) return
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    this.timerAtMs = earliest
    if (earliest === Infinity) return
    const delay = Math.max(MIN_TIMER_MS, earliest - this.clock())
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.timerAtMs = Infinity
      const now = this.clock()
      this.recheck((w) => w.dueAtMs !== null && w.dueAtMs <= now)
    }, delay)
    this.timer.unref()
  }

  private stopAll(): void {
    this.poller.stop()
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    this.timerAtMs = Infinity
  }
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason))
}
