// LogStore over one SQLite database shared by every kafka-ts process that uses the data directory.
// Every durable fact lives in SQLite and every write runs in a BEGIN IMMEDIATE transaction, so offsets
// are assigned from the high watermark read inside the writer's lock, never from a cache.
//
// This class wires the parts and answers the port; the work is in the modules named for what they hold:
// open-store.ts (checks and migration at open), store-context.ts (transactions), topic-tables.ts (topics,
// configs), partition-rows.ts (a partition's offsets), partition-logs.ts (appends, reads),
// log-maintenance.ts (retention, compaction, vacuum), group-store.ts (consumer groups).

import { join } from 'node:path'
import type { Database } from 'better-sqlite3'
import { DB_FILE_NAME } from './data-dir.js'
import type {
  AbortedTxn,
  BatchInfo,
  BatchRewrite,
  BrokerConfigRow,
  CleanerPartitionState,
  Durability,
  FinalizedFeatures,
  GroupStore,
  TransactionStore,
  LogDirUsage,
  LogStore,
  NewTopicRow,
  OpenTxn,
  PartitionOffsets,
  PartitionRead,
  ReadLimits,
  ScramCredentialRow,
  StableOffsets,
  StoreMeta,
  StoredBatch,
  TopicId,
  TopicPartition,
  TopicRow,
} from '../log-store.js'
import { SqliteGroupStore } from './group-store.js'
import { SqliteTransactionStore } from './txn-store.js'
import { LogMaintenance } from './log-maintenance.js'
import { openCheckedDatabase } from './open-store.js'
import { PartitionLogs } from './partition-logs.js'
import { PartitionRows } from './partition-rows.js'
import { PartitionStatementCache } from './partition-tables.js'
import { BUSY_TIMEOUT_MS } from './pragmas.js'
import { logDirUsage, partitionBytes } from './disk-usage.js'
import { storageErrorFrom, translateStoreErrors } from '../io-errors.js'
import { prepareFeatureStatements, type FeatureStatements } from './feature-statements.js'
import { prepareScramStatements, type ScramStatements } from './scram-statements.js'
import { prepareStoreStatements, type StoreStatements } from './statements.js'
import { StoreTransactions } from './store-context.js'
import { TopicTables } from './topic-tables.js'
import { TxnTables } from './txn-tables.js'
import { WalCheckpointer, type WalCheckpointOptions } from './wal-checkpointer.js'

/**
 * Opens the store in a formatted data directory. Refuses, without writing anything:
 * NotFormattedError when there is no meta.properties; NotAStoreError when kafka-ts.db is missing, is
 * not ours, or belongs to another cluster; NewerFormatError when a newer kafka-ts wrote it.
 * An older store is migrated forward.
 */
export function openSqliteLogStore(dir: string, options: WalCheckpointOptions = {}): SqliteLogStore {
  const paths = { dir, dbPath: join(dir, DB_FILE_NAME), busyTimeoutMs: BUSY_TIMEOUT_MS }
  try {
    return translateStoreErrors(
      openCheckedDatabase(dir, (db, meta) => new SqliteLogStore(db, meta, options)),
      paths,
      ['groups', 'transactions'],
    )
  } catch (err) {
    throw storageErrorFrom(err, paths)
  }
}

export class SqliteLogStore implements LogStore {
  readonly groups: GroupStore
  readonly transactions: TransactionStore
  private readonly sql: StoreStatements
  private readonly logs: PartitionStatementCache
  private readonly scram: ScramStatements
  private readonly features: FeatureStatements
  private readonly checkpoints: WalCheckpointer
  private readonly tx: StoreTransactions
  private readonly topics: TopicTables
  private readonly partitionLogs: PartitionLogs
  private readonly maintenance: LogMaintenance
  private readonly txns: TxnTables
  private closed = false

