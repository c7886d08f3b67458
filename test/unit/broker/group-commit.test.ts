// The contract of the one group commit both front ends use (the server's Produce requests, the
// embedded producer's closed batches), against a real broker over a temp SQLite store: what is
// submitted together is written in one transaction, in arrival order, each submission told its own
// outcomes; the wait and the size bound decide when; flush() and Broker.close() write what is queued.

import { afterEach, beforeEach, expect, it } from 'vitest'

import type { Broker, Durability, ProduceEntry } from '../../../src/broker/broker.js'
import type { Outcome } from '../../../src/broker/kafka-error.js'
import { openBroker } from '../../../src/broker/open-broker.js'
import type { AppendResult } from '../../../src/broker/types.js'
import { forEachRecord } from '../../../src/protocol/batch-records.js'
import { RecordBatchBuilder } from '../../../src/protocol/record-batch-builder.js'
import type { TopicRow } from '../../../src/storage/log-store.js'
import { tempDir } from '../../helpers/cli.js'

let dir: string
let cleanup: () => void
let broker: Broker
let topic: TopicRow
/** Durability of each write transaction the broker ran for produce, in order. */
let commits: Durability[]

function open(): void {
  broker = openBroker({ dataDir: dir, initialize: 'auto' })
  const real = broker.produce.bind(broker)
  commits = []
  broker.produce = (entries, durability, validation) => {
    commits.push(durability)
    return real(entries, durability, validation)
  }
}

beforeEach(() => {
  ;({ dir, cleanup } = tempDir())
  open()
  const [created] = broker.createTopics([{ name: 'gc', numPartitions: 1, replicationFactor: -1, configs: new Map() }])
  expect(created?.ok).toBe(true)
  topic = broker.requireTopic('gc')
})
afterEach(() => {
  broker.close()
  cleanup()
})

function entry(...values: string[]): ProduceEntry {
  const b = new RecordBatchBuilder()
  values.forEach((v, i) => b.append(1_700_000_000_000 + i, null, Buffer.from(v)))
  return { topic, partition: 0, batch: b.build() }
}

function stored(): string[] {
  const row = broker.requireTopic('gc')
  const res = broker.read(row, 0, 0, 64 << 20)
  if (!res.ok) throw res.error
  const out: string[] = []
  for (const b of res.value.batches) forEachRecord(b, (r) => void out.push(r.value()?.toString() ?? 'null'))
  return out
}

/** The settle callback of a submission, and what it was told. */
function settled(): { settle: (results: Outcome<AppendResult>[] | undefined, error?: unknown) => void; results?: Outcome<AppendResult>[]; error?: unknown; calls: number } {
  const s: ReturnType<typeof settled> = {
    calls: 0,
    settle: (results, error) => {
      s.calls++
      if (results) s.results = results
      else s.error = error
    },
  }
  return s
}

const baseOffsets = (results: Outcome<AppendResult>[] | undefined) => results?.map((r) => (r.ok ? r.value.baseOffset : r.error.errorName))

it('writes submissions of one event-loop turn in one transaction, in arrival order, each told its own outcomes', async () => {
  const committer = broker.groupCommit({ maxBytes: Infinity, maxWaitMs: 0 })
  const answers = [
    committer.submitAsync([entry('a0', 'a1')], 'commit', 'full'),
    committer.submitAsync([entry('b0'), entry('c0', 'c1', 'c2')], 'commit', 'full'),
    committer.submitAsync([entry('d0')], 'commit', 'full'),
  ]
  expect(commits).toEqual([])
  const results = await Promise.all(answers)
  expect(results.map(baseOffsets)).toEqual([[0], [2, 3], [6]])
  expect(commits).toEqual(['commit'])
  expect(stored()).toEqual(['a0', 'a1', 'b0', 'c0', 'c1', 'c2', 'd0'])
})

