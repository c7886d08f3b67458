// Remote mode (--bootstrap-server): the same commands, through the Kafka client library, against a
// real broker on loopback that serves the same data directory the embedded runs open. Each command's
// remote output must equal its embedded output over the same data.

import http from 'node:http'
import type { AddressInfo } from 'node:net'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { runCli, tempDir, type CliResult } from '../helpers/cli.js'
import { startServerProcess, startTestServer, type TestServer } from '../helpers/server.js'
import { CODECS, startCli, storedBatches, lines, type LiveProcess } from './fixtures/console.js'

let server: TestServer
let dir: string
let cleanup: () => void

beforeAll(async () => {
  ;({ dir, cleanup } = tempDir('kafka-ts-remote-'))
  server = await startTestServer({ dataDir: dir })
})

afterAll(async () => {
  await server.stop()
  cleanup()
})

const embedded = (args: readonly string[], input?: string): Promise<CliResult> => runCli(args, { dataDir: dir, ...(input === undefined ? {} : { input }) })
const remote = (args: readonly string[], input?: string): Promise<CliResult> =>
  runCli([...args, '--bootstrap-server', server.bootstrap], input === undefined ? {} : { input })

/** Runs both ways and expects the same exit code, stdout and stderr; returns the remote result. */
async function same(args: readonly string[]): Promise<CliResult> {
  const [e, r] = [await embedded(args), await remote(args)]
  expect({ code: r.code, out: r.out, err: r.stderr }).toEqual({ code: e.code, out: e.out, err: e.stderr })
  return r
}

describe('remote mode: topics', () => {
  it('creates, lists, describes, alters and deletes as embedded does, with the same output', async () => {
    const created = await remote(['topics', '--create', '--topic', 'remote.orders', '--partitions', '3', '--config', 'retention.ms=86400000'])
    expect(created.stderr).toBe('')
    expect(created.out).toContain('Created topic remote.orders.')
    expect((await embedded(['topics', '--create', '--topic', 'embedded-orders', '--partitions', '2'])).code).toBe(0)

    expect((await same(['topics', '--list'])).out).toContain('embedded-orders\nremote.orders\n')
    const described = await same(['topics', '--describe', '--topic', 'remote.orders'])
    expect(described.out).toMatch(/^Topic: remote\.orders\tTopicId: \S+\tPartitionCount: 3\tReplicationFactor: 1\tConfigs: retention\.ms=86400000\n/)
    expect(lines(described.out)).toHaveLength(4)
    await same(['topics', '--describe'])
    await same(['topics', '--describe', '--topics-with-overrides'])
    await same(['topics', '--describe', '--under-replicated-partitions'])

    expect((await remote(['topics', '--alter', '--topic', 'remote.orders', '--partitions', '5'])).code).toBe(0)
    expect(lines((await same(['topics', '--describe', '--topic', 'remote.orders'])).out)).toHaveLength(6)

    // The same refusals, word for word.
    await same(['topics', '--create', '--topic', 'remote.orders'])
    await same(['topics', '--describe', '--topic', 'nothing-like-this'])
    await same(['topics', '--alter', '--topic', 'remote.orders', '--partitions', '2'])
    await same(['topics', '--create', '--topic', 'bad', '--config', 'retention.ms=abc'])
    await same(['topics', '--create', '--topic', 'bad', '--config', 'no.such.config=1'])

    expect((await remote(['topics', '--delete', '--topic', 'embedded-orders'])).code).toBe(0)
    expect((await same(['topics', '--list'])).out).not.toContain('embedded-orders')
  }, 180_000)

  it('passes --replication-factor through to the broker, which answers for its cluster', async () => {
    const r = await remote(['topics', '--create', '--topic', 'replicated', '--replication-factor', '3'])
    expect(r.code).toBe(1)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toContain('Error while executing topic command : ')
    expect(r.stderr).toMatch(/[Rr]eplication factor/)
  })
})

