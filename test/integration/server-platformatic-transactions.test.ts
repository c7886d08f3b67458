import { Consumer, Producer, type Message } from '@platformatic/kafka'
import { afterEach, describe, expect, it } from 'vitest'

import { startTestServer, type TestServer } from '../helpers/server.js'

// @platformatic/kafka's transactional producer (beginTransaction: InitProducerId, AddPartitionsToTxn v4+ as a
// batch of one transaction, Produce, EndTxn) against the broker, read back by its consumer at both
// isolation levels.

/** platformatic's FetchIsolationLevels values. */
const READ_UNCOMMITTED = 0
const READ_COMMITTED = 1

let server: TestServer | undefined
const cleanups: (() => Promise<void>)[] = []

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
  await server?.stop()
  server = undefined
})

async function read(s: TestServer, topic: string, count: number, isolationLevel: typeof READ_COMMITTED | typeof READ_UNCOMMITTED): Promise<string[]> {
  const consumer = new Consumer({
    clientId: 'kafka-ts-platformatic',
    groupId: `pf-isolation-${isolationLevel}`,
    bootstrapBrokers: [s.bootstrap],
    maxWaitTime: 200,
    retries: 2,
    isolationLevel,
  })
  cleanups.push(() => new Promise<void>((resolve) => consumer.close(true, () => resolve())))
  const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false })
  const got: string[] = []
  for await (const message of stream as AsyncIterable<Message>) {
    got.push(message.value.toString())
    if (got.length === count) break
  }
  return got
}

describe('@platformatic/kafka transactions', () => {
  it('commit and abort: READ_COMMITTED sees only committed records, READ_UNCOMMITTED both', async () => {
    const s = (server = await startTestServer({ props: { 'group.initial.rebalance.delay.ms': '0' } }))
    expect(s.broker.createTopics([{ name: 'pf-orders', numPartitions: 1, replicationFactor: -1, configs: new Map() }])[0]?.ok).toBe(true)
    const producer = new Producer({ clientId: 'kafka-ts-platformatic', bootstrapBrokers: [s.bootstrap], idempotent: true, transactionalId: 'pf-tx', acks: -1, retries: 2 })
    cleanups.push(() => producer.close())
    const send = async (values: string[], commit: boolean) => {
      const txn = await producer.beginTransaction()
      await txn.send({ messages: values.map((v) => ({ topic: 'pf-orders', partition: 0, key: Buffer.from('k'), value: Buffer.from(v) })) })
      await (commit ? txn.commit() : txn.abort())
    }
    await send(['c1', 'c2'], true)
    await send(['a1'], false)
    await send(['c3'], true)
    expect(await read(s, 'pf-orders', 3, READ_COMMITTED)).toEqual(['c1', 'c2', 'c3'])
    expect(await read(s, 'pf-orders', 4, READ_UNCOMMITTED)).toEqual(['c1', 'c2', 'a1', 'c3'])
    const described = s.broker.transactions.describe('pf-tx')
    expect(described).toMatchObject({ state: 'CompleteCommit', topics: [] })
  })
})
