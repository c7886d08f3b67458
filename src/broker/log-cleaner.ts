import { PartitionNotFoundError, TopicNotFoundError, type LogStore, type TopicPartition, type TopicRow } from '../storage/log-store.js'
import type { BrokerConfig } from './broker-config.js'
import { CompactionJob, type CompactionRange } from './compaction.js'
import { isCompacted } from './batch-validation.js'
import { applyRetention } from './retention.js'
import { effectiveTopicConfig } from './topic-configs.js'

// Retention and compaction passes over every partition, for the server's scheduler and for embedded
// writers alike. A pass is resumable: run() works until its time budget is spent and the next call
// carries on where it stopped, so no call holds the event loop (or the database's write lock) for
// long. Every change is made in a short IMMEDIATE transaction of at most a few hundred batches.
//
// Topic configs are resolved when a partition is visited, so an altered retention.ms or cleanup.policy
// applies from the next pass on.
//
// Tombstones: Kafka keeps a tombstone for delete.retention.ms after the cleaner first met it (the delete
// horizon it stamps into the batch since 2.8; before that, after the segment's last modification). kafka-ts
// measures from the batch's max timestamp instead: no extra state, and for producers that stamp records
// with the send time it is the same moment. A tombstone produced with an old CreateTime can therefore go
// in the first round that sees it.

export interface LogCleanerOptions {
  /** The clock for retention and tombstone decisions (default: now). */
  readonly nowMs?: number
  /** Stop starting new work once this much time has passed; the next call resumes. Default: no limit. */
  readonly maxDurationMs?: number
  /** Apply cleanup.policy=delete (default true). Only read when a new pass starts. */
  readonly retention?: boolean
  /** Compact cleanup.policy=compact partitions (default true). Only read when a new pass starts. */
  readonly compaction?: boolean
}

export interface LogCleanerStats {
  readonly partitionsVisited: number
  /** Batches removed from the front of logs by retention.ms / retention.bytes. */
  readonly batchesDeleted: number
  readonly recordsDeleted: number
  readonly bytesDeleted: number
  /** Records removed by compaction (superseded, expired tombstones, keyless). */
  readonly recordsCompacted: number
  readonly batchesRewritten: number
  readonly batchesDropped: number
  /** Stored bytes saved by compaction. */
  readonly bytesCompacted: number
  /** File bytes given back to the file system (incremental vacuum). */
  readonly bytesReclaimed: number
  /** False when the time budget ran out first; the next call continues the pass. */
  readonly done: boolean
  readonly durationMs: number
}

/** Kafka broker settings of the log cleaner (server.properties), read from the static props. */
export interface CleanerConfig {
  /** log.cleaner.enable: compaction on or off (retention always runs). */
  readonly enabled: boolean
  /** log.cleaner.backoff.ms: how often the server looks for logs to compact. */
  readonly backoffMs: number
  /** log.cleaner.dedupe.buffer.size: memory for one round's key map. */
  readonly dedupeBufferBytes: number
  /** log.retention.check.interval.ms: how often retention runs. */
  readonly retentionCheckIntervalMs: number
}

export function cleanerConfigOf(config: BrokerConfig): CleanerConfig {
  const num = (name: string, fallback: number): number => {
    const raw = config.staticProps.get(name)?.trim()
    const n = raw === undefined || raw === '' ? NaN : Number(raw)
    return Number.isFinite(n) && n >= 0 ? n : fallback
  }
  return {
    enabled: (config.staticProps.get('log.cleaner.enable')?.trim().toLowerCase() ?? 'true') !== 'false',
    backoffMs: num('log.cleaner.backoff.ms', 15_000),
    dedupeBufferBytes: num('log.cleaner.dedupe.buffer.size', 128 * 1024 * 1024),
    retentionCheckIntervalMs: config.logRetentionCheckIntervalMs,
  }
}

/** Batches one retention transaction may delete. */
const RETENTION_STEP_BATCHES = 500
/** File bytes one incremental-vacuum call may release (its transactions are 16 MiB each). */
const RECLAIM_STEP_BYTES = 64 << 20

interface PartitionSettings {
  readonly delete: boolean
  readonly compact: boolean
  readonly retentionMs: number
  readonly retentionBytes: number
  readonly deleteRetentionMs: number
  readonly minCompactionLagMs: number
  readonly maxCompactionLagMs: number
  readonly minCleanableRatio: number
}

