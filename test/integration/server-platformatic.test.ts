import { afterEach, describe, expect, it } from 'vitest'
import * as platformatic from '@platformatic/kafka'
import { Admin, Consumer, Producer, type Message } from '@platformatic/kafka'

import { CODEC_IDS } from '../../src/protocol/compression.js'
import { forEachRecord } from '../../src/protocol/batch-records.js'
import { readBatchHeader } from '../../src/protocol/record-batch.js'
import { HANDLERS } from '../../src/server/registry.js'
import { startTestServer, type TestServer } from '../helpers/server.js'

// @platformatic/kafka (npm devDependency) against the broker. It targets Kafka ≥ 3.5 and implements
// only recent, mostly flexible API versions (it exports one module per version, e.g. fetchV12…fetchV17),
// so what it can do here is decided by the overlap with our registry — computed below, not assumed.

const apiNames: Record<string, number> = {
  produce: 0,
  fetch: 1,
  listOffsets: 2,
  metadata: 3,
  createTopics: 19,
  deleteTopics: 20,
  initProducerId: 22,
  createPartitions: 37,
  offsetCommit: 8,
  offsetFetch: 9,
  findCoordinator: 10,
  joinGroup: 11,
  heartbeat: 12,
  leaveGroup: 13,
  syncGroup: 14,
}

/** The versions of an API that both platformatic implements and this broker serves. */
function overlap(name: string): number[] {
  const key = apiNames[name]!
  const served = HANDLERS.find((h) => h.apiKey === key)
  const implemented = Object.keys(platformatic)
    .map((k) => new RegExp(`^${name}V(\\d+)$`).exec(k))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
  return implemented.filter((v) => served !== undefined && v >= served.minVersion && v <= served.maxVersion).sort((a, b) => a - b)
}

function implemented(name: string): string {
  const versions = Object.keys(platformatic).flatMap((k) => new RegExp(`^${name}V(\\d+)$`).exec(k)?.[1] ?? [])
  return versions.join(',')
}

const gaps = Object.keys(apiNames).filter((n) => overlap(n).length === 0)
if (gaps.length > 0) {
  console.warn(
    `[platformatic] APIs it cannot use against this broker: ${gaps
      .map((n) => {
        const h = HANDLERS.find((x) => x.apiKey === apiNames[n])
        return `${n} (it implements v${implemented(n)}; broker serves ${h ? `v${h.minVersion}–${h.maxVersion}` : 'none'})`
      })
      .join('; ')} — tests needing them are skipped; its consumer cannot read from this broker`,
  )
}

let server: TestServer | undefined
const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined)
  await server?.stop()
  server = undefined
})

async function start(props: Record<string, string> = {}): Promise<TestServer> {
  server = await startTestServer({ props: { 'num.partitions': '3', ...props } })
  return server
}

function admin(s: TestServer): Admin {
  const a = new Admin({ clientId: 'kafka-ts-platformatic', bootstrapBrokers: [s.bootstrap], retries: 2 })
  cleanups.push(() => a.close())
  return a
}

const needs = (...names: string[]) => names.some((n) => gaps.includes(n))

