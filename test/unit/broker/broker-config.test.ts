// Expected values are Kafka 3.9's documented broker defaults (cli.md §12.1; ServerConfigs.java,
// ServerLogConfigs.java, GroupCoordinatorConfig.java), its retention precedence
// (KafkaConfig.logRetentionTimeMillis: ms > minutes > hours, negative → -1), ConfigDef's error texts
// (clients/src/main/java/org/apache/kafka/common/config/ConfigDef.java + ConfigException.java), and the
// listener rules of core/src/main/scala/kafka/cluster/EndPoint.scala (uriParseExp, "Unable to parse <s> to a
// broker endpoint", "No security protocol defined for listener <L>") and CoreUtils.listenerListToEndPoints
// ("Error creating broker listeners from '<s>': …", "Each listener must have a different name/port").
import { describe, expect, it } from 'vitest'

import {
  BrokerConfigError,
  DEFAULT_BROKER_CONFIG,
  brokerConfigFrom,
  parseListener,
  parseListeners,
} from '../../../src/broker/broker-config.js'
import { parseJavaProperties } from '../../../src/util/java-properties.js'

const from = (entries: [string, string][]) => brokerConfigFrom(new Map(entries))

describe('defaults', () => {
  it('match Kafka 3.9 with kafka-ts listening on localhost:9092', () => {
    const c = DEFAULT_BROKER_CONFIG
    expect(c.nodeId).toBe(-1)
    expect(c.listeners).toEqual([{ name: 'PLAINTEXT', host: 'localhost', port: 9092, securityProtocol: 'PLAINTEXT' }])
    expect(c.advertisedListeners).toEqual(c.listeners)
    expect(c.logDirs).toEqual(['/tmp/kafka-logs'])
    expect(c.metadataLogDir).toBe('/tmp/kafka-logs')
    expect(c.numPartitions).toBe(1)
    expect(c.defaultReplicationFactor).toBe(1)
    expect(c.autoCreateTopicsEnable).toBe(true)
    expect(c.deleteTopicEnable).toBe(true)
    expect(c.messageMaxBytes).toBe(1048588)
    expect(c.socketRequestMaxBytes).toBe(104857600)
    expect(c.logRetentionMs).toBe(168 * 3600 * 1000)
    expect(c.logRetentionBytes).toBe(-1)
    expect(c.logRetentionCheckIntervalMs).toBe(300000)
    expect(c.logSegmentBytes).toBe(1073741824)
    expect(c.logRollMs).toBe(604800000)
    expect(c.logCleanupPolicy).toBe('delete')
    expect(c.minInsyncReplicas).toBe(1)
    expect(c.compressionType).toBe('producer')
    expect(c.logMessageTimestampType).toBe('CreateTime')
    expect(c.offsetsRetentionMinutes).toBe(10080)
    expect(c.offsetsTopicNumPartitions).toBe(50)
    expect(c.offsetsTopicReplicationFactor).toBe(3)
    expect(c.offsetMetadataMaxBytes).toBe(4096)
    expect(c.groupInitialRebalanceDelayMs).toBe(3000)
    expect(c.groupMinSessionTimeoutMs).toBe(6000)
    expect(c.groupMaxSessionTimeoutMs).toBe(1800000)
    expect(c.groupMaxSize).toBe(2147483647)
    expect(c.transactionStateLogReplicationFactor).toBe(3)
    expect(c.transactionStateLogMinIsr).toBe(2)
    expect(c.transactionalIdExpirationMs).toBe(604800000)
    expect(c.producerIdExpirationMs).toBe(86400000)
    expect(c.fetchMaxBytes).toBe(57671680)
    expect(c.numNetworkThreads).toBe(3)
    expect(c.numIoThreads).toBe(8)
    expect(c.staticProps.size).toBe(0)
  })
})

describe("Kafka's sample KRaft server.properties", () => {
  const SAMPLE = `
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@localhost:9093
listeners=PLAINTEXT://:9092,CONTROLLER://:9093
inter.broker.listener.name=PLAINTEXT
advertised.listeners=PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL
num.network.threads=3
num.io.threads=8
socket.send.buffer.bytes=102400
socket.receive.buffer.bytes=102400
socket.request.max.bytes=104857600
log.dirs=/tmp/kraft-combined-logs
num.partitions=1
num.recovery.threads.per.data.dir=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
log.retention.hours=168
log.segment.bytes=1073741824
log.retention.check.interval.ms=300000
`
  it('reads every key and keeps the raw properties', () => {
    const props = parseJavaProperties(SAMPLE)
    const c = brokerConfigFrom(props)
    expect(c.nodeId).toBe(1)
    expect(c.processRoles).toEqual(['broker', 'controller'])
    expect(c.listeners.map((l) => [l.name, l.host, l.port, l.securityProtocol])).toEqual([
      ['PLAINTEXT', '', 9092, 'PLAINTEXT'],
      ['CONTROLLER', '', 9093, 'PLAINTEXT'],
    ])
    // Metadata never advertises the controller listener.
    expect(c.advertisedListeners).toEqual([{ name: 'PLAINTEXT', host: 'localhost', port: 9092, securityProtocol: 'PLAINTEXT' }])
    expect(c.controllerListenerNames).toEqual(['CONTROLLER'])
    expect(c.interBrokerListenerName).toBe('PLAINTEXT')
    expect(c.logDirs).toEqual(['/tmp/kraft-combined-logs'])
    expect(c.offsetsTopicReplicationFactor).toBe(1)
    expect(c.transactionStateLogMinIsr).toBe(1)
    expect(c.staticProps.get('log.segment.bytes')).toBe('1073741824')
    expect(c.staticProps.get('controller.quorum.voters')).toBe('1@localhost:9093')
  })
})

