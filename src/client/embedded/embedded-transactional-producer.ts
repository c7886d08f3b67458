import type { Broker } from '../../broker/broker.js'
import type { TopicRow } from '../../broker/records.js'
import type { ProducerSettings, SendFailure, TransactionalProducer, TransactionalSettings } from '../kafka-client.js'
import { TransactionalProducerBase } from '../transactional-producer-base.js'
import { nextSequence } from '../partition-batches.js'
import { EmbeddedProducer } from './embedded-producer.js'
import { untilSettled } from './until-settled.js'

// The embedded transactional producer: what Kafka's Java producer does with a transactional.id, against
// the transaction coordinator of the broker core in this process (its state is in the store, shared with a
// running server and other embedded processes). initTransactions when it opens; each transaction adds
// every partition of the topic at its start (AddPartitionsToTxn, as a client of transaction version 0/1),
// its batches carry the producer id, epoch, per-partition sequences and the transactional flag, and the
// commit writes the markers once every batch of the transaction is stored.

export async function openEmbeddedTransactionalProducer(
  broker: Broker,
  topic: TopicRow,
  settings: ProducerSettings,
  txn: TransactionalSettings,
  onFailure: (failure: SendFailure) => void,
): Promise<TransactionalProducer> {
  const { producerId, producerEpoch } = await untilSettled(() => broker.transactions.initProducerId(txn.transactionalId, txn.transactionTimeoutMs, -1, -1))
  return new EmbeddedTransactionalProducer(broker, topic, settings, { ...txn, producerId, producerEpoch }, onFailure)
}

class EmbeddedTransactionalProducer extends TransactionalProducerBase {
  protected readonly producer: EmbeddedProducer
  private readonly sequences: number[]

  constructor(
    private readonly broker: Broker,
    private readonly topic: TopicRow,
    settings: ProducerSettings,
    private readonly txn: TransactionalSettings & { readonly producerId: number; readonly producerEpoch: number },
    onFailure: (failure: SendFailure) => void,
  ) {
    super()
    this.sequences = new Array<number>(topic.partitionCount).fill(0)
    this.producer = new EmbeddedProducer(broker, topic, settings, this.reporting(onFailure), (partition, records) => {
      const baseSequence = this.sequences[partition] ?? 0
      this.sequences[partition] = nextSequence(baseSequence, records)
      return { producerId: txn.producerId, producerEpoch: txn.producerEpoch, baseSequence, isTransactional: true }
    })
  }

  protected async addPartitions(): Promise<void> {
    const partitions = Array.from({ length: this.topic.partitionCount }, (_, partition) => ({ topic: this.topic, partition }))
    const added = await untilSettled(() => ({ error: this.broker.transactions.addPartitions(this.identity(), partitions, 0) }))
    if (added.error !== undefined) throw added.error
  }

  protected async end(commit: boolean): Promise<void> {
    const result = await untilSettled(() => this.broker.transactions.endTxn({ ...this.identity(), commit, transactionVersion: 0 }))
    if (result.error !== undefined) throw result.error
  }

  private identity() {
    return { transactionalId: this.txn.transactionalId, producerId: this.txn.producerId, producerEpoch: this.txn.producerEpoch }
  }
}
