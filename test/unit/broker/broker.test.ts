import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import type { Broker } from '../../../src/broker/broker.js'
import { openBroker } from '../../../src/broker/open-broker.js'
import { forEachRecord } from '../../../src/protocol/batch-records.js'
import { readBatchHeader } from '../../../src/protocol/record-batch.js'
import { RecordBatchBuilder } from '../../../src/protocol/record-batch-builder.js'
import type { TopicRow } from '../../../src/storage/log-store.js'
import { openSqliteLogStore, SqliteLogStore } from '../../../src/storage/sqlite/sqlite-log-store.js'
import { tempDir } from '../../helpers/cli.js'

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

function batch(values: string[], opts: { producerId?: number; producerEpoch?: number; baseSequence?: number; ts?: number } = {}): Buffer {
  const b = new RecordBatchBuilder()
  values.forEach((v, i) => b.append((opts.ts ?? 1_700_000_000_000) + i, null, Buffer.from(v)))
  return b.build({
    ...(opts.producerId === undefined ? {} : { producerId: opts.producerId, producerEpoch: opts.producerEpoch ?? 0, baseSequence: opts.baseSequence ?? 0 }),
  })
}

function create(name: string, partitions = 1, configs: Record<string, string> = {}): TopicRow {
  const [o] = broker.createTopics([{ name, numPartitions: partitions, replicationFactor: -1, configs: new Map(Object.entries(configs)) }])
  expect(o?.ok).toBe(true)
  return broker.requireTopic(name)
}

function values(topic: TopicRow, partition = 0): string[] {
  const res = broker.read(topic, partition, 0, 64 << 20)
  if (!res.ok) throw res.error
  const out: string[] = []
  for (const b of res.value.batches) forEachRecord(b, (r) => void out.push(r.value()?.toString() ?? 'null'))
  return out
}

describe('topic lookups', () => {
  it('finds a topic by id from a cache that our own changes and other processes\' commits renew', async () => {
    const made = create('by-id')
    // The store wraps its methods when opened: spy first, then open the broker under test.
    const lists = vi.spyOn(SqliteLogStore.prototype, 'listTopics')
    const counted = openBroker({ dataDir: dir, initialize: 'never' })
    const other = openSqliteLogStore(dir)
    try {
      const id = Buffer.alloc(16, 7)
      for (let i = 0; i < 3; i++) expect(counted.findTopicByUuid(made.uuid)?.name).toBe('by-id')
      expect(counted.findTopicByUuid(id)).toBeUndefined()
      expect(lists).toHaveBeenCalledTimes(1)
      other.createTopic({ name: 'elsewhere', uuid: id, partitionCount: 1, configs: new Map() })
      await new Promise((resolve) => setImmediate(resolve))
      expect(counted.findTopicByUuid(id)?.name).toBe('elsewhere')
      expect(counted.deleteTopics(['by-id'])[0]?.ok).toBe(true)
      expect(counted.findTopicByUuid(made.uuid)).toBeUndefined()
    } finally {
      other.close()
      counted.close()
      lists.mockRestore()
    }
  })
})

