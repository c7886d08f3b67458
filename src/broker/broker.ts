import type { Durability, LogStore, OpenTxn, StableOffsets, TopicRow } from '../storage/log-store.js'
import type { BrokerConfig } from './broker-config.js'
import { fetchPartitions, type FetchPartitionResult, type FetchSpec } from './fetch.js'
import { ChangeStamp } from './change-stamp.js'
import { ReadEnds } from './read-ends.js'
import { FetchWaiters, type WaitResult } from './fetch-waiters.js'
import { FeatureAdmin } from './feature-admin.js'
import { GroupCommitter, type GroupCommitPolicy } from './group-commit.js'
import { GroupCoordinator } from './groups/coordinator.js'
import { TransactionCoordinator } from './transactions/coordinator.js'
import { verifyTransactionalProduce, type TransactionalProduce } from './transactions/produce-verification.js'
import { GroupConfigAdmin } from './groups/group-configs.js'
import { KafkaError, asKafkaError, fail, ok, type Outcome } from './kafka-error.js'
import { endOffsetForEpoch, type EpochEndOffset } from './leader-epoch.js'
import { describeLogDir, type LogDirDescription, type LogDirSelection } from './log-dirs.js'
import type { ActiveProducer } from './producer-state.js'
import { LogCleaner, type LogCleanerOptions, type LogCleanerStats } from './log-cleaner.js'
import { BackgroundLogCleaner, EMBEDDED_RESUME_MS, EMBEDDED_SLICE_MS } from './log-cleaner-schedule.js'
import { PartitionLog, type BatchValidation, type ProduceEntry, type ReadOptions } from './partition-log.js'
import { TopicAdmin } from './topic-admin.js'
import { TopicConfigAdmin, type ConfigChange, type DeleteRecordsEntry } from './topic-config-admin.js'
import type { DynamicBrokerConfigs, ResolvedConfig } from './topic-configs.js'
import type { BrokerConfigEntry } from './broker-config-describe.js'
import { DynamicBrokerConfigAdmin } from './dynamic-broker-configs.js'
import type {
  AppendResult,
  CreatedTopic,
  FetchedPartition,
  IsolationLevel,
  NamedOutcome,
  OffsetAndTimestamp,
  OffsetSpec,
  PartitionNewCount,
  TopicDescription,
  TopicSpec,
} from './types.js'
import type { ScramCredential, ScramMechanismName } from './scram-credentials.js'

export type { BatchValidation, ProduceEntry, ReadOptions } from './partition-log.js'
export type { OpenTxn, StableOffsets } from '../storage/log-store.js'
export type { AbortedTransaction, IsolationLevel } from './types.js'
export type { FetchPartitionResult, FetchPartitionSpec, FetchSpec } from './fetch.js'
export type { ConfigChange, ConfigOperation, DeleteRecordsEntry } from './topic-config-admin.js'
export type { LogCleanerOptions, LogCleanerStats } from './log-cleaner.js'
export type { Durability } from '../storage/log-store.js'
export type { EpochEndOffset } from './leader-epoch.js'
export type { LogDirDescription, LogDirSelection, LogDirTopic, LogDirPartition } from './log-dirs.js'
export type { ActiveProducer } from './producer-state.js'
export type { TransactionalProduce } from './transactions/produce-verification.js'

/** Produce requests wait for the rest of the event-loop turn, with no size bound: the server's batching is the clients'. */
const SERVER_GROUP_COMMIT: GroupCommitPolicy = { maxBytes: Infinity, maxWaitMs: 0 }

/**
 * The broker core: Kafka semantics over a LogStore. Both front ends — the embedded commands and the
 * wire-protocol server — call this facade, so they share one set of rules and error outcomes.
 * All methods are synchronous except the waits.
 */
