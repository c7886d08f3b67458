import fs from 'node:fs'

import { atLeast } from '../../broker/config-def.js'
import { JaasConfigError, parseJaasConfig } from '../../util/jaas-config.js'
import { ClientConfig } from '../client-configs.js'
import { ClientConfigError } from '../kafka-client.js'

// Kafka's client properties (--command-config, --producer.config, --consumer-property, …) turned into
// the connection options of the client library. Only what changes how we connect or time out is read
// here; producer and consumer settings are read by the tools that use them.

export type SaslMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512'

export interface TlsSettings {
  readonly ca?: string
  readonly cert?: string
  readonly key?: string
  readonly passphrase?: string
  readonly pfx?: Buffer
  /** ssl.endpoint.identification.algorithm empty: the certificate's host name is not checked. */
  readonly checkHostname: boolean
}

export interface ConnectionSettings {
  readonly bootstrap: readonly string[]
  readonly clientId: string
  /** socket.connection.setup.timeout.ms */
  readonly connectTimeoutMs: number
  /** request.timeout.ms */
  readonly requestTimeoutMs: number
  readonly retries: number
  readonly retryBackoffMs: number
  /** metadata.max.age.ms: routes older than this are asked again even when nothing failed. */
  readonly metadataMaxAgeMs: number
  readonly sasl?: { readonly mechanism: SaslMechanism; readonly username: string; readonly password: string }
  readonly tls?: TlsSettings
}

const SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const
const LOGIN_MODULES: Readonly<Record<SaslMechanism, string>> = {
  PLAIN: 'org.apache.kafka.common.security.plain.PlainLoginModule',
  'SCRAM-SHA-256': 'org.apache.kafka.common.security.scram.ScramLoginModule',
  'SCRAM-SHA-512': 'org.apache.kafka.common.security.scram.ScramLoginModule',
}

/** `host:port[,host:port]` as Kafka's tools accept it; a bad entry is refused with Kafka's text. */
export function parseBootstrapServers(text: string): string[] {
  const entries = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
  if (entries.length === 0) throw new ClientConfigError('No resolvable bootstrap urls given in bootstrap.servers')
  for (const e of entries) {
    const m = /^(\[[0-9a-fA-F:.]+\]|[^:\s]+):(\d+)$/.exec(e)
    const port = m ? Number(m[2]) : NaN
    if (!m || port < 0 || port > 65535) throw new ClientConfigError(`Invalid url in bootstrap.servers: ${e}`)
  }
  return entries
}

export function connectionSettings(bootstrap: string, props: ReadonlyMap<string, string>, defaultClientId: string): ConnectionSettings {
  const config = new ClientConfig(props)
  const int = (key: string, fallback: number, type: 'INT' | 'LONG' = 'INT'): number =>
    type === 'INT' ? config.int(key, fallback, atLeast(0)) : config.long(key, fallback, atLeast(0))
  const protocol = (props.get('security.protocol')?.trim() ?? 'PLAINTEXT').toUpperCase()
  if (!(SECURITY_PROTOCOLS as readonly string[]).includes(protocol)) {
    throw new ClientConfigError(`Invalid value ${props.get('security.protocol') ?? ''} for configuration security.protocol: String must be one of: ${SECURITY_PROTOCOLS.join(', ')}`)
  }
  const settings: ConnectionSettings = {
    bootstrap: parseBootstrapServers(bootstrap),
    clientId: props.get('client.id')?.trim() || defaultClientId,
    connectTimeoutMs: int('socket.connection.setup.timeout.ms', 10_000),
    requestTimeoutMs: int('request.timeout.ms', 30_000),
    // The tools fail fast rather than spending Java's default.api.timeout.ms (60 s) retrying a dead broker.
    retries: int('retries', 3) > 3 ? 3 : int('retries', 3),
    retryBackoffMs: int('retry.backoff.ms', 100, 'LONG'),
    metadataMaxAgeMs: int('metadata.max.age.ms', 300_000, 'LONG'),
  }
  return {
    ...settings,
    ...(protocol.startsWith('SASL_') ? { sasl: saslSettings(props) } : {}),
    ...(protocol.endsWith('SSL') ? { tls: tlsSettings(props) } : {}),
  }
}

