import type { TopicRow } from '../storage/log-store.js'
import type { WaitResult } from './fetch-waiters.js'
import { KafkaError, type Outcome } from './kafka-error.js'
import type { FetchedPartition } from './types.js'

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
}

export type FetchPartitionResult = Outcome<FetchedPartition>

export interface FetchSource {
  read(topic: TopicRow, partition: number, fromOffset: number, maxBytes: number): Outcome<FetchedPartition>
  waitForData(partitions: Iterable<{ topicId: number; partition: number }>, timeoutMs: number, signal?: AbortSignal): Promise<WaitResult>
}

/** Cap on batches per partition read, so one fetch never stalls the event loop on a huge log. */
const MAX_BATCHES_PER_READ = 2000

export async function fetchPartitions(source: FetchSource, spec: FetchSpec, signal?: AbortSignal): Promise<FetchPartitionResult[]> {
  const deadline = Date.now() + Math.max(0, spec.maxWaitMs)
  for (;;) {
    const { results, bytes } = readOnce(source, spec)
    const remaining = deadline - Date.now()
    const anyError = results.some((r) => !r.ok)
    if (bytes >= spec.minBytes || remaining <= 0 || anyError || signal?.aborted) return results
    const watched = spec.partitions.flatMap((p) => (p.topic ? [{ topicId: p.topic.id, partition: p.partition }] : []))
    const woke = await source.waitForData(watched, remaining, signal)
    if (woke === 'aborted') return readOnce(source, spec).results
  }
}

function readOnce(source: FetchSource, spec: FetchSpec): { results: FetchPartitionResult[]; bytes: number } {
  let budget = spec.maxBytes
  let bytes = 0
  const results = spec.partitions.map((p): FetchPartitionResult => {
    if (!p.topic) return { ok: false, error: new KafkaError('UNKNOWN_TOPIC_OR_PARTITION') }
    const limit = Math.max(0, Math.min(p.partitionMaxBytes, budget))
    const res = source.read(p.topic, p.partition, p.fetchOffset, Math.max(limit, 1))
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
