// The data directory: inspect, format, and every way openSqliteLogStore refuses a directory without
// changing it. Real files in temp directories.

import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DB_FILE_NAME, formatDataDir, inspectDataDir, STORE_FORMAT_VERSION } from '../../src/storage/sqlite/data-dir.js'
import {
  AlreadyFormattedError,
  NewerFormatError,
  NotAStoreError,
  NotFormattedError,
} from '../../src/storage/log-store.js'
import { openSqliteLogStore } from '../../src/storage/sqlite/sqlite-log-store.js'
import { base64UrlToUuid } from '../../src/util/kafka-uuid.js'
import { makeTempDir, snapshot } from './store-fixtures.js'

const CLUSTER_ID = 'MkU3OEVBNTcwNTJENDM2Qk' // the sample id of cli.md §11.2

let temp: ReturnType<typeof makeTempDir>
beforeEach(() => {
  temp = makeTempDir()
})
afterEach(() => temp.remove())

function formatted(name = 'data'): string {
  const dir = join(temp.path, name)
  formatDataDir(dir, { clusterId: CLUSTER_ID, nodeId: 1 })
  return dir
}

describe('constants', () => {
  it('names the database file and the first format version', () => {
    expect(DB_FILE_NAME).toBe('kafka-ts.db')
    expect(STORE_FORMAT_VERSION).toBe(12)
  })
})

describe('inspectDataDir', () => {
  it('tells missing, empty, formatted and foreign apart', () => {
    expect(inspectDataDir(join(temp.path, 'nope'))).toEqual({ state: 'missing' })

    const empty = join(temp.path, 'empty')
    mkdirSync(empty)
    expect(inspectDataDir(empty)).toEqual({ state: 'empty' })

    const foreign = join(temp.path, 'foreign')
    mkdirSync(foreign)
    writeFileSync(join(foreign, 'notes.txt'), 'hello')
    expect(inspectDataDir(foreign)).toEqual({ state: 'foreign' })

    const file = join(temp.path, 'a-file')
    writeFileSync(file, 'x')
    expect(inspectDataDir(file)).toEqual({ state: 'foreign' })

    const dir = formatted()
    const inspection = inspectDataDir(dir)
    expect(inspection.state).toBe('formatted')
    expect(inspection.meta?.get('cluster.id')).toBe(CLUSTER_ID)
    expect(inspection.meta?.get('node.id')).toBe('1')
    expect(inspection.meta?.get('version')).toBe('1')
  })
})

