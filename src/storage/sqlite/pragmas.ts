// Connection settings, applied once when a connection opens.

import type { Database } from 'better-sqlite3'
import type { Durability } from '../log-store.js'

/**
 * How long a statement waits for another process's lock before failing with SQLITE_BUSY. Several
 * kafka-ts processes (a server, console producers and consumers) share one database, and a writer
 * holds the lock only for one short transaction, so waiting is always the right answer.
 */
export const BUSY_TIMEOUT_MS = 10_000

/**
 * Settings every connection needs. WAL lets readers in other processes run while one process writes;
 * foreign keys make deleting a topic cascade to its configs and partitions.
 */
export function applyConnectionPragmas(db: Database): void {
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
  const mode = db.pragma('journal_mode = WAL', { simple: true })
  if (mode !== 'wal') throw new Error(`could not switch ${db.name} to WAL journal mode (got ${String(mode)})`)
  db.pragma('foreign_keys = ON')
  db.pragma('synchronous = NORMAL')
}

/**
 * PRAGMA synchronous per durability. In WAL mode FULL fsyncs the WAL at every commit; NORMAL only at
 * checkpoints, so a commit survives a process crash but not a power cut.
 */
export const SYNCHRONOUS_FOR: Readonly<Record<Durability, 'FULL' | 'NORMAL'>> = {
  fsync: 'FULL',
  commit: 'NORMAL',
}
