// kafka-consumer-groups reports execution errors on stdout and still exits 0 (cli.md §0.2, §4.2):
// `\nError: Executing consumer group command failed due to <message>`. Where Kafka's message is a Java
// exception's toString, kafka-ts prints the same class names so scripts that grep for them keep working.

import type { KafkaError } from '../../broker/kafka-error.js'

/** An execution failure: the command prints it Kafka's way and exits 0. */
export class GroupCommandFailure extends Error {
  override name = 'GroupCommandFailure'
}

/** `Executing consumer group command failed due to …` with a leading blank line, as printError writes it. */
export function failureText(message: string): string {
  return `\nError: Executing consumer group command failed due to ${message}\n`
}

// Kafka's exception classes whose names do not follow from the error name.
const EXCEPTION_CLASSES: Readonly<Record<string, string>> = {
  NON_EMPTY_GROUP: 'GroupNotEmptyException',
  GROUP_AUTHORIZATION_FAILED: 'GroupAuthorizationException',
  TOPIC_AUTHORIZATION_FAILED: 'TopicAuthorizationException',
  UNKNOWN_SERVER_ERROR: 'UnknownServerException',
  OFFSET_METADATA_TOO_LARGE: 'OffsetMetadataTooLarge',
  INVALID_TOPIC_EXCEPTION: 'InvalidTopicException',
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

/** What ExecutionException.toString() gives for a failed admin future. */
export function executionErrorString(error: Pick<KafkaError, 'errorName' | 'message'>): string {
  return `java.util.concurrent.ExecutionException: ${javaErrorString(error)}`
}

/** The admin client's answer for a partition or topic that does not exist. */
export const UNKNOWN_TOPIC_OR_PARTITION = { errorName: 'UNKNOWN_TOPIC_OR_PARTITION', message: 'This server does not host this topic-partition.' } as const
