import { KafkaError, kafkaErrorNamed } from '../../broker/kafka-error.js'
import { ConnectionFailure } from '../kafka-client.js'
import { AuthenticationFailure, BrokerIoError } from './wire/wire-errors.js'

// The client library reports failures as its own error classes (a protocol error carries Kafka's error
// name in `apiId`; several at once come as an AggregateError). The commands speak KafkaError, so a
// remote failure reads exactly like the embedded one; what is not a Kafka error (no route, refused,
// closed, timed out, authentication) becomes one line that names the address.

interface LibraryError extends Error {
  code?: string
  apiId?: string
  serverErrorMessage?: string | null
  errors?: unknown[]
  path?: string
  host?: string
  port?: number
}

/** Every Kafka error inside `err` (it may be an aggregate of several). */
export function kafkaErrorsIn(err: unknown): KafkaError[] {
  if (err instanceof KafkaError) return [err]
  const e = err as LibraryError | undefined
  if (e === undefined || e === null || typeof e !== 'object') return []
  const found: KafkaError[] = []
  if (typeof e.apiId === 'string') {
    // Kafka's own text for the code, unless the broker sent a specific message.
    const named = kafkaErrorNamed(e.apiId, e.serverErrorMessage ?? undefined, { cause: err })
    if (named) found.push(named)
  }
  for (const inner of e.errors ?? []) found.push(...kafkaErrorsIn(inner))
  return found
}

/** The first Kafka error inside `err`, else undefined. */
export function kafkaErrorIn(err: unknown): KafkaError | undefined {
  return kafkaErrorsIn(err)[0]
}

/**
 * What went wrong, as a thrown error the command layer renders in one line: a KafkaError when the
 * broker answered with one, else a ConnectionFailure naming the servers.
 */
export function remoteFailure(err: unknown, servers: readonly string[]): Error {
  const kafka = kafkaErrorIn(err)
  if (kafka) return kafka
  if (err instanceof ConnectionFailure && !(err instanceof BrokerIoError)) return err
  const text = err instanceof BrokerIoError ? describeBrokerIoError(err) : describeLibraryError(err)
  return new ConnectionFailure(`${text} (bootstrap servers: ${servers.join(',')})`, { cause: err })
}

/** Our connection layer's failures (wire/): its own text names the broker, except where the library's wording is kept. */
function describeBrokerIoError(err: BrokerIoError): string {
  if (err instanceof AuthenticationFailure) return err.message
  const cause = err.cause as LibraryError | undefined
  if (cause !== undefined && /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH)$/.test(cause.code ?? '')) return describeLibraryError(err)
  return tlsFailure(err) ?? err.message
}

function describeLibraryError(err: unknown): string {
  const e = err as LibraryError
  const messages = flatten(e)
  const code = e.code ?? ''
  if (/ECONNREFUSED/.test(messages)) return `Connection refused: no broker listening at ${addressesIn(messages) || 'the bootstrap servers'}`
  if (/ENOTFOUND|EAI_AGAIN/.test(messages)) return `Cannot resolve the host of ${addressesIn(messages) || 'the bootstrap servers'}`
  if (/EHOSTUNREACH|ENETUNREACH/.test(messages)) return `No route to ${addressesIn(messages) || 'the bootstrap servers'}`
  if (/SASL|[Aa]uthentication/.test(messages) || code === 'PLT_KFK_AUTHENTICATION') return authenticationText(e)
  const tls = tlsFailure(e)
  if (tls) return tls
  if (/certificate|self.signed|SSL|TLS|EPROTO/i.test(messages)) return `TLS handshake failed: ${firstLine(messages)}`
  if (/[Tt]imeout|timed out/.test(messages)) return 'Timed out waiting for the broker to answer'
  if (/Connection closed|ECONNRESET|EPIPE|socket hang up/.test(messages)) {
    return 'The broker closed the connection (is it a Kafka broker, and does its listener use this security protocol?)'
  }
  return firstLine(messages) || 'Unexpected failure talking to the broker'
}

/** Every error nested in `e` (its `errors` and `cause` chains), depth-first, `e` first. */
function nested(e: LibraryError | undefined, depth = 0): LibraryError[] {
  if (e === undefined || e === null || typeof e !== 'object' || depth > 6) return []
  const inner = [...(e.errors ?? []), ...(e.cause === undefined ? [] : [e.cause])] as LibraryError[]
  return [e, ...inner.flatMap((i) => nested(i, depth + 1))]
}

/** The broker's own SaslAuthenticate text (Kafka's, e.g. "Authentication failed: Invalid username or password"). */
function authenticationText(e: LibraryError): string {
  const all = nested(e)
  const fromBroker = all.find((x) => x.apiId === 'SASL_AUTHENTICATION_FAILED' && x.serverErrorMessage)?.serverErrorMessage
  if (fromBroker) return fromBroker
  const other = all.find((x) => typeof x.apiId === 'string' && x.serverErrorMessage)
  if (other?.serverErrorMessage) return `Authentication failed: ${other.serverErrorMessage}`
  return `Authentication failed: ${firstLine(flatten(e))}`
}

// Node's certificate verification codes, grouped by what the user has to change.
const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
])

/** One line for a failed TLS handshake, naming the broker address, or undefined when it is not one. */
function tlsFailure(e: LibraryError): string | undefined {
  const all = nested(e)
  const failure = all.find((x) => typeof x.code === 'string' && (UNTRUSTED.has(x.code) || /^(ERR_TLS_|ERR_SSL_|CERT_)/.test(x.code)))
  if (failure?.code === undefined) return undefined
  const address = all.map((x) => /Connection to (\S+) failed/.exec(String(x.message ?? ''))?.[1]).find((a) => a !== undefined)
  const where = address === undefined ? '' : ` with ${address}`
  // OpenSSL's texts end with a newline; the tools print one line.
  const detail = firstLine(String(failure.message ?? failure.code)).replace(/:\s*$/, '')
  if (UNTRUSTED.has(failure.code)) {
    return `TLS handshake${where} failed: the server certificate is not trusted (${detail}); give its CA in ssl.truststore.location (ssl.truststore.type=PEM)`
  }
  if (failure.code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `TLS handshake${where} failed: the server certificate is not for this host (${detail}); connect by a name it lists, or set ssl.endpoint.identification.algorithm= (empty) to skip the check`
  }
  if (failure.code === 'CERT_HAS_EXPIRED' || failure.code === 'CERT_NOT_YET_VALID') return `TLS handshake${where} failed: the server certificate is not valid now (${detail})`
  return `TLS handshake${where} failed: ${detail}`
}

function flatten(e: LibraryError | undefined, depth = 0): string {
  if (e === undefined || e === null || depth > 4) return ''
  const parts = [String(e.message ?? '')]
  for (const inner of e.errors ?? []) parts.push(flatten(inner as LibraryError, depth + 1))
  if (e.cause !== undefined) parts.push(flatten(e.cause as LibraryError, depth + 1))
  return parts.filter((p) => p !== '').join(' / ')
}

function addressesIn(text: string): string {
  const found = new Set(text.match(/(?:\[[0-9a-fA-F:]+\]|[\w.-]+):\d{1,5}/g) ?? [])
  return [...found].filter((a) => !/^(?:connect|Error)/.test(a)).join(', ')
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').trim()
}
