import * as platformatic from '@platformatic/kafka'
import { afterEach, describe, expect, it } from 'vitest'

import { startTestServer, type TestServer } from '../helpers/server.js'

// The 4.x APIs as another implementation reads them: @platformatic/kafka's own codecs for
// DescribeTopicPartitions v0 (its nullable cursor marker) and DescribeProducers v0, and
// its admin client's describeLogDirs (v4, to every broker Metadata names) — so a mistake made symmetrically
// in our encoder and decoder cannot pass.

let server: TestServer | undefined
const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined)
  await server?.stop()
  server = undefined
})

async function connect(): Promise<{ s: TestServer; conn: platformatic.Connection }> {
  server = await startTestServer()
  expect(server.broker.createTopics([{ name: 'orders', numPartitions: 3, replicationFactor: -1, configs: new Map() }]).every((c) => c.ok)).toBe(true)
  const conn = new platformatic.Connection('kafka-ts-platformatic')
  await conn.connect('127.0.0.1', server.port)
  cleanups.push(() => conn.close())
  return { s: server, conn }
}

describe('@platformatic/kafka reading the 4.x APIs', () => {
  it('DescribeTopicPartitions v0: a page, its NextCursor, and the page the cursor asks for', async () => {
    const { conn } = await connect()
    const first = await platformatic.describeTopicPartitionsV0.api.async(conn, [{ name: 'orders' }], 2)
    expect(first.topics.map((t) => [t.name, t.errorCode, t.partitions.map((p) => p.partitionIndex), t.topicAuthorizedOperations])).toEqual([['orders', 0, [0, 1], 3576]])
    expect(first.nextCursor).toEqual({ topicName: 'orders', partitionIndex: 2 })
    const second = await platformatic.describeTopicPartitionsV0.api.async(conn, [{ name: 'orders' }], 2, first.nextCursor)
    expect(second.topics[0]?.partitions.map((p) => [p.partitionIndex, p.leaderId, p.leaderEpoch, p.replicaNodes, p.eligibleLeaderReplicas])).toEqual([[2, 1, 0, [1], []]])
    expect(second.nextCursor).toBeUndefined()
  })

  // Not OffsetForLeaderEpoch: platformatic 1.35 reads each partition's Partition before its ErrorCode, the
  // reverse of the spec's order (OffsetForLeaderEpochResponse.json), so it misreads any broker's answer.
  it('DescribeProducers v0', async () => {
    const { conn } = await connect()
    const producers = await platformatic.describeProducersV0.api.async(conn, [{ name: 'orders', partitionIndexes: [0] }])
    expect(producers.topics[0]?.partitions[0]).toMatchObject({ partitionIndex: 0, errorCode: 0, activeProducers: [] })
  })

  it('its admin client describes the log directory of every broker', async () => {
    const { s } = await connect()
    const admin = new platformatic.Admin({ clientId: 'kafka-ts-platformatic', bootstrapBrokers: [s.bootstrap], retries: 0 })
    cleanups.push(() => admin.close())
    const [broker] = await admin.describeLogDirs({ topics: [{ name: 'orders', partitions: [0, 2] }] })
    expect(broker?.broker).toBe(1)
    const dir = broker?.results[0]
    expect(dir?.logDir).toBe(s.dataDir)
    expect(dir?.topics.map((t) => [t.name, t.partitions.map((p) => p.partitionIndex)])).toEqual([['orders', [0, 2]]])
    expect(Number(dir?.totalBytes)).toBeGreaterThan(0)
  })
})
