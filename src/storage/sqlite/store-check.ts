// StoreChecker over kafka-ts.db, opened read-only: it never migrates, vacuums or repairs.
//
// Reading past a damaged page: a B-tree seek to a key only touches the pages on the way to that key, so
// after a walk stops at offset p, a seek for a key k beyond the damaged leaf succeeds while one into it
// fails. Doubling k and then bisecting finds the first readable batch after the damage in O(log n)
// seeks; the offsets between are reported unreadable and the walk resumes there.

import Database from 'better-sqlite3'
import type { StoredBatch, TopicPartition } from '../log-store.js'
import type { EngineProblem, LogWalkItem, PartitionToCheck, StoreChecker } from '../store-check.js'
import { asDamage, isCorruption } from './damage.js'
import { logTableName, partitionOfTable } from './partition-tables.js'
import { BUSY_TIMEOUT_MS } from './pragmas.js'

/** Opens `file` (an existing kafka-ts.db) for checking. Throws StoreDamagedError when SQLite cannot even read its schema. */
export function openStoreChecker(file: string): StoreChecker {
  const db = new Database(file, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS })
  try {
    db.prepare('SELECT count(*) FROM sqlite_schema').get()
  } catch (err) {
    db.close()
    throw asDamage(err, file)
  }
  return new SqliteStoreChecker(db, file)
}

const BATCH_COLUMNS =
  'base_offset AS baseOffset, last_offset AS lastOffset, max_timestamp AS maxTimestamp, record_count AS recordCount, batch AS bytes'

class SqliteStoreChecker implements StoreChecker {
  constructor(
    private readonly db: Database.Database,
    readonly file: string,
  ) {}

  engineCheck(quick: boolean, limit: number): EngineProblem[] {
    const tables = new Map<number, string>()
    for (const row of this.db.prepare<[], { name: string; rootpage: number }>('SELECT name, rootpage FROM sqlite_schema WHERE rootpage > 0').iterate()) {
      tables.set(row.rootpage, row.name)
    }
    const check = this.db.prepare<[], string>(`PRAGMA ${quick ? 'quick_check' : 'integrity_check'}(${Math.max(1, Math.floor(limit))})`).pluck()
    const lines: string[] = []
    try {
      for (const line of check.iterate()) lines.push(line)
    } catch (err) {
      // Some damage ends the check itself after the lines it already gave (the sqlite3 shell shows the same).
      if (!isCorruption(err)) throw err
      lines.push(`the check stopped: ${err.message}`)
    }
    const problems: EngineProblem[] = []
    for (const text of lines) {
      for (const line of text.split('\n')) {
        if (line === 'ok' || line === '' || line.startsWith('*** in database')) continue
        // "Tree 20 page 30 cell 0: …" names the B-tree by its root page; index messages name the index.
        const tree = /^Tree (\d+) /.exec(line)
        const object = tree ? tables.get(Number(tree[1])) : /(?:index|table) (\w+)/.exec(line)?.[1]
        const tp = object === undefined ? undefined : partitionOfTable(object)
        problems.push({ message: line, ...(object === undefined ? {} : { object }), ...(tp === undefined ? {} : { tp }) })
      }
    }
    return problems
  }

  partitions(): PartitionToCheck[] {
    let rows: PartitionToCheck[]
    try {
      rows = this.db
        .prepare<[], PartitionToCheck>(
          `SELECT t.name AS topicName, p.topic_id AS topicId, p.partition AS partition, p.log_start_offset AS logStartOffset,
                  p.high_watermark AS highWatermark, p.cleaner_checkpoint AS cleanerCheckpoint
           FROM partitions p JOIN topics t ON t.id = p.topic_id ORDER BY t.name, p.partition`,
        )
        .all()
    } catch (err) {
      throw asDamage(err, this.file)
    }
    // The row's high watermark is where it was last folded; the log goes on to its table's last batch.
    return rows.map((row) => (row.highWatermark === 0 ? row : { ...row, highWatermark: Math.max(row.highWatermark, this.logEnd(row)) }))
  }

  /** One past the last batch's last offset, or 0 when the table is missing, empty or its end is damaged. */
  private logEnd(tp: TopicPartition): number {
    const table = logTableName(tp.topicId, tp.partition)
    try {
      if (this.db.prepare('SELECT 1 FROM sqlite_schema WHERE type = ? AND name = ?').get('table', table) === undefined) return 0
      // The last batch by base offset (a seek down the right edge of the tree) holds the last offset.
      return this.db.prepare<[], number>(`SELECT last_offset + 1 FROM ${table} ORDER BY base_offset DESC LIMIT 1`).pluck().get() ?? 0
    } catch (err) {
      if (isCorruption(err)) return 0
      throw err
    }
  }

  *walk(tp: TopicPartition): Iterable<LogWalkItem> {
    const table = logTableName(tp.topicId, tp.partition)
    if (this.db.prepare('SELECT 1 FROM sqlite_schema WHERE type = ? AND name = ?').get('table', table) === undefined) return
    const from = this.db.prepare<[number], StoredBatch>(`SELECT ${BATCH_COLUMNS} FROM ${table} WHERE base_offset >= ? ORDER BY base_offset`)
    const seek = this.db.prepare<[number], number>(`SELECT base_offset FROM ${table} WHERE base_offset >= ? ORDER BY base_offset LIMIT 1`).pluck()
    const end = this.db.prepare<[], number>(`SELECT max(base_offset) FROM ${table}`).pluck()
    let next = 0
    for (;;) {
      try {
        for (const batch of from.iterate(next)) {
          next = batch.lastOffset + 1
          yield { kind: 'batch', batch }
        }
        return
      } catch (err) {
        if (!isCorruption(err)) throw err
        const resume = this.nextReadable(seek, end, next)
        yield { kind: 'unreadable', fromOffset: next, toOffset: resume, detail: err.message }
        if (resume === undefined) return
        next = resume
      }
    }
  }

  close(): void {
    this.db.close()
  }

  /** The base offset of the first batch that can be read after damage met at `offset`, or undefined. */
  private nextReadable(seek: Database.Statement<[number], number>, end: Database.Statement<[], number>, offset: number): number | undefined {
    const probe = (k: number): number | null | 'damaged' => {
      try {
        return seek.get(k) ?? null
      } catch (err) {
        if (isCorruption(err)) return 'damaged'
        throw err
      }
    }
    // max(base_offset) is a walk down the right edge of the tree: a bound for the search when readable.
    let limit: number
    try {
      limit = (end.get() ?? offset) + 1
    } catch (err) {
      if (!isCorruption(err)) throw err
      limit = Number.MAX_SAFE_INTEGER
    }
    // Double the distance until a seek gets through, then bisect: `bad` is damaged, `good` is not.
    let bad = offset
    let good = limit
    for (let step = 1; ; step *= 2) {
      const k = Math.min(bad + step, limit)
      if (probe(k) !== 'damaged') {
        good = k
        break
      }
      if (k >= limit) return undefined
      bad = k
    }
    while (good - bad > 1) {
      const mid = bad + Math.floor((good - bad) / 2)
      if (probe(mid) === 'damaged') bad = mid
      else good = mid
    }
    const found = probe(good)
    return typeof found === 'number' ? found : undefined
  }
}

