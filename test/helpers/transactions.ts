import type { Broker } from '../../src/broker/broker.js'
import { RecordBatchBuilder } from '../../src/protocol/record-batch-builder.js'

// A partition with transactional history, written through the broker core as a producer and the
// transaction coordinator would leave it: committed and aborted transactions interleaved, plain records,
// and one transaction left open at the end (which holds the last stable offset).

/** What read_committed must hand out (in order), what read_uncommitted must, and the partition's offsets. */
export const TXN_HISTORY = {
  committed: ['p0', 'c1', 'c2', 'p1'],
  uncommitted: ['p0', 'c1', 'c2', 'a1', 'a2', 'p1', 'open1', 'p2'],
  /** The open transaction's first offset. */
  lastStableOffset: 8,
  highWatermark: 10,
  /** The aborted transaction: producer 1 of the three, from offset 3, marker at 6. */
  abortedFirstOffset: 3,
} as const

function batch(values: readonly string[], txn?: { producerId: number; baseSequence: number }): Buffer {
  const b = new RecordBatchBuilder()
  for (const v of values) b.append(Date.now(), Buffer.from(`k-${v}`), Buffer.from(v))
  return txn === undefined ? b.build() : b.build({ producerId: txn.producerId, producerEpoch: 0, baseSequence: txn.baseSequence, isTransactional: true })
}

/**
 * Writes TXN_HISTORY into partition 0 of `topic` (created with one partition):
 *   0 p0 | 1-2 c1 c2 (P1) | 3 a1 (P2) | 4 COMMIT P1 | 5 a2 (P2) | 6 ABORT P2 | 7 p1 | 8 open1 (P3, open) | 9 p2
 * Returns the producer ids [P1, P2, P3].
 */
export function writeTxnHistory(broker: Broker, topic: string): number[] {
  const [created] = broker.createTopics([{ name: topic, numPartitions: 1, replicationFactor: -1, configs: new Map() }])
  if (!created?.ok) throw new Error(`cannot create ${topic}`)
  const row = broker.requireTopic(topic)
  const tp = [{ topic: row, partition: 0 }]
  const ids = [broker.initProducerId().producerId, broker.initProducerId().producerId, broker.initProducerId().producerId]
  const [p1, p2, p3] = ids as [number, number, number]
  const append = (b: Buffer) => {
    const [r] = broker.produce([{ topic: row, partition: 0, batch: b }], 'commit')
    if (!r?.ok) throw r?.error ?? new Error('no produce result')
  }
  const mark = (producerId: number, commit: boolean) => {
    const [r] = broker.writeTxnMarkers(tp, { producerId, producerEpoch: 0, commit, coordinatorEpoch: 0 }, 'commit')
    if (!r?.ok) throw r?.error ?? new Error('no marker result')
  }
  append(batch(['p0']))
  append(batch(['c1', 'c2'], { producerId: p1, baseSequence: 0 }))
  append(batch(['a1'], { producerId: p2, baseSequence: 0 }))
  mark(p1, true)
  append(batch(['a2'], { producerId: p2, baseSequence: 1 }))
  mark(p2, false)
  append(batch(['p1']))
  append(batch(['open1'], { producerId: p3, baseSequence: 0 }))
  append(batch(['p2']))
  return ids
}
