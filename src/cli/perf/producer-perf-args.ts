// kafka-producer-perf-test's command line, as its argparse4j parser has it (Kafka 4.3,
// ProducerPerformance.argParser; the parsing rules are cli/argparse.ts): `--command-property` takes one or
// more values, one payload option out of three is required. Kafka 3.9's --producer-props and
// --producer.config still work, with 4.3's deprecation warning. kafka-ts adds --data-dir.

import { argparseFail, readArgs, type ArgSpec, type ArgparseProgram } from '../argparse.js'

export interface ProducerPerfArgs {
  readonly topic: string
  readonly numRecords: number
  readonly recordSize: number | undefined
  readonly payloadFile: string | undefined
  readonly payloadMonotonic: boolean
  readonly payloadDelimiter: string
  readonly throughput: number
  /** --command-property (or --producer-props) items. */
  readonly commandProperties: readonly string[] | undefined
  /** --command-config (or --producer.config). */
  readonly commandConfig: string | undefined
  readonly printMetrics: boolean
  readonly transactionalId: string | undefined
  readonly transactionDurationMs: number | undefined
  readonly warmupRecords: number
  readonly reportingIntervalMs: number
  readonly bootstrapServer: string | undefined
  readonly dataDir: string | undefined
  /** Deprecation warnings for the 3.9 names used (Kafka prints them on stdout). */
  readonly warnings: readonly string[]
}

const PAYLOAD_GROUP = ['--record-size', '--payload-file', '--payload-monotonic']

const OPTIONS: readonly ArgSpec[] = [
  { name: '--topic', kind: 'string', metavar: 'TOPIC', required: true, help: 'produce messages to this topic' },
  { name: '--num-records', kind: 'long', metavar: 'NUM-RECORDS', required: true, help: 'number of messages to produce' },
  {
    name: '--payload-delimiter',
    kind: 'string',
    metavar: 'PAYLOAD-DELIMITER',
    help: 'provides delimiter to be used when --payload-file is provided. Defaults to new line. Note that this parameter will be ignored if --payload-file is not provided. (default: \\n)',
  },
  {
    name: '--throughput',
    kind: 'double',
    metavar: 'THROUGHPUT',
    required: true,
    help: 'throttle maximum message throughput to *approximately* THROUGHPUT messages/sec. Set this to -1 to disable throttling.',
  },
  {
    name: '--producer-props',
    kind: 'list',
    metavar: 'PROP-NAME=PROP-VALUE',
    help: 'DEPRECATED: use --command-property instead.',
  },
  {
    name: '--command-property',
    kind: 'list',
    metavar: 'PROP-NAME=PROP-VALUE',
    help: 'producer configuration properties such as bootstrap.servers or client.id; they take precedence over --command-config.',
  },
  { name: '--producer.config', kind: 'string', metavar: 'CONFIG-FILE', help: 'DEPRECATED: use --command-config instead.' },
  { name: '--command-config', kind: 'string', metavar: 'CONFIG-FILE', help: 'producer configuration properties file.' },
  { name: '--print-metrics', kind: 'flag', help: 'print out metrics at the end of the test. (default: false)' },
  {
    name: '--transactional-id',
    kind: 'string',
    metavar: 'TRANSACTIONAL-ID',
    help: 'The transactional id to send with (wins over transactional.id from --command-config or --command-property; default performance-producer-<random uuid>).',
  },
  {
    name: '--transaction-duration-ms',
    kind: 'long',
    metavar: 'TRANSACTION-DURATION',
    help: 'How long each transaction stays open before it is committed, in ms (> 0; default 3000 when transactions are on).',
  },
  {
    name: '--warmup-records',
    kind: 'long',
    metavar: 'WARMUP-RECORDS',
    help: 'the first WARMUP-RECORDS records are left out of a second, steady-state summary printed after the full one. (default: 0)',
  },
  {
    name: '--reporting-interval',
    kind: 'long',
    metavar: 'INTERVAL-MS',
    help: 'milliseconds between the interim statistics lines. (default: 5000)',
  },
  {
    name: '--record-size',
    kind: 'int',
    metavar: 'RECORD-SIZE',
    help: 'message size in bytes. Note that you must provide exactly one of --record-size or --payload-file or --payload-monotonic.',
  },
  {
    name: '--payload-file',
    kind: 'string',
    metavar: 'PAYLOAD-FILE',
    help: 'file to read the message payloads from. This works only for UTF-8 encoded text files. Payloads will be read from this file and a payload will be randomly selected when sending messages. Note that you must provide exactly one of --record-size or --payload-file or --payload-monotonic.',
  },
  {
    name: '--payload-monotonic',
    kind: 'flag',
    help: 'payload is monotonically increasing integer. Note that you must provide exactly one of --record-size or --payload-file or --payload-monotonic. (default: false)',
  },
  {
    name: '--bootstrap-server',
    kind: 'string',
    metavar: 'BOOTSTRAP-SERVERS',
    help: 'the broker(s) to connect to; overrides bootstrap.servers in the properties. kafka-ts: without either, the local data directory is used.',
  },
  { name: '--data-dir', kind: 'string', metavar: 'DIR', help: 'kafka-ts: the local data directory (default: $KAFKA_TS_DATA_DIR, else ~/.local/share/kafka-ts).' },
]

export const PRODUCER_PERF_PROGRAM: ArgparseProgram = {
  prog: 'kafka-producer-perf-test',
  description: 'This tool is used to verify the producer performance.',
  options: OPTIONS,
  oneOf: PAYLOAD_GROUP,
  oneOfDescription: 'either --record-size or --payload-file must be specified but not both.',
}

/** The command line, or its help or argparse4j's error printed (and an ExitRequest thrown). */
export function parseProducerPerfArgs(argv: readonly string[]): ProducerPerfArgs {
  const args = readArgs(PRODUCER_PERF_PROGRAM, argv)
  const warnings: string[] = []
  const renamed = (old: string, current: string, conflict: string) => {
    if (args.has(old) && args.has(current)) argparseFail(PRODUCER_PERF_PROGRAM, conflict)
    if (!args.has(old)) return current
    warnings.push(`Option ${old} has been deprecated and will be removed in a future version. Use ${current} instead.`)
    return old
  }
  const list = renamed('--producer-props', '--command-property', '--command-property and --producer-props cannot be specified together.')
  const config = renamed('--producer.config', '--command-config', '--command-config and --producer.config cannot be specified together.')
  const delimiter = args.str('--payload-delimiter') ?? '\\n'
  return {
    topic: args.str('--topic') ?? '',
    numRecords: args.num('--num-records') ?? 0,
    recordSize: args.num('--record-size'),
    payloadFile: args.str('--payload-file'),
    payloadMonotonic: args.flag('--payload-monotonic'),
    // Kafka's default is the two characters \n (so that the help shows it), replaced by a newline.
    payloadDelimiter: delimiter === '\\n' ? '\n' : delimiter,
    throughput: args.num('--throughput') ?? -1,
    commandProperties: args.list(list),
    commandConfig: args.str(config),
    printMetrics: args.flag('--print-metrics'),
    transactionalId: args.str('--transactional-id'),
    transactionDurationMs: args.num('--transaction-duration-ms'),
    warmupRecords: args.num('--warmup-records') ?? 0,
    reportingIntervalMs: args.num('--reporting-interval') ?? 5000,
    bootstrapServer: args.str('--bootstrap-server'),
    dataDir: args.str('--data-dir'),
    warnings,
  }
}