  constructor(
    private readonly db: Database,
    private readonly storeMeta: StoreMeta,
    options: WalCheckpointOptions = {},
  ) {
    this.sql = prepareStoreStatements(db)
    this.logs = new PartitionStatementCache(db)
    this.checkpoints = new WalCheckpointer(db, options)
    this.tx = new StoreTransactions(db, this.sql, this.checkpoints)
    const ctx = { db, sql: this.sql, logs: this.logs, tx: this.tx }
    const partitions = new PartitionRows(ctx)
    this.topics = new TopicTables(ctx)
    this.txns = new TxnTables(db)
    this.partitionLogs = new PartitionLogs(ctx, partitions, this.txns)
    this.maintenance = new LogMaintenance(ctx, partitions)
    this.groups = new SqliteGroupStore(db)
    this.transactions = new SqliteTransactionStore(db)
    this.scram = prepareScramStatements(db)
    this.features = prepareFeatureStatements(db)
  }

  meta(): StoreMeta {
    return this.storeMeta
  }

  // ---- topics and configs (topic-tables.ts) ---------------------------------------------------

  createTopic(topic: NewTopicRow): TopicRow {
    return this.topics.createTopic(topic)
  }
  deleteTopic(id: TopicId): void {
    this.topics.deleteTopic(id)
  }
  addPartitions(id: TopicId, newCount: number): void {
    this.topics.addPartitions(id, newCount)
  }
  findTopic(name: string): TopicRow | undefined {
    return this.topics.findTopic(name)
  }
  findTopicById(id: TopicId): TopicRow | undefined {
    return this.topics.findTopicById(id)
  }
  listTopics(): TopicRow[] {
    return this.topics.listTopics()
  }
  setTopicConfigs(id: TopicId, changes: ReadonlyMap<string, string | null>): void {
    this.topics.setTopicConfigs(id, changes)
  }
  brokerConfigs(): BrokerConfigRow[] {
    return this.topics.brokerConfigs()
  }
  setBrokerConfigs(entity: string, changes: ReadonlyMap<string, string | null>): void {
    this.topics.setBrokerConfigs(entity, changes)
  }

  // ---- logs (partition-logs.ts) ---------------------------------------------------------------

  append(tp: TopicPartition, batch: StoredBatch): void {
    this.partitionLogs.append(tp, batch)
  }
  read(tp: TopicPartition, fromOffset: number, limits: ReadLimits): StoredBatch[] {
    return this.partitionLogs.read(tp, fromOffset, limits)
  }
  readWithOffsets(tp: TopicPartition, fromOffset: number, limits: ReadLimits): PartitionRead {
    return this.partitionLogs.readWithOffsets(tp, fromOffset, limits)
  }
  offsets(tp: TopicPartition): PartitionOffsets {
    return this.partitionLogs.offsets(tp)
  }
  stableOffsets(tp: TopicPartition): StableOffsets {
    return this.partitionLogs.stableOffsets(tp)
  }
  setLogStartOffset(tp: TopicPartition, offset: number): void {
    this.partitionLogs.setLogStartOffset(tp, offset)
  }
  firstBatchAtOrAfter(tp: TopicPartition, timestampMs: number): StoredBatch | undefined {
    return this.partitionLogs.firstBatchAtOrAfter(tp, timestampMs)
  }

  // ---- transactions, the partition side (txn-tables.ts) ---------------------------------------

  beginTxn(tp: TopicPartition, producerId: number, producerEpoch: number, firstOffset: number): void {
    this.tx.atomically(() => this.txns.begin(tp, producerId, producerEpoch, firstOffset))
  }
  endTxn(tp: TopicPartition, producerId: number, markerOffset: number, commit: boolean): number | undefined {
    return this.tx.atomically(() => this.txns.end(tp, producerId, markerOffset, commit))
  }
  openTxns(tp: TopicPartition): OpenTxn[] {
    return this.tx.inReadTransaction(() => this.txns.open(tp))
  }
  abortedTxns(tp: TopicPartition, fromOffset: number, upperBoundOffset: number): AbortedTxn[] {
    return this.txns.aborted(tp, fromOffset, upperBoundOffset)
  }
  removeAbortedTxn(tp: TopicPartition, lastOffset: number): void {
    this.tx.atomically(() => this.txns.removeAborted(tp, lastOffset))
  }

