import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'

import { RecordBatchBuilder } from '../../src/protocol/record-batch-builder.js'
import { RawConnection } from '../helpers/raw-client.js'
import { runCli, tempDir, type CliResult } from '../helpers/cli.js'
import { startTestServer, type TestServer } from '../helpers/server.js'
import { isRoot, mountTmpfs, type Tmpfs } from '../helpers/tmpfs.js'
import { runOnTty, ttyAvailable } from '../helpers/tty.js'
import { batchOf, fetchRecords, produce, produceOutcome } from '../interop/helpers/wire-ops.js'

// Every failure a user can meet ends with one clear line naming what and where, a non-zero exit, and
// nothing lost: a full disk, a read-only or forbidden data directory, a lock held too long, a bad
// flag value, a prompt answered at a terminal. Full and read-only file systems are real (a tmpfs,
// mounted when the tests run as root; skipped with the reason otherwise).

const KAFKA_STORAGE_ERROR = 56

const cleanups: (() => void | Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

function scratch(): string {
  const t = tempDir('kafka-ts-failure-')
  cleanups.push(t.cleanup)
  return t.dir
}

function tmpfs(size: string, why: string): Tmpfs | undefined {
  const fsys = mountTmpfs(size, why)
  if (fsys) cleanups.push(() => fsys.cleanup())
  return fsys
}

/** The failure is one line on stderr (after the data directory's first-use notice), never a stack or "Unexpected error". */
function expectOneLine(r: CliResult): string {
  const lines = r.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('Initialised a new kafka-ts data directory'))
  expect(lines, r.stderr).toHaveLength(1)
  expect(r.stderr).not.toMatch(/Unexpected error|\n\s+at /)
  return lines[0] ?? ''
}

/** Lines of ~80 bytes, numbered: more than `bytes` of them. */
function numberedLines(bytes: number): string[] {
  const pad = 'x'.repeat(72)
  return Array.from({ length: Math.ceil(bytes / 80) }, (_, i) => `${String(i).padStart(7, '0')}${pad}`)
}

async function consumeAll(dataDir: string, topic: string): Promise<string[]> {
  const r = await runCli(['console-consumer', '--topic', topic, '--from-beginning', '--timeout-ms', '2000'], { dataDir })
  return r.out === '' ? [] : r.out.replace(/\n$/, '').split('\n')
}

