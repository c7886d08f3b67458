import { join } from 'node:path'

import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { Broker } from '../../../src/broker/broker.js'
import { EMBEDDED_BROKER_CONFIG } from '../../../src/broker/broker-config.js'
import { openBroker } from '../../../src/broker/open-broker.js'
import { forEachRecord } from '../../../src/protocol/batch-records.js'
import { readBatchHeader } from '../../../src/protocol/record-batch.js'
import { RecordBatchBuilder } from '../../../src/protocol/record-batch-builder.js'
import { readTxnMarker } from '../../../src/protocol/txn-marker.js'
import type { TopicRow } from '../../../src/storage/log-store.js'
import { DB_FILE_NAME } from '../../../src/storage/sqlite/data-dir.js'
import { openSqliteLogStore } from '../../../src/storage/sqlite/sqlite-log-store.js'
import { tempDir } from '../../helpers/cli.js'

// The partition side of transactions against a real store: transactional batches open a transaction,
// markers close it, the last stable offset and the aborted-transaction index follow, and read_committed
// reads and ListOffsets see only what is decided.

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

function txnBatch(values: string[], producerId: number, baseSequence: number, opts: { producerEpoch?: number; transactional?: boolean } = {}): Buffer {
  const b = new RecordBatchBuilder()
  values.forEach((v, i) => b.append(Date.now() + i, null, Buffer.from(v)))
  return b.build({ producerId, producerEpoch: opts.producerEpoch ?? 0, baseSequence, isTransactional: opts.transactional ?? true })
}

function create(name: string, partitions = 1, configs: Record<string, string> = {}): TopicRow {
  const [o] = broker.createTopics([{ name, numPartitions: partitions, replicationFactor: -1, configs: new Map(Object.entries(configs)) }])
  expect(o?.ok).toBe(true)
  return broker.requireTopic(name)
}

function produce(topic: TopicRow, batch: Buffer, partition = 0) {
  const [r] = broker.produce([{ topic, partition, batch }], 'commit')
  if (!r?.ok) throw r?.error ?? new Error('no result')
  return r.value.baseOffset
}

function committedRead(b: Broker, topic: TopicRow, from = 0) {
  const r = b.read(topic, 0, from, 64 << 20, { isolation: 'read_committed' })
  if (!r.ok) throw r.error
  return {
    offsets: r.value.batches.map((x) => readBatchHeader(x).baseOffset),
    lastStableOffset: r.value.lastStableOffset,
    highWatermark: r.value.highWatermark,
    aborted: r.value.abortedTransactions,
  }
}

function latest(b: Broker, topic: TopicRow, isolation: 'read_committed' | 'read_uncommitted'): number {
  const r = b.listOffset(topic, 0, 'latest', isolation)
  if (!r.ok) throw r.error
  return r.value.offset
}

const marker = (producerId: number, commit: boolean, producerEpoch = 0) => ({ producerId, producerEpoch, commit, coordinatorEpoch: 3 })

