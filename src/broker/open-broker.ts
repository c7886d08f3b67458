import os from 'node:os'
import path from 'node:path'

import fs from 'node:fs'

import { DB_FILE_NAME, formatDataDir, inspectDataDir } from '../storage/sqlite/data-dir.js'
import { AlreadyFormattedError, NewerFormatError, NotAStoreError, NotFormattedError, StoreDamagedError } from '../storage/log-store.js'
import { asDamage } from '../storage/sqlite/damage.js'
import { openStoreChecker } from '../storage/sqlite/store-check.js'
import { checkStoreFile } from '../storage/sqlite/store-file.js'
import type { StoreChecker } from '../storage/store-check.js'
import { openSqliteLogStore } from '../storage/sqlite/sqlite-log-store.js'
import { randomKafkaUuid } from '../util/kafka-uuid.js'
import { Broker } from './broker.js'
import { repairStoredMaxTimestamps } from './max-timestamp-repair.js'
import { EMBEDDED_BROKER_CONFIG, type BrokerConfig } from './broker-config.js'
import type { ScramCredential } from './scram-credentials.js'
import { storageCheckHint } from './log-damage.js'
import { checkStore, type StoreCheckOptions, type StoreCheckSummary, type StoreDamage } from './store-check.js'

// Composition root: wires the SQLite store into the broker core. Commands and the server call this;
// nothing else imports the SQLite adapter.

/** A data directory that cannot be used; the message says why and what to do. */
export class DataDirError extends Error {
  override name = 'DataDirError'
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message)
  }
}

export interface OpenBrokerOptions {
  readonly dataDir: string
  /** 'auto': initialise a missing or empty directory (embedded commands); 'never': refuse (server-start). */
  readonly initialize: 'auto' | 'never'
  /** Default: EMBEDDED_BROKER_CONFIG (Kafka's defaults with the quickstart's group.initial.rebalance.delay.ms=0). */
  readonly config?: BrokerConfig
  /** Told once when a fresh store was created. */
  readonly onInitialized?: (info: { dataDir: string; clusterId: string }) => void
}

/** The per-user default data directory (XDG data home), so every shell sees the same topics. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env['XDG_DATA_HOME']
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.local', 'share')
  return path.join(base, 'kafka-ts')
}

/** `--data-dir`, else KAFKA_TS_DATA_DIR, else the per-user default. */
export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = flag ?? env['KAFKA_TS_DATA_DIR']
  return path.resolve(chosen && chosen !== '' ? chosen : defaultDataDir(env))
}

export function openBroker(opts: OpenBrokerOptions): Broker {
  const dir = opts.dataDir
  const config = opts.config ?? EMBEDDED_BROKER_CONFIG
  let state = inspectDataDir(dir).state
  // Another process may be formatting this directory right now (its database exists, meta.properties
  // not yet): formatDataDir reuses or waits for that, so treat it like a fresh directory.
  if (state === 'foreign' && onlyStoreFiles(dir)) state = 'empty'
  if (state === 'foreign' && !fs.statSync(dir).isDirectory()) {
    throw new DataDirError(`${dir} is a file, not a data directory.`, 'Point --data-dir (or KAFKA_TS_DATA_DIR) at a directory; nothing was changed.')
  }
  if (state === 'foreign') {
    throw new DataDirError(
      `${dir} is not a kafka-ts data directory: it is not empty and has no meta.properties.`,
      'Point --data-dir (or KAFKA_TS_DATA_DIR) at an empty or kafka-ts directory; nothing was changed.',
    )
  }
  if (state === 'missing' || state === 'empty') {
    if (opts.initialize === 'never') {
      throw new DataDirError(
        `No \`meta.properties\` found in ${dir} (have you run \`kafka-ts storage format\` to format the directory?)`,
      )
    }
    const clusterId = randomKafkaUuid()
    try {
      formatDataDir(dir, { clusterId, nodeId: config.nodeId >= 0 ? config.nodeId : 1 })
      opts.onInitialized?.({ dataDir: dir, clusterId })
    } catch (err) {
      // Lost a race with another process initialising the same directory: use its store.
      if (!(err instanceof AlreadyFormattedError)) throw err
    }
  }
  try {
    const store = openSqliteLogStore(dir)
    try {
      // Before the broker exists, so no retention pass can see what the upgrade is about to fix.
      repairStoredMaxTimestamps(store)
    } catch (err) {
      store.close()
      throw err
    }
    return new Broker(store, config)
  } catch (err) {
    if (err instanceof NotFormattedError || err instanceof NotAStoreError) {
      throw new DataDirError(err.message, 'Nothing was changed. Check --data-dir, or format a new directory with `kafka-ts storage format`.')
    }
    if (err instanceof StoreDamagedError) {
      throw new DataDirError(err.message, storageCheckHint(dir))
    }
    if (err instanceof NewerFormatError) {
      throw new DataDirError(err.message, 'This data directory was written by a newer kafka-ts; upgrade kafka-ts to use it.')
    }
    throw err
  }
}

