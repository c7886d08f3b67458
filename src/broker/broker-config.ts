// server.properties → typed BrokerConfig, with Kafka 3.9's defaults (core/.../server/KafkaConfig.scala,
// server/.../config/ServerConfigs.java, ServerLogConfigs.java, KRaftConfigs.java, GroupCoordinatorConfig.java)
// and its error texts: values go through the same ConfigDef parsing as topic configs, listeners through
// EndPoint.createEndPoint / CoreUtils.listenerListToEndPoints.
//
// Deliberate differences from Apache Kafka: `listeners` defaults to PLAINTEXT://localhost:9092 (Kafka:
// PLAINTEXT://:9092, all interfaces) so a bare kafka-ts broker stays on loopback; KRaft-only requirements
// (controller.quorum.voters, controller.listener.names) are not enforced because kafka-ts has no controller.

import { TOPIC_SYNONYM_BROKER_KEYS } from './topic-config-catalogue.js'
import { atLeast, parseConfigValue, validList, validString, type ConfigKeyDef, type ConfigType, type ParsedValue, type Validator } from './config-def.js'
import { javaTrim } from '../util/java/strings.js'

export interface Listener {
  /** Listener name, upper-cased as Kafka normalises it (PLAINTEXT, CONTROLLER, …). */
  readonly name: string
  /** Host as written; '' means all interfaces (and, when advertised, this machine's hostname). */
  readonly host: string
  readonly port: number
  /** From listener.security.protocol.map: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL. */
  readonly securityProtocol: string
}

export interface BrokerConfig {
  readonly nodeId: number
  readonly processRoles: readonly string[]
  readonly logDirs: readonly string[]
  /** metadata.log.dir, else the first log dir. */
  readonly metadataLogDir: string
  readonly listeners: readonly Listener[]
  /** What Metadata/FindCoordinator return: advertised.listeners (else listeners) minus controller listeners. */
  readonly advertisedListeners: readonly Listener[]
  readonly controllerListenerNames: readonly string[]
  readonly interBrokerListenerName: string
  readonly numPartitions: number
  readonly defaultReplicationFactor: number
  readonly autoCreateTopicsEnable: boolean
  readonly deleteTopicEnable: boolean
  readonly messageMaxBytes: number
  readonly socketRequestMaxBytes: number
  readonly socketSendBufferBytes: number
  readonly socketReceiveBufferBytes: number
  /** log.retention.ms > .minutes > .hours; negative means keep forever, reported as -1. */
  readonly logRetentionMs: number
  readonly logRetentionBytes: number
  readonly logRetentionCheckIntervalMs: number
  readonly logSegmentBytes: number
  /** log.roll.ms, else log.roll.hours in ms. */
  readonly logRollMs: number
  /** Comma list as configured, canonical form (e.g. `compact,delete`). */
  readonly logCleanupPolicy: string
  readonly minInsyncReplicas: number
  readonly compressionType: string
  readonly logMessageTimestampType: string
  readonly offsetsRetentionMinutes: number
  readonly offsetsRetentionCheckIntervalMs: number
  readonly offsetsTopicNumPartitions: number
  readonly offsetsTopicReplicationFactor: number
  readonly offsetMetadataMaxBytes: number
  readonly groupInitialRebalanceDelayMs: number
  readonly groupMinSessionTimeoutMs: number
  readonly groupMaxSessionTimeoutMs: number
  readonly groupMaxSize: number
  readonly transactionStateLogReplicationFactor: number
  readonly transactionStateLogMinIsr: number
  readonly transactionalIdExpirationMs: number
  /** C.1.5: the transaction coordinator's limits and timers. */
  readonly transactionMaxTimeoutMs: number
  readonly transactionAbortTimedOutTransactionCleanupIntervalMs: number
  readonly transactionRemoveExpiredTransactionCleanupIntervalMs: number
  readonly transactionStateLogNumPartitions: number
  readonly transactionPartitionVerificationEnable: boolean
  readonly transactionTwoPhaseCommitEnable: boolean
  readonly producerIdExpirationMs: number
  readonly fetchMaxBytes: number
  readonly numNetworkThreads: number
  readonly numIoThreads: number
  readonly numRecoveryThreadsPerDataDir: number
  /** The raw properties as given (static broker config), for DescribeConfigs sources and synonyms. */
  readonly staticProps: ReadonlyMap<string, string>
}

