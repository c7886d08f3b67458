// Error translations the transaction APIs share on the wire.

import { KafkaError } from '../broker/kafka-error.js'

/**
 * Clients older than PRODUCER_FENCED (90) know it as INVALID_PRODUCER_EPOCH (47): Kafka answers so for
 * InitProducerId < v4 and EndTxn, AddPartitionsToTxn, AddOffsetsToTxn < v2.
 */
export function fencedForOldClients(error: KafkaError | undefined, old: boolean): KafkaError | undefined {
  return old && error?.errorName === 'PRODUCER_FENCED' ? new KafkaError('INVALID_PRODUCER_EPOCH', error.message) : error
}