export class Broker {
  private readonly admin: TopicAdmin
  private readonly topicConfigs: TopicConfigAdmin
  private readonly brokerConfigs: DynamicBrokerConfigAdmin
  private readonly log: PartitionLog
  private readonly waiters: FetchWaiters
  private readonly changeStamp: ChangeStamp
  /** Where this process last read each partition to its end (see `caughtUp`). */
  private readonly readEnds: ReadEnds
  /** The server's group commit (produceGrouped); every group commit opened here is flushed by close(). */
  private readonly committer: GroupCommitter
  private readonly committers: GroupCommitter[] = []
  private readonly cleaner: LogCleaner
  /** Set once a server runs the cleaner on timers; until then writers run it (embedded mode). */
  private background: BackgroundLogCleaner | undefined
  /** Embedded mode: before this time no writer of this process looks at the shared cleaner schedule. */
  private cleanerDueMs = 0
  private closed = false
  /**
   * Topic rows by name (undefined = known missing), valid while no other process has committed:
   * Produce and Fetch look topics up on every request. Own admin changes clear it explicitly.
   */
  private readonly topicCache = new Map<string, TopicRow | undefined>()
  private topicCacheStamp = -1
  /** Supported and finalized feature levels (ApiVersions, UpdateFeatures, the features tool). */
  readonly features: FeatureAdmin
  /** Kafka 4's per-group configs (kafka-configs --entity-type groups). */
  readonly groupConfigs: GroupConfigAdmin
  /** Topic names by topic id (hex), loaded whole on the first id lookup after a change (Fetch v13+, Produce v13). */
  private topicNamesById: Map<string, string> | undefined

  constructor(
    private readonly store: LogStore,
    readonly config: BrokerConfig,
  ) {
    this.changeStamp = new ChangeStamp(store)
    this.brokerConfigs = new DynamicBrokerConfigAdmin(store, config, () => this.nodeId, () => this.changeStamp.get())
    const dynamic = () => this.brokerConfigs.current()
    this.admin = new TopicAdmin(store, config, dynamic)
    this.topicConfigs = new TopicConfigAdmin(store, config, dynamic)
    this.log = new PartitionLog(store, config, dynamic)
    this.waiters = new FetchWaiters(this.changeStamp)
    this.readEnds = new ReadEnds(this.changeStamp)
    this.committer = this.groupCommit(SERVER_GROUP_COMMIT)
    this.cleaner = new LogCleaner(store, config, () => this.readEnds.clear())
    this.groupConfigs = new GroupConfigAdmin(store, config)
    this.features = new FeatureAdmin(store, store.meta().nodeId, config.staticProps.get('unstable.feature.versions.enable')?.trim() === 'true')
  }

  get clusterId(): string {
    return this.store.meta().clusterId
  }

  get nodeId(): number {
    return this.store.meta().nodeId
  }

  // ---- topics

  createTopics(specs: readonly TopicSpec[], opts?: { validateOnly?: boolean }): NamedOutcome<CreatedTopic>[] {
    this.forgetTopics()
    return this.admin.createTopics(specs, opts)
  }

  deleteTopics(names: readonly string[]): NamedOutcome<null>[] {
    this.forgetTopics()
    return this.admin.deleteTopics(names)
  }

  createPartitions(requests: readonly PartitionNewCount[], opts?: { validateOnly?: boolean }): NamedOutcome<number>[] {
    this.forgetTopics()
    return this.admin.createPartitions(requests, opts)
  }

  /** Every topic row, sorted by name. */
  listTopics(): TopicRow[] {
    return this.store.listTopics()
  }

  findTopic(name: string): TopicRow | undefined {
    this.checkTopicCaches()
    if (this.topicCache.has(name)) return this.topicCache.get(name)
    const row = this.store.findTopic(name)
    this.topicCache.set(name, row)
    return row
  }

  /** Looks a topic up by its Kafka topic id (16 bytes). */
  findTopicByUuid(uuid: Uint8Array): TopicRow | undefined {
    this.checkTopicCaches()
    this.topicNamesById ??= new Map(this.store.listTopics().map((t) => [t.uuid.toString('hex'), t.name]))
    const name = this.topicNamesById.get(Buffer.from(uuid.buffer, uuid.byteOffset, uuid.byteLength).toString('hex'))
    return name === undefined ? undefined : this.findTopic(name)
  }

