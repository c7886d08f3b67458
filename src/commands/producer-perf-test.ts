import { randomUUID } from 'node:crypto'
import { setImmediate as yieldToEventLoop } from 'node:timers/promises'

import { Flags } from '@oclif/core'

import { KafkaError } from '../broker/kafka-error.js'
import { javaErrorString } from '../client/java-exception.js'
import type { AcknowledgedRecords, SendFailure, TransactionalSettings } from '../client/kafka-client.js'
import { UserError } from '../cli/errors.js'
import { KafkaCommand } from '../cli/kafka-command.js'
import { PayloadFileError, listPayloads, monotonicPayloads, randomLetterPayloads, readPayloadFile, type PayloadSource } from '../cli/perf/payloads.js'
import { argparseFail } from '../cli/argparse.js'
import { PRODUCER_PERF_PROGRAM, parseProducerPerfArgs, type ProducerPerfArgs } from '../cli/perf/producer-perf-args.js'
import { ProducerStats } from '../cli/perf/producer-stats.js'
import { logUnusedConfigs } from '../cli/unused-configs.js'
import { producerSettings } from '../cli/producer-settings.js'
import { ThroughputThrottler } from '../cli/perf/throughput-throttler.js'
import { readPropertiesFile } from '../cli/properties-file.js'
import { stoppedProducing } from '../cli/storage-errors.js'
import { storeFailureOf } from '../broker/store-failure.js'

// kafka-producer-perf-test (ProducerPerformance, cli.md §8, cli-4.md A.12): sends --num-records records as
// fast as --throughput allows and reports what was acknowledged — a line per --reporting-interval window,
// then the total with latency percentiles (and, with --warmup-records, the steady-state total). Without
// --bootstrap-server (or bootstrap.servers in --command-property) the records go to the local data
// directory through the embedded producer.
//
// Latency is acknowledgement time − send time, per record. The embedded producer acknowledges a whole
// group of batches with one commit (one fsync at acks=all), so every record of a commit gets that
// commit's time; the remote producer acknowledges per produce request. Either way each record's own
// send time is kept, so the figures mean what Kafka's mean.
//
// Deliberate differences: no connection source is required (the embedded target needs no
// bootstrap.servers);
// --print-metrics prints a note, not Java's metrics registry; `--help` is oclif's help (exit 0),
// `-h` Kafka's (exit 1).

/** ProducerPerformance's transaction length when transactions are on without --transaction-duration-ms. */
const TRANSACTION_DURATION_MS_DEFAULT = 3000
/** The Java producer's transaction.timeout.ms default. */
const TRANSACTION_TIMEOUT_MS_DEFAULT = 60_000
/** Records sent between producer.afterChunk() calls (its back-pressure point). */
const CHUNK_RECORDS = 1024
/** The Java producer's linger.ms default since Kafka 4.0 (3.9: 0). */
const LINGER_MS_DEFAULT = 5
/** Unthrottled, the send loop still lets timers and sockets run this often (linger, acknowledgements). */
const YIELD_EVERY_MS = 20

export interface ProducerPerfReport {
  records: number
}

