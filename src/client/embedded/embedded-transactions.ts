import type { Broker } from '../../broker/broker.js'
import { KafkaError } from '../../broker/kafka-error.js'
import type { AbortTransactionSpec, ListedTransactions, PartitionProducers, TransactionDescription, TransactionsClient } from '../transactions-client.js'

// The transactions tool over the data directory: the coordinator's state and the partitions' producer state.

export class EmbeddedTransactions implements TransactionsClient {
  constructor(private readonly broker: Broker) {}

  async list(filter: { readonly durationMs: number; readonly pattern: string | null }): Promise<ListedTransactions[]> {
    const listed = this.broker.transactions.list({ states: [], producerIds: [], durationMs: filter.durationMs, transactionalIdPattern: filter.pattern })
    if (listed instanceof KafkaError) throw listed
    return [{ coordinatorId: this.broker.nodeId, transactions: listed.transactions }]
  }

  async describe(transactionalId: string): Promise<TransactionDescription> {
    const d = this.broker.transactions.describe(transactionalId)
    if (d instanceof KafkaError) throw d
    return { ...d, coordinatorId: this.broker.nodeId }
  }

  async describeProducers(topic: string, partition: number): Promise<PartitionProducers> {
    const row = this.broker.requireTopic(topic)
    if (partition < 0 || partition >= row.partitionCount) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION')
    const producers = this.broker.activeProducers(row, partition)
    if (!producers.ok) throw producers.error
    return { nodeId: this.broker.nodeId, producers: producers.value.map((p) => ({ ...p, coordinatorEpoch: -1 })) }
  }

  async abortTransaction(spec: AbortTransactionSpec): Promise<void> {
    const topic = this.broker.requireTopic(spec.topic)
    if (spec.partition < 0 || spec.partition >= topic.partitionCount) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION')
    const marker = { producerId: spec.producerId, producerEpoch: spec.producerEpoch, commit: false, coordinatorEpoch: spec.coordinatorEpoch }
    const [result] = this.broker.writeTxnMarkers([{ topic, partition: spec.partition }], marker, 'fsync')
    if (result !== undefined && !result.ok) throw result.error
  }

  async forceTerminate(transactionalId: string): Promise<void> {
    // The first call aborts an open transaction and answers CONCURRENT_TRANSACTIONS; the retry bumps the epoch.
    for (let attempt = 0; ; attempt++) {
      const { error } = this.broker.transactions.initProducerId(transactionalId, FENCING_TIMEOUT_MS, -1, -1)
      if (error === undefined) return
      if (error.errorName !== 'CONCURRENT_TRANSACTIONS' || attempt > 0) throw error
    }
  }
}

/** What Kafka's FenceProducersHandler asks for: the id is only initialized to fence, never used to write. */
const FENCING_TIMEOUT_MS = 1
