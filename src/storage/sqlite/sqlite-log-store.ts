// LogStore over one SQLite database shared by every kafka-ts process that uses the data directory.
// Every durable fact lives in SQLite and every write runs in a BEGIN IMMEDIATE transaction, so offsets
// are assigned from the high watermark read inside the writer's lock, never from a cache.

import { join } from 'node:path'
import type { Database, Transaction } from 'better-sqlite3'
import { DB_FILE_NAME, inspectDataDir, META_PROPERTIES_FILE_NAME, META_PROPERTIES_VERSION, STORE_FORMAT_VERSION } from './data-dir.js'
import {
  NewerFormatError,
  NotAStoreError,
  NotFormattedError,
  OffsetGapError,
  PartitionNotFoundError,
  TopicExistsError,
  TopicNotFoundError,
} from '../log-store.js'
import type {
  BatchInfo,
  BatchRewrite,
  BrokerConfigRow,
  CleanerPartitionState,
  Durability,
  GroupStore,
  LogDirUsage,
  LogStore,
  NewTopicRow,
  PartitionOffsets,
  ReadLimits,
  ScramCredentialRow,
  StoreMeta,
  StoredBatch,
  TopicId,
  TopicPartition,
  TopicRow,
} from '../log-store.js'
import { migrate, readUserVersion, SCHEMA_VERSION } from './migrations.js'
import { SqliteGroupStore } from './group-store.js'
import { asDamage, isCorruption } from './damage.js'
import { logDirUsage, partitionBytes } from './disk-usage.js'
import { createPartitionTable, dropPartitionTable, PartitionStatementCache, type PartitionStatements } from './partition-tables.js'
import { applyConnectionPragmas, BUSY_TIMEOUT_MS } from './pragmas.js'
import { storageErrorFrom, translateStoreErrors } from '../io-errors.js'
import { prepareScramStatements, type ScramStatements } from './scram-statements.js'
import { AUTO_VACUUM_INCREMENTAL, prepareStoreStatements } from './statements.js'
import type { ConfigRecord, PartitionRecord, StoreStatements, TopicRecord } from './statements.js'
import { checkStoreFile, convertToIncrementalVacuum, META_KEYS, openDatabase, readMetaTable } from './store-file.js'
import type { StoreIdentity } from './store-file.js'
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
    return translateStoreErrors(openStore(dir, options), paths, ['groups'])
  } catch (err) {
    throw storageErrorFrom(err, paths)
  }
}

