import type { BatchHeader } from '../protocol/record-batch.js'
import { KafkaError } from './kafka-error.js'

// Idempotent-producer bookkeeping, per (partition, producerId), as Kafka's ProducerStateManager
// does it: the epoch, and the sequence ranges and offsets of the last five batches, so a retried
// batch is answered with its original offsets instead of being appended twice, and a gap in the
// sequence is refused. State is rebuilt from the log tail the first time a partition is used in
// this process, so a restart does not forget recent batches.

/** Kafka keeps this many batches per producer for duplicate detection (max.in.flight = 5). */
export const RETAINED_BATCHES = 5

interface BatchEntry {
  readonly firstSeq: number
  readonly lastSeq: number
  readonly baseOffset: number
  readonly lastOffset: number
}

interface ProducerEntry {
  epoch: number
  readonly batches: BatchEntry[]
  /** Max timestamp of the producer's last batch (DescribeProducers' LastTimestamp). */
  lastTimestamp: number
  /** Offset of the producer's first batch of its open transaction here; -1 when none is open. */
  txnFirstOffset: number
  /** Coordinator epoch of the producer's last marker here; -1 before one. */
  coordinatorEpoch: number
}

/** An idempotent producer as DescribeProducers reports it (Kafka's ProducerStateEntry). */
export interface ActiveProducer {
  readonly producerId: number
  readonly producerEpoch: number
  /** Sequence of the last record of its last batch. */
  readonly lastSequence: number
  readonly lastTimestamp: number
  /** First offset of its open transaction in the partition, -1 when none. */
  readonly currentTxnStartOffset: number
  /** Coordinator epoch of its last transaction marker in the partition, -1 when none. */
  readonly coordinatorEpoch: number
}

export type SequenceVerdict = { readonly kind: 'append' } | { readonly kind: 'duplicate'; readonly baseOffset: number }

const MAX_SEQ = 2147483647

/** Sequence of the last record of a batch; sequences wrap from Int32.MAX to 0. */
export function lastSequenceOf(header: Pick<BatchHeader, 'baseSequence' | 'lastOffsetDelta'>): number {
  const last = header.baseSequence + header.lastOffsetDelta
  return last > MAX_SEQ ? last - MAX_SEQ - 1 : last
}

function nextSequence(seq: number): number {
  return seq === MAX_SEQ ? 0 : seq + 1
}

export class PartitionProducerState {
  /** The log offset up to which this state has counted the partition's batches. */
  seenUpTo = 0
  private readonly producers = new Map<number, ProducerEntry>()

  /** Decides what to do with an idempotent batch; throws the Kafka error for a fenced or out-of-order one. */
  check(header: BatchHeader): SequenceVerdict {
    const entry = this.producers.get(header.producerId)
    const firstSeq = header.baseSequence
    if (!entry) return { kind: 'append' }
    checkEpoch(header.producerId, header.producerEpoch, entry)
    // Kafka's ProducerAppendInfo: once a transaction is open, the producer's writes belong to it.
    if (!header.isTransactional && entry.txnFirstOffset >= 0 && header.producerEpoch === entry.epoch) {
      throw new KafkaError('INVALID_TXN_STATE', `Expected transactional write from producer ${header.producerId} at offset in partition`)
    }
    if (header.producerEpoch > entry.epoch) {
      if (firstSeq !== 0) {
        throw new KafkaError(
          'OUT_OF_ORDER_SEQUENCE_NUMBER',
          `Invalid sequence number for new epoch of producer ${header.producerId} at epoch ${header.producerEpoch} (request epoch), ${firstSeq} (seq. number), ${entry.epoch} (current producer epoch)`,
        )
      }
      return { kind: 'append' }
    }
    const lastSeq = lastSequenceOf(header)
    const dup = entry.batches.find((b) => b.firstSeq === firstSeq && b.lastSeq === lastSeq)
    if (dup) return { kind: 'duplicate', baseOffset: dup.baseOffset }
    const last = entry.batches[entry.batches.length - 1]
    if (last && firstSeq !== nextSequence(last.lastSeq)) {
      throw new KafkaError(
        'OUT_OF_ORDER_SEQUENCE_NUMBER',
        `Out of order sequence number for producer ${header.producerId} at offset: ${firstSeq} (incoming seq. number), ${last.lastSeq} (current end sequence number)`,
      )
    }
    return { kind: 'append' }
  }

