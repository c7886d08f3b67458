// Retention (cleanup.policy=delete) and compaction (cleanup.policy=compact) through the Broker facade,
// over a real SQLite store in a temp directory. Time is the cleaner's `nowMs` or old CreateTime
// timestamps on the records, never a sleep.

import { statSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import type { Broker } from '../../../src/broker/broker.js'
import { brokerConfigFrom, type BrokerConfig } from '../../../src/broker/broker-config.js'
import { RecordValidationError } from '../../../src/broker/kafka-error.js'
import { openBroker } from '../../../src/broker/open-broker.js'
import type { CompressionCodec } from '../../../src/protocol/compression.js'
import { forEachRecord } from '../../../src/protocol/batch-records.js'
import { readBatchHeader, verifyBatchCrc } from '../../../src/protocol/record-batch.js'
import { RecordBatchBuilder } from '../../../src/protocol/record-batch-builder.js'
import { DB_FILE_NAME } from '../../../src/storage/sqlite/data-dir.js'
import type { TopicRow } from '../../../src/storage/log-store.js'
import { tempDir } from '../../helpers/cli.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR

let dir: string
let cleanup: () => void
let broker: Broker

function open(props: Record<string, string> = {}): Broker {
  const config: BrokerConfig = brokerConfigFrom(new Map(Object.entries(props)))
  return openBroker({ dataDir: dir, initialize: 'auto', config })
}

beforeEach(() => {
  ;({ dir, cleanup } = tempDir())
  broker = open()
})
afterEach(() => {
  broker.close()
  cleanup()
})

interface Rec {
  key?: string | null
  value: string | null
  ts?: number
}

function batch(records: readonly Rec[], opts: { compression?: CompressionCodec; producerId?: number; baseSequence?: number; ts?: number } = {}): Buffer {
  const b = new RecordBatchBuilder()
  for (const r of records) {
    b.append(r.ts ?? opts.ts ?? Date.now(), r.key === undefined || r.key === null ? null : Buffer.from(r.key), r.value === null ? null : Buffer.from(r.value))
  }
  return b.build({
    compression: opts.compression ?? 'none',
    ...(opts.producerId === undefined ? {} : { producerId: opts.producerId, producerEpoch: 0, baseSequence: opts.baseSequence ?? 0 }),
  })
}

function create(name: string, configs: Record<string, string> = {}, partitions = 1, b = broker): TopicRow {
  const [o] = b.createTopics([{ name, numPartitions: partitions, replicationFactor: -1, configs: new Map(Object.entries(configs)) }])
  expect(o?.ok).toBe(true)
  return b.requireTopic(name)
}

function produce(topic: TopicRow, batches: readonly Buffer[], b = broker): number[] {
  return batches.map((bytes) => {
    const [r] = b.produce([{ topic, partition: 0, batch: bytes }], 'commit')
    if (!r?.ok) throw r?.error ?? new Error('no result')
    return r.value.baseOffset
  })
}

/** Every stored record from the log start: [offset, key, value]. */
function records(topicName: string, b = broker): [number, string | null, string | null][] {
  const topic = b.requireTopic(topicName)
  const offsets = b.offsets(topic, 0)
  if (!offsets.ok) throw offsets.error
  const res = b.read(topic, 0, offsets.value.logStartOffset, 64 << 20)
  if (!res.ok) throw res.error
  const out: [number, string | null, string | null][] = []
  for (const bytes of res.value.batches) {
    forEachRecord(bytes, (r) => void out.push([r.offset, r.key()?.toString() ?? null, r.value()?.toString() ?? null]))
  }
  return out
}

function offsetsOf(topicName: string, b = broker): { logStartOffset: number; highWatermark: number } {
  const res = b.offsets(b.requireTopic(topicName), 0)
  if (!res.ok) throw res.error
  return res.value
}

describe('retention by time (cleanup.policy=delete)', () => {
  it('deletes whole batches older than retention.ms and moves the log start offset past them', () => {
    const t = create('timed', { 'retention.ms': String(HOUR) })
    const old = Date.now() - 2 * HOUR
    produce(t, [batch([{ value: 'a' }, { value: 'b' }], { ts: old }), batch([{ value: 'c' }], { ts: old }), batch([{ value: 'd' }, { value: 'e' }])])

    const stats = broker.runLogCleaner()
    expect(stats).toMatchObject({ batchesDeleted: 2, recordsDeleted: 3, done: true })
    expect(offsetsOf('timed')).toEqual({ logStartOffset: 3, highWatermark: 5 })
    expect(records('timed').map((r) => r[2])).toEqual(['d', 'e'])

    // A consumer still positioned below the new log start is told so, and ListOffsets agrees.
    const below = broker.read(t, 0, 0, 1 << 20)
    expect(below.ok ? 'ok' : below.error.errorName).toBe('OFFSET_OUT_OF_RANGE')
    const earliest = broker.listOffset(t, 0, 'earliest')
    expect(earliest.ok && earliest.value.offset).toBe(3)
  })

  it('deletes the last batch too once it expires, leaving an empty log at the high watermark (as Kafka rolls and deletes)', () => {
    const t = create('all-old', { 'retention.ms': String(HOUR) })
    produce(t, [batch([{ value: 'a' }], { ts: Date.now() - 3 * HOUR }), batch([{ value: 'b' }], { ts: Date.now() - 2 * HOUR })])
    broker.runLogCleaner()
    expect(offsetsOf('all-old')).toEqual({ logStartOffset: 2, highWatermark: 2 })
    const atEnd = broker.read(t, 0, 2, 1 << 20)
    expect(atEnd.ok && atEnd.value.batches).toEqual([])
    expect(produce(t, [batch([{ value: 'c' }])])).toEqual([2])
  })

  it('keeps everything with retention.ms=-1 and leaves future timestamps alone', () => {
    const t = create('forever', { 'retention.ms': '-1' })
    // Records a day ahead need message.timestamp.after.max.ms above Kafka 4's one hour.
    const u = create('future', { 'retention.ms': '1000', 'message.timestamp.after.max.ms': String(2 * DAY) })
    produce(t, [batch([{ value: 'a' }], { ts: 1 })])
    produce(u, [batch([{ value: 'a' }], { ts: Date.now() + DAY }), batch([{ value: 'b' }], { ts: Date.now() + DAY })])
    expect(broker.runLogCleaner().batchesDeleted).toBe(0)
    expect(offsetsOf('forever').logStartOffset).toBe(0)
    expect(offsetsOf('future').logStartOffset).toBe(0)
  })

  it('falls back to the broker: log.retention.ms over log.retention.minutes over log.retention.hours, default 7 days', () => {
    const cases: [Record<string, string>, boolean][] = [
      [{}, false], // 7 days
      [{ 'log.retention.hours': '1' }, true],
      [{ 'log.retention.hours': '1000', 'log.retention.minutes': '60' }, true],
      [{ 'log.retention.minutes': '60', 'log.retention.ms': '-1' }, false],
      [{ 'log.retention.hours': '1000', 'log.retention.ms': String(HOUR) }, true],
    ]
    broker.close()
    for (const [props, deletes] of cases) {
      broker = open(props)
      const name = `defaults-${Object.keys(props).length}-${String(deletes)}-${Math.random().toString(36).slice(2)}`
      const t = create(name)
      produce(t, [batch([{ value: 'old' }], { ts: Date.now() - 2 * HOUR }), batch([{ value: 'new' }])])
      broker.runLogCleaner()
      expect([props, offsetsOf(name).logStartOffset]).toEqual([props, deletes ? 1 : 0])
      broker.close()
    }
    broker = open()
  })

  it('applies a changed retention.ms at the next pass', () => {
    const t = create('altered')
    produce(t, [batch([{ value: 'a' }], { ts: Date.now() - 2 * HOUR }), batch([{ value: 'b' }])])
    expect(broker.runLogCleaner().batchesDeleted).toBe(0)
    expect(broker.incrementalAlterTopicConfigs('altered', [{ name: 'retention.ms', op: 'SET', value: String(HOUR) }]).ok).toBe(true)
    expect(broker.runLogCleaner().batchesDeleted).toBe(1)
    expect(offsetsOf('altered').logStartOffset).toBe(1)
  })

  it('leaves cleanup.policy=compact topics to the cleaner', () => {
    const t = create('compact-only', { 'cleanup.policy': 'compact', 'retention.ms': '1000' })
    produce(t, [batch([{ key: 'k', value: 'a' }], { ts: 1 }), batch([{ key: 'j', value: 'b' }], { ts: 1 })])
    expect(broker.runLogCleaner().batchesDeleted).toBe(0)
    expect(offsetsOf('compact-only').logStartOffset).toBe(0)
  })
})

describe('retention by size (retention.bytes)', () => {
  const value = 'x'.repeat(1000)

  it('deletes the oldest batches while what remains still holds retention.bytes, never the last batch', () => {
    const t = create('sized')
    const sizes = produce(t, Array.from({ length: 10 }, () => batch([{ value }]))).map(() => batch([{ value }]).length)
    const size = sizes[0]!
    expect(broker.incrementalAlterTopicConfigs('sized', [{ name: 'retention.bytes', op: 'SET', value: String(3 * size + 10) }]).ok).toBe(true)
    const stats = broker.runLogCleaner()
    // 10 batches; deleting a 7th would leave 3 batches < 3 × size + 10 bytes.
    expect(stats.batchesDeleted).toBe(6)
    expect(stats.bytesDeleted).toBe(6 * size)
    expect(offsetsOf('sized')).toEqual({ logStartOffset: 6, highWatermark: 10 })

    expect(broker.incrementalAlterTopicConfigs('sized', [{ name: 'retention.bytes', op: 'SET', value: '0' }]).ok).toBe(true)
    broker.runLogCleaner()
    // The newest batch stays whatever its size, as Kafka keeps the active segment.
    expect(offsetsOf('sized')).toEqual({ logStartOffset: 9, highWatermark: 10 })
    expect(records('sized')).toHaveLength(1)
  })

  it('counts stored bytes per partition, across deletes and appends', () => {
    const t = create('sized-2', { 'retention.bytes': '-1' })
    produce(t, Array.from({ length: 4 }, () => batch([{ value }])))
    expect(broker.deleteRecords([{ topic: 'sized-2', partition: 0, offset: 2 }])[0]?.ok).toBe(true)
    produce(t, Array.from({ length: 4 }, () => batch([{ value }])))
    const size = batch([{ value }]).length
    expect(broker.incrementalAlterTopicConfigs('sized-2', [{ name: 'retention.bytes', op: 'SET', value: String(2 * size) }]).ok).toBe(true)
    expect(broker.runLogCleaner().batchesDeleted).toBe(4)
    expect(offsetsOf('sized-2')).toEqual({ logStartOffset: 6, highWatermark: 8 })
  })
})

describe('giving space back to the file system', () => {
  it('the database file shrinks after retention deletes most of a partition', () => {
    const t = create('big', { 'retention.ms': String(HOUR) })
    const value = Buffer.alloc(200_000, 'v').toString()
    const old = Date.now() - 2 * HOUR
    produce(t, Array.from({ length: 150 }, () => batch([{ value }], { ts: old })))
    produce(t, [batch([{ value: 'keep' }])])
    const pagesBefore = pageBytes()

    const stats = broker.runLogCleaner()
    expect(stats.batchesDeleted).toBe(150)
    expect(stats.bytesReclaimed).toBeGreaterThan(25_000_000)
    const pagesAfter = pageBytes()
    expect(pagesBefore - pagesAfter).toBeGreaterThan(25_000_000)

    // In WAL mode the file itself is cut at the checkpoint that close() runs.
    broker.close()
    expect(statSync(join(dir, DB_FILE_NAME)).size).toBeLessThan(5_000_000)
    broker = open()
    expect(records('big')).toEqual([[150, null, 'keep']])
  })
})

/** page_count × page_size, as SQLite sees the database right now. */
function pageBytes(): number {
  const db = new Database(join(dir, DB_FILE_NAME), { readonly: true })
  try {
    return Number(db.pragma('page_count', { simple: true })) * Number(db.pragma('page_size', { simple: true }))
  } finally {
    db.close()
  }
}

describe('compaction (cleanup.policy=compact)', () => {
  const compacted = { 'cleanup.policy': 'compact', 'min.cleanable.dirty.ratio': '0.01' }

  it('keeps exactly the latest record per key; offsets, gaps and the high watermark stay', () => {
    const t = create('latest', compacted)
    produce(t, [
      batch([{ key: 'a', value: 'a1' }, { key: 'b', value: 'b1' }, { key: 'c', value: 'c1' }]),
      batch([{ key: 'a', value: 'a2' }, { key: 'b', value: 'b2' }]),
      batch([{ key: 'a', value: 'a3' }]),
      batch([{ key: 'd', value: 'd1' }, { key: 'a', value: 'a4' }]),
      // The last batch plays the active segment: never compacted.
      batch([{ key: 'c', value: 'c2' }]),
    ])
    const before = offsetsOf('latest')
    const stats = broker.runLogCleaner()
    expect(stats.recordsCompacted).toBe(4)
    expect(stats.batchesDropped).toBe(1) // the batch that held only a3
    expect(records('latest')).toEqual([
      [2, 'c', 'c1'],
      [4, 'b', 'b2'],
      [6, 'd', 'd1'],
      [7, 'a', 'a4'],
      [8, 'c', 'c2'],
    ])
    expect(offsetsOf('latest')).toEqual(before)

    // Nothing new is dirty: the next pass changes nothing (the checkpoint is stored).
    expect(broker.runLogCleaner().recordsCompacted).toBe(0)
    // Once more data arrives, c1 (superseded by c2, now in the cleanable range) goes too.
    produce(t, [batch([{ key: 'e', value: 'e1' }])])
    expect(broker.runLogCleaner().recordsCompacted).toBe(1)
    expect(records('latest').map((r) => r[2])).toEqual(['b2', 'd1', 'a4', 'c2', 'e1'])
    // A consumer in a gap is served from the next batch.
    const inGap = broker.read(t, 0, 3, 1 << 20)
    expect(inGap.ok && readBatchHeader(inGap.value.batches[0]!).baseOffset).toBe(3)
  })

  it('keeps tombstones for delete.retention.ms after their batch, then drops them', () => {
    const t = create('tombstones', { ...compacted, 'delete.retention.ms': String(DAY) })
    produce(t, [batch([{ key: 'gone', value: 'v1' }, { key: 'kept', value: 'k1' }]), batch([{ key: 'gone', value: null }]), batch([{ key: 'x', value: 'x' }])])
    broker.runLogCleaner()
    expect(records('tombstones')).toEqual([
      [1, 'kept', 'k1'],
      [2, 'gone', null],
      [3, 'x', 'x'],
    ])
    // A day later, with nothing new to compact, the kept tombstone brings the cleaner back.
    const stats = broker.runLogCleaner({ nowMs: Date.now() + DAY + HOUR })
    expect(stats.recordsCompacted).toBe(1)
    expect(records('tombstones')).toEqual([
      [1, 'kept', 'k1'],
      [3, 'x', 'x'],
    ])
  })

  it('drops a tombstone at once when its batch is already older than delete.retention.ms', () => {
    const t = create('old-tombstone', { ...compacted, 'delete.retention.ms': String(HOUR) })
    produce(t, [batch([{ key: 'k', value: 'v' }]), batch([{ key: 'k', value: null, ts: Date.now() - 2 * HOUR }]), batch([{ key: 'y', value: 'y' }])])
    broker.runLogCleaner()
    expect(records('old-tombstone')).toEqual([[2, 'y', 'y']])
  })

  for (const codec of ['gzip', 'snappy', 'lz4', 'zstd'] as const) {
    it(`rewrites ${codec} batches with the same codec`, () => {
      const t = create(`codec-${codec}`, compacted)
      produce(t, [
        batch(
          Array.from({ length: 50 }, (_, i) => ({ key: `k${i % 10}`, value: `v${i}` })),
          { compression: codec },
        ),
        batch([{ key: 'k0', value: 'last' }], { compression: codec }),
        batch([{ key: 'z', value: 'tail' }], { compression: codec }),
      ])
      broker.runLogCleaner()
      const res = broker.read(t, 0, 0, 1 << 20)
      if (!res.ok) throw res.error
      for (const bytes of res.value.batches) {
        expect(readBatchHeader(bytes).compression).toBe(codec)
        expect(() => verifyBatchCrc(bytes)).not.toThrow()
      }
      const first = readBatchHeader(res.value.batches[0]!)
      expect([first.baseOffset, first.lastOffsetDelta, first.recordCount]).toEqual([0, 49, 9])
      expect(records(`codec-${codec}`)).toEqual([
        ...Array.from({ length: 9 }, (_, i): [number, string, string] => [41 + i, `k${i + 1}`, `v${41 + i}`]),
        [50, 'k0', 'last'],
        [51, 'z', 'tail'],
      ])
    })
  }

  it('leaves records younger than min.compaction.lag.ms alone', () => {
    const t = create('lagged', { ...compacted, 'min.compaction.lag.ms': String(HOUR) })
    const old = Date.now() - 2 * HOUR
    produce(t, [batch([{ key: 'k', value: 'old1' }], { ts: old }), batch([{ key: 'k', value: 'old2' }], { ts: old }), batch([{ key: 'k', value: 'new' }]), batch([{ key: 'k', value: 'newer' }])])
    broker.runLogCleaner()
    // Only the old part was cleanable: old1 is superseded there by old2, which must wait for the lag.
    expect(records('lagged').map((r) => r[2])).toEqual(['old2', 'new', 'newer'])
    // Two hours on, 'new' is old enough too; 'newer' sits in the last batch, which is never in the key map.
    broker.runLogCleaner({ nowMs: Date.now() + 2 * HOUR })
    expect(records('lagged').map((r) => r[2])).toEqual(['new', 'newer'])
  })

  it('waits until the dirty share of the log exceeds min.cleanable.dirty.ratio', () => {
    const t = create('ratio', { 'cleanup.policy': 'compact' })
    const wide = (k: string) => batch(Array.from({ length: 20 }, (_, i) => ({ key: `${k}${i}`, value: 'x'.repeat(100) })))
    produce(t, [wide('a'), wide('b'), wide('c'), wide('d'), batch([{ key: 'a0', value: 'new' }])])
    expect(broker.runLogCleaner().recordsCompacted).toBe(0) // nothing superseded yet, but it is all dirty: cleaned once
    produce(t, [batch([{ key: 'b0', value: 'new' }]), batch([{ key: 'tail', value: 't' }])])
    // Dirty: two small batches against four wide clean ones, far below 0.5.
    expect(broker.runLogCleaner().recordsCompacted).toBe(0)
    expect(broker.incrementalAlterTopicConfigs('ratio', [{ name: 'min.cleanable.dirty.ratio', op: 'SET', value: '0.001' }]).ok).toBe(true)
    expect(broker.runLogCleaner().recordsCompacted).toBe(2)
  })

  it('compacts a topic whose dirty records passed max.compaction.lag.ms, whatever the ratio', () => {
    const t = create('overdue', { 'cleanup.policy': 'compact', 'min.cleanable.dirty.ratio': '0.5', 'max.compaction.lag.ms': String(HOUR) })
    const wide = batch(Array.from({ length: 20 }, (_, i) => ({ key: `w${i}`, value: 'x'.repeat(100) })))
    produce(t, [wide, batch([{ key: 'k', value: 'v1' }])])
    broker.runLogCleaner() // a log never cleaned is all dirty (ratio 1): this round only moves the checkpoint
    produce(t, [batch([{ key: 'k', value: 'v2' }]), batch([{ key: 'j', value: 'j' }])])
    // The two small dirty batches are far below half of the bytes.
    expect(broker.runLogCleaner().recordsCompacted).toBe(0)
    // An hour later the oldest dirty batch is past max.compaction.lag.ms: compacted whatever the ratio.
    expect(broker.runLogCleaner({ nowMs: Date.now() + 2 * HOUR }).recordsCompacted).toBe(1)
    expect(records('overdue').map((r) => r[2]).slice(-2)).toEqual(['v2', 'j'])
  })

  it('compact,delete: compaction and retention both apply', () => {
    const t = create('both', { ...compacted, 'cleanup.policy': 'compact,delete', 'retention.ms': String(HOUR) })
    produce(t, [batch([{ key: 'k', value: 'expired' }], { ts: Date.now() - 2 * HOUR }), batch([{ key: 'k', value: 'v1' }]), batch([{ key: 'k', value: 'v2' }]), batch([{ key: 'j', value: 'j' }])])
    const stats = broker.runLogCleaner()
    expect(stats.batchesDeleted).toBe(1)
    expect(records('both').map((r) => r[2])).toEqual(['v2', 'j'])
    expect(offsetsOf('both').logStartOffset).toBe(1)
  })

  it('keeps the last batch of an idempotent producer as an empty batch, so a retried batch is still a duplicate after a restart', () => {
    const t = create('idempotent', compacted)
    const pid = broker.initProducerId().producerId
    const first = batch([{ key: 'k', value: 'v1' }], { producerId: pid, baseSequence: 0 })
    const second = batch([{ key: 'k', value: 'v2' }], { producerId: pid, baseSequence: 1 })
    produce(t, [Buffer.from(first), Buffer.from(second)])
    produce(t, [batch([{ key: 'k', value: 'v3' }]), batch([{ key: 'tail', value: 't' }])])
    broker.runLogCleaner()
    const res = broker.read(t, 0, 0, 1 << 20)
    if (!res.ok) throw res.error
    const headers = res.value.batches.map((b) => readBatchHeader(b))
    // Batch 0 went entirely; batch 1 (the producer's last) stays as a header with no records.
    expect(headers.map((h) => [h.baseOffset, h.recordCount, h.producerId])).toEqual([
      [1, 0, pid],
      [2, 1, -1],
      [3, 1, -1],
    ])
    expect(records('idempotent').map((r) => r[2])).toEqual(['v3', 't'])
    // A timestamp lookup passes over the empty batch to the first record at or after the time.
    const byTime = broker.listOffset(t, 0, 0)
    expect(byTime.ok && byTime.value.offset).toBe(2)

    broker.close()
    broker = open()
    const again = broker.produce([{ topic: broker.requireTopic('idempotent'), partition: 0, batch: Buffer.from(second) }], 'commit')
    expect(again[0]?.ok && again[0].value.baseOffset).toBe(1)
    expect(offsetsOf('idempotent').highWatermark).toBe(4)
  })

  it('refuses keyless records on a compacted topic with INVALID_RECORD and one record error per keyless record', () => {
    const t = create('keys-only', { 'cleanup.policy': 'compact' })
    const [r] = broker.produce([{ topic: t, partition: 0, batch: batch([{ key: 'k', value: 'a' }, { value: 'b' }, { value: 'c' }], { compression: 'lz4' }) }], 'commit')
    expect(r?.ok).toBe(false)
    const error = r && !r.ok ? r.error : undefined
    expect(error).toBeInstanceOf(RecordValidationError)
    expect(error?.errorName).toBe('INVALID_RECORD')
    const message = 'Compacted topic cannot accept message without key in topic partition keys-only-0.'
    expect((error as RecordValidationError).recordErrors).toEqual([
      { batchIndex: 1, message },
      { batchIndex: 2, message },
    ])
    expect(error?.message).toBe(
      `One or more records have been rejected due to 2 record errors in total, and only showing the first three errors at most: [RecordError(batchIndex=1, message='${message}'), RecordError(batchIndex=2, message='${message}')]`,
    )
    expect(offsetsOf('keys-only').highWatermark).toBe(0)
    // The embedded producer's trusted path ('header' validation) is checked too.
    const [h] = broker.produce([{ topic: t, partition: 0, batch: batch([{ value: 'b' }]) }], 'commit', 'header')
    expect(h?.ok === false && h.error.errorName).toBe('INVALID_RECORD')
  })

  it('spreads a large round over many short calls that each make progress', () => {
    const t = create('sliced', compacted)
    produce(
      t,
      Array.from({ length: 300 }, (_, i) => batch(Array.from({ length: 10 }, (_, j) => ({ key: `k${j}`, value: `${i}-${j}` })))),
    )
    let calls = 0
    let removed = 0
    for (;;) {
      calls++
      const stats = broker.runLogCleaner({ maxDurationMs: 0 })
      removed += stats.recordsCompacted
      if (stats.done) break
    }
    expect(calls).toBeGreaterThan(3)
    // Batches 0–297 lose every record to batch 298; the last batch (299) is never compacted.
    expect(removed).toBe(2980)
    expect(records('sliced')).toHaveLength(20)
  })
})

describe('scheduling', () => {
  it('embedded writers run a pass after a commit once the shared interval has passed', async () => {
    broker.close()
    broker = open({ 'log.retention.check.interval.ms': '20' })
    const t = create('opportunistic', { 'retention.ms': String(HOUR) })
    // The first commit starts the schedule's clock; nothing is deleted yet.
    produce(t, [batch([{ value: 'old' }], { ts: Date.now() - 2 * HOUR })])
    expect(offsetsOf('opportunistic').logStartOffset).toBe(0)
    await new Promise((resolve) => setTimeout(resolve, 40))
    produce(t, [batch([{ value: 'new' }])])
    expect(offsetsOf('opportunistic').logStartOffset).toBe(1)
  })
})