function openStore(dir: string, options: WalCheckpointOptions): SqliteLogStore {
  const inspection = inspectDataDir(dir)
  if (inspection.state !== 'formatted' || inspection.meta === undefined) {
    const why = inspection.state === 'missing' ? `${dir} does not exist` : `No \`${META_PROPERTIES_FILE_NAME}\` found in ${dir}`
    throw new NotFormattedError(`${why} (have you run \`kafka-ts storage format\` to format the directory?)`)
  }
  const identity = identityFromMetaProperties(join(dir, META_PROPERTIES_FILE_NAME), inspection.meta)

  const dbPath = join(dir, DB_FILE_NAME)
  const file = checkStoreFile(dbPath)
  switch (file.kind) {
    case 'missing':
      throw new NotAStoreError(
        `${dbPath} does not exist: ${dir} has ${META_PROPERTIES_FILE_NAME} but no kafka-ts store (is it an Apache Kafka log directory?)`,
      )
    case 'empty':
    case 'not-sqlite':
      throw new NotAStoreError(`${dbPath} is not a kafka-ts store (not a SQLite database)`)
    case 'foreign-sqlite':
      throw new NotAStoreError(`${dbPath} is a SQLite database but not a kafka-ts store (application id ${file.applicationId})`)
    case 'ours':
      if (file.userVersion > STORE_FORMAT_VERSION) throw newerFormat(dbPath, file.userVersion)
  }

  const db = openDatabase(dbPath)
  try {
    // The header can lag behind pages still in the WAL: check again through SQLite before any write.
    const userVersion = readUserVersion(db)
    if (userVersion > STORE_FORMAT_VERSION) throw newerFormat(dbPath, userVersion)
    const meta = readMetaTable(db)
    const formatVersion = Number(meta.get(META_KEYS.formatVersion))
    if (formatVersion > STORE_FORMAT_VERSION) throw newerFormat(dbPath, formatVersion)
    const clusterId = meta.get(META_KEYS.clusterId)
    const nodeId = Number(meta.get(META_KEYS.nodeId))
    const directoryId = meta.get(META_KEYS.directoryId)
    if (clusterId !== identity.clusterId || nodeId !== identity.nodeId || directoryId !== identity.directoryId) {
      throw new NotAStoreError(
        `${dbPath} belongs to cluster.id=${String(clusterId)} node.id=${nodeId} directory.id=${String(directoryId)}, ` +
          `but ${join(dir, META_PROPERTIES_FILE_NAME)} says cluster.id=${identity.clusterId} node.id=${identity.nodeId} directory.id=${identity.directoryId}`,
      )
    }

    applyConnectionPragmas(db)
    if (userVersion < SCHEMA_VERSION && migrate(db) > 0) {
      db.prepare('UPDATE meta SET value = ? WHERE key = ?').run(String(SCHEMA_VERSION), META_KEYS.formatVersion)
    }
    convertToIncrementalVacuum(db)
    return new SqliteLogStore(db, { clusterId, nodeId, formatVersion: SCHEMA_VERSION }, options)
  } catch (error) {
    db.close()
    throw asDamage(error, dbPath)
  }
}

function newerFormat(dbPath: string, version: number): NewerFormatError {
  return new NewerFormatError(
    `${dbPath} has store format version ${version}, but this kafka-ts understands up to ${STORE_FORMAT_VERSION}; upgrade kafka-ts`,
  )
}

function identityFromMetaProperties(path: string, props: Map<string, string>): StoreIdentity {
  const clusterId = props.get('cluster.id')
  const nodeIdText = props.get('node.id')
  const directoryId = props.get('directory.id')
  if (
    props.get('version') !== META_PROPERTIES_VERSION ||
    clusterId === undefined ||
    clusterId === '' ||
    nodeIdText === undefined ||
    !/^\d+$/.test(nodeIdText) ||
    directoryId === undefined
  ) {
    throw new NotAStoreError(`${path} is not a version ${META_PROPERTIES_VERSION} meta.properties with cluster.id, node.id and directory.id`)
  }
  return { clusterId, nodeId: Number(nodeIdText), directoryId }
}

export class SqliteLogStore implements LogStore {
  readonly groups: GroupStore
  private readonly sql: StoreStatements
  private readonly logs: PartitionStatementCache
  private readonly scram: ScramStatements
  private readonly transaction: Transaction<(work: () => unknown) => unknown>
  private readonly checkpoints: WalCheckpointer
  private synchronous: Durability = 'commit' // applyConnectionPragmas leaves NORMAL
  private closed = false

  constructor(
    private readonly db: Database,
    private readonly storeMeta: StoreMeta,
    options: WalCheckpointOptions = {},
  ) {
    this.sql = prepareStoreStatements(db)
    this.logs = new PartitionStatementCache(db)
    this.transaction = db.transaction((work: () => unknown) => work())
    this.groups = new SqliteGroupStore(db)
    this.scram = prepareScramStatements(db)
    this.checkpoints = new WalCheckpointer(db, options)
  }

  meta(): StoreMeta {
    return this.storeMeta
  }

  // ---- topics ---------------------------------------------------------------------------------

