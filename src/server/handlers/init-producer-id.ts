/**
 * InitProducerId (22), v0–v5 (v6, two-phase commit, is unstable in Kafka 4.3 and not advertised).
 * Behaviour: with a null transactional id (an idempotent producer) every request gets a new producer id,
 * never reused (the counter is persisted), with epoch 0 — also on v3+ when the client passes its old id and
 * epoch, as Kafka does for non-transactional producers. With a transactional id the transaction coordinator
 * answers (cli-4.md C.1.2): an empty id → INVALID_REQUEST; a timeout ≤ 0 or above transaction.max.timeout.ms
 * → INVALID_TRANSACTION_TIMEOUT; a new id gets a new producer id at epoch 0, a known one its epoch + 1 (a new
 * producer id when the epoch is used up); an open transaction is aborted (the older producer is fenced) and
 * the caller gets CONCURRENT_TRANSACTIONS, which clients retry; a stale producer id/epoch (v3+) →
 * PRODUCER_FENCED.
 * Version notes: v3 adds the producer id/epoch of a restarting producer; PRODUCER_FENCED is answered as
 * INVALID_PRODUCER_EPOCH below v4, as Kafka does for clients that predate it.
 */
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeInitProducerIdRequest,
  encodeInitProducerIdResponse,
  type InitProducerIdRequest,
  type InitProducerIdResponseInput,
} from '../../protocol/messages/init-producer-id.js'
import { fencedForOldClients } from '../txn-errors.js'
import { defineHandler } from '../handler.js'

export const initProducerIdHandler = defineHandler<InitProducerIdRequest, InitProducerIdResponseInput>({
  apiKey: ApiKey.InitProducerId,
  name: 'InitProducerId',
  minVersion: 0,
  maxVersion: 5,
  decode: decodeInitProducerIdRequest,
  encode: encodeInitProducerIdResponse,
  handle(req, ctx) {
    if (req.transactionalId === null) {
      const { producerId, producerEpoch } = ctx.broker.initProducerId()
      return { throttleTimeMs: 0, errorCode: 0, producerId, producerEpoch }
    }
    const result = ctx.broker.transactions.initProducerId(req.transactionalId, req.transactionTimeoutMs, req.producerId, req.producerEpoch)
    return { throttleTimeMs: 0, errorCode: fencedForOldClients(result.error, ctx.apiVersion < 4)?.code ?? 0, producerId: result.producerId, producerEpoch: result.producerEpoch }
  },
})

