import type { ResolvedConfig } from './topic-configs.js'
import type { Outcome } from './kafka-error.js'

/** A topic as the caller asks for it; -1 means "broker default", as in CreateTopics v4+. */
export interface TopicSpec {
  readonly name: string
  readonly numPartitions: number
  readonly replicationFactor: number
  readonly configs: ReadonlyMap<string, string>
}

export interface CreatedTopic {
  readonly name: string
  /** Kafka topic id, unpadded base64url. */
  readonly topicId: string
  readonly numPartitions: number
  readonly replicationFactor: number
  readonly configs: readonly ResolvedConfig[]
}

export interface PartitionDescription {
  readonly partition: number
  readonly leader: number
  readonly replicas: readonly number[]
  readonly isr: readonly number[]
  /** Eligible leader replicas (KIP-966) when the source reports them (DescribeTopicPartitions); undefined from Metadata. */
  readonly elr?: readonly number[]
  readonly lastKnownElr?: readonly number[]
}

export interface TopicDescription {
  readonly name: string
  readonly topicId: string
  readonly isInternal: boolean
  readonly partitions: readonly PartitionDescription[]
  /** Every topic config with its value and source (DescribeConfigs semantics). */
  readonly configs: readonly ResolvedConfig[]
}

/** One entity's result, named so callers can report rows in request order. */
export type NamedOutcome<T> = Outcome<T> & { readonly name: string }

export interface PartitionNewCount {
  readonly name: string
  /** The new total number of partitions. */
  readonly count: number
}

export interface AppendResult {
  /** Offset given to the first record of the batch. */
  readonly baseOffset: number
  /** Broker append time when the topic uses LogAppendTime, else -1. */
  readonly logAppendTimeMs: number
  readonly logStartOffset: number
}

export interface FetchedPartition {
  readonly batches: readonly Buffer[]
  readonly highWatermark: number
  readonly logStartOffset: number
  /** First offset of the oldest open transaction, else the high watermark. */
  readonly lastStableOffset: number
  /** read_committed only: the aborted transactions the batches overlap (producer id, first offset), by marker offset. */
  readonly abortedTransactions?: readonly AbortedTransaction[]
}

/** An aborted transaction as Fetch lists it: its records from `firstOffset` on by `producerId` are to be skipped. */
export interface AbortedTransaction {
  readonly producerId: number
  readonly firstOffset: number
}

/** Kafka's isolation.level: read_committed reads up to the last stable offset and skips aborted transactions. */
export type IsolationLevel = 'read_uncommitted' | 'read_committed'

/** What ListOffsets asks for: the special timestamps, or a record timestamp in ms. */
export type OffsetSpec = 'latest' | 'earliest' | 'max-timestamp' | number

export interface OffsetAndTimestamp {
  /** -1 when no record matches. */
  readonly offset: number
  /** -1 for latest/earliest, or when nothing matches. */
  readonly timestamp: number
}
