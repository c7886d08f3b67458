import type { BrokerConfig, Listener } from '../../broker/broker-config.js'
import { isScramMechanism } from '../../broker/scram-credentials.js'
import { JaasConfigError, parseJaasConfig, type JaasEntry } from '../../util/jaas-config.js'
import { PLAIN, PlainAuthenticator, plainUsersFrom } from './plain.js'
import type { CredentialLookup } from './scram.js'

// What a SASL listener authenticates with, read from server.properties the way Kafka's
// SaslChannelBuilder does:
// - mechanisms: `listener.name.<listener>.sasl.enabled.mechanisms`, else `sasl.enabled.mechanisms`
//   (Kafka's default GSSAPI); kafka-ts serves PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512;
// - PLAIN users: `listener.name.<listener>.plain.sasl.jaas.config` — on a broker that is the only
//   property form. A bare `sasl.jaas.config` (or `listener.name.<listener>.sasl.jaas.config`) is
//   ignored with Kafka's warning, and a PLAIN listener without a JAAS entry fails start-up with Kafka's
//   text (kafka-ts has no static JAAS file, so no java.security.auth.login.config fallback);
// - SCRAM users: the salted credentials in the data directory (`storage format --add-scram`). Kafka
//   also wants a ScramLoginModule JAAS entry there (for inter-broker logins, which a single node does
//   not make): kafka-ts checks one when given but does not require it.
// Listener and mechanism parts of the keys are lower-case, as ListenerName.configPrefix writes them.

export interface ListenerSasl {
  readonly listener: string
  /** The enabled mechanisms in configured order (what SaslHandshake reports). */
  readonly mechanisms: readonly string[]
  /** Set when PLAIN is enabled. */
  readonly plain: PlainAuthenticator | undefined
  /** Where SCRAM mechanisms find a user's stored credential. */
  readonly scramCredentials: CredentialLookup
}

export class SaslConfigError extends Error {
  override readonly name = 'SaslConfigError'
}

/** The SASL set-up of one listener; undefined when the listener does not use SASL. */
export function listenerSasl(
  config: BrokerConfig,
  listener: Listener,
  log: (line: string) => void,
  scramCredentials: CredentialLookup = () => undefined,
): ListenerSasl | undefined {
  if (listener.securityProtocol !== 'SASL_PLAINTEXT' && listener.securityProtocol !== 'SASL_SSL') return undefined
  const props = config.staticProps
  const prefix = `listener.name.${listener.name.toLowerCase()}.`
  const mechanismsText = props.get(`${prefix}sasl.enabled.mechanisms`) ?? props.get('sasl.enabled.mechanisms') ?? 'GSSAPI'
  const mechanisms = mechanismsText
    .split(',')
    .map((m) => m.trim())
    .filter((m) => m !== '')
  const unsupported = mechanisms.filter((m) => m !== PLAIN && !isScramMechanism(m))
  if (unsupported.length > 0 || mechanisms.length === 0) {
    throw new SaslConfigError(
      `Listener ${listener.name}: sasl.enabled.mechanisms=${mechanismsText}: kafka-ts supports the PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 mechanisms${unsupported.length > 0 ? ` (not ${unsupported.join(', ')})` : ''}`,
    )
  }
  let plain: PlainAuthenticator | undefined
  for (const mechanism of mechanisms) {
    const jaasKey = `${prefix}${mechanism.toLowerCase()}.sasl.jaas.config`
    const jaasText = props.get(jaasKey)
    if (jaasText === undefined) {
      if (mechanism !== PLAIN) continue
      if (props.has('sasl.jaas.config') || props.has(`${prefix}sasl.jaas.config`)) {
        log('Server config sasl.jaas.config should be prefixed with SASL mechanism name, ignoring config')
      }
      throw new SaslConfigError(
        `Could not find a 'KafkaServer' or '${listener.name.toLowerCase()}.KafkaServer' entry in the JAAS configuration. System property 'java.security.auth.login.config' is not set (kafka-ts reads ${jaasKey})`,
      )
    }
    const entries = jaasEntries(jaasKey, jaasText)
    if (mechanism === PLAIN) plain = new PlainAuthenticator(plainUsersFrom(entries))
  }
  return { listener: listener.name, mechanisms, plain, scramCredentials }
}

function jaasEntries(jaasKey: string, jaasText: string): JaasEntry[] {
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
  return entries
}
