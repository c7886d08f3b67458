// console-consumer as a real process over a real data directory: start positions, exit conditions,
// Kafka's DefaultMessageFormatter output for every property (kafka-reference/cli.md §3.2), the option
// checks of §3.1 with Kafka's texts, deserializer failures and a stdout closed early.

import { spawn } from 'node:child_process'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { partitionForKey } from '../../src/broker/partitioner.js'
import { BIN, tempDir } from '../helpers/cli.js'
import { consume, createTopic, lines, produce, startCli } from './fixtures/console.js'

let dir: string
let cleanup: () => void
beforeEach(() => {
  ;({ dir, cleanup } = tempDir())
})
afterEach(() => cleanup())

const seq = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `m${from + i}`)
async function produceLines(topic: string, values: string[], ...args: string[]): Promise<void> {
  const p = await produce(dir, topic, values.map((v) => v + '\n').join(''), ...args)
  expect(p.stderr.replace(/^Initialised a new kafka-ts data directory .*\n/, '')).toBe('')
  expect(p.code).toBe(0)
}

describe('start position and exit conditions', () => {
  beforeEach(async () => {
    await produceLines('t', seq(0, 9))
  })

  it.each([
    [['--offset', '7'], seq(7, 9)],
    [['--offset', '0'], seq(0, 9)],
    [['--offset', '10'], []],
    [['--offset', 'earliest'], seq(0, 9)],
    [['--offset', 'latest'], []],
    [[], []],
    [['--from-beginning'], seq(0, 9)],
  ])('--partition 0 %j reads from the right offset', async (args, expected) => {
    const c = await consume(dir, '--topic', 't', '--partition', '0', ...args, '--timeout-ms', '200')
    expect(c.code).toBe(0)
    expect(lines(c.out)).toEqual(expected)
    expect(c.stderr).toContain(`Processed a total of ${expected.length} messages\n`)
  })

  it('resets an out-of-range --offset to the latest offset (auto.offset.reset=latest)', async () => {
    const consumer = startCli(['console-consumer', '--topic', 't', '--partition', '0', '--offset', '99'], dir)
    try {
      // Nothing tells when the consumer has taken its position, so keep adding one record until it
      // prints: a reset to latest prints from the first record added after that, a reset to earliest
      // would print m0 first, and a consumer left at 99 would print nothing within these 20.
      let next = 10
      let seen = false
      while (!seen && next < 30) {
        await produceLines('t', [`m${next++}`])
        seen = await consumer.waitForStdout((out) => out !== '', 1000).then(() => true, () => false)
      }
      await consumer.waitForStdout((out) => out.endsWith(`m${next - 1}\n`), 10_000)
      const got = lines(consumer.stdout().toString())
      const first = Number(got[0]?.slice(1))
      expect(first).toBeGreaterThanOrEqual(10)
      expect(got).toEqual(seq(first, next - 1))
    } finally {
      consumer.child.kill('SIGINT')
    }
    expect((await consumer.exited).code).toBe(0)
  })

  it('stops after --max-messages', async () => {
    const c = await consume(dir, '--topic', 't', '--from-beginning', '--max-messages', '4')
    expect(c.code).toBe(0)
    expect(lines(c.out)).toEqual(seq(0, 3))
    expect(c.stderr).toBe('Processed a total of 4 messages\n')
    const none = await consume(dir, '--topic', 't', '--from-beginning', '--max-messages', '0')
    expect(none.code).toBe(0)
    expect(none.out).toBe('')
    expect(none.stderr).toBe('Processed a total of 0 messages\n')
  })

  it('exits 0 after --timeout-ms without records and reports the count', async () => {
    const c = await consume(dir, '--topic', 't', '--from-beginning', '--timeout-ms', '300')
    expect(c.code).toBe(0)
    expect(lines(c.out)).toEqual(seq(0, 9))
    expect(c.stderr).toContain('Processed a total of 10 messages\n')
    expect(c.stderr).toContain('Error processing message, terminating consumer process: ')
    const idle = await consume(dir, '--topic', 't', '--timeout-ms', '300')
    expect(idle.code).toBe(0)
    expect(idle.out).toBe('')
    expect(idle.stderr).toContain('Processed a total of 0 messages\n')
  })

  it('reads every partition of a topic', async () => {
    expect((await createTopic(dir, 'multi', '--partitions', '3')).code).toBe(0)
    const input = Array.from({ length: 300 }, (_, i) => `k${i}\tv${i}`)
    await produceLines('multi', input, '--reader-property', 'parse.key=true')
    const c = await consume(dir, '--topic', 'multi', '--from-beginning', '--timeout-ms', '200', '--formatter-property', 'print.partition=true', '--formatter-property', 'print.key=true')
    const got = lines(c.out)
    expect([...got].sort()).toEqual(input.map((l) => `Partition:${partitionForKey(Buffer.from(l.split('\t')[0] ?? ''), 3)}\t${l}`).sort())
    for (let p = 0; p < 3; p++) {
      const one = await consume(dir, '--topic', 'multi', '--partition', String(p), '--offset', 'earliest', '--timeout-ms', '200', '--formatter-property', 'print.partition=true', '--formatter-property', 'print.key=true')
      expect(lines(one.out)).toEqual(got.filter((l) => l.startsWith(`Partition:${p}\t`)))
    }
  })
})

