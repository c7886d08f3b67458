import { KafkaError, fail, type Outcome } from '../broker/kafka-error.js'
import type { TopicRow } from '../broker/records.js'

/** A per-partition answer of a topic that may not exist: Kafka's UNKNOWN_TOPIC_OR_PARTITION for all its partitions. */
export function ofExistingTopic<T>(row: TopicRow | undefined, answer: (row: TopicRow) => Outcome<T>): Outcome<T> {
  return row === undefined ? fail(new KafkaError('UNKNOWN_TOPIC_OR_PARTITION')) : answer(row)
}
