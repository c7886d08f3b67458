import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { Broker } from '../../../../src/broker/broker.js'
import { brokerConfigFrom, type BrokerConfig } from '../../../../src/broker/broker-config.js'
import { openBroker } from '../../../../src/broker/open-broker.js'
import { TransactionCoordinator } from '../../../../src/broker/transactions/coordinator.js'
import { RecordBatchBuilder } from '../../../../src/protocol/record-batch-builder.js'
import type { LogStore, TopicRow } from '../../../../src/storage/log-store.js'
import { openSqliteLogStore } from '../../../../src/storage/sqlite/sqlite-log-store.js'
import { tempDir } from '../../../helpers/cli.js'

// The transaction coordinator over a real store with a clock the test moves: epoch overflow to a new
// producer id (InitProducerId and TV2 EndTxn), the timeout, transactional.id.expiration.ms, the completion
// of a Prepare* state a crash left, and a second process sharing the state.

const MAX_EPOCH = 32767

let dir: string
let cleanup: () => void
let store: LogStore
let broker: Broker
let now: number
let topic: TopicRow

function coordinatorOver(s: LogStore, b: Broker, config: BrokerConfig): TransactionCoordinator {
  return new TransactionCoordinator(
    s,
    config,
    {
      writeMarkers: (partitions, marker, durability) => b.writeTxnMarkers(partitions, marker, durability),
      forgetPartitions: (partitions) => b.forgetPartitionState(partitions),
      groups: () => b.groups,
      transactionVersion: () => 2,
    },
    { clock: () => now },
  )
}

const config = brokerConfigFrom(new Map([['transactional.id.expiration.ms', '60000']]))
let tx: TransactionCoordinator

beforeEach(() => {
  ;({ dir, cleanup } = tempDir())
  openBroker({ dataDir: dir, initialize: 'auto' }).close()
  store = openSqliteLogStore(dir)
  broker = new Broker(store, config)
  now = Date.now() // a real time: the group coordinator judges offset retention by the wall clock
  tx = coordinatorOver(store, broker, config)
  expect(broker.createTopics([{ name: 't', numPartitions: 1, replicationFactor: -1, configs: new Map() }])[0]?.ok).toBe(true)
  topic = broker.requireTopic('t')
})
afterEach(() => {
  broker.close()
  cleanup()
})

function produceTxn(producerId: number, producerEpoch: number, value: string, baseSequence = 0): void {
  const b = new RecordBatchBuilder()
  b.append(now, null, Buffer.from(value))
  const [r] = broker.produce([{ topic, partition: 0, batch: b.build({ producerId, producerEpoch, baseSequence, isTransactional: true }) }], 'commit')
  if (!r?.ok) throw r?.error ?? new Error('no result')
}

function stable(): { highWatermark: number; lastStableOffset: number } {
  const r = broker.stableOffsets(topic, 0)
  if (!r.ok) throw r.error
  return r.value
}

/** Stores the id's row as it would be after many epochs (what only years of restarts would produce). */
function setEpoch(id: string, producerEpoch: number): void {
  const row = store.transactions.get(id)!
  store.atomically(() => store.transactions.put({ ...row, producerEpoch }))
}

describe('epoch overflow', () => {
  it('InitProducerId at an exhausted epoch hands out a new producer id at epoch 0; the old id and epoch still identify a retry', () => {
    const first = tx.initProducerId('ov', 60000, -1, -1)
    setEpoch('ov', MAX_EPOCH - 1)
    const rotated = tx.initProducerId('ov', 60000, first.producerId, MAX_EPOCH - 1)
    expect(rotated.error).toBeUndefined()
    expect(rotated.producerId).not.toBe(first.producerId)
    expect(rotated.producerEpoch).toBe(0)
    expect(store.transactions.get('ov')).toMatchObject({ previousProducerId: first.producerId, lastProducerEpoch: MAX_EPOCH - 1 })
  })

  it('TV2 EndTxn at an exhausted epoch writes the markers with the last epoch and answers a new producer id', () => {
    const { producerId } = tx.initProducerId('ov2', 60000, -1, -1)
    setEpoch('ov2', MAX_EPOCH - 1)
    expect(tx.verifyPartitions({ transactionalId: 'ov2', producerId, producerEpoch: MAX_EPOCH - 1 }, [{ topic, partition: 0 }], true)).toEqual({ partitions: [undefined] })
    produceTxn(producerId, MAX_EPOCH - 1, 'x')
    expect(stable().lastStableOffset).toBe(0)
    const end = tx.endTxn({ transactionalId: 'ov2', producerId, producerEpoch: MAX_EPOCH - 1, commit: true, transactionVersion: 2 })
    expect(end.error).toBeUndefined()
    expect(end.producerId).not.toBe(producerId)
    expect(end.producerEpoch).toBe(0)
    expect(stable()).toEqual(expect.objectContaining({ highWatermark: 2, lastStableOffset: 2 }))
    // A retry of that EndTxn (old id, old epoch) is recognised.
    expect(tx.endTxn({ transactionalId: 'ov2', producerId, producerEpoch: MAX_EPOCH - 1, commit: true, transactionVersion: 2 })).toMatchObject({
      producerId: end.producerId,
      producerEpoch: 0,
    })
  })
})

