// The limits the CLI is compared with, measured on the same machine in the same run: the same
// RecordBatch bytes the producer writes, inserted with better-sqlite3 directly (no CLI, no broker,
// no validation) and scanned back. Runs as its own process (`node bench/raw-sqlite.js '<json>'`) so
// each run starts as fresh as the CLI processes do; prints one JSON object on stdout.
//
// Insert: one row per ~16 KiB batch, one IMMEDIATE transaction per ~4 MiB (what console-producer
// groups per commit), WAL. synchronous=FULL fsyncs the WAL at every commit — the durability acks=-1
// promises; NORMAL is what acks=1 may use. Timing stops at the last commit (the acknowledgement);
// closing (which checkpoints) is reported apart.

import Database from 'better-sqlite3'
import { join } from 'node:path'

import { forEachRecord } from '../dist/protocol/batch-records.js'
import { RecordBatchBuilder } from '../dist/protocol/record-batch-builder.js'

const seconds = (start) => Number(process.hrtime.bigint() - start) / 1e9

/** Encodes `records` values of `valueBytes` into batches closed the way the producer closes them. */
function buildBatches({ records, valueBytes, batchBytes }) {
  const builder = new RecordBatchBuilder(batchBytes + 1024)
  const value = Buffer.alloc(valueBytes, 'x')
  const batches = []
  let baseOffset = 0
  const close = () => {
    const count = builder.count
    batches.push({ baseOffset, count, bytes: builder.build({ baseOffset }) })
    baseOffset += count
  }
  const now = Date.now()
  for (let i = 0; i < records; i++) {
    value.write(String(i).padStart(10, '0'), 0, 'latin1')
    if (builder.count > 0 && builder.sizeInBytes + valueBytes + 32 > batchBytes) close()
    builder.append(now, null, value)
  }
  if (builder.count > 0) close()
  return batches
}

function openForWrite(file, synchronous) {
  const db = new Database(file)
  // Same page size as kafka-ts stores (src/storage/sqlite/store-file.ts), so the ratio compares like with like.
  db.pragma('page_size = 65536')
  db.pragma('journal_mode = WAL')
  db.pragma(`synchronous = ${synchronous}`)
  return db
}

/** Inserts every batch, committing whenever ~txnBytes are pending. Returns seconds to the last commit. */
function insertAll(db, batches, txnBytes, insertOne) {
  const commit = db.transaction((group) => {
    for (const b of group) insertOne(b)
  })
  const start = process.hrtime.bigint()
  let group = []
  let bytes = 0
  for (const b of batches) {
    group.push(b)
    bytes += b.bytes.length
    if (bytes >= txnBytes) {
      commit.immediate(group)
      group = []
      bytes = 0
    }
  }
  if (group.length > 0) commit.immediate(group)
  return seconds(start)
}

function closeTimed(db) {
  const start = process.hrtime.bigint()
  db.close()
  return seconds(start)
}

function insertPlain(file, synchronous, batches, txnBytes) {
  const db = openForWrite(file, synchronous)
  db.exec('CREATE TABLE log (base_offset INTEGER PRIMARY KEY, batch BLOB NOT NULL)')
  const insert = db.prepare('INSERT INTO log (base_offset, batch) VALUES (?, ?)')
  const insertS = insertAll(db, batches, txnBytes, (b) => insert.run(b.baseOffset, b.bytes))
  return { insertS, closeS: closeTimed(db) }
}

/** Same bytes into the store's own partition-table layout (extra columns and the time index). */
async function insertStoreSchema(file, synchronous, batches, txnBytes) {
  const { createPartitionTable, logTableName, partitionSql } = await import('../dist/storage/sqlite/partition-tables.js')
  const db = openForWrite(file, synchronous)
  createPartitionTable(db, 1, 0)
  const insert = db.prepare(partitionSql(logTableName(1, 0)).insert)
  let runningMax = -1
  const insertS = insertAll(db, batches, txnBytes, (b) => {
    const maxTimestamp = b.bytes.readUInt32BE(35) * 2 ** 32 + b.bytes.readUInt32BE(39)
    if (maxTimestamp > runningMax) runningMax = maxTimestamp
    insert.run(b.baseOffset, b.baseOffset + b.count - 1, maxTimestamp, runningMax, b.count, b.bytes)
  })
  return { insertS, closeS: closeTimed(db) }
}

/** SELECT of every blob in offset order; counts records from each batch header so the bytes are touched. */
function scan(file) {
  const db = new Database(file, { readonly: true })
  const select = db.prepare('SELECT batch FROM log ORDER BY base_offset').pluck()
  const start = process.hrtime.bigint()
  let records = 0
  for (const batch of select.iterate()) records += batch.readInt32BE(57)
  const scanS = seconds(start)
  db.close()
  return { scanS, records }
}

/** The scan plus the consumer's record decoding (forEachRecord cursor), but no formatting or output. */
function scanAndWalk(file) {
  const db = new Database(file, { readonly: true })
  const select = db.prepare('SELECT batch FROM log ORDER BY base_offset').pluck()
  const start = process.hrtime.bigint()
  let records = 0
  let valueBytes = 0
  for (const batch of select.iterate()) {
    forEachRecord(batch, (r) => {
      records++
      valueBytes += r.valueLength
    })
  }
  const walkS = seconds(start)
  db.close()
  return { walkS, records, valueBytes }
}

async function main() {
  const cfg = JSON.parse(process.argv[2] ?? '{}')
  const { dir, records, valueBytes, batchBytes = 16 * 1024, txnBytes = 4 << 20 } = cfg
  const start = process.hrtime.bigint()
  const batches = buildBatches({ records, valueBytes, batchBytes })
  const buildS = seconds(start)
  const storedBytes = batches.reduce((n, b) => n + b.bytes.length, 0)

  const full = insertPlain(join(dir, 'raw-full.db'), 'FULL', batches, txnBytes)
  const scanned = scan(join(dir, 'raw-full.db'))
  const walked = scanAndWalk(join(dir, 'raw-full.db'))
  if (scanned.records !== records || walked.records !== records) {
    throw new Error(`raw scan saw ${scanned.records}/${walked.records} records, expected ${records}`)
  }
  const normal = insertPlain(join(dir, 'raw-normal.db'), 'NORMAL', batches, txnBytes)
  const storeFull = await insertStoreSchema(join(dir, 'raw-store-full.db'), 'FULL', batches, txnBytes)

  const result = {
    batches: batches.length,
    storedBytes,
    buildS,
    insertFullS: full.insertS,
    closeFullS: full.closeS,
    insertNormalS: normal.insertS,
    closeNormalS: normal.closeS,
    insertStoreFullS: storeFull.insertS,
    scanS: scanned.scanS,
    walkS: walked.walkS,
  }
  process.stdout.write(JSON.stringify(result) + '\n')
}

await main()
