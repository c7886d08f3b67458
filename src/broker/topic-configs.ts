// Kafka 3.9 topic-level configs: the catalogue (storage/.../log/LogConfig.java, in its definition order),
// the broker keys that supply their defaults (server/.../config/ServerTopicConfigSynonyms.java), value
// parsing and validation with ConfigDef's exact texts (clients/.../common/config/ConfigDef.java,
// ConfigException.java), and the DescribeConfigs view of a topic (core/.../server/ConfigHelper.scala).
//
// The ConfigDef machinery here is shared with broker-config.ts, which validates server.properties with it.

import type { BrokerConfig } from './broker-config.js'
import { javaDoubleToString, parseJavaDouble } from '../util/java/numbers.js'
import { javaTrim } from '../util/java/strings.js'

export type ConfigType = 'boolean' | 'string' | 'int' | 'short' | 'long' | 'double' | 'list' | 'class' | 'password'

export type ConfigSource =
  | 'TOPIC_CONFIG'
  | 'DYNAMIC_BROKER_CONFIG'
  | 'DYNAMIC_DEFAULT_BROKER_CONFIG'
  | 'STATIC_BROKER_CONFIG'
  | 'DEFAULT_CONFIG'

/** DescribeConfigs `config_source` / synonym `source` ids (v1+). */
export const CONFIG_SOURCE_IDS: Readonly<Record<ConfigSource, number>> = {
  TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
}

/** DescribeConfigs `config_type` ids (v3+). */
export const CONFIG_TYPE_IDS: Readonly<Record<ConfigType, number>> = {
  boolean: 1,
  string: 2,
  int: 3,
  short: 4,
  long: 5,
  double: 6,
  list: 7,
  class: 8,
  password: 9,
}

// ---------------------------------------------------------------------------------------------------------
// ConfigDef: parsing and validators

/** A parsed value, as ConfigDef.parseType would produce it. Integers stay exact as bigint (LONG is 64-bit). */
export type ParsedValue = boolean | string | bigint | number | readonly string[]

/** Checks a parsed value; returns ConfigDef's reason (the part after `Invalid value X for configuration Y: `). */
export interface Validator {
  check(value: ParsedValue): { shown: string; reason: string } | undefined
  /** ConfigDef's `Valid Values` rendering, e.g. `[0,...]` or `[compact, delete]`. */
  readonly describe: string
}

/** One key of a ConfigDef: name, type, default as a string (null = no default value), validator. */
export interface ConfigKeyDef {
  readonly name: string
  readonly type: ConfigType
  readonly defaultValue: string | null
  readonly validator?: Validator
}

export type ParseResult = { ok: true; value: ParsedValue; text: string } | { ok: false; message: string }

const INT_RANGE = [-(2n ** 31n), 2n ** 31n - 1n] as const
const SHORT_RANGE = [-(2n ** 15n), 2n ** 15n - 1n] as const
const LONG_RANGE = [-(2n ** 63n), 2n ** 63n - 1n] as const
const TYPE_NAMES: Readonly<Record<ConfigType, string>> = {
  boolean: 'BOOLEAN',
  string: 'STRING',
  int: 'INT',
  short: 'SHORT',
  long: 'LONG',
  double: 'DOUBLE',
  list: 'LIST',
  class: 'CLASS',
  password: 'PASSWORD',
}

/** ConfigException(name, value, message) text. */
export function invalidValueMessage(name: string, shown: string, reason: string): string {
  return `Invalid value ${shown} for configuration ${name}: ${reason}`
}

/**
 * Parses `raw` as ConfigDef.parseType does, then runs the key's validator. `text` is the canonical string
 * DescribeConfigs reports (ConfigDef.convertToString of the parsed value), e.g. ` 0100 ` → `100`, `1` as a
 * DOUBLE → `1.0`, `compact , delete` → `compact,delete`.
 */
export function parseConfigValue(def: ConfigKeyDef, raw: string): ParseResult {
  const parsed = parseType(def.name, def.type, raw)
  if (!parsed.ok) return parsed
  const problem = def.validator?.check(parsed.value)
  if (problem) return { ok: false, message: invalidValueMessage(def.name, problem.shown, problem.reason) }
  return parsed
}

