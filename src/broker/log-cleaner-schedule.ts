import type { LogStore } from '../storage/log-store.js'
import { zeroCounts, type LogCleaner, type LogCleanerStats } from './log-cleaner.js'

// When passes run. The server runs them on timers: retention every log.retention.check.interval.ms and
// compaction every log.cleaner.backoff.ms (Kafka's cleaner threads sleep that long when they find nothing
// to clean), each pass cut into slices of a few ms with the event loop free in between (and for most of
// the time: SERVER_CLEANER_SHARE), so produce and fetch keep flowing while a large log is cleaned. Embedded processes have no timers of their own: a
// writer runs a slice after a commit when the store's shared schedule says a pass is due (see Broker).

/** Longest uninterrupted piece of a pass in the server. */
export const SERVER_SLICE_MS = 10
/**
 * Share of the server's event loop a pass may take. Kafka's cleaner runs on its own threads; here it
 * shares the loop with every connection, so after each slice it waits about six times as long as the
 * slice took. The share is set below the 20% the issue allows because the cleaner also costs the
 * producer indirectly (garbage collection, page cache): bench/retention.js measures the real ratio.
 * A large log is cleaned more slowly instead.
 */
export const SERVER_CLEANER_SHARE = 0.15
/** Longest piece of a pass an embedded writer runs after one of its commits. */
export const EMBEDDED_SLICE_MS = 50
/** How soon an embedded writer continues an unfinished pass. */
export const EMBEDDED_RESUME_MS = 1000

type Counters = { -readonly [K in Exclude<keyof LogCleanerStats, 'done' | 'durationMs'>]: number }

export class BackgroundLogCleaner {
  private timer: NodeJS.Timeout | undefined
  private immediate: NodeJS.Immediate | undefined
  private stopped = false
  private nextRetentionMs: number
  private nextCompactionMs: number
  private current: { retention: boolean; compaction: boolean; startedMs: number; totals: Counters } | undefined

  constructor(
    private readonly cleaner: LogCleaner,
    private readonly store: LogStore,
    private readonly log: (line: string) => void,
  ) {
    // Like Kafka's log manager, the first pass waits one interval after start-up.
    const now = Date.now()
    const { retentionCheckIntervalMs, backoffMs, enabled } = cleaner.settings
    this.nextRetentionMs = now + retentionCheckIntervalMs
    this.nextCompactionMs = enabled ? now + backoffMs : Infinity
    this.arm()
  }

  stop(): void {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    if (this.immediate) clearImmediate(this.immediate)
    this.timer = undefined
    this.immediate = undefined
  }

  private arm(): void {
    if (this.stopped) return
    const due = Math.min(this.nextRetentionMs, this.nextCompactionMs)
    if (!Number.isFinite(due)) return
    this.timer = setTimeout(this.tick, Math.max(0, due - Date.now()))
    this.timer.unref()
  }

  private readonly tick = (): void => {
    this.timer = undefined
    this.immediate = undefined
    if (this.stopped) return
    const now = Date.now()
    const { retentionCheckIntervalMs, backoffMs } = this.cleaner.settings
    if (!this.current) {
      const retention = now >= this.nextRetentionMs
      const compaction = now >= this.nextCompactionMs
      if (!retention && !compaction) return this.arm()
      this.current = { retention, compaction, startedMs: now, totals: zeroCounts() }
      // Embedded writers on the same data directory leave the passes to the server while it runs them.
      if (retention) this.claimShared(now, now + retentionCheckIntervalMs)
    }
    const current = this.current
    let done = true
    const sliceStarted = performance.now()
    try {
      const stats = this.cleaner.run({ maxDurationMs: SERVER_SLICE_MS, retention: current.retention, compaction: current.compaction })
      for (const k of Object.keys(current.totals) as (keyof Counters)[]) current.totals[k] += stats[k]
      done = stats.done
    } catch (err) {
      this.log(`[LogCleaner] pass failed: ${err instanceof Error ? err.message : String(err)}`)
    }
    if (!done) {
      const pauseMs = ((performance.now() - sliceStarted) * (1 - SERVER_CLEANER_SHARE)) / SERVER_CLEANER_SHARE
      if (pauseMs < 1) this.immediate = setImmediate(this.tick)
      else {
        this.timer = setTimeout(this.tick, pauseMs)
        this.timer.unref()
      }
      return
    }
    this.current = undefined
    const end = Date.now()
    if (current.retention) this.nextRetentionMs = end + retentionCheckIntervalMs
    if (current.compaction) this.nextCompactionMs = end + backoffMs
    const t = current.totals
    if (t.batchesDeleted + t.batchesRewritten + t.batchesDropped + t.bytesReclaimed > 0) {
      this.log(
        `[LogCleaner] pass over ${t.partitionsVisited} partitions in ${end - current.startedMs} ms: retention deleted ${t.batchesDeleted} batches ` +
          `(${t.recordsDeleted} records, ${t.bytesDeleted} bytes); compaction removed ${t.recordsCompacted} records ` +
          `(${t.batchesRewritten} batches rewritten, ${t.batchesDropped} dropped, ${t.bytesCompacted} bytes); ${t.bytesReclaimed} bytes given back to the file system`,
      )
    }
    this.arm()
  }

  private claimShared(now: number, next: number): void {
    try {
      this.store.claimCleanerRun(now, next, true)
    } catch {
      // the schedule only spares embedded writers some work; the pass runs regardless
    }
  }
}
