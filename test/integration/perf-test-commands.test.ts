// producer-perf-test and consumer-perf-test as real processes (the built dist/): embedded over a temp data
// directory, and remote against a broker on 127.0.0.1 (in-process startTestServer, and one real
// `server-start` process) sharing that directory. Output lines are checked against Kafka's formats
// (cli.md §8, §9; ProducerPerformance / ConsumerPerformance printf patterns), the records are counted
// back (get-offsets, console-consumer) and the refusals carry Kafka's texts. No timing is asserted.

import fs from 'node:fs'
import path from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { runCli, tempDir, type CliResult } from '../helpers/cli.js'
import { startServerProcess, startTestServer, type TestServer } from '../helpers/server.js'

/** Scratch files (payload and properties files) live in `dir`, the data directory in `data` below it. */
let dir: string
let data: string
let cleanup: () => void
beforeEach(() => {
  ;({ dir, cleanup } = tempDir('kafka-ts-perf-'))
  data = path.join(dir, 'data')
})
afterEach(() => cleanup())

const cli = (args: readonly string[], opts: { timeoutMs?: number } = {}) => runCli(args, { dataDir: data, ...opts })

// `%d records sent, %.1f records/sec (%.2f MB/sec), %.1f ms avg latency, %.1f ms max latency.`
const WINDOW = /^\d+ records sent, \d+\.\d records\/sec \(\d+\.\d\d MB\/sec\), \d+\.\d ms avg latency, \d+\.\d ms max latency\.$/
// `%d records sent, %f records/sec (%.2f MB/sec), %.2f ms avg latency, %.2f ms max latency, %d ms 50th, …`
const TOTAL =
  /^(\d+) records sent, \d+\.\d{6} records\/sec \(\d+\.\d\d MB\/sec\), \d+\.\d\d ms avg latency, \d+\.\d\d ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99\.9th\.$/
const SUMMARY_HEADER = 'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec'
const DETAILED_HEADER = 'time, threadId, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec'
const DATE = '\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d:\\d{3}'
const F4 = '-?\\d+\\.\\d{4}|NaN|Infinity'
const SUMMARY_ROW = new RegExp(`^(${DATE}), (${DATE}), (${F4}), (${F4}), (\\d+), (${F4}), (\\d+), (-?\\d+), (${F4}), (${F4})$`)
const DETAILED_ROW = new RegExp(`^${DATE}, 0, (${F4}), (${F4}), (\\d+), (${F4}), (\\d+), (-?\\d+), (${F4}), (${F4})$`)

/** The embedded tools' note on stderr when they create the data directory. */
function withoutInitNote(stderr: string): string {
  return stderr.replace(/^Initialised a new kafka-ts data directory .*\n/, '')
}

function lines(r: CliResult): string[] {
  return r.out.split('\n').filter((l) => l !== '')
}

/** The producer's stdout: interim window lines, then one total line; returns the total's record count. */
function expectProducerOutput(r: CliResult, records: number): void {
  expect(withoutInitNote(r.stderr)).toBe('')
  expect(r.code).toBe(0)
  const out = lines(r)
  const total = out.at(-1) ?? ''
  for (const l of out.slice(0, -1)) expect(l).toMatch(WINDOW)
  const m = TOTAL.exec(total)
  expect(m, total).not.toBeNull()
  expect(Number(m?.[1])).toBe(records)
  const [p50, p95, p99, p999] = [m?.[2], m?.[3], m?.[4], m?.[5]].map(Number)
  expect(p50).toBeLessThanOrEqual(p95 ?? 0)
  expect(p95).toBeLessThanOrEqual(p99 ?? 0)
  expect(p99).toBeLessThanOrEqual(p999 ?? 0)
}

