// console-producer as a real process over a real data directory: byte-exact input, Kafka's
// LineMessageReader properties and error texts (kafka-reference/cli.md §2.2), producer settings and
// their precedence (§2.1), and send failures. What was stored is read back with console-consumer or,
// for batch boundaries and codecs, straight from the SQLite log.

import fs from 'node:fs'
import path from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { runCli, tempDir } from '../helpers/cli.js'
import { CODECS, consume, createTopic, lines, partitionEnds, produce, startCli, storedBatches } from './fixtures/console.js'

let dir: string
/** Properties files live outside the data directory (kafka-ts refuses a directory with foreign files). */
let confDir: string
let cleanups: (() => void)[] = []
beforeEach(() => {
  const data = tempDir()
  const conf = tempDir('kafka-ts-conf-')
  dir = data.dir
  confDir = conf.dir
  cleanups = [data.cleanup, conf.cleanup]
})
afterEach(() => {
  for (const c of cleanups) c()
})

// Everything is committed before the consumer starts, and its idle timer only runs once it has caught
// up, so a short --timeout-ms cannot cut the read short.
const all = (topic: string, ...props: string[]) =>
  consume(dir, '--topic', topic, '--from-beginning', '--timeout-ms', '200', ...props.flatMap((p) => ['--formatter-property', p]))
const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))))

/**
 * The records a line-per-record reader must produce: pieces between '\n', one '\r' right before a
 * '\n' (or the end) dropped, the last piece only if it is not empty.
 */
function expectedValues(input: Buffer): Buffer[] {
  const out: Buffer[] = []
  let start = 0
  for (let i = 0; i <= input.length; i++) {
    if (i < input.length && input[i] !== 0x0a) continue
    if (i === input.length && start === i) break
    let end = i
    if (end > start && input[end - 1] === 0x0d) end--
    out.push(input.subarray(start, end))
    start = i + 1
  }
  return out
}

describe('byte-exact input', () => {
  const everyByteButLf = Array.from({ length: 256 }, (_, b) => b).filter((b) => b !== 0x0a)
  const input = bytes(
    everyByteButLf, '\n', // 0x00-0xff with a lone '\r' in the middle
    [0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x90, 0x28, 0xbc, 0xff, 0xfe], '\n', // invalid UTF-8
    [0, 0, 0x61, 0], '\n', // NULs
    'crlf line\r\n',
    'lone\rcarriage\rreturns\n',
    '\n', // an empty line is an empty record
    '\r\n', // so is an empty CRLF line
    'caf\u00c3\u00a9 \u00e2\u0082\u00ac\n', // valid multi-byte UTF-8 (latin1 view of "café €")
    'last line without newline',
  )

  it.each(CODECS)('stores every byte of every line (%s)', async (codec) => {
    const p = await produce(dir, 'bin', input, '--compression-codec', codec)
    expect(p.code).toBe(0)
    const values = expectedValues(input)
    expect(values).toHaveLength(9)
    const c = await all('bin')
    expect(c.code).toBe(0)
    expect(c.stdout.equals(Buffer.concat(values.flatMap((v) => [v, Buffer.from('\n')])))).toBe(true)
    expect(c.stderr).toContain(`Processed a total of ${values.length} messages`)
  })

  it('keeps binary keys and header values byte-exact', async () => {
    const line = bytes('h1:', [0xff, 0x00, 0x0d, 0x80], ',h2:', [0xc3, 0x28], '\t', [0x6b, 0x80, 0x00], '\t', [0xfe, 0x0d, 0x76])
    const p = await produce(dir, 'bin', Buffer.concat([line, bytes('\r\n')]), '--reader-property', 'parse.key=true', '--reader-property', 'parse.headers=true')
    expect(p.code).toBe(0)
    const c = await all('bin', 'print.headers=true', 'print.key=true')
    // The formatter's defaults (':' in a header, ',' between headers, TAB between fields) match the reader's.
    expect(c.stdout.equals(Buffer.concat([line, bytes('\n')]))).toBe(true)
  })

  it('sends a large input without a final newline in full', async () => {
    const many = Array.from({ length: 50_000 }, (_, i) => `line ${i} ${'x'.repeat(i % 97)}`)
    const p = await produce(dir, 'big', many.join('\n'))
    expect(p.code).toBe(0)
    const c = await all('big')
    expect(c.out).toBe(many.join('\n') + '\n')
  })
})

