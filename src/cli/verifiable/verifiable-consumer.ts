import { ConsumerFatalError, type CommitOffset, type FormattableRecord, type PartitionRef } from '../../client/kafka-client.js'
import { UsageError, UserError } from '../errors.js'
import { checkGroupProtocol, isolationLevelOf, parseGroupConfig } from '../group-config.js'
import { readArgs, type ArgparseProgram } from '../argparse.js'
import { onTermination } from '../termination.js'
import { CONNECTION_OPTIONS, configFileProperties, connectionOf, type OpenToolClient } from './common.js'
import { EventWriter, type EventObject } from './events.js'

// kafka-verifiable-consumer (VerifiableConsumer, cli-4.md B.11): a consumer-group member (classic
// protocol) that prints what happens to it as JSON events: partitions_assigned / partitions_revoked at
// each rebalance, records_consumed per poll (per partition: count, minOffset, maxOffset), record_data
// per record with --verbose, offsets_committed for the commit the tool makes after every poll (without
// --enable-autocommit), shutdown_requested on SIGTERM/SIGINT and shutdown_complete after close. A "poll"
// here is one round of the consumer's reads (everything handed out between two drain() calls).
//
// Deliberate differences: --group-protocol consumer (KIP-848) is refused until kafka-ts has it; with
// --max-messages the last poll's count is the records kept (Java counts the whole poll, then keeps the
// first ones); without --bootstrap-server the local data directory is read.

const RANGE_ASSIGNOR = 'org.apache.kafka.clients.consumer.RangeAssignor'

export const VERIFIABLE_CONSUMER_PROGRAM: ArgparseProgram = {
  prog: 'verifiable-consumer',
  description:
    'This tool consumes messages from a specific topic and emits consumer events (e.g. group rebalances, received messages, and offsets committed) as JSON objects to STDOUT.',
  options: [
    { name: '--topic', kind: 'string', metavar: 'TOPIC', required: true, help: 'Consumes messages from this topic.' },
    { name: '--group-protocol', kind: 'string', metavar: 'GROUP_PROTOCOL', help: 'Group protocol (must be one of classic, consumer) (default: classic)' },
    { name: '--group-remote-assignor', kind: 'string', metavar: 'GROUP_REMOTE_ASSIGNOR', help: 'Group remote assignor; only used if the group protocol is CONSUMER' },
    { name: '--group-id', kind: 'string', metavar: 'GROUP_ID', required: true, help: 'The groupId shared among members of the consumer group' },
    { name: '--group-instance-id', kind: 'string', metavar: 'GROUP_INSTANCE_ID', help: 'A unique identifier of the consumer instance' },
    {
      name: '--max-messages',
      kind: 'int',
      metavar: 'MAX-MESSAGES',
      help: 'Consume this many messages. If -1 (the default), the consumer will consume until the process is killed externally (default: -1)',
    },
    { name: '--session-timeout', kind: 'int', metavar: 'TIMEOUT_MS', help: "Set the consumer's session timeout; only used if the group protocol is CLASSIC" },
    { name: '--verbose', kind: 'flag', help: 'Enable to log individual consumed records (default: false)' },
    { name: '--enable-autocommit', kind: 'flag', help: 'Enable offset auto-commit on consumer (default: false)' },
    { name: '--reset-policy', kind: 'string', metavar: 'RESET_POLICY', help: "Set reset policy (must be either 'earliest', 'latest', or 'none' (default: earliest)" },
    {
      name: '--assignment-strategy',
      kind: 'string',
      metavar: 'ASSIGNMENT_STRATEGY',
      help: `Set assignment strategy (e.g. org.apache.kafka.clients.consumer.RoundRobinAssignor); only used if the group protocol is CLASSIC (default: ${RANGE_ASSIGNOR})`,
    },
    { name: '--consumer.config', kind: 'string', metavar: 'CONFIG_FILE', help: '(DEPRECATED) Consumer config properties file. Use --command-config instead.' },
    {
      name: '--command-config',
      kind: 'string',
      metavar: 'CONFIG_FILE',
      help: 'Config properties file (config options shared with command line parameters will be overridden).',
    },
    ...CONNECTION_OPTIONS,
  ],
}

export interface VerifiableConsumerReport {
  consumed: number
}

/** One partition's records in the current poll. */
interface PollSummary {
  readonly topic: string
  readonly partition: number
  count: number
  readonly minOffset: number
  maxOffset: number
}

/** What Java's CommitFailedException says when a rebalance took the partitions. */
const COMMIT_FAILED =
  'Commit cannot be completed since the group has already rebalanced and assigned the partitions to another member.'