function saslSettings(props: ReadonlyMap<string, string>): NonNullable<ConnectionSettings['sasl']> {
  const mechanism = (props.get('sasl.mechanism')?.trim() ?? 'GSSAPI').toUpperCase()
  if (!(mechanism in LOGIN_MODULES)) {
    throw new ClientConfigError(`SASL mechanism ${mechanism} is not supported by kafka-ts; use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.`)
  }
  const jaas = props.get('sasl.jaas.config')
  if (jaas === undefined) {
    throw new ClientConfigError(`Could not find a 'KafkaClient' entry in the JAAS configuration. System property 'java.security.auth.login.config' is not set`)
  }
  let entries
  try {
    entries = parseJaasConfig(jaas)
  } catch (err) {
    if (err instanceof JaasConfigError) throw new ClientConfigError(`Invalid value for configuration sasl.jaas.config: ${err.message}`)
    throw err
  }
  const entry = entries[0]
  if (entries.length !== 1 || entry === undefined) throw new ClientConfigError('JAAS config property contains ' + entries.length + ' login modules, should be 1 module')
  const expected = LOGIN_MODULES[mechanism as SaslMechanism]
  if (entry.loginModule !== expected) {
    throw new ClientConfigError(`sasl.jaas.config names ${entry.loginModule}, but sasl.mechanism ${mechanism} needs ${expected}.`)
  }
  const username = entry.options.get('username')
  const password = entry.options.get('password')
  if (username === undefined || password === undefined) throw new ClientConfigError('sasl.jaas.config needs username="…" and password="…".')
  return { mechanism: mechanism as SaslMechanism, username, password }
}

function tlsSettings(props: ReadonlyMap<string, string>): TlsSettings {
  const readBytes = (key: string): Buffer => {
    const file = props.get(key) ?? ''
    try {
      return fs.readFileSync(file)
    } catch (err) {
      throw new ClientConfigError(`Failed to load SSL keystore/truststore ${file} (${key}): ${(err as NodeJS.ErrnoException).code ?? String(err)}`)
    }
  }
  const read = (key: string): string => readBytes(key).toString('utf8')
  const storeType = (key: string): string => (props.get(key)?.trim() ?? 'JKS').toUpperCase()
  let ca: string | undefined
  if (props.has('ssl.truststore.certificates')) ca = props.get('ssl.truststore.certificates')
  else if (props.has('ssl.truststore.location')) {
    if (storeType('ssl.truststore.type') !== 'PEM') {
      throw new ClientConfigError(`ssl.truststore.type ${storeType('ssl.truststore.type')} is not supported by kafka-ts; give the CA certificates as PEM (ssl.truststore.type=PEM).`)
    }
    ca = read('ssl.truststore.location')
  }
  let cert: string | undefined
  let key: string | undefined
  let pfx: Buffer | undefined
  if (props.has('ssl.keystore.certificate.chain') || props.has('ssl.keystore.key')) {
    cert = props.get('ssl.keystore.certificate.chain')
    key = props.get('ssl.keystore.key')
  } else if (props.has('ssl.keystore.location')) {
    const type = storeType('ssl.keystore.type')
    if (type === 'PEM') {
      // One PEM file with the private key and the certificate chain, as Kafka's PEM keystore reads it.
      const text = read('ssl.keystore.location')
      cert = text
      key = text
    } else if (type === 'PKCS12') {
      // Binary (DER): read as bytes, never through a text decoding.
      pfx = readBytes('ssl.keystore.location')
    } else {
      throw new ClientConfigError(`ssl.keystore.type ${type} is not supported by kafka-ts; use PEM or PKCS12.`)
    }
  }
  // A PKCS12 file is opened with the keystore password; a PEM key is decrypted with the key password.
  const passphrase = pfx !== undefined ? (props.get('ssl.keystore.password') ?? props.get('ssl.key.password')) : props.get('ssl.key.password')
  return {
    ...(ca === undefined ? {} : { ca }),
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key }),
    ...(pfx === undefined ? {} : { pfx }),
    ...(passphrase === undefined ? {} : { passphrase }),
    checkHostname: (props.get('ssl.endpoint.identification.algorithm') ?? 'https').trim() !== '',
  }
}