describe('a full disk', () => {
  it('ends console-producer with one line naming the directory and the records stored, and they stay readable', async (ctx) => {
    const disk = tmpfs('8m', 'full disk')
    if (!disk) return ctx.skip()
    const dataDir = path.join(disk.dir, 'data')
    expect((await runCli(['topics', '--create', '--topic', 't'], { dataDir })).code).toBe(0)
    const lines = numberedLines(16 << 20)

    const r = await runCli(['console-producer', '--topic', 't'], { dataDir, input: `${lines.join('\n')}\n` })

    expect(r.code).toBe(1)
    const line = expectOneLine(r)
    expect(line).toContain(`Disk full: no space left on the file system holding ${dataDir}`)
    const stored = Number(/: (\d+) records of this run were stored/.exec(line)?.[1])
    expect(stored).toBeGreaterThan(0)
    expect(stored).toBeLessThan(lines.length)
    // Every record reported stored is there, in order, and nothing else.
    expect(await consumeAll(dataDir, 't')).toEqual(lines.slice(0, stored))
  })

  it('a disk with no byte left even for reading is named, and reads work again once space is freed', async (ctx) => {
    const disk = tmpfs('8m', 'full disk')
    if (!disk) return ctx.skip()
    const dataDir = path.join(disk.dir, 'data')
    expect((await runCli(['topics', '--create', '--topic', 't'], { dataDir })).code).toBe(0)
    expect((await runCli(['console-producer', '--topic', 't'], { dataDir, input: 'a\nb\n' })).code).toBe(0)
    const filler = path.join(disk.dir, 'filler')
    const fd = fs.openSync(filler, 'w')
    try {
      for (const chunk = Buffer.alloc(64 << 10); ; ) fs.writeSync(fd, chunk)
    } catch (err) {
      expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC')
    } finally {
      fs.closeSync(fd)
    }

    const r = await runCli(['console-consumer', '--topic', 't', '--from-beginning', '--timeout-ms', '2000'], { dataDir })
    expect(r.code).toBe(1)
    expect(expectOneLine(r)).toContain(`Disk full: no space left on the file system holding ${dataDir}`)
    fs.rmSync(filler)
    expect(await consumeAll(dataDir, 't')).toEqual(['a', 'b'])
  })

  it('ends producer-perf-test and topics --create with the same line', async (ctx) => {
    const disk = tmpfs('8m', 'full disk')
    if (!disk) return ctx.skip()
    const dataDir = path.join(disk.dir, 'data')
    expect((await runCli(['topics', '--create', '--topic', 'perf'], { dataDir })).code).toBe(0)

    const perf = await runCli(['producer-perf-test', '--topic', 'perf', '--num-records', '200000', '--record-size', '100', '--throughput', '-1'], { dataDir })
    expect(perf.code).toBe(1)
    const line = expectOneLine(perf)
    expect(line).toContain(`Disk full: no space left on the file system holding ${dataDir}`)
    const stored = Number(/: (\d+) records of this run were stored/.exec(line)?.[1])
    expect((await consumeAll(dataDir, 'perf')).length).toBe(stored)

    // An empty partition is a few dozen bytes, and closing the producer gave its WAL back: a million of
    // them need more than the whole 8 MiB disk.
    const create = await runCli(['topics', '--create', '--topic', 'more', '--partitions', '1000000'], { dataDir })
    expect(create.code).toBe(1)
    expect(expectOneLine(create)).toContain(`Disk full: no space left on the file system holding ${dataDir}`)
    expect((await runCli(['topics', '--list'], { dataDir })).out).toBe('perf\n')
  })

  it('makes the server answer KAFKA_STORAGE_ERROR for the partition, keep serving reads, and write again once there is room', async (ctx) => {
    const disk = tmpfs('8m', 'full disk')
    if (!disk) return ctx.skip()
    const server: TestServer = await startTestServer({ dataDir: path.join(disk.dir, 'data') })
    cleanups.push(() => server.stop())
    expect(server.broker.createTopics([{ name: 't', numPartitions: 1, replicationFactor: 1, configs: new Map() }])[0]?.ok).toBe(true)
    const conn = await RawConnection.open(server.port)
    cleanups.push(() => conn.close())

    // The producer id is taken while there is room: allocating one is a write too.
    const { producerId, producerEpoch } = server.broker.initProducerId()
    const acked: string[] = []
    let errorCode = 0
    const batchValues = (i: number) => Array.from({ length: 64 }, (_, j) => `${i}-${j}-${'v'.repeat(1000)}`)
    for (let i = 0; i < 1000 && errorCode === 0; i++) {
      const values = batchValues(i)
      const outcome = produceOutcome(await produce(conn, 't', 0, batchOf(values), { acks: -1 }))
      errorCode = outcome.errorCode
      if (errorCode === 0) acked.push(...values)
    }

    expect(errorCode).toBe(KAFKA_STORAGE_ERROR)
    expect(acked.length).toBeGreaterThan(0)
    expect(server.logs.some((l) => l.includes('no space left on the file system holding'))).toBe(true)
    // The same connection still gets answers, and every acknowledged record reads back.
    expect(produceOutcome(await produce(conn, 't', 0, batchOf(batchValues(-1)), { acks: 1 })).errorCode).toBe(KAFKA_STORAGE_ERROR)
    const read: string[] = []
    for (let from = 0; read.length < acked.length; ) {
      const { errorCode: fetchError, records } = await fetchRecords(conn, 't', 0, from)
      expect(fetchError).toBe(0)
      if (records.length === 0) break
      read.push(...records.map((r) => r.value?.toString() ?? ''))
      from = (records[records.length - 1]?.offset ?? from) + 1
    }
    expect(read).toEqual(acked)

    // An idempotent batch refused for lack of room must not count as stored: its retry is stored.
    const idempotent = () => {
      const b = new RecordBatchBuilder()
      batchValues(-2).forEach((v) => b.append(Date.now(), null, Buffer.from(v)))
      return b.build({ producerId, producerEpoch, baseSequence: 0 })
    }
    expect(produceOutcome(await produce(conn, 't', 0, idempotent(), { acks: -1 })).errorCode).toBe(KAFKA_STORAGE_ERROR)

    // Room again: the same server stores the retry, right after the last acknowledged record.
    disk.resize('16m')
    expect(produceOutcome(await produce(conn, 't', 0, idempotent(), { acks: -1 }))).toEqual({ errorCode: 0, baseOffset: acked.length })
    const after = await fetchRecords(conn, 't', 0, acked.length)
    expect(after.records.map((r) => r.value?.toString())).toEqual(batchValues(-2))
  })
})

