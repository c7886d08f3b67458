// The Java clients' settings the tools take from --command-property / --command-config (issue 13): each one
// kafka-ts acts on changes what happens — max.request.size refuses a record with Kafka's
// RecordTooLargeException text, the fetch settings and client.id are what the remote consumer puts on the
// wire (read back through a proxy in front of a real broker), max.poll.records sizes verifiable-consumer's
// polls — a bad value is refused with ConfigDef's text, and a key no Kafka client defines gets
// AbstractConfig.logUnused's line.

import fs from 'node:fs'
import path from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { ApiKey } from '../../src/protocol/api-keys.js'
import { decodeFetchRequest } from '../../src/protocol/messages/fetch.js'
import { decodeProduceRequest } from '../../src/protocol/messages/produce.js'
import { Reader } from '../../src/protocol/reader.js'
import { readRequestHeader } from '../../src/protocol/request-header.js'
import { runCli, tempDir } from '../helpers/cli.js'
import type { ProxiedRequest } from '../helpers/fault-proxy.js'
import { consume, createTopic, lines, produce } from './fixtures/console.js'
import { proxiedServer } from './fixtures/proxied-server.js'

let dir: string
let cleanup: () => void
beforeEach(() => {
  ;({ dir, cleanup } = tempDir('kafka-ts-client-settings-'))
})
afterEach(() => cleanup())

const suite = proxiedServer('settings')

const withoutInitNote = (stderr: string) => stderr.replace(/^Initialised a new kafka-ts data directory .*\n/, '')
/** A 200-byte value with no key or headers is 286 bytes to Java's estimate (82 of batch and record overhead). */
const BIG = 'x'.repeat(200)
const TOO_LARGE = 'The message is 286 bytes when serialized which is larger than 285, which is the value of the max.request.size configuration.'

describe('max.request.size', () => {
  it('refuses a larger record with RecordTooLargeException and stores the others (embedded)', async () => {
    expect((await createTopic(dir, 't')).code).toBe(0)
    const p = await produce(dir, 't', `a\n${BIG}\nb\n`, '--command-property', 'max.request.size=285')
    expect(p.code).toBe(1)
    expect(withoutInitNote(p.stderr)).toBe(`Error when sending message to topic t with key: null, value: 200 bytes with error: ${TOO_LARGE}\n`)
    const c = await consume(dir, '--topic', 't', '--from-beginning', '--timeout-ms', '300')
    expect(lines(c.out)).toEqual(['a', 'b'])
    // One byte more and the record fits.
    expect((await produce(dir, 't', `${BIG}\n`, '--command-property', 'max.request.size=286')).code).toBe(0)
  })

  it('refuses it before anything is sent to a broker, from --command-config too (remote)', async () => {
    const topic = await suite.freshTopic()
    const config = path.join(dir, 'producer.properties')
    fs.writeFileSync(config, 'max.request.size=285\n')
    const p = await runCli(['console-producer', '--topic', topic, '--bootstrap-server', suite.server.bootstrap, '--command-config', config], { input: `${BIG}\nc\n` })
    expect(p.code).toBe(1)
    expect(p.stderr).toBe(`Error when sending message to topic ${topic} with key: null, value: 200 bytes with error: ${TOO_LARGE}\n`)
    const c = await runCli(['console-consumer', '--topic', topic, '--from-beginning', '--timeout-ms', '2000', '--bootstrap-server', suite.server.bootstrap])
    expect(lines(c.out)).toEqual(['c'])
  })

  it('is reported per record by verifiable-producer as producer_send_error', async () => {
    const config = path.join(dir, 'producer.properties')
    fs.writeFileSync(config, 'max.request.size=80\n')
    const r = await runCli(['verifiable-producer', '--topic', 'v', '--max-messages', '2', '--command-config', config], { dataDir: path.join(dir, 'data') })
    const errors = r.out.split('\n').filter((l) => l.includes('producer_send_error'))
    expect(errors).toHaveLength(2)
    expect(errors[0]).toMatch(
      /^\{"timestamp":\d+,"name":"producer_send_error","key":null,"value":"0","topic":"v","exception":"class org\.apache\.kafka\.common\.errors\.RecordTooLargeException","message":"The message is 86 bytes when serialized which is larger than 80, which is the value of the max\.request\.size configuration\."\}$/,
    )
    expect(r.out).toContain('"name":"tool_data","sent":2,"acked":0,')
  })
})