function parseType(name: string, type: ConfigType, raw: string): ParseResult {
  const trimmed = javaTrim(raw)
  const notNumber = (): ParseResult => ({
    ok: false,
    message: invalidValueMessage(name, raw, `Not a number of type ${TYPE_NAMES[type]}`),
  })
  switch (type) {
    case 'boolean': {
      const lower = trimmed.toLowerCase()
      if (lower === 'true' || lower === 'false') return { ok: true, value: lower === 'true', text: lower }
      return { ok: false, message: invalidValueMessage(name, raw, 'Expected value to be either true or false') }
    }
    case 'string':
    case 'password':
    case 'class':
      // CLASS would be loaded by name in Java; there is nothing to load here, so the name is kept as given.
      return { ok: true, value: trimmed, text: trimmed }
    case 'int':
    case 'short':
    case 'long': {
      const range = type === 'int' ? INT_RANGE : type === 'short' ? SHORT_RANGE : LONG_RANGE
      if (!/^[+-]?[0-9]+$/.test(trimmed)) return notNumber()
      const n = BigInt(trimmed)
      if (n < range[0] || n > range[1]) return notNumber()
      return { ok: true, value: n, text: n.toString() }
    }
    case 'double': {
      const n = parseJavaDouble(trimmed)
      if (n === undefined) return notNumber()
      return { ok: true, value: n, text: javaDoubleToString(n) }
    }
    case 'list': {
      const items = trimmed === '' ? [] : trimmed.split(/\s*,\s*/)
      return { ok: true, value: items, text: items.join(',') }
    }
  }
}




function shownOf(value: ParsedValue): string {
  if (typeof value === 'number') return javaDoubleToString(value)
  if (isList(value)) return `[${value.join(', ')}]` // java.util.List.toString
  return String(value)
}

// Array.isArray does not narrow a readonly array out of a union.
function isList(value: ParsedValue): value is readonly string[] {
  return Array.isArray(value)
}

/** ConfigDef.Range: compares as doubles, like Range.ensureValid's Number.doubleValue(). */
export function range(min: number | undefined, max?: number): Validator {
  return {
    describe: min === undefined ? `[...,${max}]` : max === undefined ? `[${min},...]` : `[${min},...,${max}]`,
    check(value) {
      const n = typeof value === 'bigint' ? Number(value) : typeof value === 'number' ? value : Number.NaN
      if (min !== undefined && n < min) return { shown: shownOf(value), reason: `Value must be at least ${min}` }
      if (max !== undefined && n > max) return { shown: shownOf(value), reason: `Value must be no more than ${max}` }
      return undefined
    },
  }
}

export const atLeast = (min: number): Validator => range(min)

/** ConfigDef.ValidString.in: case-sensitive membership. */
export function validString(...allowed: string[]): Validator {
  return {
    describe: `[${allowed.join(', ')}]`,
    check(value) {
      const s = String(value)
      return allowed.includes(s) ? undefined : { shown: s, reason: `String must be one of: ${allowed.join(', ')}` }
    },
  }
}

/** ConfigDef.ValidList.in: every element must be one of `allowed` (an empty list passes in 3.9). */
export function validList(...allowed: string[]): Validator {
  const element = validString(...allowed)
  return {
    describe: element.describe,
    check(value) {
      for (const item of isList(value) ? value : [String(value)]) {
        const problem = element.check(item)
        if (problem) return problem
      }
      return undefined
    },
  }
}

// CompressionType.GZIP.levelValidator(): Deflater levels 1..9, or -1 (Deflater.DEFAULT_COMPRESSION).
const gzipLevel: Validator = {
  describe: '[1,...,9] or -1',
  check(value) {
    const level = Number(value)
    if (level > 9 || (level < 1 && level !== -1)) {
      return { shown: shownOf(value), reason: 'Value must be between 1 and 9 or equal to -1' }
    }
    return undefined
  },
}