describe('file-system conditions', () => {
  it('a --data-dir under a regular file names the path', async () => {
    const file = path.join(scratch(), 'plain')
    fs.writeFileSync(file, 'x')
    const r = await runCli(['topics', '--list', '--data-dir', path.join(file, 'data')])
    expect(r.code).toBe(1)
    expect(expectOneLine(r)).toContain(`${path.join(file, 'data')} is not a directory`)
    const onFile = await runCli(['topics', '--list', '--data-dir', file])
    expect(onFile.code).toBe(1)
    expect(expectOneLine(onFile)).toContain(`${file} is a file, not a data directory`)
  })

  it('a read-only file system (EROFS) is named, for an existing store and for a new directory', async (ctx) => {
    const disk = tmpfs('8m', 'read-only file system')
    if (!disk) return ctx.skip()
    const dataDir = path.join(disk.dir, 'data')
    expect((await runCli(['topics', '--create', '--topic', 't'], { dataDir })).code).toBe(0)
    disk.readOnly()

    const list = await runCli(['topics', '--list'], { dataDir })
    expect(list.code).toBe(1)
    expect(expectOneLine(list)).toContain(`${dataDir} is on a read-only file system`)
    const produced = await runCli(['console-producer', '--topic', 't'], { dataDir, input: 'a\n' })
    expect(produced.code).toBe(1)
    expect(expectOneLine(produced)).toContain('is on a read-only file system')
    const fresh = await runCli(['topics', '--list'], { dataDir: path.join(disk.dir, 'new') })
    expect(fresh.code).toBe(1)
    expect(expectOneLine(fresh)).toContain(`${path.join(disk.dir, 'new')} is on a read-only file system`)
  })

  it('a data directory this user may not use (EACCES) is named', async (ctx) => {
    const setpriv = '/usr/bin/setpriv'
    if (!isRoot || !fs.existsSync(setpriv)) {
      process.stderr.write('skipped (EACCES): needs root and setpriv to run the command as nobody\n')
      return ctx.skip()
    }
    const base = scratch()
    fs.chmodSync(base, 0o755)
    const dataDir = path.join(base, 'data')
    expect((await runCli(['topics', '--create', '--topic', 't'], { dataDir })).code).toBe(0)
    const home = path.join(base, 'home')
    fs.mkdirSync(home, { mode: 0o777 })
    fs.chmodSync(home, 0o777)
    const env = { ...process.env, NO_COLOR: '1', CI: 'true', HOME: home, XDG_DATA_HOME: home }
    const asNobody = (): { code: number; stderr: string } => {
      try {
        execFileSync(setpriv, ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, path.resolve('bin/run.js'), 'topics', '--list', '--data-dir', dataDir], {
          env,
          stdio: 'pipe',
        })
        return { code: 0, stderr: '' }
      } catch (err) {
        const e = err as { status: number; stderr: Buffer }
        return { code: e.status, stderr: e.stderr.toString() }
      }
    }
    // A directory nobody may read, then one nobody may read but not write (SQLite's "unable to open
    // database file": the WAL index cannot be created).
    for (const mode of [0o700, 0o755]) {
      fs.chmodSync(dataDir, mode)
      for (const f of fs.readdirSync(dataDir)) fs.chmodSync(path.join(dataDir, f), 0o644)
      const r = asNobody()
      expect(r.code).toBe(1)
      expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1)
      expect(r.stderr).toContain(`Permission denied: ${dataDir}`)
      expect(r.stderr).not.toContain('Unexpected error')
    }
  })

  it('a database locked by another process past the busy timeout is named, and nothing is lost', async () => {
    const dataDir = scratch()
    expect((await runCli(['topics', '--create', '--topic', 't'], { dataDir })).code).toBe(0)
    const holder = new Database(path.join(dataDir, 'kafka-ts.db'))
    cleanups.push(() => {
      if (holder.inTransaction) holder.exec('ROLLBACK')
      holder.close()
    })
    holder.exec('BEGIN EXCLUSIVE')

    // The busy timeout (10 s) is waited out for real.
    const r = await runCli(['topics', '--create', '--topic', 'u'], { dataDir })

    expect(r.code).toBe(1)
    expect(expectOneLine(r)).toContain(`${path.join(dataDir, 'kafka-ts.db')} is locked by another process (gave up after 10 s)`)
    holder.exec('ROLLBACK')
    expect((await runCli(['topics', '--list'], { dataDir })).out).toBe('t\n')
  }, 40_000)

  it('a file that is not a kafka-ts store is refused and left as it was', async () => {
    const dataDir = scratch()
    expect((await runCli(['topics', '--create', '--topic', 't'], { dataDir })).code).toBe(0)
    const db = path.join(dataDir, 'kafka-ts.db')
    for (const f of fs.readdirSync(dataDir)) if (f.startsWith('kafka-ts.db-')) fs.rmSync(path.join(dataDir, f))
    fs.writeFileSync(db, 'not a database, but somebody\'s notes')
    const r = await runCli(['topics', '--list'], { dataDir })
    expect(r.code).toBe(1)
    expect(expectOneLine(r)).toContain(`${db} is not a kafka-ts store`)
    expect(fs.readFileSync(db, 'utf8')).toBe('not a database, but somebody\'s notes')
  })
})

