// The transaction coordinator (Kafka's TransactionCoordinator, cli-4.md C.1.2) over the shared SQLite
// store. Every operation is one IMMEDIATE write transaction: load the id's metadata, settle what is due
// (a timed-out transaction is aborted, a Prepare* state left by a crash is completed), apply the request,
// write back. An end of transaction moves Prepare* → markers in every partition → Complete* inside that
// one transaction, so a crash leaves either the open transaction or the completed one, never a marker
// without its state (or the reverse) and never a hanging last stable offset.

import type { ErrorName } from '../../protocol/error-codes.js'
import type { LogStore, TopicRow, TransactionStore } from '../../storage/log-store.js'
import { PartitionNotFoundError } from '../../storage/log-store.js'
import type { BrokerConfig } from '../broker-config.js'
import type { GroupCoordinator } from '../groups/coordinator.js'
import { KafkaError } from '../kafka-error.js'
import { javaStringHashCode } from '../../util/java/strings.js'
import {
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  TXN_STATES,
  incrementEpoch,
  isEpochExhausted,
  isValidProducerId,
  newMetadata,
  rotateProducerId,
  stateOf,
  transition,
  type TxnMetadata,
  type TxnVersion,
} from './txn-state.js'
import type {
  DescribedTransaction,
  EndTxnSpec,
  ListTransactionsFilter,
  ListedTransaction,
  MarkerWriter,
  ProducerIdResult,
  TxnOffsetCommitSpec,
  TxnPartition,
  TxnProducer,
} from './types.js'
import { compileJavaRegex } from '../../util/java/regex.js'

export interface TransactionCoordinatorOptions {
  /** Milliseconds since the epoch; injectable so tests drive timeouts without sleeping. */
  readonly clock?: () => number
}

/** A single node is the coordinator of every __transaction_state partition, at one coordinator epoch. */
const COORDINATOR_EPOCH = 0
const MAX_EPOCH = 32767

/** Per-partition verdicts of a produce-side check (KIP-890): undefined = in the transaction. */
export type VerifyResult = { readonly error: ErrorName } | { readonly partitions: (ErrorName | undefined)[] }

export class TransactionCoordinator {
  private readonly clock: () => number

  constructor(
    private readonly store: LogStore,
    private readonly config: BrokerConfig,
    private readonly deps: {
      readonly writeMarkers: MarkerWriter
      /** After a store transaction that wrote markers rolled back: drop what the partitions cached of it. */
      readonly forgetPartitions: (partitions: readonly TxnPartition[]) => void
      readonly groups: () => GroupCoordinator
      /** The finalized transaction.version feature level. */
      readonly transactionVersion: () => number
    },
    options: TransactionCoordinatorOptions = {},
  ) {
    this.clock = options.clock ?? Date.now
  }

  private get txns(): TransactionStore {
    return this.store.transactions
  }

  // ---- InitProducerId -------------------------------------------------------------------------

  /**
   * InitProducerId with a transactional id: a new id starts at epoch 0; an existing one gets its epoch
   * bumped (a new producer id once the epoch is used up); an open transaction is aborted first (the old
   * producer is fenced) and the caller told CONCURRENT_TRANSACTIONS, so its retry bumps the epoch again.
   * `producerId`/`producerEpoch` -1 = not given (v0–v2, or a new producer).
   */
  initProducerId(transactionalId: string, transactionTimeoutMs: number, producerId: number, producerEpoch: number): ProducerIdResult {
    const refuse = (name: ErrorName, message?: string): ProducerIdResult => ({
      error: new KafkaError(name, message),
      producerId: NO_PRODUCER_ID,
      producerEpoch: NO_PRODUCER_EPOCH,
    })
    if (transactionalId === '') return refuse('INVALID_REQUEST', 'The transactional id must not be empty.')
    if (transactionTimeoutMs <= 0 || transactionTimeoutMs > this.config.transactionMaxTimeoutMs) {
      return refuse(
        'INVALID_TRANSACTION_TIMEOUT',
        `The transaction timeout ${transactionTimeoutMs} ms is not in (0, ${this.config.transactionMaxTimeoutMs}] (transaction.max.timeout.ms).`,
      )
    }
    const expected = producerId === NO_PRODUCER_ID ? undefined : { producerId, producerEpoch }
    const now = this.clock()
    return this.write(() => {
      const meta = this.load(transactionalId, now) ?? newMetadata(transactionalId, this.store.nextProducerId(), transactionTimeoutMs, now)
      if (expected !== undefined && !isValidProducerId(meta, expected.producerId, expected.producerEpoch)) return refuse('PRODUCER_FENCED')
      const state = stateOf(meta)
      if (state === 'Ongoing') {
        this.fenceAndAbort(meta, now)
        return refuse('CONCURRENT_TRANSACTIONS', 'The open transaction of the previous producer is being aborted; retry.')
      }
      if (state !== 'Empty' && state !== 'CompleteCommit' && state !== 'CompleteAbort') return refuse('CONCURRENT_TRANSACTIONS')
      if (isEpochExhausted(meta.producerEpoch)) {
        rotateProducerId(meta, this.store.nextProducerId(), expected !== undefined)
      } else if (!incrementEpoch(meta, expected?.producerEpoch)) {
        return refuse('PRODUCER_FENCED')
      }
      meta.timeoutMs = transactionTimeoutMs
      meta.startTimestampMs = -1
      transition(meta, 'Empty', now)
      this.txns.clearMembers(transactionalId)
      this.save(meta)
      return { producerId: meta.producerId, producerEpoch: meta.producerEpoch }
    })
  }