  createTopic(topic: NewTopicRow): TopicRow {
    checkCount(topic.partitionCount, 'partition count')
    if (topic.uuid.length !== 16) throw new RangeError(`topic uuid must be 16 bytes, got ${topic.uuid.length}`)
    return this.atomically(() => {
      if (this.sql.topicByName.get(topic.name) !== undefined) throw new TopicExistsError(topic.name)
      const createdAtMs = Date.now()
      const id = this.sql.insertTopic.get(topic.name, topic.uuid, topic.partitionCount, createdAtMs)
      if (id === undefined) throw new Error('INSERT … RETURNING id returned no row')
      for (const [key, value] of topic.configs) this.sql.upsertConfig.run(id, key, value)
      for (let partition = 0; partition < topic.partitionCount; partition++) this.createPartition(id, partition)
      return {
        id,
        name: topic.name,
        uuid: Buffer.from(topic.uuid),
        partitionCount: topic.partitionCount,
        configs: new Map(topic.configs),
        createdAtMs,
      }
    })
  }

  deleteTopic(id: TopicId): void {
    this.atomically(() => {
      if (this.sql.topicById.get(id) === undefined) throw new TopicNotFoundError(id)
      for (const partition of this.sql.partitionNumbersOfTopic.all(id)) {
        this.logs.evict(id, partition)
        dropPartitionTable(this.db, id, partition)
      }
      this.sql.deleteTopic.run(id) // configs and partitions go with it (ON DELETE CASCADE)
    })
  }

  addPartitions(id: TopicId, newCount: number): void {
    checkCount(newCount, 'partition count')
    this.atomically(() => {
      const topic = this.sql.topicById.get(id)
      if (topic === undefined) throw new TopicNotFoundError(id)
      if (newCount < topic.partitionCount) {
        throw new RangeError(`topic id ${id} has ${topic.partitionCount} partitions; cannot reduce to ${newCount}`)
      }
      for (let partition = topic.partitionCount; partition < newCount; partition++) this.createPartition(id, partition)
      this.sql.setPartitionCount.run(newCount, id)
    })
  }

  findTopic(name: string): TopicRow | undefined {
    return this.inReadTransaction(() => {
      const record = this.sql.topicByName.get(name)
      return record === undefined ? undefined : toTopicRow(record, this.sql.configsOfTopic.all(record.id))
    })
  }

  findTopicById(id: TopicId): TopicRow | undefined {
    return this.inReadTransaction(() => {
      const record = this.sql.topicById.get(id)
      return record === undefined ? undefined : toTopicRow(record, this.sql.configsOfTopic.all(id))
    })
  }

  listTopics(): TopicRow[] {
    return this.inReadTransaction(() => {
      const configsByTopic = new Map<number, ConfigRecord[]>()
      for (const config of this.sql.allConfigs.all()) {
        const list = configsByTopic.get(config.topicId)
        if (list === undefined) configsByTopic.set(config.topicId, [config])
        else list.push(config)
      }
      return this.sql.allTopics.all().map((record) => toTopicRow(record, configsByTopic.get(record.id) ?? []))
    })
  }

  setTopicConfigs(id: TopicId, changes: ReadonlyMap<string, string | null>): void {
    this.atomically(() => {
      if (this.sql.topicById.get(id) === undefined) throw new TopicNotFoundError(id)
      for (const [key, value] of changes) {
        if (value === null) this.sql.deleteConfig.run(id, key)
        else this.sql.upsertConfig.run(id, key, value)
      }
    })
  }

  brokerConfigs(): BrokerConfigRow[] {
    return this.sql.allBrokerConfigs.all().map((r) => ({ entity: r.entity, key: r.key, value: r.value }))
  }

  setBrokerConfigs(entity: string, changes: ReadonlyMap<string, string | null>): void {
    this.atomically(() => {
      for (const [key, value] of changes) {
        if (value === null) this.sql.deleteBrokerConfig.run(entity, key)
        else this.sql.upsertBrokerConfig.run(entity, key, value)
      }
    })
  }

