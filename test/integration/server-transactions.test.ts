import { afterEach, describe, expect, it, vi } from 'vitest'

import { ApiKey } from '../../src/protocol/api-keys.js'
import { decodeAddOffsetsToTxnResponse, encodeAddOffsetsToTxnRequest, type AddOffsetsToTxnRequestInput } from '../../src/protocol/messages/add-offsets-to-txn.js'
import {
  decodeAddPartitionsToTxnResponse,
  encodeAddPartitionsToTxnRequest,
  type AddPartitionsToTxnRequestInput,
} from '../../src/protocol/messages/add-partitions-to-txn.js'
import { decodeDescribeTransactionsResponse, encodeDescribeTransactionsRequest } from '../../src/protocol/messages/describe-transactions.js'
import { decodeEndTxnResponse, encodeEndTxnRequest, type EndTxnRequestInput } from '../../src/protocol/messages/end-txn.js'
import { decodeInitProducerIdResponse, encodeInitProducerIdRequest, type InitProducerIdRequestInput } from '../../src/protocol/messages/init-producer-id.js'
import { decodeListTransactionsResponse, encodeListTransactionsRequest, type ListTransactionsRequestInput } from '../../src/protocol/messages/list-transactions.js'
import { decodeProduceResponse, encodeProduceRequest } from '../../src/protocol/messages/produce.js'
import { decodeTxnOffsetCommitResponse, encodeTxnOffsetCommitRequest, type TxnOffsetCommitRequestInput } from '../../src/protocol/messages/txn-offset-commit.js'
import { RecordBatchBuilder } from '../../src/protocol/record-batch-builder.js'
import { RawConnection } from '../helpers/raw-client.js'
import { startTestServer, type TestServer } from '../helpers/server.js'

// The transaction coordinator through a real server and the project's own codec over a raw socket: the state
// machine of Kafka's TransactionCoordinator (cli-4.md C.1.2), its error codes for bad input — each leaving the
// state as it was — and the produce-side check of transactional batches (KIP-890).

const UNKNOWN_TOPIC_OR_PARTITION = 3
const INVALID_REQUEST = 42
const INVALID_PRODUCER_EPOCH = 47
const INVALID_TXN_STATE = 48
const INVALID_PRODUCER_ID_MAPPING = 49
const INVALID_TRANSACTION_TIMEOUT = 50
const CONCURRENT_TRANSACTIONS = 51
const OPERATION_NOT_ATTEMPTED = 55
const PRODUCER_FENCED = 90
const TRANSACTIONAL_ID_NOT_FOUND = 105
const TRANSACTION_ABORTABLE = 120

let server: TestServer | undefined
let conn: RawConnection | undefined

afterEach(async () => {
  conn?.close()
  conn = undefined
  await server?.stop()
  server = undefined
})

async function start(props: Record<string, string> = {}): Promise<{ s: TestServer; c: RawConnection }> {
  server = await startTestServer({ props })
  const created = server.broker.createTopics([{ name: 'out', numPartitions: 2, replicationFactor: -1, configs: new Map() }])
  expect(created.every((c) => c.ok)).toBe(true)
  conn = await RawConnection.open(server.port)
  return { s: server, c: conn }
}

const init = (c: RawConnection, req: InitProducerIdRequestInput, version = 4) =>
  c.request(ApiKey.InitProducerId, version, (w, v) => encodeInitProducerIdRequest(w, v, req), decodeInitProducerIdResponse)
const addPartitions = (c: RawConnection, req: AddPartitionsToTxnRequestInput, version = 3) =>
  c.request(ApiKey.AddPartitionsToTxn, version, (w, v) => encodeAddPartitionsToTxnRequest(w, v, req), decodeAddPartitionsToTxnResponse)
const addOffsets = (c: RawConnection, req: AddOffsetsToTxnRequestInput, version = 3) =>
  c.request(ApiKey.AddOffsetsToTxn, version, (w, v) => encodeAddOffsetsToTxnRequest(w, v, req), decodeAddOffsetsToTxnResponse)
const endTxn = (c: RawConnection, req: EndTxnRequestInput, version = 3) =>
  c.request(ApiKey.EndTxn, version, (w, v) => encodeEndTxnRequest(w, v, req), decodeEndTxnResponse)
const txnOffsetCommit = (c: RawConnection, req: TxnOffsetCommitRequestInput, version = 3) =>
  c.request(ApiKey.TxnOffsetCommit, version, (w, v) => encodeTxnOffsetCommitRequest(w, v, req), decodeTxnOffsetCommitResponse)
