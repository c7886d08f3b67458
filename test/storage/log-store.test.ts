// The LogStore contract on real SQLite files in temp directories. Batches are arbitrary bytes of a
// realistic size (the store never parses them); each test states the offsets and counts it stores.

import { join } from 'node:path'
import Database from 'better-sqlite3'
import fc from 'fast-check'
import { beforeEach, describe, expect, it } from 'vitest'
import { DB_FILE_NAME } from '../../src/storage/sqlite/data-dir.js'
import {
  OffsetGapError,
  PartitionNotFoundError,
  TopicExistsError,
  TopicNotFoundError,
} from '../../src/storage/log-store.js'
import type { LogStore, NewTopicRow, StoredBatch, TopicPartition } from '../../src/storage/log-store.js'
import { logTableName, partitionSql } from '../../src/storage/sqlite/partition-tables.js'
import { formattedStoreEachTest, makeBatch } from './store-fixtures.js'

const { dir: dataDir, open } = formattedStoreEachTest('storage-contract-cluster')
let store: LogStore

beforeEach(() => {
  store = open()
})

let uuidSeed = 0
function newTopic(name: string, partitionCount = 1, configs: Record<string, string> = {}): NewTopicRow {
  return { name, uuid: Buffer.alloc(16, ++uuidSeed), partitionCount, configs: new Map(Object.entries(configs)) }
}

/** Appends batches of the given record counts, contiguously from the current high watermark. */
function appendCounts(s: LogStore, tp: TopicPartition, counts: readonly number[], size = 1024): StoredBatch[] {
  const out: StoredBatch[] = []
  for (const count of counts) {
    const batch = makeBatch(s.offsets(tp).highWatermark, count, { size })
    s.append(tp, batch)
    out.push(batch)
  }
  return out
}

/** A second, plain connection for looking at what is really in the file. */
function rawQuery<T>(sql: string): T[] {
  const db = new Database(join(dataDir(), DB_FILE_NAME), { readonly: true })
  try {
    return db.prepare<[], T>(sql).all()
  } finally {
    db.close()
  }
}

const offsetsOf = (batches: readonly StoredBatch[]) => batches.map((b) => [b.baseOffset, b.lastOffset])