/** The consumer's summary row (after the header); returns nMsg and the MB figure. */
function summaryRow(r: CliResult): { messages: number; mb: number; rebalanceMs: number; fetchMs: number } {
  expect(r.code, r.stderr).toBe(0)
  const out = lines(r)
  expect(out[0]).toBe(SUMMARY_HEADER)
  const m = SUMMARY_ROW.exec(out.at(-1) ?? '')
  expect(m, out.at(-1)).not.toBeNull()
  return { messages: Number(m?.[5]), mb: Number(m?.[3]), rebalanceMs: Number(m?.[7]), fetchMs: Number(m?.[8]) }
}

async function latestOffset(topic: string): Promise<string> {
  const r = await cli(['get-offsets', '--topic', topic])
  expect(r.code, r.stderr).toBe(0)
  return r.out.trim()
}

async function values(topic: string, n: number): Promise<string[]> {
  const r = await cli(['console-consumer', '--topic', topic, '--from-beginning', '--max-messages', String(n)])
  expect(r.code, r.stderr).toBe(0)
  return r.out.split('\n').slice(0, -1)
}

describe('producer-perf-test, embedded', () => {
  it('sends --num-records random uppercase payloads of --record-size and prints Kafka\'s total line', async () => {
    const r = await cli(['producer-perf-test', '--topic', 'perf', '--num-records', '5000', '--record-size', '100', '--throughput', '-1'])
    expectProducerOutput(r, 5000)
    expect(await latestOffset('perf')).toBe('perf:0:5000')
    const got = await values('perf', 5000)
    expect(got).toHaveLength(5000)
    for (const v of got) expect(v).toMatch(/^[A-Z]{100}$/)
    // Random per record, not one payload repeated.
    expect(new Set(got).size).toBeGreaterThan(4900)
  })

  it('spreads records over the partitions of an existing topic; acks=1 and a --command-config file are honoured', async () => {
    expect((await cli(['topics', '--create', '--topic', 'wide', '--partitions', '3'])).code).toBe(0)
    const config = path.join(dir, 'producer.properties')
    fs.writeFileSync(config, 'acks=1\nbatch.size=2048\nlinger.ms=5\n')
    const r = await cli(['producer-perf-test', '--topic', 'wide', '--num-records', '3000', '--record-size', '50', '--throughput', '-1', '--command-config', config, '--command-property', 'client.id=mine'])
    expectProducerOutput(r, 3000)
    const offsets = (await latestOffset('wide')).split('\n').map((l) => Number(l.split(':')[2]))
    expect(offsets).toHaveLength(3)
    expect(offsets.reduce((a, b) => a + b, 0)).toBe(3000)
    expect(offsets.filter((n) => n > 0).length).toBeGreaterThan(1)
  })

  it('--payload-monotonic sends 0, 1, 2, … and --throughput throttles without losing records', async () => {
    const r = await cli(['producer-perf-test', '--topic', 'mono', '--num-records', '300', '--payload-monotonic', '--throughput', '1000'])
    expectProducerOutput(r, 300)
    expect(await values('mono', 300)).toEqual(Array.from({ length: 300 }, (_, i) => String(i)))
  })

  it('--payload-file with --payload-delimiter: prints where it reads and how many payloads, sends only those', async () => {
    const file = path.join(dir, 'payloads.txt')
    fs.writeFileSync(file, 'alpha;beta;gamma;')
    const r = await cli(['producer-perf-test', '--topic', 'pf', '--num-records', '200', '--payload-file', file, '--payload-delimiter', ';', '--throughput', '-1'])
    expect(r.code, r.stderr).toBe(0)
    const out = lines(r)
    expect(out[0]).toBe(`Reading payloads from: ${file}`)
    expect(out[1]).toBe('Number of records read: 3')
    expect(TOTAL.exec(out.at(-1) ?? '')?.[1]).toBe('200')
    const got = await values('pf', 200)
    expect(new Set(got)).toEqual(new Set(['alpha', 'beta', 'gamma']))
  })

  it('--warmup-records adds the steady-state total; --reporting-interval sets the window; 3.9 names warn', async () => {
    // 1 000 records/s for 1.5 s: windows of 200 ms, the last 1 000 records in steady state.
    const r = await cli(['producer-perf-test', '--topic', 'warm', '--num-records', '1500', '--record-size', '10', '--throughput', '1000',
      '--warmup-records', '500', '--reporting-interval', '200', '--producer-props', 'acks=1'])
    expect(withoutInitNote(r.stderr)).toBe('')
    expect(r.code).toBe(0)
    const out = lines(r)
    expect(out.slice(0, 2)).toEqual([
      'Option --producer-props has been deprecated and will be removed in a future version. Use --command-property instead.',
      'Warmup first 500 records. Steady state results will print after the complete test summary.',
    ])
    const windows = out.slice(2, -2).filter((l) => l !== 'In steady state.')
    for (const l of windows) expect(l).toMatch(WINDOW)
    // 1.5 s in 200 ms windows: several interim lines (the 5 s default would give none).
    expect(windows.length).toBeGreaterThan(2)
    expect(out.filter((l) => l === 'In steady state.')).toHaveLength(1)
    expect(TOTAL.exec(out.at(-2) ?? '')?.[1]).toBe('1500')
    expect(out.at(-1)).toMatch(/^1000 steady state records sent, [\d.]+ records\/sec /)
  })

  it('--print-metrics prints a note on stderr and still reports', async () => {
    const r = await cli(['producer-perf-test', '--topic', 'pm', '--num-records', '10', '--record-size', '10', '--throughput', '-1', '--print-metrics'])
    expect(r.code).toBe(0)
    expect(lines(r).at(-1)).toMatch(TOTAL)
    expect(r.stderr).toContain('--print-metrics')
  })
})

