import { KafkaError, kafkaErrorForCode } from '../../broker/kafka-error.js'
import { ApiKey } from '../../protocol/api-keys.js'
import { decodeDescribeProducersResponse, encodeDescribeProducersRequest } from '../../protocol/messages/describe-producers.js'
import { decodeDescribeTransactionsResponse, encodeDescribeTransactionsRequest } from '../../protocol/messages/describe-transactions.js'
import { decodeInitProducerIdResponse, encodeInitProducerIdRequest } from '../../protocol/messages/init-producer-id.js'
import { decodeListTransactionsResponse, encodeListTransactionsRequest } from '../../protocol/messages/list-transactions.js'
import { decodeWriteTxnMarkersResponse, encodeWriteTxnMarkersRequest } from '../../protocol/messages/write-txn-markers.js'
import type { AbortTransactionSpec, ListedTransactions, PartitionProducers, TransactionDescription, TransactionsClient } from '../transactions-client.js'
import type { RemoteClient } from './remote-client.js'
import type { Cluster } from './wire/cluster.js'
import type { BrokerConnection } from './wire/connection.js'

// Kafka's Admin.listTransactions (ListTransactions to every broker), describeTransactions (FindCoordinator
// with key type TRANSACTION, then DescribeTransactions there) and describeProducers (DescribeProducers at
// the partition's leader).

export class RemoteTransactions implements TransactionsClient {
  constructor(private readonly client: RemoteClient) {}

  async list(filter: { readonly durationMs: number; readonly pattern: string | null }): Promise<ListedTransactions[]> {
    const nodes = (await this.client.describeCluster()).nodes
    const out: ListedTransactions[] = []
    for (const node of nodes) {
      const answer = await this.client.wire(async (cluster) => {
        const conn = await cluster.broker(node.nodeId)
        return conn.request(
          ApiKey.ListTransactions,
          (w, v) => encodeListTransactionsRequest(w, v, { stateFilters: [], producerIdFilters: [], durationFilter: filter.durationMs, transactionalIdPattern: filter.pattern }),
          decodeListTransactionsResponse,
        )
      })
      if (answer.errorCode !== 0) throw kafkaErrorForCode(answer.errorCode)
      out.push({
        coordinatorId: node.nodeId,
        transactions: answer.transactionStates.map((t) => ({ transactionalId: t.transactionalId, producerId: t.producerId, state: t.transactionState })),
      })
    }
    return out
  }

  async describe(transactionalId: string): Promise<TransactionDescription> {
    const { coordinatorId, state } = await this.client.wire(async (cluster) => {
      const node = await cluster.coordinatorNode(transactionalId, 1)
      const conn = await cluster.connectionTo(node)
      const answer = await conn.request(ApiKey.DescribeTransactions, (w, v) => encodeDescribeTransactionsRequest(w, v, { transactionalIds: [transactionalId] }), decodeDescribeTransactionsResponse)
      return { coordinatorId: node.nodeId, state: answer.transactionStates[0] }
    })
    if (state === undefined) throw new KafkaError('UNKNOWN_SERVER_ERROR', `No description of ${transactionalId} in the answer`)
    if (state.errorCode !== 0) throw kafkaErrorForCode(state.errorCode)
    return {
      coordinatorId,
      transactionalId,
      state: state.transactionState,
      timeoutMs: state.transactionTimeoutMs,
      startTimestampMs: state.transactionStartTimeMs,
      producerId: state.producerId,
      producerEpoch: state.producerEpoch,
      topics: state.topics.map((t) => ({ name: t.topic, partitions: t.partitions })),
    }
  }

  async describeProducers(topic: string, partition: number): Promise<PartitionProducers> {
    const { nodeId, answer } = await this.client.wire(async (cluster) => {
      const { leader, conn } = await leaderOf(cluster, topic, partition)
      const res = await conn.request(ApiKey.DescribeProducers, (w, v) => encodeDescribeProducersRequest(w, v, { topics: [{ name: topic, partitionIndexes: [partition] }] }), decodeDescribeProducersResponse)
      return { nodeId: leader, answer: res }
    })
    const p = answer.topics[0]?.partitions[0]
    if (p === undefined) throw new KafkaError('UNKNOWN_SERVER_ERROR', `No producers of ${topic}-${partition} in the answer`)
    if (p.errorCode !== 0) throw kafkaErrorForCode(p.errorCode, p.errorMessage ?? undefined)
    return {
      nodeId,
      producers: p.activeProducers.map((a) => ({
        producerId: a.producerId,
        producerEpoch: a.producerEpoch,
        lastSequence: a.lastSequence,
        lastTimestamp: a.lastTimestamp,
        coordinatorEpoch: a.coordinatorEpoch,
        currentTxnStartOffset: a.currentTxnStartOffset,
      })),
    }
  }

  async abortTransaction(spec: AbortTransactionSpec): Promise<void> {
    const answer = await this.client.wire(async (cluster) => {
      const { conn } = await leaderOf(cluster, spec.topic, spec.partition)
      return conn.request(
        ApiKey.WriteTxnMarkers,
        (w, v) =>
          encodeWriteTxnMarkersRequest(w, v, {
            markers: [
              {
                producerId: spec.producerId,
                producerEpoch: spec.producerEpoch,
                transactionResult: false,
                topics: [{ name: spec.topic, partitionIndexes: [spec.partition] }],
                coordinatorEpoch: spec.coordinatorEpoch,
              },
            ],
          }),
        decodeWriteTxnMarkersResponse,
      )
    })
    const code = answer.markers[0]?.topics[0]?.partitions[0]?.errorCode
    if (code === undefined) throw new KafkaError('UNKNOWN_SERVER_ERROR', `No result for ${spec.topic}-${spec.partition} in the answer`)
    if (code !== 0) throw kafkaErrorForCode(code)
  }

  async forceTerminate(transactionalId: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const answer = await this.client.wire(async (cluster) => {
        const conn = await cluster.connectionTo(await cluster.coordinatorNode(transactionalId, 1))
        return conn.request(
          ApiKey.InitProducerId,
          (w, v) => encodeInitProducerIdRequest(w, v, { transactionalId, transactionTimeoutMs: FENCING_TIMEOUT_MS, producerId: -1, producerEpoch: -1 }),
          decodeInitProducerIdResponse,
        )
      })
      if (answer.errorCode === 0) return
      const error = kafkaErrorForCode(answer.errorCode)
      if (error.errorName !== 'CONCURRENT_TRANSACTIONS' || attempt >= FENCING_ATTEMPTS) throw error
    }
  }
}

/** What Kafka's FenceProducersHandler asks for: the id is only initialized to fence, never used to write. */
const FENCING_TIMEOUT_MS = 1
/** CONCURRENT_TRANSACTIONS while the coordinator aborts the open transaction: asked again this many times. */
const FENCING_ATTEMPTS = 10

/** The partition's leader and a connection to it. */
async function leaderOf(cluster: Cluster, topic: string, partition: number): Promise<{ leader: number; conn: BrokerConnection }> {
  const route = await cluster.route(topic)
  const leader = route.leaders[partition]
  if (leader === undefined || leader < 0) throw new KafkaError(leader === undefined ? 'UNKNOWN_TOPIC_OR_PARTITION' : 'LEADER_NOT_AVAILABLE')
  return { leader, conn: await cluster.broker(leader) }
}