/** A server.properties value Kafka would refuse at start-up; the message is Kafka's. */
export class BrokerConfigError extends Error {
  override readonly name = 'BrokerConfigError'
}

const KAFKA_TS_DEFAULT_LISTENERS = 'PLAINTEXT://localhost:9092'
const DEFAULT_PROTOCOL_MAP = 'PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL'
const SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL']

const key = (name: string, type: ConfigType, defaultValue: string | null, validator?: Validator): ConfigKeyDef =>
  validator ? { name, type, defaultValue, validator } : { name, type, defaultValue }

/** The broker keys kafka-ts reads, with their validators. */
// The broker keys kafka-ts reads, in KafkaConfig's order where it matters little; topic-config synonyms
// (log.retention.hours, message.max.bytes, …) are appended from the topic catalogue so both agree.
export const BROKER_KEYS: readonly ConfigKeyDef[] = [
  key('process.roles', 'list', '', validList('broker', 'controller')),
  key('node.id', 'int', '-1'),
  key('broker.id', 'int', '-1'),
  key('controller.listener.names', 'string', null),
  key('listeners', 'string', KAFKA_TS_DEFAULT_LISTENERS),
  key('advertised.listeners', 'string', null),
  key('listener.security.protocol.map', 'string', DEFAULT_PROTOCOL_MAP),
  key('inter.broker.listener.name', 'string', null),
  key('security.inter.broker.protocol', 'string', 'PLAINTEXT', validString(...SECURITY_PROTOCOLS)),
  key('log.dir', 'string', '/tmp/kafka-logs'),
  key('log.dirs', 'string', null),
  key('metadata.log.dir', 'string', null),
  key('num.partitions', 'int', '1', atLeast(1)),
  key('default.replication.factor', 'int', '1'),
  key('auto.create.topics.enable', 'boolean', 'true'),
  key('delete.topic.enable', 'boolean', 'true'),
  key('socket.request.max.bytes', 'int', '104857600', atLeast(1)),
  key('socket.send.buffer.bytes', 'int', '102400'),
  key('socket.receive.buffer.bytes', 'int', '102400'),
  key('log.retention.check.interval.ms', 'long', '300000', atLeast(1)),
  key('offsets.retention.minutes', 'int', '10080', atLeast(1)),
  key('offsets.retention.check.interval.ms', 'long', '600000', atLeast(1)),
  key('offsets.topic.num.partitions', 'int', '50', atLeast(1)),
  key('offsets.topic.replication.factor', 'short', '3', atLeast(1)),
  key('offset.metadata.max.bytes', 'int', '4096'),
  key('group.initial.rebalance.delay.ms', 'int', '3000'),
  key('group.min.session.timeout.ms', 'int', '6000'),
  key('group.max.session.timeout.ms', 'int', '1800000'),
  key('group.max.size', 'int', '2147483647', atLeast(1)),
  key('transaction.state.log.replication.factor', 'short', '3', atLeast(1)),
  key('transaction.state.log.min.isr', 'int', '2', atLeast(1)),
  key('transactional.id.expiration.ms', 'int', '604800000', atLeast(1)),
  key('transaction.max.timeout.ms', 'int', '900000', atLeast(1)),
  key('transaction.abort.timed.out.transaction.cleanup.interval.ms', 'int', '10000', atLeast(1)),
  key('transaction.remove.expired.transaction.cleanup.interval.ms', 'int', '3600000', atLeast(1)),
  key('transaction.state.log.num.partitions', 'int', '50', atLeast(1)),
  key('transaction.state.log.segment.bytes', 'int', '104857600', atLeast(1)),
  key('transaction.partition.verification.enable', 'boolean', 'true'),
  key('transaction.two.phase.commit.enable', 'boolean', 'false'),
  key('add.partitions.to.txn.retry.backoff.ms', 'int', '20', atLeast(1)),
  key('add.partitions.to.txn.retry.backoff.max.ms', 'int', '100', atLeast(0)),
  key('producer.id.expiration.ms', 'int', '86400000', atLeast(1)),
  key('fetch.max.bytes', 'int', '57671680', atLeast(1024)),
  key('num.network.threads', 'int', '3', atLeast(1)),
  key('num.io.threads', 'int', '8', atLeast(1)),
  key('num.recovery.threads.per.data.dir', 'int', '2', atLeast(1)),
  ...TOPIC_SYNONYM_BROKER_KEYS,
]