describe('topics', () => {
  it('creates, finds by name and id, and lists sorted by name', () => {
    const b = store.createTopic(newTopic('beta', 2, { 'retention.ms': '1000' }))
    const a = store.createTopic(newTopic('alpha.with_dots-and-dashes', 1))
    store.createTopic(newTopic('gamma', 3))

    expect(b).toMatchObject({ name: 'beta', partitionCount: 2 })
    expect(b.configs).toEqual(new Map([['retention.ms', '1000']]))
    expect(store.findTopic('beta')).toEqual(b)
    expect(store.findTopicById(a.id)).toEqual(a)
    expect(store.findTopic('nope')).toBeUndefined()
    expect(store.findTopicById(9999)).toBeUndefined()
    expect(store.listTopics().map((t) => t.name)).toEqual(['alpha.with_dots-and-dashes', 'beta', 'gamma'])
    expect(store.listTopics().find((t) => t.name === 'beta')?.configs.get('retention.ms')).toBe('1000')
    expect(store.offsets({ topicId: b.id, partition: 1 })).toEqual({ logStartOffset: 0, highWatermark: 0 })
  })

  it('refuses a duplicate name with TopicExistsError and leaves the first topic alone', () => {
    const first = store.createTopic(newTopic('dup', 1))
    expect(() => store.createTopic(newTopic('dup', 5))).toThrow(TopicExistsError)
    expect(store.findTopic('dup')).toEqual(first)
    expect(store.listTopics()).toHaveLength(1)
  })

  it('deletes a topic with its partition tables; the same name comes back with a new id and empty logs', () => {
    const old = store.createTopic(newTopic('orders', 2))
    appendCounts(store, { topicId: old.id, partition: 0 }, [3, 2])
    // Only the partition that was written to has a table.
    expect(rawQuery<{ name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE 'log\\_%' ESCAPE '\\'")).toHaveLength(1)

    store.deleteTopic(old.id)
    expect(store.findTopic('orders')).toBeUndefined()
    expect(store.findTopicById(old.id)).toBeUndefined()
    expect(() => store.offsets({ topicId: old.id, partition: 0 })).toThrow(PartitionNotFoundError)
    expect(() => store.read({ topicId: old.id, partition: 0 }, 0, { maxBytes: 1e6 })).toThrow(PartitionNotFoundError)
    expect(rawQuery("SELECT name FROM sqlite_schema WHERE name LIKE 'log\\_%' ESCAPE '\\'")).toEqual([])
    expect(rawQuery('SELECT * FROM partitions')).toEqual([])

    const again = store.createTopic(newTopic('orders', 1))
    expect(again.id).not.toBe(old.id)
    const tp = { topicId: again.id, partition: 0 }
    expect(store.offsets(tp)).toEqual({ logStartOffset: 0, highWatermark: 0 })
    expect(store.read(tp, 0, { maxBytes: 1e6 })).toEqual([])
    expect(() => store.deleteTopic(old.id)).toThrow(TopicNotFoundError)
  })

  it('never reuses a topic id, even across reopen', () => {
    const a = store.createTopic(newTopic('a'))
    store.deleteTopic(a.id)
    store.close()
    store = open()
    const b = store.createTopic(newTopic('b'))
    expect(b.id).toBeGreaterThan(a.id)
  })

  it('sets, overwrites and removes topic configs', () => {
    const t = store.createTopic(newTopic('cfg', 1, { 'cleanup.policy': 'delete', 'retention.ms': '1' }))
    store.setTopicConfigs(
      t.id,
      new Map<string, string | null>([
        ['retention.ms', '2'],
        ['cleanup.policy', null],
        ['segment.bytes', '1024'],
      ]),
    )
    expect(store.findTopicById(t.id)?.configs).toEqual(
      new Map([
        ['retention.ms', '2'],
        ['segment.bytes', '1024'],
      ]),
    )
    expect(() => store.setTopicConfigs(424242, new Map([['a', 'b']]))).toThrow(TopicNotFoundError)
  })

  it('adds partitions with empty logs and refuses to shrink', () => {
    const t = store.createTopic(newTopic('grow', 1))
    appendCounts(store, { topicId: t.id, partition: 0 }, [4])
    store.addPartitions(t.id, 3)
    expect(store.findTopicById(t.id)?.partitionCount).toBe(3)
    expect(store.offsets({ topicId: t.id, partition: 0 }).highWatermark).toBe(4)
    expect(store.offsets({ topicId: t.id, partition: 2 })).toEqual({ logStartOffset: 0, highWatermark: 0 })
    appendCounts(store, { topicId: t.id, partition: 2 }, [1, 1])
    expect(store.offsets({ topicId: t.id, partition: 2 }).highWatermark).toBe(2)
    expect(() => store.offsets({ topicId: t.id, partition: 3 })).toThrow(PartitionNotFoundError)
    expect(() => store.addPartitions(t.id, 2)).toThrow(RangeError)
    expect(() => store.addPartitions(999, 2)).toThrow(TopicNotFoundError)
  })
})

describe('partition tables', () => {
  const logTables = () => rawQuery<{ name: string }>("SELECT name FROM sqlite_schema WHERE name LIKE 'log\\_%' ESCAPE '\\'").map((r) => r.name)

  it('an empty partition has no schema object: the first append creates its table, and a rolled-back one takes it back', () => {
    const t = store.createTopic(newTopic('many', 1000))
    expect(logTables()).toEqual([])
    const tp = { topicId: t.id, partition: 7 }
    expect(store.read(tp, 0, { maxBytes: 1e6 })).toEqual([])
    expect(store.firstBatchAtOrAfter(tp, 0)).toBeUndefined()
    expect(store.batchInfos(tp, 0, 10)).toEqual([])
    expect(store.cleanerState(tp)).toMatchObject({ storedBytes: 0, highWatermark: 0 })

    expect(() =>
      store.atomically(() => {
        store.append(tp, makeBatch(0, 2))
        throw new Error('rolled back')
      }),
    ).toThrow('rolled back')
    expect(logTables()).toEqual([])
    expect(store.offsets(tp)).toEqual({ logStartOffset: 0, highWatermark: 0 })

    appendCounts(store, tp, [2, 3])
    expect(logTables()).toEqual([logTableName(t.id, 7)])
    expect(store.read(tp, 0, { maxBytes: 1e6 }).map((b) => b.baseOffset)).toEqual([0, 2])
  })
})

describe('append', () => {
  it('accepts only the batch that starts at the high watermark, one row per batch', () => {
    const t = store.createTopic(newTopic('log'))
    const tp = { topicId: t.id, partition: 0 }
    appendCounts(store, tp, [3, 1, 5]) // offsets 0..2, 3..3, 4..8
    expect(store.offsets(tp)).toEqual({ logStartOffset: 0, highWatermark: 9 })

    for (const wrongBase of [8, 10, 0]) {
      let caught: unknown
      try {
        store.append(tp, makeBatch(wrongBase, 1))
      } catch (error) {
        caught = error
      }
      expect(caught).toBeInstanceOf(OffsetGapError)
      expect(caught).toMatchObject({ expected: 9, got: wrongBase, tp })
    }
    expect(store.offsets(tp).highWatermark).toBe(9)
    // 9 records in 3 batches are 3 rows.
    expect(rawQuery<{ n: number }>(`SELECT count(*) AS n FROM ${logTableName(t.id, 0)}`)).toEqual([{ n: 3 }])
    expect(() => store.append({ topicId: t.id, partition: 1 }, makeBatch(0, 1))).toThrow(PartitionNotFoundError)
  })
})

describe('read', () => {
  let tp: TopicPartition
  let batches: StoredBatch[]
  beforeEach(() => {
    const t = store.createTopic(newTopic('reads'))
    tp = { topicId: t.id, partition: 0 }
    batches = appendCounts(store, tp, [3, 1, 5], 1000) // offsets 0..2, 3..3, 4..8; 1000 bytes each
  })

  it('returns the batch that contains a mid-batch offset, then the rest in order, bytes intact', () => {
    const fromMiddle = store.read(tp, 5, { maxBytes: 1e6 })
    expect(offsetsOf(fromMiddle)).toEqual([[4, 8]])
    expect(offsetsOf(store.read(tp, 1, { maxBytes: 1e6 }))).toEqual([
      [0, 2],
      [3, 3],
      [4, 8],
    ])
    expect(offsetsOf(store.read(tp, 3, { maxBytes: 1e6 }))).toEqual([
      [3, 3],
      [4, 8],
    ])
    const all = store.read(tp, 0, { maxBytes: 1e6 })
    expect(all).toEqual(batches)
    expect(all[2]?.bytes.equals(batches[2]?.bytes ?? Buffer.alloc(0))).toBe(true)
  })

  it('returns nothing at or beyond the high watermark', () => {
    expect(store.read(tp, 9, { maxBytes: 1e6 })).toEqual([])
    expect(store.read(tp, 1000, { maxBytes: 1e6 })).toEqual([])
  })

  it('is bounded by maxBytes (the first batch always comes back) and maxBatches', () => {
    expect(offsetsOf(store.read(tp, 0, { maxBytes: 2500 }))).toEqual([
      [0, 2],
      [3, 3],
    ])
    expect(offsetsOf(store.read(tp, 0, { maxBytes: 2000 }))).toEqual([
      [0, 2],
      [3, 3],
    ])
    expect(offsetsOf(store.read(tp, 0, { maxBytes: 1999 }))).toEqual([[0, 2]])
    expect(offsetsOf(store.read(tp, 0, { maxBytes: 1 }))).toEqual([[0, 2]])
    expect(offsetsOf(store.read(tp, 0, { maxBytes: 1e6, maxBatches: 2 }))).toEqual([
      [0, 2],
      [3, 3],
    ])
    expect(offsetsOf(store.read(tp, 4, { maxBytes: 1e6, maxBatches: 1 }))).toEqual([[4, 8]])
    expect(store.read(tp, 0, { maxBytes: 1e6, maxBatches: 0 })).toEqual([])
  })

  it('readWithOffsets answers the offsets with the batches, and no batches outside [log start, high watermark)', () => {
    expect(store.readWithOffsets(tp, 5, { maxBytes: 1e6 })).toEqual({ logStartOffset: 0, highWatermark: 9, lastStableOffset: 9, batches: [batches[2]], abortedTxns: [] })
    expect(store.readWithOffsets(tp, 9, { maxBytes: 1e6 })).toEqual({ logStartOffset: 0, highWatermark: 9, lastStableOffset: 9, batches: [], abortedTxns: [] })
    expect(store.readWithOffsets(tp, 0, { maxBytes: 1e6, maxBatches: 0 })).toEqual({ logStartOffset: 0, highWatermark: 9, lastStableOffset: 9, batches: [], abortedTxns: [] })
    store.setLogStartOffset(tp, 3)
    // read() still hands out the batch holding an offset below the start; a consumer's read does not.
    expect(store.readWithOffsets(tp, 2, { maxBytes: 1e6 })).toEqual({ logStartOffset: 3, highWatermark: 9, lastStableOffset: 9, batches: [], abortedTxns: [] })
    expect(offsetsOf(store.readWithOffsets(tp, 3, { maxBytes: 1e6 }).batches)).toEqual([
      [3, 3],
      [4, 8],
    ])
    expect(() => store.readWithOffsets({ topicId: tp.topicId, partition: 1 }, 0, { maxBytes: 1e6 })).toThrow(PartitionNotFoundError)
  })

  it('seeks to the first batch through the primary key instead of scanning the log', () => {
    const db = new Database(join(dataDir(), DB_FILE_NAME), { readonly: true })
    try {
      const sql = partitionSql(logTableName(tp.topicId, tp.partition))
      for (const [text, params] of [
        [sql.planFrom, { from: 5 }],
        [sql.readRange, { first: 4, last: 9 }],
        [sql.runningMaxAt, { offset: 5 }],
        [sql.firstFromAtOrAfterTime, { from: 4, ts: 5 }],
        [sql.deleteBelow, { offset: 5 }],
      ] as const) {
        const plan = db.prepare(`EXPLAIN QUERY PLAN ${text}`).all(params) as { detail: string }[]
        const details = plan.map((row) => row.detail)
        expect(details.some((d) => d.startsWith('SEARCH'))).toBe(true)
        expect(details.filter((d) => d.startsWith('SCAN'))).toEqual([])
      }
    } finally {
      db.close()
    }
  })
})

describe('statements of the hot path', () => {
  it('bind no LIMIT, which SQLite (STAT4) answers by re-preparing the statement at every binding', () => {
    const sql = partitionSql(logTableName(1, 0))
    // Appends and Fetch reads: run once per request.
    for (const text of [sql.insert, sql.planFrom, sql.readRange]) expect(text).not.toMatch(/LIMIT\s+[@:?$]/i)
  })

  it('a read bounded by maxBatches stops its walk at that many batches', () => {
    const t = store.createTopic(newTopic('bounded', 1))
    const tp = { topicId: t.id, partition: 0 }
    appendCounts(store, tp, [1, 2, 3, 4], 100)
    expect(offsetsOf(store.read(tp, 0, { maxBytes: 1e6, maxBatches: 2 }))).toEqual(offsetsOf(store.read(tp, 0, { maxBytes: 1e6 })).slice(0, 2))
    expect(store.read(tp, 1, { maxBytes: 1e6, maxBatches: 3 })).toHaveLength(3)
    expect(store.read(tp, 0, { maxBytes: 1e6 })).toHaveLength(4)
  })
})

describe('durable state', () => {
  it('reopening keeps topics, configs, offsets and batch bytes', () => {
    const t = store.createTopic(newTopic('keep', 2, { 'retention.ms': '5' }))
    const tp = { topicId: t.id, partition: 1 }
    const batches = appendCounts(store, tp, [2, 7, 1], 16 * 1024)
    store.setLogStartOffset(tp, 2)
    const meta = store.meta()
    store.close()

    store = open()
    expect(store.meta()).toEqual(meta)
    expect(store.findTopic('keep')).toEqual(t)
    expect(store.offsets(tp)).toEqual({ logStartOffset: 2, highWatermark: 10 })
    expect(store.read(tp, 2, { maxBytes: 1e9 })).toEqual(batches.slice(1))
    appendCounts(store, tp, [1])
    expect(store.offsets(tp).highWatermark).toBe(11)
  })
})

describe('setLogStartOffset', () => {
  it('raises the start, drops whole batches below it and never moves back', () => {
    const t = store.createTopic(newTopic('trim'))
    const tp = { topicId: t.id, partition: 0 }
    appendCounts(store, tp, [3, 1, 5]) // offsets 0..2, 3..3, 4..8
    const table = logTableName(t.id, 0)

    store.setLogStartOffset(tp, 4)
    expect(store.offsets(tp)).toEqual({ logStartOffset: 4, highWatermark: 9 })
    expect(offsetsOf(store.read(tp, 0, { maxBytes: 1e6 }))).toEqual([[4, 8]])
    expect(rawQuery<{ n: number }>(`SELECT count(*) AS n FROM ${table}`)).toEqual([{ n: 1 }])

    store.setLogStartOffset(tp, 3) // lower: ignored
    expect(store.offsets(tp).logStartOffset).toBe(4)

    store.setLogStartOffset(tp, 6) // inside the last batch: the batch stays
    expect(store.offsets(tp)).toEqual({ logStartOffset: 6, highWatermark: 9 })
    expect(offsetsOf(store.read(tp, 6, { maxBytes: 1e6 }))).toEqual([[4, 8]])

    store.setLogStartOffset(tp, 9) // the high watermark: everything goes
    expect(store.offsets(tp)).toEqual({ logStartOffset: 9, highWatermark: 9 })
    expect(rawQuery<{ n: number }>(`SELECT count(*) AS n FROM ${table}`)).toEqual([{ n: 0 }])
    expect(() => store.setLogStartOffset(tp, 10)).toThrow(RangeError)

    appendCounts(store, tp, [2])
    expect(offsetsOf(store.read(tp, 0, { maxBytes: 1e6 }))).toEqual([[9, 10]])
  })
})

describe('firstBatchAtOrAfter', () => {
  it('finds the first batch whose max timestamp reaches the target, with timestamps out of order', () => {
    const t = store.createTopic(newTopic('times'))
    const tp = { topicId: t.id, partition: 0 }
    // offsets 0..1 @100, 2..2 @50, 3..5 @300, 6..6 @200
    const stamps: [number, number][] = [
      [2, 100],
      [1, 50],
      [3, 300],
      [1, 200],
    ]
    for (const [count, maxTimestamp] of stamps) {
      store.append(tp, makeBatch(store.offsets(tp).highWatermark, count, { maxTimestamp }))
    }
    const firstAt = (ts: number) => store.firstBatchAtOrAfter(tp, ts)?.baseOffset
    expect(firstAt(-1)).toBe(0)
    expect(firstAt(40)).toBe(0)
    expect(firstAt(100)).toBe(0)
    expect(firstAt(101)).toBe(3)
    expect(firstAt(250)).toBe(3)
    expect(firstAt(300)).toBe(3)
    expect(firstAt(301)).toBeUndefined()

    // Dropping the @100 batch: the next batch at or after 60 is @300, not the @50 one.
    store.setLogStartOffset(tp, 2)
    expect(firstAt(60)).toBe(3)
    expect(firstAt(10)).toBe(2)
  })
})

describe('firstBatchAtOrAfter against a linear scan', () => {
  it('agrees on random logs with gaps (compaction), a raised log start and any target', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ count: fc.integer({ min: 1, max: 4 }), ts: fc.integer({ min: -1, max: 60 }), drop: fc.boolean() }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 0, max: 30 }),
        fc.array(fc.integer({ min: -2, max: 62 }), { minLength: 1, maxLength: 8 }),
        (batches, start, targets) => {
          const t = store.createTopic(newTopic(`rand-${++uuidSeed}`))
          const tp = { topicId: t.id, partition: 0 }
          for (const b of batches) store.append(tp, makeBatch(store.offsets(tp).highWatermark, b.count, { maxTimestamp: b.ts }))
          const all = store.read(tp, 0, { maxBytes: Number.MAX_SAFE_INTEGER })
          // Compaction removes whole batches but never the last one; offsets keep their gaps.
          store.rewriteBatches(tp, all.slice(0, -1).flatMap((b, i) => (batches[i]!.drop ? [{ baseOffset: b.baseOffset, replacement: null }] : [])))
          store.setLogStartOffset(tp, Math.min(start, store.offsets(tp).highWatermark))
          const kept = store.read(tp, store.offsets(tp).logStartOffset, { maxBytes: Number.MAX_SAFE_INTEGER })
          for (const ts of targets) {
            expect(store.firstBatchAtOrAfter(tp, ts)?.baseOffset).toBe(kept.find((b) => b.maxTimestamp >= ts)?.baseOffset)
          }
          store.deleteTopic(t.id)
        },
      ),
      { numRuns: 60, seed: 11 },
    )
  })
})