function settingsOf(topic: TopicRow, config: BrokerConfig): PartitionSettings {
  const get = (name: string) => effectiveTopicConfig(name, topic.configs, config)
  const policy = get('cleanup.policy')
  return {
    delete: policy.split(',').some((p) => p.trim() === 'delete'),
    compact: isCompacted(policy),
    retentionMs: Number(get('retention.ms')),
    retentionBytes: Number(get('retention.bytes')),
    deleteRetentionMs: Number(get('delete.retention.ms')),
    minCompactionLagMs: Number(get('min.compaction.lag.ms')),
    maxCompactionLagMs: Number(get('max.compaction.lag.ms')),
    minCleanableRatio: Number(get('min.cleanable.dirty.ratio')),
  }
}

interface PassState {
  readonly retention: boolean
  readonly compaction: boolean
  readonly nowMs: number
  /** Partitions still to visit, in order. */
  readonly queue: TopicPartition[]
  /** The partition at the head of the queue has had its retention applied. */
  headRetentionDone: boolean
  reclaimDone: boolean
  stats: MutableStats
}

type MutableStats = { -readonly [K in keyof LogCleanerStats]: LogCleanerStats[K] }

const keyOf = (tp: TopicPartition) => `${tp.topicId}:${tp.partition}`

export class LogCleaner {
  private pass: PassState | undefined
  /** Compaction rounds in progress, by partition; they may span several passes. */
  private readonly jobs = new Map<string, CompactionJob>()
  readonly settings: CleanerConfig

  constructor(
    private readonly store: LogStore,
    private readonly config: BrokerConfig,
    /** Told after every run, which may have moved log start offsets (the broker forgets the log ends it knows). */
    private readonly onRun: () => void = () => undefined,
  ) {
    this.settings = cleanerConfigOf(config)
  }

  /** True while a pass is unfinished (its next run() continues it). */
  get inProgress(): boolean {
    return this.pass !== undefined
  }

  /**
   * Runs (or continues) a pass: retention, then compaction, partition by partition, then gives the
   * freed pages back to the file system. Throws only for store failures outside any one partition.
   */
  run(opts: LogCleanerOptions = {}): LogCleanerStats {
    try {
      return this.runPass(opts)
    } finally {
      this.onRun()
    }
  }

  private runPass(opts: LogCleanerOptions): LogCleanerStats {
    const started = performance.now()
    const deadline = opts.maxDurationMs === undefined ? Infinity : started + opts.maxDurationMs
    const pass = (this.pass ??= this.newPass(opts))
    // The first check of a call always says go on, so every call makes progress however small its budget.
    let checks = 0
    const outOfTime = () => checks++ > 0 && performance.now() >= deadline
    while (pass.queue.length > 0) {
      const tp = pass.queue[0]!
      let finished: boolean
      try {
        finished = this.visit(pass, tp, outOfTime)
      } catch (err) {
        // The topic was deleted under us (or its partition is unreadable): forget it, go on.
        this.jobs.delete(keyOf(tp))
        if (!isGone(err)) throw err
        finished = true
      }
      if (!finished) return this.report(pass, started, false)
      pass.queue.shift()
      pass.headRetentionDone = false
      pass.stats.partitionsVisited++
    }
    while (!pass.reclaimDone) {
      if (outOfTime()) return this.report(pass, started, false)
      const released = this.store.reclaimSpace(RECLAIM_STEP_BYTES)
      pass.stats.bytesReclaimed += released
      if (released < RECLAIM_STEP_BYTES) pass.reclaimDone = true
    }
    this.pass = undefined
    return this.report(pass, started, true)
  }

  private newPass(opts: LogCleanerOptions): PassState {
    const queue: TopicPartition[] = []
    for (const topic of this.store.listTopics()) {
      for (let partition = 0; partition < topic.partitionCount; partition++) queue.push({ topicId: topic.id, partition })
    }
    return {
      retention: opts.retention ?? true,
      compaction: (opts.compaction ?? true) && this.settings.enabled,
      nowMs: opts.nowMs ?? Date.now(),
      queue,
      headRetentionDone: false,
      reclaimDone: false,
      stats: { ...zeroCounts(), done: false, durationMs: 0 },
    }
  }