  // ---- logs -----------------------------------------------------------------------------------

  append(tp: TopicPartition, batch: StoredBatch): void {
    if (!Number.isSafeInteger(batch.baseOffset) || !Number.isSafeInteger(batch.lastOffset) || batch.lastOffset < batch.baseOffset) {
      throw new RangeError(`invalid batch offsets ${batch.baseOffset}..${batch.lastOffset}`)
    }
    this.atomically(() => {
      const state = this.partitionState(tp)
      if (batch.baseOffset !== state.highWatermark) throw new OffsetGapError(tp, state.highWatermark, batch.baseOffset)
      const runningMax = Math.max(state.maxTimestamp, batch.maxTimestamp)
      const row = state.row
      // The first append creates the partition's table (in this transaction: a rollback takes it back).
      if (row.foldedEnd === 0) createPartitionTable(this.db, tp.topicId, tp.partition)
      this.logs
        .get(tp.topicId, tp.partition)
        .insert.run(batch.baseOffset, batch.lastOffset, batch.maxTimestamp, runningMax, batch.recordCount, batch.bytes)
      // The row is folded at the first append (a row whose end is above 0 says the table exists) and
      // then every FOLD_OFFSETS offsets, which bounds the batches a stored-bytes reading sums.
      const end = batch.lastOffset + 1
      if (row.foldedEnd === 0 || end - row.foldedEnd >= FOLD_OFFSETS) {
        this.fold(tp, { logStartOffset: state.logStartOffset, highWatermark: end, maxTimestamp: runningMax, row })
      }
    })
  }

  read(tp: TopicPartition, fromOffset: number, limits: ReadLimits): StoredBatch[] {
    if (limits.maxBatches === 0) return []
    return this.readSnapshot(tp, fromOffset, limits, false).batches
  }

  readWithOffsets(tp: TopicPartition, fromOffset: number, limits: ReadLimits): PartitionOffsets & { batches: StoredBatch[] } {
    return this.readSnapshot(tp, fromOffset, limits, true)
  }

  /** Offsets and batches in one read transaction; `inRangeOnly` reads nothing below the log start offset. */
  private readSnapshot(tp: TopicPartition, fromOffset: number, limits: ReadLimits, inRangeOnly: boolean): PartitionOffsets & { batches: StoredBatch[] } {
    const maxBatches = limits.maxBatches ?? -1 // LIMIT -1: no limit
    let offsets: PartitionOffsets | undefined
    let upToDamage: StoredBatch[] | undefined
    try {
      return this.inReadTransaction(() => {
        const state = this.readingPartition(tp, fromOffset)
        offsets = { logStartOffset: state.logStartOffset, highWatermark: state.highWatermark }
        if (maxBatches === 0 || (inRangeOnly && fromOffset < state.logStartOffset)) return { ...offsets, batches: [] }
        const read = this.readBatches(tp, state, fromOffset, limits.maxBytes, maxBatches)
        if (read.damaged) upToDamage = read.batches
        return { ...offsets, batches: read.batches }
      })
    } catch (err) {
      // SQLite ends a transaction that met damage, so its COMMIT fails as well: what was read before stands.
      if (offsets !== undefined && upToDamage !== undefined && isCorruption(err)) return { ...offsets, batches: upToDamage }
      throw err
    }
  }

