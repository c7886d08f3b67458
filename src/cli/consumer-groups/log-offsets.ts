// What consumer-groups asks the log (Kafka's tool asks the admin client: DescribeTopics and ListOffsets
// earliest / latest / for a timestamp). Over the broker facade, so the same code serves remote mode
// once the facade has a remote implementation.

import type { Broker } from '../../broker/broker.js'

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
