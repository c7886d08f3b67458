// verifiable-producer, verifiable-consumer and e2e-latency as real processes (the built dist/): embedded over
// a temp data directory and against a `server-start` process serving that same directory. The producer's
// acknowledged records (partition, offset, key, value) must each be consumed exactly once by the consumer
// (its --verbose record_data), the way Kafka's system tests judge a broker; event lines are checked against
// cli-4.md B.10–B.12's layouts, and bad arguments against Kafka's messages. No timing is asserted.

import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { BIN, runCli, tempDir, type CliResult } from '../helpers/cli.js'
import { startServerProcess } from '../helpers/server.js'

let dir: string
let data: string
let cleanup: () => void
beforeEach(() => {
  ;({ dir, cleanup } = tempDir('kafka-ts-verifiable-'))
  data = path.join(dir, 'data')
})
afterEach(() => cleanup())

const cli = (args: readonly string[]) => runCli(args, { dataDir: data })

interface Event {
  timestamp: number
  name: string
  [field: string]: unknown
}

/** The JSON event lines of a run (every stdout line must be one). */
function events(out: string): Event[] {
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Event)
}

function withoutInitNote(stderr: string): string {
  return stderr.replace(/^Initialised a new kafka-ts data directory .*\n/, '')
}

interface Acked {
  key: string | null
  value: string
  partition: number
  offset: number
}