describe('transactions in a partition', () => {
  it('two interleaved producers, one committed and one aborted: last stable offset, aborted index, read_committed reads and ListOffsets', () => {
    const t = create('txn')
    const p1 = broker.initProducerId().producerId
    const p2 = broker.initProducerId().producerId
    expect(produce(t, txnBatch(['a', 'b'], p1, 0))).toBe(0) // 0..1
    expect(produce(t, txnBatch(['x'], p2, 0))).toBe(2)
    expect(produce(t, txnBatch(['c'], p1, 2))).toBe(3)
    expect(produce(t, txnBatch(['y'], p2, 1))).toBe(4)

    expect(committedRead(broker, t)).toEqual({ offsets: [], lastStableOffset: 0, highWatermark: 5, aborted: [] })
    expect(latest(broker, t, 'read_committed')).toBe(0)
    expect(latest(broker, t, 'read_uncommitted')).toBe(5)
    const uncommitted = broker.read(t, 0, 0, 64 << 20)
    expect(uncommitted.ok && uncommitted.value.batches.length).toBe(4)
    expect(uncommitted.ok && uncommitted.value.lastStableOffset).toBe(0)
    expect(uncommitted.ok && uncommitted.value.abortedTransactions).toBeUndefined()

    expect(broker.writeTxnMarkers([{ topic: t, partition: 0 }], marker(p1, true), 'commit')).toEqual([{ ok: true, value: undefined }])
    // The commit marker is at 5; p2's transaction (from 2) still holds the last stable offset.
    expect(committedRead(broker, t)).toEqual({ offsets: [0], lastStableOffset: 2, highWatermark: 6, aborted: [] })
    expect(latest(broker, t, 'read_committed')).toBe(2)

    expect(broker.writeTxnMarkers([{ topic: t, partition: 0 }], marker(p2, false), 'commit')[0]?.ok).toBe(true)
    expect(committedRead(broker, t)).toEqual({ offsets: [0, 2, 3, 4, 5, 6], lastStableOffset: 7, highWatermark: 7, aborted: [{ producerId: p2, firstOffset: 2 }] })
    expect(latest(broker, t, 'read_committed')).toBe(7)
    // Only aborted transactions whose marker lies at or after the fetch offset are listed.
    expect(committedRead(broker, t, 7).aborted).toEqual([])
    expect(committedRead(broker, t, 6).aborted).toEqual([{ producerId: p2, firstOffset: 2 }])

    // The markers are control batches with the producer's id and epoch, decided COMMIT then ABORT.
    const all = broker.read(t, 0, 5, 1 << 20)
    if (!all.ok) throw all.error
    const markers = all.value.batches.map((b) => ({ header: readBatchHeader(b), marker: readTxnMarker(b) }))
    expect(markers.map((m) => [m.header.baseOffset, m.header.isControl, m.header.isTransactional, m.header.producerId, m.header.baseSequence])).toEqual([
      [5, true, true, p1, -1],
      [6, true, true, p2, -1],
    ])
    expect(markers.map((m) => m.marker)).toEqual([
      { commit: true, coordinatorEpoch: 3 },
      { commit: false, coordinatorEpoch: 3 },
    ])
  })

  it('keeps the open transactions, the aborted index and the producer epochs across a reopen', () => {
    const t = create('reopen')
    const p1 = broker.initProducerId().producerId
    const p2 = broker.initProducerId().producerId
    produce(t, txnBatch(['a'], p1, 0, { producerEpoch: 2 }))
    produce(t, txnBatch(['b'], p2, 0))
    broker.writeTxnMarkers([{ topic: t, partition: 0 }], marker(p1, false, 2), 'fsync')
    broker.close()

    broker = openBroker({ dataDir: dir, initialize: 'never' })
    const again = broker.requireTopic('reopen')
    expect(committedRead(broker, again)).toEqual({ offsets: [0], lastStableOffset: 1, highWatermark: 3, aborted: [{ producerId: p1, firstOffset: 0 }] })
    const open = broker.openTxns(again, 0)
    expect(open.ok && open.value).toEqual([{ producerId: p2, producerEpoch: 0, firstOffset: 1 }])
    // The producer state rebuilt from the log knows p1's epoch from its marker.
    const [older] = broker.produce([{ topic: again, partition: 0, batch: txnBatch(['late'], p1, 1, { producerEpoch: 1 }) }], 'commit')
    expect(older?.ok === false && older.error.errorName).toBe('INVALID_PRODUCER_EPOCH')
  })

  it('sees what another process wrote to the partition since it last looked: batches, markers, sequences', () => {
    const t = create('shared')
    const p = broker.initProducerId().producerId
    const other = openBroker({ dataDir: dir, initialize: 'never' })
    try {
      const there = other.requireTopic('shared')
      // The other process looks first (its producer state is built, empty), then this one writes.
      expect(other.activeProducers(there, 0)).toEqual({ ok: true, value: [] })
      produce(t, txnBatch(['a', 'b'], p, 0, { producerEpoch: 3 }))
      const seen = other.activeProducers(there, 0)
      expect(seen.ok && seen.value.map((x) => [x.producerEpoch, x.lastSequence, x.currentTxnStartOffset])).toEqual([[3, 1, 0]])
      // A retry of the same batch through the other process is the duplicate it is, not a second append.
      const [retry] = other.produce([{ topic: there, partition: 0, batch: txnBatch(['a', 'b'], p, 0, { producerEpoch: 3 }) }], 'commit')
      expect(retry?.ok && retry.value.baseOffset).toBe(0)
      // This process ends the transaction with a fencing epoch; the other one refuses the zombie's next batch.
      broker.writeTxnMarkers([{ topic: t, partition: 0 }], marker(p, false, 4), 'fsync')
      const after = other.activeProducers(there, 0)
      expect(after.ok && after.value.map((x) => [x.producerEpoch, x.currentTxnStartOffset])).toEqual([[4, -1]])
      const [zombie] = other.produce([{ topic: there, partition: 0, batch: txnBatch(['c'], p, 2, { producerEpoch: 3 }) }], 'commit')
      expect(zombie?.ok === false && zombie.error.errorName).toBe('INVALID_PRODUCER_EPOCH')
    } finally {
      other.close()
    }
  })

  it('refuses a marker from an older epoch, writes one for a producer without a transaction, and changes no state for it', () => {
    const t = create('epochs', 2)
    const p = broker.initProducerId().producerId
    produce(t, txnBatch(['a'], p, 0, { producerEpoch: 4 }))
    const results = broker.writeTxnMarkers(
      [
        { topic: t, partition: 0 },
        { topic: t, partition: 1 },
        { topic: t, partition: 7 },
      ],
      marker(p, true, 3),
      'commit',
    )
    expect(results.map((r) => (r.ok ? 'ok' : r.error.errorName))).toEqual(['INVALID_PRODUCER_EPOCH', 'ok', 'UNKNOWN_TOPIC_OR_PARTITION'])
    const stable = broker.stableOffsets(t, 0)
    expect(stable.ok && stable.value).toEqual({ logStartOffset: 0, highWatermark: 1, lastStableOffset: 0 })
    const other = broker.stableOffsets(t, 1)
    expect(other.ok && other.value).toEqual({ logStartOffset: 0, highWatermark: 1, lastStableOffset: 1 })
    // A data batch from an older epoch than a marker already written is fenced.
    broker.writeTxnMarkers([{ topic: t, partition: 0 }], marker(p, false, 5), 'commit')
    const [fenced] = broker.produce([{ topic: t, partition: 0, batch: txnBatch(['b'], p, 1, { producerEpoch: 4 }) }], 'commit')
    expect(fenced?.ok === false && fenced.error.errorName).toBe('INVALID_PRODUCER_EPOCH')
  })

  it('refuses a marker from an older coordinator epoch than the producer\'s last marker (TRANSACTION_COORDINATOR_FENCED), also after a reopen', () => {
    const t = create('zombie')
    const p = broker.initProducerId().producerId
    produce(t, txnBatch(['a'], p, 0))
    expect(broker.writeTxnMarkers([{ topic: t, partition: 0 }], { producerId: p, producerEpoch: 0, commit: true, coordinatorEpoch: 5 }, 'commit')[0]?.ok).toBe(true)
    broker.close()
    broker = openBroker({ dataDir: dir, initialize: 'never' })
    const again = broker.requireTopic('zombie')
    const [zombie] = broker.writeTxnMarkers([{ topic: again, partition: 0 }], { producerId: p, producerEpoch: 1, commit: false, coordinatorEpoch: 4 }, 'commit')
    expect(zombie?.ok === false && zombie.error.errorName).toBe('TRANSACTION_COORDINATOR_FENCED')
    const producers = broker.activeProducers(again, 0)
    expect(producers.ok && producers.value.map((x) => [x.producerId, x.coordinatorEpoch, x.currentTxnStartOffset])).toEqual([[p, 5, -1]])
  })

  it('joins an outer store transaction: markers roll back with it, and commit with it', () => {
    broker.close()
    const store = openSqliteLogStore(dir)
    broker = new Broker(store, EMBEDDED_BROKER_CONFIG)
    const t = create('outer')
    const p = broker.initProducerId().producerId
    produce(t, txnBatch(['a'], p, 0))
    const partitions = [{ topic: t, partition: 0 }]
    expect(() =>
      store.atomically(() => {
        expect(broker.writeTxnMarkers(partitions, marker(p, true), 'fsync')[0]?.ok).toBe(true)
        throw new Error('coordinator failed after the markers')
      }),
    ).toThrow('coordinator failed')
    broker.forgetPartitionState(partitions)
    let stable = broker.stableOffsets(t, 0)
    expect(stable.ok && stable.value).toEqual({ logStartOffset: 0, highWatermark: 1, lastStableOffset: 0 })
    store.atomically(() => {
      broker.writeTxnMarkers(partitions, marker(p, true), 'fsync')
    })
    stable = broker.stableOffsets(t, 0)
    expect(stable.ok && stable.value).toEqual({ logStartOffset: 0, highWatermark: 2, lastStableOffset: 2 })
  })

  it('refuses a non-transactional write from a producer with an open transaction (INVALID_TXN_STATE)', () => {
    const t = create('mixed')
    const p = broker.initProducerId().producerId
    produce(t, txnBatch(['a'], p, 0))
    const [plain] = broker.produce([{ topic: t, partition: 0, batch: txnBatch(['b'], p, 1, { transactional: false }) }], 'commit')
    expect(plain?.ok === false && plain.error.errorName).toBe('INVALID_TXN_STATE')
  })

  it('drops index rows below the log start and clamps open transactions to it (delete records), and drops them with the topic', () => {
    const t = create('trim')
    const p1 = broker.initProducerId().producerId
    const p2 = broker.initProducerId().producerId
    produce(t, txnBatch(['a'], p1, 0)) // 0
    broker.writeTxnMarkers([{ topic: t, partition: 0 }], marker(p1, false), 'commit') // 1
    produce(t, txnBatch(['b', 'c'], p2, 0)) // 2..3
    expect(committedRead(broker, t).aborted).toEqual([{ producerId: p1, firstOffset: 0 }])
    const [del] = broker.deleteRecords([{ topic: 'trim', partition: 0, offset: 3 }])
    expect(del?.ok).toBe(true)
    const stable = broker.stableOffsets(t, 0)
    expect(stable.ok && stable.value).toEqual({ logStartOffset: 3, highWatermark: 4, lastStableOffset: 3 })
    const open = broker.openTxns(t, 0)
    expect(open.ok && open.value).toEqual([{ producerId: p2, producerEpoch: 0, firstOffset: 3 }])
    const check = new Database(join(dir, DB_FILE_NAME), { readonly: true })
    try {
      const count = (table: string) => check.prepare<[], number>(`SELECT count(*) FROM ${table}`).pluck().get()
      expect(count('txn_aborted')).toBe(0)
      expect(broker.deleteTopics(['trim'])[0]?.ok).toBe(true)
      expect(count('txn_open')).toBe(0)
    } finally {
      check.close()
    }
  })
})

