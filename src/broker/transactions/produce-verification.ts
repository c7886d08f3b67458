import type { BatchHeader } from '../../protocol/record-batch.js'
import type { ErrorName } from '../../protocol/error-codes.js'
import type { TopicRow } from '../../storage/log-store.js'
import { KafkaError } from '../kafka-error.js'
import type { TransactionCoordinator } from './coordinator.js'

// KIP-890 part 1, the produce side: before transactional batches reach the log, the coordinator confirms
// that each partition is in its producer's open transaction (or, for Produce v12+ under transaction.version
// 2, adds it), answering as Kafka's ReplicaManager does.

/** A transactional batch of a Produce request, for the produce-side check (verifyTransactionalProduce). */
export interface TransactionalProduce {
  readonly topic: TopicRow
  readonly partition: number
  readonly header: Pick<BatchHeader, 'producerId' | 'producerEpoch'>
}

/**
 * One verdict per batch, undefined = append it: not in the transaction → INVALID_TXN_STATE (Produce ≤ v10) /
 * TRANSACTION_ABORTABLE (v11+); a transition in progress → NOT_ENOUGH_REPLICAS (which every client retries);
 * batches of more than one producer → INVALID_PRODUCER_ID_MAPPING.
 */
export function verifyTransactionalProduce(
  coordinator: TransactionCoordinator,
  verificationEnabled: boolean,
  transactionalId: string,
  batches: readonly TransactionalProduce[],
  produceVersion: number,
): (KafkaError | undefined)[] {
  const addImplicitly = produceVersion >= 12 && coordinator.implicitAdd
  if (!addImplicitly && !verificationEnabled) return batches.map(() => undefined)
  const [first] = batches
  if (first === undefined) return []
  const { producerId, producerEpoch } = first.header
  const sameProducer = batches.map((b) => b.header.producerId === producerId && b.header.producerEpoch === producerEpoch)
  const verdict = coordinator.verifyPartitions(
    { transactionalId, producerId, producerEpoch },
    batches.filter((_, i) => sameProducer[i]),
    addImplicitly,
  )
  const notAdded = () =>
    new KafkaError(produceVersion >= 11 ? 'TRANSACTION_ABORTABLE' : 'INVALID_TXN_STATE', 'Partition was not added to the transaction')
  const whole = (name: ErrorName) =>
    name === 'CONCURRENT_TRANSACTIONS'
      ? new KafkaError('NOT_ENOUGH_REPLICAS', `Unable to verify the partition has been added to the transaction. Underlying error: ${name}`)
      : new KafkaError(name)
  let next = 0
  return batches.map((_, i) => {
    if (!sameProducer[i]) return new KafkaError('INVALID_PRODUCER_ID_MAPPING', 'Transactional records contained more than one producer ID')
    if ('error' in verdict) return whole(verdict.error)
    return verdict.partitions[next++] === undefined ? undefined : notAdded()
  })
}
