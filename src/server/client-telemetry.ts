// Client metrics (KIP-714) as a Kafka 4.3 broker without client-metrics subscriptions answers them: every
// client gets an empty subscription (no requested metrics), so it never pushes; the subscription id is
// derived as Kafka's ClientMetricsManager derives it, so a push that names it is recognised.
import { crc32c } from '../protocol/crc32c.js'

/** ClientMetricsConfigs.INTERVAL_MS_DEFAULT: 5 minutes. */
export const PUSH_INTERVAL_MS = 5 * 60 * 1000
/** telemetry.max.bytes default (1 MiB). */
export const TELEMETRY_MAX_BYTES = 1024 * 1024
/** CompressionType ids in ClientMetricsManager's order: zstd, lz4, gzip, snappy. */
export const ACCEPTED_COMPRESSION_TYPES: readonly number[] = [4, 3, 1, 2]
/** CompressionType ids Kafka knows (none, gzip, snappy, lz4, zstd). */
export const KNOWN_COMPRESSION_TYPES: ReadonlySet<number> = new Set([0, 1, 2, 3, 4])

/** CRC32C of Java's `Set.toString()` of the (empty) metrics plus the push interval. */
const EMPTY_SUBSCRIPTION_CRC = crc32c(Buffer.from(`[]${PUSH_INTERVAL_MS}`, 'utf8')) | 0

/** ClientMetricsManager.computeSubscriptionId for the empty subscription: the CRC XORed with Uuid.hashCode(). */
export function subscriptionId(clientInstanceId: Buffer): number {
  const hash = clientInstanceId.readInt32BE(0) ^ clientInstanceId.readInt32BE(4) ^ clientInstanceId.readInt32BE(8) ^ clientInstanceId.readInt32BE(12)
  return EMPTY_SUBSCRIPTION_CRC ^ hash
}

/** Uuid.RESERVED: the all-zero and 0…01 ids, which no client instance may have. */
export function isReservedUuid(id: Buffer): boolean {
  for (let i = 0; i < 15; i++) if (id[i] !== 0) return false
  return id[15] === 0 || id[15] === 1
}