  // ---- AddPartitionsToTxn / AddOffsetsToTxn / produce-side verification ------------------------

  /** AddPartitionsToTxn (v0–v3, or v4+ without VerifyOnly): the partitions join the open transaction. */
  addPartitions(producer: TxnProducer, partitions: readonly TxnPartition[], transactionVersion: TxnVersion): KafkaError | undefined {
    const now = this.clock()
    return this.write(() => {
      const checked = this.checkProducer(producer, now)
      if (checked instanceof KafkaError) return checked
      const meta = checked
      const known = this.txns.partitions(meta.transactionalId)
      const has = (p: TxnPartition) => known.some((k) => k.topicId === p.topic.id && k.partition === p.partition)
      if (meta.state === 'Ongoing' && partitions.every(has)) return undefined
      this.begin(meta, transactionVersion, now)
      for (const p of partitions) this.txns.addPartition(meta.transactionalId, { topicId: p.topic.id, partition: p.partition })
      this.save(meta)
      return undefined
    })
  }

  /** AddOffsetsToTxn: the group's offsets (TxnOffsetCommit) become part of the open transaction. */
  addOffsets(producer: TxnProducer, groupId: string): KafkaError | undefined {
    const now = this.clock()
    return this.write(() => {
      const checked = this.checkProducer(producer, now)
      if (checked instanceof KafkaError) return checked
      const meta = checked
      if (meta.state === 'Ongoing' && this.txns.groups(meta.transactionalId).includes(groupId)) return undefined
      this.begin(meta, meta.transactionVersion as TxnVersion, now)
      this.txns.addGroup(meta.transactionalId, groupId)
      this.save(meta)
      return undefined
    })
  }

  /**
   * AddPartitionsToTxn v4+ with VerifyOnly, and the check before a transactional batch is appended
   * (KIP-890 part 1): each partition is in the producer's open transaction or TRANSACTION_ABORTABLE.
   * With `addImplicitly` (Produce v12+ under transaction.version 2) missing partitions are added instead.
   */
  verifyPartitions(producer: TxnProducer, partitions: readonly TxnPartition[], addImplicitly = false): VerifyResult {
    const now = this.clock()
    return this.write((): VerifyResult => {
      const checked = this.checkProducer(producer, now)
      if (checked instanceof KafkaError) return { error: checked.errorName }
      const meta = checked
      if (addImplicitly) {
        const known = this.txns.partitions(meta.transactionalId)
        const missing = partitions.filter((p) => !known.some((k) => k.topicId === p.topic.id && k.partition === p.partition))
        if (meta.state !== 'Ongoing' || missing.length > 0) {
          this.begin(meta, 2, now)
          for (const p of missing) this.txns.addPartition(meta.transactionalId, { topicId: p.topic.id, partition: p.partition })
          this.save(meta)
        }
        return { partitions: partitions.map(() => undefined) }
      }
      const known = meta.state === 'Ongoing' ? this.txns.partitions(meta.transactionalId) : []
      return {
        partitions: partitions.map((p) =>
          known.some((k) => k.topicId === p.topic.id && k.partition === p.partition) ? undefined : 'TRANSACTION_ABORTABLE',
        ),
      }
    })
  }