export async function runVerifiableConsumer(argv: readonly string[], openClient: OpenToolClient): Promise<VerifiableConsumerReport> {
  const program = VERIFIABLE_CONSUMER_PROGRAM
  const args = readArgs(program, argv)
  const props = configFileProperties(program, args, '--consumer.config')

  checkGroupProtocol(args.str('--group-protocol'), 'kafka-ts verifiable-consumer: --group-protocol consumer')
  const resetPolicy = args.str('--reset-policy') ?? 'earliest'
  if (resetPolicy !== 'earliest' && resetPolicy !== 'latest' && resetPolicy !== 'none') {
    throw new UsageError(`Invalid value ${resetPolicy} for configuration auto.offset.reset: String must be one of: earliest, latest, none`)
  }
  // The tool's own settings go over the file's, as Kafka's do.
  const groupId = args.str('--group-id') ?? ''
  const autoCommit = args.flag('--enable-autocommit')
  props.set('partition.assignment.strategy', args.str('--assignment-strategy') ?? RANGE_ASSIGNOR)
  props.set('group.id', groupId)
  const instanceId = args.str('--group-instance-id')
  if (instanceId !== undefined) props.set('group.instance.id', instanceId)
  props.set('enable.auto.commit', String(autoCommit))
  props.set('auto.offset.reset', resetPolicy)
  const sessionTimeout = args.num('--session-timeout')
  if (sessionTimeout !== undefined) props.set('session.timeout.ms', String(sessionTimeout))
  const clientId = props.get('client.id') ?? `consumer-${groupId}-1`
  const group = { ...parseGroupConfig(groupId, props), clientId }
  const topic = args.str('--topic') ?? ''
  const maxMessages = args.num('--max-messages') ?? -1
  const verbose = args.flag('--verbose')

  const client = await openClient(connectionOf(args), props)
  const events = new EventWriter()
  events.print('startup_complete')
  const aborter = new AbortController()
  const dispose = onTermination(() => {
    events.print('shutdown_requested')
    aborter.abort()
  })
  let assigned: readonly PartitionRef[] = []
  const partitionList = (partitions: readonly PartitionRef[]): EventObject[] => partitions.map((p) => ({ topic: p.topic, partition: p.partition }))
  const consumer = await client.consumer({
    topics: { name: topic },
    start: resetPolicy === 'none' ? 'earliest' : resetPolicy,
    resetTo: resetPolicy,
    isolation: isolationLevelOf(props),
    ...(maxMessages >= 0 ? { maxMessages } : {}),
    signal: aborter.signal,
    group,
    clientId,
    onRebalance: (phase, partitions) => {
      assigned = phase === 'assigned' ? partitions : []
      events.print(phase === 'assigned' ? 'partitions_assigned' : 'partitions_revoked', { partitions: partitionList(partitions) })
    },
  })

  let poll = new Map<string, PollSummary>()
  let pollCount = 0
  const onRecord = (r: FormattableRecord, t: string, partition: number): boolean => {
    const key = `${partition}:${t}`
    const summary = poll.get(key)
    if (summary === undefined) poll.set(key, { topic: t, partition, count: 1, minOffset: r.offset, maxOffset: r.offset })
    else {
      summary.count++
      summary.maxOffset = r.offset
    }
    pollCount++
    if (verbose) {
      const text = (start: number, length: number) => (length < 0 ? null : r.data.toString('utf8', start, start + length))
      events.add('record_data', { key: text(r.keyStart, r.keyLength), value: text(r.valueStart, r.valueLength), topic: t, partition, offset: r.offset })
    }
    return true
  }
  // After every round of reads: the poll's summary, then (without auto-commit) its synchronous commit.
  const endOfPoll = async (): Promise<boolean> => {
    if (pollCount === 0) return true
    const summaries = [...poll.values()]
    events.add('records_consumed', {
      count: pollCount,
      partitions: summaries.map((s) => ({ topic: s.topic, partition: s.partition, count: s.count, minOffset: s.minOffset, maxOffset: s.maxOffset })),
    })
    events.flush()
    poll = new Map()
    pollCount = 0
    if (!autoCommit) {
      const offsets: CommitOffset[] = summaries.map((s) => ({ topic: s.topic, partition: s.partition, offset: s.maxOffset + 1 }))
      let error: string | undefined
      try {
        if (!(await consumer.commit(offsets))) error = COMMIT_FAILED
      } catch (err) {
        error = err instanceof Error ? err.message : String(err)
      }
      const committed = offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset }))
      events.print('offsets_committed', error === undefined ? { offsets: committed, success: true } : { offsets: committed, error, success: false })
    }
    return true
  }

  try {
    await consumer.run(onRecord, endOfPoll)
  } catch (err) {
    if (err instanceof ConsumerFatalError) throw new UserError(err.javaText)
    throw err
  } finally {
    events.flush()
    // Java's close() gives the partitions up through the rebalance listener before leaving.
    if (assigned.length > 0) events.print('partitions_revoked', { partitions: partitionList(assigned) })
    await consumer.close()
    dispose()
    events.print('shutdown_complete')
  }
  return { consumed: consumer.count }
}
