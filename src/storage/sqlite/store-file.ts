// The kafka-ts.db file itself: recognising it from its header without letting SQLite touch it, and
// creating it at format time.

import { closeSync, openSync, readSync } from 'node:fs'
import Database from 'better-sqlite3'
import { APPLICATION_ID, migrate, SCHEMA_VERSION } from './migrations.js'
import { applyConnectionPragmas, BUSY_TIMEOUT_MS } from './pragmas.js'
import { AlreadyFormattedError, NotAStoreError, type ScramCredentialRow } from '../log-store.js'
import { prepareFeatureStatements } from './feature-statements.js'
import { prepareScramStatements } from './scram-statements.js'

const HEADER_BYTES = 100
const MAGIC = Buffer.from('SQLite format 3\0', 'latin1')
const USER_VERSION_AT = 60
const APPLICATION_ID_AT = 68

export type StoreFileCheck =
  | { readonly kind: 'missing' }
  /** Zero bytes: SQLite creates the file before writing anything, so an interrupted format can leave this. */
  | { readonly kind: 'empty' }
  | { readonly kind: 'not-sqlite' }
  | { readonly kind: 'foreign-sqlite'; readonly applicationId: number }
  | { readonly kind: 'ours'; readonly userVersion: number }

/**
 * Classifies a database file from its 100-byte header alone. Opening an arbitrary file with SQLite is
 * not harmless: an empty file becomes a new database, a hot journal is rolled back, and a WAL-mode
 * database grows -wal/-shm files. The header answers "is this ours, and how new" with a plain read.
 * The user_version found here can be stale when newer pages sit in the WAL; re-check after opening.
 */
export function checkStoreFile(path: string): StoreFileCheck {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' }
    if ((error as NodeJS.ErrnoException).code === 'EISDIR') return { kind: 'not-sqlite' }
    throw error
  }
  const header = Buffer.alloc(HEADER_BYTES)
  let read: number
  try {
    read = readSync(fd, header, 0, HEADER_BYTES, 0)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EISDIR') return { kind: 'not-sqlite' }
    throw error
  } finally {
    closeSync(fd)
  }
  if (read === 0) return { kind: 'empty' }
  if (read < HEADER_BYTES || !header.subarray(0, MAGIC.length).equals(MAGIC)) return { kind: 'not-sqlite' }
  const applicationId = header.readInt32BE(APPLICATION_ID_AT)
  if (applicationId !== APPLICATION_ID) return { kind: 'foreign-sqlite', applicationId }
  return { kind: 'ours', userVersion: header.readInt32BE(USER_VERSION_AT) }
}

export const META_KEYS = {
  clusterId: 'cluster.id',
  nodeId: 'node.id',
  formatVersion: 'format.version',
  /** The directory.id of meta.properties: ties this file to the format run that created it. */
  directoryId: 'directory.id',
} as const

export interface StoreIdentity {
  readonly clusterId: string
  readonly nodeId: number
  readonly directoryId: string
}

/** Opens an existing database file with the settings every kafka-ts connection uses. */
export function openDatabase(path: string): Database.Database {
  return new Database(path, { fileMustExist: true, timeout: BUSY_TIMEOUT_MS })
}

export function readMetaTable(db: Database.Database): Map<string, string> {
  const rows = db.prepare<[], { key: string; value: string }>('SELECT key, value FROM meta').all()
  return new Map(rows.map((row) => [row.key, row.value]))
}

/** Stores up to this size are switched to incremental auto-vacuum when opened (one VACUUM, seconds at most). */
export const AUTO_VACUUM_CONVERSION_MAX_BYTES = 256 * 1024 * 1024

/**
 * Stores formatted before retention existed have auto_vacuum NONE: freed pages stay in the file for
 * reuse but the file never shrinks. Switching needs one VACUUM, which rewrites the whole file under the
 * write lock and needs as much free disk again, so it is done here only for small stores, and given up
 * quietly when another process holds the lock; a larger store keeps working and can be converted by
 * hand (`PRAGMA auto_vacuum = INCREMENTAL; VACUUM;` with no kafka-ts process running).
 */
