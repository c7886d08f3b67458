import type { TopicRow } from '../storage/log-store.js'
import type { WaitResult } from './fetch-waiters.js'
import { KafkaError, type Outcome } from './kafka-error.js'
import type { ReadOptions } from './partition-log.js'
import type { FetchedPartition, IsolationLevel } from './types.js'

// Fetch across partitions with Kafka's limits: whole batches from the one holding the fetch offset,
// partition_max_bytes per partition and max_bytes overall — except that the first partition with
// data always gets its first batch, so a consumer can progress past a batch bigger than its limits —
// and a long poll (min_bytes / max_wait_ms) that sleeps on the fetch waiters, never on the store.

export interface FetchPartitionSpec {
  /** The topic row, or undefined when the name is unknown (answered UNKNOWN_TOPIC_OR_PARTITION). */
  readonly topic: TopicRow | undefined
  readonly partition: number
  readonly fetchOffset: number
  readonly partitionMaxBytes: number
}

export interface FetchSpec {
  readonly partitions: readonly FetchPartitionSpec[]
  readonly maxBytes: number
  readonly minBytes: number
  readonly maxWaitMs: number
  /** v0–2 limits are hard: no oversized first batch. */
  readonly hardLimits?: boolean
  /** read_committed stops at each partition's last stable offset; default read_uncommitted. */
  readonly isolation?: IsolationLevel
}

export type FetchPartitionResult = Outcome<FetchedPartition>

export interface FetchSource {
  read(topic: TopicRow, partition: number, fromOffset: number, maxBytes: number, opts?: ReadOptions): Outcome<FetchedPartition>
  waitForData(partitions: Iterable<{ topicId: number; partition: number }>, timeoutMs: number, signal?: AbortSignal): Promise<WaitResult>
  /** True when a read from `offset` is known to find nothing (so a long poll can wait without one). */
  caughtUp?(topicId: number, partition: number, offset: number, isolation?: IsolationLevel): boolean
  /** The answer of such a read, given without one; undefined when it is not known to find nothing. */
  caughtUpAnswer?(topicId: number, partition: number, offset: number, isolation?: IsolationLevel): FetchedPartition | undefined
}

/** Cap on batches per partition read, so one fetch never stalls the event loop on a huge log. */
const MAX_BATCHES_PER_READ = 2000

export async function fetchPartitions(source: FetchSource, spec: FetchSpec, signal?: AbortSignal): Promise<FetchPartitionResult[]> {
  const deadline = Date.now() + Math.max(0, spec.maxWaitMs)
  const watched = spec.partitions.flatMap((p) => (p.topic ? [{ topicId: p.topic.id, partition: p.partition }] : []))
  for (;;) {
    // A consumer that is caught up asks again as soon as it is answered: when every partition is
    // known to hold nothing past its fetch offset, wait straight away instead of reading the store
    // (at one record per Fetch that is half of the broker's reads).
    const before = deadline - Date.now()
    if (before > 0 && spec.minBytes > 0 && !signal?.aborted && allCaughtUp(source, spec)) {
      const woke = await source.waitForData(watched, before, signal)
      if (woke === 'aborted') return readOnce(source, spec).results
      continue
    }
    const { results, bytes } = readOnce(source, spec)
    const remaining = deadline - Date.now()
    const anyError = results.some((r) => !r.ok)
    if (bytes >= spec.minBytes || remaining <= 0 || anyError || signal?.aborted) return results
    const woke = await source.waitForData(watched, remaining, signal)
    if (woke === 'aborted') return readOnce(source, spec).results
  }
}

function allCaughtUp(source: FetchSource, spec: FetchSpec): boolean {
  const caughtUp = source.caughtUp?.bind(source)
  if (caughtUp === undefined || spec.partitions.length === 0) return false
  return spec.partitions.every((p) => p.topic !== undefined && caughtUp(p.topic.id, p.partition, p.fetchOffset, spec.isolation))
}

function readOnce(source: FetchSource, spec: FetchSpec): { results: FetchPartitionResult[]; bytes: number } {
  let budget = spec.maxBytes
  let bytes = 0
  const results = spec.partitions.map((p): FetchPartitionResult => {
    if (!p.topic) return { ok: false, error: new KafkaError('UNKNOWN_TOPIC_OR_PARTITION') }
    const known = source.caughtUpAnswer?.(p.topic.id, p.partition, p.fetchOffset, spec.isolation)
    if (known !== undefined) return { ok: true, value: known }
    const limit = Math.max(0, Math.min(p.partitionMaxBytes, budget))
    const res = source.read(p.topic, p.partition, p.fetchOffset, Math.max(limit, 1), spec.isolation === undefined ? {} : { isolation: spec.isolation })
    if (!res.ok) return res
    let batches = [...res.value.batches].slice(0, MAX_BATCHES_PER_READ)
    const first = batches[0]
    const oversizedAllowed = !spec.hardLimits && bytes === 0
    if (first && first.length > limit && !oversizedAllowed) batches = []
    const size = batches.reduce((n, b) => n + b.length, 0)
    bytes += size
    budget = Math.max(0, budget - size)
    return { ok: true, value: { ...res.value, batches } }
  })
  return { results, bytes }
}
