// Produce requests a client pipelines on one connection (librdkafka sends the next one without
// waiting for the answer) are started together and share one group commit, are answered in arrival
// order, and are stored in arrival order even when they mix acks=1 and acks=-1. Any other request
// behind them waits until they are answered, as Kafka processes a connection's requests one by one.

import { afterEach, beforeEach, expect, it } from 'vitest'

import { readBatchHeader, splitBatches } from '../../src/protocol/record-batch.js'
import { RawConnection } from '../helpers/raw-client.js'
import { startTestServer, type TestServer } from '../helpers/server.js'
import { batchOf, fetchOnce, fetchRecords, produce, produceOutcome } from '../interop/helpers/wire-ops.js'

let server: TestServer
let conn: RawConnection
beforeEach(async () => {
  server = await startTestServer()
  const [created] = server.broker.createTopics([{ name: 'piped', numPartitions: 1, replicationFactor: -1, configs: new Map() }])
  expect(created?.ok).toBe(true)
  conn = await RawConnection.open(server.port)
})
afterEach(async () => {
  conn.close()
  await server.stop()
})

/** Counts the broker's write transactions for produce (the real method runs). */
function countProduceCommits(): { readonly count: number } {
  const broker = server.broker
  const real = broker.produce.bind(broker)
  const counter = { count: 0 }
  broker.produce = (...args) => {
    counter.count++
    return real(...args)
  }
  return counter
}

it('writes Produce requests pipelined on one connection in one commit and answers them in order', async () => {
  const commits = countProduceCommits()
  const answers = conn.pipelined(() => Array.from({ length: 5 }, (_, i) => produce(conn, 'piped', 0, batchOf([`a${i}`, `b${i}`]), { acks: 1 })))
  const outcomes = (await Promise.all(answers)).map(produceOutcome)
  expect(outcomes).toEqual([0, 2, 4, 6, 8].map((baseOffset) => ({ errorCode: 0, baseOffset })))
  expect(commits.count).toBe(1)
  const read = await fetchRecords(conn, 'piped', 0)
  expect(read.records.map((r) => r.value)).toEqual([0, 1, 2, 3, 4].flatMap((i) => [`a${i}`, `b${i}`]))
})

it('keeps arrival order when pipelined requests mix acks=1 and acks=-1', async () => {
  const acks = [1, -1, -1, 1, -1]
  const answers = conn.pipelined(() => acks.map((a, i) => produce(conn, 'piped', 0, batchOf([`v${i}`]), { acks: a })))
  const outcomes = (await Promise.all(answers)).map(produceOutcome)
  expect(outcomes.map((o) => o.baseOffset)).toEqual([0, 1, 2, 3, 4])
  const read = await fetchRecords(conn, 'piped', 0)
  expect(read.records.map((r) => r.value)).toEqual(['v0', 'v1', 'v2', 'v3', 'v4'])
})

it('answers a Fetch pipelined between Produce requests after the ones before it, seeing exactly their records', async () => {
  const [first, fetched, second] = conn.pipelined(() => [
    produce(conn, 'piped', 0, batchOf(['before']), { acks: 1 }),
    fetchOnce(conn, 'piped', [{ partition: 0, fetchOffset: 0 }], { maxBytes: 1 << 20 }),
    produce(conn, 'piped', 0, batchOf(['after']), { acks: 1 }),
  ] as const)
  expect(produceOutcome(await first)).toEqual({ errorCode: 0, baseOffset: 0 })
  expect(produceOutcome(await second)).toEqual({ errorCode: 0, baseOffset: 1 })
  const partition = (await fetched).responses[0]?.partitions[0]
  expect(partition?.highWatermark).toBe(1)
  const batches = splitBatches(partition?.records ?? Buffer.alloc(0)).batches
  expect(batches.map((b) => readBatchHeader(b).baseOffset)).toEqual([0])
})