describe('retention precedence', () => {
  it('prefers log.retention.ms over minutes over hours', () => {
    expect(from([['log.retention.hours', '1']]).logRetentionMs).toBe(3600000)
    expect(from([['log.retention.hours', '1'], ['log.retention.minutes', '3']]).logRetentionMs).toBe(180000)
    expect(from([['log.retention.hours', '1'], ['log.retention.minutes', '3'], ['log.retention.ms', '42']]).logRetentionMs).toBe(42)
  })

  it('reports any negative retention as -1 (keep forever)', () => {
    expect(from([['log.retention.hours', '-1']]).logRetentionMs).toBe(-1)
    expect(from([['log.retention.ms', '-7']]).logRetentionMs).toBe(-1)
  })
})

describe('log dirs', () => {
  it('falls back from log.dirs to log.dir and splits comma lists', () => {
    expect(from([['log.dir', '/data/one']]).logDirs).toEqual(['/data/one'])
    expect(from([['log.dir', '/data/one'], ['log.dirs', '/a , /b,,/c']]).logDirs).toEqual(['/a', '/b', '/c'])
    expect(from([['log.dirs', '/a,/b'], ['metadata.log.dir', '/meta']]).metadataLogDir).toBe('/meta')
  })
})

describe('invalid values', () => {
  it.each([
    ['node.id', 'one', 'Invalid value one for configuration node.id: Not a number of type INT'],
    ['node.id', '1.0', 'Invalid value 1.0 for configuration node.id: Not a number of type INT'],
    ['num.partitions', '0', 'Invalid value 0 for configuration num.partitions: Value must be at least 1'],
    ['auto.create.topics.enable', 'maybe', 'Invalid value maybe for configuration auto.create.topics.enable: Expected value to be either true or false'],
    ['log.retention.hours', 'week', 'Invalid value week for configuration log.retention.hours: Not a number of type INT'],
    ['log.retention.ms', '1e3', 'Invalid value 1e3 for configuration log.retention.ms: Not a number of type LONG'],
    ['log.segment.bytes', '1048575', 'Invalid value 1048575 for configuration log.segment.bytes: Value must be at least 1048576'],
    ['log.cleanup.policy', 'purge', 'Invalid value purge for configuration log.cleanup.policy: String must be one of: compact, delete'],
    ['process.roles', 'worker', 'Invalid value worker for configuration process.roles: String must be one of: broker, controller'],
    ['offsets.topic.replication.factor', '40000', 'Invalid value 40000 for configuration offsets.topic.replication.factor: Not a number of type SHORT'],
    ['fetch.max.bytes', '1000', 'Invalid value 1000 for configuration fetch.max.bytes: Value must be at least 1024'],
    ['compression.type', 'brotli', 'Invalid value brotli for configuration compression.type: String must be one of: uncompressed, zstd, lz4, snappy, gzip, producer'],
    // Kafka 4.3's KIP-848 and KIP-932 broker keys (GroupCoordinatorConfig, ShareGroupConfig).
    ['group.consumer.session.timeout.ms', 'soon', 'Invalid value soon for configuration group.consumer.session.timeout.ms: Not a number of type INT'],
    ['group.consumer.heartbeat.interval.ms', '0', 'Invalid value 0 for configuration group.consumer.heartbeat.interval.ms: Value must be at least 1'],
    ['group.consumer.migration.policy', 'sideways', 'Invalid value sideways for configuration group.consumer.migration.policy: String must be one of (case insensitive): DISABLED, DOWNGRADE, UPGRADE, BIDIRECTIONAL'],
    ['group.share.delivery.count.limit', '11', 'Invalid value 11 for configuration group.share.delivery.count.limit: Value must be no more than 10'],
    ['group.share.record.lock.duration.ms', '999', 'Invalid value 999 for configuration group.share.record.lock.duration.ms: Value must be at least 1000'],
    ['group.share.assignor.offload.enable', 'yes', 'Invalid value yes for configuration group.share.assignor.offload.enable: Expected value to be either true or false'],
    // Each within its own range, but outside the bounds the other keys set.
    ['group.consumer.session.timeout.ms', '30000', 'group.consumer.session.timeout.ms must be greater than or equal to group.consumer.min.session.timeout.ms'],
    ['group.consumer.heartbeat.interval.ms', '20000', 'group.consumer.heartbeat.interval.ms must be less than or equal to group.consumer.max.heartbeat.interval.ms'],
    ['group.share.min.session.timeout.ms', '50000', 'group.share.session.timeout.ms must be greater than or equal to group.share.min.session.timeout.ms'],
    ['group.share.record.lock.duration.ms', '10000', 'group.share.record.lock.duration.ms must be greater than or equal to group.share.min.record.lock.duration.ms'],
  ])('%s=%j → %s', (name, value, message) => {
    expect(() => from([[name, value]])).toThrow(new BrokerConfigError(message))
    expect(() => from([[name, value]])).toThrow(BrokerConfigError)
  })

  it('takes group keys that agree with each other', () => {
    const config = from([
      ['group.consumer.min.session.timeout.ms', '10000'],
      ['group.consumer.session.timeout.ms', '10000'],
      ['group.consumer.min.heartbeat.interval.ms', '1000'],
      ['group.consumer.heartbeat.interval.ms', '1000'],
      ['group.consumer.migration.policy', 'Upgrade'],
    ])
    expect(config.staticProps.get('group.consumer.session.timeout.ms')).toBe('10000')
    expect(() => from([['group.consumer.heartbeat.interval.ms', '45000'], ['group.consumer.max.heartbeat.interval.ms', '60000'], ['group.consumer.session.timeout.ms', '45000']])).toThrow(
      new BrokerConfigError('group.consumer.heartbeat.interval.ms must be less than group.consumer.session.timeout.ms'),
    )
  })

  it('trims values as ConfigDef does', () => {
    expect(from([['node.id', ' 7 ']]).nodeId).toBe(7)
    expect(from([['delete.topic.enable', 'FALSE']]).deleteTopicEnable).toBe(false)
  })

  it('falls back to broker.id when node.id is absent', () => {
    expect(from([['broker.id', '3']]).nodeId).toBe(3)
    expect(from([['broker.id', '3'], ['node.id', '4']]).nodeId).toBe(4)
  })
})