const describeTxn = async (c: RawConnection, id: string) => {
  const res = await c.request(ApiKey.DescribeTransactions, 0, (w, v) => encodeDescribeTransactionsRequest(w, v, { transactionalIds: [id] }), decodeDescribeTransactionsResponse)
  return res.transactionStates[0]!
}
const listTxns = (c: RawConnection, req: ListTransactionsRequestInput, version = 2) =>
  c.request(ApiKey.ListTransactions, version, (w, v) => encodeListTransactionsRequest(w, v, req), decodeListTransactionsResponse)

/** The per-partition error codes of an AddPartitionsToTxn v0-v3 answer, as "topic-partition=code". */
function partitionCodes(res: Awaited<ReturnType<typeof addPartitions>>): string[] {
  return res.resultsByTopicV3AndBelow.flatMap((t) => t.resultsByPartition.map((p) => `${t.name}-${p.partitionIndex}=${p.partitionErrorCode}`))
}

/** Produces one transactional batch of `values` to out-<partition>; returns the partition's error code. */
async function produceTxn(c: RawConnection, txn: { id: string; producerId: number; epoch: number; sequence: number }, partition: number, values: string[], version = 9) {
  const builder = new RecordBatchBuilder()
  for (const v of values) builder.append(Date.now(), null, Buffer.from(v))
  const records = builder.build({ producerId: txn.producerId, producerEpoch: txn.epoch, baseSequence: txn.sequence, isTransactional: true })
  const res = await c.request(
    ApiKey.Produce,
    version,
    (w, v) => encodeProduceRequest(w, v, { transactionalId: txn.id, acks: -1, timeoutMs: 5000, topicData: [{ name: 'out', partitionData: [{ index: partition, records }] }] }),
    decodeProduceResponse,
  )
  return res.responses[0]!.partitionResponses[0]!.errorCode
}

/** A producer registered for `id` with an open transaction over out-0 (after InitProducerId and AddPartitionsToTxn). */
async function openTransaction(c: RawConnection, id: string) {
  const { producerId, producerEpoch } = await init(c, { transactionalId: id, transactionTimeoutMs: 60000 })
  const producer = { v3AndBelowTransactionalId: id, v3AndBelowProducerId: producerId, v3AndBelowProducerEpoch: producerEpoch }
  expect(partitionCodes(await addPartitions(c, { ...producer, v3AndBelowTopics: [{ name: 'out', partitions: [0] }] }))).toEqual(['out-0=0'])
  return { producerId, producerEpoch }
}

describe('InitProducerId with a transactional id', () => {
  it('refuses an empty id, and a timeout of 0 or above transaction.max.timeout.ms, creating nothing', async () => {
    const { c } = await start({ 'transaction.max.timeout.ms': '5000' })
    expect(await init(c, { transactionalId: '', transactionTimeoutMs: 1000 })).toMatchObject({ errorCode: INVALID_REQUEST, producerId: -1, producerEpoch: -1 })
    expect(await init(c, { transactionalId: 'tx', transactionTimeoutMs: 5001 })).toMatchObject({ errorCode: INVALID_TRANSACTION_TIMEOUT, producerId: -1 })
    expect(await init(c, { transactionalId: 'tx', transactionTimeoutMs: 0 })).toMatchObject({ errorCode: INVALID_TRANSACTION_TIMEOUT, producerId: -1 })
    expect((await describeTxn(c, 'tx')).errorCode).toBe(TRANSACTIONAL_ID_NOT_FOUND)
    expect(await init(c, { transactionalId: 'tx', transactionTimeoutMs: 5000 })).toMatchObject({ errorCode: 0, producerEpoch: 0 })
  })

  it('fences the older producer: its open transaction is aborted, the caller retries after CONCURRENT_TRANSACTIONS', async () => {
    const { c } = await start()
    const first = await openTransaction(c, 'zombie')
    expect(await init(c, { transactionalId: 'zombie', transactionTimeoutMs: 60000 })).toMatchObject({ errorCode: CONCURRENT_TRANSACTIONS })
    expect(await describeTxn(c, 'zombie')).toMatchObject({ transactionState: 'CompleteAbort', producerId: first.producerId, producerEpoch: 1, topics: [] })
    const second = await init(c, { transactionalId: 'zombie', transactionTimeoutMs: 60000 })
    expect(second).toMatchObject({ errorCode: 0, producerId: first.producerId, producerEpoch: 2 })
    // The zombie's next request is fenced (INVALID_PRODUCER_EPOCH for clients older than PRODUCER_FENCED).
    const zombie = { v3AndBelowTransactionalId: 'zombie', v3AndBelowProducerId: first.producerId, v3AndBelowProducerEpoch: 0, v3AndBelowTopics: [{ name: 'out', partitions: [1] }] }
    expect(partitionCodes(await addPartitions(c, zombie))).toEqual([`out-1=${PRODUCER_FENCED}`])
    expect(partitionCodes(await addPartitions(c, zombie, 1))).toEqual([`out-1=${INVALID_PRODUCER_EPOCH}`])
    expect(await endTxn(c, { transactionalId: 'zombie', producerId: first.producerId, producerEpoch: 0, committed: true })).toMatchObject({ errorCode: PRODUCER_FENCED })
    expect((await describeTxn(c, 'zombie')).transactionState).toBe('Empty')
  })

  it('v3+: a restarting producer naming another producer id is fenced; naming its own gets the next epoch', async () => {
    const { c } = await start()
    const { producerId } = await init(c, { transactionalId: 'restart', transactionTimeoutMs: 60000 })
    expect(await init(c, { transactionalId: 'restart', transactionTimeoutMs: 60000, producerId: producerId + 100, producerEpoch: 0 })).toMatchObject({ errorCode: PRODUCER_FENCED })
    expect(await init(c, { transactionalId: 'restart', transactionTimeoutMs: 60000, producerId: producerId + 100, producerEpoch: 0 }, 3)).toMatchObject({
      errorCode: INVALID_PRODUCER_EPOCH,
    })
    expect(await init(c, { transactionalId: 'restart', transactionTimeoutMs: 60000, producerId, producerEpoch: 0 })).toMatchObject({ errorCode: 0, producerId, producerEpoch: 1 })
  })
})

