// Topic configs as Kafka validates and describes them: LogConfig.validate for overrides, and the
// DescribeConfigs view of a topic (core/.../server/ConfigHelper.scala) over the catalogue
// (topic-config-catalogue.ts) and the broker's settings.

import type { BrokerConfig } from './broker-config.js'
import { parseConfigValue, type ConfigSource, type ConfigType } from './config-def.js'
import { CATALOGUE, SORTED_NAMES, TOPIC_CONFIGS, TOPIC_SYNONYM_BROKER_KEYS, type TopicConfigDef } from './topic-config-catalogue.js'

// Validation

export interface ConfigProblem {
  readonly name: string
  readonly message: string
}

/**
 * The first problem Kafka would report for these topic overrides, or undefined. Like LogConfig.validate:
 * unknown names first (`Unknown topic config name: <name>`), then values in definition order with
 * ConfigDef's texts, then the cross-field checks of LogConfig.validateValues against the effective values
 * (overrides over `broker`), and finally tiered storage, which kafka-ts does not have.
 */
export function validateTopicConfigs(
  entries: ReadonlyMap<string, string>,
  broker?: BrokerConfig,
  dynamic: DynamicBrokerConfigs = {},
): ConfigProblem | undefined {
  for (const name of entries.keys()) {
    if (!TOPIC_CONFIGS.has(name)) return { name, message: `Unknown topic config name: ${name}` }
  }
  for (const def of CATALOGUE) {
    const raw = entries.get(def.name)
    if (raw === undefined) continue
    const r = parseConfigValue(def, raw)
    if (!r.ok) return { name: def.name, message: r.message }
  }
  const effective = (name: string) =>
    BigInt(broker ? effectiveTopicConfig(name, entries, broker, dynamic) : canonicalOverride(name, entries) ?? defOf(name).defaultValue)
  const minLag = effective('min.compaction.lag.ms')
  const maxLag = effective('max.compaction.lag.ms')
  if (minLag > maxLag) {
    return {
      name: 'min.compaction.lag.ms',
      message: `conflict topic config setting min.compaction.lag.ms (${minLag}) > max.compaction.lag.ms (${maxLag})`,
    }
  }
  if (canonicalOverride('remote.storage.enable', entries) === 'true') {
    return {
      name: 'remote.storage.enable',
      message: 'Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.',
    }
  }
  return undefined
}

// ---------------------------------------------------------------------------------------------------------
// Resolution (DescribeConfigs for a topic)

export interface ConfigSynonymEntry {
  readonly name: string
  readonly value: string | null
  readonly source: ConfigSource
}

/** One config as DescribeConfigs reports it, for a topic or a broker. */
export interface ConfigEntry {
  readonly name: string
  /** Effective value as DescribeConfigs reports it (canonical form); null when sensitive or unset. */
  readonly value: string | null
  readonly source: ConfigSource
  readonly isSensitive: boolean
  /** False only for keys that can change at run time. */
  readonly readOnly: boolean
  /** Where the value could come from, highest priority first (DescribeConfigs v1+ `synonyms`). */
  readonly synonyms: readonly ConfigSynonymEntry[]
  /** undefined for a key whose type is unknown (config_type UNKNOWN, 0). */
  readonly type: ConfigType | undefined
}

/** A topic config: always of a known type. */
export interface ResolvedConfig extends ConfigEntry {
  readonly type: ConfigType
}

/** Dynamic broker configs (set with kafka-configs --entity-type brokers), if the broker keeps any. */
export interface DynamicBrokerConfigs {
  /** Per-broker dynamic configs (source DYNAMIC_BROKER_CONFIG). */
  readonly broker?: ReadonlyMap<string, string>
  /** Cluster-wide dynamic defaults (source DYNAMIC_DEFAULT_BROKER_CONFIG). */
  readonly clusterDefault?: ReadonlyMap<string, string>
}

const NO_PROPS: ReadonlyMap<string, string> = new Map()

/** Broker-key defaults that are non-null: Kafka's `staticDefaultConfigs`, the DEFAULT_CONFIG synonyms. */
const BROKER_KEY_DEFAULTS: ReadonlyMap<string, string> = new Map(
  TOPIC_SYNONYM_BROKER_KEYS.filter((s) => s.defaultValue !== null).map((s) => [s.name, s.defaultValue as string]),
)