describe('nextProducerId', () => {
  it('never hands out the same id twice, across reopen', () => {
    const seen: number[] = []
    for (let i = 0; i < 5; i++) seen.push(store.nextProducerId())
    store.close()
    store = open()
    for (let i = 0; i < 5; i++) seen.push(store.nextProducerId())
    const other = open()
    seen.push(other.nextProducerId(), store.nextProducerId())
    expect(new Set(seen).size).toBe(seen.length)
    expect([...seen].sort((x, y) => x - y)).toEqual(seen)
    expect(seen.every((id) => Number.isSafeInteger(id) && id >= 0)).toBe(true)
  })
})

describe('externalChangeCounter', () => {
  it('changes after another connection commits, not after our own commits', () => {
    const t = store.createTopic(newTopic('watch'))
    const tp = { topicId: t.id, partition: 0 }
    const other = open()

    const start = store.externalChangeCounter()
    appendCounts(store, tp, [1])
    store.nextProducerId()
    expect(store.externalChangeCounter()).toBe(start)

    appendCounts(other, tp, [2])
    const afterOther = store.externalChangeCounter()
    expect(afterOther).not.toBe(start)
    expect(store.externalChangeCounter()).toBe(afterOther)
    expect(store.offsets(tp).highWatermark).toBe(3)
  })
})

