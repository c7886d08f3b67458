// The embedded producer hands each batch it closes to the broker's group commit, the same one the
// server's Produce requests go through. A batch handed over is the broker's to write: closing the
// client (the broker) before the producer still stores it. Before the one group commit, closed batches
// waited in the producer's own list for its 2 ms timer, were lost when the broker closed first, and the
// timer then wrote to a closed store.

import { afterEach, beforeEach, expect, it } from 'vitest'

import { openBroker } from '../../../src/broker/open-broker.js'
import { embeddedClient } from '../../../src/client/open-client.js'
import type { ProducerSettings, SendFailure } from '../../../src/client/kafka-client.js'
import { forEachRecord } from '../../../src/protocol/batch-records.js'
import { tempDir } from '../../helpers/cli.js'

let dir: string
let cleanup: () => void
beforeEach(() => {
  ;({ dir, cleanup } = tempDir())
})
afterEach(() => cleanup())

const settings: ProducerSettings = {
  acks: -1,
  // A few 40-byte records fill a batch: most of what is sent is in closed batches.
  batchSize: 200,
  lingerMs: 60_000,
  compression: 'none',
  allowAutoCreate: false,
  bufferMemory: 1 << 20,
  clientId: 'embedded-producer-test',
  idempotent: false,
  maxRequestSize: 1 << 20,
}

function storedValues(): string[] {
  const broker = openBroker({ dataDir: dir, initialize: 'auto' })
  try {
    const topic = broker.requireTopic('t')
    const read = broker.read(topic, 0, 0, 1 << 20)
    if (!read.ok) throw read.error
    const out: string[] = []
    for (const b of read.value.batches) forEachRecord(b, (r) => void out.push(r.value()?.toString() ?? 'null'))
    return out
  } finally {
    broker.close()
  }
}

it('stores the batches it closed when the client closes before the producer', async () => {
  const broker = openBroker({ dataDir: dir, initialize: 'auto' })
  const [created] = broker.createTopics([{ name: 't', numPartitions: 1, replicationFactor: -1, configs: new Map() }])
  expect(created?.ok).toBe(true)
  const client = embeddedClient(broker, dir)
  const failures: SendFailure[] = []
  const producer = await client.producer('t', settings, (f) => void failures.push(f))
  const sent = Array.from({ length: 20 }, (_, i) => `record-${String(i).padStart(2, '0')}-${'x'.repeat(24)}`)
  for (const v of sent) producer.send(null, Buffer.from(v), undefined, Date.now())
  await producer.afterChunk()
  expect(producer.acknowledged).toBe(0)

  await client.close()

  const stored = storedValues()
  expect(stored.length).toBeGreaterThan(0)
  expect(stored.length).toBeLessThan(sent.length) // the open batch was still the producer's
  expect(stored).toEqual(sent.slice(0, stored.length))
  expect(producer.acknowledged).toBe(stored.length)
  expect(failures).toEqual([])
  // The producer's open batch has no broker left to go to: closing it reports that, once, as an error.
  await expect(producer.close()).rejects.toThrow()
})
