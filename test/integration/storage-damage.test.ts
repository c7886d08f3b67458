import fs from 'node:fs'
import path from 'node:path'

import Database from 'better-sqlite3'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'

import { fetchOnce } from '../interop/helpers/wire-ops.js'
import { forEachRecord } from '../../src/protocol/batch-records.js'
import { splitBatches } from '../../src/protocol/record-batch.js'
import { runCli, tempDir } from '../helpers/cli.js'
import { RawConnection } from '../helpers/raw-client.js'
import { startServerProcess } from '../helpers/server.js'

// A real store, written by the CLI, then damaged on purpose: (a) one byte of a batch flipped inside its
// row (its CRC no longer matches), (b) a page of a partition's log table overwritten in the file, (c) a
// batch's length field changed (its bytes no longer frame as the row's batch). Every reader must stop at
// the damage, name the partition and the offset, and exit non-zero; `storage check` must find it.

const LINES = 20_000
const KAFKA_STORAGE_ERROR = 56
const CORRUPT_MESSAGE = 2

interface Batch {
  baseOffset: number
  lastOffset: number
}

let template: { dir: string; cleanup: () => void }
const cleanups: (() => void)[] = []

/** Writes the store once (two partitions, ~10 000 records each over several 64 KiB pages); tests copy it. */
beforeAll(async () => {
  template = tempDir('kafka-ts-damage-template-')
  const dataDir = path.join(template.dir, 'data')
  expect((await runCli(['topics', '--create', '--topic', 't', '--partitions', '2'], { dataDir })).code).toBe(0)
  const input = Array.from({ length: LINES }, (_, i) => `value-line-padding-padding-${i}`).join('\n') + '\n'
  const produced = await runCli(['console-producer', '--topic', 't'], { dataDir, input })
  expect(produced.code, produced.stderr).toBe(0)
  return () => template.cleanup()
}, 120_000)

afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup()
})

/** A fresh copy of the written store. */
function store(): string {
  const { dir, cleanup } = tempDir('kafka-ts-damage-')
  cleanups.push(cleanup)
  const dataDir = path.join(dir, 'data')
  fs.cpSync(path.join(template.dir, 'data'), dataDir, { recursive: true })
  return dataDir
}

function withDb<T>(dataDir: string, work: (db: Database.Database, table: string) => T): T {
  const db = new Database(path.join(dataDir, 'kafka-ts.db'))
  try {
    db.pragma('wal_checkpoint(TRUNCATE)')
    const topicId = db.prepare<[], number>("SELECT id FROM topics WHERE name = 't'").pluck().get()
    return work(db, `log_${topicId}_0`)
  } finally {
    db.close()
  }
}

function batchesOfPartition0(dataDir: string): Batch[] {
  return withDb(dataDir, (db, table) =>
    db.prepare<[], Batch>(`SELECT base_offset AS baseOffset, last_offset AS lastOffset FROM ${table} ORDER BY base_offset`).all(),
  )
}

/** (a) Flips one byte of the records of the batch at `baseOffset` inside its row. */
function flipByte(dataDir: string, baseOffset: number): void {
  withDb(dataDir, (db, table) => {
    const bytes = db.prepare<[number], Buffer>(`SELECT batch FROM ${table} WHERE base_offset = ?`).pluck().get(baseOffset)
    if (!bytes) throw new Error(`no batch at ${baseOffset}`)
    const at = bytes.length - 3
    bytes[at] = (bytes[at] ?? 0) ^ 0x55
    db.prepare(`UPDATE ${table} SET batch = ? WHERE base_offset = ?`).run(bytes, baseOffset)
  })
}

/** (c) Changes the batch length field of the batch at `baseOffset` (the CRC does not cover it). */
function breakFraming(dataDir: string, baseOffset: number): void {
  withDb(dataDir, (db, table) => {
    const bytes = db.prepare<[number], Buffer>(`SELECT batch FROM ${table} WHERE base_offset = ?`).pluck().get(baseOffset)
    if (!bytes) throw new Error(`no batch at ${baseOffset}`)
    bytes.writeInt32BE(bytes.readInt32BE(8) + 1000, 8)
    db.prepare(`UPDATE ${table} SET batch = ? WHERE base_offset = ?`).run(bytes, baseOffset)
  })
}

