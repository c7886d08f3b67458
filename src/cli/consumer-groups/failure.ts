// kafka-consumer-groups reports execution errors on stdout and still exits 0 (cli.md §0.2, §4.2):
// `\nError: Executing consumer group command failed due to <message>`. Where Kafka's message is a Java
// exception's toString, kafka-ts prints the same class names so scripts that grep for them keep working.

import type { KafkaError } from '../../broker/kafka-error.js'
import { javaErrorString } from '../../client/java-exception.js'

/** An execution failure: the command prints it Kafka's way and exits 0. */
export class GroupCommandFailure extends Error {
  override name = 'GroupCommandFailure'
}

/** `Executing consumer group command failed due to …` with a leading blank line, as printError writes it. */
export function failureText(message: string): string {
  return `\nError: Executing consumer group command failed due to ${message}\n`
}

/** What ExecutionException.toString() gives for a failed admin future. */
export function executionErrorString(error: Pick<KafkaError, 'errorName' | 'message'>): string {
  return `java.util.concurrent.ExecutionException: ${javaErrorString(error)}`
}

/** The admin client's answer for a partition or topic that does not exist. */
export const UNKNOWN_TOPIC_OR_PARTITION = { errorName: 'UNKNOWN_TOPIC_OR_PARTITION', message: 'This server does not host this topic-partition.' } as const
