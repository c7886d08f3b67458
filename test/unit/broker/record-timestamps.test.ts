// Item 0 of the depth issue: the broker never trusts a producer's batch max timestamp. Batches whose
// header says -1, 0, 30 days ago or ten years ahead (while their records carry ordinary timestamps) sit
// between ordinary batches; a retention pass must delete nothing and ListOffsets by each record's own
// timestamp must land on it. Real SQLite store in a temp directory; time is the records' own timestamps.

import Database from 'better-sqlite3'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import type { Broker } from '../../../src/broker/broker.js'
import { RecordValidationError } from '../../../src/broker/kafka-error.js'
import { openBroker } from '../../../src/broker/open-broker.js'
import type { BatchValidation } from '../../../src/broker/partition-log.js'
import { crc32c } from '../../../src/protocol/crc32c.js'
import type { CompressionCodec } from '../../../src/protocol/compression.js'
import { forEachRecord } from '../../../src/protocol/batch-records.js'
import { readBatchHeader, verifyBatchCrc } from '../../../src/protocol/record-batch.js'
import { RecordBatchBuilder } from '../../../src/protocol/record-batch-builder.js'
import { DB_FILE_NAME } from '../../../src/storage/sqlite/data-dir.js'
import type { TopicRow } from '../../../src/storage/log-store.js'
import { openSqliteLogStore } from '../../../src/storage/sqlite/sqlite-log-store.js'
import { tempDir } from '../../helpers/cli.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR
const YEAR = 365 * DAY

let dir: string
let cleanup: () => void
let broker: Broker

beforeEach(() => {
  ;({ dir, cleanup } = tempDir())
  broker = openBroker({ dataDir: dir, initialize: 'auto' })
})
afterEach(() => {
  broker.close()
  cleanup()
})

function create(name: string, configs: Record<string, string> = {}): TopicRow {
  const [o] = broker.createTopics([{ name, numPartitions: 1, replicationFactor: -1, configs: new Map(Object.entries(configs)) }])
  expect(o?.ok).toBe(true)
  return broker.requireTopic(name)
}

/** A batch of `count` records stamped `ts`, `ts + 1`, …; `claimedMax` overwrites the header's max timestamp (CRC fixed up), as a careless producer writes it. */
function batch(ts: number, count: number, opts: { claimedMax?: number; compression?: CompressionCodec } = {}): Buffer {
  const b = new RecordBatchBuilder()
  for (let i = 0; i < count; i++) b.append(ts + i, null, Buffer.from(`v${ts + i}`))
  const bytes = b.build({ compression: opts.compression ?? 'none' })
  if (opts.claimedMax !== undefined) {
    bytes.writeBigInt64BE(BigInt(opts.claimedMax), 35)
    bytes.writeUInt32BE(crc32c(bytes, 21), 17)
  }
  return bytes
}

function produce(topic: TopicRow, bytes: Buffer, validation: BatchValidation = 'full'): number {
  const [r] = broker.produce([{ topic, partition: 0, batch: bytes }], 'commit', validation)
  if (!r?.ok) throw r?.error ?? new Error('no result')
  return r.value.baseOffset
}

function storedBatches(topic: TopicRow): readonly Buffer[] {
  const res = broker.read(topic, 0, 0, 64 << 20)
  if (!res.ok) throw res.error
  return res.value.batches
}

function recordCount(topic: TopicRow): number {
  let n = 0
  for (const b of storedBatches(topic)) forEachRecord(b, () => void n++)
  return n
}