describe('remote mode: console-producer and console-consumer', () => {
  const FORMAT = ['--formatter-property', 'print.key=true', '--formatter-property', 'print.headers=true', '--formatter-property', 'print.partition=true', '--formatter-property', 'print.offset=true']
  const PARSE = ['--reader-property', 'parse.key=true', '--reader-property', 'parse.headers=true']
  const input = (codec: string, n: number) =>
    Array.from({ length: n }, (_, i) => `h1:${codec}-${i},h2:x\tkey-${i % 17}\t${codec} value ${i}${i % 5 === 0 ? ' ' + 'z'.repeat(300) : ''}\n`).join('')

  it('produces keyed records with headers in every codec to several partitions; both consumers print the same', async () => {
    expect((await remote(['topics', '--create', '--topic', 'codecs', '--partitions', '4'])).code).toBe(0)
    let total = 0
    for (const codec of CODECS) {
      const r = await remote(['console-producer', '--topic', 'codecs', '--compression-codec', codec, ...PARSE], input(codec, 250))
      expect({ code: r.code, err: r.stderr }).toEqual({ code: 0, err: '' })
      total += 250
    }
    // Every codec really reached the store as batches of that codec.
    const codecsStored = new Set([0, 1, 2, 3].flatMap((p) => storedBatches(dir, 'codecs', p).map((b) => b.codec)))
    expect([...codecsStored].sort()).toEqual([...CODECS].sort())

    const args = ['console-consumer', '--topic', 'codecs', '--from-beginning', '--max-messages', String(total), ...FORMAT]
    const [e, r] = [await embedded(args), await remote(args)]
    expect(r.code).toBe(0)
    expect(r.stderr).toBe(`Processed a total of ${total} messages\n`)
    // Partitions interleave differently; within a partition the order is the log's.
    expect(lines(r.out).sort()).toEqual(lines(e.out).sort())
    expect(lines(r.out)).toHaveLength(total)
    for (const p of [0, 1, 2, 3]) {
      const of = (out: string) => lines(out).filter((l) => l.startsWith(`Partition:${p}\t`))
      expect(of(r.out)).toEqual(of(e.out))
    }
    // Keys land where the embedded producer puts them (murmur2), so one key lives in one partition.
    const partitionsOfKey = new Map<string, Set<string>>()
    for (const l of lines(r.out)) {
      const [partition, , , key] = l.split('\t')
      partitionsOfKey.set(key!, (partitionsOfKey.get(key!) ?? new Set()).add(partition!))
    }
    expect([...partitionsOfKey.values()].every((s) => s.size === 1)).toBe(true)

    // An assigned partition from an offset, and the timestamp: identical line for line.
    await same(['console-consumer', '--topic', 'codecs', '--partition', '2', '--offset', '7', '--max-messages', '20', '--formatter-property', 'print.timestamp=true', ...FORMAT])
    await same(['get-offsets', '--topic', 'codecs'])
    await same(['get-offsets', '--topic', 'codecs', '--time', 'earliest'])
  })

  it('honours acks, --sync, batching and linger settings', async () => {
    expect((await remote(['topics', '--create', '--topic', 'acks', '--partitions', '3'])).code).toBe(0)
    const body = (tag: string) => Array.from({ length: 100 }, (_, i) => `${tag}-${i}\n`).join('')
    const runs: string[][] = [
      ['--command-property', 'acks=0'],
      ['--request-required-acks', '1', '--batch-size', '200', '--timeout', '5'],
      ['--command-property', 'acks=all', '--command-property', 'enable.idempotence=false', '--command-property', 'linger.ms=0'],
      ['--sync'],
    ]
    for (const [i, extra] of runs.entries()) {
      const r = await remote(['console-producer', '--topic', 'acks', ...extra], body(`run${i}`))
      expect({ code: r.code, err: r.stderr }, extra.join(' ')).toEqual({ code: 0, err: '' })
    }
    const ends = lines((await remote(['get-offsets', '--topic', 'acks'])).out).map((l) => Number(l.split(':')[2]))
    expect(ends.reduce((a, b) => a + b, 0)).toBe(400)
    const read = await remote(['console-consumer', '--topic', 'acks', '--from-beginning', '--max-messages', '400'])
    expect(new Set(lines(read.out)).size).toBe(400)
  })

  it('follows new records (no --from-beginning) and stops at --timeout-ms like embedded', async () => {
    expect((await remote(['topics', '--create', '--topic', 'follow', '--partitions', '2'])).code).toBe(0)
    expect((await remote(['console-producer', '--topic', 'follow'], 'old\n')).code).toBe(0)
    const consumer = startCli(['console-consumer', '--topic', 'follow', '--timeout-ms', '4000', '--bootstrap-server', server.bootstrap], dir)
    await new Promise((r) => setTimeout(r, 1500))
    expect((await remote(['console-producer', '--topic', 'follow'], 'new-1\nnew-2\n')).code).toBe(0)
    const { code } = await consumer.exited
    expect(code).toBe(0)
    expect(lines(consumer.stdout().toString()).sort()).toEqual(['new-1', 'new-2'])
    expect(consumer.stderr()).toContain('Processed a total of 2 messages')
  })

  it('deletes records as embedded does', async () => {
    expect((await remote(['topics', '--create', '--topic', 'trim'])).code).toBe(0)
    expect((await remote(['console-producer', '--topic', 'trim'], 'a\nb\nc\nd\n')).code).toBe(0)
    const file = `${dir}/offsets.json`
    const { writeFileSync } = await import('node:fs')
    writeFileSync(file, JSON.stringify({ partitions: [{ topic: 'trim', partition: 0, offset: 2 }], version: 1 }))
    const r = await remote(['delete-records', '--offset-json-file', file])
    expect(r.out).toBe('Executing records delete operation\nRecords delete operation completed:\npartition: trim-0\tlow_watermark: 2\n')
    expect((await embedded(['delete-records', '--offset-json-file', file])).out).toBe(r.out)
    writeFileSync(file, JSON.stringify({ partitions: [{ topic: 'trim', partition: 0, offset: 99 }], version: 1 }))
    await same(['delete-records', '--offset-json-file', file])
    await same(['console-consumer', '--topic', 'trim', '--from-beginning', '--max-messages', '2'])
  })
})