  /** Drops the topic caches when another process has committed since they were filled. */
  private checkTopicCaches(): void {
    const stamp = this.changeStamp.get()
    if (stamp === this.topicCacheStamp) return
    this.forgetTopics()
    this.topicCacheStamp = stamp
  }

  /** Our own topic changes (create, delete, partitions, configs) make every cached row stale. */
  private forgetTopics(): void {
    this.topicCache.clear()
    this.topicNamesById = undefined
    this.readEnds.clear()
  }

  /** The topic row, or UNKNOWN_TOPIC_OR_PARTITION. */
  requireTopic(name: string): TopicRow {
    const row = this.findTopic(name)
    if (!row) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${name}' does not exist.`)
    return row
  }

  describeTopic(row: TopicRow): TopicDescription {
    return this.admin.describe(row)
  }

  // ---- configs

  describeTopicConfigs(topic: string, names: readonly string[] | null): Outcome<ResolvedConfig[]> {
    return this.topicConfigs.describe(topic, names)
  }

  /** AlterConfigs semantics: `entries` become the topic's complete set of overrides. */
  replaceTopicConfigs(topic: string, entries: ReadonlyMap<string, string>, opts: { validateOnly?: boolean } = {}): Outcome<null> {
    this.forgetTopics()
    return this.topicConfigs.replace(topic, entries, opts.validateOnly ?? false)
  }

  incrementalAlterTopicConfigs(topic: string, changes: readonly ConfigChange[], opts: { validateOnly?: boolean } = {}): Outcome<null> {
    this.forgetTopics()
    return this.topicConfigs.incremental(topic, changes, opts.validateOnly ?? false)
  }

  /** This node's dynamic broker configs (per-broker and cluster default), as topic configs resolve through them. */
  dynamicBrokerConfigs(): DynamicBrokerConfigs {
    return this.brokerConfigs.current()
  }

  /** DescribeConfigs of a BROKER resource: `entity` "" = the cluster-wide default, else this node's id. */
  describeBrokerConfigs(entity: string, names: readonly string[] | null): Outcome<BrokerConfigEntry[]> {
    return this.brokerConfigs.describe(entity, names)
  }

  /** AlterConfigs for a BROKER resource: `entries` become the entity's whole set of dynamic configs. */
  replaceBrokerConfigs(entity: string, entries: ReadonlyMap<string, string>, opts: { validateOnly?: boolean } = {}): Outcome<null> {
    return this.brokerConfigs.replace(entity, entries, opts.validateOnly ?? false)
  }

  incrementalAlterBrokerConfigs(entity: string, changes: readonly ConfigChange[], opts: { validateOnly?: boolean } = {}): Outcome<null> {
    return this.brokerConfigs.incremental(entity, changes, opts.validateOnly ?? false)
  }

  // ---- records

  deleteRecords(entries: readonly DeleteRecordsEntry[]): Outcome<number>[] {
    this.readEnds.clear()
    return this.topicConfigs.deleteRecords(entries)
  }

  /** A new idempotent producer id (never reused) with epoch 0. */
  initProducerId(): { producerId: number; producerEpoch: number } {
    return { producerId: this.store.nextProducerId(), producerEpoch: 0 }
  }

  /**
   * The produce-side check of transactional batches (KIP-890 part 1), before they reach the log: each
   * partition must be in the producer's open transaction — Produce v12+ under transaction.version 2 adds
   * it instead. One verdict per batch, undefined = append it. Errors as Kafka's ReplicaManager answers
   * them: not in the transaction → INVALID_TXN_STATE (Produce ≤ v10) / TRANSACTION_ABORTABLE (v11+); a
   * transition in progress → NOT_ENOUGH_REPLICAS (which every client retries).
   */
  verifyTransactionalProduce(transactionalId: string, batches: readonly TransactionalProduce[], produceVersion: number): (KafkaError | undefined)[] {
    return verifyTransactionalProduce(this.transactions, this.partitionVerificationEnabled(), transactionalId, batches, produceVersion)
  }

