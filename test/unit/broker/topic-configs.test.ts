// Expected texts and values come from Apache Kafka's sources, not from this code:
// - ConfigException(name, value, msg) = "Invalid value <value> for configuration <name>: <msg>"
//   (clients/src/main/java/org/apache/kafka/common/config/ConfigException.java);
// - parse errors "Not a number of type <TYPE>", "Expected value to be either true or false", Range's
//   "Value must be at least <min>" / "no more than <max>", ValidString/ValidList's "String must be one of: a, b"
//   (clients/src/main/java/org/apache/kafka/common/config/ConfigDef.java);
// - types, defaults and validators (storage/src/main/java/org/apache/kafka/storage/internals/log/LogConfig.java,
//   3.9: segment.bytes atLeast(LegacyRecord.RECORD_OVERHEAD_V0 = 14)), compression levels
//   (clients/src/main/java/org/apache/kafka/common/record/CompressionType.java), BrokerCompressionType order,
//   ThrottledReplicaListValidator.java, MetadataVersion.fromVersionString;
// - "Unknown topic config name: <name>" and the compaction-lag conflict (LogConfig.validateNames/validateValues);
// - DescribeConfigs rules (core/src/main/scala/kafka/server/ConfigHelper.scala createTopicConfigEntry and
//   configSynonyms, incl. its dropWhile), checked against `kafka-configs --describe --all` output captured
//   from a real 3.x broker (lines quoted below).
import { describe, expect, it } from 'vitest'

import { brokerConfigFrom, DEFAULT_BROKER_CONFIG } from '../../../src/broker/broker-config.js'
import { CONFIG_SOURCE_IDS } from '../../../src/broker/config-def.js'
import { TOPIC_CONFIGS } from '../../../src/broker/topic-config-catalogue.js'
import { effectiveTopicConfig, resolveTopicConfig, resolveTopicConfigs, validateTopicConfigs, type ResolvedConfig } from '../../../src/broker/topic-configs.js'

const def = (name: string) => {
  const d = TOPIC_CONFIGS.get(name)
  if (!d) throw new Error(`no ${name}`)
  return d
}

describe('catalogue', () => {
  it('lists the Kafka 4.3 topic configs', () => {
    expect([...TOPIC_CONFIGS.keys()].sort()).toEqual(
      [
        'cleanup.policy', 'compression.gzip.level', 'compression.lz4.level', 'compression.type', 'compression.zstd.level',
        'delete.retention.ms', 'file.delete.delay.ms', 'flush.messages', 'flush.ms',
        'follower.replication.throttled.replicas', 'index.interval.bytes', 'leader.replication.throttled.replicas',
        'local.retention.bytes', 'local.retention.ms', 'max.compaction.lag.ms', 'max.message.bytes',
        'message.downconversion.enable', 'message.timestamp.after.max.ms',
        'message.timestamp.before.max.ms', 'message.timestamp.type',
        'min.cleanable.dirty.ratio', 'min.compaction.lag.ms', 'min.insync.replicas', 'preallocate',
        'remote.log.copy.disable', 'remote.log.delete.on.disable', 'remote.storage.enable', 'retention.bytes',
        'retention.ms', 'segment.bytes', 'segment.index.bytes', 'segment.jitter.ms', 'segment.ms',
        'unclean.leader.election.enable',
      ].sort(),
    )
  })

  it('carries broker synonyms in priority order', () => {
    expect(def('retention.ms').brokerSynonyms.map((s) => s.name)).toEqual([
      'log.retention.ms', 'log.retention.minutes', 'log.retention.hours',
    ])
    expect(def('segment.ms').brokerSynonyms.map((s) => s.name)).toEqual(['log.roll.ms', 'log.roll.hours'])
    expect(def('max.message.bytes').brokerSynonyms.map((s) => s.name)).toEqual(['message.max.bytes'])
    expect(def('min.cleanable.dirty.ratio').brokerSynonyms.map((s) => s.name)).toEqual(['log.cleaner.min.cleanable.ratio'])
    expect(def('remote.storage.enable').brokerSynonyms).toEqual([])
  })

  it('has the types DescribeConfigs reports and nothing sensitive or read-only', () => {
    expect(def('retention.ms').type).toBe('long')
    expect(def('segment.bytes').type).toBe('int')
    expect(def('cleanup.policy').type).toBe('list')
    expect(def('min.cleanable.dirty.ratio').type).toBe('double')
    expect(def('preallocate').type).toBe('boolean')
    expect(def('compression.type').type).toBe('string')
    for (const d of TOPIC_CONFIGS.values()) {
      expect(d.isSensitive).toBe(false)
      expect(d.readOnly).toBe(false)
    }
  })
})

