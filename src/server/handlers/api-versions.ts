/**
 * ApiVersions (18), v0–v4.
 * Behaviour: lists every API of the registry with its version range (the same list dispatch uses); Produce
 * is named from v0 although v0–2 are refused, as Kafka 4.x does for librdkafka's sake (KAFKA-18659).
 * A request above v4 never reaches this handler: the connection answers it at v0 with
 * UNSUPPORTED_VERSION (KIP-511). Client software name/version are accepted as sent.
 * v3+: the supported and finalized features hold metadata.version, supported from 3.3-IV3 and finalized
 * at 4.3-IV0 (Kafka 4.3's latest production level). v4 only lifts v3's rule of leaving out features whose
 * minimum is 0, which no feature here has.
 * Differs from Apache Kafka: the other features (kraft.version, group.version, transaction.version, …) are
 * not advertised: kafka-ts serves none of the APIs they switch on; metadata.version is reported at 4.3-IV0
 * whatever `format --release-version` was given (the level is not stored).
 */
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeApiVersionsRequest,
  encodeApiVersionsResponse,
  type ApiVersionsRequest,
  type ApiVersionsResponseInput,
} from '../../protocol/messages/api-versions.js'
import { LATEST_PRODUCTION_METADATA_VERSION, METADATA_VERSIONS, METADATA_VERSION_FEATURE } from '../../broker/features.js'
import { defineHandler } from '../handler.js'

const OLDEST_METADATA_LEVEL = Math.min(...METADATA_VERSIONS.map((v) => v.level))
const LATEST_METADATA_LEVEL = LATEST_PRODUCTION_METADATA_VERSION.level

export const apiVersionsHandler = defineHandler<ApiVersionsRequest, ApiVersionsResponseInput>({
  apiKey: ApiKey.ApiVersions,
  name: 'ApiVersions',
  minVersion: 0,
  maxVersion: 4,
  decode: decodeApiVersionsRequest,
  encode: encodeApiVersionsResponse,
  handle(_req, ctx) {
    const answer: ApiVersionsResponseInput = {
      errorCode: 0,
      apiKeys: ctx.apis.map(({ apiKey, minVersion, advertisedMinVersion, maxVersion }) => ({ apiKey, minVersion: advertisedMinVersion ?? minVersion, maxVersion })),
      throttleTimeMs: 0,
    }
    if (ctx.apiVersion >= 3) {
      answer.supportedFeatures = [{ name: METADATA_VERSION_FEATURE, minVersion: OLDEST_METADATA_LEVEL, maxVersion: LATEST_METADATA_LEVEL }]
      answer.finalizedFeaturesEpoch = 0
      answer.finalizedFeatures = [{ name: METADATA_VERSION_FEATURE, minVersionLevel: LATEST_METADATA_LEVEL, maxVersionLevel: LATEST_METADATA_LEVEL }]
    }
    return answer
  },
})