describe('producer-perf-test, refused arguments (argparse4j texts, exit 1)', () => {
  const usageError = async (args: string[], message: string) => {
    const r = await cli(['producer-perf-test', ...args])
    expect(r.code).toBe(1)
    expect(r.out).toBe('')
    expect(r.stderr).toMatch(/^usage: kafka-producer-perf-test \[-h\] --topic TOPIC --num-records NUM-RECORDS/)
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe(`kafka-producer-perf-test: error: ${message}`)
  }
  const base = ['--topic', 't', '--throughput', '-1']

  it('negative or zero --num-records', async () => {
    await usageError([...base, '--num-records', '-5', '--record-size', '10'], '--num-records should be greater than zero')
    await usageError([...base, '--num-records', '0', '--record-size', '10'], '--num-records should be greater than zero')
  })
  it('--record-size 0 without a payload file', () => usageError([...base, '--num-records', '5', '--record-size', '0'], '--record-size should be greater than zero'))
  it('missing --topic', () => usageError(['--num-records', '5', '--record-size', '10', '--throughput', '-1'], 'argument --topic is required'))
  it('both --record-size and --payload-file', () =>
    usageError([...base, '--num-records', '5', '--record-size', '10', '--payload-file', 'x'], 'argument --payload-file: not allowed with argument --record-size'))
  it('no payload option', () => usageError([...base, '--num-records', '5'], 'one of the arguments --record-size --payload-file --payload-monotonic is required'))
  it('a number that is not one', () =>
    usageError([...base, '--num-records', 'many', '--record-size', '10'], 'argument --num-records: could not convert \'many\' to Long (For input string: "many")'))
  it('an unknown option', () => usageError([...base, '--num-records', '5', '--record-size', '10', '--bogus'], "unrecognized arguments: '--bogus'"))
  it('both the 3.9 and the 4.3 name of a renamed option', async () => {
    await usageError([...base, '--num-records', '5', '--record-size', '10', '--producer-props', 'acks=1', '--command-property', 'acks=1'], '--command-property and --producer-props cannot be specified together.')
    await usageError([...base, '--num-records', '5', '--record-size', '10', '--producer.config', 'a', '--command-config', 'b'], '--command-config and --producer.config cannot be specified together.')
  })
  it('--warmup-records not below --num-records, --reporting-interval 0', async () => {
    await usageError([...base, '--num-records', '5', '--record-size', '10', '--warmup-records', '5'], 'The value for --warmup-records must be strictly fewer than the number of records in the test, --num-records.')
    await usageError([...base, '--num-records', '5', '--record-size', '10', '--reporting-interval', '0'], '--reporting-interval should be greater than zero')
  })
  it('--transaction-duration-ms 0', () =>
    usageError([...base, '--num-records', '5', '--record-size', '10', '--transaction-duration-ms', '0'], '--transaction-duration-ms should be greater than zero'))

  it('a --command-property item that is not k=v, a missing payload file', async () => {
    let r = await cli(['producer-perf-test', ...base, '--num-records', '5', '--record-size', '10', '--command-property', 'acks'])
    expect(r.code).toBe(1)
    expect(r.stderr).toBe('Invalid property: acks\n')
    r = await cli(['producer-perf-test', ...base, '--num-records', '5', '--payload-file', path.join(dir, 'missing.txt')])
    expect(r.code).toBe(1)
    expect(r.out).toBe(`Reading payloads from: ${path.join(dir, 'missing.txt')}\n`)
    expect(r.stderr).toBe('File does not exist or empty file provided.\n')
  })

  it('no arguments at all: the help, exit 0', async () => {
    const r = await cli(['producer-perf-test'])
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/^usage: kafka-producer-perf-test/)
    expect(r.out).toContain('--record-size RECORD-SIZE')
  })
})

