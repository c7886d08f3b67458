// The poller that tells waiting consumers about commits by other processes looks often while commits
// keep coming and rarely while nothing happens (issue 11: a consumer tailing another process's
// producer waited out half the fixed 20 ms interval per record on average). Real stores on one data
// directory (two connections, as two processes have); only the clock is simulated.

import { afterEach, beforeEach, expect, it, vi } from 'vitest'

import { ChangeStamp } from '../../../src/broker/change-stamp.js'
import { ACTIVE_POLL_MS, ExternalChangePoller } from '../../../src/broker/external-change-poller.js'
import { formatDataDir } from '../../../src/storage/sqlite/data-dir.js'
import { openSqliteLogStore, type SqliteLogStore } from '../../../src/storage/sqlite/sqlite-log-store.js'
import { makeTempDir } from '../../storage/store-fixtures.js'

const IDLE_MS = 20
let temp: ReturnType<typeof makeTempDir>
let reader: SqliteLogStore
let writer: SqliteLogStore
let topics = 0

beforeEach(() => {
  temp = makeTempDir()
  formatDataDir(temp.path, { clusterId: 'poller-test', nodeId: 1 })
  reader = openSqliteLogStore(temp.path)
  writer = openSqliteLogStore(temp.path)
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
  reader.close()
  writer.close()
  temp.remove()
})

/** A commit by the other connection. */
function commitElsewhere(): void {
  writer.createTopic({ name: `t${topics++}`, uuid: Buffer.alloc(16, topics), partitionCount: 1, configs: new Map() })
}

it('looks every idle interval while nothing happens, and within ACTIVE_POLL_MS of each commit once commits come', () => {
  const seen = vi.fn()
  const poller = new ExternalChangePoller(new ChangeStamp(reader), IDLE_MS, seen)
  poller.start()
  try {
    commitElsewhere()
    vi.advanceTimersByTime(IDLE_MS - 1)
    expect(seen).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(seen).toHaveBeenCalledTimes(1)
    // Commits keep coming: each is noticed within ACTIVE_POLL_MS.
    for (let i = 2; i <= 5; i++) {
      commitElsewhere()
      vi.advanceTimersByTime(ACTIVE_POLL_MS)
      expect(seen).toHaveBeenCalledTimes(i)
    }
    // A second without commits: back to the idle interval.
    vi.advanceTimersByTime(1000)
    commitElsewhere()
    vi.advanceTimersByTime(ACTIVE_POLL_MS)
    expect(seen).toHaveBeenCalledTimes(5)
    vi.advanceTimersByTime(IDLE_MS)
    expect(seen).toHaveBeenCalledTimes(6)
  } finally {
    poller.stop()
  }
})

it('notices a commit made while it was stopped as soon as it starts again', async () => {
  const seen = vi.fn()
  const poller = new ExternalChangePoller(new ChangeStamp(reader), IDLE_MS, seen)
  vi.runAllTimers() // a later turn of the event loop
  commitElsewhere()
  poller.start()
  try {
    await Promise.resolve() // told in a microtask, before any timer
    expect(seen).toHaveBeenCalledTimes(1)
  } finally {
    poller.stop()
  }
})

it('starts from this turn\'s reading of the counter, and its first tick reads afresh', () => {
  const seen = vi.fn()
  let reads = 0
  const stamp = new ChangeStamp({
    externalChangeCounter: () => {
      reads++
      return reader.externalChangeCounter()
    },
  })
  const poller = new ExternalChangePoller(stamp, IDLE_MS, seen)
  // A commit after this turn's reading: starting costs no reading of the store, and does not see it yet.
  commitElsewhere()
  poller.start()
  try {
    expect(reads).toBe(1)
    vi.advanceTimersByTime(IDLE_MS)
    expect(reads).toBe(2)
    expect(seen).toHaveBeenCalledTimes(1)
    // The tick's reading is this turn's reading from then on.
    expect(stamp.get()).toBe(reader.externalChangeCounter())
    expect(reads).toBe(2)
  } finally {
    poller.stop()
  }
})
