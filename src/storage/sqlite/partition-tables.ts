// One table per partition log, named only from integer ids: SQL identifiers cannot be bound
// parameters, and Kafka topic names (which may contain '.', '_' and '-') must never reach SQL text.
// A topic id is never reused (AUTOINCREMENT), so a name never refers to two different logs over time.
//
// Rows are whole RecordBatches as served on the wire, one row per batch. base_offset is the rowid, so
// every lookup by offset is a B-tree seek. running_max_timestamp is the largest max_timestamp of this
// and all earlier batches: it never decreases along the log, so "first batch with max_timestamp >= t"
// becomes an index seek on it followed by a short forward step.

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

export function createPartitionTable(db: Database, topicId: number, partition: number): void {
  const table = logTableName(topicId, partition)
  db.exec(`
    CREATE TABLE ${table} (
      base_offset           INTEGER PRIMARY KEY,
      last_offset           INTEGER NOT NULL,
      max_timestamp         INTEGER NOT NULL,
      running_max_timestamp INTEGER NOT NULL,
      record_count          INTEGER NOT NULL,
      batch                 BLOB NOT NULL
    );
    CREATE INDEX ${table}_by_time ON ${table} (running_max_timestamp);
  `)
}

export function dropPartitionTable(db: Database, topicId: number, partition: number): void {
  db.exec(`DROP TABLE IF EXISTS ${logTableName(topicId, partition)}`)
}

const BATCH_COLUMNS =
  'base_offset AS baseOffset, last_offset AS lastOffset, max_timestamp AS maxTimestamp, record_count AS recordCount, batch AS bytes'

/** The statement texts for one partition table (exported so tests can check their query plans). */
export function partitionSql(table: string) {
  return {
    insert: `INSERT INTO ${table} (base_offset, last_offset, max_timestamp, running_max_timestamp, record_count, batch)
             VALUES (?, ?, ?, ?, ?, ?)`,
    // Seek to the batch containing @from (largest base_offset <= @from), then walk forward, sizes
    // only: length() of a BLOB reads no blob pages, so a read decides which batches fit its byte
    // limit before copying any of them out of SQLite (readRange). When @from is below the first
    // batch the seek finds nothing and the walk starts at @from.
    planFrom: `SELECT base_offset AS baseOffset, length(batch) AS size FROM ${table}
               WHERE base_offset >= coalesce(
                       (SELECT base_offset FROM ${table} WHERE base_offset <= @from ORDER BY base_offset DESC LIMIT 1),
                       @from)
                 AND last_offset >= @from
               ORDER BY base_offset
               LIMIT @limit`,
    readRange: `SELECT ${BATCH_COLUMNS} FROM ${table}
               WHERE base_offset >= @first AND base_offset <= @last
               ORDER BY base_offset`,
    firstAtOrAfterTime: `SELECT ${BATCH_COLUMNS} FROM ${table}
               WHERE base_offset >= (SELECT base_offset FROM ${table} WHERE running_max_timestamp >= @ts
                                     ORDER BY running_max_timestamp, base_offset LIMIT 1)
                 AND max_timestamp >= @ts
               ORDER BY base_offset
               LIMIT 1`,
    // Whole batches that end below the new log start offset; the batch containing it stays. The sizes
    // come back so the partition's stored_bytes stays exact.
    deleteBelow: `DELETE FROM ${table} WHERE base_offset <= @offset AND last_offset < @offset RETURNING length(batch)`,
    // Batch metadata for retention and the cleaner, with the same seek as planFrom; no blob is copied.
    infosFrom: `SELECT base_offset AS baseOffset, last_offset AS lastOffset, max_timestamp AS maxTimestamp,
                      record_count AS recordCount, length(batch) AS size FROM ${table}
               WHERE base_offset >= coalesce(
                       (SELECT base_offset FROM ${table} WHERE base_offset <= @from ORDER BY base_offset DESC LIMIT 1),
                       @from)
                 AND last_offset >= @from
               ORDER BY base_offset
               LIMIT @limit`,
    bytesBetween: `SELECT coalesce(sum(length(batch)), 0) FROM ${table} WHERE base_offset >= @from AND base_offset < @to`,
    sizeOf: `SELECT length(batch) FROM ${table} WHERE base_offset = @baseOffset`,
    // A compacted batch keeps its offsets; running_max_timestamp stays an upper bound, which is all the
    // time index needs (firstAtOrAfterTime re-checks max_timestamp).
    rewrite: `UPDATE ${table} SET max_timestamp = @maxTimestamp, record_count = @recordCount, batch = @bytes
              WHERE base_offset = @baseOffset AND last_offset = @lastOffset`,
    deleteOne: `DELETE FROM ${table} WHERE base_offset = @baseOffset RETURNING length(batch)`,
  } as const
}

export interface PartitionStatements {
  readonly insert: Statement<[number, number, number, number, number, Buffer]>
  readonly planFrom: Statement<[{ from: number; limit: number }], { baseOffset: number; size: number }>
  readonly readRange: Statement<[{ first: number; last: number }], StoredBatch>
  readonly firstAtOrAfterTime: Statement<[{ ts: number }], StoredBatch>
  readonly deleteBelow: Statement<[{ offset: number }], number>
  readonly infosFrom: Statement<[{ from: number; limit: number }], BatchInfo>
  readonly bytesBetween: Statement<[{ from: number; to: number }], number>
  readonly sizeOf: Statement<[{ baseOffset: number }], number>
  readonly rewrite: Statement<[{ baseOffset: number; lastOffset: number; maxTimestamp: number; recordCount: number; bytes: Buffer }]>
  readonly deleteOne: Statement<[{ baseOffset: number }], number>
}

/**
 * Statements for each partition table, prepared on first use. Callers evict a table's entry when it
 * is dropped (or found missing), so a stale statement is never run against a table that is gone.
 */
export class PartitionStatementCache {
  private readonly byTable = new Map<string, PartitionStatements>()

  constructor(private readonly db: Database) {}

  get(topicId: number, partition: number): PartitionStatements {
    const table = logTableName(topicId, partition)
    let statements = this.byTable.get(table)
    if (statements === undefined) {
      const sql = partitionSql(table)
      statements = {
        insert: this.db.prepare<[number, number, number, number, number, Buffer]>(sql.insert),
        planFrom: this.db.prepare<[{ from: number; limit: number }], { baseOffset: number; size: number }>(sql.planFrom),
        readRange: this.db.prepare<[{ first: number; last: number }], StoredBatch>(sql.readRange),
        firstAtOrAfterTime: this.db.prepare<[{ ts: number }], StoredBatch>(sql.firstAtOrAfterTime),
        deleteBelow: this.db.prepare<[{ offset: number }], number>(sql.deleteBelow).pluck(),
        infosFrom: this.db.prepare<[{ from: number; limit: number }], BatchInfo>(sql.infosFrom),
        bytesBetween: this.db.prepare<[{ from: number; to: number }], number>(sql.bytesBetween).pluck(),
        sizeOf: this.db.prepare<[{ baseOffset: number }], number>(sql.sizeOf).pluck(),
        rewrite: this.db.prepare<[{ baseOffset: number; lastOffset: number; maxTimestamp: number; recordCount: number; bytes: Buffer }]>(
          sql.rewrite,
        ),
        deleteOne: this.db.prepare<[{ baseOffset: number }], number>(sql.deleteOne).pluck(),
      }
      this.byTable.set(table, statements)
    }
    return statements
  }

  evict(topicId: number, partition: number): void {
    this.byTable.delete(logTableName(topicId, partition))
  }

  clear(): void {
    this.byTable.clear()
  }
}