describe('formatDataDir', () => {
  it('creates the directory, the database and a Kafka-style meta.properties', () => {
    const dir = join(temp.path, 'nested', 'deeper', 'data')
    const { directoryId } = formatDataDir(dir, { clusterId: CLUSTER_ID, nodeId: 7 })

    expect(readdirSync(dir).sort()).toEqual(['kafka-ts.db', 'meta.properties'])
    const text = readFileSync(join(dir, 'meta.properties'), 'utf8')
    // Properties.store layout: a '#' line, a '#<date>' line, then the four keys.
    const lines = text.trimEnd().split('\n')
    expect(lines[0]).toBe('#')
    expect(lines[1]).toMatch(/^#\w{3} \w{3} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4}$/)
    expect(lines.slice(2).sort()).toEqual(
      [`cluster.id=${CLUSTER_ID}`, `directory.id=${directoryId}`, 'node.id=7', 'version=1'].sort(),
    )
    expect(directoryId).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/)
    expect(base64UrlToUuid(directoryId)).toHaveLength(16)

    const db = new Database(join(dir, DB_FILE_NAME), { readonly: true })
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(STORE_FORMAT_VERSION)
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
      // INCREMENTAL (2): retention can give freed pages back to the file system.
      expect(db.pragma('auto_vacuum', { simple: true })).toBe(2)
      const meta = new Map(
        db.prepare<[], { key: string; value: string }>('SELECT key, value FROM meta').all().map((r) => [r.key, r.value]),
      )
      expect(meta.get('cluster.id')).toBe(CLUSTER_ID)
      expect(meta.get('node.id')).toBe('7')
      expect(meta.get('format.version')).toBe(String(STORE_FORMAT_VERSION))
    } finally {
      db.close()
    }

    const store = openSqliteLogStore(dir)
    expect(store.meta()).toEqual({ clusterId: CLUSTER_ID, nodeId: 7, formatVersion: STORE_FORMAT_VERSION })
    store.close()
  })

  it('formats an empty existing directory and a directory holding unrelated files', () => {
    const empty = join(temp.path, 'empty')
    mkdirSync(empty)
    formatDataDir(empty, { clusterId: CLUSTER_ID, nodeId: 1 })
    expect(inspectDataDir(empty).state).toBe('formatted')

    const busy = join(temp.path, 'busy')
    mkdirSync(busy)
    writeFileSync(join(busy, 'README'), 'keep me')
    formatDataDir(busy, { clusterId: CLUSTER_ID, nodeId: 1 })
    expect(readFileSync(join(busy, 'README'), 'utf8')).toBe('keep me')
    openSqliteLogStore(busy).close()
  })

  it('refuses a formatted directory with AlreadyFormattedError and changes nothing', () => {
    const dir = formatted()
    const before = snapshot(dir)
    expect(() => formatDataDir(dir, { clusterId: 'other', nodeId: 2 })).toThrow(AlreadyFormattedError)
    expect(() => formatDataDir(dir, { clusterId: 'other', nodeId: 2 })).toThrow(`Log directory ${dir} is already formatted.`)
    expect(snapshot(dir)).toEqual(before)
  })

  it('refuses to overwrite a kafka-ts.db that is not ours', () => {
    const dir = join(temp.path, 'data')
    mkdirSync(dir)
    writeFileSync(join(dir, DB_FILE_NAME), Buffer.from('definitely not sqlite, but somebody cares about it'))
    const before = snapshot(dir)
    expect(() => formatDataDir(dir, { clusterId: CLUSTER_ID, nodeId: 1 })).toThrow(NotAStoreError)
    expect(snapshot(dir)).toEqual(before)
  })

  it('completes an interrupted format (a store without meta.properties and without topics)', () => {
    const dir = formatted()
    unlinkSync(join(dir, 'meta.properties')) // as if the process died before writing it
    formatDataDir(dir, { clusterId: 'second-try', nodeId: 3 })
    const store = openSqliteLogStore(dir)
    expect(store.meta()).toMatchObject({ clusterId: 'second-try', nodeId: 3 })
    store.close()
  })

  it('will not re-format a store that holds topics even if meta.properties is gone', () => {
    const dir = formatted()
    const store = openSqliteLogStore(dir)
    store.createTopic({ name: 't', uuid: Buffer.alloc(16, 1), partitionCount: 1, configs: new Map() })
    store.close()
    unlinkSync(join(dir, 'meta.properties'))
    expect(() => formatDataDir(dir, { clusterId: 'second-try', nodeId: 3 })).toThrow(NotAStoreError)
    expect(existsSync(join(dir, 'meta.properties'))).toBe(false)
  })

  it('rejects a negative node id and an empty cluster id', () => {
    expect(() => formatDataDir(join(temp.path, 'a'), { clusterId: CLUSTER_ID, nodeId: -1 })).toThrow(RangeError)
    expect(() => formatDataDir(join(temp.path, 'b'), { clusterId: '', nodeId: 1 })).toThrow(RangeError)
    expect(existsSync(join(temp.path, 'a'))).toBe(false)
  })
})

