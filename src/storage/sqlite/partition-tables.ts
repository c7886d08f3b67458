// One table per partition log, named only from integer ids: SQL identifiers cannot be bound
// parameters, and Kafka topic names (which may contain '.', '_' and '-') must never reach SQL text.
// A topic id is never reused (AUTOINCREMENT), so a name never refers to two different logs over time.
//
// A partition's table is created by its first append, so an empty partition costs one row of
// `partitions` and nothing in the schema (every schema object costs at least one page, and SQLite parses
// the whole schema on each open). A partition whose high watermark is above 0 has its table.
//
// Rows are whole RecordBatches as served on the wire, one row per batch. base_offset is the rowid, so
// every lookup by offset is a B-tree seek. running_max_timestamp is the largest max_timestamp of this
// and all earlier batches: it never decreases along the log, so "first batch with max_timestamp >= t"
// is a binary search over offsets (a seek per probe) followed by a short forward step. That keeps the
// table the only B-tree of a partition: no second index to store or to write on every append.

import type { Database, Statement } from 'better-sqlite3'
import type { BatchInfo, StoredBatch } from '../log-store.js'

export function logTableName(topicId: number, partition: number): string {
  if (!Number.isSafeInteger(topicId) || topicId < 0) throw new RangeError(`invalid topic id ${topicId}`)
  if (!Number.isSafeInteger(partition) || partition < 0) throw new RangeError(`invalid partition ${partition}`)
  return `log_${topicId}_${partition}`
}

/** The partition whose log table (or one of its indexes) `name` is, e.g. log_3_0 or log_3_0_by_time. */
export function partitionOfTable(name: string): { topicId: number; partition: number } | undefined {
  const m = /^log_(\d+)_(\d+)(?:_|$)/.exec(name)
  return m ? { topicId: Number(m[1]), partition: Number(m[2]) } : undefined
}

/** Creates the partition's table unless it exists (stores written before lazy creation have all of them). */
export function createPartitionTable(db: Database, topicId: number, partition: number): void {
  const table = logTableName(topicId, partition)
  db.exec(`
    CREATE TABLE IF NOT EXISTS ${table} (
      base_offset           INTEGER PRIMARY KEY,
      last_offset           INTEGER NOT NULL,
      max_timestamp         INTEGER NOT NULL,
      running_max_timestamp INTEGER NOT NULL,
      record_count          INTEGER NOT NULL,
      batch                 BLOB NOT NULL
    )
  `)
}

export function dropPartitionTable(db: Database, topicId: number, partition: number): void {
  db.exec(`DROP TABLE IF EXISTS ${logTableName(topicId, partition)}`)
}

const BATCH_COLUMNS =
  'base_offset AS baseOffset, last_offset AS lastOffset, max_timestamp AS maxTimestamp, record_count AS recordCount, batch AS bytes'

/**
 * The statement texts of a partition table, one function each: a cache miss builds only the texts of the
 * statements it prepares (a broker touching 10 000 partitions once each built 14 texts per partition).
 */