describe('consumer-perf-test, embedded', () => {
  beforeEach(async () => {
    const r = await cli(['producer-perf-test', '--topic', 'perf', '--num-records', '5000', '--record-size', '100', '--throughput', '-1'])
    expect(r.code, r.stderr).toBe(0)
  })

  it('consumes exactly --num-records and prints the summary row; a second group starts from the beginning again', async () => {
    const r = await cli(['consumer-perf-test', '--topic', 'perf', '--num-records', '3000', '--group', 'g1'])
    const row = summaryRow(r)
    expect(row.messages).toBe(3000)
    expect(row.mb).toBeCloseTo((3000 * 100) / 1048576, 4)
    expect(row.rebalanceMs).toBeGreaterThanOrEqual(0)
    expect(r.stderr).toBe('')
    // The group committed 3000: the same group reads on from there.
    const again = await cli(['consumer-perf-test', '--topic', 'perf', '--num-records', '2000', '--group', 'g1', '--hide-header'])
    expect(again.code, again.stderr).toBe(0)
    expect(lines(again)).toHaveLength(1)
    expect(SUMMARY_ROW.exec(lines(again)[0] ?? '')?.[5]).toBe('2000')
  })

  it('takes Kafka 3.9\'s --messages and --consumer.config with 4.3\'s warnings on stdout, and --command-property', async () => {
    const file = path.join(dir, 'consumer.properties')
    fs.writeFileSync(file, 'client.id=from-file\n')
    const r = await cli(['consumer-perf-test', '--topic', 'perf', '--messages', '100', '--consumer.config', file, '--command-property', 'client.id=from-flag'])
    expect(r.code, r.stderr).toBe(0)
    expect(lines(r).slice(0, 2)).toEqual(['Warning: --messages is deprecated. Use --num-records instead.', 'Warning: --consumer.config is deprecated. Use --command-config instead.'])
    expect(SUMMARY_ROW.exec(lines(r).at(-1) ?? '')?.[5]).toBe('100')
  })

  it('--show-detailed-stats prints interval rows only, --date-format shapes the time, --include selects topics', async () => {
    const r = await cli(['consumer-perf-test', '--include', 'pe.*', '--num-records', '5000', '--show-detailed-stats', '--reporting-interval', '1', '--date-format', "yyyy-MM-dd'T'HH:mm"])
    expect(r.code, r.stderr).toBe(0)
    const out = lines(r)
    expect(out[0]).toBe(DETAILED_HEADER)
    const rows = out.slice(1)
    expect(rows.length).toBeGreaterThan(0)
    for (const row of rows) {
      expect(row).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d, 0, /)
      expect(row.replace(/^\S+, /, '2000-01-01 00:00:00:000, ')).toMatch(DETAILED_ROW)
    }
  })

  it('fewer records than --messages: the WARNING after --timeout, then the row with what was read', async () => {
    // The timeout also bounds the group join, as in Kafka.
    const r = await cli(['consumer-perf-test', '--topic', 'perf', '--num-records', '6000', '--timeout', '5000'])
    expect(r.code, r.stderr).toBe(0)
    const out = lines(r)
    expect(out).toContain(
      'WARNING: Exiting before consuming the expected number of records: timeout (5000 ms) exceeded. You can use the --timeout option to increase the timeout.',
    )
    expect(SUMMARY_ROW.exec(out.at(-1) ?? '')?.[5]).toBe('5000')
  })

  it('--from-latest with nothing new reads nothing', async () => {
    const r = await cli(['consumer-perf-test', '--topic', 'perf', '--num-records', '10', '--from-latest', '--timeout', '500', '--hide-header'])
    expect(r.code, r.stderr).toBe(0)
    expect(lines(r)[0]).toMatch(/^WARNING: Exiting before consuming/)
    expect(SUMMARY_ROW.exec(lines(r).at(-1) ?? '')?.[5]).toBe('0')
  })

  it('refuses bad options with Kafka\'s messages', async () => {
    let r = await cli(['consumer-perf-test', '--topic', 'perf'])
    expect(r.code).toBe(1)
    expect(r.stderr).toBe('Exactly one of the following arguments is required: [messages], [num-records]\n')
    r = await cli(['consumer-perf-test', '--topic', 'perf', '--messages', '1', '--num-records', '1'])
    expect(r.stderr).toBe('Exactly one of the following arguments is required: [messages], [num-records]\n')
    r = await cli(['consumer-perf-test', '--topic', 'perf', '--num-records', '1', '--consumer.config', 'a', '--command-config', 'b'])
    expect(r.stderr).toBe('Option "[consumer.config]" can\'t be used with option "[command-config]"\n')
    // Kafka 4.0 removed these.
    r = await cli(['consumer-perf-test', '--topic', 'perf', '--num-records', '1', '--broker-list', 'localhost:9092'])
    expect(r.stderr).toContain('broker-list is not a recognized option')
    r = await cli(['consumer-perf-test', '--topic', 'perf', '--include', 'p.*', '--num-records', '1'])
    expect(r.code).toBe(1)
    expect(r.stderr).toBe('Exactly one of the following arguments is required: [topic], [include]\n')
    r = await cli(['consumer-perf-test', '--topic', 'perf', '--num-records', '1', '--reporting-interval', '0'])
    expect(r.code).toBe(1)
    expect(r.stderr).toBe('Reporting interval must be greater than 0.\n')
  })
})