describe('remote mode: a consumer group of three console-consumer processes', () => {
  it('splits six partitions; every record is printed exactly once; the group commits the log end', async () => {
    expect((await remote(['topics', '--create', '--topic', 'grouped', '--partitions', '6'])).code).toBe(0)
    const total = 3000
    const keyed = Array.from({ length: total }, (_, i) => `k${i}:v${i}\n`).join('')
    expect((await remote(['console-producer', '--topic', 'grouped', '--reader-property', 'parse.key=true', '--reader-property', 'key.separator=:'], keyed)).code).toBe(0)
    const members: LiveProcess[] = [1, 2, 3].map((i) =>
      startCli(
        ['console-consumer', '--topic', 'grouped', '--group', 'remote-g', '--from-beginning', '--timeout-ms', '8000', '--command-property', `client.id=m${i}`, '--bootstrap-server', server.bootstrap],
        dir,
      ),
    )
    const results = await Promise.all(members.map((m) => m.exited))
    expect(results.map((r) => r.code)).toEqual([0, 0, 0])
    const printed = members.flatMap((m) => lines(m.stdout().toString()))
    expect(printed).toHaveLength(total)
    expect(new Set(printed).size).toBe(total)
    // The group's commits stand at the log end: a new member reads nothing.
    const again = await remote(['console-consumer', '--topic', 'grouped', '--group', 'remote-g', '--timeout-ms', '3000'])
    expect(again.out).toBe('')
    expect(again.stderr).toContain('Processed a total of 0 messages')
  })
})

