// dump-log as a real process over a real data directory. Records are produced with console-producer
// (keys, headers, every codec) and, for the long-log case, in-process through the broker API. Expected
// lines are kafka-dump-log's (cli.md §10, DumpLogSegments): batch fields are read here straight from the
// stored bytes at the RecordBatch v2 positions of protocol.md §8.1 (CRC-32C recomputed with @node-rs/crc32),
// offsets/counts/sizes/codecs cross-checked with the storedBatches fixture, record timestamps taken from
// console-consumer's print.timestamp, and keys, values and header keys from the produced input.

import fs from 'node:fs'
import path from 'node:path'

import { crc32c } from '@node-rs/crc32'
import { describe, expect, it } from 'vitest'

import { openBroker } from '../../src/broker/open-broker.js'
import { RecordBatchBuilder } from '../../src/broker/records.js'
import { openSqliteLogStore } from '../../src/storage/sqlite/sqlite-log-store.js'
import { runCli } from '../helpers/cli.js'
import { writeTxnHistory } from '../helpers/transactions.js'
import { CODECS, consume, createTopic, lines, produce, storedBatches, useCliSandbox, type CodecName } from './fixtures/console.js'

const sandbox = useCliSandbox()
const dump = (...args: string[]) => runCli(['dump-log', ...args], { dataDir: sandbox.dir })

/** The stored bytes of every batch of one partition, in offset order. */
function rawBatches(dataDir: string, topic: string, partition = 0): Buffer[] {
  const store = openSqliteLogStore(dataDir)
  try {
    const row = store.findTopic(topic)
    if (!row) throw new Error(`no topic ${topic}`)
    const tp = { topicId: row.id, partition }
    const out: Buffer[] = []
    let from = store.offsets(tp).logStartOffset
    for (;;) {
      const batches = store.read(tp, from, { maxBytes: 64 << 20 })
      if (batches.length === 0) return out
      for (const b of batches) {
        out.push(Buffer.from(b.bytes))
        from = b.lastOffset + 1
      }
    }
  } finally {
    store.close()
  }
}

const int64 = (b: Buffer, at: number) => Number(b.readBigInt64BE(at))

/** kafka-dump-log's batch line, from the header bytes (protocol.md §8.1 positions). */
function batchLine(raw: Buffer, position: number): string {
  const baseOffset = int64(raw, 0)
  const attributes = raw.readInt16BE(21)
  const lastOffsetDelta = raw.readInt32BE(23)
  const baseSequence = raw.readInt32BE(53)
  const codec = ['none', 'gzip', 'snappy', 'lz4', 'zstd'][attributes & 7]
  const crc = raw.readUInt32BE(17)
  return [
    `baseOffset: ${baseOffset} lastOffset: ${baseOffset + lastOffsetDelta} count: ${raw.readInt32BE(57)}`,
    `baseSequence: ${baseSequence} lastSequence: ${baseSequence < 0 ? -1 : baseSequence + lastOffsetDelta}`,
    `producerId: ${int64(raw, 43)} producerEpoch: ${raw.readInt16BE(51)} partitionLeaderEpoch: ${raw.readInt32BE(12)}`,
    `isTransactional: ${(attributes & 0x10) !== 0} isControl: ${(attributes & 0x20) !== 0} deleteHorizonMs: OptionalLong.empty`,
    `position: ${position} ${attributes & 0x08 ? 'LogAppendTime' : 'CreateTime'}: ${int64(raw, 35)}`,
    `size: ${raw.length} magic: ${raw.readInt8(16)} compresscodec: ${codec} crc: ${crc} isvalid: ${crc32c(raw.subarray(21)) >>> 0 === crc}`,
  ].join(' ')
}

/** Batch lines of a whole partition, positions accumulated from the stored sizes. */
function batchLines(raws: readonly Buffer[]): string[] {
  let position = 0
  return raws.map((raw) => {
    const line = batchLine(raw, position)
    position += raw.length
    return line
  })
}

interface Produced {
  key: string | null
  value: string
  headerKeys: string[]
}

/** Record timestamps by offset, as console-consumer prints them. */
async function timestamps(topic: string, partition = 0): Promise<Map<number, string>> {
  const c = await consume(sandbox.dir, '--topic', topic, '--partition', String(partition), '--offset', 'earliest', '--timeout-ms', '300',
    '--formatter-property', 'print.timestamp=true', '--formatter-property', 'print.offset=true', '--formatter-property', 'print.value=false')
  const out = new Map<number, string>()
  for (const l of lines(c.out)) {
    const m = /^(CreateTime|LogAppendTime):(\d+)\tOffset:(\d+)$/.exec(l)
    if (!m) throw new Error(`unexpected consumer line ${l}`)
    out.set(Number(m[3]), `${m[1]}: ${m[2]}`)
  }
  return out
}