describe('produce', () => {
  it('assigns contiguous offsets and patches them into the stored batches', () => {
    const t = create('p')
    const results = broker.produce(
      [
        { topic: t, partition: 0, batch: batch(['a', 'b']) },
        { topic: t, partition: 0, batch: batch(['c']) },
      ],
      'fsync',
    )
    expect(results.map((r) => (r.ok ? r.value.baseOffset : r.error.errorName))).toEqual([0, 2])
    const read = broker.read(t, 0, 1, 1 << 20)
    expect(read.ok && read.value.batches.map((b) => readBatchHeader(b).baseOffset)).toEqual([0, 2])
    expect(read.ok && read.value.highWatermark).toBe(3)
    expect(values(t)).toEqual(['a', 'b', 'c'])
  })

  it('answers per entry: a bad CRC or an unknown partition fails only that entry', () => {
    const t = create('q', 2)
    const corrupt = batch(['x'])
    corrupt.writeUInt8(corrupt.readUInt8(corrupt.length - 1) ^ 0xff, corrupt.length - 1)
    const results = broker.produce(
      [
        { topic: t, partition: 0, batch: corrupt },
        { topic: t, partition: 7, batch: batch(['y']) },
        { topic: t, partition: 1, batch: batch(['z']) },
      ],
      'commit',
    )
    expect(results.map((r) => (r.ok ? 'ok' : r.error.errorName))).toEqual(['CORRUPT_MESSAGE', 'UNKNOWN_TOPIC_OR_PARTITION', 'ok'])
    expect(values(t, 0)).toEqual([])
    expect(values(t, 1)).toEqual(['z'])
  })

  it('refuses a batch above max.message.bytes with MESSAGE_TOO_LARGE', () => {
    const t = create('small', 1, { 'max.message.bytes': '200' })
    const [r] = broker.produce([{ topic: t, partition: 0, batch: batch(['x'.repeat(300)]) }], 'commit')
    expect(r?.ok).toBe(false)
    expect(!r?.ok && r?.error.errorName).toBe('MESSAGE_TOO_LARGE')
  })

  it('stamps LogAppendTime topics with the broker clock', () => {
    const t = create('lat', 1, { 'message.timestamp.type': 'LogAppendTime' })
    const before = Date.now()
    const [r] = broker.produce([{ topic: t, partition: 0, batch: batch(['v'], { ts: 1000 }) }], 'commit')
    expect(r?.ok && r.value.logAppendTimeMs).toBeGreaterThanOrEqual(before)
    const read = broker.read(t, 0, 0, 1 << 20)
    const stored = read.ok ? read.value.batches[0] : undefined
    const h = readBatchHeader(stored!)
    expect(h.timestampType).toBe('LogAppendTime')
    expect(h.maxTimestamp).toBeGreaterThanOrEqual(before)
  })
})

describe('idempotent produce', () => {
  it('drops a retried batch and answers with its original offset', () => {
    const t = create('idem')
    const { producerId } = broker.initProducerId()
    const first = broker.produce([{ topic: t, partition: 0, batch: batch(['a', 'b'], { producerId, baseSequence: 0 }) }], 'fsync')
    const retry = broker.produce([{ topic: t, partition: 0, batch: batch(['a', 'b'], { producerId, baseSequence: 0 }) }], 'fsync')
    const next = broker.produce([{ topic: t, partition: 0, batch: batch(['c'], { producerId, baseSequence: 2 }) }], 'fsync')
    expect([first, retry, next].map(([r]) => (r?.ok ? r.value.baseOffset : r?.error.errorName))).toEqual([0, 0, 2])
    expect(values(t)).toEqual(['a', 'b', 'c'])
  })

  it('refuses a sequence gap with OUT_OF_ORDER_SEQUENCE_NUMBER and an old epoch with INVALID_PRODUCER_EPOCH', () => {
    const t = create('gap')
    const { producerId } = broker.initProducerId()
    broker.produce([{ topic: t, partition: 0, batch: batch(['a'], { producerId, producerEpoch: 1, baseSequence: 0 }) }], 'fsync')
    const [gap] = broker.produce([{ topic: t, partition: 0, batch: batch(['c'], { producerId, producerEpoch: 1, baseSequence: 5 }) }], 'fsync')
    expect(!gap?.ok && gap?.error.errorName).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER')
    const [old] = broker.produce([{ topic: t, partition: 0, batch: batch(['d'], { producerId, producerEpoch: 0, baseSequence: 1 }) }], 'fsync')
    expect(!old?.ok && old?.error.errorName).toBe('INVALID_PRODUCER_EPOCH')
    expect(values(t)).toEqual(['a'])
  })

  it('remembers sequences across a restart (state rebuilt from the log)', () => {
    const t = create('restart')
    const { producerId } = broker.initProducerId()
    broker.produce([{ topic: t, partition: 0, batch: batch(['a'], { producerId, baseSequence: 0 }) }], 'fsync')
    broker.close()
    broker = openBroker({ dataDir: dir, initialize: 'never' })
    const t2 = broker.requireTopic('restart')
    const [dup] = broker.produce([{ topic: t2, partition: 0, batch: batch(['a'], { producerId, baseSequence: 0 }) }], 'fsync')
    expect(dup?.ok && dup.value.baseOffset).toBe(0)
    expect(values(t2)).toEqual(['a'])
    expect(broker.initProducerId().producerId).not.toBe(producerId)
  })
})