  /**
   * The batches of one read. A damaged page met after the first batch ends the read there (`damaged`):
   * the batches before it are served, and the next read, starting at the damage, throws StoreDamagedError.
   */
  private readBatches(
    tp: TopicPartition,
    state: PartitionState,
    fromOffset: number,
    maxBytes: number,
    maxBatches: number,
  ): { batches: StoredBatch[]; damaged: boolean } {
    if (fromOffset >= state.highWatermark) return { batches: [], damaged: false }
    // Decide what fits from the sizes alone, then copy out exactly those batches.
    const statements = this.logs.get(tp.topicId, tp.partition)
    let first: number | undefined
    let last: number | undefined
    let bytes = 0
    let count = 0
    let damaged = false
    try {
      // maxBatches -1: no limit (the count never reaches it).
      for (const row of statements.planFrom.iterate({ from: fromOffset })) {
        if (first !== undefined && (bytes + row.size > maxBytes || count === maxBatches)) break
        first ??= row.baseOffset
        last = row.baseOffset
        bytes += row.size
        count++
      }
    } catch (err) {
      if (first === undefined || !isCorruption(err)) throw asDamage(err, this.db.name, tp, fromOffset)
      damaged = true
    }
    if (first === undefined || last === undefined) return { batches: [], damaged: false }
    try {
      return { batches: statements.readRange.all({ first, last }), damaged }
    } catch (err) {
      if (!isCorruption(err)) throw err
      return { batches: this.readUpToDamage(statements, tp, fromOffset, first, last), damaged: true }
    }
  }

  offsets(tp: TopicPartition): PartitionOffsets {
    // The row and its log table's end from one snapshot (a fold and a deletion in between would otherwise
    // pair an old row with a table emptied since).
    const state = this.inReadTransaction(() => this.readingPartition(tp, undefined))
    return { logStartOffset: state.logStartOffset, highWatermark: state.highWatermark }
  }

  setLogStartOffset(tp: TopicPartition, offset: number): void {
    this.atomically(() => {
      const state = this.partitionState(tp)
      if (!Number.isSafeInteger(offset) || offset > state.highWatermark) {
        throw new RangeError(`log start offset ${offset} is beyond the high watermark ${state.highWatermark}`)
      }
      if (offset <= state.logStartOffset) return
      // The freed sizes come off the row's stored bytes, which must count every batch first.
      this.fold(tp, state)
      let freed = 0
      for (const size of this.logs.get(tp.topicId, tp.partition).deleteBelow.iterate({ offset })) freed += size
      this.sql.setLogStartOffset.run(offset, tp.topicId, tp.partition)
      if (freed > 0) this.sql.addStoredBytes.run(-freed, tp.topicId, tp.partition)
    })
  }

  firstBatchAtOrAfter(tp: TopicPartition, timestampMs: number): StoredBatch | undefined {
    return this.inReadTransaction(() => {
      const state = this.readingPartition(tp, undefined)
      const log = this.logOf(tp, state)
      if (log === undefined || state.maxTimestamp < timestampMs) return undefined
      try {
        const first = log.firstOffset.get()
        if (first === undefined) return undefined
        // The running maximum never decreases along the log: binary search over offsets for the first
        // batch whose running maximum reaches the timestamp (one primary-key seek per probe).
        let lo = first
        let hi = state.highWatermark - 1
        let found: number | undefined
        while (lo <= hi) {
          const mid = lo + Math.floor((hi - lo) / 2)
          const probe = log.runningMaxAt.get({ offset: mid })
          if (probe !== undefined && probe.runningMax >= timestampMs) {
            found = probe.baseOffset
            hi = probe.baseOffset - 1
          } else {
            lo = mid + 1
          }
        }
        if (found === undefined) return undefined
        return log.firstFromAtOrAfterTime.get({ from: found, ts: timestampMs })
      } catch (err) {
        throw asDamage(err, this.db.name, tp)
      }
    })
  }

  // ---- retention and compaction ---------------------------------------------------------------

