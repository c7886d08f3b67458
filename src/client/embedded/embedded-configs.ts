import type { Broker, ConfigChange } from '../../broker/broker.js'
import { KafkaError, fail, type Outcome } from '../../broker/kafka-error.js'
import type { ConfigEntry } from '../../broker/topic-configs.js'
import type { ConfigResource } from '../kafka-client.js'

// The config calls of the embedded client: the broker core's topic and dynamic broker configs, with the
// outcomes the server hands out for the same resources (DescribeConfigs, AlterConfigs,
// IncrementalAlterConfigs), so a command prints the same either way.

export function describeConfigs(broker: Broker, resource: ConfigResource, names: readonly string[] | null): Outcome<ConfigEntry[]> {
  if (resource.type === 'broker') return broker.describeBrokerConfigs(resource.name, names)
  if (resource.type === 'group') return broker.groupConfigs.describe(resource.name, names)
  const outcome = broker.describeTopicConfigs(resource.name, names)
  // The server answers a missing topic with the bare error (no message), which clients show as Kafka's text.
  return outcome.ok || outcome.error.errorName !== 'UNKNOWN_TOPIC_OR_PARTITION' ? outcome : fail(new KafkaError('UNKNOWN_TOPIC_OR_PARTITION'))
}

export function alterConfigs(
  broker: Broker,
  resource: ConfigResource,
  entries: ReadonlyMap<string, string>,
  opts: { validateOnly?: boolean } = {},
): Outcome<null> {
  // Kafka's legacy AlterConfigs has no group resource; groups are altered incrementally only.
  if (resource.type === 'group') return fail(new KafkaError('INVALID_REQUEST', 'Unsupported resource type: GROUP'))
  return resource.type === 'broker' ? broker.replaceBrokerConfigs(resource.name, entries, opts) : broker.replaceTopicConfigs(resource.name, entries, opts)
}

export function incrementalAlterConfigs(
  broker: Broker,
  resource: ConfigResource,
  changes: readonly ConfigChange[],
  opts: { validateOnly?: boolean } = {},
): Outcome<null> {
  if (resource.type === 'group') return broker.groupConfigs.incremental(resource.name, changes, opts.validateOnly ?? false)
  return resource.type === 'broker'
    ? broker.incrementalAlterBrokerConfigs(resource.name, changes, opts)
    : broker.incrementalAlterTopicConfigs(resource.name, changes, opts)
}
