import type { ActiveProducer } from '../broker/producer-state.js'
import type { DescribedTransaction, ListedTransaction } from '../broker/transactions/types.js'

// What the transactions tool asks of a cluster (Kafka's Admin.listTransactions, describeTransactions,
// describeProducers). Embedded: the broker core's transaction coordinator and partition state; remote:
// ListTransactions, FindCoordinator(TRANSACTION) + DescribeTransactions, DescribeProducers at the leader.

export interface ListedTransactions {
  /** The node that answered (Kafka's Coordinator column). */
  readonly coordinatorId: number
  readonly transactions: readonly ListedTransaction[]
}

export interface TransactionDescription extends DescribedTransaction {
  readonly coordinatorId: number
}

export interface PartitionProducers {
  /** The node that answered (the partition's leader). */
  readonly nodeId: number
  /** `coordinatorEpoch` -1 when unknown. */
  readonly producers: readonly (ActiveProducer & { readonly coordinatorEpoch: number })[]
}

/** Kafka's AbortTransactionSpec: the open transaction of a producer in one partition. */
export interface AbortTransactionSpec {
  readonly topic: string
  readonly partition: number
  readonly producerId: number
  readonly producerEpoch: number
  readonly coordinatorEpoch: number
}

export interface TransactionsClient {
  /** `durationMs` < 0 = every transaction; `pattern` null = every id. */
  list(filter: { readonly durationMs: number; readonly pattern: string | null }): Promise<ListedTransactions[]>
  /** Throws the KafkaError (TRANSACTIONAL_ID_NOT_FOUND, …). */
  describe(transactionalId: string): Promise<TransactionDescription>
  /** Throws the KafkaError (UNKNOWN_TOPIC_OR_PARTITION, …). */
  describeProducers(topic: string, partition: number): Promise<PartitionProducers>
  /** Writes an ABORT marker for the producer into the partition (WriteTxnMarkers at its leader); throws the KafkaError. */
  abortTransaction(spec: AbortTransactionSpec): Promise<void>
  /**
   * Kafka's Admin.forceTerminateTransaction (as fenceProducers): InitProducerId for the id with no producer id
   * or epoch, which bumps the epoch and aborts an open transaction; throws the KafkaError.
   */
  forceTerminate(transactionalId: string): Promise<void>
}
