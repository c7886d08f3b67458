// The partition statement cache on a real SQLite file: which statements it keeps alive. A prepared
// statement's SQLite memory is freed only when V8 collects its wrapper, so what the cache holds on to
// is what the broker's memory holds on to (bench/scale.js measures the broker's RSS).

import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { createPartitionTable, PartitionStatementCache } from '../../src/storage/sqlite/partition-tables.js'
import { makeTempDir } from './store-fixtures.js'

setFlagsFromString('--expose-gc')
const collectGarbage = runInNewContext('gc') as () => void

let temp: ReturnType<typeof makeTempDir>
let db: Database.Database
const PARTITIONS = 600

beforeEach(() => {
  temp = makeTempDir()
  db = new Database(`${temp.path}/statements.db`)
  db.transaction(() => {
    for (let p = 0; p < PARTITIONS; p++) createPartitionTable(db, 1, p)
  })()
})
afterEach(() => {
  db.close()
  temp.remove()
})

it('keeps no statement of a partition used once (thousands of partitions touched once each leave nothing behind)', async () => {
  const cache = new PartitionStatementCache(db)
  const used = useOnce(cache, 0, PARTITIONS)
  // A WeakRef keeps its target until the job that made it ends.
  await new Promise((resolve) => setImmediate(resolve))
  collectGarbage()
  expect(used.filter((ref) => ref.deref() !== undefined)).toHaveLength(0)
})

/** Weak references to what each partition's one use returned (made here, so no local variable holds one). */
function useOnce(cache: PartitionStatementCache, from: number, to: number): WeakRef<object>[] {
  const used: WeakRef<object>[] = []
  for (let p = from; p < to; p++) {
    const statements = cache.get(1, p)
    statements.firstOffset.get()
    used.push(new WeakRef(statements))
  }
  return used
}

it('keeps no statement of a partition used twice (a Produce then a Fetch over thousands of partitions)', async () => {
  const cache = new PartitionStatementCache(db)
  useOnce(cache, 0, PARTITIONS)
  const used = useOnce(cache, 0, PARTITIONS)
  await new Promise((resolve) => setImmediate(resolve))
  collectGarbage()
  expect(used.filter((ref) => ref.deref() !== undefined)).toHaveLength(0)
})

it('keeps the statements of a partition used a third time, and prepares each statement once', () => {
  const cache = new PartitionStatementCache(db)
  cache.get(1, 7).firstOffset.get()
  cache.get(1, 7).firstOffset.get()
  const second = cache.get(1, 7)
  const insert = second.insert
  expect(cache.get(1, 7)).toBe(second)
  expect(cache.get(1, 7).insert).toBe(insert)
  // Many partitions used once since do not push it out.
  for (let p = 100; p < PARTITIONS; p++) cache.get(1, p)
  expect(cache.get(1, 7)).toBe(second)
})

it('forgets a dropped partition: its next use prepares against the table that exists then', () => {
  const cache = new PartitionStatementCache(db)
  cache.get(1, 3)
  cache.get(1, 3)
  const cached = cache.get(1, 3)
  cache.evict(1, 3)
  expect(cache.get(1, 3)).not.toBe(cached)
})
