// What the transaction coordinator takes and answers, in Kafka's vocabulary and independent of wire versions.

import type { TopicRow } from '../../storage/log-store.js'
import type { Durability } from '../../storage/log-store.js'
import type { KafkaError, Outcome } from '../kafka-error.js'
import type { TxnVersion } from './txn-state.js'

export interface ProducerIdAndEpoch {
  readonly producerId: number
  readonly producerEpoch: number
}

/** InitProducerId / EndTxn: the error (if any) and the producer id and epoch to answer with. */
export interface ProducerIdResult extends ProducerIdAndEpoch {
  readonly error?: KafkaError
}

export interface TxnProducer extends ProducerIdAndEpoch {
  readonly transactionalId: string
}

export interface TxnPartition {
  readonly topic: TopicRow
  readonly partition: number
}

/** The control batch a transaction's end writes into each of its partitions. */
export interface TxnMarker extends ProducerIdAndEpoch {
  readonly commit: boolean
  readonly coordinatorEpoch: number
}

/** Writes the markers of one transaction (PartitionLog.writeTxnMarkers), inside the coordinator's store transaction. */
export type MarkerWriter = (partitions: readonly TxnPartition[], marker: TxnMarker, durability: Durability) => Outcome<void>[]

export interface EndTxnSpec extends TxnProducer {
  readonly commit: boolean
  /** 2 for EndTxn v5+ (epoch bump per transaction), else 0. */
  readonly transactionVersion: TxnVersion
}

export interface TxnOffsetCommitSpec extends TxnProducer {
  readonly groupId: string
  readonly generationId: number
  readonly memberId: string
  readonly groupInstanceId: string | null
  readonly topics: readonly {
    readonly name: string
    readonly partitions: readonly { readonly partition: number; readonly offset: number; readonly leaderEpoch: number; readonly metadata: string | null }[]
  }[]
}

/** DescribeTransactions' view of one id. */
export interface DescribedTransaction {
  readonly transactionalId: string
  readonly state: string
  readonly timeoutMs: number
  /** -1 when no transaction is open. */
  readonly startTimestampMs: number
  readonly producerId: number
  readonly producerEpoch: number
  readonly topics: readonly { readonly name: string; readonly partitions: readonly number[] }[]
}

export interface ListTransactionsFilter {
  readonly states: readonly string[]
  readonly producerIds: readonly number[]
  /** Running longer than this many ms; < 0 = no filter. */
  readonly durationMs: number
  /** Java regular expression; null or '' = no filter. */
  readonly transactionalIdPattern: string | null
}

export interface ListedTransaction {
  readonly transactionalId: string
  readonly producerId: number
  readonly state: string
}
