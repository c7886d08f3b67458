import { Kafka, logLevel, type Producer } from 'kafkajs'
import { afterEach, describe, expect, it } from 'vitest'

import { RecordBatchBuilder } from '../../src/protocol/record-batch-builder.js'
import { runCli } from '../helpers/cli.js'
import { startTestServer, type TestServer } from '../helpers/server.js'

// `kafka-ts transactions` (kafka-transactions.sh, cli-4.md B.2) against a live data directory with a real
// transactional producer (kafkajs through the server) holding a transaction open, and a hanging transaction
// — transactional records of a producer the coordinator does not know, as a lost coordinator state leaves
// them — written straight into the partition log: finding and aborting it embedded (another process than
// the server: the server's producer state must see the marker) and with --bootstrap-server, and the
// command-line errors. The sub-commands' layouts: transactions-layouts.test.ts.

let server: TestServer | undefined
let producer: Producer | undefined
afterEach(async () => {
  await producer?.disconnect()
  producer = undefined
  await server?.stop()
  server = undefined
})

const HANGING_PRODUCER_ID = 9999

interface Setup {
  readonly s: TestServer
  /** The kafkajs producer's open transaction starts here in orders-0. */
  readonly openStart: number
  /** The hanging transaction starts here in orders-0. */
  readonly hangingStart: number
}

async function setUp(): Promise<Setup> {
  const s = await startTestServer()
  server = s
  expect(s.broker.createTopics([{ name: 'orders', numPartitions: 1, replicationFactor: 1, configs: new Map() }]).every((c) => c.ok)).toBe(true)
  const kafka = new Kafka({ clientId: 'txn-tool-test', brokers: [s.bootstrap], logLevel: logLevel.NOTHING })
  producer = kafka.producer({ transactionalId: 'app-1', idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  const committed = await producer.transaction()
  await committed.send({ topic: 'orders', messages: [{ value: 'a' }, { value: 'b' }] })
  await committed.commit()
  const open = await producer.transaction()
  const [sent] = await open.send({ topic: 'orders', messages: [{ value: 'c' }] })
  const openStart = Number(sent?.baseOffset)

  const row = s.broker.requireTopic('orders')
  const builder = new RecordBatchBuilder()
  builder.append(Date.now() - 1000, null, Buffer.from('lost'))
  const [hanging] = s.broker.produce(
    [{ topic: row, partition: 0, batch: builder.build({ producerId: HANGING_PRODUCER_ID, producerEpoch: 0, baseSequence: 0, isTransactional: true }) }],
    'fsync',
  )
  if (!hanging?.ok) throw new Error('the hanging batch was not stored')
  return { s, openStart, hangingStart: hanging.value.baseOffset }
}

/** A prettyPrintTable's cells, line by line (every cell is followed by a TAB). */
function cells(out: string): string[][] {
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\t').slice(0, -1).map((c) => c.trimEnd()))
}

const MODES = ['embedded', 'remote'] as const
const connection = (mode: (typeof MODES)[number], s: TestServer) => (mode === 'remote' ? ['--bootstrap-server', s.bootstrap] : ['--data-dir', s.dataDir])

describe('kafka-ts transactions', () => {
  it.each(MODES)('%s: find-hanging reports only the transaction no coordinator knows, and abort --start-offset ends it', async (mode) => {
    const { s, hangingStart } = await setUp()
    const conn = connection(mode, s)
    const found = await runCli(['transactions', ...conn, 'find-hanging', '--topic', 'orders', '--max-transaction-timeout', '0'])
    expect(found.code, found.stderr).toBe(0)
    const rows = cells(found.out)
    expect(rows[0]).toEqual(['Topic', 'Partition', 'ProducerId', 'ProducerEpoch', 'CoordinatorEpoch', 'StartOffset', 'LastTimestamp', 'Duration(min)'])
    expect(rows.slice(1).map((r) => r.slice(0, 6))).toEqual([['orders', '0', String(HANGING_PRODUCER_ID), '0', '-1', String(hangingStart)]])

    const aborted = await runCli(['transactions', ...conn, 'abort', '--topic', 'orders', '--partition', '0', '--start-offset', String(hangingStart)])
    expect(aborted.code, aborted.stderr).toBe(0)
    expect(aborted.out).toBe('')
    const after = await runCli(['transactions', ...conn, 'find-hanging', '--topic', 'orders', '--max-transaction-timeout', '0'])
    expect(cells(after.out).slice(1)).toEqual([])
    // The partition's producer state saw the ABORT marker: that producer has no open transaction now.
    const row = s.broker.requireTopic('orders')
    const state = s.broker.activeProducers(row, 0)
    expect(state.ok && state.value.find((p) => p.producerId === HANGING_PRODUCER_ID)?.currentTxnStartOffset).toBe(-1)

    const again = await runCli(['transactions', ...conn, 'abort', '--topic', 'orders', '--partition', '0', '--start-offset', String(hangingStart)])
    expect(again.code).toBe(1)
    expect(again.stderr).toBe(`Could not find any open transactions starting at offset ${hangingStart} on partition orders-0\n`)
  })

  it("answers unknown ids and bad command lines with Kafka's lines, exit 1", async () => {
    const { s } = await setUp()
    const unknown = await runCli(['transactions', '--data-dir', s.dataDir, 'describe', '--transactional-id', 'nope'])
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toBe(
      'Failed to describe transaction state of transactional-id `nope`: The transactionalId could not be found.. Enable debug logging for additional detail.\n',
    )
    const none = await runCli(['transactions', '--data-dir', s.dataDir])
    expect(none.code).toBe(1)
    expect(none.stderr).toMatch(/^usage: kafka-transactions\.sh .*\nkafka-transactions\.sh: error: too few arguments\n$/)
    const bad = await runCli(['transactions', '--data-dir', s.dataDir, 'lisst'])
    expect(bad.stderr).toContain("kafka-transactions.sh: error: argument COMMAND: invalid choice: 'lisst' (choose from 'list', 'describe', 'describe-producers', 'abort', 'find-hanging', 'forceTerminateTransaction')")
    const missing = await runCli(['transactions', '--data-dir', s.dataDir, 'describe'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('kafka-transactions.sh describe: error: argument --transactional-id is required')
    const notANumber = await runCli(['transactions', '--data-dir', s.dataDir, 'describe-producers', '--topic', 'orders', '--partition', 'x'])
    expect(notANumber.stderr).toContain(`argument --partition: could not convert 'x' to Integer (For input string: "x")`)
    const noTarget = await runCli(['transactions', '--data-dir', s.dataDir, 'abort', '--topic', 'orders', '--partition', '0'])
    expect(noTarget.stderr).toBe(
      'The transaction to abort must be identified either with --start-offset (for brokers on 3.0 or above) or with --producer-id, --producer-epoch, and --coordinator-epoch (for older brokers)\n',
    )
    const noEpoch = await runCli(['transactions', '--data-dir', s.dataDir, 'abort', '--topic', 'orders', '--partition', '0', '--producer-id', '5'])
    expect(noEpoch.stderr).toBe('Missing required argument --producer-epoch\n')
    const noScope = await runCli(['transactions', '--data-dir', s.dataDir, 'find-hanging'])
    expect(noScope.stderr).toBe('The `find-hanging` command requires either --topic or --broker-id to limit the scope of the search\n')
    const partitionOnly = await runCli(['transactions', '--data-dir', s.dataDir, 'find-hanging', '--broker-id', '1', '--partition', '0'])
    expect(partitionOnly.stderr).toBe('The --partition argument requires --topic to be provided\n')
  })
})