const THROTTLED_REPLICA = /^(?:[0-9]+:[0-9]+)?$/
/** ThrottledReplicaListValidator (storage/.../log/ThrottledReplicaListValidator.java). */
function throttledReplicas(name: string): Validator {
  return {
    describe: '[partitionId]:[brokerId],[partitionId]:[brokerId],...',
    check(value) {
      const proposed = (isList(value) ? value : [String(value)]).map((s) => javaTrim(s))
      if (proposed.every((s) => THROTTLED_REPLICA.test(s)) || proposed.join('') === '*') return undefined
      return {
        shown: shownOf(value),
        reason: `${name} must be the literal '*' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],...`,
      }
    },
  }
}

// MetadataVersion 3.9: every IBP version string, plus each production release's short form ("2.8", "3.9").
const IBP_RELEASES: readonly (readonly [string, readonly string[]])[] = [
  ['0.8.0', []], ['0.8.1', []], ['0.8.2', []], ['0.9.0', []],
  ['0.10.0', ['IV0', 'IV1']], ['0.10.1', ['IV0', 'IV1', 'IV2']], ['0.10.2', ['IV0']], ['0.11.0', ['IV0', 'IV1', 'IV2']],
  ['1.0', ['IV0']], ['1.1', ['IV0']], ['2.0', ['IV0', 'IV1']], ['2.1', ['IV0', 'IV1', 'IV2']], ['2.2', ['IV0', 'IV1']],
  ['2.3', ['IV0', 'IV1']], ['2.4', ['IV0', 'IV1']], ['2.5', ['IV0']], ['2.6', ['IV0']], ['2.7', ['IV0', 'IV1', 'IV2']],
  ['2.8', ['IV0', 'IV1']], ['3.0', ['IV0', 'IV1']], ['3.1', ['IV0']], ['3.2', ['IV0']], ['3.3', ['IV0', 'IV1', 'IV2', 'IV3']],
  ['3.4', ['IV0']], ['3.5', ['IV0', 'IV1', 'IV2']], ['3.6', ['IV0', 'IV1', 'IV2']], ['3.7', ['IV0', 'IV1', 'IV2', 'IV3', 'IV4']],
  ['3.8', ['IV0']], ['3.9', ['IV0']],
]
const IBP_KEYS: ReadonlySet<string> = new Set(
  IBP_RELEASES.flatMap(([release, ivs]) => [release, ...ivs.map((iv) => `${release}-${iv}`)]),
)

/** MetadataVersionValidator via MetadataVersion.fromVersionString (which ignores a third segment). */
const metadataVersion: Validator = {
  describe: `[${[...IBP_KEYS].join(', ')}]`,
  check(value) {
    const version = String(value)
    const segments = version.split('.')
    while (segments.length > 0 && segments[segments.length - 1] === '') segments.pop() // Java's split drops them
    const keep = version.startsWith('0.') ? 3 : 2
    const key = keep >= segments.length ? version : segments.slice(0, keep).join('.')
    return IBP_KEYS.has(key) ? undefined : { shown: version, reason: `Version ${version} is not a valid version` }
  },
}

// ---------------------------------------------------------------------------------------------------------
// The catalogue

/** A broker key that supplies a topic config's default, with the conversion Kafka applies to its value. */
export interface BrokerSynonym extends ConfigKeyDef {
  /** Converts the broker key's canonical value to the topic config's value (e.g. hours → ms). */
  toTopicValue?(brokerValue: string): string
}

export interface TopicConfigDef extends ConfigKeyDef {
  /** Kafka's default as DescribeConfigs reports it when neither the topic nor the broker sets it. */
  readonly defaultValue: string
  /** Broker keys in priority order: the first one set supplies the value (ServerTopicConfigSynonyms). */
  readonly brokerSynonyms: readonly BrokerSynonym[]
  /** True for PASSWORD types only (KafkaConfig.maybeSensitive); no topic config is. */
  readonly isSensitive: boolean
  /** Topic configs are never read-only in DescribeConfigs. */
  readonly readOnly: boolean
  /** undefined when `value` is acceptable, else Kafka's ConfigException text. */
  validate(value: string): string | undefined
}

