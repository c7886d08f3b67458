import type { Broker } from '../../broker/broker.js'
import { KafkaError, fail, ok, type Outcome } from '../../broker/kafka-error.js'
import type { PartitionRef } from '../kafka-client.js'
import {
  FENCE_TRANSACTION_TIMEOUT_MS,
  type AbortTransactionSpec,
  type ListTransactionsFilter,
  type ProducerState,
  type TransactionDescription,
  type TransactionListing,
  type TransactionsClient,
} from '../transactions-client.js'
import { untilSettled } from './until-settled.js'

/** Transactions of the data directory, through the coordinator and partition logs of the broker core in this process. */
export class EmbeddedTransactions implements TransactionsClient {
  constructor(private readonly broker: Broker) {}

  async listTransactions(filter: ListTransactionsFilter): Promise<TransactionListing[]> {
    const listed = this.broker.transactions.list({
      states: [],
      producerIds: filter.producerIds ?? [],
      durationMs: filter.durationMs ?? -1,
      transactionalIdPattern: filter.transactionalIdPattern ?? null,
    })
    if (listed instanceof KafkaError) throw listed
    return listed.transactions.map((t) => ({ ...t, coordinatorId: this.broker.nodeId }))
  }

  async describeTransaction(transactionalId: string): Promise<Outcome<TransactionDescription>> {
    const d = this.broker.transactions.describe(transactionalId)
    if (d instanceof KafkaError) return fail(d)
    return ok({
      coordinatorId: this.broker.nodeId,
      transactionalId,
      producerId: d.producerId,
      producerEpoch: d.producerEpoch,
      state: d.state,
      timeoutMs: d.timeoutMs,
      startTimeMs: d.startTimestampMs,
      partitions: d.topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.name, partition }))),
    })
  }

  async describeProducers(partitions: readonly PartitionRef[], brokerId?: number): Promise<(PartitionRef & Outcome<ProducerState[]>)[]> {
    return partitions.map((p) => {
      // This node leads every partition; another broker id has none of them.
      if (brokerId !== undefined && brokerId !== this.broker.nodeId) return { ...p, ...fail(new KafkaError('NOT_LEADER_OR_FOLLOWER')) }
      const row = this.broker.findTopic(p.topic)
      if (row === undefined) return { ...p, ...fail(new KafkaError('UNKNOWN_TOPIC_OR_PARTITION')) }
      return { ...p, ...this.broker.activeProducers(row, p.partition) }
    })
  }

  async fenceProducer(transactionalId: string): Promise<KafkaError | undefined> {
    return (await untilSettled(() => this.broker.transactions.initProducerId(transactionalId, FENCE_TRANSACTION_TIMEOUT_MS, -1, -1))).error
  }

  async abortTransaction(spec: AbortTransactionSpec): Promise<KafkaError | undefined> {
    const row = this.broker.findTopic(spec.topic)
    if (row === undefined || spec.partition < 0 || spec.partition >= row.partitionCount) return new KafkaError('UNKNOWN_TOPIC_OR_PARTITION')
    const [written] = this.broker.writeTxnMarkers(
      [{ topic: row, partition: spec.partition }],
      { producerId: spec.producerId, producerEpoch: spec.producerEpoch, commit: false, coordinatorEpoch: spec.coordinatorEpoch },
      'fsync',
    )
    return written === undefined || written.ok ? undefined : written.error
  }
}