  /** transaction.partition.verification.enable: dynamic in Kafka (kafka-configs), so the per-broker, then cluster-wide dynamic value first. */
  private partitionVerificationEnabled(): boolean {
    const key = 'transaction.partition.verification.enable'
    const dynamic = this.brokerConfigs.current()
    const value = dynamic.broker?.get(key) ?? dynamic.clusterDefault?.get(key)
    return value === undefined ? this.config.transactionPartitionVerificationEnable : value.trim().toLowerCase() === 'true'
  }

  /** Validates and appends batches in one transaction; wakes waiting consumers after the commit. */
  produce(entries: readonly ProduceEntry[], durability: Durability, validation: BatchValidation = 'full'): Outcome<AppendResult>[] {
    const results = this.log.produce(entries, durability, validation)
    for (const e of entries) this.readEnds.forget(e.topic.id, e.partition)
    this.waiters.notify(entries.filter((_, i) => results[i]?.ok).map((e) => ({ topicId: e.topic.id, partition: e.partition })))
    this.cleanAfterWrite()
    return results
  }

  /**
   * The server's produce path: like `produce`, but requests arriving in the same event-loop turn
   * share one transaction (and one fsync with 'fsync').
   */
  produceGrouped(entries: readonly ProduceEntry[], durability: Durability): Promise<Outcome<AppendResult>[]> {
    return this.committer.submitAsync(entries, durability, 'full')
  }

  /** A group commit over `produce` with its own wait and size bound (the embedded producer's); close() flushes it. */
  groupCommit(policy: GroupCommitPolicy): GroupCommitter {
    const committer = new GroupCommitter((entries, durability, validation) => this.produce(entries, durability, validation), policy)
    this.committers.push(committer)
    return committer
  }

  /** A consumer's read (see PartitionLog.read): read_committed stops at the last stable offset and lists aborted transactions. */
  read(topic: TopicRow, partition: number, fromOffset: number, maxBytes: number, opts?: ReadOptions): Outcome<FetchedPartition> {
    // Taken before the read (this turn's reading): a commit by another process in between makes the
    // entry stale, never wrong.
    const stamp = this.changeStamp.get()
    const result = this.log.read(topic, partition, fromOffset, maxBytes, opts)
    if (result.ok) this.readEnds.remember(topic.id, partition, result.value, stamp)
    return result
  }

  /**
   * What a read of the partition from `offset` would answer when it is caught up (see `caughtUp`): no
   * batches and the offsets of the last read, which nothing in this process has moved since (appends,
   * DeleteRecords, the log cleaner and topic changes forget them). A Fetch of many partitions with records
   * in few reads only those: reading every partition cost a read transaction each, per Fetch.
   */
  caughtUpAnswer(topicId: number, partition: number, offset: number, isolation: IsolationLevel = 'read_uncommitted'): FetchedPartition | undefined {
    return this.readEnds.answer(topicId, partition, offset, isolation)
  }

  /**
   * True when reading the partition from `offset` would find nothing: this process last read its end
   * there, has appended nothing to it since, and no other process has committed since as far as this
   * turn's reading of the counter shows. A commit after that reading is seen by the fetch waiters'
   * poller, which reads the counter afresh and wakes the waiter; the reading it leaves for the rest of
   * its turn no longer matches the entry, so the woken Fetch reads the store.
   */
  caughtUp(topicId: number, partition: number, offset: number, isolation?: IsolationLevel): boolean {
    return this.caughtUpAnswer(topicId, partition, offset, isolation) !== undefined
  }

  offsets(topic: TopicRow, partition: number): Outcome<{ logStartOffset: number; highWatermark: number }> {
    return this.log.offsets(topic, partition)
  }

  /** ListOffsets: read_committed answers 'latest' with the last stable offset. */
  listOffset(topic: TopicRow, partition: number, spec: OffsetSpec, isolation?: IsolationLevel): Outcome<OffsetAndTimestamp> {
    return this.log.listOffset(topic, partition, spec, isolation)
  }