/**
 * Every topic config for a topic with these overrides, sorted by name (Kafka answers in hash order, which
 * no client relies on). Follows ConfigHelper.createTopicConfigEntry:
 * - value: the override, else the first broker synonym set (dynamic > static per key), converted, else the
 *   default;
 * - synonyms: the override (TOPIC_CONFIG), then the broker synonyms that have a value, grouped by source
 *   (dynamic broker, dynamic default, static, default) and in synonym order within a source — but Kafka then
 *   drops every leading entry until the first one named after the *first* synonym (its `dropWhile`). So for
 *   retention.ms, segment.ms, segment.jitter.ms and flush.ms, whose first synonym has no default, a broker
 *   that sets only log.retention.hours yields no synonyms at all, and the source stays DEFAULT_CONFIG while
 *   the value does reflect the hours. Real brokers show `retention.ms=604800000 … synonyms={}`, and this is
 *   why kafka-topics --describe against Kafka's sample config lists only segment.bytes under Configs.
 * - source: that of the first synonym, DEFAULT_CONFIG when there is none.
 */
export function resolveTopicConfigs(
  overrides: ReadonlyMap<string, string>,
  broker: BrokerConfig,
  dynamic: DynamicBrokerConfigs = {},
): ResolvedConfig[] {
  return SORTED_NAMES.map((name) => resolveOne(defOf(name), overrides, broker, dynamic))
}

/** One topic config as resolveTopicConfigs reports it; throws on an unknown name. */
export function resolveTopicConfig(
  name: string,
  overrides: ReadonlyMap<string, string>,
  broker: BrokerConfig,
  dynamic: DynamicBrokerConfigs = {},
): ResolvedConfig {
  return resolveOne(defOf(name), overrides, broker, dynamic)
}

/** The value of topic config `name` that applies to a topic (e.g. max.message.bytes); throws if unknown. */
export function effectiveTopicConfig(
  name: string,
  overrides: ReadonlyMap<string, string>,
  broker: BrokerConfig,
  dynamic: DynamicBrokerConfigs = {},
): string {
  return effectiveValue(defOf(name), overrides, broker, dynamic)
}

function resolveOne(
  def: TopicConfigDef,
  overrides: ReadonlyMap<string, string>,
  broker: BrokerConfig,
  dynamic: DynamicBrokerConfigs,
): ResolvedConfig {
  const value = effectiveValue(def, overrides, broker, dynamic)
  const layers: readonly [ReadonlyMap<string, string>, ConfigSource][] = [
    [dynamic.broker ?? NO_PROPS, 'DYNAMIC_BROKER_CONFIG'],
    [dynamic.clusterDefault ?? NO_PROPS, 'DYNAMIC_DEFAULT_BROKER_CONFIG'],
    [broker.staticProps, 'STATIC_BROKER_CONFIG'],
    [BROKER_KEY_DEFAULTS, 'DEFAULT_CONFIG'],
  ]
  let synonyms: ConfigSynonymEntry[] = []
  for (const [props, source] of layers) {
    for (const s of def.brokerSynonyms) {
      const v = props.get(s.name)
      if (v !== undefined) synonyms.push({ name: s.name, value: def.isSensitive ? null : v, source })
    }
  }
  const first = def.brokerSynonyms[0]?.name
  const keepFrom = synonyms.findIndex((s) => s.name === first)
  synonyms = keepFrom < 0 ? [] : synonyms.slice(keepFrom)
  if (overrides.has(def.name)) {
    synonyms.unshift({ name: def.name, value: def.isSensitive ? null : value, source: 'TOPIC_CONFIG' })
  }
  return {
    name: def.name,
    value: def.isSensitive ? null : value,
    source: synonyms[0]?.source ?? 'DEFAULT_CONFIG',
    isSensitive: def.isSensitive,
    readOnly: def.readOnly,
    synonyms,
    type: def.type,
  }
}

function effectiveValue(
  def: TopicConfigDef,
  overrides: ReadonlyMap<string, string>,
  broker: BrokerConfig,
  dynamic: DynamicBrokerConfigs,
): string {
  const override = canonicalOverride(def.name, overrides)
  if (override !== undefined) return override
  for (const s of def.brokerSynonyms) {
    const raw = dynamic.broker?.get(s.name) ?? dynamic.clusterDefault?.get(s.name) ?? broker.staticProps.get(s.name)
    if (raw === undefined) continue
    const parsed = parseConfigValue(s, raw)
    // brokerConfigFrom rejects bad values at start-up; a bad dynamic value falls through like an unset one.
    if (!parsed.ok) continue
    return s.toTopicValue ? s.toTopicValue(parsed.text) : parsed.text
  }
  return def.defaultValue
}

function canonicalOverride(name: string, overrides: ReadonlyMap<string, string>): string | undefined {
  const raw = overrides.get(name)
  if (raw === undefined) return undefined
  const parsed = parseConfigValue(defOf(name), raw)
  return parsed.ok ? parsed.text : raw
}

function defOf(name: string): TopicConfigDef {
  const def = TOPIC_CONFIGS.get(name)
  if (!def) throw new Error(`Unknown topic config name: ${name}`)
  return def
}