describe('timers', () => {
  it('an open transaction past its timeout is aborted by the timer, the epoch bumped, and the LSO released', () => {
    const { producerId, producerEpoch } = tx.initProducerId('slow', 1000, -1, -1)
    expect(tx.addPartitions({ transactionalId: 'slow', producerId, producerEpoch }, [{ topic, partition: 0 }], 0)).toBeUndefined()
    produceTxn(producerId, producerEpoch, 'x')
    now += 999
    expect(tx.abortTimedOut()).toEqual([])
    now += 1
    expect(tx.abortTimedOut()).toEqual(['slow'])
    expect(stable()).toEqual(expect.objectContaining({ highWatermark: 2, lastStableOffset: 2 }))
    expect(tx.describe('slow')).toMatchObject({ state: 'CompleteAbort', producerEpoch: producerEpoch + 1 })
    expect(tx.addPartitions({ transactionalId: 'slow', producerId, producerEpoch }, [{ topic, partition: 0 }], 0)?.errorName).toBe('PRODUCER_FENCED')
  })

  it('any request on an id settles its timeout first, as the timer would', () => {
    const { producerId, producerEpoch } = tx.initProducerId('lazy', 1000, -1, -1)
    tx.addPartitions({ transactionalId: 'lazy', producerId, producerEpoch }, [{ topic, partition: 0 }], 0)
    now += 5000
    expect(tx.endTxn({ transactionalId: 'lazy', producerId, producerEpoch, commit: true, transactionVersion: 0 }).error?.errorName).toBe('PRODUCER_FENCED')
    expect(tx.describe('lazy')).toMatchObject({ state: 'CompleteAbort' })
  })

  it('transactional.id.expiration.ms removes ids idle that long, never one with a transaction open', () => {
    const idle = tx.initProducerId('idle', 600000, -1, -1)
    const busy = tx.initProducerId('busy', 600000, -1, -1)
    tx.addPartitions({ transactionalId: 'busy', ...busy }, [{ topic, partition: 0 }], 0)
    now += 59_999
    expect(tx.expireTransactionalIds()).toEqual([])
    now += 1
    expect(tx.expireTransactionalIds()).toEqual(['idle'])
    expect(tx.describe('idle')).toMatchObject({ errorName: 'TRANSACTIONAL_ID_NOT_FOUND' })
    expect(tx.describe('busy')).toMatchObject({ state: 'Ongoing' })
    // The id starts afresh: a new producer id.
    expect(tx.initProducerId('idle', 60000, -1, -1).producerId).not.toBe(idle.producerId)
  })
})

describe('recovery', () => {
  it('a PrepareCommit left by a crash is completed at start-up: markers written, offsets committed', () => {
    const { producerId, producerEpoch } = tx.initProducerId('crash', 60000, -1, -1)
    tx.addPartitions({ transactionalId: 'crash', producerId, producerEpoch }, [{ topic, partition: 0 }], 0)
    tx.addOffsets({ transactionalId: 'crash', producerId, producerEpoch }, 'g')
    produceTxn(producerId, producerEpoch, 'x')
    tx.txnOffsetCommit(
      { transactionalId: 'crash', producerId, producerEpoch, groupId: 'g', generationId: -1, memberId: '', groupInstanceId: null, topics: [{ name: 't', partitions: [{ partition: 0, offset: 1, leaderEpoch: -1, metadata: null }] }] },
      3,
    )
    // What a coordinator that wrote PrepareCommit and died before its markers would leave.
    const row = store.transactions.get('crash')!
    store.atomically(() => store.transactions.put({ ...row, state: 'PrepareCommit' }))
    broker.close()

    store = openSqliteLogStore(dir)
    broker = new Broker(store, config)
    tx = coordinatorOver(store, broker, config)
    topic = broker.requireTopic('t')
    expect(tx.abortTimedOut()).toEqual(['crash'])
    expect(tx.describe('crash')).toMatchObject({ state: 'CompleteCommit', topics: [] })
    expect(stable()).toEqual(expect.objectContaining({ highWatermark: 2, lastStableOffset: 2 }))
    expect(broker.groups.fetchOffsets({ groupId: 'g', topics: [{ name: 't', partitions: [0] }] }).topics[0]?.partitions[0]?.offset).toBe(1)
  })

  it('another process on the same data directory sees and continues the same transaction', () => {
    const { producerId, producerEpoch } = tx.initProducerId('shared', 60000, -1, -1)
    tx.addPartitions({ transactionalId: 'shared', producerId, producerEpoch }, [{ topic, partition: 0 }], 0)
    produceTxn(producerId, producerEpoch, 'x')
    const otherStore = openSqliteLogStore(dir)
    const other = new Broker(otherStore, config)
    try {
      const otherTx = coordinatorOver(otherStore, other, config)
      expect(otherTx.describe('shared')).toMatchObject({ state: 'Ongoing', producerId, topics: [{ name: 't', partitions: [0] }] })
      expect(otherTx.endTxn({ transactionalId: 'shared', producerId, producerEpoch, commit: false, transactionVersion: 0 }).error).toBeUndefined()
    } finally {
      other.close()
    }
    expect(tx.describe('shared')).toMatchObject({ state: 'CompleteAbort' })
    expect(stable()).toEqual(expect.objectContaining({ highWatermark: 2, lastStableOffset: 2 }))
  })
})
