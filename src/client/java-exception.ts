import type { KafkaError } from '../broker/kafka-error.js'

// How Kafka's Java tools name a Kafka error: the exception class Errors.exception() gives and its
// Throwable.toString(). Shared by the commands and the clients (a consumer's fatal error reads the same).

// Kafka's exception classes whose names do not follow from the error name.
const EXCEPTION_CLASSES: Readonly<Record<string, string>> = {
  NON_EMPTY_GROUP: 'GroupNotEmptyException',
  GROUP_AUTHORIZATION_FAILED: 'GroupAuthorizationException',
  TOPIC_AUTHORIZATION_FAILED: 'TopicAuthorizationException',
  UNKNOWN_SERVER_ERROR: 'UnknownServerException',
  OFFSET_METADATA_TOO_LARGE: 'OffsetMetadataTooLarge',
  INVALID_TOPIC_EXCEPTION: 'InvalidTopicException',
  CORRUPT_MESSAGE: 'CorruptRecordException',
  KAFKA_STORAGE_ERROR: 'KafkaStorageException',
  MESSAGE_TOO_LARGE: 'RecordTooLargeException',
  RECORD_LIST_TOO_LARGE: 'RecordBatchTooLargeException',
  REQUEST_TIMED_OUT: 'TimeoutException',
}

/** `org.apache.kafka.common.errors.<Class>` for a Kafka error name (Errors.exception()). */
export function javaExceptionClass(errorName: string): string {
  const simple =
    EXCEPTION_CLASSES[errorName] ??
    `${errorName
      .toLowerCase()
      .split('_')
      .map((w) => (w === 'id' ? 'Id' : w.charAt(0).toUpperCase() + w.slice(1)))
      .join('')}Exception`
  return `org.apache.kafka.common.errors.${simple}`
}

/** Throwable.toString() of the exception Kafka's admin client raises for this error. */
export function javaErrorString(error: Pick<KafkaError, 'errorName' | 'message'>): string {
  return `${javaExceptionClass(error.errorName)}: ${error.message}`
}
