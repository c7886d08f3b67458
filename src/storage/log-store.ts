// The persistence port between the broker core and a storage engine.
// It speaks storage types, never protocol messages, and is synchronous on purpose:
// better-sqlite3 is synchronous and a transaction must never span an `await`.
// It enforces storage invariants (contiguous offsets, unique names) but makes no Kafka
// decisions (defaults, validation, error codes): that is the broker's job.
// Its errors are in store-errors.ts, re-exported here: this module is the port's one import surface.

export * from './store-errors.js'

/** Stable integer id of a topic (never reused, even after the topic is deleted). */
export type TopicId = number

export interface TopicPartition {
  readonly topicId: TopicId
  readonly partition: number
}

export interface TopicRow {
  readonly id: TopicId
  readonly name: string
  /** Kafka topic id: 16 bytes, printed as unpadded base64url. */
  readonly uuid: Buffer
  readonly partitionCount: number
  /** Topic-level overrides only (what `--config` / AlterConfigs set); defaults live in the broker. */
  readonly configs: ReadonlyMap<string, string>
  readonly createdAtMs: number
}

/** One dynamic broker config (what kafka-configs --entity-type brokers sets). */
export interface BrokerConfigRow {
  /** '' for the cluster-wide default, else the broker id in decimal. */
  readonly entity: string
  readonly key: string
  readonly value: string
}

export interface NewTopicRow {
  readonly name: string
  readonly uuid: Buffer
  readonly partitionCount: number
  readonly configs: ReadonlyMap<string, string>
}

export interface StoredBatch {
  /** Offset of the first record in the batch (already patched into `bytes[0..8]`). */
  readonly baseOffset: number
  /** Offset of the last record, inclusive. */
  readonly lastOffset: number
  readonly maxTimestamp: number
  readonly recordCount: number
  /** RecordBatch v2 bytes exactly as they are served on the wire. */
  readonly bytes: Buffer
}

export interface PartitionOffsets {
  /** First offset still readable. */
  readonly logStartOffset: number
  /** Offset the next appended record gets (log end offset = high watermark on one node). */
  readonly highWatermark: number
}

/** A partition's offsets with its last stable offset (what read_committed consumers may read up to). */
export interface StableOffsets extends PartitionOffsets {
  /** First offset of the oldest open transaction (never below the log start), else the high watermark. */
  readonly lastStableOffset: number
}

/** A producer's open transaction in a partition. */
export interface OpenTxn {
  readonly producerId: number
  readonly producerEpoch: number
  /** Offset of its first batch in the partition (clamped up to the log start once that passed it). */
  readonly firstOffset: number
}

/** An entry of the aborted-transaction index (Kafka's .txnindex). */
export interface AbortedTxn {
  readonly producerId: number
  readonly firstOffset: number
  /** Offset of the ABORT marker, inclusive. */
  readonly lastOffset: number
}

/** What a consumer's read returns: the offsets, the batches and (read committed) the aborted transactions they overlap. */
export interface PartitionRead extends StableOffsets {
  readonly batches: StoredBatch[]
  /** Aborted transactions with lastOffset >= the read's offset and firstOffset below the end of its batches; [] unless `committedOnly`. */
  readonly abortedTxns: AbortedTxn[]
}

/** A stored batch's metadata without its bytes (what retention and the cleaner plan with). */
export interface BatchInfo {
  readonly baseOffset: number
  /** Inclusive. */
  readonly lastOffset: number
  readonly maxTimestamp: number
  readonly recordCount: number
  /** Stored size in bytes. */
  readonly size: number
}

/** A partition's bookkeeping for retention and compaction. */
export interface CleanerPartitionState extends PartitionOffsets {
  /** Total size of the stored batches in bytes. */
  readonly storedBytes: number
  /** Cleaner checkpoint: records below this offset have been compacted (0 = never cleaned). */
  readonly cleanedOffset: number
  /** Oldest max timestamp of a batch below the checkpoint that still holds a tombstone; null = none. */
  readonly oldestTombstoneMs: number | null
}