function recordLine(offset: number, ts: Map<number, string>, r: Produced, data: boolean): string {
  const meta =
    `| offset: ${offset} ${ts.get(offset) ?? '?'} keySize: ${r.key === null ? -1 : Buffer.byteLength(r.key)} valueSize: ${Buffer.byteLength(r.value)}` +
    ` sequence: -1 headerKeys: [${r.headerKeys.join(',')}]`
  if (!data) return meta
  return `${meta}${r.key === null ? '' : ` key: ${r.key}`} payload: ${r.value}`
}

const FIRST: Produced[] = [
  { key: 'k1', value: 'v1', headerKeys: ['h1', 'h2'] },
  { key: 'key-two', value: 'value two é', headerKeys: [] },
  { key: 'k3', value: '', headerKeys: ['only'] },
]
const SECOND: Produced[] = [{ key: 'k4', value: 'v4', headerKeys: ['a'] }]
const input = (rs: readonly Produced[]) =>
  rs.map((r) => `${r.headerKeys.length === 0 ? 'NULL' : r.headerKeys.map((k) => `${k}:x`).join(',')}\t${r.key ?? 'NULL'}\t${r.value}\n`).join('')
const PRODUCER_PROPS = ['--reader-property', 'parse.key=true', '--reader-property', 'parse.headers=true', '--reader-property', 'null.marker=NULL']

async function produceTwoBatches(topic: string, codec: CodecName): Promise<void> {
  expect((await createTopic(sandbox.dir, topic)).code).toBe(0)
  for (const rs of [FIRST, SECOND]) {
    const p = await produce(sandbox.dir, topic, input(rs), '--compression-codec', codec, ...PRODUCER_PROPS)
    expect(p.code, p.stderr).toBe(0)
  }
}