/**
 * (b) Overwrites the header of a middle leaf page of partition 0's log table in the file (database
 * closed); returns the offsets its batches held, from the undamaged copy.
 */
function damagePage(dataDir: string): { first: number; last: number } {
  const { pageno, pageSize, table, batches } = withDb(dataDir, (db, table) => {
    const leaves = db.prepare<[string], number>("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY path").pluck().all(table)
    expect(leaves.length).toBeGreaterThanOrEqual(4)
    return {
      pageno: leaves[Math.floor(leaves.length / 2)]!,
      pageSize: db.pragma('page_size', { simple: true }) as number,
      table,
      batches: db.prepare<[], Batch>(`SELECT base_offset AS baseOffset, last_offset AS lastOffset FROM ${table} ORDER BY base_offset`).all(),
    }
  })
  const fd = fs.openSync(path.join(dataDir, 'kafka-ts.db'), 'r+')
  try {
    fs.writeSync(fd, Buffer.alloc(64, 0xab), 0, 64, (pageno - 1) * pageSize)
  } finally {
    fs.closeSync(fd)
  }
  // The batches that page held: those a lookup by base offset now fails on.
  const db = new Database(path.join(dataDir, 'kafka-ts.db'), { readonly: true })
  try {
    const lookup = db.prepare<[number]>(`SELECT length(batch) FROM ${table} WHERE base_offset = ?`)
    const lost = batches.filter((b) => {
      try {
        lookup.get(b.baseOffset)
        return false
      } catch {
        return true
      }
    })
    expect(lost.length).toBeGreaterThan(0)
    return { first: lost[0]!.baseOffset, last: lost[lost.length - 1]!.lastOffset }
  } finally {
    db.close()
  }
}

function lines(out: string): string[] {
  return out.split('\n').filter((l) => l !== '')
}

