// DescribeConfigs for resource type BROKER: the broker's configs as Kafka 3.9 reports them
// (core/.../server/ConfigHelper.scala createBrokerConfigEntry / configSynonyms, DynamicBrokerConfig.scala).
//
// A value comes from the dynamic per-broker configs (DYNAMIC_BROKER_CONFIG), the dynamic cluster default
// (DYNAMIC_DEFAULT_BROKER_CONFIG), server.properties (STATIC_BROKER_CONFIG) or the key's default
// (DEFAULT_CONFIG), in that order. Kafka lists every KafkaConfig key (hundreds); kafka-ts lists the keys it
// reads, the keys Kafka can change at run time, every broker synonym of a topic config, and any other key of
// server.properties or of the dynamic configs the way Kafka lists a key it cannot type: sensitive, value hidden.

import type { BrokerConfig } from './broker-config.js'
import { TOPIC_CONFIGS, TOPIC_SYNONYM_BROKER_KEYS } from './topic-config-catalogue.js'
import { parseConfigValue, type ConfigKeyDef, type ConfigSource, type ConfigType } from './config-def.js'
import { type ConfigEntry, type ConfigSynonymEntry, type DynamicBrokerConfigs } from './topic-configs.js'

/** A broker config as DescribeConfigs reports it. */
export type BrokerConfigEntry = ConfigEntry

const key = (name: string, type: ConfigType, defaultValue: string | null): ConfigKeyDef => ({ name, type, defaultValue })

// The non-synonym keys broker-config.ts reads, with the same types and defaults (listeners: kafka-ts's own
// loopback default). Kept beside broker-config.ts's list until that list is exported.
const OWN_KEYS: readonly ConfigKeyDef[] = [
  key('process.roles', 'list', ''),
  key('node.id', 'int', '-1'),
  key('broker.id', 'int', '-1'),
  key('controller.listener.names', 'string', null),
  key('listeners', 'string', 'PLAINTEXT://localhost:9092'),
  key('advertised.listeners', 'string', null),
  key('listener.security.protocol.map', 'string', 'PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL'),
  key('inter.broker.listener.name', 'string', null),
  key('security.inter.broker.protocol', 'string', 'PLAINTEXT'),
  key('log.dir', 'string', '/tmp/kafka-logs'),
  key('log.dirs', 'string', null),
  key('metadata.log.dir', 'string', null),
  key('num.partitions', 'int', '1'),
  key('default.replication.factor', 'int', '1'),
  key('auto.create.topics.enable', 'boolean', 'true'),
  key('delete.topic.enable', 'boolean', 'true'),
  key('socket.request.max.bytes', 'int', '104857600'),
  key('socket.send.buffer.bytes', 'int', '102400'),
  key('socket.receive.buffer.bytes', 'int', '102400'),
  key('log.retention.check.interval.ms', 'long', '300000'),
  key('offsets.retention.minutes', 'int', '10080'),
  key('offsets.retention.check.interval.ms', 'long', '600000'),
  key('offsets.topic.num.partitions', 'int', '50'),
  key('offsets.topic.replication.factor', 'short', '3'),
  key('offset.metadata.max.bytes', 'int', '4096'),
  key('group.initial.rebalance.delay.ms', 'int', '3000'),
  key('group.min.session.timeout.ms', 'int', '6000'),
  key('group.max.session.timeout.ms', 'int', '1800000'),
  key('group.max.size', 'int', '2147483647'),
  key('transaction.state.log.replication.factor', 'short', '3'),
  key('transaction.state.log.min.isr', 'int', '2'),
  key('transactional.id.expiration.ms', 'int', '604800000'),
  key('transaction.max.timeout.ms', 'int', '900000'),
  key('transaction.abort.timed.out.transaction.cleanup.interval.ms', 'int', '10000'),
  key('transaction.remove.expired.transaction.cleanup.interval.ms', 'int', '3600000'),
  key('transaction.state.log.num.partitions', 'int', '50'),
  key('transaction.state.log.segment.bytes', 'int', '104857600'),
  key('transaction.two.phase.commit.enable', 'boolean', 'false'),
  key('add.partitions.to.txn.retry.backoff.ms', 'int', '20'),
  key('add.partitions.to.txn.retry.backoff.max.ms', 'int', '100'),
  key('producer.id.expiration.ms', 'int', '86400000'),
  key('fetch.max.bytes', 'int', '57671680'),
  key('num.network.threads', 'int', '3'),
  key('num.io.threads', 'int', '8'),
  key('num.recovery.threads.per.data.dir', 'int', '2'),
  // Not read by kafka-ts (no log cleaner, connection quotas or replica fetchers), but dynamic in Kafka.
  key('background.threads', 'int', '10'),
  key('num.replica.fetchers', 'int', '1'),
  key('log.cleaner.enable', 'boolean', 'true'),
  key('log.cleaner.threads', 'int', '1'),
  key('log.cleaner.dedupe.buffer.size', 'long', '134217728'),
  key('log.cleaner.io.buffer.load.factor', 'double', '0.9'),
  key('log.cleaner.io.buffer.size', 'int', '524288'),
  key('log.cleaner.io.max.bytes.per.second', 'double', '1.7976931348623157E308'),
  key('log.cleaner.backoff.ms', 'long', '15000'),
  key('max.connections', 'int', '2147483647'),
  key('max.connections.per.ip', 'int', '2147483647'),
  key('max.connections.per.ip.overrides', 'string', ''),
  key('max.connection.creation.rate', 'int', '2147483647'),
  key('transaction.partition.verification.enable', 'boolean', 'true'),
]

