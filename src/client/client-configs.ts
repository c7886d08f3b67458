import { parseConfigValue, type ConfigKeyDef, type ConfigType, type Validator } from '../broker/config-def.js'
import { hashSetTableSizeFor, javaHashSetOrder } from '../util/java/hash-set.js'
import { javaStringHashCode } from '../util/java/strings.js'
import { ClientConfigError } from './kafka-client.js'

// Kafka 4.3's client configs: the names each Java client defines (ProducerConfig, ConsumerConfig and
// AdminClientConfig, each with the common, SSL and SASL keys), so a tool can tell a key no Kafka client
// knows (AbstractConfig.logUnused names those) from one kafka-ts merely does not act on (README), and
// typed reads of the keys kafka-ts does act on, with ConfigDef's parsing and messages.

export type ClientKind = 'producer' | 'consumer' | 'admin'

/** The logger AbstractConfig.logUnused writes through: the client's config class. */
export const CONFIG_CLASS: Readonly<Record<ClientKind, string>> = {
  producer: 'org.apache.kafka.clients.producer.ProducerConfig',
  consumer: 'org.apache.kafka.clients.consumer.ConsumerConfig',
  admin: 'org.apache.kafka.clients.admin.AdminClientConfig',
}

/** Defined by every client (CommonClientConfigs; config.providers is AbstractConfig's own). */
const COMMON = [
  'bootstrap.servers',
  'client.dns.lookup',
  'client.id',
  'config.providers',
  'connections.max.idle.ms',
  'enable.metrics.push',
  'metadata.max.age.ms',
  'metadata.recovery.rebootstrap.trigger.ms',
  'metadata.recovery.strategy',
  'metric.reporters',
  'metrics.num.samples',
  'metrics.recording.level',
  'metrics.sample.window.ms',
  'receive.buffer.bytes',
  'reconnect.backoff.max.ms',
  'reconnect.backoff.ms',
  'request.timeout.ms',
  'retry.backoff.max.ms',
  'retry.backoff.ms',
  'security.protocol',
  'security.providers',
  'send.buffer.bytes',
  'socket.connection.setup.timeout.max.ms',
  'socket.connection.setup.timeout.ms',
]

/** SslConfigs.addClientSslSupport. */
const SSL = [
  'ssl.cipher.suites',
  'ssl.enabled.protocols',
  'ssl.endpoint.identification.algorithm',
  'ssl.engine.factory.class',
  'ssl.key.password',
  'ssl.keymanager.algorithm',
  'ssl.keystore.certificate.chain',
  'ssl.keystore.key',
  'ssl.keystore.location',
  'ssl.keystore.password',
  'ssl.keystore.type',
  'ssl.protocol',
  'ssl.provider',
  'ssl.secure.random.implementation',
  'ssl.trustmanager.algorithm',
  'ssl.truststore.certificates',
  'ssl.truststore.location',
  'ssl.truststore.password',
  'ssl.truststore.type',
]

/** SaslConfigs.addClientSaslSupport (with 4.1's OAuth client-assertion keys, KIP-1139). */
const SASL = [
  'sasl.client.callback.handler.class',
  'sasl.jaas.config',
  'sasl.kerberos.kinit.cmd',
  'sasl.kerberos.min.time.before.relogin',
  'sasl.kerberos.service.name',
  'sasl.kerberos.ticket.renew.jitter',
  'sasl.kerberos.ticket.renew.window.factor',
  'sasl.login.callback.handler.class',
  'sasl.login.class',
  'sasl.login.connect.timeout.ms',
  'sasl.login.read.timeout.ms',
  'sasl.login.refresh.buffer.seconds',
  'sasl.login.refresh.min.period.seconds',
  'sasl.login.refresh.window.factor',
  'sasl.login.refresh.window.jitter',
  'sasl.login.retry.backoff.max.ms',
  'sasl.login.retry.backoff.ms',
  'sasl.mechanism',
  'sasl.oauthbearer.assertion.algorithm',
  'sasl.oauthbearer.assertion.claim.aud',
  'sasl.oauthbearer.assertion.claim.exp.seconds',
  'sasl.oauthbearer.assertion.claim.iss',
  'sasl.oauthbearer.assertion.claim.jti.include',
  'sasl.oauthbearer.assertion.claim.nbf.seconds',
  'sasl.oauthbearer.assertion.claim.sub',
  'sasl.oauthbearer.assertion.file',
  'sasl.oauthbearer.assertion.private.key.file',
  'sasl.oauthbearer.assertion.private.key.passphrase',
  'sasl.oauthbearer.assertion.template.file',
  'sasl.oauthbearer.client.credentials.client.id',
  'sasl.oauthbearer.client.credentials.client.secret',
  'sasl.oauthbearer.clock.skew.seconds',
  'sasl.oauthbearer.expected.audience',
  'sasl.oauthbearer.expected.issuer',
  'sasl.oauthbearer.header.urlencode',
  'sasl.oauthbearer.jwks.endpoint.refresh.ms',
  'sasl.oauthbearer.jwks.endpoint.retry.backoff.max.ms',
  'sasl.oauthbearer.jwks.endpoint.retry.backoff.ms',
  'sasl.oauthbearer.jwks.endpoint.url',
  'sasl.oauthbearer.jwt.retriever.class',
  'sasl.oauthbearer.jwt.validator.class',
  'sasl.oauthbearer.scope',
  'sasl.oauthbearer.scope.claim.name',
  'sasl.oauthbearer.sub.claim.name',
  'sasl.oauthbearer.token.endpoint.url',
]

