// kafka-producer-perf-test's command line, parsed the way its argparse4j parser does (Kafka 4.3,
// ProducerPerformance.argParser): long options with unique-prefix abbreviations, `--name value` or
// `--name=value`, `--command-property` taking one or more values, one required payload option out of
// three, and argparse4j's error texts. Errors print the usage and `kafka-producer-perf-test: error: …`.
// Kafka 3.9's --producer-props and --producer.config still work, with 4.3's deprecation warning.
// kafka-ts adds --data-dir.

export class PerfArgsError extends Error {
  override name = 'PerfArgsError'
}

/** -h: print the help (Kafka then exits 1, as for any argparse4j exception other than no arguments). */
export class PerfHelpRequest extends Error {
  override name = 'PerfHelpRequest'
}

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

type Kind = 'string' | 'long' | 'int' | 'double' | 'flag' | 'list'

interface OptionSpec {
  readonly name: string
  readonly kind: Kind
  readonly metavar?: string
  readonly required?: boolean
  readonly help: string
}

const PAYLOAD_GROUP = ['--record-size', '--payload-file', '--payload-monotonic'] as const

const OPTIONS: readonly OptionSpec[] = [
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
    help: 'The transactional id to use. Not supported by kafka-ts (refused).',
  },
  {
    name: '--transaction-duration-ms',
    kind: 'long',
    metavar: 'TRANSACTION-DURATION',
    help: 'The max age of each transaction. Not supported by kafka-ts (refused).',
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

const JAVA_TYPE: Partial<Record<Kind, string>> = { long: 'Long', int: 'Integer', double: 'Double' }
const INT_MAX = 2 ** 31 - 1
const LONG_MAX = 2n ** 63n - 1n

export function parseProducerPerfArgs(argv: readonly string[]): ProducerPerfArgs {
  const values = new Map<string, string | string[] | true>()
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    if (arg === '-h' || arg === '--help') throw new PerfHelpRequest()
    if (!arg.startsWith('--') || arg === '--') throw new PerfArgsError(`unrecognized arguments: '${argv.slice(i).join(' ')}'`)
    const eq = arg.indexOf('=')
    const typed = eq < 0 ? arg : arg.slice(0, eq)
    const spec = lookup(typed)
    const inline = eq < 0 ? undefined : arg.slice(eq + 1)
    const group = (PAYLOAD_GROUP as readonly string[]).includes(spec.name)
    if (group) {
      const other = PAYLOAD_GROUP.find((g) => g !== spec.name && values.has(g))
      if (other !== undefined) throw new PerfArgsError(`argument ${spec.name}: not allowed with argument ${other}`)
    }
    if (spec.kind === 'flag') {
      if (inline !== undefined) throw new PerfArgsError(`argument ${spec.name}: ignored explicit argument '${inline}'`)
      values.set(spec.name, true)
      continue
    }
    if (spec.kind === 'list') {
      const items: string[] = inline === undefined ? [] : [inline]
      while (i + 1 < argv.length && !(argv[i + 1] ?? '').startsWith('--')) items.push(argv[++i] ?? '')
      if (items.length === 0) throw new PerfArgsError(`argument ${spec.name}: expected at least one argument`)
      values.set(spec.name, items)
      continue
    }
    let value = inline
    if (value === undefined) {
      const next = argv[i + 1]
      // argparse4j takes a following "-1" as a value (it looks like a negative number, not an option).
      if (next === undefined || (next.startsWith('-') && !/^-\d/.test(next))) throw new PerfArgsError(`argument ${spec.name}: expected one argument`)
      value = next
      i++
    }
    convert(spec, value)
    values.set(spec.name, value)
  }
  for (const spec of OPTIONS) {
    if (spec.required === true && !values.has(spec.name)) throw new PerfArgsError(`argument ${spec.name} is required`)
  }
  if (!PAYLOAD_GROUP.some((g) => values.has(g))) throw new PerfArgsError(`one of the arguments ${PAYLOAD_GROUP.join(' ')} is required`)

  const str = (name: string) => {
    const v = values.get(name)
    return typeof v === 'string' ? v : undefined
  }
  const num = (name: string) => {
    const v = str(name)
    return v === undefined ? undefined : convert(lookup(name), v)
  }
  const warnings: string[] = []
  const renamed = (old: string, current: string, conflict: string) => {
    if (values.has(old) && values.has(current)) throw new PerfArgsError(conflict)
    if (!values.has(old)) return values.get(current)
    warnings.push(`Option ${old} has been deprecated and will be removed in a future version. Use ${current} instead.`)
    return values.get(old)
  }
  const list = renamed('--producer-props', '--command-property', '--command-property and --producer-props cannot be specified together.')
  const config = renamed('--producer.config', '--command-config', '--command-config and --producer.config cannot be specified together.')
  const delimiter = str('--payload-delimiter') ?? '\\n'
  return {
    topic: str('--topic') ?? '',
    numRecords: num('--num-records') ?? 0,
    recordSize: num('--record-size'),
    payloadFile: str('--payload-file'),
    payloadMonotonic: values.get('--payload-monotonic') === true,
    // Kafka's default is the two characters \n (so that the help shows it), replaced by a newline.
    payloadDelimiter: delimiter === '\\n' ? '\n' : delimiter,
    throughput: num('--throughput') ?? -1,
    commandProperties: Array.isArray(list) ? list : undefined,
    commandConfig: typeof config === 'string' ? config : undefined,
    printMetrics: values.get('--print-metrics') === true,
    transactionalId: str('--transactional-id'),
    transactionDurationMs: num('--transaction-duration-ms'),
    warmupRecords: num('--warmup-records') ?? 0,
    reportingIntervalMs: num('--reporting-interval') ?? 5000,
    bootstrapServer: str('--bootstrap-server'),
    dataDir: str('--data-dir'),
    warnings,
  }
}