function onlyStoreFiles(dir: string): boolean {
  try {
    const entries = fs.readdirSync(dir)
    return entries.length > 0 && entries.every((e) => e === DB_FILE_NAME || e.startsWith(`${DB_FILE_NAME}-`) || e.startsWith('meta.properties'))
  } catch {
    return false
  }
}

/** What `storage info` and `storage format` need to know about a directory. */
export function inspectStorageDirectory(dir: string): { state: 'missing' | 'empty' | 'formatted' | 'foreign'; meta?: Map<string, string> } {
  return inspectDataDir(dir)
}

/** `storage format` for one directory: creates the store and writes meta.properties last. */
export function formatStorageDirectory(
  dir: string,
  ids: { clusterId: string; nodeId: number; scramCredentials?: readonly ScramCredential[]; features?: ReadonlyMap<string, number> },
): { directoryId: string } {
  return formatDataDir(dir, ids)
}

/**
 * The one-line report for an error that means the store in `dataDir` is damaged (a typed store error, or
 * SQLite's "database disk image is malformed" from any statement), naming the database file; undefined
 * for any other error.
 */
export function storeDamageMessage(err: unknown, dataDir: string): string | undefined {
  const damage = asDamage(err, storeFile(dataDir))
  return damage instanceof StoreDamagedError ? damage.message : undefined
}

/**
 * `storage check` of a formatted data directory: reports each damaged place as it is found and returns
 * the totals. Reads only. Throws DataDirError for a directory that holds no kafka-ts store at all.
 */
export function checkStorageDirectory(dir: string, opts: StoreCheckOptions, report: (damage: StoreDamage) => void): StoreCheckSummary {
  const { state } = inspectDataDir(dir)
  if (state !== 'formatted') {
    throw new DataDirError(
      state === 'missing' ? `${dir} does not exist.` : `No \`meta.properties\` found in ${dir}: it is not a kafka-ts data directory.`,
      'Point --data-dir (or KAFKA_TS_DATA_DIR, or log.dirs of --config) at a kafka-ts data directory.',
    )
  }
  const file = storeFile(dir)
  const header = checkStoreFile(file)
  const empty = { file, engineCheck: opts.quick === true ? 'quick_check' : 'integrity_check', partitions: 0, batches: 0, damagedPartitions: 0 } as const
  switch (header.kind) {
    case 'missing':
      throw new DataDirError(`${file} does not exist: ${dir} has meta.properties but no kafka-ts store.`)
    case 'foreign-sqlite':
      throw new DataDirError(`${file} is a SQLite database but not a kafka-ts store (application id ${header.applicationId}).`)
    case 'empty':
    case 'not-sqlite':
      // meta.properties is written after the store, so a store that was there has lost its header.
      report({ problem: `${file} does not start with a SQLite header: the file is damaged or was replaced` })
      return { ...empty, damages: 1 }
    case 'ours':
      break
  }
  let checker: StoreChecker
  try {
    checker = openStoreChecker(file)
  } catch (err) {
    if (!(err instanceof StoreDamagedError)) throw err
    report({ problem: `SQLite cannot read the schema of ${file}: ${err.detail}` })
    return { ...empty, damages: 1 }
  }
  try {
    return checkStore(checker, opts, report)
  } finally {
    checker.close()
  }
}

/** The store's database file in a data directory (for messages). */
export function storeFile(dataDir: string): string {
  return path.join(dataDir, DB_FILE_NAME)
}
