import type { BrokerConfig, Listener } from '../../broker/broker-config.js'
import { JaasConfigError, parseJaasConfig } from '../../util/jaas-config.js'
import { PLAIN, PlainAuthenticator, plainUsersFrom } from './plain.js'

// What a SASL listener authenticates with, read from server.properties the way Kafka's
// SaslChannelBuilder does:
// - mechanisms: `listener.name.<listener>.sasl.enabled.mechanisms`, else `sasl.enabled.mechanisms`
//   (Kafka's default GSSAPI);
// - users: `listener.name.<listener>.<mechanism>.sasl.jaas.config` — on a broker that is the only
//   property form. A bare `sasl.jaas.config` (or `listener.name.<listener>.sasl.jaas.config`) is
//   ignored with Kafka's warning, and a listener without a JAAS entry fails start-up with Kafka's text
//   (kafka-ts has no static JAAS file, so no java.security.auth.login.config fallback).
// Listener and mechanism parts of the keys are lower-case, as ListenerName.configPrefix writes them.

export interface ListenerSasl {
  readonly listener: string
  /** The enabled mechanisms in configured order (what SaslHandshake reports). */
  readonly mechanisms: readonly string[]
  readonly plain: PlainAuthenticator
}

export class SaslConfigError extends Error {
  override readonly name = 'SaslConfigError'
}

/** The SASL set-up of one listener; undefined when the listener does not use SASL. */
export function listenerSasl(config: BrokerConfig, listener: Listener, log: (line: string) => void): ListenerSasl | undefined {
  if (listener.securityProtocol !== 'SASL_PLAINTEXT' && listener.securityProtocol !== 'SASL_SSL') return undefined
  if (listener.securityProtocol === 'SASL_SSL') {
    throw new SaslConfigError(`Listener ${listener.name} uses SASL_SSL; kafka-ts serves no TLS (use SASL_PLAINTEXT)`)
  }
  const props = config.staticProps
  const prefix = `listener.name.${listener.name.toLowerCase()}.`
  const mechanismsText = props.get(`${prefix}sasl.enabled.mechanisms`) ?? props.get('sasl.enabled.mechanisms') ?? 'GSSAPI'
  const mechanisms = mechanismsText
    .split(',')
    .map((m) => m.trim())
    .filter((m) => m !== '')
  const unsupported = mechanisms.filter((m) => m !== PLAIN)
  if (unsupported.length > 0 || mechanisms.length === 0) {
    throw new SaslConfigError(
      `Listener ${listener.name}: sasl.enabled.mechanisms=${mechanismsText}: kafka-ts supports only the PLAIN mechanism${unsupported.length > 0 ? ` (not ${unsupported.join(', ')})` : ''}`,
    )
  }
  const jaasKey = `${prefix}${PLAIN.toLowerCase()}.sasl.jaas.config`
  const jaasText = props.get(jaasKey)
  if (jaasText === undefined) {
    if (props.has('sasl.jaas.config') || props.has(`${prefix}sasl.jaas.config`)) {
      log('Server config sasl.jaas.config should be prefixed with SASL mechanism name, ignoring config')
    }
    throw new SaslConfigError(
      `Could not find a 'KafkaServer' or '${listener.name.toLowerCase()}.KafkaServer' entry in the JAAS configuration. System property 'java.security.auth.login.config' is not set (kafka-ts reads ${jaasKey})`,
    )
  }
  let entries
  try {
    entries = parseJaasConfig(jaasText)
  } catch (err) {
    if (err instanceof JaasConfigError) throw new SaslConfigError(`${jaasKey}: ${err.message}`)
    throw err
  }
  if (entries.length !== 1) {
    throw new SaslConfigError(`${jaasKey}: JAAS config property contains ${entries.length} login modules, should be 1 module`)
  }
  return { listener: listener.name, mechanisms, plain: new PlainAuthenticator(plainUsersFrom(entries)) }
}