describe('delete records and offsets', () => {
  it('moves the log start offset and refuses offsets beyond the high watermark', () => {
    const t = create('dr')
    for (let i = 0; i < 5; i++) broker.produce([{ topic: t, partition: 0, batch: batch([`v${i}`]) }], 'commit')
    const [moved, tooFar, unknown] = broker.deleteRecords([
      { topic: 'dr', partition: 0, offset: 3 },
      { topic: 'dr', partition: 0, offset: 9 },
      { topic: 'dr', partition: 4, offset: 0 },
    ])
    expect(moved?.ok && moved.value).toBe(3)
    expect(!tooFar?.ok && tooFar?.error.message).toBe('Cannot increment the log start offset to 9 of partition dr-0 since it is larger than the high watermark 5')
    expect(!unknown?.ok && unknown?.error.errorName).toBe('UNKNOWN_TOPIC_OR_PARTITION')
    const below = broker.read(t, 0, 1, 1 << 20)
    expect(!below.ok && below.error.errorName).toBe('OFFSET_OUT_OF_RANGE')
    expect(broker.listOffset(t, 0, 'earliest')).toEqual({ ok: true, value: { offset: 3, timestamp: -1 } })
    const [all] = broker.deleteRecords([{ topic: 'dr', partition: 0, offset: -1 }])
    expect(all?.ok && all.value).toBe(5)
  })

  it('refuses DeleteRecords on a compacted topic', () => {
    create('compacted', 1, { 'cleanup.policy': 'compact' })
    const [r] = broker.deleteRecords([{ topic: 'compacted', partition: 0, offset: 0 }])
    expect(!r?.ok && r?.error.errorName).toBe('POLICY_VIOLATION')
  })

  it('finds offsets by timestamp', () => {
    const t = create('ts')
    broker.produce([{ topic: t, partition: 0, batch: batch(['a', 'b', 'c'], { ts: 1000 }) }], 'commit')
    broker.produce([{ topic: t, partition: 0, batch: batch(['d'], { ts: 5000 }) }], 'commit')
    expect(broker.listOffset(t, 0, 1001)).toEqual({ ok: true, value: { offset: 1, timestamp: 1001 } })
    expect(broker.listOffset(t, 0, 3000)).toEqual({ ok: true, value: { offset: 3, timestamp: 5000 } })
    expect(broker.listOffset(t, 0, 9000)).toEqual({ ok: true, value: { offset: -1, timestamp: -1 } })
    expect(broker.listOffset(t, 0, 'max-timestamp')).toEqual({ ok: true, value: { offset: 3, timestamp: 5000 } })
    expect(broker.listOffset(t, 0, 'latest')).toEqual({ ok: true, value: { offset: 4, timestamp: -1 } })
  })
})

describe('topic configs', () => {
  it('replaces, increments and validates overrides', () => {
    create('cfg', 1, { 'retention.ms': '1000' })
    expect(broker.replaceTopicConfigs('cfg', new Map([['segment.bytes', '1048576']])).ok).toBe(true)
    let topic = broker.requireTopic('cfg')
    expect([...topic.configs]).toEqual([['segment.bytes', '1048576']])
    const inc = broker.incrementalAlterTopicConfigs('cfg', [
      { name: 'cleanup.policy', op: 'APPEND', value: 'compact' },
      { name: 'segment.bytes', op: 'DELETE', value: null },
    ])
    expect(inc.ok).toBe(true)
    topic = broker.requireTopic('cfg')
    expect(Object.fromEntries(topic.configs)).toEqual({ 'cleanup.policy': 'delete,compact' })
    const bad = broker.incrementalAlterTopicConfigs('cfg', [{ name: 'retention.ms', op: 'SET', value: 'forever' }])
    expect(!bad.ok && bad.error.errorName).toBe('INVALID_CONFIG')
    const notList = broker.incrementalAlterTopicConfigs('cfg', [{ name: 'retention.ms', op: 'APPEND', value: '1' }])
    expect(!notList.ok && notList.error.message).toBe('Config value append is not allowed for config key: retention.ms')
    const described = broker.describeTopicConfigs('cfg', ['cleanup.policy', 'retention.ms'])
    expect(described.ok && described.value.map((c) => [c.name, c.value, c.source])).toEqual([
      ['cleanup.policy', 'delete,compact', 'TOPIC_CONFIG'],
      ['retention.ms', '604800000', 'DEFAULT_CONFIG'],
    ])
  })
})