  /**
   * Refuses a transaction marker from a producer epoch older than the producer's last seen one
   * (INVALID_PRODUCER_EPOCH), or from an older coordinator than its last marker's (a zombie coordinator:
   * TRANSACTION_COORDINATOR_FENCED), as Kafka's ProducerAppendInfo.appendEndTxnMarker.
   */
  checkMarker(producerId: number, producerEpoch: number, coordinatorEpoch: number): void {
    const entry = this.producers.get(producerId)
    if (!entry) return
    checkEpoch(producerId, producerEpoch, entry)
    if (entry.coordinatorEpoch > coordinatorEpoch) {
      throw new KafkaError(
        'TRANSACTION_COORDINATOR_FENCED',
        `Invalid coordinator epoch for ${producerId}: ${coordinatorEpoch} (zombie), ${entry.coordinatorEpoch} (current)`,
      )
    }
  }

  /**
   * Records an appended (or, while rebuilding, a stored) COMMIT or ABORT marker: the producer's open
   * transaction ends and its epoch becomes the marker's (the coordinator may have bumped it).
   */
  recordMarker(producerId: number, producerEpoch: number, coordinatorEpoch: number, timestamp: number): void {
    const entry = this.entryFor(producerId, producerEpoch)
    entry.txnFirstOffset = -1
    entry.coordinatorEpoch = coordinatorEpoch
    entry.lastTimestamp = timestamp
  }

  /** Records an appended (or, while rebuilding, a stored) idempotent batch; `maxTimestamp` as stored. */
  record(header: BatchHeader, baseOffset: number, maxTimestamp: number): void {
    const entry = this.entryFor(header.producerId, header.producerEpoch)
    entry.lastTimestamp = maxTimestamp
    if (header.isTransactional && entry.txnFirstOffset < 0) entry.txnFirstOffset = baseOffset
    entry.batches.push({
      firstSeq: header.baseSequence,
      lastSeq: lastSequenceOf(header),
      baseOffset,
      lastOffset: baseOffset + header.lastOffsetDelta,
    })
    if (entry.batches.length > RETAINED_BATCHES) entry.batches.shift()
  }

  private entryFor(producerId: number, producerEpoch: number): ProducerEntry {
    let entry = this.producers.get(producerId)
    if (!entry || producerEpoch > entry.epoch) {
      // A new epoch keeps the coordinator epoch: fencing a zombie coordinator outlives the producer's epoch bumps.
      entry = { epoch: producerEpoch, batches: [], lastTimestamp: -1, txnFirstOffset: -1, coordinatorEpoch: entry?.coordinatorEpoch ?? -1 }
      this.producers.set(producerId, entry)
    }
    return entry
  }

  /** Every producer with a batch in the state, by producer id. */
  activeProducers(): ActiveProducer[] {
    const out: ActiveProducer[] = []
    for (const [producerId, entry] of this.producers) {
      const last = entry.batches[entry.batches.length - 1]
      out.push({
        producerId,
        producerEpoch: entry.epoch,
        lastSequence: last?.lastSeq ?? -1,
        lastTimestamp: entry.lastTimestamp,
        currentTxnStartOffset: entry.txnFirstOffset,
        coordinatorEpoch: entry.coordinatorEpoch,
      })
    }
    return out.sort((a, b) => a.producerId - b.producerId)
  }
}

function checkEpoch(producerId: number, producerEpoch: number, entry: ProducerEntry): void {
  if (producerEpoch < entry.epoch) {
    throw new KafkaError(
      'INVALID_PRODUCER_EPOCH',
      `Epoch of producer ${producerId} at offset is ${producerEpoch}, which is smaller than the last seen epoch ${entry.epoch}`,
    )
  }
}