  /** The partition's offsets with its last stable offset. */
  stableOffsets(topic: TopicRow, partition: number): Outcome<StableOffsets> {
    return this.log.stableOffsets(topic, partition)
  }

  /** The partition's open transactions, oldest first. */
  openTxns(topic: TopicRow, partition: number): Outcome<OpenTxn[]> {
    return this.log.openTxns(topic, partition)
  }

  /**
   * Writes a transaction's COMMIT or ABORT marker into each partition (see PartitionLog.writeTxnMarkers for
   * the batch and the rules), then wakes consumers waiting on them: read_committed ones wait for the last
   * stable offset to move. Joins the caller's `store.atomically` when one is open (the coordinator's).
   */
  writeTxnMarkers(
    partitions: readonly { topic: TopicRow; partition: number }[],
    marker: { producerId: number; producerEpoch: number; commit: boolean; coordinatorEpoch: number },
    durability: Durability,
  ): Outcome<void>[] {
    const results = this.log.writeTxnMarkers(partitions, marker, durability)
    for (const p of partitions) this.readEnds.forget(p.topic.id, p.partition)
    this.waiters.notify(partitions.filter((_, i) => results[i]?.ok).map((p) => ({ topicId: p.topic.id, partition: p.partition })))
    return results
  }

  /** After a caller's outer transaction that wrote markers rolled back: forget what this process cached of those partitions. */
  forgetPartitionState(partitions: readonly { topic: TopicRow; partition: number }[]): void {
    this.log.forgetProducerStates(partitions)
    for (const p of partitions) this.readEnds.forget(p.topic.id, p.partition)
  }

  /** The end offset of a leader epoch (OffsetForLeaderEpoch); `currentLeaderEpoch` -1 = not given. */
  endOffsetForEpoch(topic: TopicRow, partition: number, leaderEpoch: number, currentLeaderEpoch: number): Outcome<EpochEndOffset> {
    const offsets = this.log.offsets(topic, partition)
    if (!offsets.ok) return offsets
    try {
      return ok(endOffsetForEpoch(offsets.value, leaderEpoch, currentLeaderEpoch))
    } catch (err) {
      return fail(asKafkaError(err))
    }
  }

  /** The idempotent producers the partition's state holds (DescribeProducers). */
  activeProducers(topic: TopicRow, partition: number): Outcome<ActiveProducer[]> {
    return this.log.activeProducers(topic, partition)
  }

  /** This node's log directory and the on-disk size of the selected partitions (DescribeLogDirs). */
  describeLogDirs(selection: LogDirSelection): Promise<LogDirDescription> {
    return describeLogDir(this.store, this.store.listTopics(), selection)
  }

  /** Fetch with Kafka's byte limits and long poll (min bytes / max wait), across partitions. */
  fetch(spec: FetchSpec, signal?: AbortSignal): Promise<FetchPartitionResult[]> {
    return fetchPartitions(this, spec, signal)
  }

