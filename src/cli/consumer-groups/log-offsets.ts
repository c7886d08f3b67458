// What consumer-groups asks the log (Kafka's tool asks the admin client: DescribeTopics and ListOffsets
// earliest / latest / for a timestamp): through the client seam (ClientLogOffsets), or straight over
// the broker core (brokerLogOffsets, for tests of the planning code).

import type { Broker } from '../../broker/broker.js'
import type { OffsetSpec } from '../../broker/types.js'
import type { KafkaClient, PartitionRef } from '../../client/kafka-client.js'

export interface PartitionBounds {
  readonly logStartOffset: number
  /** The high watermark. */
  readonly logEndOffset: number
}

export interface LogOffsets {
  /** The topic's partitions, or undefined when it does not exist. */
  partitionsOf(topic: string): number[] | undefined
  /** undefined when the topic or partition does not exist. */
  bounds(topic: string, partition: number): PartitionBounds | undefined
  /** The first offset whose record timestamp is at or after `timestampMs`; -1 when none; undefined when missing. */
  offsetForTimestamp(topic: string, partition: number, timestampMs: number): number | undefined
}

export function brokerLogOffsets(broker: Broker): LogOffsets {
  return {
    partitionsOf(topic) {
      const row = broker.findTopic(topic)
      return row === undefined ? undefined : Array.from({ length: row.partitionCount }, (_, p) => p)
    },
    bounds(topic, partition) {
      const row = broker.findTopic(topic)
      if (row === undefined || partition < 0 || partition >= row.partitionCount) return undefined
      const r = broker.offsets(row, partition)
      return r.ok ? { logStartOffset: r.value.logStartOffset, logEndOffset: r.value.highWatermark } : undefined
    },
    offsetForTimestamp(topic, partition, timestampMs) {
      const row = broker.findTopic(topic)
      if (row === undefined || partition < 0 || partition >= row.partitionCount) return undefined
      const r = broker.listOffset(row, partition, timestampMs)
      return r.ok ? r.value.offset : undefined
    },
  }
}

/**
 * The same answers through the client seam (ListOffsets earliest / latest / for a timestamp, topic
 * partition counts from the topic listing). The planning code asks synchronously, so the offsets of
 * the partitions a step needs are read ahead with `load()`, in one round of requests.
 */
export class ClientLogOffsets implements LogOffsets {
  private readonly boundsOf = new Map<string, PartitionBounds | null>()
  private readonly byTimestamp = new Map<string, number | null>()

  private constructor(
    private readonly client: KafkaClient,
    private readonly partitionCounts: ReadonlyMap<string, number>,
  ) {}

  static async open(client: KafkaClient): Promise<ClientLogOffsets> {
    const topics = await client.listTopics()
    return new ClientLogOffsets(client, new Map(topics.map((t) => [t.name, t.partitionCount])))
  }

  /** Reads log start and end of these partitions, and with `timestampMs` the offset for that time. */
  async load(partitions: readonly { readonly topic: string; readonly partition: number }[], timestampMs?: number): Promise<void> {
    const requests: (PartitionRef & { spec: OffsetSpec })[] = []
    const seen = new Set<string>()
    for (const { topic, partition } of partitions) {
      const k = key(topic, partition)
      if (seen.has(k) || !this.exists(topic, partition)) continue
      seen.add(k)
      if (!this.boundsOf.has(k)) requests.push({ topic, partition, spec: 'earliest' }, { topic, partition, spec: 'latest' })
      if (timestampMs !== undefined && !this.byTimestamp.has(`${k}\u0000${timestampMs}`)) requests.push({ topic, partition, spec: timestampMs })
    }
    if (requests.length === 0) return
    // Kafka's ConsumerGroupCommand asks with a default ListOffsetsOptions (READ_UNCOMMITTED): lag and the log
    // end count up to the high watermark, open transactions included.
    const results = await this.client.listOffsets(requests, { isolation: 'read_uncommitted' })
    const found = new Map<string, number | null>()
    results.forEach((r, i) => {
      const spec = requests[i]!.spec
      found.set(`${key(r.topic, r.partition)}\u0000${String(spec)}`, r.ok ? r.value.offset : null)
    })
    for (const k of seen) {
      const start = found.get(`${k}\u0000earliest`)
      const end = found.get(`${k}\u0000latest`)
      if (start !== undefined && end !== undefined) this.boundsOf.set(k, start === null || end === null ? null : { logStartOffset: start, logEndOffset: end })
      if (timestampMs !== undefined) {
        const at = found.get(`${k}\u0000${timestampMs}`)
        if (at !== undefined) this.byTimestamp.set(`${k}\u0000${timestampMs}`, at)
      }
    }
  }

  partitionsOf(topic: string): number[] | undefined {
    const count = this.partitionCounts.get(topic)
    return count === undefined ? undefined : Array.from({ length: count }, (_, p) => p)
  }

  bounds(topic: string, partition: number): PartitionBounds | undefined {
    if (!this.exists(topic, partition)) return undefined
    const b = this.boundsOf.get(key(topic, partition))
    if (b === undefined) throw new Error(`log offsets of ${topic}-${partition} were not loaded`)
    return b ?? undefined
  }

  offsetForTimestamp(topic: string, partition: number, timestampMs: number): number | undefined {
    if (!this.exists(topic, partition)) return undefined
    const at = this.byTimestamp.get(`${key(topic, partition)}\u0000${timestampMs}`)
    if (at === undefined) throw new Error(`the offset of ${topic}-${partition} at ${timestampMs} was not loaded`)
    return at ?? undefined
  }

  private exists(topic: string, partition: number): boolean {
    const count = this.partitionCounts.get(topic)
    return count !== undefined && partition >= 0 && partition < count
  }
}

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`