/** The producer's run: startup first, then one success per record, shutdown_complete and tool_data last. */
function expectProducerRun(r: CliResult, topic: string, records: number): Acked[] {
  expect(withoutInitNote(r.stderr)).toBe('')
  expect(r.code).toBe(0)
  const lines = r.out.split('\n').filter((l) => l !== '')
  const all = events(r.out)
  expect(all[0]?.name).toBe('startup_complete')
  expect(all.at(-2)?.name).toBe('shutdown_complete')
  expect(lines.at(-1)).toMatch(new RegExp(`^\\{"timestamp":\\d+,"name":"tool_data","sent":${records},"acked":${records},"target_throughput":-1,"avg_throughput":\\d+\\.\\d+(E\\d+)?\\}$`))
  const successes = lines.filter((l) => l.includes('"producer_send_success"'))
  expect(successes).toHaveLength(records)
  for (const l of successes) {
    expect(l).toMatch(/^\{"timestamp":\d+,"name":"producer_send_success","key":(null|"\d+"),"value":"[\d.]+","topic":"[^"]+","partition":\d+,"offset":-?\d+\}$/)
  }
  return all
    .filter((e) => e.name === 'producer_send_success')
    .map((e) => {
      expect(e['topic']).toBe(topic)
      return { key: e['key'] as string | null, value: e['value'] as string, partition: e['partition'] as number, offset: e['offset'] as number }
    })
}

/** The consumer's record_data, checked against its records_consumed summaries and its commits. */
function consumed(r: CliResult): Acked[] {
  expect(withoutInitNote(r.stderr)).toBe('')
  expect(r.code).toBe(0)
  const all = events(r.out)
  expect(all[0]?.name).toBe('startup_complete')
  expect(all[1]?.name).toBe('partitions_assigned')
  expect(all.at(-1)?.name).toBe('shutdown_complete')
  const records = all.filter((e) => e.name === 'record_data').map((e) => ({ key: e['key'] as string | null, value: e['value'] as string, partition: e['partition'] as number, offset: e['offset'] as number }))
  const polls = all.filter((e) => e.name === 'records_consumed')
  expect(polls.reduce((n, e) => n + (e['count'] as number), 0)).toBe(records.length)
  const commits = all.filter((e) => e.name === 'offsets_committed')
  expect(commits).toHaveLength(polls.length)
  for (const c of commits) expect(c['success']).toBe(true)
  // The last commit of each partition is one past the last record read there.
  const committed = new Map<number, number>()
  for (const c of commits) for (const o of c['offsets'] as { partition: number; offset: number }[]) committed.set(o.partition, o.offset)
  for (const [partition, offset] of committed) expect(offset).toBe(Math.max(...records.filter((x) => x.partition === partition).map((x) => x.offset)) + 1)
  return records
}

const byPosition = (a: Acked, b: Acked) => a.partition - b.partition || a.offset - b.offset

/** Every acknowledged record read back once, with its key and value. */
function expectEachOnce(acked: Acked[], read: Acked[]): void {
  expect([...read].sort(byPosition)).toEqual([...acked].sort(byPosition))
  expect(new Set(acked.map((a) => `${a.partition}:${a.offset}`)).size).toBe(acked.length)
}

describe('verifiable-producer and verifiable-consumer', () => {
  it('embedded: every record acknowledged on a 3-partition topic is consumed once', async () => {
    expect((await cli(['topics', '--create', '--topic', 'checks', '--partitions', '3'])).code).toBe(0)
    const p = await cli(['verifiable-producer', '--topic', 'checks', '--max-messages', '300', '--repeating-keys', '7'])
    const acked = expectProducerRun(p, 'checks', 300)
    expect(new Set(acked.map((a) => a.partition))).toEqual(new Set([0, 1, 2]))
    expect(acked.map((a) => a.value).sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: 300 }, (_, i) => String(i)))
    for (const a of acked) expect(a.key).toBe(String(Number(a.value) % 7))
    const c = await cli(['verifiable-consumer', '--topic', 'checks', '--group-id', 'checkers', '--max-messages', '300', '--verbose'])
    expectEachOnce(acked, consumed(c))
    const all = events(c.out)
    expect(all.at(-2)).toMatchObject({ name: 'partitions_revoked', partitions: [0, 1, 2].map((partition) => ({ topic: 'checks', partition })) })
  })

  it('a poll hands out at most max.poll.records records, each poll with its records_consumed and its commit', async () => {
    expect((await cli(['topics', '--create', '--topic', 'polls', '--partitions', '1'])).code).toBe(0)
    const acked = expectProducerRun(await cli(['verifiable-producer', '--topic', 'polls', '--max-messages', '10']), 'polls', 10)
    const config = path.join(dir, 'consumer.properties')
    fs.writeFileSync(config, 'max.poll.records=3\n')
    const c = await cli(['verifiable-consumer', '--topic', 'polls', '--group-id', 'pollers', '--max-messages', '10', '--verbose', '--command-config', config])
    expectEachOnce(acked, consumed(c))
    const polls = events(c.out).filter((e) => e.name === 'records_consumed' || e.name === 'offsets_committed')
    expect(polls.map((e) => (e.name === 'records_consumed' ? e['count'] : (e['offsets'] as { offset: number }[])[0]?.offset))).toEqual([3, 3, 3, 6, 3, 9, 1, 10])
  })

  it('against server-start over the same data directory: remote and embedded records, each consumed once', async () => {
    expect((await cli(['topics', '--create', '--topic', 'shared', '--partitions', '3'])).code).toBe(0)
    const server = await startServerProcess(['--override', 'listeners=PLAINTEXT://127.0.0.1:0', '--override', 'group.initial.rebalance.delay.ms=0'], { KAFKA_TS_DATA_DIR: data })
    try {
      const bootstrap = `127.0.0.1:${server.port}`
      const remote = expectProducerRun(await cli(['verifiable-producer', '--bootstrap-server', bootstrap, '--topic', 'shared', '--max-messages', '200', '--value-prefix', '1', '--repeating-keys', '5']), 'shared', 200)
      const local = expectProducerRun(await cli(['verifiable-producer', '--topic', 'shared', '--max-messages', '200', '--value-prefix', '2', '--repeating-keys', '5']), 'shared', 200)
      expect(remote.every((a) => a.value.startsWith('1.'))).toBe(true)
      const c = await cli(['verifiable-consumer', '--bootstrap-server', bootstrap, '--topic', 'shared', '--group-id', 'wire-checkers', '--max-messages', '400', '--verbose'])
      expectEachOnce([...remote, ...local], consumed(c))
      // The group's committed offsets are where an embedded member of the same group starts: nothing is left.
      const more = expectProducerRun(await cli(['verifiable-producer', '--bootstrap-server', bootstrap, '--topic', 'shared', '--max-messages', '30', '--value-prefix', '3']), 'shared', 30)
      expectEachOnce(more, consumed(await cli(['verifiable-consumer', '--topic', 'shared', '--group-id', 'wire-checkers', '--max-messages', '30', '--verbose'])))
    } finally {
      server.child.kill('SIGTERM')
      await new Promise((resolve) => server.child.once('exit', resolve))
    }
  })

  it('acks=0: records are reported sent with offset -1, as Kafka reports them', async () => {
    const p = await cli(['verifiable-producer', '--topic', 'fire', '--max-messages', '5', '--acks', '0'])
    expect(expectProducerRun(p, 'fire', 5).map((a) => a.offset)).toEqual([-1, -1, -1, -1, -1])
  })

  it('a record the broker refuses is a producer_send_error with its key, value and Kafka exception class', async () => {
    expect((await cli(['topics', '--create', '--topic', 'small', '--config', 'max.message.bytes=60'])).code).toBe(0)
    const r = await cli(['verifiable-producer', '--topic', 'small', '--max-messages', '2', '--value-prefix', '123456789', '--repeating-keys', '1000000'])
    expect(r.code).toBe(0)
    const lines = r.out.split('\n').filter((l) => l.includes('producer_send_error'))
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(/^\{"timestamp":\d+,"name":"producer_send_error","key":"0","value":"123456789\.0","topic":"small","exception":"class org\.apache\.kafka\.common\.errors\.RecordTooLargeException","message":"[^"]+"\}$/)
    expect(r.out.trim().split('\n').at(-1)).toMatch(/"sent":2,"acked":0,"target_throughput":-1,"avg_throughput":0\.0\}$/)
  })

  it('without --enable-autocommit nothing is committed but by the tool; with it, no offsets_committed events', async () => {
    expectProducerRun(await cli(['verifiable-producer', '--topic', 'auto', '--max-messages', '20']), 'auto', 20)
    const c = await cli(['verifiable-consumer', '--topic', 'auto', '--group-id', 'autos', '--max-messages', '20', '--enable-autocommit'])
    expect(c.code, c.stderr).toBe(0)
    const all = events(c.out)
    expect(all.filter((e) => e.name === 'offsets_committed')).toEqual([])
    expect(all.filter((e) => e.name === 'records_consumed').reduce((n, e) => n + (e['count'] as number), 0)).toBe(20)
    // Auto-commit on close: the group starts after the 20 records.
    const offsets = await cli(['consumer-groups', '--describe', '--group', 'autos'])
    expect(offsets.out).toMatch(/autos\s+auto\s+0\s+20\s+20\s+0/)
  })
})