const PARTITION_SQL = {
  insert: (table: string) => `INSERT INTO ${table} (base_offset, last_offset, max_timestamp, running_max_timestamp, record_count, batch)
             VALUES (?, ?, ?, ?, ?, ?)`,
  // Seek to the batch containing @from (largest base_offset <= @from), then walk forward, sizes
  // only: length() of a BLOB reads no blob pages, so a read decides which batches fit its byte
  // limit before copying any of them out of SQLite (readRange). When @from is below the first
  // batch the seek finds nothing and the walk starts at @from. No LIMIT: the caller stops the walk
  // (a bound LIMIT makes SQLite, built with STAT4, re-prepare the statement at every binding — the
  // parser and planner ran on every Fetch, 4 µs of a 5 µs query measured).
  planFrom: (table: string) => `SELECT base_offset AS baseOffset, length(batch) AS size FROM ${table}
               WHERE base_offset >= coalesce(
                       (SELECT base_offset FROM ${table} WHERE base_offset <= @from ORDER BY base_offset DESC LIMIT 1),
                       @from)
                 AND last_offset >= @from
               ORDER BY base_offset`,
  readRange: (table: string) => `SELECT ${BATCH_COLUMNS} FROM ${table}
               WHERE base_offset >= @first AND base_offset <= @last
               ORDER BY base_offset`,
  // One probe of the time search: the batch containing @offset (largest base_offset <= @offset).
  runningMaxAt: (table: string) => `SELECT base_offset AS baseOffset, running_max_timestamp AS runningMax FROM ${table}
               WHERE base_offset <= @offset ORDER BY base_offset DESC LIMIT 1`,
  firstOffset: (table: string) => `SELECT base_offset FROM ${table} ORDER BY base_offset LIMIT 1`,
  // The last batch: where the log ends and the running max timestamp there (the partition row is folded
  // only now and then; see PartitionRows.state in partition-rows.ts).
  tail: (table: string) => `SELECT last_offset AS lastOffset, running_max_timestamp AS runningMax FROM ${table}
               ORDER BY base_offset DESC LIMIT 1`,
  // From the batch the search found, the first whose own max timestamp reaches @ts.
  firstFromAtOrAfterTime: (table: string) => `SELECT ${BATCH_COLUMNS} FROM ${table}
               WHERE base_offset >= @from AND max_timestamp >= @ts
               ORDER BY base_offset
               LIMIT 1`,
  // Whole batches that end below the new log start offset; the batch containing it stays. The sizes
  // come back so the partition's stored_bytes stays exact.
  deleteBelow: (table: string) => `DELETE FROM ${table} WHERE base_offset <= @offset AND last_offset < @offset RETURNING length(batch)`,
  // Batch metadata for retention and the cleaner, with the same seek as planFrom; no blob is copied.
  infosFrom: (table: string) => `SELECT base_offset AS baseOffset, last_offset AS lastOffset, max_timestamp AS maxTimestamp,
                      record_count AS recordCount, length(batch) AS size FROM ${table}
               WHERE base_offset >= coalesce(
                       (SELECT base_offset FROM ${table} WHERE base_offset <= @from ORDER BY base_offset DESC LIMIT 1),
                       @from)
                 AND last_offset >= @from
               ORDER BY base_offset
               LIMIT @limit`,
  bytesBetween: (table: string) => `SELECT coalesce(sum(length(batch)), 0) FROM ${table} WHERE base_offset >= @from AND base_offset < @to`,
  sizeOf: (table: string) => `SELECT length(batch) FROM ${table} WHERE base_offset = @baseOffset`,
  // A compacted batch keeps its offsets; running_max_timestamp stays an upper bound, which is all the
  // time index needs (firstAtOrAfterTime re-checks max_timestamp).
  rewrite: (table: string) => `UPDATE ${table} SET max_timestamp = @maxTimestamp, record_count = @recordCount, batch = @bytes
              WHERE base_offset = @baseOffset AND last_offset = @lastOffset`,
  deleteOne: (table: string) => `DELETE FROM ${table} WHERE base_offset = @baseOffset RETURNING length(batch)`,
  // The time index from scratch: each row's running maximum recomputed from the max timestamps (rows
  // already right are left alone), returning the largest one for the partition row.
  rebuildRunningMax: (table: string) => `WITH running AS (
                 SELECT base_offset, max(max_timestamp) OVER (ORDER BY base_offset ROWS UNBOUNDED PRECEDING) AS value FROM ${table})
               UPDATE ${table} SET running_max_timestamp = running.value FROM running
               WHERE ${table}.base_offset = running.base_offset AND ${table}.running_max_timestamp <> running.value`,
  maxTimestamp: (table: string) => `SELECT coalesce(max(max_timestamp), -1) FROM ${table}`,
} as const satisfies Record<string, (table: string) => string>

/** Every statement text for one partition table (tests check their query plans). */
export function partitionSql(table: string): { readonly [K in keyof typeof PARTITION_SQL]: string } {
  return Object.fromEntries(Object.entries(PARTITION_SQL).map(([key, sql]) => [key, sql(table)])) as { [K in keyof typeof PARTITION_SQL]: string }
}

export interface PartitionStatements {
  readonly insert: Statement<[number, number, number, number, number, Buffer]>
  readonly planFrom: Statement<[{ from: number }], { baseOffset: number; size: number }>
  readonly readRange: Statement<[{ first: number; last: number }], StoredBatch>
  readonly runningMaxAt: Statement<[{ offset: number }], { baseOffset: number; runningMax: number }>
  readonly firstOffset: Statement<[], number>
  readonly tail: Statement<[], { lastOffset: number; runningMax: number }>
  readonly firstFromAtOrAfterTime: Statement<[{ from: number; ts: number }], StoredBatch>
  readonly deleteBelow: Statement<[{ offset: number }], number>
  readonly infosFrom: Statement<[{ from: number; limit: number }], BatchInfo>
  readonly bytesBetween: Statement<[{ from: number; to: number }], number>
  readonly sizeOf: Statement<[{ baseOffset: number }], number>
  readonly rewrite: Statement<[{ baseOffset: number; lastOffset: number; maxTimestamp: number; recordCount: number; bytes: Buffer }]>
  readonly deleteOne: Statement<[{ baseOffset: number }], number>
  readonly rebuildRunningMax: Statement<[]>
  readonly maxTimestamp: Statement<[], number>
}