/**
 * Reads server.properties (already parsed, e.g. by parseJavaProperties) into a BrokerConfig. Unknown keys
 * are kept in staticProps and otherwise ignored, as Kafka only logs them. Throws BrokerConfigError with
 * Kafka's message for a value Kafka would reject, e.g. `Invalid value abc for configuration node.id: Not a
 * number of type INT`.
 */
export function brokerConfigFrom(props: ReadonlyMap<string, string>): BrokerConfig {
  const values = new Map<string, ParsedValue | null>()
  for (const def of BROKER_KEYS) {
    const raw = props.get(def.name) ?? def.defaultValue
    if (raw === null) {
      values.set(def.name, null)
      continue
    }
    const parsed = parseConfigValue(def, raw)
    if (!parsed.ok) throw new BrokerConfigError(parsed.message)
    values.set(def.name, parsed.value)
  }
  const get = (name: string): ParsedValue | null => values.get(name) ?? null
  const int = (name: string): number => Number(get(name))
  const optionalInt = (name: string): number | undefined => {
    const v = get(name)
    return v === null ? undefined : Number(v)
  }
  const str = (name: string): string | undefined => {
    const v = get(name)
    return v === null ? undefined : String(v)
  }
  const bool = (name: string): boolean => get(name) === true
  const list = (name: string): string[] => {
    const v = get(name)
    return typeof v === 'object' && v !== null ? [...v] : []
  }

  const nodeIdSet = props.has('node.id')
  const nodeId = nodeIdSet ? int('node.id') : int('broker.id')

  const protocolMap = parseProtocolMap(str('listener.security.protocol.map') ?? DEFAULT_PROTOCOL_MAP)
  const listenersText = str('listeners') ?? KAFKA_TS_DEFAULT_LISTENERS
  const listeners = parseListeners(listenersText, protocolMap, true)
  const controllerListenerNames = parseCsvList(str('controller.listener.names')).map((n) => n.toUpperCase())
  const advertisedText = str('advertised.listeners')
  const advertisedAll = advertisedText === undefined ? listeners : parseListeners(advertisedText, protocolMap, false)
  const advertisedListeners = advertisedAll.filter((l) => !controllerListenerNames.includes(l.name))
  if (advertisedListeners.some((l) => l.host === '0.0.0.0')) {
    throw new BrokerConfigError(
      'requirement failed: advertised.listeners cannot use the nonroutable meta-address 0.0.0.0. Use a routable IP address.',
    )
  }

  const logDirs = parseCsvList(str('log.dirs') ?? str('log.dir'))
  const interBrokerListenerName =
    str('inter.broker.listener.name')?.toUpperCase() ?? str('security.inter.broker.protocol') ?? 'PLAINTEXT'

  const retentionMs = optionalInt('log.retention.ms')
  const retentionMinutes = optionalInt('log.retention.minutes')
  const logRetentionMs =
    retentionMs ?? (retentionMinutes !== undefined ? retentionMinutes * 60_000 : int('log.retention.hours') * 3_600_000)
  const rollMs = optionalInt('log.roll.ms')

  return {
    nodeId,
    processRoles: list('process.roles'),
    logDirs,
    metadataLogDir: str('metadata.log.dir') ?? logDirs[0] ?? '',
    listeners,
    advertisedListeners,
    controllerListenerNames,
    interBrokerListenerName,
    numPartitions: int('num.partitions'),
    defaultReplicationFactor: int('default.replication.factor'),
    autoCreateTopicsEnable: bool('auto.create.topics.enable'),
    deleteTopicEnable: bool('delete.topic.enable'),
    messageMaxBytes: int('message.max.bytes'),
    socketRequestMaxBytes: int('socket.request.max.bytes'),
    socketSendBufferBytes: int('socket.send.buffer.bytes'),
    socketReceiveBufferBytes: int('socket.receive.buffer.bytes'),
    logRetentionMs: logRetentionMs < 0 ? -1 : logRetentionMs,
    logRetentionBytes: int('log.retention.bytes'),
    logRetentionCheckIntervalMs: int('log.retention.check.interval.ms'),
    logSegmentBytes: int('log.segment.bytes'),
    logRollMs: rollMs ?? int('log.roll.hours') * 3_600_000,
    logCleanupPolicy: list('log.cleanup.policy').join(','),
    minInsyncReplicas: int('min.insync.replicas'),
    compressionType: str('compression.type') ?? 'producer',
    logMessageTimestampType: str('log.message.timestamp.type') ?? 'CreateTime',
    offsetsRetentionMinutes: int('offsets.retention.minutes'),
    offsetsRetentionCheckIntervalMs: int('offsets.retention.check.interval.ms'),
    offsetsTopicNumPartitions: int('offsets.topic.num.partitions'),
    offsetsTopicReplicationFactor: int('offsets.topic.replication.factor'),
    offsetMetadataMaxBytes: int('offset.metadata.max.bytes'),
    groupInitialRebalanceDelayMs: int('group.initial.rebalance.delay.ms'),
    groupMinSessionTimeoutMs: int('group.min.session.timeout.ms'),
    groupMaxSessionTimeoutMs: int('group.max.session.timeout.ms'),
    groupMaxSize: int('group.max.size'),
    transactionStateLogReplicationFactor: int('transaction.state.log.replication.factor'),
    transactionStateLogMinIsr: int('transaction.state.log.min.isr'),
    transactionalIdExpirationMs: int('transactional.id.expiration.ms'),
    transactionMaxTimeoutMs: int('transaction.max.timeout.ms'),
    transactionAbortTimedOutTransactionCleanupIntervalMs: int('transaction.abort.timed.out.transaction.cleanup.interval.ms'),
    transactionRemoveExpiredTransactionCleanupIntervalMs: int('transaction.remove.expired.transaction.cleanup.interval.ms'),
    transactionStateLogNumPartitions: int('transaction.state.log.num.partitions'),
    transactionPartitionVerificationEnable: bool('transaction.partition.verification.enable'),
    transactionTwoPhaseCommitEnable: bool('transaction.two.phase.commit.enable'),
    producerIdExpirationMs: int('producer.id.expiration.ms'),
    fetchMaxBytes: int('fetch.max.bytes'),
    numNetworkThreads: int('num.network.threads'),
    numIoThreads: int('num.io.threads'),
    numRecoveryThreadsPerDataDir: int('num.recovery.threads.per.data.dir'),
    staticProps: new Map(props),
  }
}