describe('retention of transactional data', () => {
  it('takes the aborted-transaction entries with the batches it deletes; an open transaction whose batches went starts at the log start', () => {
    const t = create('retained', 1, { 'retention.ms': '3600000' })
    const p1 = broker.initProducerId().producerId
    const p2 = broker.initProducerId().producerId
    produce(t, txnBatch(['a'], p1, 0)) // 0
    broker.writeTxnMarkers([{ topic: t, partition: 0 }], marker(p1, false), 'commit') // 1
    produce(t, txnBatch(['b'], p2, 0)) // 2, left open
    expect(committedRead(broker, t).aborted).toEqual([{ producerId: p1, firstOffset: 0 }])
    broker.runLogCleaner({ nowMs: Date.now() + 2 * 3_600_000 })
    const stable = broker.stableOffsets(t, 0)
    expect(stable.ok && stable.value).toEqual({ logStartOffset: 3, highWatermark: 3, lastStableOffset: 3 })
    const open = broker.openTxns(t, 0)
    expect(open.ok && open.value).toEqual([{ producerId: p2, producerEpoch: 0, firstOffset: 3 }])
    produce(t, txnBatch(['c'], p1, 1)) // 3, a new transaction of p1
    broker.writeTxnMarkers([{ topic: t, partition: 0 }], marker(p1, true), 'commit') // 4
    expect(committedRead(broker, t, 3)).toEqual({ offsets: [], lastStableOffset: 3, highWatermark: 5, aborted: [] })
  })
})

