import { KafkaError } from '../../broker/kafka-error.js'
import { ConnectionFailure } from '../kafka-client.js'
import { AuthenticationFailure, BrokerIoError } from './wire/wire-errors.js'

// A remote failure as the tools print it. The broker's own error codes arrive as KafkaErrors and pass
// through, so a remote failure reads exactly like the embedded one; a failure to talk to a broker at all
// (wire/wire-errors.ts: refused, unresolvable, closed, timed out, TLS, authentication) becomes one line
// that names the broker and the bootstrap servers.

/**
 * What went wrong, as a thrown error the command layer renders in one line: a KafkaError when the
 * broker answered with one, else a ConnectionFailure naming the servers.
 */
export function remoteFailure(err: unknown, servers: readonly string[]): Error {
  if (err instanceof KafkaError) return err
  if (err instanceof ConnectionFailure && !(err instanceof BrokerIoError)) return err
  const text = err instanceof BrokerIoError ? describeBrokerIoError(err) : err instanceof Error ? firstLine(err.message) : String(err)
  return new ConnectionFailure(`${text || 'Unexpected failure talking to the broker'} (bootstrap servers: ${servers.join(',')})`, { cause: err })
}

/** Node's socket error codes a user acts on, in words that name the broker. */
function describeBrokerIoError(err: BrokerIoError): string {
  if (err instanceof AuthenticationFailure) return err.message
  const code = (err.cause as NodeJS.ErrnoException | undefined)?.code ?? ''
  if (code === 'ECONNREFUSED') return `Connection refused: no broker listening at ${err.address}`
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `Cannot resolve the host of ${err.address}`
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return `No route to ${err.address}`
  return tlsFailure(err, code) ?? firstLine(err.message)
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
function tlsFailure(err: BrokerIoError, code: string): string | undefined {
  if (!UNTRUSTED.has(code) && !/^(ERR_TLS_|ERR_SSL_|CERT_)/.test(code)) return undefined
  const where = ` with ${err.address}`
  // OpenSSL's texts end with a newline; the tools print one line.
  const detail = firstLine((err.cause as Error | undefined)?.message ?? code).replace(/:\s*$/, '')
  if (UNTRUSTED.has(code)) {
    return `TLS handshake${where} failed: the server certificate is not trusted (${detail}); give its CA in ssl.truststore.location (ssl.truststore.type=PEM)`
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `TLS handshake${where} failed: the server certificate is not for this host (${detail}); connect by a name it lists, or set ssl.endpoint.identification.algorithm= (empty) to skip the check`
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return `TLS handshake${where} failed: the server certificate is not valid now (${detail})`
  return `TLS handshake${where} failed: ${detail}`
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').trim()
}
