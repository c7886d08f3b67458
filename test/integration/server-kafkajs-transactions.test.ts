import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs'
import { afterEach, describe, expect, it, vi } from 'vitest'

import { runCli, tempDir } from '../helpers/cli.js'
import { startServerProcess, startTestServer, type TestServer } from '../helpers/server.js'

// kafkajs 2.2's transactional producer (transaction protocol 1: AddPartitionsToTxn, AddOffsetsToTxn,
// TxnOffsetCommit, EndTxn) and its read_committed / read_uncommitted consumers against the broker: commit
// and abort, a zombie producer fenced, a transaction left open aborted after its timeout, a
// consume-transform-produce loop SIGKILLed mid-way and restarted, and the broker SIGKILLed mid-transaction.

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures')

let server: TestServer | undefined
const cleanups: (() => Promise<void> | void)[] = []

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
  await server?.stop()
  server = undefined
})

async function start(props: Record<string, string> = {}): Promise<{ s: TestServer; kafka: Kafka }> {
  server = await startTestServer({ props: { 'group.initial.rebalance.delay.ms': '0', ...props } })
  return { s: server, kafka: client(server.bootstrap) }
}

function client(bootstrap: string): Kafka {
  return new Kafka({ clientId: 'kafka-ts-txn-test', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 50 } })
}

async function createTopic(kafka: Kafka, topic: string, numPartitions = 1): Promise<void> {
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic, numPartitions }] })
  await admin.disconnect()
}

async function transactionalProducer(kafka: Kafka, transactionalId: string, transactionTimeout?: number): Promise<Producer> {
  const producer = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1, ...(transactionTimeout === undefined ? {} : { transactionTimeout }) })
  await producer.connect()
  cleanups.push(() => producer.disconnect())
  return producer
}

/** Reads the topic from the beginning until `count` values arrived; resolves with them in order. */
async function consume(kafka: Kafka, topic: string, count: number, readUncommitted: boolean): Promise<string[]> {
  const consumer: Consumer = kafka.consumer({ groupId: `reader-${Math.random().toString(36).slice(2)}`, readUncommitted, maxWaitTimeInMs: 100 })
  await consumer.connect()
  cleanups.push(() => consumer.disconnect())
  await consumer.subscribe({ topic, fromBeginning: true })
  const values: string[] = []
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        values.push(message.value?.toString() ?? '')
        if (values.length === count) resolve()
      },
    })
  })
  return values
}