/** An option by its full name or a unique prefix of it (argparse4j's abbreviations). */
function lookup(typed: string): OptionSpec {
  const exact = OPTIONS.find((o) => o.name === typed)
  if (exact) return exact
  const candidates = OPTIONS.filter((o) => o.name.startsWith(typed))
  const [only] = candidates
  if (candidates.length === 1 && only !== undefined) return only
  if (candidates.length > 1) throw new PerfArgsError(`ambiguous option: ${typed} could match ${candidates.map((c) => c.name).join(', ')}`)
  throw new PerfArgsError(`unrecognized arguments: '${typed}'`)
}

/** The value as Java's Long/Integer/Double.valueOf reads it, or argparse4j's conversion error. */
function convert(spec: OptionSpec, value: string): number | undefined {
  const type = JAVA_TYPE[spec.kind]
  if (type === undefined) return undefined
  const fail = () => new PerfArgsError(`argument ${spec.name}: could not convert '${value}' to ${type} (For input string: "${value}")`)
  if (spec.kind === 'double') {
    const trimmed = value.trim()
    if (!/^[+-]?(NaN|Infinity|((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)[fFdD]?)$/.test(trimmed)) throw fail()
    return Number(trimmed.replace(/[fFdD]$/, ''))
  }
  if (!/^[+-]?\d+$/.test(value)) throw fail()
  const big = BigInt(value)
  const max = spec.kind === 'int' ? BigInt(INT_MAX) : LONG_MAX
  if (big > max || big < -max - 1n) throw fail()
  return Number(big)
}

const USAGE_PARTS = [
  '[-h]',
  '--topic TOPIC',
  '--num-records NUM-RECORDS',
  '[--payload-delimiter PAYLOAD-DELIMITER]',
  '--throughput THROUGHPUT',
  '[--producer-props PROP-NAME=PROP-VALUE [PROP-NAME=PROP-VALUE ...]]',
  '[--command-property PROP-NAME=PROP-VALUE [PROP-NAME=PROP-VALUE ...]]',
  '[--producer.config CONFIG-FILE]',
  '[--command-config CONFIG-FILE]',
  '[--print-metrics]',
  '[--transactional-id TRANSACTIONAL-ID]',
  '[--transaction-duration-ms TRANSACTION-DURATION]',
  '[--warmup-records WARMUP-RECORDS]',
  '[--reporting-interval INTERVAL-MS]',
  '[--bootstrap-server BOOTSTRAP-SERVERS]',
  '[--data-dir DIR]',
  '(--record-size RECORD-SIZE | --payload-file PAYLOAD-FILE | --payload-monotonic)',
]

/** argparse4j's usage block, wrapped at 80 columns under the program name. */
export function producerPerfUsage(): string {
  const head = 'usage: kafka-producer-perf-test '
  const lines: string[] = []
  let line = head
  for (const part of USAGE_PARTS) {
    if (line.length + part.length > 80 && line.trim() !== head.trim()) {
      lines.push(line.trimEnd())
      line = ' '.repeat(head.length)
    }
    line += `${part} `
  }
  lines.push(line.trimEnd())
  return lines.join('\n')
}

export function producerPerfHelp(): string {
  const out = [
    producerPerfUsage(),
    '',
    'This tool is used to verify the producer performance.',
    '',
    'named arguments:',
    '  -h, --help             show this help message and exit',
  ]
  const describe = (spec: OptionSpec) => {
    const left = `  ${spec.name}${spec.metavar === undefined ? '' : spec.kind === 'list' ? ` ${spec.metavar} [${spec.metavar} ...]` : ` ${spec.metavar}`}`
    out.push(left.length < 24 ? `${left.padEnd(25)}${spec.help}` : `${left}\n${' '.repeat(25)}${spec.help}`)
  }
  for (const spec of OPTIONS) if (!(PAYLOAD_GROUP as readonly string[]).includes(spec.name)) describe(spec)
  out.push('', '  either --record-size or --payload-file must be specified but not both.', '')
  for (const spec of OPTIONS) if ((PAYLOAD_GROUP as readonly string[]).includes(spec.name)) describe(spec)
  return `${out.join('\n')}\n`
}
