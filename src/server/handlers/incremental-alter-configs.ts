/**
 * IncrementalAlterConfigs (44), v0–v1.
 * Behaviour: for a TOPIC (2) the operations are applied in order to the topic's overrides and the result is
 * validated as a whole before anything is stored: 0 SET, 1 DELETE (back to the default), 2 APPEND and
 * 3 SUBTRACT (list-type configs only, else INVALID_CONFIG `Config value append is not allowed for config
 * key: <name>`). Unknown topic → UNKNOWN_TOPIC_OR_PARTITION; unknown name or bad value → INVALID_CONFIG with
 * Kafka's text; a null value for anything but DELETE → INVALID_REQUEST `Null value not supported for :
 * <name>`; another operation id → INVALID_REQUEST. validate_only checks without changing anything.
 * BROKER (4): the same operations on the dynamic configs of the cluster default ("") or of this node (its id),
 * validated as a whole as Kafka's DynamicBrokerConfig does (INVALID_REQUEST on failure), stored and applied at
 * once. Differs from Apache Kafka: broker logger levels (BROKER_LOGGER 8) are not supported → INVALID_REQUEST.
 */
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeIncrementalAlterConfigsRequest,
  encodeIncrementalAlterConfigsResponse,
  type AlterConfigsResource,
  type IncrementalAlterConfigsRequest,
  type IncrementalAlterConfigsResponseInput,
} from '../../protocol/messages/incremental-alter-configs.js'
import type { ConfigChange, ConfigOperation } from '../../broker/broker.js'
import { KafkaError } from '../../broker/kafka-error.js'
import { defineHandler, type RequestContext } from '../handler.js'
import { alterResponse, unsupportedResource } from './alter-configs.js'
import { RESOURCE_TYPE } from './describe-configs.js'

/** AlterConfigOp.OpType ids. */
const OPERATIONS: readonly ConfigOperation[] = ['SET', 'DELETE', 'APPEND', 'SUBTRACT']

export const incrementalAlterConfigsHandler = defineHandler<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponseInput>({
  apiKey: ApiKey.IncrementalAlterConfigs,
  name: 'IncrementalAlterConfigs',
  minVersion: 0,
  maxVersion: 1,
  decode: decodeIncrementalAlterConfigsRequest,
  encode: encodeIncrementalAlterConfigsResponse,
  handle(req, ctx) {
    return alterResponse(req.resources, (resource) => alterOne(resource, req.validateOnly, ctx))
  },
})

function alterOne(resource: AlterConfigsResource, validateOnly: boolean, ctx: RequestContext): KafkaError | undefined {
  const supported: readonly number[] = [RESOURCE_TYPE.TOPIC, RESOURCE_TYPE.BROKER, RESOURCE_TYPE.GROUP]
  if (!supported.includes(resource.resourceType)) {
    return unsupportedResource(resource.resourceType)
  }
  const changes: ConfigChange[] = []
  for (const c of resource.configs) {
    const op = OPERATIONS[c.configOperation]
    if (op === undefined) return new KafkaError('INVALID_REQUEST', `Unknown alter config operation type ${c.configOperation} for config ${c.name}`)
    if (op !== 'DELETE' && c.value === null) return new KafkaError('INVALID_REQUEST', `Null value not supported for : ${c.name}`)
    changes.push({ name: c.name, op, value: c.value })
  }
  const outcome =
    resource.resourceType === RESOURCE_TYPE.BROKER
      ? ctx.broker.incrementalAlterBrokerConfigs(resource.resourceName, changes, { validateOnly })
      : resource.resourceType === RESOURCE_TYPE.GROUP
        ? ctx.broker.groupConfigs.incremental(resource.resourceName, changes, validateOnly)
        : ctx.broker.incrementalAlterTopicConfigs(resource.resourceName, changes, { validateOnly })
  return outcome.ok ? undefined : outcome.error
}