describe('value validation (ConfigDef texts)', () => {
  it.each([
    ['retention.ms', 'abc', 'Invalid value abc for configuration retention.ms: Not a number of type LONG'],
    ['retention.ms', '1.5', 'Invalid value 1.5 for configuration retention.ms: Not a number of type LONG'],
    ['retention.ms', '9223372036854775808', 'Invalid value 9223372036854775808 for configuration retention.ms: Not a number of type LONG'],
    ['retention.ms', '-2', 'Invalid value -2 for configuration retention.ms: Value must be at least -1'],
    ['segment.bytes', '2147483648', 'Invalid value 2147483648 for configuration segment.bytes: Not a number of type INT'],
    ['segment.bytes', '1048575', 'Invalid value 1048575 for configuration segment.bytes: Value must be at least 1048576'],
    ['max.message.bytes', '-1', 'Invalid value -1 for configuration max.message.bytes: Value must be at least 0'],
    ['min.insync.replicas', '0', 'Invalid value 0 for configuration min.insync.replicas: Value must be at least 1'],
    ['min.cleanable.dirty.ratio', '2', 'Invalid value 2.0 for configuration min.cleanable.dirty.ratio: Value must be no more than 1'],
    ['min.cleanable.dirty.ratio', '-0.5', 'Invalid value -0.5 for configuration min.cleanable.dirty.ratio: Value must be at least 0'],
    ['min.cleanable.dirty.ratio', 'half', 'Invalid value half for configuration min.cleanable.dirty.ratio: Not a number of type DOUBLE'],
    ['preallocate', 'yes', 'Invalid value yes for configuration preallocate: Expected value to be either true or false'],
    ['cleanup.policy', 'compact,remove', 'Invalid value remove for configuration cleanup.policy: String must be one of: compact, delete'],
    ['cleanup.policy', 'Delete', 'Invalid value Delete for configuration cleanup.policy: String must be one of: compact, delete'],
    ['compression.type', 'brotli', 'Invalid value brotli for configuration compression.type: String must be one of: uncompressed, zstd, lz4, snappy, gzip, producer'],
    ['message.timestamp.type', 'createtime', 'Invalid value createtime for configuration message.timestamp.type: String must be one of: CreateTime, LogAppendTime'],
    ['compression.gzip.level', '0', 'Invalid value 0 for configuration compression.gzip.level: Value must be between 1 and 9 or equal to -1'],
    ['compression.lz4.level', '18', 'Invalid value 18 for configuration compression.lz4.level: Value must be no more than 17'],
    ['compression.zstd.level', '23', 'Invalid value 23 for configuration compression.zstd.level: Value must be no more than 22'],
    ['leader.replication.throttled.replicas', '0:1,x', "Invalid value [0:1, x] for configuration leader.replication.throttled.replicas: leader.replication.throttled.replicas must be the literal '*' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],..."],
  ])('%s=%j → %s', (name, value, message) => {
    expect(def(name).validate(value)).toBe(message)
    expect(validateTopicConfigs(new Map([[name, value]]))).toEqual({ name, message })
  })

  it.each([['message.format.version', '3.0-IV1'], ['message.timestamp.difference.max.ms', '1']])('%s, removed in Kafka 4.0, is unknown', (name, value) => {
    expect(validateTopicConfigs(new Map([[name, value]]))).toEqual({ name, message: `Unknown topic config name: ${name}` })
  })

  it.each([
    ['retention.ms', '-1'],
    ['retention.ms', ' 86400000 '],
    ['retention.bytes', '-5'], // no validator: negative sizes are allowed
    ['segment.bytes', '1048576'],
    ['min.cleanable.dirty.ratio', '1'],
    ['min.cleanable.dirty.ratio', '.25'],
    ['cleanup.policy', 'compact,delete'],
    ['cleanup.policy', 'delete , compact'],
    ['preallocate', 'TRUE'],
    ['compression.type', 'zstd'],
    ['compression.gzip.level', '-1'],
    ['leader.replication.throttled.replicas', '*'],
    ['leader.replication.throttled.replicas', '0:1, 1:1'],
  ])('accepts %s=%j', (name, value) => {
    expect(def(name).validate(value)).toBeUndefined()
  })

  it('reports an unknown name before any bad value', () => {
    const entries = new Map([
      ['retention.ms', 'abc'],
      ['retention.hours', '1'],
    ])
    expect(validateTopicConfigs(entries)).toEqual({ name: 'retention.hours', message: 'Unknown topic config name: retention.hours' })
  })

  it('checks values in LogConfig definition order, not entry order', () => {
    // segment.bytes is defined before retention.ms in LogConfig
    const entries = new Map([
      ['retention.ms', 'abc'],
      ['segment.bytes', 'x'],
    ])
    expect(validateTopicConfigs(entries)?.name).toBe('segment.bytes')
  })

  it('rejects min.compaction.lag.ms above max.compaction.lag.ms', () => {
    const entries = new Map([
      ['min.compaction.lag.ms', '5000'],
      ['max.compaction.lag.ms', '1000'],
    ])
    expect(validateTopicConfigs(entries)?.message).toBe(
      'conflict topic config setting min.compaction.lag.ms (5000) > max.compaction.lag.ms (1000)',
    )
  })

  it('refuses remote storage, which kafka-ts does not have', () => {
    expect(validateTopicConfigs(new Map([['remote.storage.enable', 'true']]))?.message).toBe(
      'Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.',
    )
    expect(validateTopicConfigs(new Map([['remote.storage.enable', 'false']]))).toBeUndefined()
  })

  it('accepts an empty set and good values', () => {
    expect(validateTopicConfigs(new Map())).toBeUndefined()
    expect(validateTopicConfigs(new Map([['cleanup.policy', 'compact'], ['retention.ms', '1000']]))).toBeUndefined()
  })
})

