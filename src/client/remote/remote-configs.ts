import { ApiKey } from '../../protocol/api-keys.js'
import { decodeAlterConfigsResponse, encodeAlterConfigsRequest } from '../../protocol/messages/alter-configs.js'
import { decodeDescribeConfigsResponse, encodeDescribeConfigsRequest } from '../../protocol/messages/describe-configs.js'
import { decodeIncrementalAlterConfigsResponse, encodeIncrementalAlterConfigsRequest } from '../../protocol/messages/incremental-alter-configs.js'
import { decodeListConfigResourcesResponse, encodeListConfigResourcesRequest } from '../../protocol/messages/list-config-resources.js'
import type { ConfigChange } from '../../broker/broker.js'
import { KafkaError, fail, kafkaErrorForCode, ok, type Outcome } from '../../broker/kafka-error.js'
import type { ConfigEntry } from '../../broker/topic-configs.js'
import type { ConfigSource, ConfigType } from '../../broker/config-def.js'
import type { ConfigResource } from '../kafka-client.js'
import type { RemoteClient } from './remote-client.js'
import type { BrokerConnection } from './wire/connection.js'

// The config calls of the remote client: DescribeConfigs (with synonyms), AlterConfigs,
// IncrementalAlterConfigs and ListConfigResources, the newest versions both sides take, on our connection layer. Like Kafka's admin
// client, a named broker's resource goes to that broker and everything else (topics, the cluster-default
// broker resource "") to the controller or any broker.

const RESOURCE_TYPES = { topic: 2, broker: 4, group: 32 } as const
const OPERATIONS = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const
const SOURCES: Readonly<Record<number, ConfigSource>> = {
  1: 'TOPIC_CONFIG',
  2: 'DYNAMIC_BROKER_CONFIG',
  3: 'DYNAMIC_DEFAULT_BROKER_CONFIG',
  4: 'STATIC_BROKER_CONFIG',
  5: 'DEFAULT_CONFIG',
  8: 'GROUP_CONFIG',
}
const TYPES: readonly (ConfigType | undefined)[] = [undefined, 'boolean', 'string', 'int', 'short', 'long', 'double', 'list', 'class', 'password']

export async function describeConfigs(client: RemoteClient, resource: ConfigResource, names: readonly string[] | null): Promise<Outcome<ConfigEntry[]>> {
  return entityCall(client, resource, async (conn) => {
    const response = await conn.request(
      ApiKey.DescribeConfigs,
      (w, v) =>
        encodeDescribeConfigsRequest(w, v, {
          resources: [{ resourceType: RESOURCE_TYPES[resource.type], resourceName: resource.name, configurationKeys: names === null ? null : [...names] }],
          includeSynonyms: true,
        }),
      decodeDescribeConfigsResponse,
    )
    const result = response.results[0]
    if (result === undefined) throw new KafkaError('UNKNOWN_SERVER_ERROR', 'DescribeConfigs returned no result')
    if (result.errorCode !== 0) return fail(kafkaErrorForCode(result.errorCode, result.errorMessage))
    return ok(
      result.configs.map(
        (c): ConfigEntry => ({
          name: c.name,
          value: c.value ?? null,
          source: SOURCES[c.configSource] ?? 'DEFAULT_CONFIG',
          isSensitive: c.isSensitive,
          readOnly: c.readOnly,
          synonyms: c.synonyms.map((s) => ({ name: s.name, value: s.value ?? null, source: SOURCES[s.source] ?? 'DEFAULT_CONFIG' })),
          type: TYPES[c.configType],
        }),
      ),
    )
  })
}

export async function alterConfigs(
  client: RemoteClient,
  resource: ConfigResource,
  entries: ReadonlyMap<string, string>,
  opts: { validateOnly?: boolean } = {},
): Promise<Outcome<null>> {
  return entityCall(client, resource, async (conn) => {
    const response = await conn.request(
      ApiKey.AlterConfigs,
      (w, v) =>
        encodeAlterConfigsRequest(w, v, {
          resources: [{ resourceType: RESOURCE_TYPES[resource.type], resourceName: resource.name, configs: [...entries].map(([name, value]) => ({ name, value })) }],
          validateOnly: opts.validateOnly ?? false,
        }),
      decodeAlterConfigsResponse,
    )
    return resourceOutcome(response.responses[0])
  })
}

export async function incrementalAlterConfigs(
  client: RemoteClient,
  resource: ConfigResource,
  changes: readonly ConfigChange[],
  opts: { validateOnly?: boolean } = {},
): Promise<Outcome<null>> {
  return entityCall(client, resource, async (conn) => {
    const response = await conn.request(
      ApiKey.IncrementalAlterConfigs,
      (w, v) =>
        encodeIncrementalAlterConfigsRequest(w, v, {
          resources: [
            {
              resourceType: RESOURCE_TYPES[resource.type],
              resourceName: resource.name,
              configs: changes.map((c) =>
                c.op === 'DELETE' ? { name: c.name, configOperation: OPERATIONS.DELETE, value: null } : { name: c.name, configOperation: OPERATIONS[c.op], value: c.value ?? '' },
              ),
            },
          ],
          validateOnly: opts.validateOnly ?? false,
        }),
      decodeIncrementalAlterConfigsResponse,
    )
    return resourceOutcome(response.responses[0])
  })
}

function resourceOutcome(r: { errorCode: number; errorMessage: string | null } | undefined): Outcome<null> {
  if (r === undefined) throw new KafkaError('UNKNOWN_SERVER_ERROR', 'The broker answered for no resource')
  return r.errorCode === 0 ? ok(null) : fail(kafkaErrorForCode(r.errorCode, r.errorMessage))
}

/** Runs one config request on the resource's broker; the resource's error is its outcome, anything else throws. */
async function entityCall<T>(client: RemoteClient, resource: ConfigResource, work: (conn: BrokerConnection) => Promise<Outcome<T>>): Promise<Outcome<T>> {
  try {
    return await client.wire(async (cluster) => {
      const meta = await cluster.metadata([])
      const named = resource.type === 'broker' && /^[0-9]+$/.test(resource.name) ? meta.brokers.find((b) => b.nodeId === Number(resource.name)) : undefined
      // A broker id the cluster does not have goes to any broker, which answers Kafka's "Unexpected broker id".
      const broker = named ?? meta.brokers.find((b) => b.nodeId === meta.controllerId) ?? meta.brokers[0]
      if (broker === undefined) throw new Error('The cluster metadata lists no brokers')
      return work(await cluster.broker(broker.nodeId))
    })
  } catch (err) {
    if (err instanceof KafkaError) return fail(err)
    throw err
  }
}

/** ListConfigResources v1 for one resource type (a broker without it lists nothing: Kafka before 4.1). */
export async function listConfigResources(client: RemoteClient, type: ConfigResource['type']): Promise<string[]> {
  return client.wire(async (cluster) => {
    const conn = await cluster.anyBroker()
    if (!conn.takes(ApiKey.ListConfigResources) || conn.versionOf(ApiKey.ListConfigResources) < 1) return []
    const answer = await conn.request(ApiKey.ListConfigResources, (w, v) => encodeListConfigResourcesRequest(w, v, { resourceTypes: [RESOURCE_TYPES[type]] }), decodeListConfigResourcesResponse)
    if (answer.errorCode !== 0) throw kafkaErrorForCode(answer.errorCode)
    return answer.configResources.filter((r) => r.resourceType === RESOURCE_TYPES[type]).map((r) => r.resourceName)
  })
}