export function convertToIncrementalVacuum(db: Database.Database): void {
  if (db.pragma('auto_vacuum', { simple: true }) !== 0) return
  const bytes = Number(db.pragma('page_count', { simple: true })) * Number(db.pragma('page_size', { simple: true }))
  if (bytes > AUTO_VACUUM_CONVERSION_MAX_BYTES) return
  try {
    db.pragma('busy_timeout = 0')
    db.pragma('auto_vacuum = INCREMENTAL')
    db.exec('VACUUM')
  } catch {
    // best effort: another process is writing; the next open tries again
  } finally {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
  }
}

export interface FormatSteps {
  /** Throws (AlreadyFormattedError) if the directory's marker file exists. */
  readonly ensureUnformatted: () => void
  /** Writes the marker file (meta.properties); runs while this process holds the database write lock. */
  readonly writeMarker: () => void
  /** SCRAM credentials to store with the identity (`storage format --add-scram`). */
  readonly scramCredentials?: readonly ScramCredentialRow[]
  /** Bootstrap feature levels (`storage format`); without them the store reports the latest production levels. */
  readonly features?: ReadonlyMap<string, number>
}

/**
 * Creates (or completes an interrupted) store, records its identity in `meta`, commits with fsync,
 * then calls `writeMarker` last. SQLite's write lock serialises concurrent formats of one directory:
 * the identity is written in one transaction and the marker in a second one that first checks the
 * identity is still ours, so meta.properties and the database can never disagree, and the loser of a
 * race gets AlreadyFormattedError. An existing kafka-ts.db must be ours (checked by the caller) and
 * hold no topics.
 */
/** SQLite page size of new stores. */
export const STORE_PAGE_SIZE = 16384

export function formatStoreFile(path: string, identity: StoreIdentity, steps: FormatSteps): void {
  const db = new Database(path, { timeout: BUSY_TIMEOUT_MS })
  try {
    // Rows are whole record batches (16 KiB – 1 MiB), which large pages store with fewer overflow
    // pages; but every commit writes whole pages to the WAL (about three per small acks=1 append), so
    // the page size is also the write amplification of a stream of small commits and sets how often
    // the WAL must be checkpointed (issue 11). 16 KiB: the 1 M-record ingest and scan cost what they
    // did with 64 KiB pages before checkpoints moved off the request path (4 KiB costs ~15% more CPU),
    // and a small commit writes ~49 KiB instead of ~193 KiB. Only a new, empty file takes it; WAL
    // mode fixes it from then on (existing stores keep theirs).
    db.pragma(`page_size = ${STORE_PAGE_SIZE}`)
    // Retention and compaction free whole pages; INCREMENTAL lets the cleaner hand them back to the file
    // system a bounded number at a time. It can only be chosen before the first table exists.
    db.pragma('auto_vacuum = INCREMENTAL')
    applyConnectionPragmas(db)
    db.pragma('synchronous = FULL')
    migrate(db)
    const insertMeta = db.prepare<[string, string]>('INSERT INTO meta (key, value) VALUES (?, ?)')
    const inTransaction = db.transaction((work: () => void) => work())
    inTransaction.immediate(() => {
      steps.ensureUnformatted()
      if (db.prepare('SELECT 1 FROM topics LIMIT 1').get() !== undefined) {
        throw new NotAStoreError(`${path} holds topics but its directory is not formatted; restore meta.properties instead of formatting`)
      }
      db.prepare('DELETE FROM meta').run()
      insertMeta.run(META_KEYS.clusterId, identity.clusterId)
      insertMeta.run(META_KEYS.nodeId, String(identity.nodeId))
      insertMeta.run(META_KEYS.formatVersion, String(SCHEMA_VERSION))
      insertMeta.run(META_KEYS.directoryId, identity.directoryId)
      if (steps.scramCredentials !== undefined && steps.scramCredentials.length > 0) {
        const scram = prepareScramStatements(db)
        for (const credential of steps.scramCredentials) scram.put(credential)
      }
      if (steps.features !== undefined) prepareFeatureStatements(db).write(steps.features)
    })
    inTransaction.immediate(() => {
      steps.ensureUnformatted()
      // Another format may have replaced our identity between the two transactions.
      if (readMetaTable(db).get(META_KEYS.directoryId) !== identity.directoryId) {
        throw new AlreadyFormattedError(`${path} was formatted concurrently by another process`)
      }
      steps.writeMarker()
    })
    try {
      db.pragma('busy_timeout = 0')
      db.pragma('wal_checkpoint(TRUNCATE)')
    } catch {
      // best effort: another process already uses the new store
    }
  } finally {
    db.close()
  }
}