  /** Waits until one of the partitions may have new records (from this or another process). */
  waitForData(
    partitions: Iterable<{ topicId: number; partition: number }> | 'any',
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<WaitResult> {
    return this.waiters.wait(partitions, timeoutMs, signal)
  }

  // ---- retention and compaction

  /**
   * Runs a retention and compaction pass (or continues an unfinished one) and reports what it did:
   * batches deleted by retention.ms / retention.bytes, records removed by compaction, file space given
   * back. Without `maxDurationMs` it runs to the end of the pass.
   */
  runLogCleaner(opts?: LogCleanerOptions): LogCleanerStats {
    return this.cleaner.run(opts)
  }

  /**
   * Server mode: passes run on timers (log.retention.check.interval.ms, log.cleaner.backoff.ms) in short
   * slices, and this process's writers stop running them after their commits. Stopped by close().
   */
  startLogCleaner(log: (line: string) => void): { stop(): void } {
    // A long-lived process: WAL checkpoints go to their background thread now, not at the first busy moment.
    this.store.startCheckpoints()
    this.background ??= new BackgroundLogCleaner(this.cleaner, this.store, log)
    const background = this.background
    return { stop: () => background.stop() }
  }

  /**
   * Embedded mode has no timers that outlive a command, so writers do the work: after a commit, when the
   * data directory's shared schedule says a pass is due (every log.retention.check.interval.ms, first one
   * interval after a writer first looks), this process claims it and runs a bounded slice; an unfinished
   * pass continues after a later commit. Maintenance never fails a produce.
   */
  private cleanAfterWrite(): void {
    if (this.background || this.closed) return
    const now = Date.now()
    if (now < this.cleanerDueMs) return
    try {
      if (!this.cleaner.inProgress) {
        const claim = this.store.claimCleanerRun(now, now + this.cleaner.settings.retentionCheckIntervalMs)
        this.cleanerDueMs = claim.dueMs
        if (!claim.claimed) return
      }
      const stats = this.cleaner.run({ maxDurationMs: EMBEDDED_SLICE_MS })
      if (!stats.done) this.cleanerDueMs = Date.now() + EMBEDDED_RESUME_MS
    } catch {
      this.cleanerDueMs = now + this.cleaner.settings.retentionCheckIntervalMs
    }
  }

  /**
   * Server mode: the transaction coordinator's timers (transaction.abort.timed.out.transaction.cleanup.interval.ms
   * aborts timed-out transactions; transaction.remove.expired.transaction.cleanup.interval.ms expires idle
   * transactional ids). A transaction a crash left half-ended is completed at once. Operations settle the id
   * they touch anyway; these move idle ones on.
   */
  startTransactionTimers(log: (line: string) => void): { stop(): void } {
    const guarded = (what: string, job: () => string[]) => () => {
      try {
        for (const id of job()) log(`[TransactionCoordinator id=${this.nodeId}] ${what} ${id}`)
      } catch (err) {
        log(`[TransactionCoordinator id=${this.nodeId}] ${what} failed: ${err instanceof Error ? err.message : String(err)}`)
      }
    }
    const abort = guarded('Completed rollback of ongoing transaction for transactionalId', () => this.transactions.abortTimedOut())
    const expire = guarded('Expired transactionalId', () => this.transactions.expireTransactionalIds())
    abort()
    const timers = [
      setInterval(abort, this.config.transactionAbortTimedOutTransactionCleanupIntervalMs),
      setInterval(expire, this.config.transactionRemoveExpiredTransactionCleanupIntervalMs),
    ]
    for (const t of timers) t.unref()
    return { stop: () => timers.forEach((t) => clearInterval(t)) }
  }

  /** The stored SCRAM credential of a user, read fresh on every authentication (another process may add one). */
  scramCredential(mechanism: ScramMechanismName, name: string): ScramCredential | undefined {
    const row = this.store.scramCredential(mechanism, name)
    return row === undefined ? undefined : { ...row, mechanism }
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.background?.stop()
    for (const committer of this.committers) committer.flush()
    this.waiters.close()
    this.groupCoordinator?.close()
    this.store.close()
  }

  // ---- consumer groups

  private groupCoordinator: GroupCoordinator | undefined
  private transactionCoordinator: TransactionCoordinator | undefined

  /** The transaction coordinator; its state lives in the store, shared with other processes. */
  get transactions(): TransactionCoordinator {
    this.transactionCoordinator ??= new TransactionCoordinator(this.store, this.config, {
      writeMarkers: (partitions, marker, durability) => this.writeTxnMarkers(partitions, marker, durability),
      forgetPartitions: (partitions) => this.forgetPartitionState(partitions),
      groups: () => this.groups,
      transactionVersion: () => this.features.levels().finalized.get('transaction.version') ?? 0,
    })
    return this.transactionCoordinator
  }

  /** The consumer-group coordinator; its state lives in the store, shared with other processes. */
  get groups(): GroupCoordinator {
    this.groupCoordinator ??= new GroupCoordinator(this.store, this.config)
    return this.groupCoordinator
  }
}