  /** Whether the broker's finalized transaction.version lets Produce v12+ / TxnOffsetCommit v5+ add implicitly. */
  get implicitAdd(): boolean {
    return this.deps.transactionVersion() >= 2
  }

  // ---- TxnOffsetCommit ------------------------------------------------------------------------

  /**
   * TxnOffsetCommit: the offsets wait in the transaction until its end (commit → the group's committed
   * offsets, abort → dropped). The group must be in the transaction (AddOffsetsToTxn, or implicitly for
   * v5+ under transaction.version 2); group membership is checked as for a transactional commit.
   * Results by topic and partition in request order; undefined = stored.
   */
  txnOffsetCommit(spec: TxnOffsetCommitSpec, apiVersion: number): (KafkaError | undefined)[][] {
    const now = this.clock()
    return this.write(() => {
      const everywhere = (error: KafkaError) => spec.topics.map((t) => t.partitions.map(() => error))
      const topics = new Map<string, TopicRow | undefined>()
      const topicOf = (name: string) => {
        if (!topics.has(name)) topics.set(name, this.store.findTopic(name))
        return topics.get(name)
      }
      const exists = (name: string, partition: number) => {
        const row = topicOf(name)
        return row !== undefined && partition >= 0 && partition < row.partitionCount
      }
      const checked = this.checkProducer(spec, now)
      let txnError: KafkaError | undefined
      if (checked instanceof KafkaError) txnError = checked
      else if (apiVersion >= 5 && this.implicitAdd) {
        if (checked.state !== 'Ongoing' || !this.txns.groups(spec.transactionalId).includes(spec.groupId)) {
          this.begin(checked, 2, now)
          this.txns.addGroup(spec.transactionalId, spec.groupId)
          this.save(checked)
        }
      } else if (checked.state !== 'Ongoing' || !this.txns.groups(spec.transactionalId).includes(spec.groupId)) {
        txnError = new KafkaError(
          apiVersion >= 4 ? 'TRANSACTION_ABORTABLE' : 'INVALID_TXN_STATE',
          `Group ${spec.groupId} is not in the transaction of ${spec.transactionalId} (AddOffsetsToTxn first).`,
        )
      }
      // Unknown partitions are answered first, as KafkaApis filters them before the coordinators.
      const unknown = new KafkaError('UNKNOWN_TOPIC_OR_PARTITION')
      if (txnError !== undefined) return spec.topics.map((t) => t.partitions.map((p) => (exists(t.name, p.partition) ? txnError : unknown)))
      const groupError = this.deps.groups().checkTransactionalCommit(spec, now)
      if (groupError !== undefined) {
        const error = new KafkaError(groupError)
        return spec.topics.map((t) => t.partitions.map((p) => (exists(t.name, p.partition) ? error : unknown)))
      }
      if (spec.topics.length === 0) return everywhere(unknown)
      return spec.topics.map((t) =>
        t.partitions.map((p) => {
          if (!exists(t.name, p.partition)) return unknown
          if (p.metadata !== null && p.metadata.length > this.config.offsetMetadataMaxBytes) return new KafkaError('OFFSET_METADATA_TOO_LARGE')
          this.txns.putPendingOffset({
            transactionalId: spec.transactionalId,
            groupId: spec.groupId,
            topicId: topicOf(t.name)!.id,
            partition: p.partition,
            offset: p.offset,
            leaderEpoch: p.leaderEpoch,
            metadata: p.metadata ?? '',
            commitTimestampMs: now,
          })
          return undefined
        }),
      )
    })
  }

  // ---- EndTxn ---------------------------------------------------------------------------------

