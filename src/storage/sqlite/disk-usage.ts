// What a partition's log costs on disk, as SQLite stores it: the pages of its table's B-tree (interior,
// leaf and overflow pages, free space inside them included), read from SQLite's dbstat table. That is
// what deleting the partition would give back, unlike the sum of its batches' bytes.
//
// dbstat reads every page it reports: 380 ms for a 218 MB store, warm (measured, 2-core machine). So it
// runs on a worker thread with its own connection, in one read transaction: a server keeps serving
// while DescribeLogDirs walks the logs.

import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import type { Database } from 'better-sqlite3'
import type { LogDirUsage, TopicPartition } from '../log-store.js'
import { BUSY_TIMEOUT_MS } from './pragmas.js'
import { logTableName } from './partition-tables.js'

// CommonJS source of the worker (an eval worker needs no file next to the bundled commands).
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads')
const Database = require(workerData.sqlite)
const db = new Database(workerData.path, { fileMustExist: true, timeout: workerData.busyTimeoutMs })
try {
  // aggregate = TRUE: one row per B-tree, and the name constraint walks that table's pages only.
  const bytes = db.prepare('SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name = ? AND aggregate = TRUE').pluck()
  parentPort.postMessage(db.transaction(() => workerData.tables.map((t) => bytes.get(t)))())
} finally {
  db.close()
}
`

/** Bytes of the pages holding each partition's log (0 before its first record: its table does not exist yet). */
export function partitionBytes(db: Database, tps: readonly TopicPartition[]): Promise<number[]> {
  if (tps.length === 0) return Promise.resolve([])
  const sqlite = createRequire(import.meta.url).resolve('better-sqlite3')
  const tables = tps.map((tp) => logTableName(tp.topicId, tp.partition))
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path: db.name, sqlite, tables, busyTimeoutMs: BUSY_TIMEOUT_MS } })
    worker.once('message', (sizes: number[]) => resolve(sizes))
    worker.once('error', reject)
    worker.once('exit', (code) => reject(new Error(`the disk-usage worker exited with code ${code} before answering`)))
  })
}

/** The data directory (the database's folder) and the size and free space of its file system. */
export function logDirUsage(db: Database): LogDirUsage {
  const dir = path.dirname(path.resolve(db.name))
  const fsStats = fs.statfsSync(dir)
  return { path: dir, totalBytes: fsStats.blocks * fsStats.bsize, usableBytes: fsStats.bavail * fsStats.bsize }
}
