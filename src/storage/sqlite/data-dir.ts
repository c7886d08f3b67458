// The data directory: Kafka's meta.properties (so `storage info` and start-up checks behave like
// Kafka's, cli.md §11.2) beside the SQLite store kafka-ts.db. meta.properties is written last, through
// a temp file and an atomic rename, so a directory that has it always has a complete store.

import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { formatJavaProperties, parseJavaProperties } from '../../util/java-properties.js'
import { randomKafkaUuid } from '../../util/kafka-uuid.js'
import { AlreadyFormattedError, NotAStoreError, type ScramCredentialRow } from '../log-store.js'
import { SCHEMA_VERSION } from './migrations.js'
import { storageErrorFrom, type StorePaths } from '../io-errors.js'
import { BUSY_TIMEOUT_MS } from './pragmas.js'
import { checkStoreFile, formatStoreFile } from './store-file.js'

/** Version of the kafka-ts store layout (PRAGMA user_version and meta format.version). */
export const STORE_FORMAT_VERSION: number = SCHEMA_VERSION
export const DB_FILE_NAME = 'kafka-ts.db'
export const META_PROPERTIES_FILE_NAME = 'meta.properties'
/** meta.properties `version` for KRaft-era directories (node.id + directory.id). */
export const META_PROPERTIES_VERSION = '1'

export type DataDirState = 'missing' | 'empty' | 'formatted' | 'foreign'

export interface DataDirInspection {
  readonly state: DataDirState
  /** The parsed meta.properties, when state is 'formatted'. */
  readonly meta?: Map<string, string>
}

/**
 * 'empty': an existing directory with no entries. 'formatted': it has meta.properties.
 * 'foreign': anything else (a non-empty directory without meta.properties, or not a directory).
 * Reads only.
 */
export function inspectDataDir(dir: string): DataDirInspection {
  try {
    return inspect(dir)
  } catch (err) {
    throw storageErrorFrom(err, storePaths(dir))
  }
}

function inspect(dir: string): DataDirInspection {
  let isDirectory: boolean
  try {
    isDirectory = statSync(dir).isDirectory()
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'missing' }
    throw error
  }
  if (!isDirectory) return { state: 'foreign' }
  const entries = readdirSync(dir)
  if (entries.length === 0) return { state: 'empty' }
  if (!entries.includes(META_PROPERTIES_FILE_NAME)) return { state: 'foreign' }
  return { state: 'formatted', meta: parseJavaProperties(readFileSync(join(dir, META_PROPERTIES_FILE_NAME), 'utf8')) }
}

export interface FormatOptions {
  readonly clusterId: string
  readonly nodeId: number
  /** Stored in the same transaction as the identity (Kafka writes them into bootstrap.checkpoint). */
  readonly scramCredentials?: readonly ScramCredentialRow[]
  /** The bootstrap feature levels (metadata.version and each feature above 0), stored with the identity. */
  readonly features?: ReadonlyMap<string, number>
}

/**
 * Creates `dir` if needed, creates and migrates kafka-ts.db with the store's identity, then writes
 * meta.properties (version, cluster.id, node.id and a fresh directory.id) last. Throws
 * AlreadyFormattedError when meta.properties exists (also when another process formats the directory
 * at the same moment and wins). A kafka-ts.db left by an interrupted format (ours, without topics) is
 * reused; any other file by that name is refused with NotAStoreError rather than overwritten.
 */
export function formatDataDir(dir: string, options: FormatOptions): { directoryId: string } {
  try {
    return format(dir, options)
  } catch (err) {
    throw storageErrorFrom(err, storePaths(dir))
  }
}

function storePaths(dir: string): StorePaths {
  return { dir, dbPath: join(dir, DB_FILE_NAME), busyTimeoutMs: BUSY_TIMEOUT_MS }
}

function format(dir: string, options: FormatOptions): { directoryId: string } {
  if (options.clusterId === '') throw new RangeError('cluster id must not be empty')
  if (!Number.isSafeInteger(options.nodeId) || options.nodeId < 0) {
    throw new RangeError(`node id must be a non-negative integer, got ${options.nodeId}`)
  }
  const inspection = inspectDataDir(dir)
  if (inspection.state === 'formatted') throw new AlreadyFormattedError(`Log directory ${dir} is already formatted.`)
  if (inspection.state === 'missing') makeDirectory(dir)
  else if (!statSync(dir).isDirectory()) throw new NotAStoreError(`${dir} is not a directory`)

  const dbPath = join(dir, DB_FILE_NAME)
  const existing = checkStoreFile(dbPath)
  if (existing.kind === 'not-sqlite' || existing.kind === 'foreign-sqlite') {
    throw new NotAStoreError(`${dbPath} exists and is not a kafka-ts store; move it away before formatting`)
  }
  const metaPath = join(dir, META_PROPERTIES_FILE_NAME)
  const directoryId = randomKafkaUuid()
  formatStoreFile(
    dbPath,
    { clusterId: options.clusterId, nodeId: options.nodeId, directoryId },
    {
      ...(options.scramCredentials === undefined ? {} : { scramCredentials: options.scramCredentials }),
      ...(options.features === undefined ? {} : { features: options.features }),
      ensureUnformatted: () => {
        if (existsSync(metaPath)) throw new AlreadyFormattedError(`Log directory ${dir} is already formatted.`)
      },
      // Kafka's own files list these keys in this order (java.util.Properties hash order).
      writeMarker: () =>
        writeFileAtomically(
          metaPath,
          formatJavaProperties([
            ['node.id', String(options.nodeId)],
            ['directory.id', directoryId],
            ['version', META_PROPERTIES_VERSION],
            ['cluster.id', options.clusterId],
          ]),
        ),
    },
  )
  return { directoryId }
}

/**
 * mkdir -p. Node's recursive mkdir answers ENOENT for some failures (a read-only file system, for
 * one); the first missing level made alone then throws the real reason.
 */
function makeDirectory(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    let missing = dir
    while (dirname(missing) !== missing && !existsSync(dirname(missing))) missing = dirname(missing)
    mkdirSync(missing)
    throw error
  }
}

function writeFileAtomically(path: string, text: string): void {
  const temp = `${path}.${process.pid}.tmp`
  writeFileSync(temp, text)
  fsyncPath(temp, 'r+')
  renameSync(temp, path)
  // The rename itself is durable only once the directory is synced; not every platform allows that.
  try {
    fsyncPath(dirname(path), 'r')
  } catch {
    // best effort
  }
}

function fsyncPath(path: string, flags: string): void {
  const fd = openSync(path, flags)
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}