describe.each<BatchValidation>(['full', 'header'])('max timestamps recomputed from the records (%s validation)', (validation) => {
  const codecs: CompressionCodec[] = validation === 'full' ? ['none', 'lz4', 'gzip'] : ['none']
  it.each(codecs)('batches claiming -1, 0, 30 days ago and ten years ahead are neither deleted by retention nor hidden from ListOffsets (%s)', (codec) => {
    const t = create(`lying-${codec}`, { 'retention.ms': String(HOUR) })
    const now = Date.now()
    const claims = [undefined, -1, undefined, 0, undefined, now - 30 * DAY, undefined, now + 10 * YEAR, undefined]
    const firstTimestamps: number[] = []
    const baseOffsets: number[] = []
    claims.forEach((claimedMax, i) => {
      const ts = now - 20 * 60_000 + i * 60_000 // ordinary records, 20 … 12 minutes old, one minute apart
      firstTimestamps.push(ts)
      baseOffsets.push(produce(t, batch(ts, 3, { compression: codec, ...(claimedMax === undefined ? {} : { claimedMax }) }), validation))
    })

    const stats = broker.runLogCleaner()
    expect(stats.batchesDeleted).toBe(0)
    expect(recordCount(t)).toBe(claims.length * 3)

    // Every stored header now tells the truth (and its CRC still holds).
    for (const stored of storedBatches(t)) {
      verifyBatchCrc(stored)
      let max = -1
      forEachRecord(stored, (r) => void (max = Math.max(max, r.timestamp)))
      expect(readBatchHeader(stored).maxTimestamp).toBe(max)
    }
    // A lookup by each batch's own first timestamp lands on that batch, also after the far-future claim.
    firstTimestamps.forEach((ts, i) => {
      expect(broker.listOffset(t, 0, ts)).toEqual({ ok: true, value: { offset: baseOffsets[i], timestamp: ts } })
    })
    expect(broker.listOffset(t, 0, 'max-timestamp')).toEqual({
      ok: true,
      value: { offset: baseOffsets[claims.length - 1]! + 2, timestamp: firstTimestamps[claims.length - 1]! + 2 },
    })
  })
})

describe('ListOffsets by time', () => {
  it('answers the earliest offset at or after t even when a genuinely future record sits earlier in the log', () => {
    // Kafka 4 refuses records over an hour ahead by default; this topic allows them.
    const t = create('future', { 'message.timestamp.after.max.ms': '9223372036854775807' })
    const now = Date.now()
    produce(t, batch(now - 3 * HOUR, 2)) // 0, 1
    produce(t, batch(now + 10 * YEAR, 1)) // 2: allowed, message.timestamp.after.max.ms is unbounded here
    produce(t, batch(now - 2 * HOUR, 2)) // 3, 4
    produce(t, batch(now - HOUR, 2)) // 5, 6
    // Kafka's time index: the first offset whose timestamp is >= t, whatever comes after it.
    expect(broker.listOffset(t, 0, now - 3 * HOUR + 1)).toEqual({ ok: true, value: { offset: 1, timestamp: now - 3 * HOUR + 1 } })
    expect(broker.listOffset(t, 0, now - 2 * HOUR)).toEqual({ ok: true, value: { offset: 2, timestamp: now + 10 * YEAR } })
    expect(broker.listOffset(t, 0, now + 10 * YEAR + 1)).toEqual({ ok: true, value: { offset: -1, timestamp: -1 } })
  })

  it('looks past a first matching batch whose only match lies below the log start offset', () => {
    const t = create('start')
    const now = Date.now()
    const first = new RecordBatchBuilder()
    for (const ts of [now - HOUR, now - 3 * HOUR, now - 3 * HOUR]) first.append(ts, null, Buffer.from('x')) // 0..2
    produce(t, first.build())
    produce(t, batch(now - 2 * HOUR, 2)) // 3, 4
    produce(t, batch(now, 2)) // 5, 6
    const [deleted] = broker.deleteRecords([{ topic: 'start', partition: 0, offset: 1 }])
    expect(deleted?.ok).toBe(true)
    // Offset 0 (the only one >= t in the first batch) is below the log start; 1..4 are older than t.
    expect(broker.listOffset(t, 0, now - HOUR)).toEqual({ ok: true, value: { offset: 5, timestamp: now } })
  })
})

describe('records without timestamps (NO_TIMESTAMP)', () => {
  it('age from their append: retention keeps them, and a lookup by time skips them', () => {
    const t = create('untimed', { 'retention.ms': String(HOUR) })
    produce(t, batch(-1, 1)) // one record, timestamp -1: what a producer that sets none sends
    const now = Date.now()
    produce(t, batch(now, 1))
    expect(broker.runLogCleaner().batchesDeleted).toBe(0)
    expect(recordCount(t)).toBe(2)
    expect(readBatchHeader(storedBatches(t)[0]!).maxTimestamp).toBe(-1)
    expect(broker.listOffset(t, 0, 0)).toEqual({ ok: true, value: { offset: 1, timestamp: now } })
  })
})