describe('records of a read_committed read', () => {
  it('returns whole batches only, never past the last stable offset', () => {
    const t = create('whole')
    const p = broker.initProducerId().producerId
    const plain = new RecordBatchBuilder()
    plain.append(Date.now(), null, Buffer.from('plain'))
    produce(t, plain.build())
    produce(t, txnBatch(['t1', 't2'], p, 0))
    const r = broker.read(t, 0, 0, 64 << 20, { isolation: 'read_committed' })
    if (!r.ok) throw r.error
    const values: string[] = []
    for (const b of r.value.batches) forEachRecord(b, (rec) => void values.push(rec.value()?.toString() ?? ''))
    expect(values).toEqual(['plain'])
  })
})

describe('compaction of transactional data', () => {
  const DAY = 86_400_000

  function keyed(key: string, value: string, txn?: { producerId: number; baseSequence: number }): Buffer {
    const b = new RecordBatchBuilder()
    b.append(Date.now(), Buffer.from(key), Buffer.from(value))
    return txn === undefined ? b.build() : b.build({ producerId: txn.producerId, producerEpoch: 0, baseSequence: txn.baseSequence, isTransactional: true })
  }

  /** [offset, 'marker' | value] of every stored batch's records, from offset 0. */
  function stored(t: TopicRow): [number, string][] {
    const r = broker.read(t, 0, 0, 64 << 20)
    if (!r.ok) throw r.error
    const out: [number, string][] = []
    for (const b of r.value.batches) {
      const h = readBatchHeader(b)
      if (h.isControl) out.push([h.baseOffset, 'marker'])
      else forEachRecord(b, (rec) => void out.push([rec.offset, rec.value()?.toString() ?? '']))
    }
    return out
  }

  it('removes aborted records, never lets them or open transactions shadow a key, and drops markers only once their transaction is gone and delete.retention.ms has passed', () => {
    const t = create('compact-txn', 1, { 'cleanup.policy': 'compact', 'min.cleanable.dirty.ratio': '0.01', 'delete.retention.ms': String(DAY) })
    const [p1, p2, p3] = [broker.initProducerId().producerId, broker.initProducerId().producerId, broker.initProducerId().producerId] as [number, number, number]
    const mark = (producerId: number, commit: boolean) => broker.writeTxnMarkers([{ topic: t, partition: 0 }], marker(producerId, commit), 'commit')
    produce(t, keyed('a', 'a1')) // 0
    produce(t, keyed('a', 'a-aborted', { producerId: p1, baseSequence: 0 })) // 1
    mark(p1, false) // 2
    produce(t, keyed('c', 'c0', { producerId: p2, baseSequence: 0 })) // 3
    mark(p2, true) // 4
    produce(t, keyed('d', 'd1', { producerId: p1, baseSequence: 1 })) // 5
    mark(p1, true) // 6
    produce(t, keyed('c', 'c2', { producerId: p2, baseSequence: 1 })) // 7
    mark(p2, true) // 8
    produce(t, keyed('a', 'a-open', { producerId: p3, baseSequence: 0 })) // 9, left open
    produce(t, keyed('z', 'z1')) // 10

    broker.runLogCleaner()
    // a1 stays: neither the aborted a nor the open one (beyond the LSO, never compacted) supersedes it.
    // c0 is superseded by c2; the aborted record is removed; every marker stays (its transaction's
    // batches were still there during the round).
    expect(stored(t)).toEqual([
      [0, 'a1'],
      [2, 'marker'],
      [4, 'marker'],
      [5, 'd1'],
      [6, 'marker'],
      [7, 'c2'],
      [8, 'marker'],
      [9, 'a-open'],
      [10, 'z1'],
    ])
    expect(committedRead(broker, t)).toEqual({ offsets: [0, 2, 4, 5, 6, 7, 8], lastStableOffset: 9, highWatermark: 11, aborted: [{ producerId: p1, firstOffset: 1 }] })

    mark(p3, true) // 11
    produce(t, keyed('y', 'y1')) // 12
    produce(t, keyed('w', 'w1')) // 13
    broker.runLogCleaner({ nowMs: Date.now() + 2 * DAY })
    // The markers whose transactions left no batch go, the ABORT with its index entry; a1 is superseded now.
    expect(stored(t)).toEqual([
      [5, 'd1'],
      [6, 'marker'],
      [7, 'c2'],
      [8, 'marker'],
      [9, 'a-open'],
      [10, 'z1'],
      [11, 'marker'],
      [12, 'y1'],
      [13, 'w1'],
    ])
    expect(committedRead(broker, t).aborted).toEqual([])
  })
})
