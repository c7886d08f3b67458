/**
 * EndTxn (26), v0–v5.
 * Behaviour: commit or abort the producer's open transaction: the coordinator moves to PrepareCommit /
 * PrepareAbort, writes a marker (control batch) into every partition of the transaction, turns the
 * transaction's TxnOffsetCommit offsets into the groups' committed offsets (commit) or drops them (abort),
 * and reaches CompleteCommit / CompleteAbort — all in one store transaction, fsynced before the answer.
 * A retry of a decided transaction gets NONE; the other decision, or EndTxn with no transaction open, gets
 * INVALID_TXN_STATE; an unknown id or another producer id INVALID_PRODUCER_ID_MAPPING; another epoch
 * PRODUCER_FENCED; an empty id INVALID_REQUEST.
 * Version notes: v5 is transaction protocol 2 (KIP-890): every end bumps the epoch (a new producer id at
 * epoch 0 when it is used up), answered in ProducerId/ProducerEpoch; a retry is recognised by the previous
 * epoch; an abort with nothing added is allowed. PRODUCER_FENCED is INVALID_PRODUCER_EPOCH below v2.
 * Differs from Apache Kafka: Kafka answers once PrepareX is logged and writes the markers afterwards, so a
 * quick retry may see CONCURRENT_TRANSACTIONS; kafka-ts answers after the markers, so it never does.
 */
import { ApiKey } from '../../protocol/api-keys.js'
import { decodeEndTxnRequest, encodeEndTxnResponse, type EndTxnRequest, type EndTxnResponseInput } from '../../protocol/messages/end-txn.js'
import { defineHandler } from '../handler.js'
import { fencedForOldClients } from '../txn-errors.js'

export const endTxnHandler = defineHandler<EndTxnRequest, EndTxnResponseInput>({
  apiKey: ApiKey.EndTxn,
  name: 'EndTxn',
  minVersion: 0,
  maxVersion: 5,
  decode: decodeEndTxnRequest,
  encode: encodeEndTxnResponse,
  handle(req, ctx) {
    const result = ctx.broker.transactions.endTxn({
      transactionalId: req.transactionalId,
      producerId: req.producerId,
      producerEpoch: req.producerEpoch,
      commit: req.committed,
      transactionVersion: ctx.apiVersion >= 5 ? 2 : 0,
    })
    const error = fencedForOldClients(result.error, ctx.apiVersion < 2)
    return { throttleTimeMs: 0, errorCode: error?.code ?? 0, producerId: result.producerId, producerEpoch: result.producerEpoch }
  },
})