describe('remote mode: bad input', () => {
  it('refuses --bootstrap-server together with --data-dir', async () => {
    const r = await runCli(['topics', '--list', '--bootstrap-server', server.bootstrap, '--data-dir', dir])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('--bootstrap-server and --data-dir cannot be used together.')
  })

  it('fails in one line naming the address when nothing listens there', async () => {
    for (const args of [['topics', '--list'], ['console-consumer', '--topic', 't'], ['console-producer', '--topic', 't']]) {
      const r = await runCli([...args, '--bootstrap-server', '127.0.0.1:1'], { input: 'x\n' })
      expect(r.code, args.join(' ')).toBe(1)
      expect(r.stderr.trim().split('\n'), args.join(' ')).toEqual(['Connection refused: no broker listening at 127.0.0.1:1 (bootstrap servers: 127.0.0.1:1)'])
    }
  })

  it('fails in one line when the endpoint is not a Kafka broker (an HTTP server)', async () => {
    const web = http.createServer((_req, res) => res.end('hello'))
    await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve))
    const address = `127.0.0.1:${(web.address() as AddressInfo).port}`
    try {
      const r = await runCli(['topics', '--list', '--bootstrap-server', address], { timeoutMs: 30_000 })
      expect(r.code).toBe(1)
      const errLines = r.stderr.trim().split('\n')
      expect(errLines).toHaveLength(1)
      expect(errLines[0]).toContain(address)
    } finally {
      web.close()
    }
  })

  it('refuses a malformed --bootstrap-server', async () => {
    const r = await runCli(['topics', '--list', '--bootstrap-server', 'no-port-here'])
    expect(r.code).toBe(1)
    expect(r.stderr.trim()).toBe('Invalid url in bootstrap.servers: no-port-here')
    // The console producer and get-offsets check the address first, as Kafka's ToolsUtils does.
    for (const tool of [['console-producer', '--topic', 't'], ['get-offsets', '--topic', 't']]) {
      const checked = await runCli([...tool, '--bootstrap-server', 'localhost'], { input: '' })
      expect({ code: checked.code, err: checked.stderr.split('\n')[0] }).toEqual({ code: 1, err: 'Please provide valid host:port like host1:9091,host2:9092' })
      const blank = await runCli([...tool, '--bootstrap-server', ' '], { input: '' })
      expect(blank.stderr.split('\n')[0]).toBe('Error while validating the bootstrap address')
    }
  })

  it('reports a missing topic when the broker does not auto-create, and writes nothing', async () => {
    const strict = await startTestServer({ props: { 'auto.create.topics.enable': 'false' } })
    try {
      const r = await runCli(['console-producer', '--topic', 'absent', '--bootstrap-server', strict.bootstrap], { input: 'x\n' })
      expect(r.code).toBe(1)
      expect(r.stderr.trim()).toBe("Topic 'absent' does not exist.")
      expect(strict.broker.findTopic('absent')).toBeUndefined()
    } finally {
      await strict.stop()
    }
  })

  it('reports a broker that goes away mid-stream in one line per failure and exits non-zero', async () => {
    const own = tempDir('kafka-ts-dying-')
    try {
      const broker = await startServerProcess(['--data-dir', own.dir, '--override', 'listeners=PLAINTEXT://127.0.0.1:0', '--override', 'num.partitions=2'])
      const bootstrap = `127.0.0.1:${broker.port}`
      expect((await runCli(['topics', '--create', '--topic', 'doomed', '--bootstrap-server', bootstrap])).code).toBe(0)
      const producer = startCli(['console-producer', '--topic', 'doomed', '--bootstrap-server', bootstrap], own.dir)
      const consumer = startCli(['console-consumer', '--topic', 'doomed', '--from-beginning', '--bootstrap-server', bootstrap], own.dir)
      producer.child.stdin.write('before-1\nbefore-2\n')
      await consumer.waitForStdout((out) => lines(out).length >= 2, 20_000)
      broker.child.kill('SIGKILL')
      producer.child.stdin.write('after-1\n')
      producer.child.stdin.end()
      const [p, c] = await Promise.all([producer.exited, consumer.exited])
      expect(p.code).toBe(1)
      expect(c.code).toBe(1)
      for (const err of [producer.stderr(), consumer.stderr().replace(/Processed a total of \d+ messages\n/, '')]) {
        const errLines = lines(err)
        expect(errLines.length).toBeGreaterThanOrEqual(1)
        expect(err).not.toMatch(/\n\s+at /) // no stack trace
        for (const l of errLines) expect(l).toMatch(/127\.0\.0\.1|Error when sending message/)
      }
      expect(consumer.stdout().toString()).toBe('before-1\nbefore-2\n')
    } finally {
      own.cleanup()
    }
  })
})