describe('a transaction over the wire', () => {
  it('commits: transactional offsets become the group offsets only at commit; a retried EndTxn is answered NONE', async () => {
    const { s, c } = await start()
    const { producerId, producerEpoch } = await openTransaction(c, 'tx')
    const producer = { transactionalId: 'tx', producerId, producerEpoch }
    expect(await produceTxn(c, { id: 'tx', producerId, epoch: producerEpoch, sequence: 0 }, 0, ['a', 'b'])).toBe(0)
    expect(await addOffsets(c, { ...producer, groupId: 'g' })).toMatchObject({ errorCode: 0 })
    const commit = await txnOffsetCommit(c, { ...producer, groupId: 'g', topics: [{ name: 'in', partitions: [] }, { name: 'out', partitions: [{ partitionIndex: 1, committedOffset: 7, committedMetadata: 'm' }] }] })
    expect(commit.topics.flatMap((t) => t.partitions.map((p) => p.errorCode))).toEqual([0])
    const committed = () => s.broker.groups.fetchOffsets({ groupId: 'g', topics: [{ name: 'out', partitions: [1] }] }).topics[0]?.partitions[0]?.offset
    expect(committed()).toBe(-1)
    expect(await describeTxn(c, 'tx')).toMatchObject({
      transactionState: 'Ongoing',
      producerId,
      topics: expect.arrayContaining([{ topic: 'out', partitions: [0] }, { topic: '__consumer_offsets', partitions: [expect.any(Number)] }]) as unknown,
    })
    expect(await endTxn(c, { ...producer, committed: true })).toMatchObject({ errorCode: 0 })
    expect(committed()).toBe(7)
    expect(await endTxn(c, { ...producer, committed: true })).toMatchObject({ errorCode: 0 })
    expect(await endTxn(c, { ...producer, committed: false })).toMatchObject({ errorCode: INVALID_TXN_STATE })
    expect(await describeTxn(c, 'tx')).toMatchObject({ transactionState: 'CompleteCommit', transactionStartTimeMs: -1, topics: [] })
  })

  it('aborts: the transactional offsets vanish', async () => {
    const { s, c } = await start()
    const { producerId, producerEpoch } = await openTransaction(c, 'tx')
    const producer = { transactionalId: 'tx', producerId, producerEpoch }
    expect(await addOffsets(c, { ...producer, groupId: 'g' })).toMatchObject({ errorCode: 0 })
    await txnOffsetCommit(c, { ...producer, groupId: 'g', topics: [{ name: 'out', partitions: [{ partitionIndex: 0, committedOffset: 3, committedMetadata: null }] }] })
    expect(await endTxn(c, { ...producer, committed: false })).toMatchObject({ errorCode: 0 })
    expect(s.broker.groups.fetchOffsets({ groupId: 'g', topics: null }).topics).toEqual([])
    expect((await describeTxn(c, 'tx')).transactionState).toBe('CompleteAbort')
  })

  it('EndTxn v5 (transaction protocol 2) bumps the epoch and returns it; a retry with the old epoch is answered NONE', async () => {
    const { c } = await start()
    const { producerId, producerEpoch } = await openTransaction(c, 'tv2')
    const end = await endTxn(c, { transactionalId: 'tv2', producerId, producerEpoch, committed: true }, 5)
    expect(end).toMatchObject({ errorCode: 0, producerId, producerEpoch: producerEpoch + 1 })
    expect(await endTxn(c, { transactionalId: 'tv2', producerId, producerEpoch, committed: true }, 5)).toMatchObject({ errorCode: 0, producerEpoch: producerEpoch + 1 })
    // An abort with nothing in the transaction is allowed under TV2, and bumps again.
    expect(await endTxn(c, { transactionalId: 'tv2', producerId, producerEpoch: producerEpoch + 1, committed: false }, 5)).toMatchObject({
      errorCode: 0,
      producerEpoch: producerEpoch + 2,
    })
  })

  it('Produce v12 under transaction.version 2 adds the partition implicitly', async () => {
    const { c } = await start()
    const { producerId, producerEpoch } = await init(c, { transactionalId: 'implicit', transactionTimeoutMs: 60000 })
    expect(await produceTxn(c, { id: 'implicit', producerId, epoch: producerEpoch, sequence: 0 }, 1, ['x'], 12)).toBe(0)
    expect(await describeTxn(c, 'implicit')).toMatchObject({ transactionState: 'Ongoing', topics: [{ topic: 'out', partitions: [1] }] })
  })

  it('times out: the coordinator aborts an open transaction after transaction.timeout.ms and fences its producer', async () => {
    const { c } = await start({ 'transaction.abort.timed.out.transaction.cleanup.interval.ms': '20' })
    const { producerId } = await init(c, { transactionalId: 'slow', transactionTimeoutMs: 100 })
    const producer = { v3AndBelowTransactionalId: 'slow', v3AndBelowProducerId: producerId, v3AndBelowProducerEpoch: 0 }
    expect(partitionCodes(await addPartitions(c, { ...producer, v3AndBelowTopics: [{ name: 'out', partitions: [0] }] }))).toEqual(['out-0=0'])
    // The server's timer, not a request about this id, ends it: ListTransactions only reads.
    await vi.waitFor(
      async () => {
        expect((await listTxns(c, { stateFilters: [], producerIdFilters: [] })).transactionStates).toEqual([
          { transactionalId: 'slow', producerId, transactionState: 'CompleteAbort' },
        ])
      },
      { timeout: 10000, interval: 20 },
    )
    expect(server!.logs.some((l) => l.includes('Completed rollback of ongoing transaction for transactionalId slow'))).toBe(true)
    expect(await endTxn(c, { transactionalId: 'slow', producerId, producerEpoch: 0, committed: true })).toMatchObject({ errorCode: PRODUCER_FENCED })
  })
})

