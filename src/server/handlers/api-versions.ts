/**
 * ApiVersions (18), v0–v3.
 * Behaviour: lists every API of the registry with its version range (the same list dispatch uses).
 * A request above v3 never reaches this handler: the connection answers it at v0 with
 * UNSUPPORTED_VERSION (KIP-511). Client software name/version are accepted as sent.
 * Feature fields (v3+): this node's supported ranges and the data directory's finalized levels. Before v4,
 * as Kafka since KAFKA-17011, a supported minimum of 0 is reported as 1 and a feature whose maximum is 0 is
 * left out, because older clients reject a range that starts at 0.
 */
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeApiVersionsRequest,
  encodeApiVersionsResponse,
  type ApiVersionsRequest,
  type ApiVersionsResponseInput,
} from '../../protocol/messages/api-versions.js'
import { defineHandler } from '../handler.js'

export const apiVersionsHandler = defineHandler<ApiVersionsRequest, ApiVersionsResponseInput>({
  apiKey: ApiKey.ApiVersions,
  name: 'ApiVersions',
  minVersion: 0,
  maxVersion: 3,
  decode: decodeApiVersionsRequest,
  encode: encodeApiVersionsResponse,
  handle(_req, ctx) {
    const { epoch, finalized } = ctx.broker.features.levels()
    const zeroMinimumAllowed = ctx.apiVersion >= 4
    return {
      errorCode: 0,
      apiKeys: ctx.apis.map(({ apiKey, minVersion, maxVersion }) => ({ apiKey, minVersion, maxVersion })),
      throttleTimeMs: 0,
      supportedFeatures: ctx.broker.features
        .supported()
        .filter((f) => zeroMinimumAllowed || f.maxLevel > 0)
        .map((f) => ({ name: f.name, minVersion: zeroMinimumAllowed ? f.minLevel : Math.max(f.minLevel, 1), maxVersion: f.maxLevel })),
      finalizedFeaturesEpoch: epoch,
      finalizedFeatures: [...finalized].map(([name, level]) => ({ name, maxVersionLevel: level, minVersionLevel: level })),
    }
  },
})
