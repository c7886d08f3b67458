/**
 * ListConfigResources (74), v0–v1 (flexible from v0; v0 was ListClientMetricsResources).
 * Behaviour: the config resources of the types asked for (v1; none named = every type): topics, this
 * broker (as broker and broker logger), the groups that have dynamic configs. v0 asks for client-metrics
 * resources only, of which a kafka-ts node has none. An unknown type → INVALID_REQUEST.
 */
import { ERRORS } from '../../protocol/error-codes.js'
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeListConfigResourcesRequest,
  encodeListConfigResourcesResponse,
  type ListConfigResourcesRequest,
  type ListConfigResourcesResponseInput,
} from '../../protocol/messages/list-config-resources.js'
import { defineHandler, type RequestContext } from '../handler.js'
import { RESOURCE_TYPE } from './describe-configs.js'

export const listConfigResourcesHandler = defineHandler<ListConfigResourcesRequest, ListConfigResourcesResponseInput>({
  apiKey: ApiKey.ListConfigResources,
  name: 'ListConfigResources',
  minVersion: 0,
  maxVersion: 1,
  decode: decodeListConfigResourcesRequest,
  encode: encodeListConfigResourcesResponse,
  handle(req, ctx) {
    const known: readonly number[] = Object.values(RESOURCE_TYPE)
    const types = ctx.apiVersion === 0 ? [RESOURCE_TYPE.CLIENT_METRICS] : req.resourceTypes.length === 0 ? known : req.resourceTypes
    if (types.some((t) => !known.includes(t))) return { throttleTimeMs: 0, errorCode: ERRORS.INVALID_REQUEST.code, configResources: [] }
    return { throttleTimeMs: 0, errorCode: 0, configResources: types.flatMap((t) => resourcesOf(t, ctx).map((resourceName) => ({ resourceName, resourceType: t }))) }
  },
})

function resourcesOf(type: number, ctx: RequestContext): string[] {
  switch (type) {
    case RESOURCE_TYPE.TOPIC:
      return ctx.broker.listTopics().map((t) => t.name)
    case RESOURCE_TYPE.BROKER:
    case RESOURCE_TYPE.BROKER_LOGGER:
      return [String(ctx.broker.nodeId)]
    case RESOURCE_TYPE.GROUP:
      return ctx.broker.groupConfigs.withConfigs()
    default:
      return []
  }
}