// EndPoint.uriParseExp; Scala's pattern match anchors it at both ends.
const ENDPOINT = /^(.*):\/\/\[?([0-9a-zA-Z\-%._:]*)\]?:(-?[0-9]+)$/

/**
 * One listener, e.g. `PLAINTEXT://localhost:9092`, `PLAINTEXT://:9092`, `CLIENT://[::1]:9092`.
 * Throws BrokerConfigError with EndPoint.createEndPoint's message.
 */
export function parseListener(
  text: string,
  protocolMap: ReadonlyMap<string, string> = parseProtocolMap(DEFAULT_PROTOCOL_MAP),
): Listener {
  const m = ENDPOINT.exec(text)
  if (!m) throw new BrokerConfigError(`Unable to parse ${text} to a broker endpoint`)
  const name = (m[1] ?? '').toUpperCase()
  const securityProtocol = protocolMap.get(name)
  if (securityProtocol === undefined) throw new BrokerConfigError(`No security protocol defined for listener ${name}`)
  const port = Number(m[3])
  if (!Number.isSafeInteger(port) || port > 2147483647) {
    throw new BrokerConfigError(`Unable to parse ${text} to a broker endpoint`)
  }
  return { name, host: m[2] ?? '', port, securityProtocol }
}

/** A comma list of listeners, with CoreUtils.listenerListToEndPoints' wrapping and uniqueness rules. */
export function parseListeners(
  text: string,
  protocolMap: ReadonlyMap<string, string> = parseProtocolMap(DEFAULT_PROTOCOL_MAP),
  requireDistinctPorts = true,
): Listener[] {
  let endpoints: Listener[]
  try {
    endpoints = parseCsvList(text).map((item) => parseListener(item, protocolMap))
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err)
    throw new BrokerConfigError(`Error creating broker listeners from '${text}': ${reason}`)
  }
  if (new Set(endpoints.map((e) => e.name)).size !== endpoints.length) {
    throw new BrokerConfigError(`requirement failed: Each listener must have a different name, listeners: ${text}`)
  }
  if (requireDistinctPorts) {
    const ports = endpoints.map((e) => e.port).filter((p) => p !== 0)
    if (new Set(ports).size !== ports.length) {
      throw new BrokerConfigError(`requirement failed: Each listener must have a different port, listeners: ${text}`)
    }
  }
  return endpoints
}

