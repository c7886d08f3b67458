import type { KafkaError } from '../broker/kafka-error.js'

/** Java's exception class and message for a Kafka error, e.g. `org.apache.kafka.common.errors.GroupMaxSizeReachedException: …`. */
export function javaExceptionText(error: KafkaError): string {
  const name = error.errorName
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('')
  return `org.apache.kafka.common.errors.${name}Exception: ${error.message}`
}