/** One compaction change: the batch at `baseOffset` replaced by `replacement` (same offsets), or removed (null). */
export interface BatchRewrite {
  readonly baseOffset: number
  readonly replacement: StoredBatch | null
}

export interface ReadLimits {
  /** Stop adding batches once their total size would exceed this; the first batch is always returned. */
  readonly maxBytes: number
  /** Upper bound on the number of batches returned (keeps one read from stalling the event loop). */
  readonly maxBatches?: number
  /** read_committed: only batches below the last stable offset, with the aborted transactions they overlap. */
  readonly committedOnly?: boolean
}

/** How hard a write transaction must be made durable before it returns. */
export type Durability = 'fsync' | 'commit'

export interface LogDirUsage {
  /** The data directory, absolute. */
  readonly path: string
  readonly totalBytes: number
  /** What an unprivileged writer may still use (statfs f_bavail), as Java's FileStore.getUsableSpace. */
  readonly usableBytes: number
}

export interface StoreMeta {
  readonly clusterId: string
  readonly nodeId: number
  readonly formatVersion: number
}

export interface LogStore {
  /** Metadata written when the store was formatted. */
  meta(): StoreMeta

  createTopic(topic: NewTopicRow): TopicRow // throws TopicExistsError
  /** Deletes the topic row, its partitions and their logs. */
  deleteTopic(id: TopicId): void
  /** Raises the partition count to `newCount` (creating the new, empty partition logs). */
  addPartitions(id: TopicId, newCount: number): void
  findTopic(name: string): TopicRow | undefined
  findTopicById(id: TopicId): TopicRow | undefined
  /** All topics, sorted by name. */
  listTopics(): TopicRow[]
  /** Applies changes to topic overrides: a `null` value removes the key. */
  setTopicConfigs(id: TopicId, changes: ReadonlyMap<string, string | null>): void

  /** Every dynamic broker config, sorted by entity then key (entity '' = cluster default, else a broker id). */
  brokerConfigs(): BrokerConfigRow[]
  /** Applies changes to one entity's dynamic broker configs: a `null` value removes the key. */
  setBrokerConfigs(entity: string, changes: ReadonlyMap<string, string | null>): void

  /**
   * Appends one batch. `batch.baseOffset` must equal the partition's current high watermark
   * (read it inside the same `atomically` call), else throws OffsetGapError.
   */
  append(tp: TopicPartition, batch: StoredBatch): void
  /** Whole batches whose lastOffset >= fromOffset, in offset order, bounded by `limits`. */
  read(tp: TopicPartition, fromOffset: number, limits: ReadLimits): StoredBatch[]
  /**
   * A consumer's read: the partition's offsets and, when `fromOffset` lies in [log start, high
   * watermark), the batches `read` would return — one snapshot, one look at the partition row.
   */
  readWithOffsets(tp: TopicPartition, fromOffset: number, limits: ReadLimits): PartitionRead
  offsets(tp: TopicPartition): PartitionOffsets // throws PartitionNotFoundError
  /** offsets() with the last stable offset, from one snapshot (one more index seek). */
  stableOffsets(tp: TopicPartition): StableOffsets // throws PartitionNotFoundError
  /**
   * Raises the log start offset (DeleteRecords, retention); whole batches below it may be dropped, with the
   * aborted-transaction entries that end below it; open transactions that began below it now begin there.
   */
  setLogStartOffset(tp: TopicPartition, offset: number): void
  /** First batch with maxTimestamp >= timestampMs, or undefined if none. */
  firstBatchAtOrAfter(tp: TopicPartition, timestampMs: number): StoredBatch | undefined

  // ---- retention and compaction (the log cleaner)