describe('kafkajs transactions', () => {
  it('commit and abort: read_committed sees only committed records, read_uncommitted sees both', async () => {
    const { kafka } = await start()
    await createTopic(kafka, 'orders')
    const producer = await transactionalProducer(kafka, 'orders-tx')
    const t1 = await producer.transaction()
    await t1.send({ topic: 'orders', messages: [{ value: 'c1' }, { value: 'c2' }] })
    await t1.commit()
    const t2 = await producer.transaction()
    await t2.send({ topic: 'orders', messages: [{ value: 'a1' }] })
    await t2.abort()
    const t3 = await producer.transaction()
    await t3.send({ topic: 'orders', messages: [{ value: 'c3' }] })
    await t3.commit()
    // c3 comes after the aborted a1 and the markers: seeing it means everything before was decided.
    expect(await consume(kafka, 'orders', 3, false)).toEqual(['c1', 'c2', 'c3'])
    expect(await consume(kafka, 'orders', 4, true)).toEqual(['c1', 'c2', 'a1', 'c3'])
  })

  it('a zombie producer is fenced: its open transaction is aborted when a new producer takes the id', async () => {
    const { kafka } = await start()
    await createTopic(kafka, 'fenced')
    const zombie = await transactionalProducer(kafka, 'fence-tx')
    const old = await zombie.transaction()
    await old.send({ topic: 'fenced', messages: [{ value: 'zombie' }] })
    const fresh = await transactionalProducer(kafka, 'fence-tx')
    // kafkajs registers the producer (InitProducerId) at its first transaction.
    const txn = await fresh.transaction()
    await expect(old.commit()).rejects.toMatchObject({ type: expect.stringMatching(/INVALID_PRODUCER_EPOCH|PRODUCER_FENCED/) as unknown })
    await txn.send({ topic: 'fenced', messages: [{ value: 'fresh' }] })
    await txn.commit()
    expect(await consume(kafka, 'fenced', 1, false)).toEqual(['fresh'])
    expect(await consume(kafka, 'fenced', 2, true)).toEqual(['zombie', 'fresh'])
  })

  it('a transaction left open is aborted after transaction.timeout.ms, so read_committed readers move on', async () => {
    const { s, kafka } = await start({ 'transaction.abort.timed.out.transaction.cleanup.interval.ms': '50' })
    await createTopic(kafka, 'stuck')
    const stuck = await transactionalProducer(kafka, 'stuck-tx', 500)
    const open = await stuck.transaction()
    await open.send({ topic: 'stuck', messages: [{ value: 'never' }] })
    const other = await transactionalProducer(kafka, 'other-tx')
    const txn = await other.transaction()
    await txn.send({ topic: 'stuck', messages: [{ value: 'after' }] })
    await txn.commit()
    // 'after' sits behind the open transaction's first offset until the coordinator's timer aborts it.
    expect(await consume(kafka, 'stuck', 1, false)).toEqual(['after'])
    expect(s.logs.some((l) => l.includes('Completed rollback of ongoing transaction for transactionalId stuck-tx'))).toBe(true)
    await expect(open.commit()).rejects.toMatchObject({ type: expect.stringMatching(/INVALID_PRODUCER_EPOCH|PRODUCER_FENCED/) as unknown })
  })

  it('a consume-transform-produce loop SIGKILLed mid-way and restarted leaves every output exactly once and the offsets at the end', async () => {
    const { kafka } = await start()
    await createTopic(kafka, 'in', 2)
    await createTopic(kafka, 'out')
    const plain = kafka.producer()
    await plain.connect()
    const inputs = Array.from({ length: 24 }, (_, i) => `v${i}`)
    // One request per record: the loop's consumer fetches a few batches at a time, so it runs many transactions.
    for (const [i, value] of inputs.entries()) await plain.send({ topic: 'in', messages: [{ key: `k${i}`, value, partition: i % 2 }] })
    await plain.disconnect()

    const loop = (onLine: (line: string, child: ChildProcess) => void) =>
      new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, [path.join(FIXTURES, 'kafkajs-transform.mjs'), server!.bootstrap, 'eos-tx', 'eos-group'], { stdio: ['ignore', 'pipe', 'pipe'] })
        let out = ''
        child.stdout.on('data', (c: Buffer) => {
          const lines = c.toString()
          out += lines
          for (const line of lines.split('\n').filter(Boolean)) onLine(line, child)
        })
        child.stderr.on('data', (c: Buffer) => (out += c.toString()))
        child.on('exit', (code, signal) => resolve({ code, signal, out }))
      })
    const first = await loop((line, child) => {
      if (line === 'sent 3') child.kill('SIGKILL')
    })
    expect(first.signal).toBe('SIGKILL')
    const second = await loop(() => undefined)
    expect(second.out).toContain('done')
    expect(second.code).toBe(0)

    // A committed sentinel after the loop's output: everything read_committed hands out before it is the output.
    const sentinel = await transactionalProducer(kafka, 'sentinel-tx')
    const end = await sentinel.transaction()
    await end.send({ topic: 'out', messages: [{ value: 'end' }] })
    await end.commit()
    const outputs = await consume(kafka, 'out', inputs.length + 1, false)
    expect(outputs.at(-1)).toBe('end')
    expect(outputs.slice(0, -1).sort()).toEqual(inputs.map((v) => `${v}!`).sort())
    const admin = kafka.admin()
    await admin.connect()
    cleanups.push(() => admin.disconnect())
    const offsets = await admin.fetchOffsets({ groupId: 'eos-group', topics: ['in'] })
    expect(offsets[0]?.partitions.map((p) => [p.partition, p.offset]).sort()).toEqual([
      [0, '12'],
      [1, '12'],
    ])
  }, 60_000)

  it('the broker SIGKILLed in the middle of a transaction: after a restart the transaction is aborted and the LSO does not hang', async () => {
    const dir = tempDir('kafka-ts-txn-crash-')
    cleanups.push(() => dir.cleanup())
    const config = path.join(dir.dir, 'server.properties')
    fs.writeFileSync(
      config,
      ['node.id=1', 'listeners=PLAINTEXT://127.0.0.1:0', `log.dirs=${path.join(dir.dir, 'logs')}`, 'transaction.abort.timed.out.transaction.cleanup.interval.ms=50'].join('\n') + '\n',
    )
    const clusterId = (await runCli(['storage', 'random-uuid'])).out.trim()
    expect((await runCli(['storage', 'format', '-t', clusterId, '-c', config])).code).toBe(0)
    const first = await startServerProcess([config])
    const kafka1 = client(`127.0.0.1:${first.port}`)
    await createTopic(kafka1, 'crash')
    const producer = await transactionalProducer(kafka1, 'crash-tx', 1500)
    const committed = await producer.transaction()
    await committed.send({ topic: 'crash', messages: [{ value: 'before' }] })
    await committed.commit()
    const open = await producer.transaction()
    await open.send({ topic: 'crash', messages: [{ value: 'in-flight' }] })
    first.child.kill('SIGKILL')
    await new Promise((resolve) => first.child.once('exit', resolve))
    cleanups.pop() // the producer's broker is gone; its disconnect would retry

    const second = await startServerProcess([config])
    cleanups.push(async () => {
      const exited = new Promise((resolve) => second.child.once('exit', resolve))
      second.child.kill('SIGTERM')
      await exited
    })
    const kafka2 = client(`127.0.0.1:${second.port}`)
    const admin = kafka2.admin()
    await admin.connect()
    cleanups.push(() => admin.disconnect())
    // The open transaction survived the crash in the store; the restarted coordinator's timer aborts it.
    await vi.waitFor(
      async () => {
        const [latest] = await admin.fetchTopicOffsets('crash')
        // read_committed's end (the LSO) reaches the high watermark once the abort marker is written.
        expect(latest?.high).toBe('4') // before, its COMMIT marker, in-flight, its ABORT marker
      },
      { timeout: 20_000, interval: 100 },
    )
    const after = await transactionalProducer(kafka2, 'after-tx')
    const txn = await after.transaction()
    await txn.send({ topic: 'crash', messages: [{ value: 'after' }] })
    await txn.commit()
    expect(await consume(kafka2, 'crash', 2, false)).toEqual(['before', 'after'])
    expect(second.stderr()).toContain('Completed rollback of ongoing transaction for transactionalId crash-tx')
  }, 60_000)
})
