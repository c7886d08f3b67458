// Several processes appending to one partition of one data directory (a console producer in each of
// several shells). Offsets are assigned inside each writer's IMMEDIATE transaction, so the log must
// come out contiguous with every batch exactly once. Workers run the compiled dist/ code.

import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { formatDataDir } from '../../src/storage/sqlite/data-dir.js'
import { openSqliteLogStore } from '../../src/storage/sqlite/sqlite-log-store.js'
import { makeTempDir } from './store-fixtures.js'

const WORKER = fileURLToPath(new URL('./workers/append-worker.mjs', import.meta.url))
const COMPILED = fileURLToPath(new URL('../../dist/storage/sqlite/sqlite-log-store.js', import.meta.url))
const WORKERS = 3
const BATCHES_PER_WORKER = 300
const BATCH_BYTES = 4096

interface WorkerSummary {
  worker: number
  batches: number
  records: number
  interleaved: number
}

let temp: ReturnType<typeof makeTempDir>
beforeEach(() => {
  temp = makeTempDir()
})
afterEach(() => temp.remove())

function runWorkers(args: (worker: number) => string[]): Promise<WorkerSummary[]> {
  const children = Array.from({ length: WORKERS }, (_, worker) =>
    spawn(process.execPath, [WORKER, ...args(worker)], { stdio: ['pipe', 'pipe', 'pipe'] }),
  )
  const outputs = children.map((child) => {
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const ready = new Promise<void>((resolve) => {
      const check = () => (stdout.startsWith('ready\n') ? resolve() : undefined)
      child.stdout.on('data', check)
    })
    const done = new Promise<WorkerSummary>((resolve, reject) =>
      child.on('close', (code) => {
        if (code !== 0) reject(new Error(`worker exited with ${code}: ${stderr}`))
        else resolve(JSON.parse(stdout.slice('ready\n'.length)) as WorkerSummary)
      }),
    )
    return { child, ready, done }
  })
  // Start all of them at once, after every one has opened the store.
  return Promise.all(outputs.map((o) => o.ready)).then(() => {
    for (const { child } of outputs) child.stdin.end('go\n')
    return Promise.all(outputs.map((o) => o.done))
  })
}

it('three writer processes produce one contiguous log with no loss and no duplicates', async () => {
  if (!existsSync(COMPILED)) throw new Error(`${COMPILED} is missing: run \`npm run build\` first`)
  const dir = join(temp.path, 'data')
  formatDataDir(dir, { clusterId: 'concurrent-writers', nodeId: 1 })
  const setup = openSqliteLogStore(dir)
  const topic = setup.createTopic({ name: 'shared', uuid: Buffer.alloc(16, 9), partitionCount: 1, configs: new Map() })
  setup.close()

  const summaries = await runWorkers((worker) =>
    [dir, topic.id, 0, worker, BATCHES_PER_WORKER, BATCH_BYTES].map(String),
  )

  const store = openSqliteLogStore(dir)
  try {
    const tp = { topicId: topic.id, partition: 0 }
    const batches = store.read(tp, 0, { maxBytes: Number.MAX_SAFE_INTEGER })
    const totalRecords = summaries.reduce((sum, s) => sum + s.records, 0)

    expect(batches).toHaveLength(WORKERS * BATCHES_PER_WORKER)
    expect(store.offsets(tp)).toEqual({ logStartOffset: 0, highWatermark: totalRecords })
    let next = 0
    const seen = new Set<number>()
    for (const batch of batches) {
      expect(batch.baseOffset).toBe(next)
      // What the worker wrote into the bytes must match the row it landed in.
      expect(Number(batch.bytes.readBigInt64BE(0))).toBe(batch.baseOffset)
      expect(batch.bytes.readInt32BE(8)).toBe(batch.recordCount)
      expect(batch.bytes).toHaveLength(BATCH_BYTES)
      seen.add(batch.bytes.readInt32BE(12))
      next = batch.lastOffset + 1
    }
    expect(next).toBe(totalRecords)
    const expected = new Set<number>()
    for (let worker = 0; worker < WORKERS; worker++) {
      for (let seq = 0; seq < BATCHES_PER_WORKER; seq++) expected.add((worker << 16) | seq)
    }
    expect(seen).toEqual(expected)
    console.log(
      `concurrent writers: ${batches.length} batches, ${totalRecords} records; batches that followed another worker's: ${summaries
        .map((s) => s.interleaved)
        .join(', ')}`,
    )
  } finally {
    store.close()
  }
})