  cleanerState(tp: TopicPartition): CleanerPartitionState {
    const read = () => {
      const state = this.partitionState(tp)
      const row = state.row
      // The row counts the batches below its folded end; the few appended since are summed here.
      const unfolded = row.foldedBytes >= 0 && state.highWatermark > row.foldedEnd ? this.bytesFrom(tp, row.foldedEnd) : 0
      return {
        logStartOffset: state.logStartOffset,
        highWatermark: state.highWatermark,
        storedBytes: row.foldedBytes < 0 ? -1 : row.foldedBytes + unfolded,
        cleanedOffset: row.cleanerCheckpoint,
        oldestTombstoneMs: row.oldestTombstoneMs,
      }
    }
    const state = this.inReadTransaction(read)
    if (state.storedBytes >= 0) return state
    // A partition from before stored_bytes existed: one scan of its sizes, then it is kept up to date.
    return this.atomically(() => {
      const current = read()
      if (current.storedBytes >= 0) return current
      const partition = this.partitionState(tp)
      this.fold(tp, partition)
      const storedBytes = this.logOf(tp, partition) === undefined ? 0 : this.bytesFrom(tp, 0)
      this.sql.setStoredBytes.run(storedBytes, tp.topicId, tp.partition)
      return { ...current, storedBytes }
    }, 'commit')
  }

  batchInfos(tp: TopicPartition, fromOffset: number, limit: number): BatchInfo[] {
    if (limit <= 0) return []
    return this.inReadTransaction(() => {
      return this.logOf(tp, this.partitionState(tp))?.infosFrom.all({ from: fromOffset, limit }) ?? []
    })
  }

  partitionDiskBytes(tps: readonly TopicPartition[]): Promise<number[]> {
    return partitionBytes(this.db, tps)
  }

  logDir(): LogDirUsage {
    return logDirUsage(this.db)
  }

  storedBytesBetween(tp: TopicPartition, fromOffset: number, toOffset: number): number {
    if (toOffset <= fromOffset) return 0
    return this.inReadTransaction(() => {
      return this.logOf(tp, this.partitionState(tp))?.bytesBetween.get({ from: fromOffset, to: toOffset }) ?? 0
    })
  }

  rewriteBatches(tp: TopicPartition, rewrites: readonly BatchRewrite[]): void {
    if (rewrites.length === 0) return
    this.atomically(() => {
      const state = this.partitionState(tp)
      const statements = this.logOf(tp, state)
      if (statements === undefined) return
      // The size changes apply to the row's stored bytes, which must count every batch first.
      this.fold(tp, state)
      let delta = 0
      for (const { baseOffset, replacement } of rewrites) {
        if (replacement === null) {
          for (const size of statements.deleteOne.iterate({ baseOffset })) delta -= size
          continue
        }
        if (replacement.baseOffset !== baseOffset) throw new RangeError(`a rewrite of batch ${baseOffset} must keep its base offset`)
        const before = statements.sizeOf.get({ baseOffset })
        if (before === undefined) continue
        const changed = statements.rewrite.run({
          baseOffset,
          lastOffset: replacement.lastOffset,
          maxTimestamp: replacement.maxTimestamp,
          recordCount: replacement.recordCount,
          bytes: replacement.bytes,
        }).changes
        if (changed !== 1) throw new RangeError(`a rewrite of batch ${baseOffset} must keep its last offset`)
        delta += replacement.bytes.length - before
      }
      if (delta !== 0) this.sql.addStoredBytes.run(delta, tp.topicId, tp.partition)
    }, 'commit')
  }

  setCleanerCheckpoint(tp: TopicPartition, cleanedOffset: number, oldestTombstoneMs: number | null): void {
    this.atomically(() => {
      this.partitionState(tp)
      this.sql.setCleanerCheckpoint.run(cleanedOffset, oldestTombstoneMs, tp.topicId, tp.partition)
    }, 'commit')
  }

  claimCleanerRun(nowMs: number, nextRunMs: number, force = false): { claimed: boolean; dueMs: number } {
    return this.atomically(() => {
      const due = this.sql.cleanerNextRun.get() ?? null
      if (!force && (due === null || due > nowMs)) {
        if (due !== null) return { claimed: false, dueMs: due }
        this.sql.setCleanerNextRun.run(nextRunMs)
        return { claimed: false, dueMs: nextRunMs }
      }
      this.sql.setCleanerNextRun.run(nextRunMs)
      return { claimed: true, dueMs: nextRunMs }
    }, 'commit')
  }