const LONG_MAX = '9223372036854775807'
const MS_PER_HOUR = 3_600_000n
const MS_PER_MINUTE = 60_000n

const times = (factor: bigint) => (v: string) => (BigInt(v) * factor).toString()
// KafkaConfig.logRetentionTimeMillis: a negative result means "keep forever", reported as -1.
const retention = (factor: bigint) => (v: string) => {
  const ms = BigInt(v) * factor
  return ms < 0n ? '-1' : ms.toString()
}

function syn(
  name: string,
  type: ConfigType,
  defaultValue: string | null,
  validator?: Validator,
  toTopicValue?: (v: string) => string,
): BrokerSynonym {
  return toTopicValue ? { name, type, defaultValue, validator, toTopicValue } : { name, type, defaultValue, validator }
}

function topic(
  name: string,
  type: ConfigType,
  defaultValue: string,
  validator: Validator | undefined,
  brokerSynonyms: readonly BrokerSynonym[],
): TopicConfigDef {
  const def: TopicConfigDef = {
    name,
    type,
    defaultValue,
    validator,
    brokerSynonyms,
    isSensitive: type === 'password',
    readOnly: false,
    validate: (value) => {
      const r = parseConfigValue(def, value)
      return r.ok ? undefined : r.message
    },
  }
  return def
}

const COMPRESSION_TYPES = ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'] // BrokerCompressionType order
const CLEANUP_POLICIES = ['compact', 'delete']
const TIMESTAMP_TYPES = ['CreateTime', 'LogAppendTime']
const SEGMENT_BYTES_MIN = 14 // LegacyRecord.RECORD_OVERHEAD_V0 (raised to 1 MiB only in 4.0)

/** Same name with a `log.` prefix, same type, default and validator: the commonest synonym shape. */
function logPrefixed(name: string, type: ConfigType, defaultValue: string, validator?: Validator): TopicConfigDef {
  return topic(name, type, defaultValue, validator, [syn(`log.${name}`, type, defaultValue, validator)])
}
function sameName(name: string, type: ConfigType, defaultValue: string, validator?: Validator): TopicConfigDef {
  return topic(name, type, defaultValue, validator, [syn(name, type, defaultValue, validator)])
}

