import { closeSync, openSync, writeSync } from 'node:fs'
import { join } from 'node:path'

import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { DB_FILE_NAME, formatDataDir } from '../../src/storage/sqlite/data-dir.js'
import { StoreDamagedError, type LogStore, type TopicPartition } from '../../src/storage/log-store.js'
import { logTableName } from '../../src/storage/sqlite/partition-tables.js'
import { openSqliteLogStore } from '../../src/storage/sqlite/sqlite-log-store.js'
import { openStoreChecker } from '../../src/storage/sqlite/store-check.js'
import type { LogWalkItem } from '../../src/storage/store-check.js'
import { makeBatch, makeTempDir } from './store-fixtures.js'

// The store over a file with a damaged page: reads serve the batches before the damage, then the read
// that starts at it throws StoreDamagedError naming file, partition and offset; the checker walks past
// the damage and reports exactly the offsets the damaged page held.

const BATCHES = 400
let temp: ReturnType<typeof makeTempDir>
let dir: string
let file: string
let tp: TopicPartition
const opened: LogStore[] = []

beforeEach(() => {
  temp = makeTempDir()
  dir = join(temp.path, 'data')
  file = join(dir, DB_FILE_NAME)
  formatDataDir(dir, { clusterId: 'damaged-store-cluster', nodeId: 1 })
  const store = openSqliteLogStore(dir)
  const topic = store.createTopic({ name: 't', uuid: Buffer.alloc(16, 1), partitionCount: 1, configs: new Map() })
  tp = { topicId: topic.id, partition: 0 }
  for (let i = 0; i < BATCHES; i++) store.append(tp, makeBatch(i * 10, 10, { size: 1024 }))
  store.close()
})
afterEach(() => {
  for (const s of opened.splice(0)) s.close()
  temp.remove()
})

/** Overwrites the header of a middle leaf page of the partition's table; returns the batch offsets it held. */
function damageMiddleLeaf(): { first: number; last: number } {
  const table = logTableName(tp.topicId, tp.partition)
  const db = new Database(file)
  let pageno: number
  let pageSize: number
  let rowsBefore: number
  let rowsOn: number
  try {
    const leaves = db.prepare<[string], { pageno: number; ncell: number }>("SELECT pageno, ncell FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY path").all(table)
    expect(leaves.length).toBeGreaterThanOrEqual(4)
    const middle = Math.floor(leaves.length / 2)
    pageno = leaves[middle]!.pageno
    rowsOn = leaves[middle]!.ncell
    rowsBefore = leaves.slice(0, middle).reduce((n, l) => n + l.ncell, 0)
    pageSize = db.pragma('page_size', { simple: true }) as number
  } finally {
    db.close()
  }
  const fd = openSync(file, 'r+')
  try {
    writeSync(fd, Buffer.alloc(64, 0xab), 0, 64, (pageno - 1) * pageSize)
  } finally {
    closeSync(fd)
  }
  return { first: rowsBefore * 10, last: (rowsBefore + rowsOn) * 10 - 1 }
}

describe('a damaged page of a partition table', () => {
  it('reads serve the batches before it, then the read starting there throws StoreDamagedError with file, partition and offset', () => {
    const lost = damageMiddleLeaf()
    const store = openSqliteLogStore(dir)
    opened.push(store)
    let from = 0
    let served = 0
    let error: unknown
    for (;;) {
      try {
        const batches = store.read(tp, from, { maxBytes: 1 << 30 })
        if (batches.length === 0) break
        served += batches.length
        from = batches[batches.length - 1]!.lastOffset + 1
      } catch (err) {
        error = err
        break
      }
    }
    expect(from).toBe(lost.first)
    expect(served).toBe(lost.first / 10)
    expect(error).toBeInstanceOf(StoreDamagedError)
    expect(error).toMatchObject({ file, tp, offset: lost.first, detail: 'database disk image is malformed' })
    // The partition's bookkeeping lives elsewhere and still answers.
    expect(store.offsets(tp)).toEqual({ logStartOffset: 0, highWatermark: BATCHES * 10 })
  })

  it('the checker walks past it, reporting exactly the offsets the page held', () => {
    const lost = damageMiddleLeaf()
    const checker = openStoreChecker(file)
    try {
      const items: LogWalkItem[] = [...checker.walk(tp)]
      const unreadable = items.filter((i) => i.kind === 'unreadable')
      expect(unreadable).toEqual([{ kind: 'unreadable', fromOffset: lost.first, toOffset: lost.last + 1, detail: 'database disk image is malformed' }])
      const batches = items.flatMap((i) => (i.kind === 'batch' ? [i.batch.baseOffset] : []))
      const expected = Array.from({ length: BATCHES }, (_, i) => i * 10).filter((o) => o < lost.first || o > lost.last)
      expect(batches).toEqual(expected)
      expect(checker.engineCheck(false, 100).some((p) => p.tp?.topicId === tp.topicId && p.tp.partition === 0)).toBe(true)
    } finally {
      checker.close()
    }
  })

  it('an undamaged store walks whole and its engine check is clean', () => {
    const checker = openStoreChecker(file)
    try {
      expect([...checker.walk(tp)].filter((i) => i.kind === 'batch')).toHaveLength(BATCHES)
      expect(checker.engineCheck(false, 100)).toEqual([])
      expect(checker.partitions()).toEqual([{ topicName: 't', ...tp, logStartOffset: 0, highWatermark: BATCHES * 10, cleanerCheckpoint: 0 }])
    } finally {
      checker.close()
    }
  })
})
