// WAL checkpoints off the request path. SQLite's automatic checkpoint runs inside the commit that
// crosses wal_autocheckpoint (1000 pages), on the thread that commits: with the store's pages that
// commit copied the WAL's pages into the database and fsynced both files while the event loop (and
// every client of a server) waited — the tail of produce→consume latency (issue 11). Here the writing
// connection runs with wal_autocheckpoint=0 and a worker thread, with its own connection, runs
// PASSIVE checkpoints a short while after commits (writers and readers carry on meanwhile).
//
// A PASSIVE checkpoint copies only frames no reader needs and never blocks a writer, so under a steady
// stream of commits it can lag behind, and the WAL only starts over from its beginning when a
// checkpoint has copied every frame before the next write. When the WAL has grown past
// WAL_LIMIT_BYTES the worker therefore follows up with a FULL checkpoint, which holds writers back
// for the few frames left, and the next commit restarts the WAL (and only that one: a read
// transaction the worker holds after a checkpoint that caught up keeps the commits that follow from
// restarting it, each restart costing its commit an fsync). If the worker dies, the connection
// falls back to SQLite's automatic checkpoint, so the WAL stays bounded whatever happens.
//
// What a restart costs the committing writer decides the rest (measured at 1 000 small commits/s on
// ext4, bench/latency.js and a commit-only loop): cutting the WAL file back at each restart
// (journal_size_limit 4 MiB) made that commit truncate ~60 MB, 25–60 ms on the event loop every two
// seconds, and the file then grew again by appends, each extending it. So the file keeps its size
// while traffic flows and restarts overwrite it in place; it is cut back only when it has grown past
// twice WAL_LIMIT_BYTES (journal_size_limit: after a burst) and, by the worker, once the store has
// been idle for IDLE_TRUNCATE_MS. Restarting more often (a lower limit) measured worse, not better:
// every restart also fsyncs the new WAL header inside the commit that begins it, and every FULL
// checkpoint holds writers back for two fsyncs.

import { statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import type { Database } from 'better-sqlite3'

/** The WAL size past which the worker makes sure the next commit can start the WAL over. */
export const WAL_LIMIT_BYTES = 64 << 20
/** After this long without a commit, the worker truncates a WAL file larger than IDLE_KEEP_BYTES. */
export const IDLE_TRUNCATE_MS = 2000
const IDLE_KEEP_BYTES = 4 << 20
/** The worker's read transaction that holds WAL restarts back is dropped this long after the last commit. */
const PIN_IDLE_MS = 100
/** Commits gather this long before a checkpoint runs: each checkpoint costs two fsyncs. */
export const CHECKPOINT_DELAY_MS = 20
/** A store whose WAL reaches this size starts the worker by itself (short commands never do). */
const START_AT_WAL_BYTES = 1 << 20
/** SQLite's default, restored when the worker is gone. */
const SQLITE_AUTOCHECKPOINT_PAGES = 1000
/** How long the worker waits for the writer lock for a FULL checkpoint before leaving it for later. */
const WORKER_BUSY_TIMEOUT_MS = 1000
/** A writer waits this long for a FULL checkpoint before trying the lock itself (SQLite's busy handler). */
const FULL_WAIT_MS = 1000
/** close() waits at most this long for a checkpoint in progress to finish. */
const STOP_TIMEOUT_MS = 10_000

// Int32 slots shared with the worker.
const COMMITS = 0 // bumped after each write commit
const STOP = 1 // 1 = stop now
const STATE = 2 // STARTING → RUNNING → STOPPED
const FULL = 3 // 1 while a FULL checkpoint holds the writer lock
const STARTING = 0
const RUNNING = 1
const STOPPED = 2

// CommonJS source of the worker (an eval worker needs no file next to the bundled commands).
// Atomics.wait parks it between checkpoints without an event loop; STOP interrupts every wait.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads')
const { statSync } = require('node:fs')
const c = new Int32Array(workerData.control)
if (Atomics.compareExchange(c, ${STATE}, ${STARTING}, ${RUNNING}) === ${STARTING}) {
  let db
  let pin
  try {
    const Database = require(workerData.sqlite)
    db = new Database(workerData.path, { fileMustExist: true, timeout: ${WORKER_BUSY_TIMEOUT_MS} })
    // Checkpoints sync the WAL before copying and the database after: what keeps the file sound
    // across a power cut once the WAL starts over.
    db.pragma('synchronous = NORMAL')
    const pageSize = db.pragma('page_size', { simple: true })
    const passive = db.prepare('PRAGMA wal_checkpoint(PASSIVE)')
    const full = db.prepare('PRAGMA wal_checkpoint(FULL)')
    const truncate = db.prepare('PRAGMA wal_checkpoint(TRUNCATE)')
    const walPath = workerData.path + '-wal'
    // Runs a checkpoint that holds writers back, with the writer told to wait for its end.
    const holdingWriters = (statement) => {
      Atomics.store(c, ${FULL}, 1)
      try { statement.get() } finally {
        Atomics.store(c, ${FULL}, 0)
        Atomics.notify(c, ${FULL})
      }
    }
    // A read transaction on a second connection, begun just before each PASSIVE checkpoint and, when
    // that checkpoint caught up, held until the next one: no writer can start the WAL over while a
    // reader uses it, so the next commit does not restart it (a checkpoint that did not catch up
    // leaves nothing to restart, and the pin goes at once). Restarts then come after the FULL
    // checkpoint at the limit (the pin released first) instead of at every quiet moment: each
    // restart fsyncs the new WAL header inside the commit that begins it, on the writer's thread
    // (measured: ~90% of restarting commits took over 1 ms, 30-40 ms at worst, against 0.2% of the
    // others). The pin is dropped PIN_IDLE_MS after the last commit, so another process's FULL
    // checkpoint (which waits for every reader) is never held up for long. PRAGMA data_version
    // begins the read without loading the schema.
    pin = new Database(workerData.path, { fileMustExist: true, timeout: ${WORKER_BUSY_TIMEOUT_MS} })
    const pinBegin = pin.prepare('BEGIN')
    const pinRead = pin.prepare('PRAGMA data_version')
    const pinEnd = pin.prepare('COMMIT')
    const unpin = () => { if (pin.inTransaction) pinEnd.run() }
    const repin = () => {
      unpin()
      pinBegin.run()
      pinRead.get()
    }
    let seen = 0
    let idleDone = false
    for (;;) {
      while (Atomics.load(c, ${STOP}) === 0 && Atomics.load(c, ${COMMITS}) === seen) {
        const pinned = pin.inTransaction
        if (Atomics.wait(c, ${COMMITS}, seen, pinned ? ${PIN_IDLE_MS} : workerData.idleTruncateMs) !== 'timed-out') continue
        if (pinned) {
          unpin()
          continue
        }
        if (idleDone) continue
        // Idle: a large WAL file goes back to the file system.
        idleDone = true
        let size = 0
        try { size = statSync(walPath).size } catch {}
        if (size > ${IDLE_KEEP_BYTES}) holdingWriters(truncate)
      }
      if (Atomics.load(c, ${STOP}) !== 0) break
      idleDone = false
      Atomics.wait(c, ${STOP}, 0, ${CHECKPOINT_DELAY_MS})
      if (Atomics.load(c, ${STOP}) !== 0) break
      seen = Atomics.load(c, ${COMMITS})
      repin()
      const r = passive.get()
      if (r.busy !== 0 || r.checkpointed < r.log) unpin()
      if (r.busy === 0 && r.log * pageSize > workerData.walLimitBytes) {
        unpin()
        holdingWriters(full)
      }
    }
  } finally {
    try { pin?.close(); db?.close() } finally {
      Atomics.store(c, ${STATE}, ${STOPPED})
      Atomics.notify(c, ${STATE})
    }
  }
}
`

export interface WalCheckpointOptions {
  /** Tests use a small WAL limit; the default is WAL_LIMIT_BYTES. */
  readonly walLimitBytes?: number
  /** Tests use a short idle time; the default is IDLE_TRUNCATE_MS. */
  readonly idleTruncateMs?: number
}

export class WalCheckpointer {
  private control: Int32Array | undefined
  private stopped = false
  private readonly walPath: string
  private readonly walLimitBytes: number
  private readonly idleTruncateMs: number

  constructor(
    private readonly db: Database,
    options: WalCheckpointOptions = {},
  ) {
    this.walPath = `${db.name}-wal`
    this.walLimitBytes = options.walLimitBytes ?? WAL_LIMIT_BYTES
    this.idleTruncateMs = options.idleTruncateMs ?? IDLE_TRUNCATE_MS
    db.pragma(`journal_size_limit = ${2 * this.walLimitBytes}`)
  }

  /** True while the worker thread checkpoints this store. */
  get running(): boolean {
    return this.control !== undefined && Atomics.load(this.control, STATE) !== STOPPED
  }

  /**
   * Call before each write transaction: while a FULL checkpoint holds the writer lock, waits for its
   * end here, woken the moment it is over, rather than in SQLite's busy handler (which sleeps 1, 2,
   * 5, 10… ms between tries).
   */
  beforeWrite(): void {
    const control = this.control
    if (control !== undefined && Atomics.load(control, FULL) === 1) Atomics.wait(control, FULL, 1, FULL_WAIT_MS)
  }

  /** Call after each write commit: wakes the worker, or starts it once the WAL has grown. */
  committed(): void {
    if (this.control === undefined) {
      if (this.stopped || (statSync(this.walPath, { throwIfNoEntry: false })?.size ?? 0) < START_AT_WAL_BYTES) return
      this.start()
    }
    const control = this.control
    if (control === undefined) return
    Atomics.add(control, COMMITS, 1)
    Atomics.notify(control, COMMITS)
  }

  /** Starts the worker now (a server does at start-up, so the thread's start is not paid mid-traffic). */
  start(): void {
    if (this.control !== undefined || this.stopped) return
    const control = new Int32Array(new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT))
    const sqlite = createRequire(import.meta.url).resolve('better-sqlite3')
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { control: control.buffer, path: this.db.name, sqlite, walLimitBytes: this.walLimitBytes, idleTruncateMs: this.idleTruncateMs },
    })
    worker.unref()
    // Whatever ends the worker early (an I/O error, a failed open), SQLite's own checkpoints take over.
    worker.once('error', () => undefined)
    worker.once('exit', () => {
      if (!this.stopped && this.db.open) this.db.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`)
    })
    this.db.pragma('wal_autocheckpoint = 0')
    this.control = control
  }

  /** Stops the worker and waits (synchronously) for a checkpoint in progress; the store closes next. */
  stop(): void {
    if (this.stopped) return
    this.stopped = true
    const control = this.control
    if (control === undefined) return
    Atomics.store(control, STOP, 1)
    Atomics.notify(control, STOP)
    Atomics.notify(control, COMMITS)
    // A worker that has not begun yet never will; one that runs closes its connection first.
    if (Atomics.compareExchange(control, STATE, STARTING, STOPPED) === RUNNING) Atomics.wait(control, STATE, RUNNING, STOP_TIMEOUT_MS)
    this.db.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`)
  }
}