describe('message.timestamp.before.max.ms / after.max.ms', () => {
  it('refuses records outside the window with INVALID_TIMESTAMP and one record error each, storing nothing', () => {
    const t = create('window', { 'message.timestamp.before.max.ms': String(HOUR), 'message.timestamp.after.max.ms': String(HOUR) })
    const now = Date.now()
    const b = new RecordBatchBuilder()
    b.append(now, null, Buffer.from('ok'))
    b.append(now - 2 * HOUR, null, Buffer.from('too old'))
    b.append(now + 2 * HOUR, null, Buffer.from('too new'))
    b.append(-1, null, Buffer.from('no timestamp: not checked'))
    const [r] = broker.produce([{ topic: t, partition: 0, batch: b.build() }], 'commit')
    expect(r?.ok).toBe(false)
    if (r?.ok !== false) return
    expect(r.error.errorName).toBe('INVALID_TIMESTAMP')
    expect(r.error).toBeInstanceOf(RecordValidationError)
    const errors = (r.error as RecordValidationError).recordErrors
    expect(errors.map((e) => e.batchIndex)).toEqual([1, 2])
    expect(errors[0]?.message).toMatch(new RegExp(`^Timestamp ${now - 2 * HOUR} of message with offset 1 is out of range\\. The timestamp should be within \\[\\d+, \\d+\\]$`))
    expect(recordCount(t)).toBe(0)
    expect(produce(t, batch(now - HOUR / 2, 2))).toBe(0)
  })

  it('refuses a client batch that claims LogAppendTime itself', () => {
    const t = create('claims-lat')
    const b = new RecordBatchBuilder()
    b.append(Date.now(), null, Buffer.from('x'))
    const [r] = broker.produce([{ topic: t, partition: 0, batch: b.build({ timestampType: 'LogAppendTime' }) }], 'commit')
    expect(r?.ok === false && r.error.errorName).toBe('INVALID_TIMESTAMP')
  })
})

describe('stores written before the fix', () => {
  it('are repaired when opened, before any retention pass: headers and stored max timestamps come from the records', () => {
    const t = create('old', { 'retention.ms': String(HOUR) })
    const now = Date.now()
    broker.close()
    // Write what the old append path stored: the producer's claims, verbatim, through the store port.
    const store = openSqliteLogStore(dir)
    const claims = [-1, 0, now - 30 * DAY, now + 10 * YEAR]
    claims.forEach((claimedMax, i) => {
      const bytes = batch(now - 10 * 60_000 + i, 1, { claimedMax, compression: i % 2 === 0 ? 'none' : 'zstd' })
      bytes.writeBigInt64BE(BigInt(i), 0)
      store.atomically(() => store.append({ topicId: t.id, partition: 0 }, { baseOffset: i, lastOffset: i, maxTimestamp: claimedMax, recordCount: 1, bytes }))
    })
    store.close()
    // Pretend the store predates the repair step.
    const db = new Database(join(dir, DB_FILE_NAME))
    const version = db.pragma('user_version', { simple: true }) as number
    db.exec('DROP TABLE data_upgrades')
    db.pragma(`user_version = ${REPAIR_STEP_VERSION - 1}`)
    db.prepare("UPDATE meta SET value = ? WHERE key = 'format.version'").run(String(REPAIR_STEP_VERSION - 1))
    db.close()

    broker = openBroker({ dataDir: dir, initialize: 'auto' })
    expect(broker.runLogCleaner().batchesDeleted).toBe(0)
    const topic = broker.requireTopic('old')
    expect(recordCount(topic)).toBe(4)
    storedBatches(topic).forEach((stored, i) => {
      verifyBatchCrc(stored)
      expect(readBatchHeader(stored).maxTimestamp).toBe(now - 10 * 60_000 + i)
      expect(broker.listOffset(topic, 0, now - 10 * 60_000 + i)).toEqual({ ok: true, value: { offset: i, timestamp: now - 10 * 60_000 + i } })
    })
    const reopened = new Database(join(dir, DB_FILE_NAME), { readonly: true })
    expect(reopened.pragma('user_version', { simple: true })).toBe(version)
    reopened.close()
  })
})

/** The schema step that schedules the max timestamp repair (see src/storage/sqlite/migrations.ts). */
const REPAIR_STEP_VERSION = 7
