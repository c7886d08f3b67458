// Errors raised by the pure codec layer. Two classes on purpose: a ProtocolDecodeError means the request frame
// itself is unreadable (the server drops the connection), while a RecordBatchError is a per-partition outcome
// (the broker answers CORRUPT_MESSAGE / INVALID_RECORD for that partition and keeps the connection).

export interface ProtocolDecodeErrorDetails {
  /** Byte position in the buffer being decoded where the problem was found. */
  readonly offset?: number
  readonly apiKey?: number
  readonly apiVersion?: number
  readonly cause?: unknown
}

export class ProtocolDecodeError extends Error {
  override readonly name = 'ProtocolDecodeError'
  readonly offset: number | undefined
  readonly apiKey: number | undefined
  readonly apiVersion: number | undefined

  constructor(message: string, details: ProtocolDecodeErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause })
    this.offset = details.offset
    this.apiKey = details.apiKey
    this.apiVersion = details.apiVersion
  }
}

/**
 * Kafka-visible classification of a bad batch: CORRUPT_MESSAGE (error code 2) for bytes that fail framing, CRC or
 * decompression; INVALID_RECORD (error code 87) for a well-formed batch whose contents break the format rules.
 */
export type RecordBatchErrorKind = 'CORRUPT_MESSAGE' | 'INVALID_RECORD'

export class RecordBatchError extends Error {
  override readonly name = 'RecordBatchError'
  readonly kind: RecordBatchErrorKind

  constructor(kind: RecordBatchErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.kind = kind
  }
}