/** Every broker key kafka-ts can describe, by name. */
export const BROKER_CONFIG_KEYS: ReadonlyMap<string, ConfigKeyDef> = new Map(
  [...OWN_KEYS, ...TOPIC_SYNONYM_BROKER_KEYS].map((d) => [d.name, d] as const),
)

/** Listener keys: dynamic in Kafka, but kafka-ts cannot rebind its sockets at run time, so they stay static. */
export const LISTENER_KEYS: ReadonlySet<string> = new Set(['listeners', 'advertised.listeners', 'listener.security.protocol.map'])

// DynamicBrokerConfig.AllDynamicConfigs ∩ the keys above: listener and thread-pool keys, the producer-state keys,
// the log cleaner (LogCleaner.ReconfigurableConfigs), connection quotas (SocketServer), and the primary broker
// synonym of each topic config (DynamicLogConfig).
/** Keys Kafka lets kafka-configs change at run time (read_only false in DescribeConfigs). */
export const DYNAMIC_KEYS: ReadonlySet<string> = new Set([
  ...LISTENER_KEYS,
  'num.network.threads',
  'num.io.threads',
  'num.recovery.threads.per.data.dir',
  'background.threads',
  'num.replica.fetchers',
  'producer.id.expiration.ms',
  'transaction.partition.verification.enable',
  'log.cleaner.threads',
  'log.cleaner.dedupe.buffer.size',
  'log.cleaner.io.buffer.load.factor',
  'log.cleaner.io.buffer.size',
  'log.cleaner.io.max.bytes.per.second',
  'log.cleaner.backoff.ms',
  'max.connections',
  'max.connections.per.ip',
  'max.connections.per.ip.overrides',
  'max.connection.creation.rate',
  ...[...TOPIC_CONFIGS.values()].flatMap((d) => d.brokerSynonyms.slice(0, 1).map((s) => s.name)),
])

// DynamicBrokerConfig.brokerConfigSynonyms: keys that are one setting spelled in several units.
const SYNONYM_GROUPS: readonly (readonly string[])[] = [
  ['log.roll.ms', 'log.roll.hours'],
  ['log.roll.jitter.ms', 'log.roll.jitter.hours'],
  ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'],
]

function brokerSynonyms(name: string): readonly string[] {
  if (name === 'log.flush.interval.ms') return ['log.flush.interval.ms', 'log.flush.scheduler.interval.ms']
  return SYNONYM_GROUPS.find((g) => g.includes(name)) ?? [name]
}