describe('DefaultMessageFormatter properties', () => {
  interface Rec {
    ts: number
    partition: number
    offset: number
    headers: [string, string | null][]
    key: string | null
    value: string | null
  }
  let recs: Rec[]

  beforeEach(async () => {
    const before = Date.now()
    await produceLines('fmt', ['h1:a,h2:b\tk1\tv1', 'NULL\tk2\tv2', 'h:NULL\tNULL\tNULL', 'x:\u00e9\t\t'], '--reader-property', 'parse.key=true', '--reader-property', 'parse.headers=true', '--reader-property', 'null.marker=NULL')
    const after = Date.now()
    const c = await consume(dir, '--topic', 'fmt', '--from-beginning', '--timeout-ms', '200', '--formatter-property', 'print.timestamp=true', '--formatter-property', 'print.offset=true', '--formatter-property', 'print.value=false')
    const stamps = lines(c.out).map((l) => /^CreateTime:(\d+)\tOffset:(\d+)$/.exec(l))
    expect(stamps.every((m) => m !== null)).toBe(true)
    const ts = stamps.map((m) => Number(m?.[1]))
    expect(stamps.map((m) => Number(m?.[2]))).toEqual([0, 1, 2, 3])
    expect(ts.every((t) => t >= before && t <= after)).toBe(true)
    recs = [
      { ts: ts[0] ?? 0, partition: 0, offset: 0, headers: [['h1', 'a'], ['h2', 'b']], key: 'k1', value: 'v1' },
      { ts: ts[1] ?? 0, partition: 0, offset: 1, headers: [], key: 'k2', value: 'v2' },
      { ts: ts[2] ?? 0, partition: 0, offset: 2, headers: [['h', null]], key: null, value: null },
      { ts: ts[3] ?? 0, partition: 0, offset: 3, headers: [['x', '\u00e9']], key: '', value: '' },
    ]
  })

  /** Kafka's layout, written independently: enabled fields in fixed order, key.separator between, line.separator after. */
  function expected(props: Record<string, string>): string {
    const on = (name: string, dflt: boolean) => (props[name] === undefined ? dflt : props[name].trim().toLowerCase() === 'true')
    const keySep = props['key.separator'] ?? '\t'
    const lineSep = props['line.separator'] ?? '\n'
    const headersSep = props['headers.separator'] ?? ','
    const nullLiteral = props['null.literal'] ?? 'null'
    let out = ''
    for (const r of recs) {
      const fields: string[] = []
      if (on('print.timestamp', false)) fields.push(`CreateTime:${r.ts}`)
      if (on('print.partition', false)) fields.push(`Partition:${r.partition}`)
      if (on('print.offset', false)) fields.push(`Offset:${r.offset}`)
      if (on('print.headers', false)) {
        fields.push(r.headers.length === 0 ? 'NO_HEADERS' : r.headers.map(([k, v]) => `${k}:${v ?? nullLiteral}`).join(headersSep))
      }
      if (on('print.key', false)) fields.push(r.key ?? nullLiteral)
      if (on('print.value', true)) fields.push(r.value ?? nullLiteral)
      if (fields.length > 0) out += fields.join(keySep) + lineSep
    }
    return out
  }

  const ALL = { 'print.timestamp': 'true', 'print.partition': 'true', 'print.offset': 'true', 'print.headers': 'true', 'print.key': 'true' }
  const combos: Record<string, string>[] = [
    {},
    { 'print.timestamp': 'true' },
    { 'print.partition': 'true' },
    { 'print.offset': 'true' },
    { 'print.headers': 'true' },
    { 'print.key': 'true' },
    { 'print.value': 'false' },
    { 'print.key': 'true', 'print.value': 'false' },
    { 'print.headers': 'true', 'print.value': 'false' },
    { 'print.timestamp': ' TRUE ', 'print.key': 'True', 'print.value': 'yes' },
    ALL,
    { ...ALL, 'key.separator': ' | ', 'line.separator': '<EOL>\n', 'headers.separator': ';', 'null.literal': '\u2205' },
    { 'print.headers': 'true', 'print.key': 'true', 'null.literal': '' },
    { 'print.offset': 'true', 'print.key': 'true', 'key.separator': '' },
  ]

  it('prints every combination of fields and separators as Kafka does', async () => {
    const results = await Promise.all(
      combos.map((props) =>
        consume(dir, '--topic', 'fmt', '--from-beginning', '--timeout-ms', '200', ...Object.entries(props).flatMap(([k, v]) => ['--formatter-property', `${k}=${v}`])),
      ),
    )
    results.forEach((c, i) => {
      const props = combos[i] ?? {}
      expect.soft(c.code, JSON.stringify(props)).toBe(0)
      expect.soft(c.out, JSON.stringify(props)).toBe(expected(props))
    })
  })

  it('reads formatter properties from --formatter-config, with --property winning', async () => {
    const conf = tempDir('kafka-ts-conf-')
    try {
      const file = `${conf.dir}/formatter.properties`
      const { writeFileSync } = await import('node:fs')
      writeFileSync(file, 'print.key=true\nkey.separator=\\t=>\\t\nnull.literal=NIL\n')
      const c = await consume(dir, '--topic', 'fmt', '--from-beginning', '--timeout-ms', '200', '--formatter-config', file, '--formatter-property', 'null.literal=-')
      expect(c.out).toBe(expected({ 'print.key': 'true', 'key.separator': '\t=>\t', 'null.literal': '-' }))
    } finally {
      conf.cleanup()
    }
  })
})