  /** Works on one partition; false when time ran out before it was finished. */
  private visit(pass: PassState, tp: TopicPartition, outOfTime: () => boolean): boolean {
    const topic = this.store.findTopicById(tp.topicId)
    if (!topic || tp.partition >= topic.partitionCount) {
      this.jobs.delete(keyOf(tp))
      return true
    }
    const settings = settingsOf(topic, this.config)
    if (pass.retention && settings.delete && !pass.headRetentionDone) {
      for (;;) {
        if (outOfTime()) return false
        const step = applyRetention(this.store, tp, settings, pass.nowMs, RETENTION_STEP_BATCHES)
        pass.stats.batchesDeleted += step.batchesDeleted
        pass.stats.recordsDeleted += step.recordsDeleted
        pass.stats.bytesDeleted += step.bytesDeleted
        if (!step.more) break
      }
    }
    pass.headRetentionDone = true
    if (!pass.compaction || !settings.compact) {
      this.jobs.delete(keyOf(tp))
      return true
    }
    let job = this.jobs.get(keyOf(tp))
    if (!job) {
      if (outOfTime()) return false
      const range = this.compactionRange(tp, settings, pass.nowMs)
      if (!range) return true
      job = new CompactionJob(
        this.store,
        tp,
        { deleteRetentionMs: settings.deleteRetentionMs, mapBudgetBytes: this.settings.dedupeBufferBytes },
        range,
        pass.nowMs,
      )
      this.jobs.set(keyOf(tp), job)
    }
    while (!job.done) {
      if (outOfTime()) return false
      job.step()
    }
    this.jobs.delete(keyOf(tp))
    const c = job.counts
    pass.stats.recordsCompacted += c.recordsRemoved
    pass.stats.batchesRewritten += c.batchesRewritten
    pass.stats.batchesDropped += c.batchesDropped
    pass.stats.bytesCompacted += c.bytesSaved
    return true
  }

  /**
   * Whether the partition needs a compaction round, and over which offsets (Kafka's
   * LogCleanerManager.grabFilthiestCompactedLog for one log). The last batch plays the active segment
   * and is never compacted, so a consumer at the log end always finds a batch there; batches younger than
   * min.compaction.lag.ms and batches from the last stable offset on wait too (Kafka's firstUncleanableDirtyOffset). A round runs when the cleanable share of the bytes exceeds
   * min.cleanable.dirty.ratio, when the oldest dirty batch is past max.compaction.lag.ms, or when
   * tombstones kept by an earlier round have expired.
   */
  private compactionRange(tp: TopicPartition, s: PartitionSettings, nowMs: number): CompactionRange | undefined {
    const state = this.store.cleanerState(tp)
    if (state.highWatermark <= state.logStartOffset) return undefined
    const last = this.store.batchInfos(tp, state.highWatermark - 1, 1)[0]
    if (!last) return undefined
    const firstDirty = Math.max(state.cleanedOffset, state.logStartOffset)
    // Open transactions are never compacted: their fate (and whether their keys count) is not decided yet.
    let dirtyLimit = Math.min(last.baseOffset, this.store.stableOffsets(tp).lastStableOffset)
    if (s.minCompactionLagMs > 0) {
      const young = this.store.firstBatchAtOrAfter(tp, nowMs - s.minCompactionLagMs + 1)
      if (young) dirtyLimit = Math.min(dirtyLimit, young.baseOffset)
    }
    const tombstonesDue = state.oldestTombstoneMs !== null && state.oldestTombstoneMs + s.deleteRetentionMs <= nowMs
    if (dirtyLimit <= firstDirty) return tombstonesDue ? { firstDirty, dirtyLimit: firstDirty } : undefined
    const fromDirty = this.store.storedBytesBetween(tp, firstDirty, Number.MAX_SAFE_INTEGER)
    const uncleanable = this.store.storedBytesBetween(tp, dirtyLimit, Number.MAX_SAFE_INTEGER)
    const cleanable = fromDirty - uncleanable
    const clean = Math.max(0, state.storedBytes - fromDirty)
    const ratio = cleanable + clean > 0 ? cleanable / (cleanable + clean) : 0
    const firstDirtyBatch = this.store.batchInfos(tp, firstDirty, 1)[0]
    const overdue = firstDirtyBatch !== undefined && nowMs - firstDirtyBatch.maxTimestamp > s.maxCompactionLagMs
    if ((cleanable > 0 && (ratio > s.minCleanableRatio || overdue)) || tombstonesDue) return { firstDirty, dirtyLimit }
    return undefined
  }

  private report(pass: PassState, started: number, done: boolean): LogCleanerStats {
    const stats = { ...pass.stats, done, durationMs: performance.now() - started }
    if (!done) {
      // The counters of a continued pass start from zero in the next report.
      pass.stats = { ...pass.stats, ...zeroCounts() }
    }
    return stats
  }
}

/** Every count of a pass at zero (a pass's start, and the schedule's running totals). */
export function zeroCounts(): Omit<MutableStats, 'done' | 'durationMs'> {
  return {
    partitionsVisited: 0,
    batchesDeleted: 0,
    recordsDeleted: 0,
    bytesDeleted: 0,
    recordsCompacted: 0,
    batchesRewritten: 0,
    batchesDropped: 0,
    bytesCompacted: 0,
    bytesReclaimed: 0,
  }
}

function isGone(err: unknown): boolean {
  return err instanceof PartitionNotFoundError || err instanceof TopicNotFoundError
}