describe("console-producer's own flags", () => {
  it('--max-memory-bytes is buffer.memory: a record larger than it is refused with Kafka\'s text (embedded)', async () => {
    expect((await createTopic(dir, 't')).code).toBe(0)
    const p = await produce(dir, 't', `${BIG}\n`, '--max-memory-bytes', '285')
    expect(p.code).toBe(1)
    expect(withoutInitNote(p.stderr)).toBe(
      'Error when sending message to topic t with key: null, value: 200 bytes with error: The message is 286 bytes when serialized which is larger than the total memory buffer you have configured with the buffer.memory configuration.\n',
    )
  })

  it('--request-timeout-ms is the Produce request\'s timeout (remote)', async () => {
    const topic = await suite.freshTopic()
    await suite.withProxy(
      () => 'forward',
      async (proxy) => {
        const p = await runCli(['console-producer', '--topic', topic, '--bootstrap-server', proxy.bootstrap, '--request-timeout-ms', '4321'], { input: 'a\n' })
        expect(p.code, p.stderr).toBe(0)
        const produced = proxy.log.filter((req) => req.apiKey === ApiKey.Produce)
        expect(produced.length).toBeGreaterThan(0)
        for (const req of produced) {
          const r = new Reader(req.frame)
          const header = readRequestHeader(r)
          expect(decodeProduceRequest(r, header.apiVersion).timeoutMs).toBe(4321)
        }
      },
    )
  })
})

describe('bad values and unknown keys', () => {
  it.each([
    [['console-consumer', '--topic', 't', '--command-property', 'max.poll.records=0'], 'Invalid value 0 for configuration max.poll.records: Value must be at least 1'],
    [['console-consumer', '--topic', 't', '--command-property', 'fetch.min.bytes=many'], 'Invalid value many for configuration fetch.min.bytes: Not a number of type INT'],
    [['console-consumer', '--topic', 't', '--command-property', 'fetch.max.wait.ms=-1'], 'Invalid value -1 for configuration fetch.max.wait.ms: Value must be at least 0'],
    [['console-producer', '--topic', 't', '--command-property', 'max.request.size=1.5'], 'Invalid value 1.5 for configuration max.request.size: Not a number of type INT'],
    [['console-producer', '--topic', 't', '--command-property', 'linger.ms=soon'], 'Invalid value soon for configuration linger.ms: Not a number of type LONG'],
  ])('%j is refused with ConfigDef\'s text', async (args, message) => {
    expect((await createTopic(dir, 't')).code).toBe(0)
    const r = await runCli(args, { dataDir: dir, input: 'x\n' })
    expect(r.code).toBe(1)
    expect(withoutInitNote(r.stderr)).toBe(`${message}\n`)
    expect(r.out).toBe('')
  })

  it('names the keys the client does not define, once, as AbstractConfig.logUnused does', async () => {
    expect((await createTopic(dir, 't')).code).toBe(0)
    // fetch.min.bytes is a consumer key, acks a producer key: each is unknown to the other client.
    const p = await produce(dir, 't', 'a\n', '--command-property', 'fetch.min.bytes=1', '--command-property', 'no.such.key=1', '--command-property', 'linger.ms=0')
    expect(p.code).toBe(0)
    expect(withoutInitNote(p.stderr)).toMatch(
      /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] INFO These configurations '\[(fetch\.min\.bytes, no\.such\.key|no\.such\.key, fetch\.min\.bytes)\]' were supplied but are not used yet\. \(org\.apache\.kafka\.clients\.producer\.ProducerConfig\)\n$/,
    )
    const c = await consume(dir, '--topic', 't', '--from-beginning', '--timeout-ms', '300', '--command-property', 'acks=all', '--command-property', 'fetch.min.bytes=1')
    expect(lines(c.out)).toEqual(['a'])
    expect(c.stderr).toMatch(/\] INFO These configurations '\[acks\]' were supplied but are not used yet\. \(org\.apache\.kafka\.clients\.consumer\.ConsumerConfig\)\n/)
    // Keys Kafka's clients define are taken without a word, whether kafka-ts acts on them or not.
    const quiet = await produce(dir, 't', 'b\n', '--command-property', 'delivery.timeout.ms=1000', '--command-property', 'ssl.protocol=TLSv1.3')
    expect(withoutInitNote(quiet.stderr)).toBe('')
  })
})

