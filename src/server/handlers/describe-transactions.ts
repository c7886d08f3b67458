/**
 * DescribeTransactions (65), v0.
 * Behaviour: per transactional id: its state name (Kafka's: Empty, Ongoing, CompleteCommit, …), timeout,
 * the open transaction's start time (-1 when none is open), producer id and epoch, and the partitions of the
 * open transaction (a group added with AddOffsetsToTxn shows as its __consumer_offsets partition, as in
 * Kafka). An unknown id → TRANSACTIONAL_ID_NOT_FOUND; an empty one → TRANSACTIONAL_ID_NOT_FOUND too.
 * A timed-out transaction is aborted before it is described.
 */
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeDescribeTransactionsRequest,
  encodeDescribeTransactionsResponse,
  type DescribeTransactionsRequest,
  type DescribeTransactionsResponseInput,
} from '../../protocol/messages/describe-transactions.js'
import { KafkaError } from '../../broker/kafka-error.js'
import { defineHandler } from '../handler.js'

export const describeTransactionsHandler = defineHandler<DescribeTransactionsRequest, DescribeTransactionsResponseInput>({
  apiKey: ApiKey.DescribeTransactions,
  name: 'DescribeTransactions',
  minVersion: 0,
  maxVersion: 0,
  decode: decodeDescribeTransactionsRequest,
  encode: encodeDescribeTransactionsResponse,
  handle(req, ctx) {
    return {
      throttleTimeMs: 0,
      transactionStates: req.transactionalIds.map((transactionalId) => {
        const d = transactionalId === '' ? new KafkaError('TRANSACTIONAL_ID_NOT_FOUND') : ctx.broker.transactions.describe(transactionalId)
        if (d instanceof KafkaError) {
          return {
            errorCode: d.code,
            transactionalId,
            transactionState: '',
            transactionTimeoutMs: 0,
            transactionStartTimeMs: -1,
            producerId: -1,
            producerEpoch: -1,
            topics: [],
          }
        }
        return {
          errorCode: 0,
          transactionalId,
          transactionState: d.state,
          transactionTimeoutMs: d.timeoutMs,
          transactionStartTimeMs: d.startTimestampMs,
          producerId: d.producerId,
          producerEpoch: d.producerEpoch,
          topics: d.topics.map((t) => ({ topic: t.name, partitions: [...t.partitions] })),
        }
      }),
    }
  },
})