describe('line reader properties', () => {
  it('parses keys and headers with custom separators', async () => {
    const p = await produce(
      dir, 't', 'a=1;b=2|k1::v1\nc=3|k2::v::2\n',
      '--reader-property', 'parse.key=true', '--reader-property', 'key.separator=::',
      '--reader-property', 'parse.headers=true', '--reader-property', 'headers.delimiter=|',
      '--reader-property', 'headers.separator=;', '--reader-property', 'headers.key.separator==',
    )
    expect(p.code).toBe(0)
    const c = await all('t', 'print.headers=true', 'print.key=true')
    expect(c.out).toBe('a:1,b:2\tk1\tv1\nc:3\tk2\tv::2\n')
  })

  it('splits headers with headers.separator as a Java regex', async () => {
    const p = await produce(dir, 't', 'a:1;b:2,c:3\tv\nx:1|y:2\tw\n', '--reader-property', 'parse.headers=true', '--reader-property', 'headers.separator=[;,]')
    expect(p.code).toBe(0)
    const c = await all('t', 'print.headers=true')
    expect(c.out).toBe('a:1,b:2,c:3\tv\nx:1|y:2\tw\n')
  })

  it('turns fields equal to null.marker into nulls', async () => {
    const input = '<null>\t<null>\t<null>\nh:<null>,g:1\tk\tv\nh:1\t<null>\tv\nh:1\tk\t<null>\n'
    const p = await produce(dir, 't', input, '--reader-property', 'parse.key=true', '--reader-property', 'parse.headers=true', '--reader-property', 'null.marker=<null>')
    expect(p.code).toBe(0)
    const c = await all('t', 'print.headers=true', 'print.key=true', 'null.literal=NULL')
    expect(c.out).toBe('NO_HEADERS\tNULL\tNULL\nh:NULL,g:1\tk\tv\nh:1\tNULL\tv\nh:1\tk\tNULL\n')
    // Without null.literal the consumer prints Kafka's default, "null".
    expect((await all('t', 'print.key=true')).out).toBe('null\tnull\nk\tv\nnull\tv\nk\tnull\n')
  })

  it('turns a value-only line equal to null.marker into a null value', async () => {
    const p = await produce(dir, 't', 'a\nNIL\nb\n', '--reader-property', 'null.marker=NIL')
    expect(p.code).toBe(0)
    expect((await all('t', 'null.literal=<none>')).out).toBe('a\n<none>\nb\n')
  })

  it('with ignore.error, reads lines that lack separators', async () => {
    const input = 'nokey\nh\tk\tv\nnoheaders-or-key\npair-without-sep,b:2\tk\tv\n'
    const p = await produce(dir, 't', input, '--reader-property', 'parse.key=true', '--reader-property', 'parse.headers=true', '--reader-property', 'ignore.error=true')
    expect(p.code).toBe(0)
    const c = await all('t', 'print.headers=true', 'print.key=true')
    expect(c.out).toBe(
      [
        'NO_HEADERS\tnull\tnokey', // no headers delimiter, then no key separator: the whole line is the value
        'h:null\tk\tv', // a pair without ':' is a key with a null value
        'NO_HEADERS\tnull\tnoheaders-or-key',
        'pair-without-sep:null,b:2\tk\tv',
        '',
      ].join('\n'),
    )
  })

  it('reads properties from --reader-config, with --property winning', async () => {
    const file = path.join(confDir, 'reader.properties')
    fs.writeFileSync(file, 'parse.key=true\nkey.separator=:\n')
    const p = await produce(dir, 't', 'k:v\n', '--reader-config', file)
    expect(p.code).toBe(0)
    const q = await produce(dir, 't', 'k:v;w\n', '--reader-config', file, '--reader-property', 'key.separator=;')
    expect(q.code).toBe(0)
    expect((await all('t', 'print.key=true')).out).toBe('k\tv\nk:v\tw\n')
  })

  it.each([
    ['parse.key=true', 'k1\tv1\nk2\tv2\nbad\nk3\tv3\n', "No key separator found on line number 3: 'bad'"],
    ['parse.headers=true', 'h:1\tv1\nh:2\tv2\nnodelimiter\nh:3\tv3\n', "No headers delimiter found on line number 3: 'nodelimiter'"],
    ['parse.headers=true', 'h:1\tv1\nh:2\tv2\nh:3,oops\tv\nh:4\tv4\n', "No header key separator found in pair 'oops' on line number 3"],
  ])('stops at a bad line with Kafka\'s message, keeping what came before (%s)', async (prop, input, message) => {
    const p = await produce(dir, 't', input, '--reader-property', prop)
    expect(p.code).toBe(1)
    expect(p.stderr).toContain(message)
    expect(p.stderr).not.toMatch(/\n\s+at /)
    expect(lines((await all('t')).out)).toEqual(['v1', 'v2'])
  })

  it('refuses a header key equal to null.marker, even with ignore.error', async () => {
    const p = await produce(dir, 't', 'h:1\tv1\nN:2\tv2\n', '--reader-property', 'parse.headers=true', '--reader-property', 'null.marker=N', '--reader-property', 'ignore.error=true')
    expect(p.code).toBe(1)
    expect(p.stderr).toContain("Header keys should not be equal to the null marker 'N' as they can't be null")
    expect(lines((await all('t')).out)).toEqual(['v1'])
  })

  it('keeps the records of earlier batches and chunks when a late line is bad', async () => {
    const good = Array.from({ length: 20_000 }, (_, i) => `k${i}\tv${i}`)
    const p = await produce(dir, 't', [...good, 'no separator here', 'k\tv'].join('\n') + '\n', '--reader-property', 'parse.key=true')
    expect(p.code).toBe(1)
    expect(p.stderr).toContain("No key separator found on line number 20001: 'no separator here'")
    expect(partitionEnds(dir, 't')).toEqual([20_000])
  })

  it.each([
    [['headers.delimiter=,'], 'headers.delimiter and headers.separator may not be equal'],
    [['headers.delimiter=:'], 'headers.delimiter and headers.key.separator may not be equal'],
    [['headers.separator=:'], 'headers.separator and headers.key.separator may not be equal'],
    [['null.marker=\t'], 'null.marker and key.separator may not be equal'],
    [['null.marker=,'], 'null.marker and headers.separator may not be equal'],
    [['null.marker=|', 'headers.delimiter=|'], 'null.marker and headers.delimiter may not be equal'],
    [['null.marker=:'], 'null.marker and headers.key.separator may not be equal'],
  ])('refuses conflicting reader properties %j before touching the data directory', async (props, message) => {
    const store = path.join(dir, 'store')
    const r = await runCli(['console-producer', '--topic', 't', ...props.flatMap((p) => ['--reader-property', p])], { dataDir: store, input: 'x\n' })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(message)
    expect(fs.existsSync(store)).toBe(false)
  })
})