describe('dump-log: batches and records', () => {
  it.each(CODECS)('prints each %s batch with its position, size, codec and CRC, then every record with --print-data-log', async (codec) => {
    await produceTwoBatches('t', codec)
    const stored = storedBatches(sandbox.dir, 't')
    expect(stored.map((b) => [b.baseOffset, b.lastOffset, b.recordCount, b.codec])).toEqual([
      [0, 2, 3, codec],
      [3, 3, 1, codec],
    ])
    const raws = rawBatches(sandbox.dir, 't')
    expect(raws.map((r) => r.length)).toEqual(stored.map((b) => b.bytes))
    const [first, second] = batchLines(raws)
    expect(first).toContain(`baseOffset: 0 lastOffset: 2 count: 3 baseSequence: -1 lastSequence: -1 producerId: -1 producerEpoch: -1`)
    expect(first).toContain(` position: 0 CreateTime: `)
    expect(second).toContain(` position: ${stored[0]?.bytes} CreateTime: `)
    expect(second).toContain(` size: ${stored[1]?.bytes} magic: 2 compresscodec: ${codec} crc: `)
    expect(first).toMatch(/ isvalid: true$/)

    const shallow = await dump('--files', 't-0')
    expect(shallow.stderr).toBe('')
    expect(shallow.code).toBe(0)
    expect(shallow.out).toBe(['Dumping t-0', 'Log starting offset: 0', first, second, ''].join('\n'))

    const ts = await timestamps('t')
    const deep = await dump('--files', 't-0', '--print-data-log')
    expect(deep.code).toBe(0)
    expect(deep.out).toBe(
      [
        'Dumping t-0',
        'Log starting offset: 0',
        first,
        ...FIRST.map((r, i) => recordLine(i, ts, r, true)),
        second,
        recordLine(3, ts, SECOND[0]!, true),
        '',
      ].join('\n'),
    )
  })

  it('--deep-iteration prints record metadata without keys and payloads; --skip-record-metadata keeps only the data (Kafka spacing)', async () => {
    await produceTwoBatches('t', 'gzip')
    expect((await produce(sandbox.dir, 't', 'NULL\tNULL\tno key here\n', ...PRODUCER_PROPS)).code).toBe(0)
    const [first, second, third] = batchLines(rawBatches(sandbox.dir, 't'))
    const ts = await timestamps('t')
    const keyless: Produced = { key: null, value: 'no key here', headerKeys: [] }

    const deep = await dump('--files', 't-0', '--deep-iteration')
    expect(deep.out).toBe(
      ['Dumping t-0', 'Log starting offset: 0', first, ...FIRST.map((r, i) => recordLine(i, ts, r, false)), second, recordLine(3, ts, SECOND[0]!, false), third, recordLine(4, ts, keyless, false), ''].join('\n'),
    )

    const dataOnly = await dump('--files', 't-0', '--print-data-log', '--skip-record-metadata')
    expect(dataOnly.out).toBe(
      ['Dumping t-0', 'Log starting offset: 0', first, '| key: k1 payload: v1', '| key: key-two payload: value two é', '| key: k3 payload: ', second, '| key: k4 payload: v4', third, ' payload: no key here', ''].join('\n'),
    )

    // Kafka: the decoder options imply --print-data-log; StringDecoder is the one available.
    const decoded = await dump('--files', 't-0', '--value-decoder-class', '--skip-record-metadata')
    expect(decoded.code).toBe(0)
    expect(decoded.out).toBe(dataOnly.out)
    // Kafka 4's class name, and 3.9's, which kafka-ts still takes.
    for (const decoder of ['org.apache.kafka.tools.api.StringDecoder', 'kafka.serializer.StringDecoder']) {
      const named = await dump('--files', 't-0', '--key-decoder-class', decoder, '--skip-record-metadata')
      expect(named.out).toBe(dataOnly.out)
    }
  })

  it('prints transaction markers as Kafka does: control and transactional batches, endTxnMarker COMMIT/ABORT with the coordinator epoch, no payload', async () => {
    const broker = openBroker({ dataDir: sandbox.dir, initialize: 'auto' })
    try {
      writeTxnHistory(broker, 'tx')
    } finally {
      broker.close()
    }
    const raws = rawBatches(sandbox.dir, 'tx')
    const lines = batchLines(raws)
    const r = await dump('--files', 'tx-0', '--print-data-log')
    expect(r.code).toBe(0)
    const out = r.out.split('\n')
    // Batches 3 and 5 are the COMMIT of P1 (offset 4) and the ABORT of P2 (offset 6).
    for (const [batch, offset, type] of [[3, 4, 'COMMIT'], [5, 6, 'ABORT']] as const) {
      const line = lines[batch]!
      expect(line).toContain(' isTransactional: true isControl: true ')
      expect(line).toContain(' baseSequence: -1 lastSequence: -1 ')
      const at = out.indexOf(line)
      expect(at).toBeGreaterThan(0)
      expect(out[at + 1]).toMatch(new RegExp(`^\\| offset: ${offset} CreateTime: \\d+ keySize: 4 valueSize: 6 sequence: -1 headerKeys: \\[\\] endTxnMarker: ${type} coordinatorEpoch: 0$`))
    }
    // A transactional data batch: isTransactional without isControl, and its payload printed.
    expect(lines[1]).toContain(' isTransactional: true isControl: false ')
    expect(r.out).toContain(' key: k-c1 payload: c1\n')
  })

  it('LogAppendTime topics show the batch timestamp type and the append time on every record', async () => {
    expect((await createTopic(sandbox.dir, 'lat', '--config', 'message.timestamp.type=LogAppendTime')).code).toBe(0)
    expect((await produce(sandbox.dir, 'lat', input(FIRST), ...PRODUCER_PROPS)).code).toBe(0)
    const [raw] = rawBatches(sandbox.dir, 'lat')
    const line = batchLine(raw!, 0)
    const appendTime = int64(raw!, 35)
    expect(line).toContain(` LogAppendTime: ${appendTime} `)
    const ts = new Map(FIRST.map((_, i) => [i, `LogAppendTime: ${appendTime}`]))
    const r = await dump('--files', 'lat-0', '--deep-iteration')
    expect(r.out).toBe(['Dumping lat-0', 'Log starting offset: 0', line, ...FIRST.map((p, i) => recordLine(i, ts, p, false)), ''].join('\n'))
  })

  it('dumps several partitions in the order given, and every partition of a data directory (topics by name)', async () => {
    expect((await createTopic(sandbox.dir, 'b', '--partitions', '2')).code).toBe(0)
    expect((await createTopic(sandbox.dir, 'a')).code).toBe(0)
    expect((await produce(sandbox.dir, 'a', 'x\ny\n')).code).toBe(0)
    expect((await produce(sandbox.dir, 'b', 'k\tv\n', '--reader-property', 'parse.key=true')).code).toBe(0)
    const bPartition = storedBatches(sandbox.dir, 'b', 0).length === 1 ? 0 : 1
    const section = (label: string, topic: string, partition: number) => [`Dumping ${label}`, 'Log starting offset: 0', ...batchLines(rawBatches(sandbox.dir, topic, partition))]

    const listed = await dump('--files', `b-${bPartition},a-0`)
    expect(listed.code).toBe(0)
    expect(listed.out).toBe([...section(`b-${bPartition}`, 'b', bPartition), ...section('a-0', 'a', 0), ''].join('\n'))

    const all = await runCli(['dump-log', '--files', sandbox.dir], { dataDir: path.join(sandbox.dir, 'elsewhere-unused') })
    expect(all.stderr).toBe('')
    expect(all.code).toBe(0)
    expect(all.out).toBe([...section(`${sandbox.dir}/a-0`, 'a', 0), ...section(`${sandbox.dir}/b-0`, 'b', 0), ...section(`${sandbox.dir}/b-1`, 'b', 1), ''].join('\n'))
    expect(fs.existsSync(path.join(sandbox.dir, 'elsewhere-unused'))).toBe(false)
  })

  it('--max-bytes keeps only the batches that end within the limit', async () => {
    await produceTwoBatches('t', 'none')
    const [first] = batchLines(rawBatches(sandbox.dir, 't'))
    const [size0 = 0, size1 = 0] = storedBatches(sandbox.dir, 't').map((b) => b.bytes)
    for (const [limit, expected] of [[size0, [first]], [size0 + size1 - 1, [first]], [size0 - 1, []]] as const) {
      const r = await dump('--files', 't-0', '--max-bytes', String(limit))
      expect(r.out).toBe(['Dumping t-0', 'Log starting offset: 0', ...expected, ''].join('\n'))
    }
    expect(lines((await dump('--files', 't-0', '--max-bytes', String(size0 + size1))).out)).toHaveLength(4)
  })

  it('starts at the log start offset after delete-records, with positions counted from the first batch still stored', async () => {
    await produceTwoBatches('t', 'none')
    const file = path.join(sandbox.dir, '..', `${path.basename(sandbox.dir)}-offsets.json`)
    fs.writeFileSync(file, JSON.stringify({ partitions: [{ topic: 't', partition: 0, offset: 3 }] }))
    try {
      expect((await runCli(['delete-records', '--offset-json-file', file], { dataDir: sandbox.dir })).code).toBe(0)
    } finally {
      fs.rmSync(file)
    }
    const raws = rawBatches(sandbox.dir, 't')
    expect(raws).toHaveLength(1)
    const r = await dump('--files', 't-0')
    expect(r.out).toBe(['Dumping t-0', 'Log starting offset: 3', batchLine(raws[0]!, 0), ''].join('\n'))
  })

  it('streams a long log in chunks: 2,500 batches, positions adding up, records consecutive', async () => {
    const broker = openBroker({ dataDir: sandbox.dir, initialize: 'auto' })
    try {
      const [created] = broker.createTopics([{ name: 'long', numPartitions: 1, replicationFactor: -1, configs: new Map() }])
      expect(created?.ok).toBe(true)
      const topic = broker.requireTopic('long')
      const builder = new RecordBatchBuilder()
      for (let i = 0; i < 2500; i++) {
        builder.reset()
        builder.append(1_700_000_000_000 + i, Buffer.from(`k${i}`), Buffer.from(`value-${i}`.padEnd(200, '.')))
        builder.append(1_700_000_000_000 + i, null, Buffer.from(`second-${i}`))
        const [r] = broker.produce([{ topic, partition: 0, batch: builder.build() }], 'commit')
        expect(r?.ok).toBe(true)
      }
    } finally {
      broker.close()
    }
    const raws = rawBatches(sandbox.dir, 'long')
    const r = await dump('--files', 'long-0', '--print-data-log')
    expect(r.code).toBe(0)
    expect(r.stderr).toBe('')
    const out = lines(r.out)
    expect(out).toHaveLength(2 + 2500 * 3)
    expect(out.filter((l) => l.startsWith('baseOffset: '))).toEqual(batchLines(raws))
    expect(out[out.length - 1]).toBe(`| offset: 4999 CreateTime: ${1_700_000_000_000 + 2499} keySize: -1 valueSize: 11 sequence: -1 headerKeys: [] payload: second-2499`)
    const recordOffsets = out.filter((l) => l.startsWith('| offset: ')).map((l) => Number(/^\| offset: (\d+) /.exec(l)?.[1]))
    expect(recordOffsets).toEqual(Array.from({ length: 5000 }, (_, i) => i))
  })
})

