// The broker's per-turn view of the store's external change counter: one PRAGMA per event-loop turn
// however many requests check it, and another process's commit seen from the next turn on.

import { setImmediate as nextTurn } from 'node:timers/promises'
import { afterEach, beforeEach, expect, it } from 'vitest'

import { ChangeStamp } from '../../../src/broker/change-stamp.js'
import { formatDataDir } from '../../../src/storage/sqlite/data-dir.js'
import { openSqliteLogStore, type SqliteLogStore } from '../../../src/storage/sqlite/sqlite-log-store.js'
import { makeTempDir } from '../../storage/store-fixtures.js'

let temp: ReturnType<typeof makeTempDir>
let store: SqliteLogStore
let other: SqliteLogStore
beforeEach(() => {
  temp = makeTempDir()
  formatDataDir(temp.path, { clusterId: 'change-stamp-test', nodeId: 1 })
  store = openSqliteLogStore(temp.path)
  other = openSqliteLogStore(temp.path)
})
afterEach(() => {
  other.close()
  store.close()
  temp.remove()
})

it('reads the counter once per turn and sees a commit by another connection at the next turn', async () => {
  let reads = 0
  const counted = new Proxy(store, {
    get(target, key, receiver) {
      if (key === 'externalChangeCounter') {
        return () => {
          reads++
          return target.externalChangeCounter()
        }
      }
      return Reflect.get(target, key, receiver) as unknown
    },
  })
  const stamp = new ChangeStamp(counted)
  const before = stamp.get()
  other.createTopic({ name: 'elsewhere', uuid: Buffer.alloc(16, 1), partitionCount: 1, configs: new Map() })
  // The same turn: one read of the counter, whatever happened meanwhile.
  for (let i = 0; i < 10; i++) expect(stamp.get()).toBe(before)
  expect(reads).toBe(1)
  await nextTurn()
  expect(stamp.get()).not.toBe(before)
  expect(reads).toBe(2)
})