  /** Offsets, stored bytes and cleaner checkpoint of a partition. */
  cleanerState(tp: TopicPartition): CleanerPartitionState // throws PartitionNotFoundError
  /** Metadata of at most `limit` batches whose lastOffset >= fromOffset, in offset order; no bytes copied. */
  batchInfos(tp: TopicPartition, fromOffset: number, limit: number): BatchInfo[]
  /** Total stored size of the batches whose baseOffset is in [fromOffset, toOffset). */
  storedBytesBetween(tp: TopicPartition, fromOffset: number, toOffset: number): number
  /**
   * Replaces or removes stored batches in place (compaction). A replacement keeps the batch's base and
   * last offset; the high watermark and log start offset never move. Missing batches are skipped.
   */
  rewriteBatches(tp: TopicPartition, rewrites: readonly BatchRewrite[]): void
  /** Records how far the cleaner got (offsets below `cleanedOffset` are compacted). */
  setCleanerCheckpoint(tp: TopicPartition, cleanedOffset: number, oldestTombstoneMs: number | null): void
  /**
   * The shared pass schedule: when the stored due time has come (or `force`), sets it to `nextRunMs` and
   * answers claimed; a store that never had one takes `nextRunMs` as its first due time, unclaimed.
   */
  claimCleanerRun(nowMs: number, nextRunMs: number, force?: boolean): { readonly claimed: boolean; readonly dueMs: number }
  /**
   * Gives free pages back to the file system, about `maxBytes` at most, in short write transactions.
   * Returns the bytes released (0 for a store without incremental auto-vacuum). In WAL mode the file
   * itself shrinks at the next checkpoint.
   */
  reclaimSpace(maxBytes: number): number

  /**
   * Rebuilds the partition's time index (the running maximum of the batches' max timestamps that
   * firstBatchAtOrAfter relies on) from the stored max timestamps, after they were rewritten.
   */
  rebuildTimeIndex(tp: TopicPartition): void

  // ---- data upgrades (record-level rewrites only the broker can do, owed by older stores)

  /** Names of the upgrades this store still owes, oldest first. */
  pendingDataUpgrades(): string[]
  /** Marks an upgrade done; call inside the `atomically` that did it. */
  completeDataUpgrade(name: string): void

  // ---- disk usage (DescribeLogDirs)

  /**
   * Bytes SQLite's pages take for each partition's log, in `tps` order (0 for a partition without records
   * yet), from one snapshot. Reads every page of those logs, off the event loop.
   */
  partitionDiskBytes(tps: readonly TopicPartition[]): Promise<number[]>
  /** The data directory and the file system holding it: its size and the bytes still usable (statfs). */
  logDir(): LogDirUsage

  // ---- transactions, the partition side (call inside the `atomically` of the append they describe)

  /** Opens `producerId`'s transaction in the partition at `firstOffset`, unless it has one open already. */
  beginTxn(tp: TopicPartition, producerId: number, producerEpoch: number, firstOffset: number): void
  /**
   * Closes the producer's open transaction with its marker at `markerOffset`; an abort enters the aborted
   * index. Returns the first offset of the transaction closed, or undefined when none was open.
   */
  endTxn(tp: TopicPartition, producerId: number, markerOffset: number, commit: boolean): number | undefined
  /** The partition's open transactions, oldest first. */
  openTxns(tp: TopicPartition): OpenTxn[]
  /** Aborted-transaction index entries with lastOffset >= fromOffset and firstOffset < upperBoundOffset, by marker offset. */
  abortedTxns(tp: TopicPartition, fromOffset: number, upperBoundOffset: number): AbortedTxn[]
  /** Removes the index entry of the ABORT marker at `lastOffset` (the cleaner removed the marker and its data). */
  removeAbortedTxn(tp: TopicPartition, lastOffset: number): void

  /** Allocates a never-reused producer id (InitProducerId). */
  nextProducerId(): number

  /**
   * Runs `work` in one IMMEDIATE write transaction, or inside the caller's when one is open (nested calls
   * join the outer transaction: all of it commits or rolls back together). `work` must be synchronous.
   * 'fsync' returns only once the commit is on stable storage; 'commit' may leave it in the
   * OS cache (survives a process crash, not a power cut).
   */
  atomically<T>(work: () => T, durability?: Durability): T
  /** True while an `atomically` call runs (a nested call would join it). */
  inTransaction(): boolean

  /**
   * A number that changes whenever another connection (another process) has committed a write.
   * Cheap: used to poll for appends made by other processes.
   */
  externalChangeCounter(): number