describe('--include', () => {
  it('reads every topic whose whole name matches the regex', async () => {
    await produceLines('logs-a', ['a1', 'a2'])
    await produceLines('logs-b', ['b1'])
    await produceLines('other', ['o1'])
    await produceLines('xlogs-c', ['c1'])
    const c = await consume(dir, '--include', 'logs-.*', '--from-beginning', '--timeout-ms', '200')
    expect(c.code).toBe(0)
    expect(lines(c.out).sort()).toEqual(['a1', 'a2', 'b1'])
    const alt = await consume(dir, '--include', 'logs-b|other', '--from-beginning', '--timeout-ms', '200')
    expect(lines(alt.out).sort()).toEqual(['b1', 'o1'])
    const partial = await consume(dir, '--include', 'logs', '--from-beginning', '--timeout-ms', '200')
    expect(partial.out).toBe('')
  })
})

describe('option checks (Kafka\'s texts, exit non-zero, no output)', () => {
  beforeEach(async () => {
    await produceLines('t', ['x'])
  })

  it.each([
    [[], 'Exactly one of the following arguments is required: [topic], [include]'],
    [['--topic', 't', '--include', 't'], 'Exactly one of the following arguments is required: [topic], [include]'],
    // Kafka 4.0 removed --whitelist (cli-4.md A.0).
    [['--include', 't', '--whitelist', 't'], 'whitelist is not a recognized option'],
    [['--topic', 't', '--property', 'print.key=true', '--formatter-property', 'print.offset=true'], 'Options --property and --formatter-property cannot be specified together.'],
    [['--topic', 't', '--consumer-property', 'a=b', '--command-property', 'c=d'], 'Options --consumer-property and --command-property cannot be specified together.'],
    [['--topic', 't', '--consumer.config', 'x', '--command-config', 'y'], 'Options --consumer.config and --command-config cannot be specified together.'],
    [['--include', 't', '--partition', '0'], 'The topic is required when partition is specified.'],
    [['--topic', 't', '--partition', '0', '--offset', '1', '--from-beginning'], 'Options from-beginning and offset cannot be specified together.'],
    [['--topic', 't', '--offset', '1'], 'The partition is required when offset is specified.'],
    [['--topic', 't', '--group', 'g', '--partition', '0'], 'Options group and partition cannot be specified together.'],
    [
      ['--topic', 't', '--group', 'a', '--command-property', 'group.id=b'],
      "The group ids provided in different places (directly using '--group', via '--consumer-property', or via '--consumer.config') do not match. Detected group ids: 'a', 'b'",
    ],
    [['--topic', 't', '--partition', '0', '--offset', 'abc'], "The provided offset value 'abc' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long."],
    [['--topic', 't', '--partition', '0', '--offset', '-5'], "The provided offset value '-5' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long."],
    [['--topic', 't', '--from-beginning', '--command-property', 'auto.offset.reset=latest'], "Can't simultaneously specify --from-beginning and 'auto.offset.reset=latest', please remove one option"],
    // Kafka 4.0 removed 3.9's class names: Class.forName fails and the tool prints the bare class name.
    [['--topic', 't', '--formatter', 'kafka.tools.DefaultMessageFormatter'], 'kafka.tools.DefaultMessageFormatter\n'],
    [['--topic', 't', '--formatter', 'kafka.tools.NoOpMessageFormatter'], 'kafka.tools.NoOpMessageFormatter\n'],
    [['--topic', 't', '--formatter', 'org.apache.kafka.tools.consumer.LoggingMessageFormatter'], 'Formatter class org.apache.kafka.tools.consumer.LoggingMessageFormatter is not available in kafka-ts.'],
  ])('refuses %j', async (args, message) => {
    const c = await consume(dir, ...args)
    expect(c.code).not.toBe(0)
    expect(c.code).not.toBeNull()
    expect(c.stderr).toContain(message)
    expect(c.out).toBe('')
  })

  it('refuses an unknown topic and a partition the topic does not have', async () => {
    const c = await consume(dir, '--topic', 'nope', '--from-beginning')
    expect(c.code).toBe(1)
    expect(c.stderr).toContain("Topic 'nope' does not exist")
    const p = await consume(dir, '--topic', 't', '--partition', '3')
    expect(p.code).toBe(1)
    expect(p.stderr).toMatch(/Partition 3 .*does not exist/)
  })
})