/**
 * A tool that runs until told to stop: started, sent SIGTERM once a stdout line matches `ready`, and
 * its whole stdout once it exited.
 */
async function runUntilSignalled(args: readonly string[], ready: RegExp): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1', KAFKA_TS_DATA_DIR: data }, stdio: ['ignore', 'pipe', 'ignore'] })
  let out = ''
  let signalled = false
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString('utf8')
    if (!signalled && ready.test(out)) {
      signalled = true
      child.kill('SIGTERM')
    }
  })
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve))
  return { code, out }
}

describe('running until SIGTERM', () => {
  it('verifiable-producer flushes, then prints shutdown_complete and tool_data', async () => {
    const r = await runUntilSignalled(['verifiable-producer', '--topic', 'endless', '--throughput', '500'], /"offset":20\}/)
    expect(r.code).toBe(0)
    const all = events(r.out)
    expect(all.slice(-2).map((e) => e.name)).toEqual(['shutdown_complete', 'tool_data'])
    const data = all.at(-1)!
    expect(data['sent']).toBe(data['acked'])
    expect(all.filter((e) => e.name === 'producer_send_success')).toHaveLength(data['acked'] as number)
  })

  it('verifiable-consumer prints shutdown_requested, gives its partitions up and shuts down', async () => {
    expectProducerRun(await cli(['verifiable-producer', '--topic', 'waiting', '--max-messages', '5']), 'waiting', 5)
    const r = await runUntilSignalled(['verifiable-consumer', '--topic', 'waiting', '--group-id', 'waiters'], /"offsets_committed"/)
    expect(r.code).toBe(0)
    const all = events(r.out)
    expect(all.slice(-3).map((e) => e.name)).toEqual(['shutdown_requested', 'partitions_revoked', 'shutdown_complete'])
  })
})

