import type { KafkaError, Outcome } from '../broker/kafka-error.js'
import type { PartitionRef } from './kafka-client.js'

// The transaction calls of the client seam (the transactions tool, kafka-transactions.sh): what Kafka's
// Admin listTransactions, describeTransactions, describeProducers and abortTransaction give, embedded
// (the coordinator and the partition logs of this process's broker core) or over the wire.

export interface TransactionListing {
  readonly transactionalId: string
  readonly producerId: number
  /** Kafka's TransactionState name: Empty, Ongoing, PrepareCommit, … */
  readonly state: string
  /** The broker that answered (the coordinator of the id). */
  readonly coordinatorId: number
}

export interface ListTransactionsFilter {
  /** Only transactions running longer than this (ms); undefined or < 0: all. */
  readonly durationMs?: number
  /** A Java regular expression the whole id must match. */
  readonly transactionalIdPattern?: string
  readonly producerIds?: readonly number[]
}

export interface TransactionDescription {
  readonly coordinatorId: number
  readonly transactionalId: string
  readonly producerId: number
  readonly producerEpoch: number
  readonly state: string
  readonly timeoutMs: number
  /** -1 when no transaction is open. */
  readonly startTimeMs: number
  readonly partitions: readonly PartitionRef[]
}

/** One producer in a partition's producer state (DescribeProducers). */
export interface ProducerState {
  readonly producerId: number
  readonly producerEpoch: number
  readonly lastSequence: number
  readonly lastTimestamp: number
  /** -1 when unknown. */
  readonly coordinatorEpoch: number
  /** First offset of its open transaction in the partition; -1 when none. */
  readonly currentTxnStartOffset: number
}

/** What abortTransaction writes: an ABORT marker for this producer into this partition. */
export interface AbortTransactionSpec extends PartitionRef {
  readonly producerId: number
  readonly producerEpoch: number
  readonly coordinatorEpoch: number
}

export interface TransactionsClient {
  /** Every transaction the coordinators know, filtered. */
  listTransactions(filter: ListTransactionsFilter): Promise<TransactionListing[]>
  describeTransaction(transactionalId: string): Promise<Outcome<TransactionDescription>>
  /** The producers of each partition, from its leader or from `brokerId`. */
  describeProducers(partitions: readonly PartitionRef[], brokerId?: number): Promise<(PartitionRef & Outcome<ProducerState[]>)[]>
  abortTransaction(spec: AbortTransactionSpec): Promise<KafkaError | undefined>
  /**
   * Fences the id's current producer (Admin.fenceProducers / forceTerminateTransaction): InitProducerId for
   * the id without a producer id, which bumps its epoch and aborts an open transaction.
   */
  fenceProducer(transactionalId: string): Promise<KafkaError | undefined>
}

/** The transaction timeout a fencing InitProducerId asks for: Kafka's admin uses its request.timeout.ms default. */
export const FENCE_TRANSACTION_TIMEOUT_MS = 30_000