describe('bad input is refused with Kafka\'s error code and changes nothing', () => {
  it('EndTxn without a transaction, with a wrong epoch, for an unknown id or producer id', async () => {
    const { c } = await start()
    const { producerId, producerEpoch } = await init(c, { transactionalId: 'tx', transactionTimeoutMs: 60000 })
    expect(await endTxn(c, { transactionalId: 'tx', producerId, producerEpoch, committed: true })).toMatchObject({ errorCode: INVALID_TXN_STATE })
    expect(await endTxn(c, { transactionalId: 'tx', producerId, producerEpoch: producerEpoch + 3, committed: false })).toMatchObject({ errorCode: PRODUCER_FENCED })
    expect(await endTxn(c, { transactionalId: 'tx', producerId, producerEpoch: producerEpoch + 3, committed: false }, 1)).toMatchObject({ errorCode: INVALID_PRODUCER_EPOCH })
    expect(await endTxn(c, { transactionalId: 'tx', producerId: producerId + 1, producerEpoch, committed: true })).toMatchObject({ errorCode: INVALID_PRODUCER_ID_MAPPING })
    expect(await endTxn(c, { transactionalId: 'nobody', producerId, producerEpoch, committed: true })).toMatchObject({ errorCode: INVALID_PRODUCER_ID_MAPPING })
    expect(await endTxn(c, { transactionalId: '', producerId, producerEpoch, committed: true })).toMatchObject({ errorCode: INVALID_REQUEST })
    expect(await describeTxn(c, 'tx')).toMatchObject({ errorCode: 0, transactionState: 'Empty', producerId, producerEpoch })
  })

  it('AddPartitionsToTxn for an unknown topic fails the request: UNKNOWN_TOPIC_OR_PARTITION, the rest OPERATION_NOT_ATTEMPTED', async () => {
    const { c } = await start()
    const { producerId, producerEpoch } = await init(c, { transactionalId: 'tx', transactionTimeoutMs: 60000 })
    const res = await addPartitions(c, {
      v3AndBelowTransactionalId: 'tx',
      v3AndBelowProducerId: producerId,
      v3AndBelowProducerEpoch: producerEpoch,
      v3AndBelowTopics: [{ name: 'out', partitions: [0, 5] }, { name: 'missing', partitions: [0] }],
    })
    expect(partitionCodes(res).sort()).toEqual([`missing-0=${UNKNOWN_TOPIC_OR_PARTITION}`, `out-0=${OPERATION_NOT_ATTEMPTED}`, `out-5=${UNKNOWN_TOPIC_OR_PARTITION}`])
    expect(await describeTxn(c, 'tx')).toMatchObject({ transactionState: 'Empty', topics: [] })
  })

  it('TxnOffsetCommit for a group that is not in the transaction: INVALID_TXN_STATE, TRANSACTION_ABORTABLE from v4', async () => {
    const { s, c } = await start()
    const { producerId, producerEpoch } = await openTransaction(c, 'tx')
    const req = { transactionalId: 'tx', producerId, producerEpoch, groupId: 'other', topics: [{ name: 'out', partitions: [{ partitionIndex: 0, committedOffset: 1, committedMetadata: null }] }] }
    expect((await txnOffsetCommit(c, req)).topics[0]?.partitions[0]?.errorCode).toBe(INVALID_TXN_STATE)
    expect((await txnOffsetCommit(c, req, 4)).topics[0]?.partitions[0]?.errorCode).toBe(TRANSACTION_ABORTABLE)
    expect(await endTxn(c, { transactionalId: 'tx', producerId, producerEpoch, committed: true })).toMatchObject({ errorCode: 0 })
    expect(s.broker.groups.fetchOffsets({ groupId: 'other', topics: null }).topics).toEqual([])
  })

  it('a transactional batch for a partition outside the transaction: INVALID_TXN_STATE (Produce ≤ v10), TRANSACTION_ABORTABLE (v11)', async () => {
    const { s, c } = await start()
    const { producerId, producerEpoch } = await openTransaction(c, 'tx')
    const txn = { id: 'tx', producerId, epoch: producerEpoch, sequence: 0 }
    expect(await produceTxn(c, txn, 1, ['x'], 10)).toBe(INVALID_TXN_STATE)
    expect(await produceTxn(c, txn, 1, ['x'], 11)).toBe(TRANSACTION_ABORTABLE)
    expect(await produceTxn(c, { ...txn, epoch: producerEpoch + 1 }, 0, ['x'])).toBe(PRODUCER_FENCED)
    const offsets = s.broker.offsets(s.broker.requireTopic('out'), 1)
    expect(offsets.ok && offsets.value.highWatermark).toBe(0)
  })

  it('DescribeTransactions of an unknown id; ListTransactions reports unknown state filters and filters by pattern', async () => {
    const { c } = await start()
    expect((await describeTxn(c, 'nobody')).errorCode).toBe(TRANSACTIONAL_ID_NOT_FOUND)
    await openTransaction(c, 'app-1')
    await init(c, { transactionalId: 'app-2', transactionTimeoutMs: 60000 })
    await init(c, { transactionalId: 'other', transactionTimeoutMs: 60000 })
    const listed = await listTxns(c, { stateFilters: ['Ongoing', 'Sleeping'], producerIdFilters: [] })
    expect(listed).toMatchObject({ errorCode: 0, unknownStateFilters: ['Sleeping'], transactionStates: [{ transactionalId: 'app-1', transactionState: 'Ongoing' }] })
    const byPattern = await listTxns(c, { stateFilters: [], producerIdFilters: [], transactionalIdPattern: 'app-.' })
    expect(byPattern.transactionStates.map((t) => t.transactionalId)).toEqual(['app-1', 'app-2'])
  })
})
