/**
 * FindCoordinator (10), v0–v6.
 * Behaviour: this node coordinates every group (key_type 0) and transactional id (key_type 1): error 0 and
 * the advertised host/port of the listener the request came in on. Any other key_type → INVALID_REQUEST
 * `Unknown coordinator type received: <n>` (node -1, host "", port -1). v4 batches: one coordinator entry per
 * key in coordinator_keys, in request order. v5 only allows TRANSACTION_ABORTABLE, which needs transactions.
 * Differs from Apache Kafka: no __consumer_offsets / __transaction_state partition lookup (one node owns
 * them all), so never COORDINATOR_NOT_AVAILABLE while an internal topic is created. No share groups: v6's
 * key_type 2 (share, a broker-to-broker lookup) gets the INVALID_REQUEST above.
 */
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeFindCoordinatorRequest,
  encodeFindCoordinatorResponse,
  type CoordinatorInput,
  type FindCoordinatorRequest,
  type FindCoordinatorResponseInput,
} from '../../protocol/messages/find-coordinator.js'
import { KafkaError } from '../../broker/kafka-error.js'
import { defineHandler, type RequestContext } from '../handler.js'

const GROUP = 0
const TRANSACTION = 1

export const findCoordinatorHandler = defineHandler<FindCoordinatorRequest, FindCoordinatorResponseInput>({
  apiKey: ApiKey.FindCoordinator,
  name: 'FindCoordinator',
  minVersion: 0,
  maxVersion: 6,
  decode: decodeFindCoordinatorRequest,
  encode: encodeFindCoordinatorResponse,
  handle(req, ctx) {
    const v = ctx.apiVersion
    if (v >= 4) return { throttleTimeMs: 0, coordinators: req.coordinatorKeys.map((key) => coordinator(key, req.keyType, ctx)) }
    const c = coordinator(req.key, req.keyType, ctx)
    const res: FindCoordinatorResponseInput = { errorCode: c.errorCode, nodeId: c.nodeId, host: c.host, port: c.port }
    if (v >= 1) {
      res.throttleTimeMs = 0
      res.errorMessage = c.errorMessage
    }
    return res
  },
})

function coordinator(key: string, keyType: number, ctx: RequestContext): CoordinatorInput {
  if (keyType !== GROUP && keyType !== TRANSACTION) {
    const error = new KafkaError('INVALID_REQUEST', `Unknown coordinator type received: ${keyType}`)
    return { key, nodeId: -1, host: '', port: -1, errorCode: error.code, errorMessage: error.message }
  }
  return { key, nodeId: ctx.broker.nodeId, host: ctx.advertised.host, port: ctx.advertised.port, errorCode: 0, errorMessage: null }
}