describe('e2e-latency', () => {
  const RESULT = /^Avg latency: \d+\.\d{4} ms\nPercentiles: 50th = (\d+), 99th = (\d+), 99\.9th = (\d+)$/m

  function expectLatencyRun(r: CliResult, records: number): void {
    expect(r.code, r.stderr).toBe(0)
    const lines = r.out.split('\n').filter((l) => l !== '')
    const progress = lines.filter((l) => /^\d+\t/.test(l))
    expect(progress.map((l) => Number(l.split('\t')[0]))).toEqual(Array.from({ length: Math.ceil(records / 1000) }, (_, i) => i * 1000))
    for (const l of progress) expect(l).toMatch(/^\d+\t\d+\.\d+(E-?\d+)?$/)
    const m = RESULT.exec(lines.slice(-2).join('\n'))
    expect(m, r.out).not.toBeNull()
    const [p50, p99, p999] = [m?.[1], m?.[2], m?.[3]].map(Number)
    expect(p50).toBeLessThanOrEqual(p99 ?? 0)
    expect(p99).toBeLessThanOrEqual(p999 ?? 0)
  }

  it('embedded: creates the topic, sends keyed records with headers and prints the latencies', async () => {
    const r = await cli(['e2e-latency', '--topic', 'lat', '--num-records', '1200', '--producer-acks', 'all', '--record-size', '100', '--record-key-size', '4', '--num-headers', '2', '--record-header-size', '-1'])
    expect(r.out.split('\n')[0]).toBe('Topic "lat" does not exist. Will create topic with 1 partition(s) and replication factor = 1')
    expectLatencyRun(r, 1200)
  })

  it('positional form against server-start: the deprecation warning, empty keys kept apart from null ones', async () => {
    const server = await startServerProcess(['--override', 'listeners=PLAINTEXT://127.0.0.1:0'], { KAFKA_TS_DATA_DIR: data })
    try {
      const props = path.join(dir, 'client.properties')
      fs.writeFileSync(props, 'client.id=latency-check\n')
      const r = await cli(['e2e-latency', `127.0.0.1:${server.port}`, 'lat-wire', '300', '1', '64', props])
      expect(r.out.split('\n')[0]).toBe(
        'WARNING: Positional argument usage is deprecated and will be removed in Apache Kafka 5.0. Please use named arguments instead: --bootstrap-server, --topic, --num-records, --producer-acks, --record-size, --command-config',
      )
      expectLatencyRun(r, 300)
    } finally {
      server.child.kill('SIGTERM')
      await new Promise((resolve) => server.child.once('exit', resolve))
    }
  })

  it('positional broker_list "local" is the data directory', async () => {
    expectLatencyRun(await cli(['e2e-latency', 'local', 'lat-local', '50', 'all', '10']), 50)
  })
})

describe('bad arguments get Kafka messages', () => {
  const lastLine = (r: CliResult) => r.stderr.trimEnd().split('\n').at(-1)

  it('verifiable-producer: argparse4j usage and error, exit 1', async () => {
    const r = await cli(['verifiable-producer', '--topic', 't', '--acks', '2'])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^usage: verifiable-producer \[-h\] --topic TOPIC/)
    expect(lastLine(r)).toBe("verifiable-producer: error: argument --acks: invalid choice: '2' (choose from {0,1,-1})")
    const both = await cli(['verifiable-producer', '--topic', 't', '--command-config', 'a', '--producer.config', 'b'])
    expect(lastLine(both)).toBe('verifiable-producer: error: Options --producer.config and --command-config are mutually exclusive.')
  })

  it('verifiable-producer and verifiable-consumer without arguments print their help and exit 0', async () => {
    for (const tool of ['verifiable-producer', 'verifiable-consumer']) {
      const r = await cli([tool])
      expect(r.code).toBe(0)
      expect(r.out).toMatch(new RegExp(`^usage: ${tool} \\[-h\\]`))
      expect(r.out).toContain('named arguments:')
    }
  })

  it('verifiable-consumer: a missing --group-id, and --group-protocol consumer refused in one line', async () => {
    const r = await cli(['verifiable-consumer', '--topic', 't'])
    expect(r.code).toBe(1)
    expect(lastLine(r)).toBe('verifiable-consumer: error: argument --group-id is required')
    const k = await cli(['verifiable-consumer', '--topic', 't', '--group-id', 'g', '--group-protocol', 'consumer'])
    expect(k.code).toBe(1)
    expect(k.stderr.trim().split('\n')).toHaveLength(1)
    expect(k.stderr).toContain('--group-protocol consumer (KIP-848) is not supported yet')
  })

  it('e2e-latency: the positional count, acks and sizes as Kafka words them', async () => {
    const cases: [string[], string][] = [
      [['a', 'b', 'c'], 'Invalid number of arguments. Expected 5 or 6 positional arguments, but got 3. Usage: bootstrap-server topic num-records producer-acks record-size [optional] command-config'],
      [['--topic', 't', '--num-records', '1', '--producer-acks', '0', '--record-size', '1'], "Invalid value for --producer-acks. Latency testing requires synchronous acknowledgement. Please use '1' or 'all'."],
      [['--topic', 't', '--num-records', '0', '--producer-acks', '1', '--record-size', '1'], 'Value for --num-records must be a positive integer.'],
      [['--topic', 't', '--num-records', '1', '--producer-acks', '1', '--record-size', '-1'], 'Value for --record-size must be a non-negative integer.'],
      [['--topic', 't', '--num-records', '1', '--producer-acks', '1', '--record-size', '1', '--record-header-size', '-2'], 'Value for --record-header-size must be a non-negative integer or -1 for null header value.'],
      [['--num-records', '1', '--producer-acks', '1', '--record-size', '1'], 'Missing required argument "[topic]"'],
    ]
    for (const [args, message] of cases) {
      const r = await cli(['e2e-latency', ...args])
      expect(r.code, args.join(' ')).toBe(1)
      expect(withoutInitNote(r.stderr).trim()).toBe(message)
    }
  })
})