/**
 * listener.security.protocol.map, `NAME:PROTOCOL,…` (Csv.parseCsvMap, then SecurityProtocol.forName);
 * names are upper-cased as ListenerName.normalised does.
 */
export function parseProtocolMap(text: string): Map<string, string> {
  const configName = 'listener.security.protocol.map'
  const map = new Map<string, string>()
  for (const entry of parseCsvList(text)) {
    const colon = entry.lastIndexOf(':')
    if (colon < 0) {
      throw new BrokerConfigError(`Error parsing configuration property '${configName}': ${entry} is not of the form NAME:PROTOCOL`)
    }
    const protocol = javaTrim(entry.slice(colon + 1))
    if (!SECURITY_PROTOCOLS.includes(protocol.toUpperCase())) {
      throw new BrokerConfigError(`Invalid security protocol \`${protocol}\` defined in ${configName}`)
    }
    map.set(javaTrim(entry.slice(0, colon)).toUpperCase(), protocol.toUpperCase())
  }
  return map
}

/** CoreUtils.parseCsvList: split on commas with surrounding whitespace, dropping empty items. */
function parseCsvList(text: string | undefined): string[] {
  if (text === undefined || text === '') return []
  return text.split(/\s*,\s*/).filter((s) => s !== '')
}

// Last, so every constant above is initialised before it runs.
/** A broker with nothing configured: Kafka's defaults, listening on PLAINTEXT://localhost:9092. */
export const DEFAULT_BROKER_CONFIG: BrokerConfig = brokerConfigFrom(new Map())

/**
 * What embedded commands (no server.properties) run with: Kafka's defaults, except where Kafka's
 * quickstart config/server.properties sets a value for a single node on purpose —
 * group.initial.rebalance.delay.ms=0, so an embedded `console-consumer --group` gets its first records
 * at once instead of after 3 s. Shown as STATIC_BROKER_CONFIG, as a quickstart broker shows it.
 * server-start reads its server.properties (or nothing) as given.
 */
export const EMBEDDED_BROKER_CONFIG: BrokerConfig = brokerConfigFrom(new Map([['group.initial.rebalance.delay.ms', '0']]))
