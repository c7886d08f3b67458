// DescribeConfigs for resource type BROKER: the broker's configs as Kafka 3.9 reports them
// (core/.../server/ConfigHelper.scala createBrokerConfigEntry / configSynonyms, DynamicBrokerConfig.scala).
//
// kafka-ts has no dynamic broker configs, so every value comes from server.properties (STATIC_BROKER_CONFIG)
// or from the key's default (DEFAULT_CONFIG). Kafka lists every KafkaConfig key (hundreds); kafka-ts lists
// the keys it reads plus every broker synonym of a topic config, and any other key of server.properties the
// way Kafka lists a key it cannot type: sensitive, value hidden.

import type { BrokerConfig } from './broker-config.js'
import {
  TOPIC_CONFIGS,
  TOPIC_SYNONYM_BROKER_KEYS,
  parseConfigValue,
  type ConfigEntry,
  type ConfigKeyDef,
  type ConfigSource,
  type ConfigSynonymEntry,
  type ConfigType,
} from './topic-configs.js'

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
  key('producer.id.expiration.ms', 'int', '86400000'),
  key('fetch.max.bytes', 'int', '57671680'),
  key('num.network.threads', 'int', '3'),
  key('num.io.threads', 'int', '8'),
  key('num.recovery.threads.per.data.dir', 'int', '1'),
]

/** Every broker key kafka-ts can describe, by name. */
export const BROKER_CONFIG_KEYS: ReadonlyMap<string, ConfigKeyDef> = new Map(
  [...OWN_KEYS, ...TOPIC_SYNONYM_BROKER_KEYS].map((d) => [d.name, d] as const),
)

// DynamicBrokerConfig.AllDynamicConfigs ∩ the keys above: listener and thread-pool keys, the producer-state key,
// and the primary broker synonym of each topic config (DynamicLogConfig; 3.x excludes log.message.format.version).
const DYNAMIC_KEYS: ReadonlySet<string> = new Set([
  'listeners',
  'advertised.listeners',
  'listener.security.protocol.map',
  'num.network.threads',
  'num.io.threads',
  'num.recovery.threads.per.data.dir',
  'producer.id.expiration.ms',
  ...[...TOPIC_CONFIGS.values()].flatMap((d) => d.brokerSynonyms.slice(0, 1).map((s) => s.name)).filter((n) => n !== 'log.message.format.version'),
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
 * that the broker does not know are left out, as Kafka does.
 */
export function describeBrokerConfigs(config: BrokerConfig, names: readonly string[] | null): BrokerConfigEntry[] {
  const props = staticProps(config)
  const all = new Set([...BROKER_CONFIG_KEYS.keys(), ...props.keys()])
  const wanted = names === null || names.length === 0 ? [...all] : [...new Set(names)].filter((n) => all.has(n))
  return wanted.sort().map((name) => describeOne(name, props))
}

// KafkaConfig.populateSynonyms: node.id and broker.id stand in for each other when only one is set.
function staticProps(config: BrokerConfig): ReadonlyMap<string, string> {
  const props = new Map(config.staticProps)
  const nodeId = props.get('node.id')
  const brokerId = props.get('broker.id')
  if (nodeId !== undefined && brokerId === undefined) props.set('broker.id', nodeId)
  if (brokerId !== undefined && nodeId === undefined) props.set('node.id', brokerId)
  return props
}

function describeOne(name: string, props: ReadonlyMap<string, string>): BrokerConfigEntry {
  const def = BROKER_CONFIG_KEYS.get(name)
  const isSensitive = def === undefined || def.type === 'password'
  const layers: readonly [ReadonlyMap<string, string>, ConfigSource][] = [
    [props, 'STATIC_BROKER_CONFIG'],
    [DEFAULTS, 'DEFAULT_CONFIG'],
  ]
  const synonyms: ConfigSynonymEntry[] = []
  for (const [values, source] of layers) {
    for (const s of brokerSynonyms(name)) {
      const v = values.get(s)
      if (v !== undefined) synonyms.push({ name: s, value: isSensitive ? null : canonical(s, v), source })
    }
  }
  const own = synonyms.findIndex((s) => s.name === name)
  const kept = own < 0 ? [] : synonyms.slice(own)
  const raw = props.get(name) ?? def?.defaultValue ?? null
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