/** kafka-configs' rendering of one entry (ConfigCommand prints the admin client's source names). */
function render(c: ResolvedConfig): string {
  const src = (s: string) => (s === 'TOPIC_CONFIG' ? 'DYNAMIC_TOPIC_CONFIG' : s)
  const syns = c.synonyms.map((s) => `${src(s.source)}:${s.name}=${s.value ?? 'null'}`).join(', ')
  return `${c.name}=${c.value ?? 'null'} sensitive=${c.isSensitive} synonyms={${syns}}`
}

describe('resolveTopicConfigs', () => {
  it('reports Kafka defaults with DEFAULT_CONFIG when nothing is set', () => {
    const all = resolveTopicConfigs(new Map(), DEFAULT_BROKER_CONFIG)
    expect(all.map((c) => c.name)).toEqual([...TOPIC_CONFIGS.keys()].sort())
    const byName = new Map(all.map((c) => [c.name, c]))
    const expectDefault = (name: string, value: string) => {
      expect(byName.get(name)).toMatchObject({ value, source: 'DEFAULT_CONFIG', isSensitive: false, readOnly: false })
    }
    expectDefault('retention.ms', '604800000')
    expectDefault('max.message.bytes', '1048588')
    expectDefault('segment.bytes', '1073741824')
    expectDefault('cleanup.policy', 'delete')
    expectDefault('segment.ms', '604800000')
    expectDefault('min.cleanable.dirty.ratio', '0.5')
    expectDefault('message.timestamp.type', 'CreateTime')
    expectDefault('compression.type', 'producer')
    expectDefault('flush.ms', '9223372036854775807')
    expectDefault('leader.replication.throttled.replicas', '')
    expectDefault('local.retention.ms', '-2')
    expectDefault('message.timestamp.after.max.ms', '3600000')
    for (const c of all) expect(c.source).toBe('DEFAULT_CONFIG')
  })

  // Captured from a 3.x broker (`kafka-configs --entity-type topics --entity-name mytopic --describe --all`)
  // whose server.properties set log.retention.hours=168 and whose cluster-wide dynamic default set
  // log.retention.ms=259200000; the topic had no overrides.
  const REAL_BROKER_OUTPUT = `
  compression.type=producer sensitive=false synonyms={DEFAULT_CONFIG:compression.type=producer}
  leader.replication.throttled.replicas= sensitive=false synonyms={}
  message.downconversion.enable=true sensitive=false synonyms={DEFAULT_CONFIG:log.message.downconversion.enable=true}
  min.insync.replicas=1 sensitive=false synonyms={DEFAULT_CONFIG:min.insync.replicas=1}
  segment.jitter.ms=0 sensitive=false synonyms={}
  cleanup.policy=delete sensitive=false synonyms={DEFAULT_CONFIG:log.cleanup.policy=delete}
  flush.ms=9223372036854775807 sensitive=false synonyms={}
  follower.replication.throttled.replicas= sensitive=false synonyms={}
  segment.bytes=1073741824 sensitive=false synonyms={DEFAULT_CONFIG:log.segment.bytes=1073741824}
  retention.ms=259200000 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=259200000, STATIC_BROKER_CONFIG:log.retention.hours=168, DEFAULT_CONFIG:log.retention.hours=168}
  flush.messages=9223372036854775807 sensitive=false synonyms={DEFAULT_CONFIG:log.flush.interval.messages=9223372036854775807}
  message.format.version=3.0-IV1 sensitive=false synonyms={DEFAULT_CONFIG:log.message.format.version=3.0-IV1}
  max.compaction.lag.ms=9223372036854775807 sensitive=false synonyms={DEFAULT_CONFIG:log.cleaner.max.compaction.lag.ms=9223372036854775807}
  file.delete.delay.ms=60000 sensitive=false synonyms={DEFAULT_CONFIG:log.segment.delete.delay.ms=60000}
  max.message.bytes=1048588 sensitive=false synonyms={DEFAULT_CONFIG:message.max.bytes=1048588}
  min.compaction.lag.ms=0 sensitive=false synonyms={DEFAULT_CONFIG:log.cleaner.min.compaction.lag.ms=0}
  message.timestamp.type=CreateTime sensitive=false synonyms={DEFAULT_CONFIG:log.message.timestamp.type=CreateTime}
  preallocate=false sensitive=false synonyms={DEFAULT_CONFIG:log.preallocate=false}
  min.cleanable.dirty.ratio=0.5 sensitive=false synonyms={DEFAULT_CONFIG:log.cleaner.min.cleanable.ratio=0.5}
  index.interval.bytes=4096 sensitive=false synonyms={DEFAULT_CONFIG:log.index.interval.bytes=4096}
  unclean.leader.election.enable=false sensitive=false synonyms={DEFAULT_CONFIG:unclean.leader.election.enable=false}
  retention.bytes=-1 sensitive=false synonyms={DEFAULT_CONFIG:log.retention.bytes=-1}
  delete.retention.ms=86400000 sensitive=false synonyms={DEFAULT_CONFIG:log.cleaner.delete.retention.ms=86400000}
  segment.ms=604800000 sensitive=false synonyms={}
  message.timestamp.difference.max.ms=9223372036854775807 sensitive=false synonyms={DEFAULT_CONFIG:log.message.timestamp.difference.max.ms=9223372036854775807}
  segment.index.bytes=10485760 sensitive=false synonyms={DEFAULT_CONFIG:log.index.size.max.bytes=10485760}`

  it('matches a real broker line for line (synonym order, dropWhile, list and double rendering)', () => {
    const broker = brokerConfigFrom(new Map([['log.retention.hours', '168']]))
    const dynamic = { clusterDefault: new Map([['log.retention.ms', '259200000']]) }
    const ours = new Map(resolveTopicConfigs(new Map(), broker, dynamic).map((c) => [c.name, render(c)]))
    const lines = REAL_BROKER_OUTPUT.trim().split('\n').map((l) => l.trim())
    expect(lines).toHaveLength(26)
    // Kafka 4.0 removed these two; every other line of the 3.x capture is unchanged in 4.3.
    const removed = ['message.format.version', 'message.timestamp.difference.max.ms']
    for (const line of lines) {
      const name = line.slice(0, line.indexOf('='))
      if (removed.includes(name)) expect(ours.has(name)).toBe(false)
      else expect(ours.get(name)).toBe(line)
    }
  })

  it('puts a topic override first, then the broker synonyms (real broker: segment.bytes=10240)', () => {
    const c = resolveTopicConfig('segment.bytes', new Map([['segment.bytes', '10240']]), DEFAULT_BROKER_CONFIG)
    expect(render(c)).toBe(
      'segment.bytes=10240 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:segment.bytes=10240, DEFAULT_CONFIG:log.segment.bytes=1073741824}',
    )
    expect(c.source).toBe('TOPIC_CONFIG')
    expect(CONFIG_SOURCE_IDS[c.source]).toBe(1)
  })

  it('lists static then default broker values under an override (real broker: retention.bytes)', () => {
    const broker = brokerConfigFrom(new Map([['log.retention.bytes', '173741824']]))
    const c = resolveTopicConfig('retention.bytes', new Map([['retention.bytes', '1073741824']]), broker)
    expect(render(c)).toBe(
      'retention.bytes=1073741824 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.bytes=1073741824, STATIC_BROKER_CONFIG:log.retention.bytes=173741824, DEFAULT_CONFIG:log.retention.bytes=-1}',
    )
  })

  it('reports a statically set broker key as STATIC_BROKER_CONFIG (sample config: segment.bytes)', () => {
    const broker = brokerConfigFrom(new Map([['log.segment.bytes', '1073741824']]))
    const c = resolveTopicConfig('segment.bytes', new Map(), broker)
    expect(c.source).toBe('STATIC_BROKER_CONFIG')
    expect(c.synonyms.map((s) => [s.source, s.name, s.value])).toEqual([
      ['STATIC_BROKER_CONFIG', 'log.segment.bytes', '1073741824'],
      ['DEFAULT_CONFIG', 'log.segment.bytes', '1073741824'],
    ])
  })

  it('applies static log.retention.hours=1 as 3600000 ms, keeping Kafka\'s empty synonym list', () => {
    const broker = brokerConfigFrom(new Map([['log.retention.hours', '1']]))
    const c = resolveTopicConfig('retention.ms', new Map(), broker)
    expect(c.value).toBe('3600000')
    // ConfigHelper drops synonyms until the first one named log.retention.ms, which is not set anywhere.
    expect(c.synonyms).toEqual([])
    expect(c.source).toBe('DEFAULT_CONFIG')
    expect(effectiveTopicConfig('retention.ms', new Map(), broker)).toBe('3600000')
  })

  it('reports STATIC_BROKER_CONFIG for retention.ms once log.retention.ms is set', () => {
    const broker = brokerConfigFrom(new Map([['log.retention.ms', '5000'], ['log.retention.hours', '1']]))
    const c = resolveTopicConfig('retention.ms', new Map(), broker)
    expect(c.value).toBe('5000')
    expect(c.source).toBe('STATIC_BROKER_CONFIG')
    expect(c.synonyms.map((s) => `${s.source}:${s.name}=${s.value}`)).toEqual([
      'STATIC_BROKER_CONFIG:log.retention.ms=5000',
      'STATIC_BROKER_CONFIG:log.retention.hours=1',
      'DEFAULT_CONFIG:log.retention.hours=168',
    ])
  })

  it('converts minutes and hours with ms > minutes > hours precedence', () => {
    const at = (props: [string, string][]) => effectiveTopicConfig('retention.ms', new Map(), brokerConfigFrom(new Map(props)))
    expect(at([['log.retention.minutes', '2'], ['log.retention.hours', '1']])).toBe('120000')
    expect(at([['log.retention.ms', '7'], ['log.retention.minutes', '2']])).toBe('7')
    expect(at([['log.retention.hours', '-1']])).toBe('-1')
    expect(at([['log.retention.minutes', '-5']])).toBe('-1')
    expect(effectiveTopicConfig('segment.ms', new Map(), brokerConfigFrom(new Map([['log.roll.hours', '2']])))).toBe('7200000')
  })

  it('reports overrides and broker values in canonical form', () => {
    const broker = brokerConfigFrom(new Map([['message.max.bytes', ' 2000 '], ['log.cleanup.policy', 'compact , delete']]))
    expect(effectiveTopicConfig('max.message.bytes', new Map(), broker)).toBe('2000')
    expect(effectiveTopicConfig('cleanup.policy', new Map(), broker)).toBe('compact,delete')
    const overrides = new Map([['min.cleanable.dirty.ratio', '1'], ['preallocate', 'TRUE'], ['retention.ms', '+0100']])
    expect(effectiveTopicConfig('min.cleanable.dirty.ratio', overrides, broker)).toBe('1.0')
    expect(effectiveTopicConfig('preallocate', overrides, broker)).toBe('true')
    const r = resolveTopicConfig('retention.ms', overrides, broker)
    expect(r.value).toBe('100')
    expect(r.synonyms[0]).toEqual({ name: 'retention.ms', value: '100', source: 'TOPIC_CONFIG' })
  })

  it('uses the topic override for max.message.bytes over the broker value', () => {
    const broker = brokerConfigFrom(new Map([['message.max.bytes', '2000']]))
    expect(effectiveTopicConfig('max.message.bytes', new Map([['max.message.bytes', '500']]), broker)).toBe('500')
    expect(() => effectiveTopicConfig('no.such.config', new Map(), broker)).toThrow('Unknown topic config name: no.such.config')
  })

  it('ranks a per-broker dynamic value above a static one', () => {
    const broker = brokerConfigFrom(new Map([['log.segment.bytes', '2000000']]))
    const c = resolveTopicConfig('segment.bytes', new Map(), broker, { broker: new Map([['log.segment.bytes', '3000000']]) })
    expect(c.value).toBe('3000000')
    expect(c.synonyms.map((s) => s.source)).toEqual(['DYNAMIC_BROKER_CONFIG', 'STATIC_BROKER_CONFIG', 'DEFAULT_CONFIG'])
  })
})
