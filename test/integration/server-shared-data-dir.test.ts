import { Kafka, logLevel } from 'kafkajs'
import { afterEach, describe, expect, it } from 'vitest'

import { forEachRecord } from '../../src/protocol/batch-records.js'
import { runCli } from '../helpers/cli.js'
import { startTestServer, type TestServer } from '../helpers/server.js'

// The promise: while `server-start` runs, embedded commands keep using the same data
// directory, and records written by either side are seen by the other without restarting anything.

let server: TestServer | undefined
afterEach(async () => {
  await server?.stop()
  server = undefined
})

function kafka(bootstrap: string): Kafka {
  return new Kafka({ clientId: 'shared-dir-test', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 3 } })
}

describe('server and embedded commands on one data directory', () => {
  it('serves records written by an embedded producer, and embedded consumers see records produced over the wire', async () => {
    server = await startTestServer()
    const dataDir = server.dataDir
    const embedded = await runCli(['topics', '--create', '--topic', 'shared', '--partitions', '2'], { dataDir })
    expect(embedded.code).toBe(0)

    // Embedded → wire: lines produced by the CLI (another process) are fetched through the server.
    const lines = Array.from({ length: 50 }, (_, i) => `embedded-${i}`)
    expect((await runCli(['console-producer', '--topic', 'shared'], { dataDir, input: `${lines.join('\n')}\n` })).code).toBe(0)
    const seen: string[] = []
    for (const partition of [0, 1]) {
      const res = server.broker.read(server.broker.requireTopic('shared'), partition, 0, 1 << 20)
      if (res.ok) for (const b of res.value.batches) forEachRecord(b, (r) => void seen.push(r.value()!.toString()))
    }
    expect(seen.sort()).toEqual([...lines].sort())

    const admin = kafka(server.bootstrap).admin()
    await admin.connect()
    const offsets = await admin.fetchTopicOffsets('shared')
    await admin.disconnect()
    expect(offsets.reduce((n, o) => n + Number(o.high), 0)).toBe(50)

    // Wire → embedded: records produced with kafkajs are read by the embedded consumer process.
    const producer = kafka(server.bootstrap).producer()
    await producer.connect()
    await producer.send({ topic: 'shared', acks: -1, messages: [{ partition: 0, value: 'over-the-wire' }] })
    await producer.disconnect()
    const consumed = await runCli(['console-consumer', '--topic', 'shared', '--partition', '0', '--offset', 'earliest', '--timeout-ms', '1000'], { dataDir })
    expect(consumed.out.split('\n')).toContain('over-the-wire')

    // A topic created by an embedded command appears in the server's metadata at once.
    await runCli(['topics', '--create', '--topic', 'late-topic'], { dataDir })
    const admin2 = kafka(server.bootstrap).admin()
    await admin2.connect()
    const topics = await admin2.listTopics()
    await admin2.disconnect()
    expect(topics).toContain('late-topic')
  })

  it('wakes a long-polling fetch when another process appends', async () => {
    server = await startTestServer()
    const dataDir = server.dataDir
    await runCli(['topics', '--create', '--topic', 'poll'], { dataDir })
    const topic = server.broker.requireTopic('poll')
    const pending = server.broker.fetch({ partitions: [{ topic, partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }], maxBytes: 1 << 20, minBytes: 1, maxWaitMs: 20_000 })
    const started = Date.now()
    await runCli(['console-producer', '--topic', 'poll'], { dataDir, input: 'wake up\n' })
    const [result] = await pending
    expect(result?.ok && result.value.batches.length).toBe(1)
    // Woken by the append (data_version poll), not by the 20 s max wait.
    expect(Date.now() - started).toBeLessThan(15_000)
  })
})
