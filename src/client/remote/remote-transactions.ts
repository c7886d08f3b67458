import { ApiKey } from '../../protocol/api-keys.js'
import { decodeDescribeProducersResponse, encodeDescribeProducersRequest, type DescribeProducersResponse } from '../../protocol/messages/describe-producers.js'
import { decodeDescribeTransactionsResponse, encodeDescribeTransactionsRequest } from '../../protocol/messages/describe-transactions.js'
import { decodeListTransactionsResponse, encodeListTransactionsRequest } from '../../protocol/messages/list-transactions.js'
import { decodeWriteTxnMarkersResponse, encodeWriteTxnMarkersRequest } from '../../protocol/messages/write-txn-markers.js'
import { KafkaError, fail, kafkaErrorForCode, ok, type Outcome } from '../../broker/kafka-error.js'
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
import type { RemoteClient } from './remote-client.js'
import { remoteFailure } from './remote-errors.js'
import { initTransactionalProducerId } from './remote-transactional-producer.js'
import type { BrokerConnection } from './wire/connection.js'

// The transaction calls of the remote client, as Kafka's Admin makes them: ListTransactions to every broker
// (each answers for the ids it coordinates), DescribeTransactions to the id's coordinator (FindCoordinator
// key type 1), DescribeProducers to each partition's leader (or the broker named), and abortTransaction as
// a WriteTxnMarkers ABORT to the partition's leader.

export class RemoteTransactions implements TransactionsClient {
  constructor(private readonly client: RemoteClient) {}

  async listTransactions(filter: ListTransactionsFilter): Promise<TransactionListing[]> {
    const { nodes } = await this.client.describeCluster()
    const out: TransactionListing[] = []
    for (const node of nodes) {
      const answer = await this.client.wire(async (cluster) => {
        const conn = await cluster.broker(node.nodeId)
        return conn.request(
          ApiKey.ListTransactions,
          (w, v) =>
            encodeListTransactionsRequest(w, v, {
              stateFilters: [],
              producerIdFilters: [...(filter.producerIds ?? [])],
              ...(v >= 1 ? { durationFilter: filter.durationMs ?? -1 } : {}),
              ...(v >= 2 ? { transactionalIdPattern: filter.transactionalIdPattern ?? null } : {}),
            }),
          decodeListTransactionsResponse,
        )
      })
      if (answer.errorCode !== 0) throw kafkaErrorForCode(answer.errorCode)
      for (const t of answer.transactionStates) out.push({ transactionalId: t.transactionalId, producerId: t.producerId, state: t.transactionState, coordinatorId: node.nodeId })
    }
    return out
  }

  async describeTransaction(transactionalId: string): Promise<Outcome<TransactionDescription>> {
    const { node, answer } = await this.client.wire(
      async (cluster) => {
        const node = await cluster.coordinatorNode(transactionalId, 'transaction')
        const conn = await cluster.coordinator(transactionalId, 'transaction')
        const answer = await conn.request(ApiKey.DescribeTransactions, (w, v) => encodeDescribeTransactionsRequest(w, v, { transactionalIds: [transactionalId] }), decodeDescribeTransactionsResponse)
        return { node, answer }
      },
      () => this.client.cluster.forgetCoordinator(transactionalId, 'transaction'),
    )
    const t = answer.transactionStates.find((s) => s.transactionalId === transactionalId)
    if (t === undefined) return fail(new KafkaError('UNKNOWN_SERVER_ERROR', 'DescribeTransactions answered without the transactional id'))
    if (t.errorCode !== 0) return fail(kafkaErrorForCode(t.errorCode))
    return ok({
      coordinatorId: node.nodeId,
      transactionalId,
      producerId: t.producerId,
      producerEpoch: t.producerEpoch,
      state: t.transactionState,
      timeoutMs: t.transactionTimeoutMs,
      startTimeMs: t.transactionStartTimeMs,
      partitions: t.topics.flatMap((topic) => topic.partitions.map((partition) => ({ topic: topic.topic, partition }))),
    })
  }

  async describeProducers(partitions: readonly PartitionRef[], brokerId?: number): Promise<(PartitionRef & Outcome<ProducerState[]>)[]> {
    const send = async (conn: BrokerConnection, topics: ReadonlyMap<string, readonly number[]>) => {
      const answer = await conn.request(
        ApiKey.DescribeProducers,
        (w, v) => encodeDescribeProducersRequest(w, v, { topics: [...topics].map(([name, partitionIndexes]) => ({ name, partitionIndexes: [...partitionIndexes] })) }),
        decodeDescribeProducersResponse,
      )
      return producerAnswers(answer)
    }
    if (brokerId === undefined) return this.client.onLeaders(partitions, (conn, topics) => send(conn, topics))
    const topics = new Map<string, number[]>()
    for (const p of partitions) topics.set(p.topic, [...(topics.get(p.topic) ?? []), p.partition])
    const answers = await this.client.wire(async (cluster) => send(await cluster.broker(brokerId), topics))
    return partitions.map((p) => {
      const a = answers.find((x) => x.topic === p.topic && x.partition === p.partition)
      if (a === undefined) return { ...p, ...fail(new KafkaError('UNKNOWN_SERVER_ERROR', 'DescribeProducers answered without the partition')) }
      return { ...p, ...(a.errorCode === 0 ? ok(a.value) : fail(kafkaErrorForCode(a.errorCode))) }
    })
  }

  async fenceProducer(transactionalId: string): Promise<KafkaError | undefined> {
    try {
      await initTransactionalProducerId(this.client.cluster, { transactionalId, transactionTimeoutMs: FENCE_TRANSACTION_TIMEOUT_MS })
      return undefined
    } catch (err) {
      if (err instanceof KafkaError) return err
      throw remoteFailure(err, this.client.settings.bootstrap)
    }
  }

  async abortTransaction(spec: AbortTransactionSpec): Promise<KafkaError | undefined> {
    const [outcome] = await this.client.onLeaders([spec], async (conn, topics) => {
      const answer = await conn.request(
        ApiKey.WriteTxnMarkers,
        (w, v) =>
          encodeWriteTxnMarkersRequest(w, v, {
            markers: [
              {
                producerId: spec.producerId,
                producerEpoch: spec.producerEpoch,
                transactionResult: false,
                coordinatorEpoch: spec.coordinatorEpoch,
                topics: [...topics].map(([name, partitionIndexes]) => ({ name, partitionIndexes })),
              },
            ],
          }),
        decodeWriteTxnMarkersResponse,
      )
      return answer.markers.flatMap((m) => m.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, errorCode: p.errorCode, value: null }))))
    })
    return outcome === undefined || outcome.ok ? undefined : outcome.error
  }
}

function producerAnswers(answer: DescribeProducersResponse): { topic: string; partition: number; errorCode: number; value: ProducerState[] }[] {
  return answer.topics.flatMap((t) =>
    t.partitions.map((p) => ({
      topic: t.name,
      partition: p.partitionIndex,
      errorCode: p.errorCode,
      value: p.activeProducers.map((s) => ({
        producerId: s.producerId,
        producerEpoch: s.producerEpoch,
        lastSequence: s.lastSequence,
        lastTimestamp: s.lastTimestamp,
        coordinatorEpoch: s.coordinatorEpoch,
        currentTxnStartOffset: s.currentTxnStartOffset,
      })),
    })),
  )
}
