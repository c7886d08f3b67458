import type { LogStore } from '../storage/log-store.js'

/**
 * The store's external change counter (PRAGMA data_version), read at most once per event-loop turn.
 * The broker's caches (topic rows, dynamic broker configs) check it on every request: a server turn
 * handles many requests, and a commit by another process is noticed by the next turn all the same.
 * The broker's own writes clear those caches directly.
 */
export class ChangeStamp {
  private value = 0
  private fresh = false
  private readonly expire = () => {
    this.fresh = false
  }

  constructor(private readonly store: LogStore) {}

  get(): number {
    if (!this.fresh) {
      this.value = this.store.externalChangeCounter()
      this.fresh = true
      setImmediate(this.expire).unref()
    }
    return this.value
  }
}
