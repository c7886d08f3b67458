// WAL checkpoints run on a worker thread with its own connection, never inside a commit of the
// store's connection (issue 11: SQLite's automatic checkpoint stalled the event loop), and the WAL
// still stays bounded under writes that never pause.

import { closeSync, openSync, readSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as pace } from 'node:timers/promises'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, expect, it, vi } from 'vitest'

import { formatDataDir } from '../../src/storage/sqlite/data-dir.js'
import { openSqliteLogStore, type SqliteLogStore } from '../../src/storage/sqlite/sqlite-log-store.js'
import { runCli } from '../helpers/cli.js'
import { startServerProcess } from '../helpers/server.js'
import { makeBatch, makeTempDir } from './store-fixtures.js'

const NEW_TOPIC = { uuid: Buffer.alloc(16, 7), partitionCount: 1, configs: new Map<string, string>() }

let temp: ReturnType<typeof makeTempDir>
let store: SqliteLogStore | undefined
beforeEach(() => {
  temp = makeTempDir()
  formatDataDir(temp.path, { clusterId: 'wal-checkpoints-test', nodeId: 1 })
})
afterEach(() => {
  store?.close()
  store = undefined
  temp.remove()
})

const walBytes = (dir: string) => statSync(join(dir, 'kafka-ts.db-wal'), { throwIfNoEntry: false })?.size ?? 0

/** PRAGMA wal_autocheckpoint of the store's own connection (0 = its commits never checkpoint). */
function autocheckpointPages(s: SqliteLogStore): number {
  return Number((s as unknown as { db: Database.Database }).db.pragma('wal_autocheckpoint', { simple: true }))
}

/** The WAL header's checkpoint sequence number: SQLite adds one each time the WAL starts over from its beginning. */
function walRestarts(dir: string): number {
  const fd = openSync(join(dir, 'kafka-ts.db-wal'), 'r')
  try {
    const header = Buffer.alloc(16)
    return readSync(fd, header, 0, 16, 0) === 16 ? header.readUInt32BE(12) : 0
  } finally {
    closeSync(fd)
  }
}

it('keeps the WAL bounded under a steady stream of commits, restarting it in place without checkpointing in any commit', async () => {
  // Above the 4 MiB that the WAL used to be cut back to at every restart.
  const limit = 6 << 20
  store = openSqliteLogStore(temp.path, { walLimitBytes: limit })
  const topic = store.createTopic({ name: 'busy', ...NEW_TOPIC })
  const tp = { topicId: topic.id, partition: 0 }
  store.startCheckpoints()
  expect(store.checkpointWorkerRunning).toBe(true)
  expect(autocheckpointPages(store)).toBe(0)

  // Small commits paced like a steady producer's, until the WAL has been started over three times;
  // without checkpoints it would only ever grow. A restart overwrites the file from its beginning
  // and leaves its size alone: cutting it back at each restart (and growing it again) cost the
  // committing writer tens of milliseconds each time (issue 11).
  let offset = 0
  let largest = 0
  let shrank = false
  const first = walRestarts(temp.path)
  const maxCommits = 20_000
  while (walRestarts(temp.path) < first + 3 && offset < maxCommits) {
    store.atomically(() => store!.append(tp, makeBatch(offset, 1, { size: 1024 })), 'commit')
    offset++
    const size = walBytes(temp.path)
    if (size < largest) shrank = true
    largest = Math.max(largest, size)
    await pace(1)
  }
  expect(walRestarts(temp.path)).toBeGreaterThanOrEqual(first + 3)
  expect(shrank).toBe(false)
  expect(largest).toBeLessThanOrEqual(2 * limit)
  expect(store.offsets(tp).highWatermark).toBe(offset)
  expect(autocheckpointPages(store)).toBe(0)
})

it('starts the WAL over only once it has reached the limit, not whenever a checkpoint catches up', async () => {
  store = openSqliteLogStore(temp.path, { walLimitBytes: 64 << 20 })
  const topic = store.createTopic({ name: 'steady', ...NEW_TOPIC })
  const tp = { topicId: topic.id, partition: 0 }
  store.startCheckpoints()
  // A steady trickle of small commits (a few MB of WAL), slow enough for checkpoints to catch up
  // between them, each of which could have let the next commit restart the WAL (and pay an fsync).
  const first = walRestarts(temp.path)
  for (let offset = 0; offset < 200; offset++) {
    store.atomically(() => store!.append(tp, makeBatch(offset, 1, { size: 1024 })), 'commit')
    await pace(5)
  }
  expect(walBytes(temp.path)).toBeGreaterThan(1 << 20)
  expect(walRestarts(temp.path)).toBe(first)
  expect(store.offsets(tp).highWatermark).toBe(200)
})

