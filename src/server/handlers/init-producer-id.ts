/**
 * InitProducerId (22), v0–v5 (v6, two-phase commit, is unstable in Kafka 4.3 and not advertised).
 * v5 only allows TRANSACTION_ABORTABLE, which needs transactions.
 * Behaviour: with a null transactional id (an idempotent producer) every request gets a new producer id,
 * never reused (the counter is persisted), with epoch 0 — also on v3+ when the client passes its old id and
 * epoch, as Kafka does for non-transactional producers.
 * Differs from Apache Kafka: transactions are not implemented. A non-null transactional id is refused with
 * TRANSACTIONAL_ID_AUTHORIZATION_FAILED (53), which kafkajs and librdkafka treat as fatal and report at once;
 * the retriable COORDINATOR_NOT_AVAILABLE would leave them retrying until their timeout. The refusal is logged.
 */
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeInitProducerIdRequest,
  encodeInitProducerIdResponse,
  type InitProducerIdRequest,
  type InitProducerIdResponseInput,
} from '../../protocol/messages/init-producer-id.js'
import { KafkaError } from '../../broker/kafka-error.js'
import { defineHandler } from '../handler.js'

const NO_PRODUCER_ID = -1
const NO_PRODUCER_EPOCH = -1

export const initProducerIdHandler = defineHandler<InitProducerIdRequest, InitProducerIdResponseInput>({
  apiKey: ApiKey.InitProducerId,
  name: 'InitProducerId',
  minVersion: 0,
  maxVersion: 5,
  decode: decodeInitProducerIdRequest,
  encode: encodeInitProducerIdResponse,
  handle(req, ctx) {
    if (req.transactionalId !== null) {
      ctx.log(`InitProducerId for transactional id '${req.transactionalId}' from client ${ctx.clientId} refused: kafka-ts does not support transactions`)
      const error = new KafkaError('TRANSACTIONAL_ID_AUTHORIZATION_FAILED')
      return { throttleTimeMs: 0, errorCode: error.code, producerId: NO_PRODUCER_ID, producerEpoch: NO_PRODUCER_EPOCH }
    }
    const { producerId, producerEpoch } = ctx.broker.initProducerId()
    return { throttleTimeMs: 0, errorCode: 0, producerId, producerEpoch }
  },
})
