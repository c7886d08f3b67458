import { KafkaError, kafkaErrorNamed } from '../../broker/kafka-error.js'

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

/** A failure to reach or talk to the brokers; the message is the whole story (one line). */
export class ConnectionFailure extends Error {
  override name = 'ConnectionFailure'
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
  if (err instanceof ConnectionFailure) return err
  const text = describeLibraryError(err)
  return new ConnectionFailure(`${text} (bootstrap servers: ${servers.join(',')})`, { cause: err })
}

function describeLibraryError(err: unknown): string {
  const e = err as LibraryError
  const messages = flatten(e)
  const code = e.code ?? ''
  if (/ECONNREFUSED/.test(messages)) return `Connection refused: no broker listening at ${addressesIn(messages) || 'the bootstrap servers'}`
  if (/ENOTFOUND|EAI_AGAIN/.test(messages)) return `Cannot resolve the host of ${addressesIn(messages) || 'the bootstrap servers'}`
  if (/EHOSTUNREACH|ENETUNREACH/.test(messages)) return `No route to ${addressesIn(messages) || 'the bootstrap servers'}`
  if (/SASL|[Aa]uthentication/.test(messages) || code === 'PLT_KFK_AUTHENTICATION') return `Authentication failed: ${firstLine(messages)}`
  if (/certificate|self.signed|SSL|TLS|EPROTO/i.test(messages)) return `TLS handshake failed: ${firstLine(messages)}`
  if (/[Tt]imeout|timed out/.test(messages)) return 'Timed out waiting for the broker to answer'
  if (/Connection closed|ECONNRESET|EPIPE|socket hang up/.test(messages)) {
    return 'The broker closed the connection (is it a Kafka broker, and does its listener use this security protocol?)'
  }
  return firstLine(messages) || 'Unexpected failure talking to the broker'
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