  /**
   * EndTxn: from Ongoing, PrepareCommit/PrepareAbort, the markers, and CompleteCommit/CompleteAbort in one
   * store transaction. A retry of a decided transaction gets NONE; the other decision INVALID_TXN_STATE.
   * Under transaction version 2 every end bumps the epoch (a new producer id when it is used up), returned
   * to the client, and an abort with nothing in the transaction is allowed.
   */
  endTxn(spec: EndTxnSpec): ProducerIdResult {
    const none = { producerId: NO_PRODUCER_ID, producerEpoch: NO_PRODUCER_EPOCH }
    if (spec.transactionalId === '') return { ...none, error: new KafkaError('INVALID_REQUEST', 'The transactional id must not be empty.') }
    const now = this.clock()
    return this.write((): ProducerIdResult => {
      const meta = this.load(spec.transactionalId, now)
      if (meta === undefined) return { ...none, error: new KafkaError('INVALID_PRODUCER_ID_MAPPING') }
      const state = stateOf(meta)
      const v2 = meta.transactionVersion >= 2 || spec.transactionVersion >= 2
      const retryOnOverflow = v2 && meta.previousProducerId === spec.producerId && spec.producerEpoch === MAX_EPOCH - 1 && meta.producerEpoch === 0
      const retryOnEpochBump = v2 && meta.producerEpoch === spec.producerEpoch + 1
      const sameEpoch = spec.producerEpoch === meta.producerEpoch
      const decided = state === 'CompleteCommit' || state === 'CompleteAbort'
      const validEpoch = v2 && decided ? retryOnEpochBump || retryOnOverflow || sameEpoch : sameEpoch
      if (meta.producerId !== spec.producerId && !retryOnOverflow) return { ...none, error: new KafkaError('INVALID_PRODUCER_ID_MAPPING') }
      if (!validEpoch) return { ...none, error: new KafkaError('PRODUCER_FENCED') }
      const current = { producerId: meta.producerId, producerEpoch: meta.producerEpoch }
      const invalid = () => ({
        ...none,
        error: new KafkaError('INVALID_TXN_STATE', `Transaction ${spec.transactionalId} is in state ${state}: it cannot ${spec.commit ? 'commit' : 'abort'}.`),
      })
      if (state === 'Ongoing' || (v2 && !spec.commit && sameEpoch && (state === 'Empty' || decided))) {
        // TV2: the client may abort a transaction whose partitions the coordinator never saw (none added).
        this.end(meta, spec.commit, spec.transactionVersion, now)
        return { producerId: meta.producerId, producerEpoch: meta.producerEpoch }
      }
      if (decided) return (state === 'CompleteCommit') === spec.commit ? current : invalid()
      return invalid()
    })
  }

  // ---- DescribeTransactions / ListTransactions --------------------------------------------------

  describe(transactionalId: string): DescribedTransaction | KafkaError {
    const now = this.clock()
    return this.write(() => {
      const meta = this.load(transactionalId, now)
      if (meta === undefined) return new KafkaError('TRANSACTIONAL_ID_NOT_FOUND')
      const byTopic = new Map<string, number[]>()
      for (const tp of this.txns.partitions(transactionalId)) {
        const name = this.store.findTopicById(tp.topicId)?.name
        if (name === undefined) continue
        byTopic.set(name, [...(byTopic.get(name) ?? []), tp.partition])
      }
      // Kafka lists the group's __consumer_offsets partition (AddOffsetsToTxn adds that partition).
      for (const groupId of this.txns.groups(transactionalId)) {
        const partition = Math.abs(javaStringHashCode(groupId)) % this.config.offsetsTopicNumPartitions
        const list = byTopic.get('__consumer_offsets') ?? []
        if (!list.includes(partition)) list.push(partition)
        byTopic.set('__consumer_offsets', list)
      }
      return {
        transactionalId,
        state: meta.state,
        timeoutMs: meta.timeoutMs,
        startTimestampMs: meta.state === 'Ongoing' ? meta.startTimestampMs : -1,
        producerId: meta.producerId,
        producerEpoch: meta.producerEpoch,
        topics: [...byTopic].map(([name, partitions]) => ({ name, partitions: partitions.sort((a, b) => a - b) })),
      }
    })
  }

  /** ListTransactions; `unknownStates` are the filter names that are not states (Kafka reports them). */
  list(filter: ListTransactionsFilter): { transactions: ListedTransaction[]; unknownStates: string[] } | KafkaError {
    const known = new Set<string>(TXN_STATES)
    const unknownStates = filter.states.filter((s) => !known.has(s))
    let pattern: RegExp | undefined
    if (filter.transactionalIdPattern !== null && filter.transactionalIdPattern !== '') {
      try {
        pattern = compileJavaRegex(filter.transactionalIdPattern)
      } catch (err) {
        return new KafkaError('INVALID_REQUEST', `Invalid transactional id pattern: ${err instanceof Error ? err.message : String(err)}`)
      }
    }
    const now = this.clock()
    const transactions = this.txns
      .all()
      .filter((row) => row.state !== 'Dead')
      .filter((row) => filter.states.length === 0 || filter.states.includes(row.state))
      .filter((row) => filter.producerIds.length === 0 || filter.producerIds.includes(row.producerId))
      .filter((row) => filter.durationMs < 0 || (row.state === 'Ongoing' && now - row.startTimestampMs > filter.durationMs))
      .filter((row) => pattern === undefined || fullMatch(pattern, row.transactionalId))
      .map((row) => ({ transactionalId: row.transactionalId, producerId: row.producerId, state: row.state }))
    return { transactions, unknownStates }
  }