describe('the 3.9 option names (KIP-1147 renamed them in Kafka 4.2)', () => {
  it('still take them, printing Kafka\'s deprecation warnings on stdout before the records', async () => {
    await produceLines('t', ['k\tv'], '--reader-property', 'parse.key=true')
    const conf = tempDir('kafka-ts-conf-')
    try {
      const file = `${conf.dir}/consumer.properties`
      const { writeFileSync } = await import('node:fs')
      writeFileSync(file, 'auto.offset.reset=earliest\n')
      const c = await consume(dir, '--topic', 't', '--timeout-ms', '200', '--property', 'print.key=true', '--consumer-property', 'client.id=old', '--consumer.config', file)
      expect(c.code).toBe(0)
      const out = c.out.split('\n')
      expect(out.slice(0, 3).sort()).toEqual([
        'Option --consumer-property is deprecated and will be removed in a future version. Use --command-property instead.',
        'Option --consumer.config is deprecated and will be removed in a future version. Use --command-config instead.',
        'Option --property is deprecated and will be removed in a future version. Use --formatter-property instead.',
      ])
      // auto.offset.reset=earliest came from the file: the record is read without --from-beginning.
      expect(out.slice(3).join('\n')).toBe('k\tv\n')
    } finally {
      conf.cleanup()
    }
  })
})

