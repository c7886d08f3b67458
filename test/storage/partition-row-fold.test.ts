// Appends leave the `partitions` row alone (issue 11, item 3): a small commit writes one page to the WAL
// (the log table's) instead of two, and the row is folded in only at a partition's first append, every
// FOLD_OFFSETS offsets and before any other write of it. Whatever the fold state, every connection sees
// the partition's real end, max timestamp and stored bytes. Real SQLite files; the WAL is read as SQLite
// wrote it.

import { statSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { expect, it } from 'vitest'

import { DB_FILE_NAME, STORE_FORMAT_VERSION } from '../../src/storage/sqlite/data-dir.js'

/** The store format that introduced folded partition rows (migration 9). */
const FOLD_STEP_VERSION = 9
import type { LogStore, StoredBatch, TopicPartition } from '../../src/storage/log-store.js'
import { FOLD_OFFSETS } from '../../src/storage/sqlite/partition-rows.js'
import { formattedStoreEachTest, makeBatch } from './store-fixtures.js'

const { dir: dataDir, open, close } = formattedStoreEachTest('partition-row-fold')

let uuidSeed = 0
function createTopic(s: LogStore, name: string): TopicPartition {
  const t = s.createTopic({ name, uuid: Buffer.alloc(16, ++uuidSeed), partitionCount: 1, configs: new Map() })
  return { topicId: t.id, partition: 0 }
}

function append(s: LogStore, tp: TopicPartition, count: number, size = 120, maxTimestamp?: number): StoredBatch {
  const batch = makeBatch(s.offsets(tp).highWatermark, count, { size, ...(maxTimestamp === undefined ? {} : { maxTimestamp }) })
  s.append(tp, batch)
  return batch
}

/** The partition row as stored. */
function row(tp: TopicPartition): { highWatermark: number; storedBytes: number } {
  const db = new Database(join(dataDir(), DB_FILE_NAME), { readonly: true })
  try {
    return db
      .prepare<[number, number], { highWatermark: number; storedBytes: number }>(
        'SELECT high_watermark AS highWatermark, stored_bytes AS storedBytes FROM partitions WHERE topic_id = ? AND partition = ?',
      )
      .get(tp.topicId, tp.partition)!
  } finally {
    db.close()
  }
}

/** Frames in the WAL file: its size after the 32-byte header, in frames of a 24-byte header and a page. */
function walFrames(pageSize: number): number {
  return (statSync(join(dataDir(), `${DB_FILE_NAME}-wal`)).size - 32) / (24 + pageSize)
}

it('a small acks=1 append writes one page to the WAL: the log table\'s, not the partition row\'s too', () => {
  const store = open()
  const tp = createTopic(store, 'small')
  store.atomically(() => append(store, tp, 1), 'commit') // the first append creates the table and folds the row
  const db = new Database(join(dataDir(), DB_FILE_NAME), { readonly: true })
  const pageSize = db.pragma('page_size', { simple: true }) as number
  db.close()
  const before = walFrames(pageSize)
  for (let i = 0; i < 20; i++) store.atomically(() => append(store, tp, 1), 'commit')
  // 20 batches of 120 bytes fit the table's leaf page: one frame per commit.
  expect(walFrames(pageSize) - before).toBe(20)
  expect(row(tp).highWatermark).toBe(1)
  expect(store.offsets(tp)).toEqual({ logStartOffset: 0, highWatermark: 21 })
})

it('every connection sees the real end, max timestamp and stored bytes between folds, and the row catches up every FOLD_OFFSETS', () => {
  const writer = open()
  const tp = createTopic(writer, 'folds')
  const reader = open()
  let bytes = 0
  let maxTimestamp = 0
  for (let i = 0; i < FOLD_OFFSETS + 10; i++) {
    const timestamp = 1_700_000_000_000 + ((i * 7919) % 5000) // out of order: the running maximum matters
    bytes += append(writer, tp, 1, 100 + (i % 50), timestamp).bytes.length
    maxTimestamp = Math.max(maxTimestamp, timestamp)
  }
  const end = FOLD_OFFSETS + 10
  // Folded at the first append and once FOLD_OFFSETS offsets had gone by since; the last ten are only in the log table.
  expect(row(tp).highWatermark).toBe(FOLD_OFFSETS + 1)
  for (const s of [writer, reader]) {
    expect(s.offsets(tp)).toEqual({ logStartOffset: 0, highWatermark: end })
    expect(s.cleanerState(tp)).toMatchObject({ highWatermark: end, storedBytes: bytes })
    // The batch with the largest timestamp is found; nothing is after the maximum.
    expect(s.firstBatchAtOrAfter(tp, maxTimestamp)?.maxTimestamp).toBe(maxTimestamp)
    expect(s.firstBatchAtOrAfter(tp, maxTimestamp + 1)).toBeUndefined()
    expect(s.readWithOffsets(tp, end - 1, { maxBytes: 1 << 20 }).batches.map((b) => b.baseOffset)).toEqual([end - 1])
  }
  // The other connection appends where the log really ends.
  append(reader, tp, 3)
  expect(writer.offsets(tp).highWatermark).toBe(end + 3)
})

it('appends of one group commit (offsets then append, many times in one write transaction, across a fold) end where separate ones would', () => {
  const writer = open()
  const tp = createTopic(writer, 'grouped')
  const other = createTopic(writer, 'grouped-other')
  const reader = open()
  let bytes = 0
  let maxTimestamp = 0
  // The produce path asks for the offsets and appends at them, partition after partition, in one
  // transaction: the store answers the second state of a partition from what its append just did.
  writer.atomically(() => {
    for (let i = 0; i < FOLD_OFFSETS + 5; i++) {
      const timestamp = 1_700_000_000_000 + ((i * 7919) % 5000)
      bytes += append(writer, tp, 1, 100, timestamp).bytes.length
      maxTimestamp = Math.max(maxTimestamp, timestamp)
      if (i % 100 === 0) append(writer, other, 2)
      // A batch at a wrong offset fails alone and leaves the transaction and what it knows as they were.
      if (i === 7) expect(() => writer.append(tp, makeBatch(0, 1))).toThrow(/offset/i)
    }
  }, 'commit')
  const end = FOLD_OFFSETS + 5
  for (const s of [writer, reader]) {
    expect(s.offsets(tp)).toEqual({ logStartOffset: 0, highWatermark: end })
    expect(s.offsets(other).highWatermark).toBe(2 * Math.ceil(end / 100))
    expect(s.cleanerState(tp)).toMatchObject({ highWatermark: end, storedBytes: bytes })
    expect(s.firstBatchAtOrAfter(tp, maxTimestamp)?.maxTimestamp).toBe(maxTimestamp)
    expect(s.readWithOffsets(tp, 0, { maxBytes: 1 << 30 }).batches.map((b) => b.baseOffset)).toEqual(Array.from({ length: end }, (_, i) => i))
  }
  // The next transaction reads the partition again: another connection's append in between is seen.
  append(reader, tp, 3)
  writer.atomically(() => append(writer, tp, 1), 'commit')
  expect(reader.offsets(tp).highWatermark).toBe(end + 4)
})

it('deleting records, compaction and a computed stored-bytes total count the batches appended since the last fold', () => {
  const store = open()
  const tp = createTopic(store, 'writes')
  const batches = Array.from({ length: 30 }, () => append(store, tp, 2))
  const total = (list: readonly StoredBatch[]) => list.reduce((n, b) => n + b.bytes.length, 0)
  expect(row(tp).highWatermark).toBe(2) // only the first append folded

  store.setLogStartOffset(tp, 20) // deletes the ten batches below offset 20
  expect(row(tp).highWatermark).toBe(60)
  expect(store.cleanerState(tp)).toMatchObject({ logStartOffset: 20, highWatermark: 60, storedBytes: total(batches.slice(10)) })

  const more = [append(store, tp, 2), append(store, tp, 2)]
  const shrunk = { ...batches[15]!, bytes: batches[15]!.bytes.subarray(0, 50) }
  store.rewriteBatches(tp, [
    { baseOffset: shrunk.baseOffset, replacement: shrunk },
    { baseOffset: batches[16]!.baseOffset, replacement: null },
  ])
  const kept = [...batches.slice(10, 15), shrunk, ...batches.slice(17), ...more]
  expect(store.cleanerState(tp)).toMatchObject({ highWatermark: 64, storedBytes: total(kept) })

  // A partition whose stored bytes were never known (a store from before the column) gets them computed once.
  append(store, tp, 1)
  const db = new Database(join(dataDir(), DB_FILE_NAME))
  db.prepare('UPDATE partitions SET stored_bytes = -1').run()
  db.close()
  const last = append(store, tp, 1)
  expect(store.cleanerState(tp)).toMatchObject({ highWatermark: 66, storedBytes: total(kept) + store.storedBytesBetween(tp, 64, 65) + last.bytes.length })
  expect(row(tp)).toEqual({ highWatermark: 66, storedBytes: total(kept) + store.storedBytesBetween(tp, 64, 66) })
})

it('a store of the previous format (rows updated by every append) opens at the current one and goes on where its log ends', () => {
  const store = open()
  const tp = createTopic(store, 'previous')
  append(store, tp, 5)
  close(store)
  // What the release before folding left: the same tables, every row exact, the format before the fold step.
  const db = new Database(join(dataDir(), DB_FILE_NAME))
  db.prepare('UPDATE partitions SET high_watermark = 5, stored_bytes = 120').run()
  db.pragma(`user_version = ${FOLD_STEP_VERSION - 1}`)
  db.prepare("UPDATE meta SET value = ? WHERE key = 'format.version'").run(String(FOLD_STEP_VERSION - 1))
  db.close()

  const reopened = open()
  expect(reopened.offsets(tp)).toEqual({ logStartOffset: 0, highWatermark: 5 })
  expect(append(reopened, tp, 2).baseOffset).toBe(5)
  expect(reopened.cleanerState(tp)).toMatchObject({ highWatermark: 7, storedBytes: 240 })
  const check = new Database(join(dataDir(), DB_FILE_NAME), { readonly: true })
  expect(check.pragma('user_version', { simple: true })).toBe(STORE_FORMAT_VERSION)
  check.close()
})
