import { RecordBatchError, readBatchHeader, verifyBatchCrc } from '../protocol/record-batch.js'
import { StoreDamagedError, type StoredBatch } from '../storage/log-store.js'
import type { PartitionToCheck, StoreChecker } from '../storage/store-check.js'
import { framingProblem } from './log-damage.js'

// `kafka-ts storage check`: the engine's own integrity check, then every partition's log walked in
// offset order — each batch's framing against its row, its CRC, and the offsets continuing from one
// batch to the next and up to the high watermark. Findings are reported as they are found, so the
// walk holds one batch at a time however big the store.

export interface StoreDamage {
  /** The partition concerned; both undefined for damage outside any partition's log. */
  readonly topic?: string
  readonly partition?: number
  /** The offsets concerned, inclusive, when known. */
  readonly fromOffset?: number
  readonly toOffset?: number
  /** What is wrong, e.g. `Record is corrupt (stored crc = 1, computed crc = 2)`. */
  readonly problem: string
}

export interface StoreCheckSummary {
  readonly file: string
  readonly engineCheck: 'integrity_check' | 'quick_check'
  readonly partitions: number
  readonly batches: number
  readonly damagedPartitions: number
  readonly damages: number
}

export interface StoreCheckOptions {
  /** SQLite's quick_check instead of integrity_check (no index-content check: faster on big stores). */
  readonly quick?: boolean
}

/** The engine reports at most this many problems (its own default); the walk still reports every batch. */
const ENGINE_PROBLEM_LIMIT = 100

export function checkStore(checker: StoreChecker, opts: StoreCheckOptions, report: (damage: StoreDamage) => void): StoreCheckSummary {
  const engineCheck = opts.quick === true ? 'quick_check' : 'integrity_check'
  let damages = 0
  const damaged = new Set<string>()
  const found = (damage: StoreDamage) => {
    damages++
    if (damage.topic !== undefined) damaged.add(`${damage.topic}-${damage.partition}`)
    report(damage)
  }
  const summary = (partitions: number, batches: number): StoreCheckSummary => ({
    file: checker.file,
    engineCheck,
    partitions,
    batches,
    damagedPartitions: damaged.size,
    damages,
  })

  let partitions: PartitionToCheck[]
  try {
    partitions = checker.partitions()
  } catch (err) {
    if (!(err instanceof StoreDamagedError)) throw err
    found({ problem: `the list of topics and partitions cannot be read: ${err.detail}` })
    return summary(0, 0)
  }
  const names = new Map(partitions.map((p) => [`${p.topicId}:${p.partition}`, p.topicName]))
  for (const problem of checker.engineCheck(opts.quick === true, ENGINE_PROBLEM_LIMIT)) {
    const topic = problem.tp === undefined ? undefined : names.get(`${problem.tp.topicId}:${problem.tp.partition}`)
    if (topic !== undefined && problem.tp !== undefined) found({ topic, partition: problem.tp.partition, problem: `${engineCheck}: ${problem.message}` })
    else found({ problem: `${engineCheck}${problem.object === undefined ? '' : ` (${problem.object})`}: ${problem.message}` })
  }

  let batches = 0
  for (const p of partitions) batches += checkPartition(checker, p, (d) => found({ topic: p.topicName, partition: p.partition, ...d }))
  return summary(partitions.length, batches)
}

type PartitionFinding = Omit<StoreDamage, 'topic' | 'partition'>

/** Walks one partition's log; returns how many batches were read. */
function checkPartition(checker: StoreChecker, p: PartitionToCheck, found: (d: PartitionFinding) => void): number {
  // Compaction removes whole batches below its checkpoint: offsets may be missing there, nowhere else.
  const gapsAllowed = p.cleanerCheckpoint > 0
  let expected: number | undefined // the offset the next batch should start at
  let batches = 0
  const missing = (from: number, to: number) => {
    if (!gapsAllowed && to >= from) found({ fromOffset: from, toOffset: to, problem: 'no batch holds these offsets' })
  }
  for (const item of checker.walk(p)) {
    if (item.kind === 'unreadable') {
      const to = item.toOffset === undefined ? Math.max(item.fromOffset, p.highWatermark) - 1 : item.toOffset - 1
      found({ fromOffset: item.fromOffset, toOffset: to, problem: `stored batches cannot be read: ${item.detail}` })
      expected = to + 1
      continue
    }
    const batch = item.batch
    batches++
    if (expected === undefined) {
      // Batches wholly below the log start offset are removed with it: the first holds the log start.
      if (p.logStartOffset < p.highWatermark) missing(p.logStartOffset, batch.baseOffset - 1)
    } else if (batch.baseOffset < expected) {
      found({ fromOffset: batch.baseOffset, toOffset: batch.lastOffset, problem: `the batch overlaps the one before it (which ends at offset ${expected - 1})` })
    } else {
      missing(expected, batch.baseOffset - 1)
    }
    const problem = batchProblem(batch)
    if (problem !== undefined) found({ fromOffset: batch.baseOffset, toOffset: batch.lastOffset, problem })
    if (batch.lastOffset >= p.highWatermark) {
      found({ fromOffset: batch.baseOffset, toOffset: batch.lastOffset, problem: `the batch ends beyond the high watermark ${p.highWatermark}` })
    }
    expected = Math.max(expected ?? 0, batch.lastOffset + 1)
  }
  if (expected === undefined) {
    if (p.logStartOffset < p.highWatermark) missing(p.logStartOffset, p.highWatermark - 1)
  } else {
    missing(expected, p.highWatermark - 1)
  }
  return batches
}

/** What is wrong with one stored batch's bytes, or undefined. */
function batchProblem(batch: StoredBatch): string | undefined {
  const framing = framingProblem(batch)
  if (framing !== undefined) return `the batch's bytes do not match its row: ${framing}`
  try {
    verifyBatchCrc(batch.bytes)
  } catch (err) {
    if (err instanceof RecordBatchError) return err.message
    throw err
  }
  const recordCount = readBatchHeader(batch.bytes).recordCount
  if (recordCount !== batch.recordCount) return `the batch holds ${recordCount} records but its row says ${batch.recordCount}`
  return undefined
}