  // ---- timers ---------------------------------------------------------------------------------

  /**
   * transaction.abort.timed.out.transaction.cleanup.interval.ms: aborts every open transaction older than
   * its timeout (the epoch is bumped, so the late producer is fenced) and completes Prepare* states a crash
   * left. Returns the ids it ended.
   */
  abortTimedOut(nowMs: number = this.clock()): string[] {
    const due = this.txns
      .all()
      .filter((row) => (row.state === 'Ongoing' && row.startTimestampMs + row.timeoutMs <= nowMs) || row.state.startsWith('Prepare'))
    const ended: string[] = []
    for (const row of due) {
      this.write(() => {
        if (this.load(row.transactionalId, nowMs)?.state !== row.state) ended.push(row.transactionalId)
      })
    }
    return ended
  }

  /**
   * transactional.id.expiration.ms: ids with no transaction open (Empty, Complete*) and no change for that
   * long are removed (Kafka moves them to Dead and writes a tombstone). Returns the ids removed.
   */
  expireTransactionalIds(nowMs: number = this.clock()): string[] {
    const expired = this.txns
      .all()
      .filter((row) => ['Empty', 'CompleteCommit', 'CompleteAbort'].includes(row.state))
      .filter((row) => row.lastUpdateTimestampMs + this.config.transactionalIdExpirationMs <= nowMs)
    const removed: string[] = []
    for (const row of expired) {
      this.write(() => {
        const meta = this.load(row.transactionalId, nowMs)
        if (meta === undefined || meta.lastUpdateTimestampMs + this.config.transactionalIdExpirationMs > nowMs) return
        transition(meta, 'Dead', nowMs)
        this.txns.delete(row.transactionalId)
        removed.push(row.transactionalId)
      })
    }
    return removed
  }

  // ---- plumbing -------------------------------------------------------------------------------

  /** Partitions markers were written to in the current store transaction (forgotten if it rolls back). */
  private marked: TxnPartition[] = []

  private write<T>(work: () => T): T {
    this.marked = []
    try {
      return this.store.atomically(work, 'fsync')
    } catch (err) {
      if (this.marked.length > 0) this.deps.forgetPartitions(this.marked)
      throw err
    } finally {
      this.marked = []
    }
  }

  /** The id's metadata, with what is due settled: a Prepare* completed, an expired transaction aborted. */
  private load(transactionalId: string, nowMs: number): TxnMetadata | undefined {
    const row = this.txns.get(transactionalId)
    if (row === undefined) return undefined
    const meta: TxnMetadata = { ...row }
    const state = stateOf(meta)
    if (state === 'PrepareCommit' || state === 'PrepareAbort') {
      this.complete(meta, state === 'PrepareCommit', NO_PRODUCER_ID, nowMs)
    } else if (state === 'PrepareEpochFence') {
      transition(meta, 'PrepareAbort', nowMs)
      this.complete(meta, false, NO_PRODUCER_ID, nowMs)
    } else if (state === 'Ongoing' && meta.startTimestampMs + meta.timeoutMs <= nowMs) {
      this.fenceAndAbort(meta, nowMs)
    }
    return meta
  }

  private save(meta: TxnMetadata): void {
    this.txns.put(meta)
  }

  /** Kafka's checks of the producer naming a transaction (AddPartitionsToTxn, AddOffsetsToTxn, TxnOffsetCommit). */
  private checkProducer(producer: TxnProducer, nowMs: number): TxnMetadata | KafkaError {
    if (producer.transactionalId === '') return new KafkaError('INVALID_REQUEST', 'The transactional id must not be empty.')
    const meta = this.load(producer.transactionalId, nowMs)
    if (meta === undefined || meta.producerId !== producer.producerId) return new KafkaError('INVALID_PRODUCER_ID_MAPPING')
    if (meta.producerEpoch !== producer.producerEpoch) return new KafkaError('PRODUCER_FENCED')
    if (meta.state === 'PrepareCommit' || meta.state === 'PrepareAbort') return new KafkaError('CONCURRENT_TRANSACTIONS')
    return meta
  }