  reclaimSpace(maxBytes: number): number {
    if (this.sql.autoVacuum.get() !== AUTO_VACUUM_INCREMENTAL) return 0
    const pageSize = this.sql.pageSize.get() ?? 4096
    const maxPages = Math.max(1, Math.ceil(maxBytes / pageSize))
    let released = 0
    while (released < maxPages) {
      const step = this.atomically(() => {
        const before = this.sql.freelistCount.get() ?? 0
        if (before === 0) return 0
        this.sql.incrementalVacuum.run()
        return before - (this.sql.freelistCount.get() ?? 0)
      }, 'commit')
      if (step <= 0) break
      released += step
    }
    return released * pageSize
  }

  rebuildTimeIndex(tp: TopicPartition): void {
    this.atomically(() => {
      const state = this.partitionState(tp)
      const statements = this.logOf(tp, state)
      if (statements === undefined) return
      this.fold(tp, state)
      statements.rebuildRunningMax.run()
      this.sql.setPartitionMaxTimestamp.run(statements.maxTimestamp.get() ?? -1, tp.topicId, tp.partition)
    }, 'commit')
  }

  // ---- data upgrades --------------------------------------------------------------------------

  pendingDataUpgrades(): string[] {
    return this.sql.pendingDataUpgrades.all()
  }

  completeDataUpgrade(name: string): void {
    this.sql.completeDataUpgrade.run(name)
  }

  // ---- SCRAM credentials ----------------------------------------------------------------------

  scramCredential(mechanism: string, name: string): ScramCredentialRow | undefined {
    return this.scram.get(mechanism, name)
  }

  // ---- misc -----------------------------------------------------------------------------------

  nextProducerId(): number {
    return this.atomically(() => {
      const id = this.sql.nextProducerId.get()
      if (id === undefined) throw new Error('producer id counter row is missing')
      return id
    })
  }

