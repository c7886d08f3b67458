import { Flags } from '@oclif/core'

import { measureEndToEndLatency } from '../cli/e2e-latency.js'
import { UsageError } from '../cli/errors.js'
import { missingArgument } from '../cli/flags.js'
import { KafkaCommand } from '../cli/kafka-command.js'
import { readPropertiesFile } from '../cli/properties-file.js'
import { parseJavaInt } from '../util/java/numbers.js'

// kafka-e2e-latency (EndToEndLatency, cli-4.md B.12): the named options of Kafka 4.2+ and the deprecated
// positional form `broker_list topic num_messages producer_acks message_size_bytes [properties_file]`
// (with Kafka's warning on stdout). The work is cli/e2e-latency.ts.
//
// Embedded runs: without --bootstrap-server the local data directory is used; in the positional form,
// whose first argument Kafka requires, a broker_list of `local` means the local data directory
// (--data-dir or $KAFKA_TS_DATA_DIR). Any other broker_list is a bootstrap server list.

const NAMED = ['--bootstrap-server', '--topic', '--num-records', '--producer-acks', '--record-size']
const DESCRIPTION = 'This tool measures end-to-end latency in Kafka by sending messages and timing their reception.'
/** The positional broker_list that means "the local data directory". */
const LOCAL = 'local'

export default class E2eLatency extends KafkaCommand<void> {
  static override summary = 'Measure the end-to-end latency of single records, send to receipt (kafka-e2e-latency.sh).'
  static override description = `${DESCRIPTION} Deprecated positional form: broker_list topic num_messages producer_acks message_size_bytes [properties_file]; broker_list "${LOCAL}" is the local data directory.`
  static override examples = [
    '<%= config.bin %> <%= command.id %> --topic latency --num-records 1000 --producer-acks all --record-size 100',
    '<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092 --topic latency --num-records 10000 --producer-acks 1 --record-size 512',
  ]
  static override enableJsonFlag = false
  static override flags = {
    ...KafkaCommand.connectionFlags,
    topic: Flags.string({ summary: 'REQUIRED: The topic to use for the test (created with 1 partition when missing).' }),
    'num-records': Flags.string({ summary: 'REQUIRED: The number of messages to send.' }),
    'producer-acks': Flags.string({ summary: "REQUIRED: Producer acknowledgements. Must be '1' or 'all'." }),
    'record-size': Flags.string({ summary: 'REQUIRED: The size of each message payload in bytes.' }),
    'record-key-size': Flags.string({ summary: 'The size of the message key in bytes (default 0: an empty key).' }),
    'record-header-key-size': Flags.string({ summary: 'The size of the message header key in bytes (default 0).' }),
    'record-header-size': Flags.string({ summary: 'The size of message header value in bytes; -1 for null header values (default 0).' }),
    'num-headers': Flags.string({ summary: 'The number of headers to include in each message (default 0).' }),
  }

  static override strict = false

  async run(): Promise<void> {
    let argv: string[]
    try {
      argv = legacyArgs([...this.argv])
    } catch (err) {
      // oclif wants every command parsed, even one refused before its flags are read.
      await this.parse(E2eLatency, [])
      throw err
    }
    const { flags } = await this.parse(E2eLatency, argv)
    const int = (name: string, value: string | undefined, fallback?: number): number => {
      if (value === undefined) {
        if (fallback === undefined) throw new UsageError(missingArgument(name))
        return fallback
      }
      const n = parseJavaInt(value)
      if (n === undefined) throw new UsageError(`Cannot parse argument '${value}' of option ${name}`)
      return n
    }
    const topic = flags.topic
    if (topic === undefined) throw new UsageError(missingArgument('topic'))
    const numRecords = int('num-records', flags['num-records'])
    const acks = flags['producer-acks']
    if (acks === undefined) throw new UsageError(missingArgument('producer-acks'))
    const recordSize = int('record-size', flags['record-size'])
    if (acks !== '1' && acks !== 'all') throw new UsageError("Invalid value for --producer-acks. Latency testing requires synchronous acknowledgement. Please use '1' or 'all'.")
    if (numRecords <= 0) throw new UsageError('Value for --num-records must be a positive integer.')
    if (recordSize < 0) throw new UsageError('Value for --record-size must be a non-negative integer.')
    const recordKeySize = int('record-key-size', flags['record-key-size'], 0)
    if (recordKeySize < 0) throw new UsageError('Value for --record-key-size must be a non-negative integer.')
    const headerKeySize = int('record-header-key-size', flags['record-header-key-size'], 0)
    if (headerKeySize < 0) throw new UsageError('Value for --record-header-key-size must be a non-negative integer.')
    const headerValueSize = int('record-header-size', flags['record-header-size'], 0)
    if (headerValueSize < -1) throw new UsageError('Value for --record-header-size must be a non-negative integer or -1 for null header value.')
    const numHeaders = int('num-headers', flags['num-headers'], 0)
    if (numHeaders < 0) throw new UsageError('Value for --num-headers must be a non-negative integer.')

    const props = flags['command-config'] === undefined ? new Map<string, string>() : readPropertiesFile(flags['command-config'])
    const bootstrap = flags['bootstrap-server'] === LOCAL ? undefined : flags['bootstrap-server']
    const client = await this.openClient({ ...flags, 'bootstrap-server': bootstrap }, { props, clientId: props.get('client.id') ?? 'producer-1' })
    const settings = { topic, acks: acks === '1' ? 1 : -1, numRecords, recordSize, recordKeySize, numHeaders, headerKeySize, headerValueSize } as const
    await measureEndToEndLatency(client, props, settings, (line) => process.stdout.write(`${line}\n`))
  }
}

/** Kafka 4.2's conversion of the positional form to named options (with its warning); named options pass through. */
function legacyArgs(all: string[]): string[] {
  if (all.length === 0) throw new UsageError(DESCRIPTION)
  if (all.some((a) => NAMED.includes(a) || NAMED.some((n) => a.startsWith(`${n}=`)))) return all
  // kafka-ts's --data-dir may go with the positional form.
  const at = all.findIndex((a) => a === '--data-dir' || a.startsWith('--data-dir='))
  const dataDir = at < 0 ? [] : all.splice(at, all[at] === '--data-dir' ? 2 : 1)
  const argv = all
  if (argv.length !== 5 && argv.length !== 6) {
    throw new UsageError(
      `Invalid number of arguments. Expected 5 or 6 positional arguments, but got ${argv.length}. Usage: bootstrap-server topic num-records producer-acks record-size [optional] command-config`,
    )
  }
  const [brokers = '', topic = '', num = '', acks = '', size = '', config] = argv
  process.stdout.write(
    'WARNING: Positional argument usage is deprecated and will be removed in Apache Kafka 5.0. Please use named arguments instead: --bootstrap-server, --topic, --num-records, --producer-acks, --record-size, --command-config\n',
  )
  return ['--bootstrap-server', brokers, '--topic', topic, '--num-records', num, '--producer-acks', acks, '--record-size', size, ...(config === undefined ? [] : ['--command-config', config]), ...dataDir]
}
