/**
 * AddOffsetsToTxn (25), v0–v4.
 * Behaviour: the consumer group joins the producer's open transaction, so TxnOffsetCommit for it is accepted
 * (Kafka adds the group's __consumer_offsets partition; DescribeTransactions shows that partition). Errors as
 * AddPartitionsToTxn: INVALID_PRODUCER_ID_MAPPING, PRODUCER_FENCED, CONCURRENT_TRANSACTIONS, INVALID_REQUEST
 * for an empty transactional id.
 * Version notes: v3 flexible; v4 only means the client may see TRANSACTION_ABORTABLE. PRODUCER_FENCED is
 * INVALID_PRODUCER_EPOCH below v2.
 */
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeAddOffsetsToTxnRequest,
  encodeAddOffsetsToTxnResponse,
  type AddOffsetsToTxnRequest,
  type AddOffsetsToTxnResponseInput,
} from '../../protocol/messages/add-offsets-to-txn.js'
import { defineHandler } from '../handler.js'
import { fencedForOldClients } from '../txn-errors.js'

export const addOffsetsToTxnHandler = defineHandler<AddOffsetsToTxnRequest, AddOffsetsToTxnResponseInput>({
  apiKey: ApiKey.AddOffsetsToTxn,
  name: 'AddOffsetsToTxn',
  minVersion: 0,
  maxVersion: 4,
  decode: decodeAddOffsetsToTxnRequest,
  encode: encodeAddOffsetsToTxnResponse,
  handle(req, ctx) {
    const error = ctx.broker.transactions.addOffsets(req, req.groupId)
    return { throttleTimeMs: 0, errorCode: fencedForOldClients(error, ctx.apiVersion < 2)?.code ?? 0 }
  },
})
