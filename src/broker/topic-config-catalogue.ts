// Kafka 3.9's topic-level configs (storage/.../log/LogConfig.java, in its definition order) and the broker
// keys that supply their defaults (server/.../config/ServerTopicConfigSynonyms.java).

import { javaTrim } from '../util/java/strings.js'
import { atLeast, isList, parseConfigValue, range, shownOf, validList, validString, type ConfigKeyDef, type ConfigType, type Validator } from './config-def.js'

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
const SEGMENT_BYTES_MIN = 1024 * 1024 // Kafka 4.0 (3.9: 14)

/** Same name with a `log.` prefix, same type, default and validator: the commonest synonym shape. */
function logPrefixed(name: string, type: ConfigType, defaultValue: string, validator?: Validator): TopicConfigDef {
  return topic(name, type, defaultValue, validator, [syn(`log.${name}`, type, defaultValue, validator)])
}
function sameName(name: string, type: ConfigType, defaultValue: string, validator?: Validator): TopicConfigDef {
  return topic(name, type, defaultValue, validator, [syn(name, type, defaultValue, validator)])
}

export const CATALOGUE: readonly TopicConfigDef[] = [
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
  // Kafka 4.0 removed message.format.version and message.timestamp.difference.max.ms.
  logPrefixed('message.timestamp.type', 'string', 'CreateTime', validString(...TIMESTAMP_TYPES)),
  logPrefixed('message.timestamp.before.max.ms', 'long', LONG_MAX, atLeast(0)),
  // Kafka 4.0: records more than an hour ahead of the broker's clock are refused (3.9: no limit).
  logPrefixed('message.timestamp.after.max.ms', 'long', '3600000', atLeast(0)),
  topic('leader.replication.throttled.replicas', 'list', '', throttledReplicas('leader.replication.throttled.replicas'), []),
  topic('follower.replication.throttled.replicas', 'list', '', throttledReplicas('follower.replication.throttled.replicas'), []),
  logPrefixed('message.downconversion.enable', 'boolean', 'true'),
  topic('remote.storage.enable', 'boolean', 'false', undefined, []),
  logPrefixed('local.retention.ms', 'long', '-2', atLeast(-2)),
  logPrefixed('local.retention.bytes', 'long', '-2', atLeast(-2)),
  topic('remote.log.copy.disable', 'boolean', 'false', undefined, []),
  topic('remote.log.delete.on.disable', 'boolean', 'false', undefined, []),
]

/** Every Kafka 4.3 topic config by name, in LogConfig's definition order (the order Kafka validates in). */
export const TOPIC_CONFIGS: ReadonlyMap<string, TopicConfigDef> = new Map(CATALOGUE.map((d) => [d.name, d]))

export const SORTED_NAMES: readonly string[] = [...TOPIC_CONFIGS.keys()].sort()

/** Every broker key that is a synonym of some topic config, for broker-config.ts to validate. */
export const TOPIC_SYNONYM_BROKER_KEYS: readonly BrokerSynonym[] = (() => {
  const seen = new Map<string, BrokerSynonym>()
  for (const def of CATALOGUE) for (const s of def.brokerSynonyms) if (!seen.has(s.name)) seen.set(s.name, s)
  return [...seen.values()]
})()
