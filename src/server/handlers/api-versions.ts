/**
 * ApiVersions (18), v0–v4.
 * Behaviour: lists every API of the registry with its version range (the same list dispatch uses); Produce
 * is named from v0 although v0–2 are refused, as Kafka 4.x does for librdkafka's sake (KAFKA-18659).
 * A request above v4 never reaches this handler: the connection answers it at v0 with
 * UNSUPPORTED_VERSION (KIP-511). Client software name/version are accepted as sent.
 * v3+: this node's supported feature ranges and the data directory's finalized levels (broker/feature-admin.ts).
 * Before v4, as Kafka since KAFKA-17011, a supported feature whose minimum is 0 is left out, because older
 * clients reject a range that starts at 0: v3 shows metadata.version only.
 */
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeApiVersionsRequest,
  encodeApiVersionsResponse,
  type ApiVersionsRequest,
  type ApiVersionsResponseInput,
} from '../../protocol/messages/api-versions.js'
import { advertisedRange, defineHandler } from '../handler.js'

export const apiVersionsHandler = defineHandler<ApiVersionsRequest, ApiVersionsResponseInput>({
  apiKey: ApiKey.ApiVersions,
  name: 'ApiVersions',
  minVersion: 0,
  maxVersion: 4,
  decode: decodeApiVersionsRequest,
  encode: encodeApiVersionsResponse,
  handle(_req, ctx) {
    const { epoch, finalized } = ctx.broker.features.levels()
    const zeroMinimumAllowed = ctx.apiVersion >= 4
    return {
      errorCode: 0,
      apiKeys: ctx.apis.map(advertisedRange),
      throttleTimeMs: 0,
      supportedFeatures: ctx.broker.features
        .supported()
        .filter((f) => zeroMinimumAllowed || f.minLevel > 0)
        .map((f) => ({ name: f.name, minVersion: f.minLevel, maxVersion: f.maxLevel })),
      finalizedFeaturesEpoch: epoch,
      finalizedFeatures: [...finalized].map(([name, level]) => ({ name, maxVersionLevel: level, minVersionLevel: level })),
    }
  },
})