describe('the consumer settings embedded', () => {
  it('fetch.max.bytes and max.partition.fetch.bytes below one batch still read every record of every partition (a batch at least per read)', async () => {
    expect((await createTopic(dir, 't', '--partitions', '3')).code).toBe(0)
    const input = Array.from({ length: 30 }, (_, i) => `k${i}:v${i}\n`).join('')
    expect((await produce(dir, 't', input, '--reader-property', 'parse.key=true', '--reader-property', 'key.separator=:')).code).toBe(0)
    const c = await consume(dir, '--topic', 't', '--from-beginning', '--timeout-ms', '500', '--command-property', 'fetch.max.bytes=0', '--command-property', 'max.partition.fetch.bytes=0')
    expect(lines(c.out).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `v${i}`).sort())
    expect(c.stderr).toContain('Processed a total of 30 messages')
  })
})

/** The Fetch requests a proxy saw, decoded, with the client id of their request header. */
function fetches(log: readonly ProxiedRequest[]) {
  return log
    .filter((req) => req.apiKey === ApiKey.Fetch)
    .map((req) => {
      const r = new Reader(req.frame)
      const header = readRequestHeader(r)
      return { clientId: header.clientId, request: decodeFetchRequest(r, header.apiVersion) }
    })
}

describe('the consumer settings on the wire (remote)', () => {
  it('console-consumer asks with fetch.min.bytes, fetch.max.bytes, max.partition.fetch.bytes, fetch.max.wait.ms and client.id', async () => {
    const topic = await suite.freshTopic()
    expect((await runCli(['console-producer', '--topic', topic, '--bootstrap-server', suite.server.bootstrap], { input: 'one\ntwo\n' })).code).toBe(0)
    await suite.withProxy(
      () => 'forward',
      async (proxy) => {
        const settings = ['fetch.min.bytes=1', 'fetch.max.bytes=123456', 'max.partition.fetch.bytes=4096', 'fetch.max.wait.ms=50', 'client.id=settings-check']
        const c = await runCli(['console-consumer', '--topic', topic, '--from-beginning', '--max-messages', '2', '--bootstrap-server', proxy.bootstrap, ...settings.flatMap((s) => ['--command-property', s])])
        expect(lines(c.out)).toEqual(['one', 'two'])
        const seen = fetches(proxy.log)
        expect(seen.length).toBeGreaterThan(0)
        for (const { clientId, request } of seen) {
          expect(clientId).toBe('settings-check')
          expect({ minBytes: request.minBytes, maxBytes: request.maxBytes, maxWaitMs: request.maxWaitMs }).toEqual({ minBytes: 1, maxBytes: 123456, maxWaitMs: 50 })
          expect(request.topics.flatMap((t) => t.partitions.map((p) => p.partitionMaxBytes))).toEqual([4096])
        }
      },
    )
  })

  it('consumer-perf-test puts --fetch-size over max.partition.fetch.bytes, as Kafka\'s tool does', async () => {
    const topic = await suite.freshTopic()
    expect((await runCli(['console-producer', '--topic', topic, '--bootstrap-server', suite.server.bootstrap], { input: 'one\n' })).code).toBe(0)
    await suite.withProxy(
      () => 'forward',
      async (proxy) => {
        const r = await runCli(['consumer-perf-test', '--topic', topic, '--num-records', '1', '--fetch-size', '2048', '--command-property', 'max.partition.fetch.bytes=9999', '--bootstrap-server', proxy.bootstrap])
        expect(r.code, r.stderr).toBe(0)
        const sizes = fetches(proxy.log).flatMap(({ request }) => request.topics.flatMap((t) => t.partitions.map((p) => p.partitionMaxBytes)))
        expect(sizes.length).toBeGreaterThan(0)
        expect(new Set(sizes)).toEqual(new Set([2048]))
      },
    )
  })
})