describe('listeners', () => {
  it('parses host, empty host and bracketed IPv6 hosts, upper-casing the name', () => {
    expect(parseListener('PLAINTEXT://localhost:9092')).toEqual({ name: 'PLAINTEXT', host: 'localhost', port: 9092, securityProtocol: 'PLAINTEXT' })
    expect(parseListener('PLAINTEXT://:9092')).toMatchObject({ host: '', port: 9092 })
    expect(parseListener('PLAINTEXT://[::1]:9092')).toMatchObject({ host: '::1', port: 9092 })
    expect(parseListener('plaintext://0.0.0.0:19092')).toMatchObject({ name: 'PLAINTEXT', host: '0.0.0.0', port: 19092 })
  })

  it("rejects what EndPoint's pattern does not match", () => {
    expect(() => parseListener('localhost:9092')).toThrow('Unable to parse localhost:9092 to a broker endpoint')
    expect(() => parseListener('PLAINTEXT://localhost')).toThrow('Unable to parse PLAINTEXT://localhost to a broker endpoint')
    expect(() => parseListener('PLAINTEXT://host name:9092')).toThrow('Unable to parse PLAINTEXT://host name:9092 to a broker endpoint')
  })

  it('needs a security protocol for every listener name', () => {
    expect(() => from([['listeners', 'PLAINTEXT://:9092,CONTROLLER://:9093']])).toThrow(
      "Error creating broker listeners from 'PLAINTEXT://:9092,CONTROLLER://:9093': No security protocol defined for listener CONTROLLER",
    )
    const c = from([
      ['listeners', 'INTERNAL://:9092'],
      ['listener.security.protocol.map', 'INTERNAL:SASL_PLAINTEXT'],
    ])
    expect(c.listeners[0]?.securityProtocol).toBe('SASL_PLAINTEXT')
  })

  it('requires distinct names, and distinct ports except on advertised listeners', () => {
    expect(() => parseListeners('PLAINTEXT://:9092,PLAINTEXT://:9093')).toThrow(
      'requirement failed: Each listener must have a different name, listeners: PLAINTEXT://:9092,PLAINTEXT://:9093',
    )
    expect(() => parseListeners('PLAINTEXT://:9092,SSL://:9092')).toThrow(
      'requirement failed: Each listener must have a different port, listeners: PLAINTEXT://:9092,SSL://:9092',
    )
    expect(parseListeners('PLAINTEXT://a:9092,SSL://b:9092', undefined, false)).toHaveLength(2)
  })

  it('defaults advertised listeners to the listeners and rejects 0.0.0.0 there', () => {
    const c = from([['listeners', 'PLAINTEXT://127.0.0.1:29092']])
    expect(c.advertisedListeners).toEqual(c.listeners)
    expect(() => from([['listeners', 'PLAINTEXT://0.0.0.0:9092']])).toThrow(
      'requirement failed: advertised.listeners cannot use the nonroutable meta-address 0.0.0.0. Use a routable IP address.',
    )
    const ok = from([
      ['listeners', 'PLAINTEXT://0.0.0.0:9092'],
      ['advertised.listeners', 'PLAINTEXT://kafka.example:9092'],
    ])
    expect(ok.advertisedListeners).toEqual([{ name: 'PLAINTEXT', host: 'kafka.example', port: 9092, securityProtocol: 'PLAINTEXT' }])
  })
})
