import { ERRORS, errorByCode, type ErrorName } from '../protocol/error-codes.js'
import { PartitionNotFoundError, StoreDamagedError, StoreIoError, TopicNotFoundError } from '../storage/log-store.js'

/**
 * A Kafka-visible outcome: what the broker returns for one entity (a topic, a partition, a group).
 * The server turns it into `errorCode`/`errorMessage`; the CLI prints `message`.
 */
export class KafkaError extends Error {
  override name = 'KafkaError'
  readonly code: number

  constructor(
    readonly errorName: ErrorName,
    message?: string,
    options?: { cause?: unknown },
  ) {
    super(message ?? ERRORS[errorName].message, options)
    this.code = ERRORS[errorName].code
  }

  get retriable(): boolean {
    return ERRORS[this.errorName].retriable
  }

  /** The error's standard text (Errors.X.message() in Kafka), whatever this instance's message says. */
  get standardMessage(): string {
    return ERRORS[this.errorName].message
  }
}

/** One rejected record of a batch: its index in the batch and why. */
export interface RecordError {
  readonly batchIndex: number
  readonly message: string
}

/**
 * Kafka's RecordValidationException: INVALID_RECORD for the whole batch, with the failing records listed
 * (Produce v8+ returns them as record_errors) and LogValidator.processRecordErrors' summary as the message.
 */
export class RecordValidationError extends KafkaError {
  override name = 'RecordValidationError'

  constructor(
    readonly recordErrors: readonly RecordError[],
    errorName: 'INVALID_RECORD' | 'INVALID_TIMESTAMP' = 'INVALID_RECORD',
  ) {
    const shown = recordErrors.slice(0, 3).map((e) => `RecordError(batchIndex=${e.batchIndex}, message='${e.message}')`)
    super(
      errorName,
      // Kafka's LogValidator words the two cases differently (processRecordErrors).
      errorName === 'INVALID_TIMESTAMP'
        ? 'One or more records have been rejected due to invalid timestamp'
        : `One or more records have been rejected due to ${recordErrors.length} record errors in total, and only showing the first three errors at most: [${shown.join(', ')}]`,
    )
  }
}

/** Per-entity result: every entity of a request gets one, so one failure never hides another. */
export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: KafkaError }

export const ok = <T>(value: T): Outcome<T> => ({ ok: true, value })
export const fail = <T = never>(error: KafkaError): Outcome<T> => ({ ok: false, error })

/** Wraps an unexpected failure as UNKNOWN_SERVER_ERROR, keeping the cause for the log. */
export function asKafkaError(err: unknown): KafkaError {
  if (err instanceof KafkaError) return err
  // The topic vanished between lookup and write (deleted by another process): Kafka's answer for that.
  if (err instanceof TopicNotFoundError || err instanceof PartitionNotFoundError) return new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', undefined, { cause: err })
  // The disk, the file system or a lock failed, not the request: Kafka's answer for an unusable log directory.
  if (err instanceof StoreIoError) return new KafkaError('KAFKA_STORAGE_ERROR', err.message, { cause: err })
  // A damaged database file (the message names it): Kafka's answer when a log directory fails.
  if (err instanceof StoreDamagedError) return new KafkaError('KAFKA_STORAGE_ERROR', err.message, { cause: err })
  const message = err instanceof Error ? err.message : String(err)
  return new KafkaError('UNKNOWN_SERVER_ERROR', message, { cause: err })
}

/** A KafkaError for an error name as another Kafka implementation reports it (e.g. a client library), if the name is Kafka's. */
export function kafkaErrorNamed(name: string, message?: string | null, options?: { cause?: unknown }): KafkaError | undefined {
  if (!Object.hasOwn(ERRORS, name)) return undefined
  return new KafkaError(name as ErrorName, message ?? undefined, options)
}

/** A KafkaError for an error code a broker answered with (the broker's message when it sent one); unknown codes read as UNKNOWN_SERVER_ERROR. */
export function kafkaErrorForCode(code: number, message?: string | null): KafkaError {
  const info = errorByCode(code)
  if (Object.hasOwn(ERRORS, info.name)) return new KafkaError(info.name as ErrorName, message ?? undefined)
  return new KafkaError('UNKNOWN_SERVER_ERROR', message ?? info.message)
}