describe('@platformatic/kafka', () => {
  it.skipIf(needs('metadata', 'createTopics', 'deleteTopics', 'createPartitions', 'listOffsets'))(
    'admin creates, lists, grows, lists offsets of and deletes topics',
    async () => {
      const s = await start()
      const a = admin(s)
      const created = await a.createTopics({ topics: ['pf-admin'], partitions: 2, replicas: 1 })
      expect(created.map((t) => [t.name, t.partitions, t.replicas])).toEqual([['pf-admin', 2, 1]])
      expect(created[0]?.id).toMatch(/^[0-9a-f-]{36}$|^[A-Za-z0-9_-]{22}$/)
      expect(await a.listTopics()).toEqual(['pf-admin'])
      await expect(a.createTopics({ topics: ['pf-admin'], partitions: 1, replicas: 1 })).rejects.toThrow()

      await a.createPartitions({ topics: [{ name: 'pf-admin', count: 4 }] })
      const md = await a.metadata({ topics: ['pf-admin'], forceUpdate: true })
      expect(md.topics.get('pf-admin')?.partitionsCount).toBe(4)
      expect(s.broker.requireTopic('pf-admin').partitionCount).toBe(4)

      const offsets = await a.listOffsets({ topics: [{ name: 'pf-admin', partitions: [{ partitionIndex: 0, timestamp: -1n }] }] })
      expect(offsets[0]?.partitions[0]?.offset).toBe(0n)

      await a.deleteTopics({ topics: ['pf-admin'] })
      expect(await a.listTopics()).toEqual([])
      expect(s.broker.findTopic('pf-admin')).toBeUndefined()
    },
  )

  // zstd needs node:zlib's zstd (Node ≥ 22.15) in platformatic; it reports itself unavailable on Node 20.
  const codecs = (['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const).filter((c) => platformatic.compressionsAlgorithms[c].available)
  it.skipIf(needs('metadata', 'produce', 'initProducerId', 'createTopics'))
    .each(codecs)('idempotent producer with %s: every record stored byte-exact in order, with its sequence numbers', async (codec) => {
      const s = await start()
      const topic = `pf-${codec}`
      await admin(s).createTopics({ topics: [topic], partitions: 3, replicas: 1 })
      const producer = new Producer({ clientId: 'kafka-ts-platformatic', bootstrapBrokers: [s.bootstrap], idempotent: true, acks: -1, compression: codec, retries: 2 })
      cleanups.push(() => producer.close())

      const sent: { key: Buffer; value: Buffer; partition: number; headers: Record<string, Buffer> }[][] = [[], [], []]
      for (let round = 0; round < 4; round++) {
        const messages = Array.from({ length: 300 }, (_, i) => {
          const partition = (i + round) % 3
          const value = Buffer.alloc(10 + (i % 40), (i * 7) & 0xff)
          value.write(`r${round}i${i}`, 0, 'latin1')
          const key = Buffer.from([0xff, 0x00, i & 0xff, round])
          const header = Buffer.from(`x${i}`)
          sent[partition]!.push({ key, value, partition, headers: { h: header } })
          // With the default (Buffer) serialisers header names are Buffers too, hence a Map.
          return { topic, partition, key, value, headers: new Map([[Buffer.from('h'), header]]) }
        })
        const result = await producer.send({ messages })
        expect(result.offsets?.length).toBeGreaterThan(0)
      }

      const row = s.broker.requireTopic(topic)
      for (let p = 0; p < 3; p++) {
        const r = s.broker.read(row, p, 0, 64 << 20)
        if (!r.ok) throw r.error
        const got: { offset: number; key: Buffer | null; value: Buffer | null; headers: Record<string, Buffer | null> }[] = []
        let nextSequence = 0
        for (const b of r.value.batches) {
          const h = readBatchHeader(b)
          expect(h.attributes & 0x07).toBe(CODEC_IDS[codec])
          expect(h.producerId).toBeGreaterThanOrEqual(0)
          expect(h.baseSequence).toBe(nextSequence)
          nextSequence += h.recordCount
          forEachRecord(b, (rec) => {
            const key = rec.key()
            const value = rec.value()
            got.push({
              offset: rec.offset,
              key: key && Buffer.from(key),
              value: value && Buffer.from(value),
              headers: Object.fromEntries(rec.headers().map((hd) => [hd.key.toString('utf8'), hd.value && Buffer.from(hd.value)])),
            })
          })
        }
        const want = sent[p]!
        expect(got.map((g) => g.offset)).toEqual(want.map((_, i) => i))
        expect(got.map(({ key, value, headers }) => ({ key, value, headers }))).toEqual(want.map(({ key, value, headers }) => ({ key, value, headers })))
      }
    })

  it.skipIf(needs('metadata', 'produce', 'createTopics', 'fetch', 'listOffsets', 'findCoordinator', 'joinGroup', 'syncGroup', 'heartbeat', 'offsetCommit', 'offsetFetch', 'leaveGroup'))(
    'group consumer reads back, from the earliest offset, every record its producer wrote: keys, values and headers byte-exact, in order',
    async () => {
      // No join delay, so the single member is assigned at once instead of after Kafka's 3 s default.
      const s = await start({ 'group.initial.rebalance.delay.ms': '0' })
      const topic = 'pf-consume'
      await admin(s).createTopics({ topics: [topic], partitions: 3, replicas: 1 })
      const producer = new Producer({ clientId: 'kafka-ts-platformatic', bootstrapBrokers: [s.bootstrap], acks: -1, retries: 2 })
      cleanups.push(() => producer.close())
      const sent: { key: Buffer; value: Buffer; headers: [string, Buffer][] }[][] = [[], [], []]
      for (let round = 0; round < 3; round++) {
        const messages = Array.from({ length: 200 }, (_, i) => {
          const partition = (i * 5 + round) % 3
          // Every byte value appears somewhere in the values: a decode/encode slip cannot hide.
          const value = Buffer.from(Array.from({ length: 1 + ((i * 13 + round) % 300) }, (_, j) => (i + j * 31 + round) & 0xff))
          const key = Buffer.from([round, i & 0xff, 0x00, 0xff])
          const header = Buffer.from([0xc3, i & 0xff, 0x28])
          sent[partition]!.push({ key, value, headers: [['h', header]] })
          return { topic, partition, key, value, headers: new Map([[Buffer.from('h'), header]]) }
        })
        await producer.send({ messages })
      }
      const total = sent.reduce((n, p) => n + p.length, 0)

      const consumer = new Consumer({ clientId: 'kafka-ts-platformatic', groupId: 'pf-readers', bootstrapBrokers: [s.bootstrap], maxWaitTime: 500, retries: 2 })
      cleanups.push(() => new Promise<void>((resolve) => consumer.close(true, () => resolve())))
      const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false })
      const got: Message[] = []
      for await (const message of stream) {
        got.push(message)
        if (got.length === total) break
      }

      for (let p = 0; p < 3; p++) {
        const mine = got.filter((m) => m.topic === topic && m.partition === p)
        expect(mine.map((m) => m.offset)).toEqual(sent[p]!.map((_, i) => BigInt(i)))
        expect(
          mine.map((m) => ({ key: m.key, value: m.value, headers: [...m.headers].map(([k, v]) => [k.toString('utf8'), v] as [string, Buffer]) })),
        ).toEqual(sent[p])
      }
    },
  )
})
