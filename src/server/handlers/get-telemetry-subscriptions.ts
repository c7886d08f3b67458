/**
 * GetTelemetrySubscriptions (71), v0.
 * Behaviour: as a Kafka 4.3 broker with no client-metrics subscriptions: the client's instance id (a new
 * random one when it sends the zero id), the subscription id Kafka derives for an empty subscription, no
 * requested metrics (so the client never pushes), compression zstd/lz4/gzip/snappy, push interval 5 min,
 * telemetry.max.bytes 1 MiB, delta temporality. librdkafka 2.5+ and Java clients 3.7+ ask for it.
 * Differs from Apache Kafka: no per-client state, so a second request within the push interval is answered
 * again instead of THROTTLING_QUOTA_EXCEEDED; client-metrics subscriptions cannot be configured.
 */
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeGetTelemetrySubscriptionsRequest,
  encodeGetTelemetrySubscriptionsResponse,
  type GetTelemetrySubscriptionsRequest,
  type GetTelemetrySubscriptionsResponseInput,
} from '../../protocol/messages/get-telemetry-subscriptions.js'
import { isZeroUuid } from '../../protocol/reader.js'
import { randomKafkaUuidBytes } from '../../util/kafka-uuid.js'
import { ACCEPTED_COMPRESSION_TYPES, PUSH_INTERVAL_MS, TELEMETRY_MAX_BYTES, subscriptionId } from '../client-telemetry.js'
import { defineHandler } from '../handler.js'

export const getTelemetrySubscriptionsHandler = defineHandler<GetTelemetrySubscriptionsRequest, GetTelemetrySubscriptionsResponseInput>({
  apiKey: ApiKey.GetTelemetrySubscriptions,
  name: 'GetTelemetrySubscriptions',
  minVersion: 0,
  maxVersion: 0,
  decode: decodeGetTelemetrySubscriptionsRequest,
  encode: encodeGetTelemetrySubscriptionsResponse,
  handle(req) {
    const clientInstanceId = isZeroUuid(req.clientInstanceId) ? randomKafkaUuidBytes() : req.clientInstanceId
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      clientInstanceId,
      subscriptionId: subscriptionId(clientInstanceId),
      acceptedCompressionTypes: ACCEPTED_COMPRESSION_TYPES,
      pushIntervalMs: PUSH_INTERVAL_MS,
      telemetryMaxBytes: TELEMETRY_MAX_BYTES,
      deltaTemporality: true,
      requestedMetrics: [],
    }
  },
})
