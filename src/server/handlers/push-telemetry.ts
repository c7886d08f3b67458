/**
 * PushTelemetry (72), v0.
 * Behaviour: checked as Kafka 4.3's ClientMetricsManager checks a push: a reserved client instance id →
 * INVALID_REQUEST; a subscription id other than the one GetTelemetrySubscriptions gave this instance →
 * UNKNOWN_SUBSCRIPTION_ID; an unknown compression type → UNSUPPORTED_COMPRESSION_TYPE; metrics over
 * telemetry.max.bytes → TELEMETRY_TOO_LARGE; else accepted. Clients push only metrics they were asked
 * for, and nothing is asked for, so pushes are rare (a terminating client may still push once).
 * Differs from Apache Kafka: the metrics are dropped (Kafka hands them to a configured exporter plugin,
 * and drops them without one); no per-client state, so no THROTTLING_QUOTA_EXCEEDED for early pushes and
 * no INVALID_REQUEST for a push after a terminating one.
 */
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodePushTelemetryRequest,
  encodePushTelemetryResponse,
  type PushTelemetryRequest,
  type PushTelemetryResponseInput,
} from '../../protocol/messages/push-telemetry.js'
import type { ErrorName } from '../../protocol/error-codes.js'
import { KafkaError } from '../../broker/kafka-error.js'
import { KNOWN_COMPRESSION_TYPES, TELEMETRY_MAX_BYTES, isReservedUuid, subscriptionId } from '../client-telemetry.js'
import { defineHandler } from '../handler.js'

export const pushTelemetryHandler = defineHandler<PushTelemetryRequest, PushTelemetryResponseInput>({
  apiKey: ApiKey.PushTelemetry,
  name: 'PushTelemetry',
  minVersion: 0,
  maxVersion: 0,
  decode: decodePushTelemetryRequest,
  encode: encodePushTelemetryResponse,
  handle(req) {
    const error = refusal(req)
    return { throttleTimeMs: 0, errorCode: error === undefined ? 0 : new KafkaError(error).code }
  },
})

function refusal(req: PushTelemetryRequest): ErrorName | undefined {
  if (isReservedUuid(req.clientInstanceId)) return 'INVALID_REQUEST'
  if (req.subscriptionId !== subscriptionId(req.clientInstanceId)) return 'UNKNOWN_SUBSCRIPTION_ID'
  if (!KNOWN_COMPRESSION_TYPES.has(req.compressionType)) return 'UNSUPPORTED_COMPRESSION_TYPE'
  if (req.metrics.length > TELEMETRY_MAX_BYTES) return 'TELEMETRY_TOO_LARGE'
  return undefined
}