/** Kafka's non-null defaults (staticDefaultConfigs), the DEFAULT_CONFIG layer of synonyms. */
const DEFAULTS: ReadonlyMap<string, string> = new Map(
  [...BROKER_CONFIG_KEYS.values()].flatMap((d) => (d.defaultValue === null ? [] : [[d.name, d.defaultValue] as const])),
)

/**
 * The broker configs, sorted by name (Kafka answers in hash order); `names` null or empty = all. Keys asked for
 * that the broker does not know are left out, as Kafka does. `scope` 'default' describes the cluster-wide
 * default resource (name ""): only the keys set there, and no per-broker synonyms (ConfigHelper's
 * perBrokerConfig = false).
 */
export function describeBrokerConfigs(
  config: BrokerConfig,
  names: readonly string[] | null,
  dynamic: DynamicBrokerConfigs = {},
  scope: 'broker' | 'default' = 'broker',
): BrokerConfigEntry[] {
  const props = staticProps(config)
  const perBroker = scope === 'broker' ? (dynamic.broker ?? NONE) : NONE
  const clusterDefault = dynamic.clusterDefault ?? NONE
  const all =
    scope === 'default' ? new Set(clusterDefault.keys()) : new Set([...BROKER_CONFIG_KEYS.keys(), ...props.keys(), ...perBroker.keys(), ...clusterDefault.keys()])
  const wanted = names === null || names.length === 0 ? [...all] : [...new Set(names)].filter((n) => all.has(n))
  const layers: readonly Layer[] = [
    [perBroker, 'DYNAMIC_BROKER_CONFIG'],
    [clusterDefault, 'DYNAMIC_DEFAULT_BROKER_CONFIG'],
    [props, 'STATIC_BROKER_CONFIG'],
    [DEFAULTS, 'DEFAULT_CONFIG'],
  ]
  return wanted.sort().map((name) => describeOne(name, layers))
}

type Layer = readonly [ReadonlyMap<string, string>, ConfigSource]
const NONE: ReadonlyMap<string, string> = new Map()

// KafkaConfig.populateSynonyms: node.id and broker.id stand in for each other when only one is set.
function staticProps(config: BrokerConfig): ReadonlyMap<string, string> {
  const props = new Map(config.staticProps)
  const nodeId = props.get('node.id')
  const brokerId = props.get('broker.id')
  if (nodeId !== undefined && brokerId === undefined) props.set('broker.id', nodeId)
  if (brokerId !== undefined && nodeId === undefined) props.set('node.id', brokerId)
  return props
}

function describeOne(name: string, layers: readonly Layer[]): BrokerConfigEntry {
  const def = BROKER_CONFIG_KEYS.get(name)
  const isSensitive = def === undefined || def.type === 'password'
  const synonyms: ConfigSynonymEntry[] = []
  for (const [values, source] of layers) {
    for (const s of brokerSynonyms(name)) {
      const v = values.get(s)
      if (v !== undefined) synonyms.push({ name: s, value: isSensitive ? null : canonical(s, v), source })
    }
  }
  const own = synonyms.findIndex((s) => s.name === name)
  const kept = own < 0 ? [] : synonyms.slice(own)
  let raw: string | null = def?.defaultValue ?? null
  for (const [values, source] of layers) {
    const v = values.get(name)
    if (v !== undefined && source !== 'DEFAULT_CONFIG') {
      raw = v
      break
    }
  }
  return {
    name,
    value: isSensitive || raw === null ? null : canonical(name, raw),
    source: kept[0]?.source ?? 'DEFAULT_CONFIG',
    isSensitive,
    readOnly: !DYNAMIC_KEYS.has(name),
    synonyms: kept,
    type: def?.type,
  }
}

/** ConfigDef.convertToString of the parsed value (e.g. ` 5 ` → `5`); the raw text if it does not parse. */
function canonical(name: string, raw: string): string {
  const def = BROKER_CONFIG_KEYS.get(name)
  if (!def) return raw
  const parsed = parseConfigValue(def, raw)
  return parsed.ok ? parsed.text : raw
}