const CATALOGUE: readonly TopicConfigDef[] = [
  logPrefixed('segment.bytes', 'int', '1073741824', atLeast(SEGMENT_BYTES_MIN)),
  topic('segment.ms', 'long', '604800000', atLeast(1), [
    syn('log.roll.ms', 'long', null),
    syn('log.roll.hours', 'int', '168', atLeast(1), times(MS_PER_HOUR)),
  ]),
  topic('segment.jitter.ms', 'long', '0', atLeast(0), [
    syn('log.roll.jitter.ms', 'long', null),
    syn('log.roll.jitter.hours', 'int', '0', atLeast(0), times(MS_PER_HOUR)),
  ]),
  topic('segment.index.bytes', 'int', '10485760', atLeast(4), [
    syn('log.index.size.max.bytes', 'int', '10485760', atLeast(4)),
  ]),
  topic('flush.messages', 'long', LONG_MAX, atLeast(1), [
    syn('log.flush.interval.messages', 'long', LONG_MAX, atLeast(1)),
  ]),
  topic('flush.ms', 'long', LONG_MAX, atLeast(0), [
    syn('log.flush.interval.ms', 'long', null),
    syn('log.flush.scheduler.interval.ms', 'long', LONG_MAX),
  ]),
  logPrefixed('retention.bytes', 'long', '-1'), // may be negative: -1 = no size limit
  topic('retention.ms', 'long', '604800000', atLeast(-1), [
    syn('log.retention.ms', 'long', null, undefined, retention(1n)),
    syn('log.retention.minutes', 'int', null, undefined, retention(MS_PER_MINUTE)),
    syn('log.retention.hours', 'int', '168', undefined, retention(MS_PER_HOUR)),
  ]),
  topic('max.message.bytes', 'int', '1048588', atLeast(0), [syn('message.max.bytes', 'int', '1048588', atLeast(0))]),
  logPrefixed('index.interval.bytes', 'int', '4096', atLeast(0)),
  topic('delete.retention.ms', 'long', '86400000', atLeast(0), [
    syn('log.cleaner.delete.retention.ms', 'long', '86400000', atLeast(0)),
  ]),
  topic('min.compaction.lag.ms', 'long', '0', atLeast(0), [
    syn('log.cleaner.min.compaction.lag.ms', 'long', '0', atLeast(0)),
  ]),
  topic('max.compaction.lag.ms', 'long', LONG_MAX, atLeast(1), [
    syn('log.cleaner.max.compaction.lag.ms', 'long', LONG_MAX, atLeast(1)),
  ]),
  topic('file.delete.delay.ms', 'long', '60000', atLeast(0), [
    syn('log.segment.delete.delay.ms', 'long', '60000', atLeast(0)),
  ]),
  topic('min.cleanable.dirty.ratio', 'double', '0.5', range(0, 1), [
    syn('log.cleaner.min.cleanable.ratio', 'double', '0.5', range(0, 1)),
  ]),
  logPrefixed('cleanup.policy', 'list', 'delete', validList(...CLEANUP_POLICIES)),
  sameName('unclean.leader.election.enable', 'boolean', 'false'),
  sameName('min.insync.replicas', 'int', '1', atLeast(1)),
  sameName('compression.type', 'string', 'producer', validString(...COMPRESSION_TYPES)),
  sameName('compression.gzip.level', 'int', '-1', gzipLevel),
  sameName('compression.lz4.level', 'int', '9', range(1, 17)),
  sameName('compression.zstd.level', 'int', '3', range(-131072, 22)),
  logPrefixed('preallocate', 'boolean', 'false'),
  // Deprecated and ignored since inter-broker protocol 3.0, but still defined and validated in 3.9.
  logPrefixed('message.format.version', 'string', '3.0-IV1', metadataVersion),
  logPrefixed('message.timestamp.type', 'string', 'CreateTime', validString(...TIMESTAMP_TYPES)),
  logPrefixed('message.timestamp.difference.max.ms', 'long', LONG_MAX, atLeast(0)),
  logPrefixed('message.timestamp.before.max.ms', 'long', LONG_MAX, atLeast(0)),
  logPrefixed('message.timestamp.after.max.ms', 'long', LONG_MAX, atLeast(0)),
  topic('leader.replication.throttled.replicas', 'list', '', throttledReplicas('leader.replication.throttled.replicas'), []),
  topic('follower.replication.throttled.replicas', 'list', '', throttledReplicas('follower.replication.throttled.replicas'), []),
  logPrefixed('message.downconversion.enable', 'boolean', 'true'),
  topic('remote.storage.enable', 'boolean', 'false', undefined, []),
  logPrefixed('local.retention.ms', 'long', '-2', atLeast(-2)),
  logPrefixed('local.retention.bytes', 'long', '-2', atLeast(-2)),
  topic('remote.log.copy.disable', 'boolean', 'false', undefined, []),
  topic('remote.log.delete.on.disable', 'boolean', 'false', undefined, []),
]

/** Every Kafka 3.9 topic config by name, in LogConfig's definition order (the order Kafka validates in). */
export const TOPIC_CONFIGS: ReadonlyMap<string, TopicConfigDef> = new Map(CATALOGUE.map((d) => [d.name, d]))

const SORTED_NAMES: readonly string[] = [...TOPIC_CONFIGS.keys()].sort()

/** Every broker key that is a synonym of some topic config, for broker-config.ts to validate. */
export const TOPIC_SYNONYM_BROKER_KEYS: readonly BrokerSynonym[] = (() => {
  const seen = new Map<string, BrokerSynonym>()
  for (const def of CATALOGUE) for (const s of def.brokerSynonyms) if (!seen.has(s.name)) seen.set(s.name, s)
  return [...seen.values()]
})()

// ---------------------------------------------------------------------------------------------------------
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
