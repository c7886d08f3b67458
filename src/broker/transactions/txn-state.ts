// The transaction coordinator's state per transactional id (Kafka's TransactionMetadata and
// TransactionState): the states, which transitions are legal, and the epoch arithmetic of
// InitProducerId and EndTxn. Pure: no store, no clock.

import type { TransactionRow } from '../../storage/log-store.js'

export const TXN_STATES = [
  'Empty',
  'Ongoing',
  'PrepareCommit',
  'PrepareAbort',
  'CompleteCommit',
  'CompleteAbort',
  'Dead',
  'PrepareEpochFence',
] as const
export type TxnState = (typeof TXN_STATES)[number]

export const NO_PRODUCER_ID = -1
export const NO_PRODUCER_EPOCH = -1
/** Short.MAX_VALUE: an epoch at or above MAX - 1 is exhausted (the next bump rotates the producer id). */
const MAX_EPOCH = 32767

/** The transaction protocol version a client speaks (KIP-890): 2 bumps the epoch at every EndTxn. */
export type TxnVersion = 0 | 1 | 2

const ALLOWED_PREVIOUS: Readonly<Record<TxnState, readonly TxnState[]>> = {
  Empty: ['Empty', 'CompleteCommit', 'CompleteAbort'],
  Ongoing: ['Ongoing', 'Empty', 'CompleteCommit', 'CompleteAbort'],
  PrepareCommit: ['Ongoing'],
  // Empty and Complete* only under TV2 (an abort of a transaction the coordinator never saw partitions of).
  PrepareAbort: ['Ongoing', 'PrepareEpochFence', 'Empty', 'CompleteCommit', 'CompleteAbort'],
  CompleteCommit: ['PrepareCommit'],
  CompleteAbort: ['PrepareAbort'],
  Dead: ['Empty', 'CompleteCommit', 'CompleteAbort'],
  PrepareEpochFence: ['Ongoing'],
}

export function isTxnState(name: string): name is TxnState {
  return (TXN_STATES as readonly string[]).includes(name)
}

export function isEpochExhausted(epoch: number): boolean {
  return epoch >= MAX_EPOCH - 1
}

/** A transactional id's metadata being changed inside one store transaction. */
export type TxnMetadata = { -readonly [K in keyof TransactionRow]: TransactionRow[K] }

export function stateOf(meta: TxnMetadata): TxnState {
  if (!isTxnState(meta.state)) throw new Error(`transactional id ${meta.transactionalId}: unknown stored state ${meta.state}`)
  return meta.state
}

/** Moves to `to`, refusing a transition Kafka never makes (a coordinator bug, not a client error). */
export function transition(meta: TxnMetadata, to: TxnState, nowMs: number): void {
  const from = stateOf(meta)
  const allowed = ALLOWED_PREVIOUS[to].includes(from) && (to !== 'PrepareAbort' || from === 'Ongoing' || from === 'PrepareEpochFence' || meta.transactionVersion >= 2)
  if (!allowed) throw new Error(`transactional id ${meta.transactionalId}: illegal transition ${from} -> ${to}`)
  meta.state = to
  meta.lastUpdateTimestampMs = nowMs
}

export function newMetadata(transactionalId: string, producerId: number, timeoutMs: number, nowMs: number): TxnMetadata {
  return {
    transactionalId,
    producerId,
    previousProducerId: NO_PRODUCER_ID,
    producerEpoch: NO_PRODUCER_EPOCH,
    lastProducerEpoch: NO_PRODUCER_EPOCH,
    state: 'Empty',
    timeoutMs,
    startTimestampMs: -1,
    lastUpdateTimestampMs: nowMs,
    transactionVersion: 0,
  }
}

/**
 * Kafka's isValidProducerId for InitProducerId v3+: the producer id and epoch a restarting producer
 * names must be the current id, or the previous one with an exhausted epoch (a retry after a rotation).
 */
export function isValidProducerId(meta: TxnMetadata, producerId: number, producerEpoch: number): boolean {
  return (
    meta.producerEpoch === NO_PRODUCER_EPOCH ||
    producerId === meta.producerId ||
    (producerId === meta.previousProducerId && isEpochExhausted(producerEpoch))
  )
}

/**
 * InitProducerId from Empty/Complete*: the epoch goes up by one (prepareIncrementProducerEpoch); a
 * retry naming the previous epoch gets the current one again. Returns false for a fenced producer.
 */
export function incrementEpoch(meta: TxnMetadata, expectedEpoch: number | undefined): boolean {
  if (expectedEpoch === undefined) {
    meta.lastProducerEpoch = NO_PRODUCER_EPOCH
    meta.producerEpoch += 1
  } else if (meta.producerEpoch === NO_PRODUCER_EPOCH || expectedEpoch === meta.producerEpoch) {
    meta.lastProducerEpoch = meta.producerEpoch
    meta.producerEpoch += 1
  } else if (expectedEpoch !== meta.lastProducerEpoch) {
    return false
  }
  return true
}

/** A new producer id with epoch 0, once the old id's epochs are used up (prepareProducerIdRotation). */
export function rotateProducerId(meta: TxnMetadata, newProducerId: number, recordLastEpoch: boolean): void {
  meta.lastProducerEpoch = recordLastEpoch ? meta.producerEpoch : NO_PRODUCER_EPOCH
  meta.previousProducerId = meta.producerId
  meta.producerId = newProducerId
  meta.producerEpoch = 0
}
