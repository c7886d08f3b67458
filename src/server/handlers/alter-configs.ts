/**
 * AlterConfigs (33), v0–v2.
 * Behaviour: for a TOPIC (2) the given entries replace the topic's whole set of overrides (entries not
 * listed go back to their defaults), validated as a whole first: unknown topic → UNKNOWN_TOPIC_OR_PARTITION,
 * unknown name or bad value → INVALID_CONFIG with Kafka's ConfigDef text, a null value → INVALID_CONFIG
 * `Null value not supported for topic configs: <names>`. validate_only checks without changing anything.
 * BROKER (4): the entries replace the dynamic configs of the cluster default ("") or of this node (its id),
 * validated as Kafka's DynamicBrokerConfig does (INVALID_REQUEST `Cannot update these configs dynamically:
 * Set(...)`, ConfigDef texts for bad values; src/broker/dynamic-broker-configs.ts), stored and applied at once.
 * Differs from Apache Kafka: broker logger levels (BROKER_LOGGER 8) are not supported → INVALID_REQUEST.
 */
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeAlterConfigsRequest,
  encodeAlterConfigsResponse,
  type AlterConfigsRequest,
  type AlterConfigsResource,
  type AlterConfigsResponseInput,
} from '../../protocol/messages/alter-configs.js'
import { KafkaError } from '../../broker/kafka-error.js'
import { defineHandler, type RequestContext } from '../handler.js'
import { RESOURCE_TYPE, resourceTypeName } from './describe-configs.js'

export const alterConfigsHandler = defineHandler<AlterConfigsRequest, AlterConfigsResponseInput>({
  apiKey: ApiKey.AlterConfigs,
  name: 'AlterConfigs',
  minVersion: 0,
  maxVersion: 2,
  decode: decodeAlterConfigsRequest,
  encode: encodeAlterConfigsResponse,
  handle(req, ctx) {
    return alterResponse(req.resources, (resource) => alterOne(resource, req.validateOnly, ctx))
  },
})

function alterOne(resource: AlterConfigsResource, validateOnly: boolean, ctx: RequestContext): KafkaError | undefined {
  if (resource.resourceType === RESOURCE_TYPE.BROKER) return alterBroker(resource, validateOnly, ctx)
  if (resource.resourceType !== RESOURCE_TYPE.TOPIC) return unsupportedResource(resource.resourceType)
  const nullNames = resource.configs.filter((c) => c.value === null).map((c) => c.name)
  if (nullNames.length > 0) {
    if (!ctx.broker.findTopic(resource.resourceName)) return new KafkaError('UNKNOWN_TOPIC_OR_PARTITION')
    return new KafkaError('INVALID_CONFIG', `Null value not supported for topic configs: ${nullNames.join(',')}`)
  }
  const entries = new Map<string, string>()
  for (const c of resource.configs) if (c.value !== null) entries.set(c.name, c.value)
  const outcome = ctx.broker.replaceTopicConfigs(resource.resourceName, entries, { validateOnly })
  return outcome.ok ? undefined : outcome.error
}

/** BROKER: the entries replace the entity's dynamic configs ("" = the cluster default, else this node's id). */
function alterBroker(resource: AlterConfigsResource, validateOnly: boolean, ctx: RequestContext): KafkaError | undefined {
  const entries = new Map<string, string>()
  for (const c of resource.configs) {
    if (c.value === null) return new KafkaError('INVALID_REQUEST', `Null value not supported for : ${c.name}`)
    entries.set(c.name, c.value)
  }
  const outcome = ctx.broker.replaceBrokerConfigs(resource.resourceName, entries, { validateOnly })
  return outcome.ok ? undefined : outcome.error
}

/** The answer for config resources other than topics and brokers, shared with IncrementalAlterConfigs. */
/** Both alter APIs answer one entry per resource: its error, or none. */
export function alterResponse<R extends { readonly resourceType: number; readonly resourceName: string }>(
  resources: readonly R[],
  alter: (resource: R) => KafkaError | undefined,
) {
  return {
    throttleTimeMs: 0,
    responses: resources.map((resource) => {
      const error = alter(resource)
      return { errorCode: error?.code ?? 0, errorMessage: error?.message ?? null, resourceType: resource.resourceType, resourceName: resource.resourceName }
    }),
  }
}

export function unsupportedResource(type: number): KafkaError {
  if (type === RESOURCE_TYPE.BROKER_LOGGER) {
    return new KafkaError(
      'INVALID_REQUEST',
      `kafka-ts does not support dynamic ${resourceTypeName(type)} configs yet: set them in server.properties and restart the broker.`,
    )
  }
  return new KafkaError('INVALID_REQUEST', `Unsupported resource type: ${resourceTypeName(type)}`)
}