export default class ProducerPerfTest extends KafkaCommand<ProducerPerfReport> {
  static override summary = 'Measure producer throughput and latency (kafka-producer-perf-test.sh).'
  static override description =
    'Options follow Kafka\'s argparse4j parser: long names (unique prefixes accepted), --command-property takes several k=v values. ' +
    'Without --bootstrap-server or bootstrap.servers in --command-property the local data directory is used.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> --topic perf --num-records 1000000 --record-size 100 --throughput -1',
    '<%= config.bin %> <%= command.id %> --topic perf --num-records 100000 --record-size 1000 --throughput 5000 --command-property bootstrap.servers=localhost:9092 acks=1',
  ]
  static override enableJsonFlag = false
  // The command line is parsed by parseProducerPerfArgs (argparse4j's rules and messages); these
  // declarations are for --help.
  static override strict = false
  static override flags = {
    topic: Flags.string({ summary: 'produce messages to this topic' }),
    'num-records': Flags.string({ summary: 'number of messages to produce' }),
    'record-size': Flags.string({ summary: 'message size in bytes (exactly one of --record-size, --payload-file, --payload-monotonic)' }),
    'payload-file': Flags.string({ summary: 'UTF-8 file of payloads split by --payload-delimiter; each record picks one at random' }),
    'payload-delimiter': Flags.string({ summary: 'delimiter (a Java regex) of --payload-file entries', default: '\\n' }),
    'payload-monotonic': Flags.boolean({ summary: 'payload is the record index as a decimal string' }),
    throughput: Flags.string({ summary: 'throttle to approximately THROUGHPUT records/sec; -1 disables throttling' }),
    'command-property': Flags.string({ summary: 'producer configs PROP-NAME=PROP-VALUE ... (win over --command-config)', multiple: true }),
    'producer-props': Flags.string({ summary: 'deprecated: use --command-property', multiple: true }),
    'command-config': Flags.string({ summary: 'producer config properties file' }),
    'producer.config': Flags.string({ summary: 'deprecated: use --command-config' }),
    'warmup-records': Flags.string({ summary: 'records left out of the steady-state summary printed after the full one (default 0)' }),
    'reporting-interval': Flags.string({ summary: 'milliseconds between interim statistics lines (default 5000)' }),
    'print-metrics': Flags.boolean({ summary: 'prints a note: kafka-ts producers keep no metrics registry' }),
    'transactional-id': Flags.string({ summary: 'Send in transactions under this transactional.id (default: performance-producer-<uuid>).' }),
    'transaction-duration-ms': Flags.string({ summary: 'Commit a transaction after this many ms (default 3000 when transactions are on).' }),
    'bootstrap-server': KafkaCommand.connectionFlags['bootstrap-server'],
    'data-dir': KafkaCommand.connectionFlags['data-dir'],
  }

  async run(): Promise<ProducerPerfReport> {
    const args = await this.parseArgs()
    const print = (line: string) => process.stdout.write(`${line}\n`)
    for (const warning of args.warnings) print(warning)

    if (args.transactionDurationMs !== undefined && args.transactionDurationMs <= 0) this.argumentError('--transaction-duration-ms should be greater than zero')
    if (args.numRecords <= 0) this.argumentError('--num-records should be greater than zero')
    if (args.recordSize !== undefined && args.recordSize <= 0) this.argumentError('--record-size should be greater than zero')
    if (args.reportingIntervalMs <= 0) this.argumentError('--reporting-interval should be greater than zero')
    if (args.warmupRecords >= args.numRecords) {
      this.argumentError('The value for --warmup-records must be strictly fewer than the number of records in the test, --num-records.')
    }

    let payloads: PayloadSource
    if (args.payloadFile !== undefined) {
      let entries
      try {
        entries = readPayloadFile(args.payloadFile, args.payloadDelimiter, print)
      } catch (err) {
        if (err instanceof PayloadFileError) throw new UserError(err.message)
        throw err
      }
      if (entries.length === 0) throw new UserError('No payload file, record size or payload-monotonic option provided.')
      payloads = listPayloads(entries)
    } else if (args.recordSize !== undefined) payloads = randomLetterPayloads(args.recordSize)
    else payloads = monotonicPayloads()

    const props = readProps(args)
    const transactions = transactionSettings(args, props)
    const clientId = props.get('client.id') ?? 'perf-producer-client'
    const settings = producerSettings(props, { clientId, lingerMs: LINGER_MS_DEFAULT })
    logUnusedConfigs('producer', props)
    const bootstrap = args.bootstrapServer ?? props.get('bootstrap.servers')
    const client = await this.openClient({ 'bootstrap-server': bootstrap, 'data-dir': args.dataDir }, { props, clientId })

    const stats = new ProducerStats(args.numRecords, print, Date.now, args.reportingIntervalMs)
    // With --warmup-records: the records after the warm-up also count in a steady-state Stats, from the
    // moment the first of them is sent (records are acknowledged in send order).
    let steady: ProducerStats | undefined
    let acknowledged = 0
    const onAcknowledged = (ack: AcknowledgedRecords) => {
      const now = Date.now()
      const { timestamps, valueBytes } = ack
      for (let i = 0; i < timestamps.length; i++) {
        const latency = now - (timestamps[i] ?? now)
        stats.record(latency, valueBytes[i] ?? 0, now)
        if (steady !== undefined && acknowledged >= args.warmupRecords) steady.record(latency, valueBytes[i] ?? 0, now)
        acknowledged++
      }
    }
    // A failure of the local store (disk full, lock, I/O) ends the run: reported once, with the count.
    let storeFailure: ReturnType<typeof storeFailureOf>
    const onFailure = (f: SendFailure) => {
      storeFailure ??= storeFailureOf(f.error)
      if (storeFailure === undefined) reportFailure(f)
    }
    const sending = { ...settings, onAcknowledged }
    const txn = transactions === undefined ? undefined : await client.transactionalProducer(args.topic, sending, transactions, onFailure)
    const producer = txn ?? (await client.producer(args.topic, sending, onFailure))
    // ProducerPerformance: a transaction begins with the first record after a commit and is committed once
    // it has been open --transaction-duration-ms; the last one at the end.
    let transactionSize = 0
    let transactionStartMs = 0

    if (args.warmupRecords > 0) print(`Warmup first ${args.warmupRecords} records. Steady state results will print after the complete test summary.`)
    const startMs = Date.now()
    const throttler = new ThroughputThrottler(args.throughput, startMs)
    let nextYieldAt = startMs + YIELD_EVERY_MS
    for (let i = 0; i < args.numRecords && storeFailure === undefined; i++) {
      const payload = payloads.next(i)
      const sendStartMs = Date.now()
      if (i === args.warmupRecords && i > 0) {
        steady = new ProducerStats(args.numRecords - args.warmupRecords, print, Date.now, args.reportingIntervalMs, true)
        stats.suppressPrinting()
      }
      if (txn !== undefined && transactionSize === 0) {
        await txn.beginTransaction()
        transactionStartMs = Date.now()
      }
      producer.send(null, payload, undefined, sendStartMs)
      transactionSize++
      if (txn !== undefined && transactions !== undefined && Date.now() - transactionStartMs >= transactions.durationMs) {
        await txn.commitTransaction()
        transactionSize = 0
      }
      if (throttler.shouldThrottle(i, sendStartMs)) await throttler.throttle()
      if (i % CHUNK_RECORDS === CHUNK_RECORDS - 1) {
        await producer.afterChunk()
        if (sendStartMs >= nextYieldAt) {
          await yieldToEventLoop()
          nextYieldAt = Date.now() + YIELD_EVERY_MS
        }
      }
    }
    if (txn !== undefined && transactionSize > 0 && storeFailure === undefined) await txn.commitTransaction()
    await producer.close()
    if (storeFailure !== undefined) throw stoppedProducing(storeFailure, producer.acknowledged)
    print(stats.totalLine())
    if (steady !== undefined) print(steady.totalLine())
    if (args.printMetrics) {
      process.stderr.write('--print-metrics: kafka-ts producers keep no metrics registry like the Java client\'s; no metrics to print.\n')
    }
    return { records: stats.totalCount }
  }

  private async parseArgs(): Promise<ProducerPerfArgs> {
    const argv = [...this.argv]
    // oclif's parse (of nothing) only marks the command as parsed; the real parsing follows argparse4j's rules.
    await this.parse(ProducerPerfTest, [])
    return parseProducerPerfArgs(argv)
  }

  private argumentError(message: string): never {
    argparseFail(PRODUCER_PERF_PROGRAM, message)
  }
}

