/**
 * ApiVersions (18), v0–v3.
 * Behaviour: lists every API of the registry with its version range (the same list dispatch uses).
 * A request above v3 never reaches this handler: the connection answers it at v0 with
 * UNSUPPORTED_VERSION (KIP-511). Client software name/version are accepted as sent.
 * Differs from Apache Kafka: no feature flags (supported/finalized features are empty).
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
    return {
      errorCode: 0,
      apiKeys: ctx.apis.map(({ apiKey, minVersion, maxVersion }) => ({ apiKey, minVersion, maxVersion })),
      throttleTimeMs: 0,
    }
  },
})
