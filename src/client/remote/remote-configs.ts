import { alterConfigsV2, describeConfigsV4, incrementalAlterConfigsV1, type Admin, type Connection } from '@platformatic/kafka'

import type { ConfigChange } from '../../broker/broker.js'
import { KafkaError, fail, ok, type Outcome } from '../../broker/kafka-error.js'
import type { ConfigEntry } from '../../broker/topic-configs.js'
import type { ConfigSource, ConfigType } from '../../broker/config-def.js'
import type { ConfigResource } from '../kafka-client.js'
import type { RemoteClient } from './remote-client.js'

// The config calls of the remote client: DescribeConfigs v4 (with synonyms), AlterConfigs v2 and
// IncrementalAlterConfigs v1, sent on the library's pooled connections. The library's Admin helpers route a
// BROKER resource to the node numbered Number(name), which sends the cluster-default resource ("") to a
// broker 0 that need not exist; like Kafka's admin client, these calls send a named broker's resource to that
// broker and everything else to any broker.

const RESOURCE_TYPES = { topic: 2, broker: 4 } as const
const OPERATIONS = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const
const SOURCES: Readonly<Record<number, ConfigSource>> = {
  1: 'TOPIC_CONFIG',
  2: 'DYNAMIC_BROKER_CONFIG',
  3: 'DYNAMIC_DEFAULT_BROKER_CONFIG',
  4: 'STATIC_BROKER_CONFIG',
  5: 'DEFAULT_CONFIG',
}
const TYPES: readonly (ConfigType | undefined)[] = [undefined, 'boolean', 'string', 'int', 'short', 'long', 'double', 'list', 'class', 'password']

export async function describeConfigs(client: RemoteClient, resource: ConfigResource, names: readonly string[] | null): Promise<Outcome<ConfigEntry[]>> {
  return entityCall(client, resource, async (connection) => {
    const response = await describeConfigsV4.api.async(
      connection,
      [{ resourceType: RESOURCE_TYPES[resource.type], resourceName: resource.name, configurationKeys: names === null ? null : [...names] }],
      true,
      false,
    )
    const result = response.results[0]
    if (result === undefined) throw new KafkaError('UNKNOWN_SERVER_ERROR', 'DescribeConfigs returned no result')
    return result.configs.map(
      (c): ConfigEntry => ({
        name: c.name,
        value: c.value ?? null,
        source: SOURCES[c.configSource] ?? 'DEFAULT_CONFIG',
        isSensitive: c.isSensitive,
        readOnly: c.readOnly,
        synonyms: c.synonyms.map((s) => ({ name: s.name, value: s.value ?? null, source: SOURCES[s.source] ?? 'DEFAULT_CONFIG' })),
        type: TYPES[c.configType],
      }),
    )
  })
}

export async function alterConfigs(
  client: RemoteClient,
  resource: ConfigResource,
  entries: ReadonlyMap<string, string>,
  opts: { validateOnly?: boolean } = {},
): Promise<Outcome<null>> {
  return entityCall(client, resource, async (connection) => {
    await alterConfigsV2.api.async(
      connection,
      [{ resourceType: RESOURCE_TYPES[resource.type], resourceName: resource.name, configs: [...entries].map(([name, value]) => ({ name, value })) }],
      opts.validateOnly ?? false,
    )
    return null
  })
}

export async function incrementalAlterConfigs(
  client: RemoteClient,
  resource: ConfigResource,
  changes: readonly ConfigChange[],
  opts: { validateOnly?: boolean } = {},
): Promise<Outcome<null>> {
  return entityCall(client, resource, async (connection) => {
    await incrementalAlterConfigsV1.api.async(
      connection,
      [
        {
          resourceType: RESOURCE_TYPES[resource.type],
          resourceName: resource.name,
          configs: changes.map((c) =>
            c.op === 'DELETE' ? { name: c.name, configOperation: OPERATIONS.DELETE } : { name: c.name, configOperation: OPERATIONS[c.op], value: c.value ?? '' },
          ),
        },
      ],
      opts.validateOnly ?? false,
    )
    return null
  })
}

/** Runs one config request on the resource's broker; a Kafka error is the entity's outcome, anything else throws. */
async function entityCall<T>(client: RemoteClient, resource: ConfigResource, work: (connection: Connection) => Promise<T>): Promise<Outcome<T>> {
  try {
    return ok(await client.call(async (admin) => work(await connectionFor(admin, resource))))
  } catch (err) {
    if (err instanceof KafkaError) return fail(err)
    throw err
  }
}

async function connectionFor(admin: Admin, resource: ConfigResource): Promise<Connection> {
  const meta = await admin.metadata({ topics: [] })
  const named = resource.type === 'broker' && /^[0-9]+$/.test(resource.name) ? meta.brokers.get(Number(resource.name)) : undefined
  // A broker id the cluster does not have goes to any broker, which answers Kafka's "Unexpected broker id".
  const broker = named ?? meta.brokers.get(meta.controllerId) ?? [...meta.brokers.values()][0]
  if (broker === undefined) throw new Error('The cluster metadata lists no brokers')
  return admin.connections.get(broker)
}