  /**
   * Moves WAL checkpoints to a background thread now. Every store does so by itself once its WAL has
   * grown; a server calls this at start-up so the thread's start is not paid in the middle of traffic.
   */
  startCheckpoints(): void

  /** Consumer-group rows (coordinator state and committed offsets); call inside `atomically` to change them. */
  readonly groups: GroupStore

  /** Transaction coordinator rows; call inside `atomically` to change them. */
  readonly transactions: TransactionStore

  /** The SCRAM credential of `name` for `mechanism` (SCRAM-SHA-256 / SCRAM-SHA-512), if one was stored. */
  scramCredential(mechanism: string, name: string): ScramCredentialRow | undefined

  /** The finalized feature levels, or undefined for a store formatted before they were kept. */
  finalizedFeatures(): FinalizedFeatures | undefined
  /** Sets the given levels (0 removes a feature) in one transaction; returns the new epoch. */
  updateFinalizedFeatures(changes: ReadonlyMap<string, number>): number

  close(): void
}

/** metadata.version and every feature finalized above level 0, by name, with the epoch of the last change. */
export interface FinalizedFeatures {
  readonly epoch: number
  readonly levels: ReadonlyMap<string, number>
}

/** A salted SCRAM credential (Kafka's UserScramCredentialRecord); the password itself is never stored. */
export interface ScramCredentialRow {
  readonly mechanism: string
  readonly name: string
  readonly salt: Buffer
  readonly iterations: number
  readonly storedKey: Buffer
  readonly serverKey: Buffer
}

// ---- consumer groups ----------------------------------------------------------------------------
// Rows the group coordinator reads and writes back inside one `atomically` call. The store keeps
// them as given: states, timers and results are the coordinator's vocabulary, opaque here.

export interface GroupRow {
  readonly groupId: string
  /** Fixed by the first member; null for a group that only holds committed offsets. */
  readonly protocolType: string | null
  readonly protocolName: string | null
  readonly state: string
  readonly previousState: string
  /** When the group entered `state` (ms since the epoch). */
  readonly stateTimestampMs: number
  readonly generationId: number
  readonly leaderId: string | null
  /** Coordinator timer deadlines in ms since the epoch; null when not armed. */
  readonly joinDeadlineMs: number | null
  readonly syncDeadlineMs: number | null
  /** Coordinator bookkeeping for the delayed first rebalance of a group (ms, flag). */
  readonly initialDelayMs: number
  readonly initialRemainingMs: number
  readonly newMemberAdded: boolean
  /** Earliest time the coordinator has work to do for this group; indexed for `groupsDueBy`. */
  readonly nextDueMs: number | null
}

export interface GroupProtocolRow {
  readonly name: string
  readonly metadata: Buffer
}

export interface GroupMemberRow {
  readonly groupId: string
  readonly memberId: string
  /** Position in the group's join order (members are listed by it). */
  readonly joinOrder: number
  readonly groupInstanceId: string | null
  readonly clientId: string
  readonly clientHost: string
  readonly sessionTimeoutMs: number
  readonly rebalanceTimeoutMs: number
  /** In the member's order of preference. */
  readonly protocols: readonly GroupProtocolRow[]
  readonly assignment: Buffer
  readonly isNew: boolean
  readonly awaitingJoin: boolean
  /** Opaque result of the member's last completed join, kept until its next join. */
  readonly joinResult: Buffer | null
  readonly awaitingSync: boolean
  /** Outcome code of the member's last SyncGroup wait; null while undecided. */
  readonly syncError: number | null
  readonly pendingSync: boolean
  /** ms since the epoch; null when no expiry is scheduled. */
  readonly heartbeatDeadlineMs: number | null
  /** Process id of the embedded (same-machine) kafka-ts process that owns the member; null for protocol members. */
  readonly localPid: number | null
}

/** A member id handed out (JoinGroup MEMBER_ID_REQUIRED) that has not joined yet. */
export interface PendingMemberRow {
  readonly groupId: string
  readonly memberId: string
  readonly deadlineMs: number
}