describe('against a broker on 127.0.0.1, sharing the data directory', () => {
  let server: TestServer
  beforeEach(async () => {
    server = await startTestServer({ dataDir: data, props: { 'group.initial.rebalance.delay.ms': '0' } })
  })
  afterEach(async () => {
    await server.stop()
  })

  it('producer-perf-test with bootstrap.servers in --command-property, then with --bootstrap-server; consumer-perf-test reads exactly --messages', async () => {
    let r = await cli(['producer-perf-test', '--topic', 'remote', '--num-records', '4000', '--record-size', '100', '--throughput', '-1', '--command-property', `bootstrap.servers=${server.bootstrap}`, 'acks=all'])
    expectProducerOutput(r, 4000)
    r = await cli(['producer-perf-test', '--topic', 'remote', '--num-records', '1000', '--record-size', '100', '--throughput', '-1', '--bootstrap-server', server.bootstrap, '--command-property', 'acks=1'])
    expectProducerOutput(r, 1000)
    // The broker stored them in the shared directory: the embedded tools see them.
    expect(await latestOffset('remote')).toBe('remote:0:5000')

    r = await cli(['consumer-perf-test', '--bootstrap-server', server.bootstrap, '--topic', 'remote', '--num-records', '4500'])
    const row = summaryRow(r)
    expect(row.messages).toBe(4500)
    expect(row.mb).toBeCloseTo((4500 * 100) / 1048576, 4)
  })
})