describe('dump-log: options that do not apply, and bad input', () => {
  const expectRefused = async (args: string[], message: string, dataDir = sandbox.dir) => {
    const r = await runCli(['dump-log', ...args], { dataDir })
    expect(r.out).toBe('')
    expect(r.stderr.split('\n')[0]).toBe(message)
    expect(r.code).toBe(1)
  }

  it('refuses a missing --files, internal-topic decoders, other decoder classes and --bootstrap-server', async () => {
    await createTopic(sandbox.dir, 't')
    await expectRefused([], 'Missing required argument "[files]"')
    await expectRefused(['--files', ''], 'Missing required argument "[files]"')
    await expectRefused(['--files', 't-0', '--offsets-decoder'], '--offsets-decoder does not apply: kafka-ts keeps consumer group offsets in its store, not in a __consumer_offsets log (see `kafka-ts consumer-groups --describe`).')
    await expectRefused(['--files', 't-0', '--transaction-log-decoder'], '--transaction-log-decoder does not apply: kafka-ts has no transaction coordinator, so there is no __transaction_state log.')
    await expectRefused(['--files', 't-0', '--cluster-metadata-decoder'], '--cluster-metadata-decoder does not apply: kafka-ts has no KRaft controller, so there is no __cluster_metadata log.')
    await expectRefused(['--files', 't-0', '--share-group-state-decoder'], '--share-group-state-decoder does not apply: kafka-ts has no share groups yet, so there is no __share_group_state log.')
    await expectRefused(['--files', 't-0', '--value-decoder-class', 'com.example.AvroDecoder'], 'Decoder class com.example.AvroDecoder is not available: kafka-ts decodes keys and values with org.apache.kafka.tools.api.StringDecoder only.')
    await expectRefused(['--files', 't-0', '--bootstrap-server', 'localhost:9092'], 'dump-log reads the local data directory only; --bootstrap-server is not supported. (omit it; choose the directory with --data-dir)')
  })

  it('explains on stderr that there are no index files for --verify-index-only / --index-sanity-check, and dumps the log as Kafka does for .log files', async () => {
    await createTopic(sandbox.dir, 't')
    await produce(sandbox.dir, 't', 'v\n')
    const plain = await dump('--files', 't-0')
    for (const flag of ['--verify-index-only', '--index-sanity-check']) {
      const r = await dump('--files', 't-0', flag)
      expect(r.code).toBe(0)
      expect(r.out).toBe(plain.out)
      expect(r.stderr).toBe(`${flag} has no effect: kafka-ts keeps no index files (offsets are indexed inside SQLite); dumping the logs.\n`)
    }
  })

  it('rejects unknown topics and partitions and malformed names before printing anything', async () => {
    await createTopic(sandbox.dir, 't', '--partitions', '2')
    await expectRefused(['--files', 'nope-0'], "Cannot dump nope-0: topic 'nope' does not exist. (list the topics with `kafka-ts topics --list`)")
    await expectRefused(['--files', 't-0,t-2'], "Cannot dump t-2: topic 't' has 2 partition(s), numbered from 0.")
    for (const bad of ['t', 't-', 't-x', 'my topic-0']) {
      await expectRefused(['--files', bad], `Cannot dump ${bad}: it is neither a topic-partition name (<topic>-<partition>, e.g. orders-0) nor an existing data directory.`)
    }
  })

  it('never creates or initialises a data directory', async () => {
    const missing = path.join(sandbox.dir, 'missing')
    await expectRefused(['--files', 't-0'], `Data directory ${missing} does not exist. (nothing was dumped; check --data-dir, KAFKA_TS_DATA_DIR or --files)`, missing)
    await expectRefused(['--files', 't-0', '--data-dir', missing], `Data directory ${missing} does not exist. (nothing was dumped; check --data-dir, KAFKA_TS_DATA_DIR or --files)`)
    await expectRefused(['--files', missing], `Cannot dump ${missing}: it is neither a topic-partition name (<topic>-<partition>, e.g. orders-0) nor an existing data directory.`)
    expect(fs.existsSync(missing)).toBe(false)

    const empty = path.join(sandbox.dir, 'empty')
    fs.mkdirSync(empty)
    await expectRefused(['--files', 't-0'], `No \`meta.properties\` found in ${empty} (have you run \`kafka-ts storage format\` to format the directory?)`, empty)
    await expectRefused(['--files', empty], `No \`meta.properties\` found in ${empty} (have you run \`kafka-ts storage format\` to format the directory?)`)
    expect(fs.readdirSync(empty)).toEqual([])
  })
})