export interface CommittedOffsetRow {
  readonly groupId: string
  readonly topicId: TopicId
  readonly partition: number
  readonly offset: number
  readonly leaderEpoch: number
  readonly metadata: string
  readonly commitTimestampMs: number
}

export interface GroupStore {
  group(groupId: string): GroupRow | undefined
  /** Every group, sorted by id. */
  allGroups(): GroupRow[]
  /** Ids of groups whose `nextDueMs` is at or before `timeMs`. */
  groupsDueBy(timeMs: number): string[]
  /** Inserts or replaces the group row (its members, pending members and offsets stay). */
  putGroup(row: GroupRow): void
  /** Deletes the group with its members, pending members and committed offsets. */
  deleteGroup(groupId: string): void

  /** The group's members in join order. */
  members(groupId: string): GroupMemberRow[]
  putMember(row: GroupMemberRow): void
  deleteMember(groupId: string, memberId: string): void

  pendingMembers(groupId: string): PendingMemberRow[]
  putPendingMember(row: PendingMemberRow): void
  deletePendingMember(groupId: string, memberId: string): void

  /** The group's committed offsets, by topic id then partition. */
  offsets(groupId: string): CommittedOffsetRow[]
  /** Inserts or replaces; throws PartitionNotFoundError when the partition does not exist. */
  putOffset(row: CommittedOffsetRow): void
  deleteOffset(groupId: string, tp: TopicPartition): void

  /** The group's dynamic configs (kept whether or not the group exists). */
  configs(groupId: string): Map<string, string>
  /** Applies changes to the group's dynamic configs: a `null` value removes the key. */
  setConfigs(groupId: string, changes: ReadonlyMap<string, string | null>): void
  /** Ids of the groups that have dynamic configs, sorted. */
  groupsWithConfigs(): string[]
}

// ---- transactions -------------------------------------------------------------------------------
// The transaction coordinator's rows (Kafka's TransactionMetadata), read and written back inside one
// `atomically` call. States and versions are the coordinator's vocabulary, opaque here.

export interface TransactionRow {
  readonly transactionalId: string
  readonly producerId: number
  /** The id before the last rotation (epoch overflow), -1 when none. */
  readonly previousProducerId: number
  readonly producerEpoch: number
  readonly lastProducerEpoch: number
  readonly state: string
  readonly timeoutMs: number
  /** When the open transaction started; -1 when none is open. */
  readonly startTimestampMs: number
  readonly lastUpdateTimestampMs: number
  /** The client's transaction protocol version (0/1 = classic, 2 = KIP-890 epoch bump per transaction). */
  readonly transactionVersion: number
}

/** An offset committed in a transaction (TxnOffsetCommit), waiting for its outcome. */
export interface PendingTxnOffsetRow {
  readonly transactionalId: string
  readonly groupId: string
  readonly topicId: TopicId
  readonly partition: number
  readonly offset: number
  readonly leaderEpoch: number
  readonly metadata: string
  readonly commitTimestampMs: number
}

export interface TransactionStore {
  get(transactionalId: string): TransactionRow | undefined
  /** Every transactional id, sorted. */
  all(): TransactionRow[]
  /** Inserts or replaces the row (its partitions, groups and pending offsets stay). */
  put(row: TransactionRow): void
  /** Deletes the id with its partitions, groups and pending offsets. */
  delete(transactionalId: string): void

  /** The partitions of the id's open transaction, by topic id then partition. */
  partitions(transactionalId: string): TopicPartition[]
  addPartition(transactionalId: string, tp: TopicPartition): void
  /** The consumer groups of the id's open transaction, sorted. */
  groups(transactionalId: string): string[]
  addGroup(transactionalId: string, groupId: string): void
  /** Forgets the partitions and groups of the id's transaction (it ended). */
  clearMembers(transactionalId: string): void

  pendingOffsets(transactionalId: string): PendingTxnOffsetRow[]
  /** Inserts or replaces; throws PartitionNotFoundError when the partition does not exist. */
  putPendingOffset(row: PendingTxnOffsetRow): void
  clearPendingOffsets(transactionalId: string): void
}