/**
 * Partitions whose statements stay prepared. A broker with many thousands of partitions would otherwise
 * hold a dozen prepared statements for every partition it ever touched; the least recently used go (256:
 * 24 MB less broker memory than 1 024 with 10 000 partitions written, measured in process).
 */
const CACHED_PARTITIONS = 256
/** Partitions remembered (by name only) with their uses so far; the ADMIT_ON_USE-th use while remembered caches them. */
const RECENT_PARTITIONS = 1024
/**
 * A partition enters the cache on its third use: a Produce and then a Fetch over thousands of partitions
 * (two uses each) otherwise admitted every one, and the statements evicted again went to the old
 * generation (bench/scale.js: broker RSS 220 MiB against 168 MiB when a Fetch read also the log's tail).
 */
const ADMIT_ON_USE = 3

/**
 * Statements for each partition table, prepared on first use. Callers evict a table's entry when it
 * is dropped (or found missing), so a stale statement is never run against a table that is gone.
 *
 * A partition enters the cache on its third use, not its first. A prepared statement holds 3–5 KiB of
 * SQLite memory that better-sqlite3 frees only when V8 collects its wrapper, and V8 sees only the small
 * wrapper: statements cached and then evicted (a Produce or Fetch spanning thousands of partitions once
 * each) survive into the old generation and their native memory waits for a full collection — the broker
 * held 60–90 MB of dead statements after writing one record to each of 10 000 partitions. Statements of a
 * partition used once are dropped with the request that used them and go at the next young collection.
 */
export class PartitionStatementCache {
  private readonly byTable = new Map<string, PartitionStatements>()
  private readonly recent = new Map<string, number>()

  constructor(private readonly db: Database) {}

  get(topicId: number, partition: number): PartitionStatements {
    const table = logTableName(topicId, partition)
    let statements = this.byTable.get(table)
    if (statements !== undefined) {
      // Map order is insertion order: re-inserting keeps the most recently used last.
      this.byTable.delete(table)
      this.byTable.set(table, statements)
      return statements
    }
    statements = preparedOnUse(this.db, table)
    const uses = (this.recent.get(table) ?? 0) + 1
    this.recent.delete(table)
    if (uses < ADMIT_ON_USE) {
      if (this.recent.size >= RECENT_PARTITIONS) this.recent.delete(this.recent.keys().next().value as string)
      this.recent.set(table, uses)
      return statements
    }
    if (this.byTable.size >= CACHED_PARTITIONS) {
      const oldest = this.byTable.keys().next().value
      if (oldest !== undefined) this.byTable.delete(oldest)
    }
    this.byTable.set(table, statements)
    return statements
  }

  evict(topicId: number, partition: number): void {
    const table = logTableName(topicId, partition)
    this.byTable.delete(table)
    this.recent.delete(table)
  }

  clear(): void {
    this.byTable.clear()
    this.recent.clear()
  }
}

/** Statements that answer a single value (better-sqlite3's pluck mode) rather than a row object. */
const PLUCKED: ReadonlySet<keyof PartitionStatements> = new Set(['firstOffset', 'deleteBelow', 'bytesBetween', 'sizeOf', 'deleteOne', 'maxTimestamp'])

function prepare(db: Database, table: string, key: keyof PartitionStatements): Statement {
  const statement = db.prepare(PARTITION_SQL[key](table))
  return PLUCKED.has(key) ? statement.pluck() : statement
}

/**
 * The statements of one table, each prepared the first time it is used: a producer's partition needs only
 * `insert`, and preparing a statement is most of what a cache miss costs. The getters live on the
 * prototype, so a miss allocates one small object, not a closure per statement.
 */
class PreparedOnUse {
  readonly prepared: Partial<Record<keyof PartitionStatements, unknown>> = {}
  constructor(
    readonly db: Database,
    readonly table: string,
  ) {}
}
for (const key of Object.keys(PARTITION_SQL) as (keyof PartitionStatements)[]) {
  Object.defineProperty(PreparedOnUse.prototype, key, {
    get(this: PreparedOnUse) {
      return (this.prepared[key] ??= prepare(this.db, this.table, key))
    },
  })
}

function preparedOnUse(db: Database, table: string): PartitionStatements {
  return new PreparedOnUse(db, table) as unknown as PartitionStatements
}