describe('fetch', () => {
  it('honours partition and request byte limits, but always returns the first batch', async () => {
    const t = create('f', 2)
    for (let i = 0; i < 4; i++) broker.produce([{ topic: t, partition: 0, batch: batch(['x'.repeat(1000)]) }], 'commit')
    broker.produce([{ topic: t, partition: 1, batch: batch(['y'.repeat(1000)]) }], 'commit')
    const size = batch(['x'.repeat(1000)]).length
    const [p0, p1] = await broker.fetch({
      partitions: [
        { topic: t, partition: 0, fetchOffset: 0, partitionMaxBytes: 2 * size },
        { topic: t, partition: 1, fetchOffset: 0, partitionMaxBytes: 10 },
      ],
      maxBytes: 1 << 20,
      minBytes: 1,
      maxWaitMs: 0,
    })
    expect(p0?.ok && p0.value.batches.length).toBe(2)
    expect(p1?.ok && p1.value.batches.length).toBe(0)
    const [tiny] = await broker.fetch({ partitions: [{ topic: t, partition: 0, fetchOffset: 0, partitionMaxBytes: 10 }], maxBytes: 10, minBytes: 1, maxWaitMs: 0 })
    expect(tiny?.ok && tiny.value.batches.length).toBe(1)
  })

  it('long-polls until an append arrives', async () => {
    const t = create('wait')
    const pending = broker.fetch({ partitions: [{ topic: t, partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }], maxBytes: 1 << 20, minBytes: 1, maxWaitMs: 10_000 })
    setTimeout(() => broker.produce([{ topic: t, partition: 0, batch: batch(['late']) }], 'commit'), 50)
    const [r] = await pending
    expect(r?.ok && r.value.batches.length).toBe(1)
  })

  it('a caught-up long poll waits without reading the store again, and returns the append that wakes it', async () => {
    const t = create('tail')
    broker.produce([{ topic: t, partition: 0, batch: batch(['first']) }], 'commit')
    const spec = (fetchOffset: number, maxWaitMs: number) => ({
      partitions: [{ topic: t, partition: 0, fetchOffset, partitionMaxBytes: 1 << 20 }],
      maxBytes: 1 << 20,
      minBytes: 1,
      maxWaitMs,
    })
    const [first] = await broker.fetch(spec(0, 0))
    expect(first?.ok && first.value.highWatermark).toBe(1)
    const reads = vi.spyOn(broker, 'read')
    const pending = broker.fetch(spec(1, 600_000))
    await new Promise((resolve) => setImmediate(resolve))
    expect(reads).not.toHaveBeenCalled()
    broker.produce([{ topic: t, partition: 0, batch: batch(['second']) }], 'commit')
    const [r] = await pending
    expect(reads).toHaveBeenCalledTimes(1)
    expect(r?.ok && r.value.batches.length).toBe(1)
    expect(r?.ok && r.value.highWatermark).toBe(2)
  })

  it('a caught-up long poll returns what another process appends', async () => {
    const t = create('shared')
    const [first] = await broker.fetch({ partitions: [{ topic: t, partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }], maxBytes: 1 << 20, minBytes: 1, maxWaitMs: 0 })
    expect(first?.ok && first.value.highWatermark).toBe(0)
    const other = openBroker({ dataDir: dir, initialize: 'never' })
    try {
      // A wait far beyond the test's timeout: only the append can end it.
      const pending = broker.fetch({ partitions: [{ topic: t, partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }], maxBytes: 1 << 20, minBytes: 1, maxWaitMs: 600_000 })
      await new Promise((resolve) => setImmediate(resolve))
      other.produce([{ topic: other.requireTopic('shared'), partition: 0, batch: batch(['from elsewhere']) }], 'commit')
      const [r] = await pending
      expect(r?.ok && r.value.batches.length).toBe(1)
    } finally {
      other.close()
    }
  })

  it('a caught-up long poll reads the store\'s change counter once per turn, not once per check', async () => {
    create('counted')
    // The store wraps its methods when opened: spy first, then open the broker under test.
    const counter = vi.spyOn(SqliteLogStore.prototype, 'externalChangeCounter')
    const counted = openBroker({ dataDir: dir, initialize: 'never' })
    try {
      const t = counted.requireTopic('counted')
      counted.produce([{ topic: t, partition: 0, batch: batch(['first']) }], 'commit')
      const spec = (fetchOffset: number, maxWaitMs: number) => ({
        partitions: [{ topic: t, partition: 0, fetchOffset, partitionMaxBytes: 1 << 20 }],
        maxBytes: 1 << 20,
        minBytes: 1,
        maxWaitMs,
      })
      await counted.fetch(spec(0, 0))
      await new Promise((resolve) => setImmediate(resolve))
      counter.mockClear()
      // The caught-up check and the start of the wait's poller share one reading.
      const pending = counted.fetch(spec(1, 600_000))
      expect(counter).toHaveBeenCalledTimes(1)
      counted.produce([{ topic: t, partition: 0, batch: batch(['second']) }], 'commit')
      const [r] = await pending
      expect(r?.ok && r.value.batches.length).toBe(1)
      expect(counter).toHaveBeenCalledTimes(1)
    } finally {
      counted.close()
      counter.mockRestore()
    }
  })

  it('a caught-up long poll returns what another process appends right after this process read the end', async () => {
    const t = create('race')
    const other = openBroker({ dataDir: dir, initialize: 'never' })
    try {
      const spec = (maxWaitMs: number) => ({ partitions: [{ topic: t, partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }], maxBytes: 1 << 20, minBytes: 1, maxWaitMs })
      const [first] = await broker.fetch(spec(0))
      expect(first?.ok && first.value.highWatermark).toBe(0)
      // In the same turn as that read: this turn's reading of the counter predates the commit.
      other.produce([{ topic: other.requireTopic('race'), partition: 0, batch: batch(['from elsewhere']) }], 'commit')
      const [r] = await broker.fetch(spec(600_000))
      expect(r?.ok && r.value.batches.length).toBe(1)
    } finally {
      other.close()
    }
  })

  it('a Fetch of many partitions reads only those that may have new records, and sees a moved log start', async () => {
    const t = create('many', 3)
    for (const partition of [0, 1, 2]) broker.produce([{ topic: t, partition, batch: batch(['a', 'b']) }], 'commit')
    const spec = (offsets: number[]) => ({
      partitions: offsets.map((fetchOffset, partition) => ({ topic: t, partition, fetchOffset, partitionMaxBytes: 1 << 20 })),
      maxBytes: 1 << 20,
      minBytes: 1,
      maxWaitMs: 0,
    })
    await broker.fetch(spec([0, 0, 0]))
    const reads = vi.spyOn(broker, 'read')
    broker.produce([{ topic: t, partition: 1, batch: batch(['c']) }], 'commit')
    const answer = await broker.fetch(spec([2, 2, 2]))
    expect(reads.mock.calls.map((call) => call[1])).toEqual([1])
    const offsets = (rs: typeof answer) => rs.map((r) => r.ok && [r.value.batches.length, r.value.logStartOffset, r.value.highWatermark])
    expect(offsets(answer)).toEqual([
      [0, 0, 2],
      [1, 0, 3],
      [0, 0, 2],
    ])
    expect(broker.deleteRecords([{ topic: 'many', partition: 0, offset: 1 }])[0]?.ok).toBe(true)
    expect(offsets(await broker.fetch(spec([2, 3, 2])))).toEqual([
      [0, 1, 2],
      [0, 0, 3],
      [0, 0, 2],
    ])
  })

  it('a caught-up partition\'s answer carries the log start offset that retention moved', async () => {
    const t = create('aged', 1, { 'retention.ms': '60000' })
    for (const ts of [1_700_000_000_000, 1_700_000_000_000, Date.now()]) broker.produce([{ topic: t, partition: 0, batch: batch(['v'], { ts }) }], 'commit')
    const spec = { partitions: [{ topic: t, partition: 0, fetchOffset: 3, partitionMaxBytes: 1 << 20 }], maxBytes: 1 << 20, minBytes: 1, maxWaitMs: 0 }
    const [before] = await broker.fetch(spec)
    expect(before?.ok && before.value.logStartOffset).toBe(0)
    expect(broker.runLogCleaner().batchesDeleted).toBe(2)
    const [after] = await broker.fetch(spec)
    expect(after?.ok && [after.value.logStartOffset, after.value.highWatermark]).toEqual([2, 3])
  })

  it('answers OFFSET_OUT_OF_RANGE beyond the log end and UNKNOWN_TOPIC_OR_PARTITION for unknown topics', async () => {
    const t = create('oor')
    const [beyond, unknown] = await broker.fetch({
      partitions: [
        { topic: t, partition: 0, fetchOffset: 5, partitionMaxBytes: 1000 },
        { topic: undefined, partition: 0, fetchOffset: 0, partitionMaxBytes: 1000 },
      ],
      maxBytes: 1 << 20,
      minBytes: 1,
      maxWaitMs: 5000,
    })
    expect(!beyond?.ok && beyond?.error.errorName).toBe('OFFSET_OUT_OF_RANGE')
    expect(!unknown?.ok && unknown?.error.errorName).toBe('UNKNOWN_TOPIC_OR_PARTITION')
  })
})
