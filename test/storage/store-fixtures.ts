// Shared set-up for the storage tests: temp directories, formatted stores, arbitrary batch bytes, directory snapshots.

import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach } from 'vitest'

import type { LogStore, StoredBatch } from '../../src/storage/log-store.js'
import { formatDataDir } from '../../src/storage/sqlite/data-dir.js'
import { openSqliteLogStore } from '../../src/storage/sqlite/sqlite-log-store.js'

export function makeTempDir(): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'kafka-ts-storage-'))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}

/**
 * A stand-in for a RecordBatch: the store never parses batch bytes, so any bytes of a realistic size
 * do. Like Kafka's, the first 8 bytes hold the base offset; then the record count and a tag that lets
 * a test recognise the batch, then random filler.
 */
export function makeBatch(
  baseOffset: number,
  recordCount: number,
  options: { size?: number; maxTimestamp?: number; tag?: number } = {},
): StoredBatch {
  const size = options.size ?? 1024
  const bytes = Buffer.alloc(size)
  bytes.writeBigInt64BE(BigInt(baseOffset), 0)
  bytes.writeInt32BE(recordCount, 8)
  bytes.writeInt32BE(options.tag ?? 0, 12)
  randomBytes(size - 16).copy(bytes, 16)
  return {
    baseOffset,
    lastOffset: baseOffset + recordCount - 1,
    maxTimestamp: options.maxTimestamp ?? 1_700_000_000_000 + baseOffset,
    recordCount,
    bytes,
  }
}

export interface FileSnapshot {
  readonly path: string
  readonly kind: 'file' | 'dir'
  readonly size: number
  readonly mtimeMs: number
  readonly sha256: string
}

/**
 * Every entry under `root` (or the root itself if it is a file) with size, mtime and content hash.
 * `directoryMtimes: false` ignores directory mtimes, which change when SQLite creates and removes its
 * transient -wal/-shm files even though no file's content changes.
 */
export function snapshot(root: string, options: { directoryMtimes?: boolean } = {}): FileSnapshot[] {
  const withDirMtimes = options.directoryMtimes ?? true
  const out: FileSnapshot[] = []
  const visit = (path: string): void => {
    const stat = statSync(path)
    if (stat.isDirectory()) {
      out.push({ path, kind: 'dir', size: 0, mtimeMs: withDirMtimes ? stat.mtimeMs : 0, sha256: '' })
      for (const name of readdirSync(path).sort()) visit(join(path, name))
    } else {
      const sha256 = createHash('sha256').update(readFileSync(path)).digest('hex')
      out.push({ path, kind: 'file', size: stat.size, mtimeMs: stat.mtimeMs, sha256 })
    }
  }
  visit(root)
  return out
}

/**
 * A formatted data directory per test and the stores opened on it, all closed after the test. Call at a
 * test file's top level: it registers the beforeEach/afterEach hooks.
 */
export function formattedStoreEachTest(clusterId: string): {
  readonly dir: () => string
  readonly open: () => LogStore
  /** Closes a store before the test ends (it is not closed again afterwards). */
  readonly close: (store: LogStore) => void
} {
  let temp: ReturnType<typeof makeTempDir> | undefined
  let dir = ''
  const opened: LogStore[] = []
  beforeEach(() => {
    temp = makeTempDir()
    dir = join(temp.path, 'data')
    formatDataDir(dir, { clusterId, nodeId: 1 })
  })
  afterEach(() => {
    for (const s of opened.splice(0)) s.close()
    temp?.remove()
  })
  return {
    dir: () => dir,
    open: () => {
      const s = openSqliteLogStore(dir)
      opened.push(s)
      return s
    },
    close: (store) => {
      store.close()
      opened.splice(opened.indexOf(store), 1)
    },
  }
}