const OWN: Readonly<Record<ClientKind, readonly string[]>> = {
  producer: [
    'acks',
    // Not a ProducerConfig key: kafka-ts's producers take it to leave a missing topic uncreated.
    'allow.auto.create.topics',
    'batch.size',
    'buffer.memory',
    'compression.gzip.level',
    'compression.lz4.level',
    'compression.type',
    'compression.zstd.level',
    'delivery.timeout.ms',
    'enable.idempotence',
    'interceptor.classes',
    'key.serializer',
    'linger.ms',
    'max.block.ms',
    'max.in.flight.requests.per.connection',
    'max.request.size',
    'metadata.max.idle.ms',
    'partitioner.adaptive.partitioning.enable',
    'partitioner.availability.timeout.ms',
    'partitioner.class',
    'partitioner.ignore.keys',
    'retries',
    'transaction.timeout.ms',
    'transactional.id',
    'value.serializer',
  ],
  consumer: [
    'allow.auto.create.topics',
    'auto.commit.interval.ms',
    'auto.offset.reset',
    'check.crcs',
    'client.rack',
    'default.api.timeout.ms',
    'enable.auto.commit',
    'exclude.internal.topics',
    'fetch.max.bytes',
    'fetch.max.wait.ms',
    'fetch.min.bytes',
    'group.id',
    'group.instance.id',
    'group.protocol',
    'group.remote.assignor',
    'heartbeat.interval.ms',
    'interceptor.classes',
    'isolation.level',
    'key.deserializer',
    'max.partition.fetch.bytes',
    'max.poll.interval.ms',
    'max.poll.records',
    'partition.assignment.strategy',
    'session.timeout.ms',
    'share.acknowledgement.mode',
    'value.deserializer',
  ],
  admin: ['default.api.timeout.ms', 'retries'],
}

const DEFINED: Readonly<Record<ClientKind, ReadonlySet<string>>> = {
  producer: new Set([...COMMON, ...SSL, ...SASL, ...OWN.producer]),
  consumer: new Set([...COMMON, ...SSL, ...SASL, ...OWN.consumer]),
  admin: new Set([...COMMON, ...SSL, ...SASL, ...OWN.admin]),
}

/**
 * The supplied keys this kind of client does not define, in the order AbstractConfig.unused() prints
 * them (a HashSet copied from every supplied key).
 */
export function unusedConfigs(kind: ClientKind, props: ReadonlyMap<string, string>): string[] {
  const keys = [...props.keys()]
  const unused = keys.filter((key) => !DEFINED[kind].has(key))
  return javaHashSetOrder(unused, javaStringHashCode, hashSetTableSizeFor(keys.length))
}

/** AbstractConfig.logUnused's message for these keys. */
export function unusedConfigsMessage(keys: readonly string[]): string {
  return `These configurations '[${keys.join(', ')}]' were supplied but are not used yet.`
}

/**
 * Typed reads of client properties as the Java client's ConfigDef parses them: the default when the key is
 * absent, else the value parsed and validated, or ClientConfigError with ConfigException's text.
 */
export class ClientConfig {
  constructor(readonly props: ReadonlyMap<string, string>) {}

  int(name: string, defaultValue: number, validator?: Validator): number {
    return Number(this.parse(name, 'int', validator) ?? defaultValue)
  }

  long(name: string, defaultValue: number, validator?: Validator): number {
    return Number(this.parse(name, 'long', validator) ?? defaultValue)
  }

  bool(name: string, defaultValue: boolean): boolean {
    const value = this.parse(name, 'boolean')
    return value === undefined ? defaultValue : value === true
  }

  string(name: string, defaultValue: string, validator?: Validator): string {
    const value = this.parse(name, 'string', validator)
    return value === undefined ? defaultValue : String(value)
  }

  private parse(name: string, type: ConfigType, validator?: Validator): ReturnType<typeof parseValue> | undefined {
    const raw = this.props.get(name)
    return raw === undefined ? undefined : parseValue({ name, type, defaultValue: null, ...(validator === undefined ? {} : { validator }) }, raw)
  }
}

function parseValue(def: ConfigKeyDef, raw: string): bigint | number | boolean | string | readonly string[] {
  const parsed = parseConfigValue(def, raw)
  if (!parsed.ok) throw new ClientConfigError(parsed.message)
  return parsed.value
}