describe('producer settings', () => {
  it.each([
    [['--compression-codec']],
    [['--compression-codec', '--reader-property', 'parse.key=false']],
    [['--compression-codec=']],
  ])('%j without a value means gzip', async (args) => {
    const p = await produce(dir, 't', 'a\nb\n', ...args)
    expect(p.code).toBe(0)
    expect(storedBatches(dir, 't').map((b) => b.codec)).toEqual(['gzip'])
    expect((await all('t')).out).toBe('a\nb\n')
  })

  it('stores batches with the codec asked for', async () => {
    for (const codec of CODECS) {
      expect((await produce(dir, codec, 'x\ny\n', '--compression-codec', codec)).code).toBe(0)
      expect(storedBatches(dir, codec).map((b) => b.codec)).toEqual([codec])
    }
    // Deliberate difference: Kafka overwrites compression.type with 'none' when the flag is absent.
    expect((await produce(dir, 'prop', 'x\n', '--command-property', 'compression.type=lz4')).code).toBe(0)
    expect(storedBatches(dir, 'prop').map((b) => b.codec)).toEqual(['lz4'])
    expect((await produce(dir, 'flag', 'x\n', '--compression-codec', 'zstd', '--command-property', 'compression.type=lz4')).code).toBe(0)
    expect(storedBatches(dir, 'flag').map((b) => b.codec)).toEqual(['zstd'])
  })

  it('applies the producer settings of --command-config (compression.type) without --bootstrap-server', async () => {
    const file = path.join(confDir, 'producer.properties')
    fs.writeFileSync(file, 'compression.type=gzip\n')
    const p = await produce(dir, 't', 'a\nb\n', '--command-config', file)
    expect(p.code).toBe(0)
    expect(storedBatches(dir, 't').map((b) => b.codec)).toEqual(['gzip'])
  })

  it('refuses an unknown codec and unknown acks with Kafka\'s config errors, storing nothing', async () => {
    const store = path.join(dir, 'store')
    const codec = await runCli(['console-producer', '--topic', 't', '--compression-codec', 'brotli'], { dataDir: store, input: 'x\n' })
    expect(codec.code).toBe(1)
    expect(codec.stderr).toContain('Invalid value brotli for configuration compression.type: String must be one of: none, gzip, snappy, lz4, zstd')
    const acks = await runCli(['console-producer', '--topic', 't', '--request-required-acks', '2'], { dataDir: store, input: 'x\n' })
    expect(acks.code).toBe(1)
    expect(acks.stderr).toContain('Invalid value 2 for configuration acks: String must be one of: all, -1, 0, 1')
    const prop = await runCli(['console-producer', '--topic', 't', '--command-property', 'acks=some'], { dataDir: store, input: 'x\n' })
    expect(prop.code).toBe(1)
    expect(prop.stderr).toContain('Invalid value some for configuration acks')
    expect(fs.existsSync(store)).toBe(false)
  })

  it.each([['-1'], ['all'], ['1'], ['0']])('stores every line with --request-required-acks %s', async (acks) => {
    const input = Array.from({ length: 1000 }, (_, i) => `v${i}\n`).join('')
    const p = await produce(dir, 't', input, '--request-required-acks', acks)
    expect(p.code).toBe(0)
    expect((await all('t')).out).toBe(input)
  })

  it('with --sync, sends each line as its own request', async () => {
    const p = await produce(dir, 't', 'a\nb\nc\nd\n', '--sync')
    expect(p.code).toBe(0)
    expect(storedBatches(dir, 't').map((b) => [b.baseOffset, b.recordCount])).toEqual([[0, 1], [1, 1], [2, 1], [3, 1]])
    expect((await all('t')).out).toBe('a\nb\nc\nd\n')
  })

  describe('batch.size precedence: flag > --command-property > --command-config > default', () => {
    const input = Array.from({ length: 200 }, (_, i) => `${String(i).padStart(4, '0')} ${'v'.repeat(45)}\n`).join('')
    const config = (text: string) => {
      const file = path.join(confDir, 'producer.properties')
      fs.writeFileSync(file, text)
      return file
    }
    let run = 0
    const batchesWith = async (...args: string[]) => {
      const topic = `t${run++}`
      const p = await produce(dir, topic, input, ...args)
      expect(p.code).toBe(0)
      const batches = storedBatches(dir, topic)
      expect(batches.reduce((n, b) => n + b.recordCount, 0)).toBe(200)
      return batches
    }
    const small = (batches: { bytes: number }[]) => batches.length > 10 && batches.every((b) => b.bytes <= 600)

    it('uses the 16 KiB default', async () => {
      expect((await batchesWith()).length).toBe(1)
    })
    it('takes --command-property batch.size', async () => {
      expect(small(await batchesWith('--command-property', 'batch.size=600'))).toBe(true)
    })
    it('takes --command-config batch.size', async () => {
      expect(small(await batchesWith('--command-config', config('batch.size=600\n')))).toBe(true)
    })
    it('lets --command-property win over --command-config', async () => {
      expect((await batchesWith('--command-config', config('batch.size=600\n'), '--command-property', 'batch.size=100000')).length).toBe(1)
    })
    it('lets --batch-size win over --command-property', async () => {
      expect((await batchesWith('--batch-size', '100000', '--command-property', 'batch.size=600')).length).toBe(1)
      expect(small(await batchesWith('--batch-size', '600', '--command-property', 'batch.size=100000'))).toBe(true)
    })
    it('applies --max-partition-memory-bytes after --batch-size', async () => {
      expect(small(await batchesWith('--batch-size', '100000', '--max-partition-memory-bytes', '600'))).toBe(true)
    })
  })

  describe('linger (--timeout) precedence', () => {
    // The producer's stdin stays open: a line becomes visible only when its linger expires. A winning
    // 600 s linger would make these time out.
    const visibleWhileOpen = async (...args: string[]) => {
      expect((await createTopic(dir, 't')).code).toBe(0)
      const consumer = startCli(['console-consumer', '--topic', 't', '--from-beginning'], dir)
      const producer = startCli(['console-producer', '--topic', 't', ...args], dir)
      try {
        producer.child.stdin.write('lingered\n')
        await consumer.waitForStdout((out) => out === 'lingered\n', 15_000)
      } finally {
        producer.child.stdin.end()
        await producer.exited
        consumer.child.kill('SIGINT')
        await consumer.exited
      }
    }
    it('lets --timeout win over --command-property linger.ms', async () => {
      await visibleWhileOpen('--timeout', '20', '--command-property', 'linger.ms=600000')
    })
    it('lets --command-property linger.ms win over --command-config', async () => {
      const file = path.join(confDir, 'producer.properties')
      fs.writeFileSync(file, 'linger.ms=600000\n')
      await visibleWhileOpen('--command-config', file, '--command-property', 'linger.ms=20')
    })
  })

  describe('a record above max.message.bytes', () => {
    const big = 'x'.repeat(2000)
    beforeEach(async () => {
      expect((await createTopic(dir, 'limited', '--config', 'max.message.bytes=1000')).code).toBe(0)
    })

    it('fails alone with Kafka\'s error line; the small ones are stored in order', async () => {
      const p = await produce(dir, 'limited', ['a', 'b', big, 'c', 'd'].join('\n') + '\n')
      expect(p.code).not.toBe(0)
      expect(p.stderr).toMatch(/^Error when sending message to topic limited with key: null, value: 2000 bytes with error: .+$/m)
      expect(p.stderr.match(/Error when sending/g)).toHaveLength(1)
      expect((await all('limited')).out).toBe('a\nb\nc\nd\n')
    })

    it('reports the key size of a keyed record', async () => {
      const p = await produce(dir, 'limited', `k1\tsmall\nkey\t${big}\nk2\tsmall\n`, '--reader-property', 'parse.key=true', '--compression-codec', 'none')
      expect(p.code).not.toBe(0)
      expect(p.stderr).toContain('Error when sending message to topic limited with key: 3 bytes, value: 2000 bytes with error: ')
      expect((await all('limited', 'print.key=true')).out).toBe('k1\tsmall\nk2\tsmall\n')
    })

    it('ends the tool at the failed record with --sync', async () => {
      const p = await produce(dir, 'limited', ['a', 'b', big, 'c'].join('\n') + '\n', '--sync')
      expect(p.code).toBe(1)
      expect(p.stderr).toContain('Error when sending message to topic limited with key: null, value: 2000 bytes with error: ')
      expect((await all('limited')).out).toBe('a\nb\n')
    })
  })

  it('auto-creates an unknown topic with the broker defaults', async () => {
    const p = await produce(dir, 'fresh', 'a\n')
    expect(p.code).toBe(0)
    const d = await runCli(['topics', '--describe', '--topic', 'fresh'], { dataDir: dir })
    expect(d.out).toMatch(/^Topic: fresh\tTopicId: \S+\tPartitionCount: 1\tReplicationFactor: 1\tConfigs: \n/)
    expect((await all('fresh')).out).toBe('a\n')
  })

  it('refuses an unknown topic with allow.auto.create.topics=false', async () => {
    expect((await createTopic(dir, 'other')).code).toBe(0)
    const p = await produce(dir, 'missing', 'a\n', '--command-property', 'allow.auto.create.topics=false')
    expect(p.code).toBe(1)
    expect(p.stderr).toContain("Topic 'missing' does not exist.")
    expect((await runCli(['topics', '--list'], { dataDir: dir })).out).toBe('other\n')
  })

  it('requires --topic', async () => {
    const r = await runCli(['console-producer'], { dataDir: dir, input: 'x\n' })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('Missing required argument "[topic]"')
  })
})