describe('flag errors', () => {
  it("keep oclif's whole reason", async () => {
    const r = await runCli(['topics', '--create', '--topic', 't', '--partitions', 'abc'], { dataDir: scratch() })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('Parsing --partitions: Expected an integer but received: abc')
  })
})

describe('prompts at a terminal', () => {
  it('console-producer asks for the topic, then reads the lines typed', async (ctx) => {
    if (!ttyAvailable) {
      process.stderr.write('skipped (prompt): /usr/bin/python3 is needed for a pseudo-terminal\n')
      return ctx.skip()
    }
    const dataDir = scratch()
    expect((await runCli(['topics', '--create', '--topic', 't'], { dataDir })).code).toBe(0)

    const r = await runOnTty(['console-producer', '--data-dir', dataDir], [
      { expect: 'Topic to produce to:' },
      { type: 't\r' },
      { expect: '>' },
      { type: 'hello\r' },
      { expect: '>' },
      { type: 'world\r' },
      { expect: '>' },
      { type: '\x04' },
    ])

    expect(r.code, r.output).toBe(0)
    expect(await consumeAll(dataDir, 't')).toEqual(['hello', 'world'])
  })

  it('topics --create asks for the name', async (ctx) => {
    if (!ttyAvailable) {
      process.stderr.write('skipped (prompt): /usr/bin/python3 is needed for a pseudo-terminal\n')
      return ctx.skip()
    }
    const dataDir = scratch()
    const r = await runOnTty(['topics', '--create', '--data-dir', dataDir], [{ expect: 'Name of the topic to create:' }, { type: 'asked\r' }])
    expect(r.code, r.output).toBe(0)
    expect(r.output).toContain('Created topic asked.')
  })

  it('console-consumer asks for the topic and refuses one that does not exist', async (ctx) => {
    if (!ttyAvailable) {
      process.stderr.write('skipped (prompt): /usr/bin/python3 is needed for a pseudo-terminal\n')
      return ctx.skip()
    }
    const dataDir = scratch()
    expect((await runCli(['topics', '--create', '--topic', 't'], { dataDir })).code).toBe(0)
    expect((await runCli(['console-producer', '--topic', 't'], { dataDir, input: 'first\n' })).code).toBe(0)

    const known = await runOnTty(['console-consumer', '--data-dir', dataDir, '--from-beginning', '--max-messages', '1'], [
      { expect: 'Topic to consume:' },
      { type: 't\r' },
    ])
    expect(known.code, known.output).toBe(0)
    expect(known.output).toContain('first')

    const unknown = await runOnTty(['console-consumer', '--data-dir', dataDir], [{ expect: 'Topic to consume:' }, { type: 'nope\r' }])
    expect(unknown.code).toBe(1)
    expect(unknown.output).toContain("Topic 'nope' does not exist.")
  })
})
