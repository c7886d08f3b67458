// A data directory written by kafka-ts 0.1.0 (store format 6: a table and a time index per partition,
// created with the topic; max timestamps as producers claimed them), made by
// fixtures/make-release-store.mjs with that release's own broker, is upgraded in place when opened:
// every record reads back as that release stored it, empty partitions lose their tables, no time index
// is left, lying max timestamps are repaired before any retention pass, and writing goes on.

import { copyFileSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, expect, it } from 'vitest'

import type { Broker } from '../../src/broker/broker.js'
import { openBroker } from '../../src/broker/open-broker.js'
import { forEachRecord } from '../../src/protocol/batch-records.js'
import { readBatchHeader, verifyBatchCrc } from '../../src/protocol/record-batch.js'
import { RecordBatchBuilder } from '../../src/protocol/record-batch-builder.js'
import { DB_FILE_NAME, STORE_FORMAT_VERSION } from '../../src/storage/sqlite/data-dir.js'
import { tempDir } from '../helpers/cli.js'

const FIXTURE = join(import.meta.dirname, 'fixtures', 'release-0.1.0-store')

interface ExpectedRecord {
  offset: number
  timestamp: number
  key: string | null
  value: string | null
  headers: [string, string | null][]
}
type Expected = Record<string, { logStartOffset: number; highWatermark: number; records: ExpectedRecord[] }>

let dir: string
let cleanup: () => void
let broker: Broker | undefined

beforeEach(() => {
  const t = tempDir()
  cleanup = t.cleanup
  dir = join(t.dir, 'data')
  mkdirSync(dir)
  copyFileSync(join(FIXTURE, 'meta.properties'), join(dir, 'meta.properties'))
  writeFileSync(join(dir, DB_FILE_NAME), gunzipSync(readFileSync(join(FIXTURE, 'kafka-ts.db.gz'))))
})
afterEach(() => {
  broker?.close()
  broker = undefined
  cleanup()
})

function schemaNames(): string[] {
  const db = new Database(join(dir, DB_FILE_NAME), { readonly: true })
  try {
    return db.prepare<[], string>("SELECT name FROM sqlite_schema WHERE name LIKE 'log\\_%' ESCAPE '\\' ORDER BY name").pluck().all()
  } finally {
    db.close()
  }
}

it('opens a store written by kafka-ts 0.1.0 and reads every record back as that release stored it', () => {
  const before = schemaNames()
  expect(before.filter((n) => n.endsWith('_by_time')).length).toBeGreaterThan(0)
  const expected = JSON.parse(readFileSync(join(FIXTURE, 'expected.json'), 'utf8')) as Expected

  const b = (broker = openBroker({ dataDir: dir, initialize: 'never' }))
  expect(b.runLogCleaner().batchesDeleted).toBe(0)
  for (const [name, want] of Object.entries(expected)) {
    const cut = name.lastIndexOf('-')
    const topic = b.requireTopic(name.slice(0, cut))
    const partition = Number(name.slice(cut + 1))
    expect(b.offsets(topic, partition)).toEqual({ ok: true, value: { logStartOffset: want.logStartOffset, highWatermark: want.highWatermark } })
    const read = b.read(topic, partition, want.logStartOffset, 64 << 20)
    if (!read.ok) throw read.error
    const got: ExpectedRecord[] = []
    for (const bytes of read.value.batches) {
      verifyBatchCrc(bytes)
      forEachRecord(bytes, (r) => {
        if (r.offset < want.logStartOffset) return
        got.push({ offset: r.offset, timestamp: r.timestamp, key: r.key()?.toString() ?? null, value: r.value()?.toString() ?? null, headers: r.headers().map((h) => [h.key.toString(), h.value?.toString() ?? null]) })
      })
    }
    expect(got, name).toEqual(want.records)
  }

  // The lying headers now say what the records say, and lookups by time find each batch.
  const lying = b.requireTopic('lying')
  const read = b.read(lying, 0, 0, 1 << 20)
  if (!read.ok) throw read.error
  for (const bytes of read.value.batches) {
    let max = -1
    forEachRecord(bytes, (r) => void (max = Math.max(max, r.timestamp)))
    expect(readBatchHeader(bytes).maxTimestamp).toBe(max)
  }
  for (const r of expected['lying-0']!.records) {
    expect(b.listOffset(lying, 0, r.timestamp)).toEqual({ ok: true, value: { offset: r.offset, timestamp: r.timestamp } })
  }

  // Upgraded in place: empty partitions have no table, nothing has a time index, the format is current.
  const after = schemaNames()
  expect(after.filter((n) => n.endsWith('_by_time'))).toEqual([])
  const tables = new Set(after)
  for (const [name, want] of Object.entries(expected)) {
    const cut = name.lastIndexOf('-')
    const table = `log_${b.requireTopic(name.slice(0, cut)).id}_${name.slice(cut + 1)}`
    expect(tables.has(table), table).toBe(want.highWatermark > 0)
  }
  const db = new Database(join(dir, DB_FILE_NAME), { readonly: true })
  expect(db.pragma('user_version', { simple: true })).toBe(STORE_FORMAT_VERSION)
  db.close()

  // Writing goes on: into a partition that had data, and into one whose table was dropped.
  const orders = b.requireTopic('orders')
  const batch = new RecordBatchBuilder()
  batch.append(Date.now(), null, Buffer.from('after-upgrade'))
  const [more] = b.produce([{ topic: orders, partition: 0, batch: batch.build() }], 'fsync')
  expect(more?.ok && more.value.baseOffset).toBe(expected['orders-0']!.highWatermark)
  batch.append(Date.now(), null, Buffer.from('first'))
  const [first] = b.produce([{ topic: b.requireTopic('empty'), partition: 3, batch: batch.build() }], 'fsync')
  expect(first?.ok && first.value.baseOffset).toBe(0)
})