  // ---- retention and compaction (log-maintenance.ts) -----------------------------------------

  cleanerState(tp: TopicPartition): CleanerPartitionState {
    return this.maintenance.cleanerState(tp)
  }
  batchInfos(tp: TopicPartition, fromOffset: number, limit: number): BatchInfo[] {
    return this.maintenance.batchInfos(tp, fromOffset, limit)
  }
  partitionDiskBytes(tps: readonly TopicPartition[]): Promise<number[]> {
    return partitionBytes(this.db, tps)
  }

  logDir(): LogDirUsage {
    return logDirUsage(this.db)
  }

  storedBytesBetween(tp: TopicPartition, fromOffset: number, toOffset: number): number {
    return this.maintenance.storedBytesBetween(tp, fromOffset, toOffset)
  }
  rewriteBatches(tp: TopicPartition, rewrites: readonly BatchRewrite[]): void {
    this.maintenance.rewriteBatches(tp, rewrites)
  }
  setCleanerCheckpoint(tp: TopicPartition, cleanedOffset: number, oldestTombstoneMs: number | null): void {
    this.maintenance.setCleanerCheckpoint(tp, cleanedOffset, oldestTombstoneMs)
  }
  claimCleanerRun(nowMs: number, nextRunMs: number, force = false): { claimed: boolean; dueMs: number } {
    return this.maintenance.claimCleanerRun(nowMs, nextRunMs, force)
  }
  reclaimSpace(maxBytes: number): number {
    return this.maintenance.reclaimSpace(maxBytes)
  }
  rebuildTimeIndex(tp: TopicPartition): void {
    this.maintenance.rebuildTimeIndex(tp)
  }

  // ---- data upgrades, credentials, producer ids -----------------------------------------------

  pendingDataUpgrades(): string[] {
    return this.sql.pendingDataUpgrades.all()
  }

  completeDataUpgrade(name: string): void {
    this.sql.completeDataUpgrade.run(name)
  }

  scramCredential(mechanism: string, name: string): ScramCredentialRow | undefined {
    return this.scram.get(mechanism, name)
  }

  finalizedFeatures(): FinalizedFeatures | undefined {
    return this.features.read()
  }

  updateFinalizedFeatures(changes: ReadonlyMap<string, number>): number {
    return this.tx.atomically(() => this.features.write(changes))
  }

  nextProducerId(): number {
    return this.tx.atomically(() => {
      const id = this.sql.nextProducerId.get()
      if (id === undefined) throw new Error('producer id counter row is missing')
      return id
    })
  }

  // ---- transactions and the connection --------------------------------------------------------

  atomically<T>(work: () => T, durability: Durability = 'fsync'): T {
    return this.tx.atomically(work, durability)
  }

  inTransaction(): boolean {
    return this.db.inTransaction
  }

  startCheckpoints(): void {
    this.checkpoints.start()
  }

  /** Whether a worker thread checkpoints the WAL (for tests). */
  get checkpointWorkerRunning(): boolean {
    return this.checkpoints.running
  }

  externalChangeCounter(): number {
    return this.sql.dataVersion.get() ?? 0
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.checkpoints.stop()
    try {
      // Fold the WAL back into the main file and truncate it, unless another process is reading or
      // writing (busy_timeout 0: give up at once rather than wait for them).
      this.db.pragma('busy_timeout = 0')
      this.db.pragma('wal_checkpoint(TRUNCATE)')
    } catch {
      // best effort: the next checkpoint (by any process) does the same work
    }
    this.logs.clear()
    this.db.close()
  }
}