describe('producer-perf-test in transactions (--transactional-id, --transaction-duration-ms, transactional.id)', () => {
  /** Records a read_committed consumer of the topic sees, and the transactional id's state as the transactions tool describes it. */
  async function committedView(topic: string, transactionalId: string, extra: readonly string[] = []) {
    const read = await cli(['console-consumer', ...extra, '--topic', topic, '--from-beginning', '--isolation-level', 'read_committed', '--timeout-ms', '3000'])
    const described = await cli(['transactions', ...extra, 'describe', '--transactional-id', transactionalId])
    const row = described.out.split('\n')[1]?.split('\t').map((c) => c.trimEnd()) ?? []
    return { records: read.out.split('\n').filter((l) => l !== '').length, state: row[4], partitions: row[8] }
  }

  it('embedded: every record committed, in transactions of --transaction-duration-ms', async () => {
    let r = await cli(['topics', '--create', '--topic', 'txn-perf', '--partitions', '2'])
    expect(r.code, r.stderr).toBe(0)
    r = await cli(['producer-perf-test', '--topic', 'txn-perf', '--num-records', '3000', '--record-size', '20', '--throughput', '20000', '--transactional-id', 'perf-1', '--transaction-duration-ms', '20'])
    expectProducerOutput(r, 3000)
    expect(await committedView('txn-perf', 'perf-1')).toEqual({ records: 3000, state: 'CompleteCommit', partitions: '' })
    // Several transactions: every one wrote a COMMIT marker into both partitions.
    const log = await cli(['dump-log', '--files', 'txn-perf-0'])
    expect(log.out.split('\n').filter((l) => l.includes('isControl: true')).length).toBeGreaterThan(1)
  })

  it('remote: transactional.id in --command-property, the default duration', async () => {
    const server = await startTestServer({ dataDir: data })
    try {
      const extra = ['--bootstrap-server', server.bootstrap]
      const r = await cli(['producer-perf-test', ...extra, '--topic', 'txn-remote', '--num-records', '2000', '--record-size', '20', '--throughput', '-1', '--command-property', 'transactional.id=perf-2'])
      expectProducerOutput(r, 2000)
      expect(await committedView('txn-remote', 'perf-2', extra)).toEqual({ records: 2000, state: 'CompleteCommit', partitions: '' })
    } finally {
      await server.stop()
    }
  })
})

describe('against a server-start process', () => {
  it('produces and consumes through the wire protocol', async () => {
    const server = await startServerProcess(['--override', 'listeners=PLAINTEXT://127.0.0.1:0', '--override', 'group.initial.rebalance.delay.ms=0'], { KAFKA_TS_DATA_DIR: data })
    try {
      const bootstrap = `127.0.0.1:${server.port}`
      const p = await cli(['producer-perf-test', '--topic', 'wire', '--num-records', '2000', '--record-size', '64', '--throughput', '-1', '--command-property', `bootstrap.servers=${bootstrap}`])
      expectProducerOutput(p, 2000)
      const c = await cli(['consumer-perf-test', '--bootstrap-server', bootstrap, '--topic', 'wire', '--num-records', '2000', '--group', 'wire-readers'])
      expect(summaryRow(c).messages).toBe(2000)
    } finally {
      server.child.kill('SIGTERM')
      await new Promise((resolve) => server.child.once('exit', resolve))
    }
  })
})