describe('deserializer failures', () => {
  const INT = 'org.apache.kafka.common.serialization.IntegerDeserializer'
  const SIZE_ERROR = 'org.apache.kafka.common.errors.SerializationException: Size of data received by IntegerDeserializer is not 4'
  beforeEach(async () => {
    const p = await produce(dir, 'ints', Buffer.from([0x61, 0x62, 0x63, 0x0a, 0, 0, 0, 7, 0x0a, 0x78, 0x79, 0x7a, 0x0a, 0xff, 0xff, 0xff, 0xfe, 0x0a]))
    expect(p.code).toBe(0)
  })

  it('--skip-message-on-error logs and skips records the deserializer rejects', async () => {
    const c = await consume(dir, '--topic', 'ints', '--from-beginning', '--timeout-ms', '200', '--formatter-property', `value.deserializer=${INT}`, '--formatter-property', 'print.offset=true', '--skip-message-on-error')
    expect(c.code).toBe(0)
    // Whole records only: the Offset field of a skipped record is not left behind.
    expect(c.out).toBe('Offset:1\t7\nOffset:3\t-2\n')
    expect(c.stderr.split(`Error processing message, skipping this message: ${SIZE_ERROR}`)).toHaveLength(3)
    expect(c.stderr).toContain('Processed a total of 4 messages')
  })

  it('without --skip-message-on-error, stops at the first failure', async () => {
    const c = await consume(dir, '--topic', 'ints', '--from-beginning', '--timeout-ms', '200', '--value-deserializer', INT)
    expect(c.code).toBe(1)
    expect(c.out).toBe('')
    expect(c.stderr).toContain(`Unknown error when running consumer: ${SIZE_ERROR}`)
    expect(c.stderr).toContain('Processed a total of 1 messages')
    expect(c.stderr).not.toMatch(/\n\s+at /)
  })
})

describe('stdout closed early', () => {
  it('`console-consumer | head -n 5` delivers 5 lines and exits quietly', async () => {
    await produceLines('many', Array.from({ length: 200_000 }, (_, i) => `line-${i}`))
    const script = `"${process.execPath}" "${BIN}" console-consumer --topic many --from-beginning 2>"$ERR" | head -n 5; echo "consumer-exit=\${PIPESTATUS[0]}" >&2`
    const errFile = `${dir}.stderr`
    const result = await new Promise<{ code: number | null; out: string; err: string }>((resolve, reject) => {
      const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', CI: 'true', KAFKA_TS_DATA_DIR: dir, ERR: errFile }
      const child = spawn('bash', ['-c', script], { env, stdio: ['ignore', 'pipe', 'pipe'] })
      let out = ''
      let err = ''
      child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c))
      child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c))
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
      child.on('error', reject)
      child.on('close', (code) => {
        clearTimeout(timer)
        resolve({ code, out, err })
      })
    })
    const { readFileSync, rmSync } = await import('node:fs')
    const consumerErr = readFileSync(errFile, 'utf8')
    rmSync(errFile, { force: true })
    expect(result.out).toBe('line-0\nline-1\nline-2\nline-3\nline-4\n')
    expect(result.err).toContain('consumer-exit=0')
    expect(consumerErr).toContain('Unable to write to standard out, closing consumer.')
    expect(consumerErr).toMatch(/Processed a total of \d+ messages\n$/)
    expect(consumerErr).not.toMatch(/EPIPE|Unexpected error|\n\s+at /)
  })
})