describe('a batch whose bytes fail their CRC', () => {
  it('console-consumer prints the records before it, then names the partition and offset and exits 1', async () => {
    const dataDir = store()
    const batches = batchesOfPartition0(dataDir)
    const bad = batches[3]!
    flipByte(dataDir, bad.baseOffset)
    const res = await runCli(['console-consumer', '--topic', 't', '--partition', '0', '--from-beginning', '--formatter-property', 'print.offset=true'], { dataDir, timeoutMs: 30_000 })
    expect(res.signal).toBeNull()
    expect(res.code).toBe(1)
    const printed = lines(res.out)
    expect(printed).toHaveLength(bad.baseOffset)
    expect(printed.at(-1)).toMatch(new RegExp(`^Offset:${bad.baseOffset - 1}\\t`))
    expect(res.stderr).toContain(`CorruptRecordException: Record batch for partition t-0 at offset ${bad.baseOffset} is invalid, cause: Record is corrupt (stored crc = `)
    expect(res.stderr).toContain(path.join(dataDir, 'kafka-ts.db'))
  }, 60_000)

  it('storage check reports the batch and exits 1; dump-log flags it and exits 1', async () => {
    const dataDir = store()
    const bad = batchesOfPartition0(dataDir)[2]!
    flipByte(dataDir, bad.baseOffset)
    const check = await runCli(['storage', 'check', '--data-dir', dataDir])
    expect(check.code).toBe(1)
    expect(check.out).toMatch(new RegExp(`^t-0 offsets ${bad.baseOffset}-${bad.lastOffset}: Record is corrupt \\(stored crc = \\d+, computed crc = \\d+\\)$`, 'm'))
    expect(check.out).toContain('1 damaged place found in 1 of 2 partitions')

    const dump = await runCli(['dump-log', '--files', 't-0,t-1', '--data-dir', dataDir])
    expect(dump.code).toBe(1)
    expect(dump.out).toContain('isvalid: false')
    expect(dump.out).toContain('Dumping t-1')
    expect(dump.stderr).toContain(`The record batch of t-0 at offset ${bad.baseOffset} (position `)
  }, 60_000)

  it('storage check exits 0 with a clean summary on an undamaged store', async () => {
    const dataDir = store()
    const check = await runCli(['storage', 'check', '--data-dir', dataDir])
    expect(check.stderr).toBe('')
    expect(check.code).toBe(0)
    expect(lines(check.out)).toEqual([expect.stringMatching(/kafka-ts\.db: no damage found \(2 partitions, \d+ batches checked; integrity_check ok/)])
    const quick = await runCli(['storage', 'check', '--data-dir', dataDir, '--quick', '--json'])
    expect(quick.code).toBe(0)
    const report = JSON.parse(quick.out) as { damages: unknown[]; directories: { engineCheck: string; partitions: number }[] }
    expect(report.damages).toEqual([])
    expect(report.directories[0]).toMatchObject({ engineCheck: 'quick_check', partitions: 2 })
    // -c/--config checks the log.dirs of a server.properties, as the other storage subcommands read it.
    const config = path.join(path.dirname(dataDir), 'server.properties')
    fs.writeFileSync(config, `node.id=1\nlog.dirs=${dataDir}\n`)
    const byConfig = await runCli(['storage', 'check', '-c', config])
    expect(byConfig.code).toBe(0)
    expect(byConfig.out).toContain(`${path.join(dataDir, 'kafka-ts.db')}: no damage found`)
  }, 60_000)
})

describe('a damaged page of a partition table', () => {
  it('console-consumer prints up to the damage, then names partition, offset and file and exits 1 (no --timeout-ms needed)', async () => {
    const dataDir = store()
    const lost = damagePage(dataDir)
    const res = await runCli(['console-consumer', '--topic', 't', '--partition', '0', '--from-beginning'], { dataDir, timeoutMs: 30_000 })
    expect(res.signal).toBeNull()
    expect(res.code).toBe(1)
    expect(lines(res.out)).toHaveLength(lost.first)
    expect(res.stderr).toContain(`The log of t-0 is damaged at offset ${lost.first} in ${path.join(dataDir, 'kafka-ts.db')}: database disk image is malformed`)
  }, 60_000)

  it('storage check reports the unreadable offsets and exits 1; get-offsets and dump-log fail with the partition named', async () => {
    const dataDir = store()
    const lost = damagePage(dataDir)
    const check = await runCli(['storage', 'check', '--data-dir', dataDir])
    expect(check.code).toBe(1)
    expect(check.out).toContain(`t-0 offsets ${lost.first}-${lost.last}: stored batches cannot be read: database disk image is malformed`)
    expect(check.out).toMatch(/^t-0: integrity_check: /m)
    expect(check.out).not.toMatch(/^t-1/m)

    const offsets = await runCli(['get-offsets', '--topic', 't', '--time', 'max-timestamp'], { dataDir })
    expect(offsets.code).toBe(1)
    expect(offsets.out).toMatch(/^t:1:\d+$/m)
    expect(offsets.stderr).toContain(`Error occurred: The log of t-0 is damaged at offset ${lost.first}`)

    const dump = await runCli(['dump-log', '--files', 't-0', '--data-dir', dataDir])
    expect(dump.code).toBe(1)
    expect(dump.stderr).toContain(`The log of t-0 is damaged at offset ${lost.first}`)
  }, 60_000)
})

describe('Fetch through server-start on a damaged store', () => {
  let stop: (() => Promise<void>) | undefined
  afterEach(async () => {
    await stop?.()
    stop = undefined
  })

  let port = 0
  async function serve(dataDir: string): Promise<RawConnection> {
    const server = await startServerProcess(['--override', 'listeners=PLAINTEXT://127.0.0.1:0'], { KAFKA_TS_DATA_DIR: dataDir })
    stop = async () => {
      server.child.kill('SIGTERM')
      await new Promise((resolve) => server.child.once('exit', resolve))
    }
    port = server.port
    return RawConnection.open(server.port)
  }

  async function fetch(conn: RawConnection, partitions: { partition: number; fetchOffset: number }[]) {
    const res = await fetchOnce(conn, 't', partitions)
    return res.responses[0]!.partitions.map((p) => {
      let records = 0
      for (const b of splitBatches(p.records ?? Buffer.alloc(0)).batches) forEachRecord(b, () => void records++)
      return { partition: p.partitionIndex, errorCode: p.errorCode, records }
    })
  }

  it('answers KAFKA_STORAGE_ERROR for the partition with a damaged page and serves the other one', async () => {
    const dataDir = store()
    const lost = damagePage(dataDir)
    const conn = await serve(dataDir)
    try {
      const [damaged, healthy] = await fetch(conn, [
        { partition: 0, fetchOffset: lost.first },
        { partition: 1, fetchOffset: 0 },
      ])
      expect(damaged).toEqual({ partition: 0, errorCode: KAFKA_STORAGE_ERROR, records: 0 })
      expect(healthy?.errorCode).toBe(0)
      expect(healthy?.records).toBeGreaterThan(0)
      // Before the damage the partition still serves.
      const [before] = await fetch(conn, [{ partition: 0, fetchOffset: 0 }])
      expect(before?.errorCode).toBe(0)
      expect(before?.records).toBeGreaterThan(0)

      // A remote console-consumer stops there too, rather than retrying forever.
      const remote = await runCli(['console-consumer', '--bootstrap-server', `127.0.0.1:${port}`, '--topic', 't', '--partition', '0', '--from-beginning'], {
        timeoutMs: 30_000,
      })
      expect(remote.signal).toBeNull()
      expect(remote.code).toBe(1)
      expect(lines(remote.out)).toHaveLength(lost.first)
      expect(remote.stderr).toContain(`KafkaStorageException: The broker cannot read t-0 at offset ${lost.first}`)
    } finally {
      conn.close()
    }
  }, 60_000)

  it('serves a batch that fails its CRC as stored (no CRC on the Fetch path); a remote console-consumer stops at it', async () => {
    const dataDir = store()
    const bad = batchesOfPartition0(dataDir)[2]!
    flipByte(dataDir, bad.baseOffset)
    const conn = await serve(dataDir)
    try {
      const [served] = await fetch(conn, [{ partition: 0, fetchOffset: bad.baseOffset }])
      expect(served?.errorCode).toBe(0)
      const remote = await runCli(['console-consumer', '--bootstrap-server', `127.0.0.1:${port}`, '--topic', 't', '--partition', '0', '--from-beginning'], {
        timeoutMs: 30_000,
      })
      expect(remote.signal).toBeNull()
      expect(remote.code).toBe(1)
      expect(lines(remote.out)).toHaveLength(bad.baseOffset)
      expect(remote.stderr).toContain(`CorruptRecordException: Record batch for partition t-0 at offset ${bad.baseOffset} is invalid, cause: Record is corrupt`)
    } finally {
      conn.close()
    }
  }, 60_000)

  it('answers CORRUPT_MESSAGE for a batch whose bytes do not frame as its row, and serves the other partition', async () => {
    const dataDir = store()
    const bad = batchesOfPartition0(dataDir)[1]!
    breakFraming(dataDir, bad.baseOffset)
    const conn = await serve(dataDir)
    try {
      const [damaged, healthy] = await fetch(conn, [
        { partition: 0, fetchOffset: bad.baseOffset },
        { partition: 1, fetchOffset: 0 },
      ])
      expect(damaged).toEqual({ partition: 0, errorCode: CORRUPT_MESSAGE, records: 0 })
      expect(healthy?.errorCode).toBe(0)
      expect(healthy?.records).toBeGreaterThan(0)
    } finally {
      conn.close()
    }
  }, 60_000)
})