  atomically<T>(work: () => T, durability: Durability = 'fsync'): T {
    if (this.db.inTransaction) return work()
    if (durability !== this.synchronous) {
      // A connection-wide setting: switched before BEGIN, and only when it differs from the last one.
      ;(durability === 'fsync' ? this.sql.synchronousFull : this.sql.synchronousNormal).run()
      this.synchronous = durability
    }
    this.checkpoints.beforeWrite()
    let result: T
    try {
      result = this.transaction.immediate(work) as T
    } catch (err) {
      // A write that met a damaged page: name the file.
      throw asDamage(err, this.db.name)
    }
    this.checkpoints.committed()
    return result
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

  // ---- helpers --------------------------------------------------------------------------------

  /** Several reads that must see one snapshot (e.g. a partition row and its log table). */
  private inReadTransaction<T>(work: () => T): T {
    if (this.db.inTransaction) return work()
    return this.transaction.deferred(work) as T
  }

  /** partitionState for a read, with damage reported against the partition (and the offset being read). */
  private readingPartition(tp: TopicPartition, offset: number | undefined): PartitionState {
    try {
      return this.partitionState(tp)
    } catch (err) {
      throw asDamage(err, this.db.name, tp, offset)
    }
  }

  /** The batches of [first, last] one row at a time, stopping at the first that cannot be read. */
  private readUpToDamage(statements: PartitionStatements, tp: TopicPartition, fromOffset: number, first: number, last: number): StoredBatch[] {
    const batches: StoredBatch[] = []
    try {
      for (const batch of statements.readRange.iterate({ first, last })) batches.push(batch)
    } catch (err) {
      const next = batches[batches.length - 1]
      if (batches.length === 0 || !isCorruption(err)) throw asDamage(err, this.db.name, tp, next === undefined ? fromOffset : next.lastOffset + 1)
    }
    return batches
  }

  /**
   * The partition's offsets: its row, with the batches appended since the row was last folded read from
   * the end of its log table (one seek). Appends leave the row alone so that a small commit dirties one
   * page (the log table's) instead of two: every page a commit dirties is written whole to the WAL and
   * later copied by a checkpoint (16 KiB each).
   */
  private partitionState(tp: TopicPartition): PartitionState {
    const row = this.sql.partition.get(tp.topicId, tp.partition)
    if (row === undefined) {
      // Another process may have deleted the topic: forget statements on its dropped table.
      if (Number.isSafeInteger(tp.topicId) && tp.topicId >= 0 && Number.isSafeInteger(tp.partition) && tp.partition >= 0) {
        this.logs.evict(tp.topicId, tp.partition)
      }
      throw new PartitionNotFoundError(tp)
    }
    // A row never folded belongs to a partition never appended to: it has no table yet.
    const tail = row.foldedEnd === 0 ? undefined : this.logs.get(tp.topicId, tp.partition).tail.get()
    return {
      logStartOffset: row.logStartOffset,
      highWatermark: tail === undefined ? row.foldedEnd : Math.max(row.foldedEnd, tail.lastOffset + 1),
      maxTimestamp: tail === undefined ? row.foldedMaxTimestamp : Math.max(row.foldedMaxTimestamp, tail.runningMax),
      row,
    }
  }

  /**
   * Writes the batches appended since the row was last folded into it (its end, max timestamp and stored
   * bytes), inside a write transaction. Every write of the row other than an append folds first, so the
   * row's stored bytes always count exactly the batches below its end.
   */
  private fold(tp: TopicPartition, state: PartitionState): void {
    const row = state.row
    if (state.highWatermark === row.foldedEnd && state.maxTimestamp === row.foldedMaxTimestamp) return
    const added = row.foldedBytes < 0 || state.highWatermark === row.foldedEnd ? 0 : this.bytesFrom(tp, row.foldedEnd)
    this.sql.foldPartition.run(state.highWatermark, state.maxTimestamp, added, tp.topicId, tp.partition)
  }

  /** Bytes of the partition's stored batches from `offset` on (the partition has its table). */
  private bytesFrom(tp: TopicPartition, offset: number): number {
    return this.logs.get(tp.topicId, tp.partition).bytesBetween.get({ from: offset, to: Number.MAX_SAFE_INTEGER }) ?? 0
  }

  private createPartition(topicId: number, partition: number): void {
    this.sql.insertPartition.run(topicId, partition)
  }

  /** The statements of the partition's table, or undefined while nothing was ever appended (no table yet). */
  private logOf(tp: TopicPartition, state: PartitionState): PartitionStatements | undefined {
    return state.highWatermark === 0 ? undefined : this.logs.get(tp.topicId, tp.partition)
  }
}

/** A partition's offsets, its row's end and the batches appended since (see partitionState). */
interface PartitionState {
  readonly logStartOffset: number
  readonly highWatermark: number
  /** Largest batch max timestamp ever appended (a running maximum), -1 if none. */
  readonly maxTimestamp: number
  /** The row as stored, for a fold and for what only the row holds. */
  readonly row: PartitionRecord
}

/**
 * Offsets appended between two folds of a partition row: at most this many batches are summed when its
 * stored bytes are read, and a stream of one-record batches writes the row once per this many commits.
 */
export const FOLD_OFFSETS = 1024

function toTopicRow(record: TopicRecord, configs: readonly ConfigRecord[]): TopicRow {
  return {
    id: record.id,
    name: record.name,
    uuid: record.uuid,
    partitionCount: record.partitionCount,
    configs: new Map(configs.map((config) => [config.key, config.value])),
    createdAtMs: record.createdAtMs,
  }
}

function checkCount(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} must be a non-negative integer, got ${n}`)
}