  /** Moves to Ongoing; the transaction's start time is set when one begins. */
  private begin(meta: TxnMetadata, transactionVersion: TxnVersion, nowMs: number): void {
    if (meta.state !== 'Ongoing') meta.startTimestampMs = nowMs
    meta.transactionVersion = transactionVersion
    transition(meta, 'Ongoing', nowMs)
  }

  /** EndTxn's decision: PrepareCommit/PrepareAbort (TV2: epoch + 1) and completion. */
  private end(meta: TxnMetadata, commit: boolean, transactionVersion: TxnVersion, nowMs: number): void {
    const bump = transactionVersion >= 2
    const nextProducerId = bump && isEpochExhausted(meta.producerEpoch) ? this.store.nextProducerId() : NO_PRODUCER_ID
    if (bump) {
      meta.lastProducerEpoch = meta.producerEpoch
      meta.producerEpoch += 1
    }
    meta.transactionVersion = transactionVersion
    if (meta.startTimestampMs === -1) meta.startTimestampMs = nowMs
    transition(meta, commit ? 'PrepareCommit' : 'PrepareAbort', nowMs)
    this.complete(meta, commit, nextProducerId, nowMs)
  }

  /** The old producer is fenced (epoch + 1, never handed out) and its open transaction aborted. */
  private fenceAndAbort(meta: TxnMetadata, nowMs: number): void {
    if (meta.producerEpoch < MAX_EPOCH) meta.producerEpoch += 1
    meta.lastProducerEpoch = NO_PRODUCER_EPOCH
    transition(meta, 'PrepareEpochFence', nowMs)
    transition(meta, 'PrepareAbort', nowMs)
    this.complete(meta, false, NO_PRODUCER_ID, nowMs)
  }

  /** Markers into every partition, the group offsets settled, then CompleteCommit/CompleteAbort. */
  private complete(meta: TxnMetadata, commit: boolean, nextProducerId: number, nowMs: number): void {
    const partitions: TxnPartition[] = []
    for (const tp of this.txns.partitions(meta.transactionalId)) {
      // A topic deleted during the transaction took its partitions with it (Kafka drops those markers).
      const topic = this.store.findTopicById(tp.topicId)
      if (topic !== undefined && tp.partition < topic.partitionCount) partitions.push({ topic, partition: tp.partition })
    }
    if (partitions.length > 0) {
      const marker = { producerId: meta.producerId, producerEpoch: meta.producerEpoch, commit, coordinatorEpoch: COORDINATOR_EPOCH }
      this.marked.push(...partitions)
      const results = this.deps.writeMarkers(partitions, marker, 'fsync')
      for (const r of results) if (!r.ok && r.error.errorName !== 'UNKNOWN_TOPIC_OR_PARTITION') throw r.error
    }
    if (commit) {
      try {
        this.deps.groups().applyTransactionalOffsets(this.txns.pendingOffsets(meta.transactionalId), nowMs)
      } catch (err) {
        if (!(err instanceof PartitionNotFoundError)) throw err
      }
    }
    this.txns.clearPendingOffsets(meta.transactionalId)
    this.txns.clearMembers(meta.transactionalId)
    transition(meta, commit ? 'CompleteCommit' : 'CompleteAbort', nowMs)
    if (nextProducerId !== NO_PRODUCER_ID) {
      // The epoch ran out: the client continues with a new producer id at epoch 0.
      meta.previousProducerId = meta.producerId
      meta.producerId = nextProducerId
      meta.producerEpoch = 0
    }
    this.save(meta)
  }
}

/** Java's Matcher.matches(): the whole id, compared as compileJavaRegex expects (a latin1 view of its UTF-8). */
function fullMatch(pattern: RegExp, text: string): boolean {
  const subject = Buffer.from(text, 'utf8').toString('latin1')
  pattern.lastIndex = 0
  const m = pattern.exec(subject)
  return m !== null && m.index === 0 && m[0].length === subject.length
}
