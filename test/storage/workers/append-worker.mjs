// Child process for concurrent-writers.test.ts: appends `batches` batches to one partition of a
// shared store, each in its own IMMEDIATE transaction that reads the high watermark first.
// Waits for a line on stdin so that all workers start together; prints a JSON summary on stdout.
// Imports the compiled store from dist/ (run `npm run build` first).

import { createInterface } from 'node:readline'
import { openSqliteLogStore } from '../../../dist/storage/sqlite/sqlite-log-store.js'

const [dir, topicIdText, partitionText, workerText, batchesText, sizeText] = process.argv.slice(2)
const tp = { topicId: Number(topicIdText), partition: Number(partitionText) }
const worker = Number(workerText)
const batches = Number(batchesText)
const size = Number(sizeText)

const store = openSqliteLogStore(dir)
process.stdout.write('ready\n')
await new Promise((resolve) => createInterface({ input: process.stdin }).once('line', resolve))

let records = 0
let interleaved = 0
let lastEnd = -1
for (let seq = 0; seq < batches; seq++) {
  const recordCount = 1 + ((seq + worker) % 4)
  store.atomically(() => {
    const baseOffset = store.offsets(tp).highWatermark
    if (lastEnd >= 0 && baseOffset !== lastEnd) interleaved++
    // Same layout as store-fixtures.ts makeBatch: base offset, record count, tag (worker << 16 | seq).
    const bytes = Buffer.alloc(size, worker + 1)
    bytes.writeBigInt64BE(BigInt(baseOffset), 0)
    bytes.writeInt32BE(recordCount, 8)
    bytes.writeInt32BE((worker << 16) | seq, 12)
    store.append(tp, {
      baseOffset,
      lastOffset: baseOffset + recordCount - 1,
      maxTimestamp: Date.now(),
      recordCount,
      bytes,
    })
    lastEnd = baseOffset + recordCount
  }, 'commit')
  records += recordCount
}
store.close()
process.stdout.write(JSON.stringify({ worker, batches, records, interleaved }) + '\n')