describe('the 3.9 option names (KIP-1147 renamed them in Kafka 4.2)', () => {
  it('still take them, printing Kafka\'s deprecation warnings on stdout', async () => {
    const file = path.join(confDir, 'producer.properties')
    fs.writeFileSync(file, 'batch.size=600\n')
    const p = await produce(dir, 't', 'k\tv\n', '--property', 'parse.key=true', '--producer-property', 'acks=1', '--producer.config', file, '--max-partition-memory-bytes', '700')
    expect(p.code).toBe(0)
    expect(p.out.split('\n').filter((l) => l !== '').sort()).toEqual([
      'Warning: --max-partition-memory-bytes is deprecated and will be removed in Apache Kafka 5.0. Use --batch-size instead.',
      'Warning: --producer-property is deprecated and will be removed in a future version. Use --command-property instead.',
      'Warning: --producer.config is deprecated and will be removed in a future version. Use --command-config instead.',
      'Warning: --property is deprecated and will be removed in a future version. Use --reader-property instead.',
    ])
    expect((await all('t', 'print.key=true')).out).toBe('k\tv\n')
  })

  it.each([
    [['--property', 'parse.key=true', '--reader-property', 'parse.key=true'], 'Options --reader-property and --property cannot be specified together.'],
    [['--producer-property', 'acks=1', '--command-property', 'acks=1'], 'Options --command-property and --producer-property cannot be specified together.'],
    [['--producer.config', 'a', '--command-config', 'b'], 'Options --command-config and --producer.config cannot be specified together.'],
    // Kafka 4.0 removed --broker-list (cli-4.md A.0).
    [['--broker-list', 'localhost:9092'], 'broker-list is not a recognized option'],
  ])('refuses %j with Kafka\'s words, storing nothing', async (args, message) => {
    const store = path.join(dir, 'store')
    const r = await runCli(['console-producer', '--topic', 't', ...args], { dataDir: store, input: 'x\n' })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(message)
    expect(r.out).toBe('')
    expect(fs.existsSync(store)).toBe(false)
  })
})
