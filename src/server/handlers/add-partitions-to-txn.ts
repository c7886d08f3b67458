/**
 * AddPartitionsToTxn (24), v0–v5.
 * Behaviour: v0–v3 (clients on transaction protocol 0/1): the partitions join the producer's open
 * transaction (state Ongoing). Every partition is checked first: one that does not exist fails the whole
 * request with UNKNOWN_TOPIC_OR_PARTITION for it and OPERATION_NOT_ATTEMPTED for the others. Then the
 * coordinator's outcome applies to every partition: INVALID_PRODUCER_ID_MAPPING (unknown id or another
 * producer id), PRODUCER_FENCED (another epoch), CONCURRENT_TRANSACTIONS, INVALID_REQUEST (empty id).
 * v4+ carries a batch of transactions, each answered on its own; VerifyOnly asks whether the partitions are
 * in the transaction (TRANSACTION_ABORTABLE for one that is not) without adding them.
 * Version notes: Kafka meant v4+ for its brokers (KIP-890) and requires CLUSTER_ACTION for it; without an
 * authorizer — kafka-ts has none — Kafka serves any caller, and so does kafka-ts (@platformatic/kafka's
 * producer sends v4+). PRODUCER_FENCED is INVALID_PRODUCER_EPOCH below v2.
 */
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeAddPartitionsToTxnRequest,
  encodeAddPartitionsToTxnResponse,
  type AddPartitionsToTxnRequest,
  type AddPartitionsToTxnResponseInput,
  type AddPartitionsToTxnResultInput,
  type AddPartitionsToTxnTopic,
} from '../../protocol/messages/add-partitions-to-txn.js'
import { KafkaError } from '../../broker/kafka-error.js'
import type { TxnPartition } from '../../broker/transactions/types.js'
import type { ErrorName } from '../../protocol/error-codes.js'
import { defineHandler, type RequestContext } from '../handler.js'
import { fencedForOldClients } from '../txn-errors.js'

interface TxnRequest {
  readonly transactionalId: string
  readonly producerId: number
  readonly producerEpoch: number
  readonly verifyOnly: boolean
  readonly topics: readonly AddPartitionsToTxnTopic[]
}

export const addPartitionsToTxnHandler = defineHandler<AddPartitionsToTxnRequest, AddPartitionsToTxnResponseInput>({
  apiKey: ApiKey.AddPartitionsToTxn,
  name: 'AddPartitionsToTxn',
  minVersion: 0,
  maxVersion: 5,
  decode: decodeAddPartitionsToTxnRequest,
  encode: encodeAddPartitionsToTxnResponse,
  handle(req, ctx) {
    if (ctx.apiVersion < 4) {
      const result = addToTransaction(
        {
          transactionalId: req.v3AndBelowTransactionalId,
          producerId: req.v3AndBelowProducerId,
          producerEpoch: req.v3AndBelowProducerEpoch,
          verifyOnly: false,
          topics: req.v3AndBelowTopics,
        },
        ctx,
      )
      return { throttleTimeMs: 0, resultsByTopicV3AndBelow: result.topicResults }
    }
    return { throttleTimeMs: 0, errorCode: 0, resultsByTransaction: req.transactions.map((t) => addToTransaction(t, ctx)) }
  },
})

function addToTransaction(txn: TxnRequest, ctx: RequestContext): AddPartitionsToTxnResultInput {
  const { broker } = ctx
  const answer = (errorOf: (topic: string, partition: number) => number): AddPartitionsToTxnResultInput => ({
    transactionalId: txn.transactionalId,
    topicResults: txn.topics.map((t) => ({
      name: t.name,
      resultsByPartition: t.partitions.map((p) => ({ partitionIndex: p, partitionErrorCode: errorOf(t.name, p) })),
    })),
  })
  const code = (name: ErrorName) => new KafkaError(name).code
  const partitions: TxnPartition[] = []
  let anyUnknown = false
  for (const t of txn.topics) {
    const topic = broker.findTopic(t.name)
    for (const partition of t.partitions) {
      if (topic === undefined || partition < 0 || partition >= topic.partitionCount) anyUnknown = true
      else partitions.push({ topic, partition })
    }
  }
  if (anyUnknown) {
    // Any partition that fails the check fails the transaction's request; the others were not attempted.
    return answer((name, p) => {
      const topic = broker.findTopic(name)
      return topic === undefined || p < 0 || p >= topic.partitionCount ? code('UNKNOWN_TOPIC_OR_PARTITION') : code('OPERATION_NOT_ATTEMPTED')
    })
  }
  const producer = { transactionalId: txn.transactionalId, producerId: txn.producerId, producerEpoch: txn.producerEpoch }
  if (txn.verifyOnly) {
    const verdict = broker.transactions.verifyPartitions(producer, partitions)
    if ('error' in verdict) return answer(() => code(verdict.error))
    const byPartition = new Map(partitions.map((p, i) => [`${p.topic.name}:${p.partition}`, verdict.partitions[i]]))
    return answer((name, p) => {
      const error = byPartition.get(`${name}:${p}`)
      return error === undefined ? 0 : code(error)
    })
  }
  const error = fencedForOldClients(broker.transactions.addPartitions(producer, partitions, 0), ctx.apiVersion < 2)
  return answer(() => error?.code ?? 0)
}