describe('openSqliteLogStore refusals leave the directory untouched', () => {
  /** Asserts `open` throws `type` (with `text` in the message) and that nothing under `root` changed. */
  function expectRefusal(
    root: string,
    type: new (...args: never[]) => Error,
    text: string,
    options: { directoryMtimes?: boolean } = {},
  ): void {
    const before = existsSync(root) ? snapshot(root, options) : undefined
    let caught: unknown
    try {
      openSqliteLogStore(root).close()
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(type)
    expect((caught as Error).message).toContain(text)
    if (before === undefined) expect(existsSync(root)).toBe(false)
    else expect(snapshot(root, options)).toEqual(before)
  }

  it('a missing directory: NotFormattedError, and it is not created', () => {
    expectRefusal(join(temp.path, 'missing'), NotFormattedError, 'kafka-ts storage format')
  })

  it('an empty directory: NotFormattedError', () => {
    const dir = join(temp.path, 'empty')
    mkdirSync(dir)
    expectRefusal(dir, NotFormattedError, 'No `meta.properties` found in')
  })

  it('a foreign directory (files, no meta.properties): NotFormattedError', () => {
    const dir = join(temp.path, 'photos')
    mkdirSync(dir)
    writeFileSync(join(dir, 'cat.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0]))
    writeFileSync(join(dir, DB_FILE_NAME), 'not even sqlite')
    expectRefusal(dir, NotFormattedError, dir)
  })

  it('a regular file instead of a directory: NotFormattedError', () => {
    const file = join(temp.path, 'file')
    writeFileSync(file, 'x')
    expectRefusal(file, NotFormattedError, file)
  })

  it('an Apache Kafka log directory (meta.properties, no kafka-ts.db): NotAStoreError naming the path', () => {
    const dir = join(temp.path, 'kraft-combined-logs')
    mkdirSync(join(dir, 'orders-0'), { recursive: true })
    writeFileSync(join(dir, 'orders-0', '00000000000000000000.log'), Buffer.alloc(64, 7))
    writeFileSync(
      join(dir, 'meta.properties'),
      `#\n#Mon Oct 21 12:00:00 UTC 2024\nnode.id=1\ndirectory.id=8vCL0HWaRYKlAHZ0yxaCbg\nversion=1\ncluster.id=${CLUSTER_ID}\n`,
    )
    expectRefusal(dir, NotAStoreError, join(dir, DB_FILE_NAME))
  })

  it('random bytes as kafka-ts.db: NotAStoreError naming the path', () => {
    const dir = formatted()
    writeFileSync(join(dir, DB_FILE_NAME), Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 131 + 7) & 0xff)))
    expectRefusal(dir, NotAStoreError, join(dir, DB_FILE_NAME))
  })

  it('an empty kafka-ts.db (SQLite would silently make it a new database): NotAStoreError', () => {
    const dir = formatted()
    writeFileSync(join(dir, DB_FILE_NAME), Buffer.alloc(0))
    expectRefusal(dir, NotAStoreError, join(dir, DB_FILE_NAME))
  })

  it('a directory named kafka-ts.db: NotAStoreError', () => {
    const dir = formatted()
    rmSync(join(dir, DB_FILE_NAME))
    mkdirSync(join(dir, DB_FILE_NAME))
    expectRefusal(dir, NotAStoreError, join(dir, DB_FILE_NAME))
  })

  for (const mode of ['delete', 'wal'] as const) {
    it(`another program's SQLite database (journal_mode=${mode}): NotAStoreError naming the path`, () => {
      const dir = formatted()
      const dbPath = join(dir, DB_FILE_NAME)
      rmSync(dbPath)
      const other = new Database(dbPath)
      other.pragma(`journal_mode = ${mode}`)
      other.exec("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT); INSERT INTO meta VALUES ('cluster.id', 'x')")
      other.pragma('user_version = 1')
      other.close()
      expectRefusal(dir, NotAStoreError, dbPath)
    })
  }

  it('a newer PRAGMA user_version: NewerFormatError', () => {
    const dir = formatted()
    const raw = new Database(join(dir, DB_FILE_NAME))
    raw.pragma(`user_version = ${STORE_FORMAT_VERSION + 1}`)
    raw.close()
    expectRefusal(dir, NewerFormatError, join(dir, DB_FILE_NAME))
  })

  it('a newer meta format.version: NewerFormatError', () => {
    const dir = formatted()
    const raw = new Database(join(dir, DB_FILE_NAME))
    raw.prepare("UPDATE meta SET value = ? WHERE key = 'format.version'").run(String(STORE_FORMAT_VERSION + 1))
    raw.close()
    // SQLite opens this one to read `meta`: its transient -wal/-shm files come and go (the directory's
    // mtime moves), but no file is left behind or changed.
    expectRefusal(dir, NewerFormatError, 'format version', { directoryMtimes: false })
  })

  it("another store's kafka-ts.db under this directory's meta.properties: NotAStoreError", () => {
    const a = formatted('a')
    const b = formatted('b')
    copyFileSync(join(a, DB_FILE_NAME), join(b, DB_FILE_NAME))
    expectRefusal(b, NotAStoreError, join(b, DB_FILE_NAME), { directoryMtimes: false })
  })

  it('a meta.properties without cluster.id: NotAStoreError naming it', () => {
    const dir = formatted()
    writeFileSync(join(dir, 'meta.properties'), '#\nnode.id=1\nversion=1\ndirectory.id=8vCL0HWaRYKlAHZ0yxaCbg\n')
    expectRefusal(dir, NotAStoreError, join(dir, 'meta.properties'))
  })
})
