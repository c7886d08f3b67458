import { setTimeout as delay } from 'node:timers/promises'

import { ApiKey } from '../../protocol/api-keys.js'
import { decodeAddPartitionsToTxnResponse, encodeAddPartitionsToTxnRequest } from '../../protocol/messages/add-partitions-to-txn.js'
import { decodeEndTxnResponse, encodeEndTxnRequest } from '../../protocol/messages/end-txn.js'
import { decodeInitProducerIdResponse, encodeInitProducerIdRequest } from '../../protocol/messages/init-producer-id.js'
import { KafkaError, kafkaErrorForCode } from '../../broker/kafka-error.js'
import type { ProducerSettings, RecordProducer, SendFailure, TransactionalProducer, TransactionalSettings } from '../kafka-client.js'
import { remoteFailure } from './remote-errors.js'
import { openRemoteProducer } from './remote-producer.js'
import { TransactionalProducerBase } from '../transactional-producer-base.js'
import type { Cluster } from './wire/cluster.js'
import type { BrokerConnection } from './wire/connection.js'

// The remote transactional producer: Kafka's transactional protocol as a client of transaction version 0/1
// speaks it (every broker takes it): InitProducerId with the transactional id at its coordinator
// (FindCoordinator key type 1), AddPartitionsToTxn (≤ v3) with every partition of the topic when a
// transaction begins, the batches sent by the idempotent batch producer marked transactional, and EndTxn
// (≤ v4: no epoch bump per transaction) once every batch is answered.

/** The newest versions whose semantics this producer follows (v4+ AddPartitionsToTxn is broker-to-broker, v5 EndTxn bumps the epoch). */
const ADD_PARTITIONS_VERSION = 3
const END_TXN_VERSION = 4
/** Coordinator answers that mean "ask again shortly" (an earlier transaction is completing, or the coordinator moved). */
const RETRY_LATER = new Set(['CONCURRENT_TRANSACTIONS', 'COORDINATOR_LOAD_IN_PROGRESS', 'NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE'])
const ATTEMPTS = 100

export interface TransactionIdentity {
  readonly transactionalId: string
  readonly producerId: number
  readonly producerEpoch: number
}

/** initTransactions (and Admin.fenceProducers): the id's producer id and next epoch from its coordinator, which aborts an open transaction first. */
export async function initTransactionalProducerId(cluster: Cluster, txn: TransactionalSettings): Promise<TransactionIdentity> {
  const answer = await coordinatorCall(cluster, txn.transactionalId, (conn) =>
    conn.request(
      ApiKey.InitProducerId,
      (w, v) => encodeInitProducerIdRequest(w, v, { transactionalId: txn.transactionalId, transactionTimeoutMs: txn.transactionTimeoutMs, producerId: -1, producerEpoch: -1 }),
      decodeInitProducerIdResponse,
    ),
  )
  return { transactionalId: txn.transactionalId, producerId: answer.producerId, producerEpoch: answer.producerEpoch }
}

/** Opens the producer: initTransactions, then the idempotent batch producer (acks=all) sending as this transactional id. */
export async function openRemoteTransactionalProducer(
  cluster: Cluster,
  topic: string,
  settings: ProducerSettings,
  txn: TransactionalSettings,
  onFailure: (failure: SendFailure) => void,
): Promise<TransactionalProducer> {
  let identity: TransactionIdentity
  try {
    identity = await initTransactionalProducerId(cluster, txn)
  } catch (err) {
    if (err instanceof KafkaError) throw err
    throw remoteFailure(err, cluster.settings.bootstrap)
  }
  const producer = new RemoteTransactionalProducer(cluster, topic, identity)
  await producer.open(settings, onFailure)
  return producer
}

class RemoteTransactionalProducer extends TransactionalProducerBase {
  protected producer!: RecordProducer

  constructor(
    private readonly cluster: Cluster,
    private readonly topic: string,
    private readonly identity: TransactionIdentity,
  ) {
    super()
  }

  /** The idempotent batch producer (acks=all) sending as this transactional id. */
  async open(settings: ProducerSettings, onFailure: (failure: SendFailure) => void): Promise<void> {
    this.producer = await openRemoteProducer(this.cluster, this.topic, { ...settings, acks: -1, idempotent: true }, this.reporting(onFailure), this.identity)
  }

  protected async addPartitions(): Promise<void> {
    const partitions = Array.from({ length: this.producer.partitionCount }, (_, i) => i)
    const { transactionalId, producerId, producerEpoch } = this.identity
    await coordinatorCall(this.cluster, transactionalId, async (conn) => {
      const answer = await conn.request(
        ApiKey.AddPartitionsToTxn,
        (w, v) =>
          encodeAddPartitionsToTxnRequest(w, v, {
            v3AndBelowTransactionalId: transactionalId,
            v3AndBelowProducerId: producerId,
            v3AndBelowProducerEpoch: producerEpoch,
            v3AndBelowTopics: [{ name: this.topic, partitions }],
          }),
        decodeAddPartitionsToTxnResponse,
        { version: Math.min(conn.versionOf(ApiKey.AddPartitionsToTxn), ADD_PARTITIONS_VERSION) },
      )
      const codes = answer.resultsByTopicV3AndBelow.flatMap((t) => t.resultsByPartition.map((p) => p.partitionErrorCode)).filter((c) => c !== 0)
      return { errorCode: codes[0] ?? 0 }
    })
  }

  protected async end(commit: boolean): Promise<void> {
    const { transactionalId, producerId, producerEpoch } = this.identity
    await coordinatorCall(this.cluster, transactionalId, (conn) =>
      conn.request(ApiKey.EndTxn, (w, v) => encodeEndTxnRequest(w, v, { transactionalId, producerId, producerEpoch, committed: commit }), decodeEndTxnResponse, {
        version: Math.min(conn.versionOf(ApiKey.EndTxn), END_TXN_VERSION),
      }),
    )
  }
}

/**
 * One request to the transactional id's coordinator, asked again while it answers "later" (an earlier
 * transaction completing, the coordinator moving); any other error code throws its KafkaError.
 */
async function coordinatorCall<T extends { readonly errorCode: number }>(cluster: Cluster, transactionalId: string, call: (conn: BrokerConnection) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const answer = await cluster.retrying(
      async () => call(await cluster.coordinator(transactionalId, 'transaction')),
      () => cluster.forgetCoordinator(transactionalId, 'transaction'),
    )
    if (answer.errorCode === 0) return answer
    const error = kafkaErrorForCode(answer.errorCode)
    if (!RETRY_LATER.has(error.errorName) || attempt >= ATTEMPTS) throw error
    if (error.errorName !== 'CONCURRENT_TRANSACTIONS') cluster.forgetCoordinator(transactionalId, 'transaction')
    await delay(cluster.backoffMs(0))
  }
}
