// What a partition's log costs on disk, as SQLite stores it: the pages of its table's B-tree (interior,
// leaf and overflow pages, free space inside them included), read from SQLite's dbstat table. That is
// what deleting the partition would give back, unlike the sum of its batches' bytes.

import fs from 'node:fs'
import path from 'node:path'
import type { Database, Statement } from 'better-sqlite3'
import type { LogDirUsage, TopicPartition } from '../log-store.js'
import { logTableName } from './partition-tables.js'

export class DiskUsage {
  private readonly tableBytes: Statement<[string], number>

  constructor(private readonly db: Database) {
    // aggregate = TRUE: one row per B-tree, and the name constraint walks that table's pages only.
    this.tableBytes = db.prepare<[string], number>('SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name = ? AND aggregate = TRUE').pluck()
  }

  /** Bytes of the pages holding each partition's log (0 before its first record: its table does not exist yet). */
  partitionBytes(tps: readonly TopicPartition[]): number[] {
    return tps.map((tp) => this.tableBytes.get(logTableName(tp.topicId, tp.partition)) ?? 0)
  }

  /** The data directory (the database's folder) and the size and free space of its file system. */
  logDir(): LogDirUsage {
    const dir = path.dirname(path.resolve(this.db.name))
    const fsStats = fs.statfsSync(dir)
    return { path: dir, totalBytes: fsStats.blocks * fsStats.bsize, usableBytes: fsStats.bavail * fsStats.bsize }
  }
}