it('truncates the WAL once the store has been idle', async () => {
  store = openSqliteLogStore(temp.path, { idleTruncateMs: 50 })
  const topic = store.createTopic({ name: 'idle', ...NEW_TOPIC })
  const tp = { topicId: topic.id, partition: 0 }
  store.startCheckpoints()
  for (let offset = 0; offset < 400; offset++) {
    store.atomically(() => store!.append(tp, makeBatch(offset, 1, { size: 16 * 1024 })), 'commit')
  }
  expect(walBytes(temp.path)).toBeGreaterThan(4 << 20)
  // No event tells when the worker has been idle long enough: wait for the file itself.
  await vi.waitFor(() => expect(walBytes(temp.path)).toBe(0), { timeout: 10_000, interval: 20 })
  expect(store.offsets(tp).highWatermark).toBe(400)
  // And the store goes on as before.
  store.atomically(() => store!.append(tp, makeBatch(400, 1)), 'commit')
  expect(store.read(tp, 400, { maxBytes: 1 << 20 }).map((b) => b.baseOffset)).toEqual([400])
})

it('starts the worker by itself once the WAL has grown, and not for a short command', () => {
  store = openSqliteLogStore(temp.path)
  const topic = store.createTopic({ name: 'grows', ...NEW_TOPIC })
  const tp = { topicId: topic.id, partition: 0 }
  store.append(tp, makeBatch(0, 1))
  expect(store.checkpointWorkerRunning).toBe(false)
  expect(autocheckpointPages(store)).toBe(1000)
  for (let offset = 1; offset <= 40; offset++) store.append(tp, makeBatch(offset, 1, { size: 64 * 1024 }))
  expect(store.checkpointWorkerRunning).toBe(true)
  expect(autocheckpointPages(store)).toBe(0)
})

it('stops the worker on close, then folds the WAL into the database and truncates it', () => {
  store = openSqliteLogStore(temp.path)
  const topic = store.createTopic({ name: 'closing', ...NEW_TOPIC })
  const tp = { topicId: topic.id, partition: 0 }
  store.startCheckpoints()
  for (let offset = 0; offset < 100; offset++) store.append(tp, makeBatch(offset, 1, { size: 16 * 1024 }))
  const closing = store
  store = undefined
  closing.close()
  expect(closing.checkpointWorkerRunning).toBe(false)
  expect(walBytes(temp.path)).toBe(0)
  const db = new Database(join(temp.path, 'kafka-ts.db'), { readonly: true })
  try {
    expect(db.prepare(`SELECT count(*) FROM log_${topic.id}_0`).pluck().get()).toBe(100)
  } finally {
    db.close()
  }
})

it('server-start stops its checkpoint worker on SIGTERM: exits 0 and leaves the WAL truncated', async () => {
  const server = await startServerProcess(['--override', 'listeners=PLAINTEXT://127.0.0.1:0'], { KAFKA_TS_DATA_DIR: temp.path })
  const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)))
  try {
    const bootstrap = `127.0.0.1:${server.port}`
    expect((await runCli(['topics', '--bootstrap-server', bootstrap, '--create', '--topic', 'acked'])).code).toBe(0)
    const lines = Array.from({ length: 5000 }, (_, i) => `record ${i}`).join('\n') + '\n'
    const produced = await runCli(['console-producer', '--bootstrap-server', bootstrap, '--topic', 'acked', '--request-required-acks', '1'], { input: lines })
    expect(produced.code).toBe(0)
    expect(walBytes(temp.path)).toBeGreaterThan(0)
  } finally {
    server.child.kill('SIGTERM')
  }
  expect(await exited).toBe(0)
  // A worker still checkpointing would hold the checkpoint lock and leave the WAL in place.
  expect(walBytes(temp.path)).toBe(0)
  const offsets = await runCli(['get-offsets', '--topic', 'acked'], { dataDir: temp.path })
  expect(offsets.out.trim()).toBe('acked:0:5000')
})