it('splits the queue into one transaction per run of the same durability, keeping arrival order', async () => {
  const committer = broker.groupCommit({ maxBytes: Infinity, maxWaitMs: 0 })
  const plan: Durability[] = ['commit', 'fsync', 'fsync', 'commit', 'commit']
  const results = await Promise.all(plan.map((d, i) => committer.submitAsync([entry(`v${i}`)], d, 'full')))
  expect(results.map(baseOffsets)).toEqual([[0], [1], [2], [3], [4]])
  expect(commits).toEqual(['commit', 'fsync', 'commit'])
  expect(stored()).toEqual(['v0', 'v1', 'v2', 'v3', 'v4'])
})

it('commits before submit() returns once the queued bytes reach maxBytes', () => {
  const first = entry('x0')
  const committer = broker.groupCommit({ maxBytes: first.batch.length * 2, maxWaitMs: 60_000 })
  const a = settled()
  committer.submit([first], 'fsync', 'header', a.settle)
  expect(a.calls).toBe(0)
  const b = settled()
  committer.submit([entry('x1')], 'fsync', 'header', b.settle)
  expect([a.calls, b.calls]).toEqual([1, 1])
  expect([baseOffsets(a.results), baseOffsets(b.results)]).toEqual([[0], [1]])
  expect(commits).toEqual(['fsync'])
  expect(stored()).toEqual(['x0', 'x1'])
})

it('waits maxWaitMs from the first submission, gathering the ones that come meanwhile', async () => {
  const committer = broker.groupCommit({ maxBytes: Infinity, maxWaitMs: 50 })
  const started = performance.now()
  const first = committer.submitAsync([entry('w0')], 'commit', 'header')
  await new Promise((resolve) => setImmediate(resolve))
  const second = committer.submitAsync([entry('w1')], 'commit', 'header')
  const results = await Promise.all([first, second])
  expect(performance.now() - started).toBeGreaterThanOrEqual(49)
  expect(results.map(baseOffsets)).toEqual([[0], [1]])
  expect(commits).toEqual(['commit'])
})

it('flush() writes what is queued at once', () => {
  const committer = broker.groupCommit({ maxBytes: Infinity, maxWaitMs: 60_000 })
  const a = settled()
  committer.submit([entry('f0', 'f1')], 'fsync', 'full', a.settle)
  committer.flush()
  expect(a.calls).toBe(1)
  expect(baseOffsets(a.results)).toEqual([0])
  expect(stored()).toEqual(['f0', 'f1'])
  committer.flush()
  expect(commits).toEqual(['fsync'])
})

it('Broker.close() writes what any of its group commits holds, so a reopened store has it', () => {
  const committer = broker.groupCommit({ maxBytes: Infinity, maxWaitMs: 60_000 })
  const a = settled()
  committer.submit([entry('kept')], 'fsync', 'header', a.settle)
  broker.close()
  expect(a.calls).toBe(1)
  expect(baseOffsets(a.results)).toEqual([0])
  open()
  expect(stored()).toEqual(['kept'])
})

it('settles a run with what its write threw and still settles every other submission once', () => {
  const committer = broker.groupCommit({ maxBytes: Infinity, maxWaitMs: 60_000 })
  const ok = settled()
  committer.submit([entry('before')], 'commit', 'full', ok.settle)
  committer.flush()
  broker.close()
  // The store is closed now: the write throws instead of returning outcomes.
  const a = settled()
  const b = settled()
  committer.submit([entry('late0')], 'fsync', 'full', a.settle)
  committer.submit([entry('late1')], 'fsync', 'full', b.settle)
  committer.flush()
  expect([a.calls, b.calls]).toEqual([1, 1])
  expect(a.error).toBeInstanceOf(Error)
  expect(b.error).toBe(a.error)
  open()
  expect(stored()).toEqual(['before'])
})

it('a settle callback that throws does not keep the submissions after it from being written and told', () => {
  const committer = broker.groupCommit({ maxBytes: Infinity, maxWaitMs: 60_000 })
  const boom = new Error('callback bug')
  committer.submit([entry('t0')], 'commit', 'full', () => {
    throw boom
  })
  const after = settled()
  committer.submit([entry('t1')], 'fsync', 'full', after.settle)
  expect(() => committer.flush()).toThrow(boom)
  expect(baseOffsets(after.results)).toEqual([1])
  expect(stored()).toEqual(['t0', 't1'])
})