describe('atomically', () => {
  it('runs nested calls inside the outer transaction, so one failure rolls back everything', () => {
    const t = store.createTopic(newTopic('tx', 2))
    const p0 = { topicId: t.id, partition: 0 }
    const p1 = { topicId: t.id, partition: 1 }

    store.atomically(() => {
      appendCounts(store, p0, [2])
      store.atomically(() => appendCounts(store, p1, [3]), 'commit')
    })
    expect([store.offsets(p0).highWatermark, store.offsets(p1).highWatermark]).toEqual([2, 3])

    expect(() =>
      store.atomically(() => {
        store.atomically(() => appendCounts(store, p0, [1]))
        store.createTopic(newTopic('made-inside'))
        store.append(p1, makeBatch(99, 1)) // gap: throws OffsetGapError
      }),
    ).toThrow(OffsetGapError)
    expect([store.offsets(p0).highWatermark, store.offsets(p1).highWatermark]).toEqual([2, 3])
    expect(store.findTopic('made-inside')).toBeUndefined()
  })

  it('returns the value of the work, under either durability', () => {
    expect(store.atomically(() => 42, 'fsync')).toBe(42)
    expect(store.atomically(() => 'x', 'commit')).toBe('x')
  })

  it('refuses asynchronous work instead of committing at its first await', () => {
    const t = store.createTopic(newTopic('async'))
    const tp = { topicId: t.id, partition: 0 }
    expect(() =>
      store.atomically(async () => {
        store.append(tp, makeBatch(0, 1))
        await Promise.resolve()
      }),
    ).toThrow(TypeError)
    expect(store.offsets(tp).highWatermark).toBe(0)
  })
})
