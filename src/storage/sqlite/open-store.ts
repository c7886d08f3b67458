// Opening kafka-ts.db in a formatted data directory: every check that can refuse the directory runs
// before anything is written, then an older store is migrated forward.

import { join } from 'node:path'
import type { Database } from 'better-sqlite3'
import { DB_FILE_NAME, inspectDataDir, META_PROPERTIES_FILE_NAME, META_PROPERTIES_VERSION, STORE_FORMAT_VERSION } from './data-dir.js'
import { NewerFormatError, NotAStoreError, NotFormattedError } from '../log-store.js'
import type { StoreMeta } from '../log-store.js'
import { migrate, readUserVersion, SCHEMA_VERSION } from './migrations.js'
import { asDamage } from './damage.js'
import { applyConnectionPragmas } from './pragmas.js'
import { checkStoreFile, convertToIncrementalVacuum, META_KEYS, openDatabase, readMetaTable } from './store-file.js'
import type { StoreIdentity } from './store-file.js'

/**
 * `make` over the store's connection, checked and migrated (the connection is closed if `make` throws). Refuses, without writing anything: NotFormattedError
 * when there is no meta.properties; NotAStoreError when kafka-ts.db is missing, is not ours, or belongs
 * to another cluster; NewerFormatError when a newer kafka-ts wrote it.
 */
export function openCheckedDatabase<T>(dir: string, make: (db: Database, meta: StoreMeta) => T): T {
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
    return make(db, { clusterId, nodeId, formatVersion: SCHEMA_VERSION })
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