/**
 * Kafka 4's rule: transactions are on when --transactional-id, --transaction-duration-ms or a
 * transactional.id property is given; the id is the option, else the property, else
 * performance-producer-<random uuid>; a transaction lasts 3000 ms unless told otherwise.
 */
function transactionSettings(args: ProducerPerfArgs, props: ReadonlyMap<string, string>): (TransactionalSettings & { durationMs: number }) | undefined {
  const fromProps = props.get('transactional.id')
  if (args.transactionalId === undefined && args.transactionDurationMs === undefined && fromProps === undefined) return undefined
  const timeout = Number(props.get('transaction.timeout.ms') ?? TRANSACTION_TIMEOUT_MS_DEFAULT)
  return {
    transactionalId: args.transactionalId ?? fromProps ?? `performance-producer-${randomUUID()}`,
    transactionTimeoutMs: Number.isInteger(timeout) ? timeout : TRANSACTION_TIMEOUT_MS_DEFAULT,
    durationMs: args.transactionDurationMs ?? TRANSACTION_DURATION_MS_DEFAULT,
  }
}

/** --command-config, then --command-property (each exactly k=v, as Kafka's readProps splits them). */
function readProps(args: ProducerPerfArgs): Map<string, string> {
  const props = args.commandConfig === undefined ? new Map<string, string>() : readPropertiesFile(args.commandConfig)
  for (const item of args.commandProperties ?? []) {
    // Java's prop.split("="): trailing empty pieces dropped, so `k=` and `k=v=w` are both refused.
    const pieces = item.split('=')
    while (pieces.length > 0 && pieces[pieces.length - 1] === '') pieces.pop()
    const [key, value] = pieces
    if (pieces.length !== 2 || key === undefined || value === undefined) throw new UserError(`Invalid property: ${item}`)
    props.set(key, value)
  }
  return props
}

/** Java's callback prints the exception of every failed send; here once per failed batch, with its record count. */
function reportFailure(f: SendFailure): void {
  const text = f.error instanceof KafkaError ? javaErrorString(f.error) : f.error.message
  process.stderr.write(`${text}${f.records > 1 ? ` (${f.records} records)` : ''}\n`)
}
