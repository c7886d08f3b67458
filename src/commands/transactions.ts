import { Args, Flags, type Interfaces } from '@oclif/core'

import { KafkaError } from '../broker/kafka-error.js'
import { ExitRequest } from '../cli/errors.js'
import { KafkaCommand } from '../cli/kafka-command.js'
import { prettyPrintTable, renderProducers, renderTransactionDescription, renderTransactionList } from '../cli/render/transactions.js'
import type { KafkaClient } from '../client/kafka-client.js'
import type { AbortTransactionSpec, PartitionProducers, TransactionDescription } from '../client/transactions-client.js'

// kafka-transactions (TransactionsCommand, Kafka 4.3; cli-4.md B.2): list, describe, describe-producers, abort,
// find-hanging, forceTerminateTransaction.
// Kafka puts the connection options before the sub-command (`kafka-transactions.sh --bootstrap-server …
// list`); both orders work here. Without --bootstrap-server the data directory's coordinator answers.
// A failure prints Kafka's one line on stderr — `<context>: <cause>. Enable debug logging for additional
// detail.` — and exits 1.

const SUBCOMMANDS = ['list', 'describe', 'describe-producers', 'abort', 'find-hanging', 'forceTerminateTransaction'] as const
type Subcommand = (typeof SUBCOMMANDS)[number]

export interface TransactionsReport {
  lines: string[]
}

/** argparse4j's error as TransactionsCommand prints it (usage line omitted): stderr, exit 1. */
function argumentError(message: string): never {
  process.stderr.write(`kafka-transactions.sh: error: ${message}\n`)
  throw new ExitRequest(1)
}

/** Kafka's printErrorAndExit(message, cause). */
function failed(context: string, err: unknown): never {
  if (!(err instanceof KafkaError)) throw err
  process.stderr.write(`${context}: ${err.message}. Enable debug logging for additional detail.\n`)
  throw new ExitRequest(1)
}

export default class Transactions extends KafkaCommand<TransactionsReport> {
  static override summary = 'List, describe and abort transactions; describe the producers of a partition (kafka-transactions.sh).'
  static override examples = [
    '<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092 list',
    '<%= config.bin %> <%= command.id %> abort --topic orders --partition 0 --start-offset 42',
    '<%= config.bin %> <%= command.id %> describe --transactional-id my-txn',
    '<%= config.bin %> <%= command.id %> describe-producers --topic orders --partition 0',
  ]
  static override args = {
    command: Args.string({ description: `One of: ${SUBCOMMANDS.join(', ')}.` }),
  }
  static override flags = {
    ...KafkaCommand.connectionFlags,
    'duration-filter': Flags.string({ summary: 'list: only transactions running longer than this many ms (< 0: all).' }),
    'transactional-id-pattern': Flags.string({ summary: 'list: only transactional ids matching this Java regular expression.' }),
    'transactional-id': Flags.string({ summary: 'describe: the transactional id.' }),
    topic: Flags.string({ summary: 'describe-producers: the topic.' }),
    partition: Flags.string({ summary: 'describe-producers: the partition.' }),
    'broker-id': Flags.string({ summary: 'describe-producers: the broker to ask (default: the leader); find-hanging: the broker whose partitions to search.' }),
    transactionalId: Flags.string({ summary: 'forceTerminateTransaction: the transactional id (Kafka spells this option in camel case).' }),
    'max-transaction-timeout': Flags.string({ summary: 'find-hanging: transactions open longer than this many minutes are candidates (default 15).' }),
    'start-offset': Flags.string({ summary: 'abort: the start offset of the transaction to abort (brokers on 3.0 and above).' }),
    'producer-id': Flags.string({ summary: 'abort: the producer id (brokers older than 3.0).' }),
    'producer-epoch': Flags.string({ summary: 'abort: the producer epoch (brokers older than 3.0).' }),
    'coordinator-epoch': Flags.string({ summary: 'abort: the coordinator epoch (brokers older than 3.0).' }),
  }

  async run(): Promise<TransactionsReport> {
    const { args, flags } = await this.parse(Transactions)
    const command = args.command
    if (command === undefined) argumentError('too few arguments')
    if (!(SUBCOMMANDS as readonly string[]).includes(command)) {
      argumentError(`argument COMMAND: invalid choice: '${command}' (choose from ${SUBCOMMANDS.map((s) => `'${s}'`).join(', ')})`)
    }
    const client = await this.openClient(flags, { clientId: 'kafka-ts-transactions' })
    const lines = await this.runSubcommand(command as Subcommand, client, flags)
    if (lines.length > 0) this.out(lines.join('\n'))
    return { lines }
  }

  private async runSubcommand(command: Subcommand, client: KafkaClient, flags: Interfaces.InferredFlags<typeof Transactions.flags>): Promise<string[]> {
    switch (command) {
      case 'list': {
        const durationMs = flags['duration-filter'] === undefined ? -1 : javaLong('--duration-filter', flags['duration-filter'])
        const listed = await client.transactions.list({ durationMs, pattern: flags['transactional-id-pattern'] ?? null }).catch((err: unknown) => failed('Failed to list transactions', err))
        return renderTransactionList(listed)
      }
      case 'describe': {
        const id = flags['transactional-id']
        if (id === undefined) argumentError('argument --transactional-id is required')
        const d = await client.transactions.describe(id).catch((err: unknown) => failed(`Failed to describe transaction state of transactional-id \`${id}\``, err))
        return renderTransactionDescription(d, Date.now())
      }
      case 'describe-producers': {
        const topic = flags.topic
        if (topic === undefined) argumentError('argument --topic is required')
        if (flags.partition === undefined) argumentError('argument --partition is required')
        const partition = javaInt('--partition', flags.partition)
        const where = flags['broker-id'] === undefined ? 'on leader' : `on broker ${javaInt('--broker-id', flags['broker-id'])}`
        const producers = await client.transactions
          .describeProducers(topic, partition)
          .catch((err: unknown) => failed(`Failed to describe producers for partition ${topic}-${partition} ${where}`, err))
        return renderProducers(producers)
      }
      case 'abort':
        await this.abort(client, flags)
        return []
      case 'find-hanging':
        return findHanging(client, flags)
      case 'forceTerminateTransaction': {
        const id = flags.transactionalId
        if (id === undefined) argumentError('argument --transactionalId is required')
        await client.transactions.forceTerminate(id).catch((err: unknown) => failed(`Failed to force terminate transactionalId \`${id}\``, err))
        return []
      }
    }
  }

  /** Kafka's AbortTransactionCommand: the transaction named by its start offset, or by producer id, epoch and coordinator epoch. */
  private async abort(client: KafkaClient, flags: Interfaces.InferredFlags<typeof Transactions.flags>): Promise<void> {
    const topic = flags.topic
    if (topic === undefined) argumentError('argument --topic is required')
    if (flags.partition === undefined) argumentError('argument --partition is required')
    const partition = javaInt('--partition', flags.partition)
    const startOffset = flags['start-offset'] === undefined ? undefined : javaLong('--start-offset', flags['start-offset'])
    const producerId = flags['producer-id'] === undefined ? undefined : javaLong('--producer-id', flags['producer-id'])
    const tp = `${topic}-${partition}`
    let spec: AbortTransactionSpec
    if (startOffset === undefined && producerId === undefined) {
      fail(
        'The transaction to abort must be identified either with --start-offset (for brokers on 3.0 or above) or with --producer-id, --producer-epoch, and --coordinator-epoch (for older brokers)',
      )
    } else if (startOffset === undefined) {
      if (flags['producer-epoch'] === undefined) fail('Missing required argument --producer-epoch')
      const producerEpoch = javaShort('--producer-epoch', flags['producer-epoch'])
      if (flags['coordinator-epoch'] === undefined) fail('Missing required argument --coordinator-epoch')
      // A transaction that hung before its producer's first marker shows coordinator epoch -1: 0 is never above it.
      const coordinatorEpoch = Math.max(0, javaInt('--coordinator-epoch', flags['coordinator-epoch']))
      spec = { topic, partition, producerId: producerId!, producerEpoch, coordinatorEpoch }
    } else {
      const state = await client.transactions.describeProducers(topic, partition).catch((err: unknown) => failed(`Failed to validate producer state for partition ${tp}`, err))
      const found = state.producers.find((p) => p.currentTxnStartOffset >= 0 && p.currentTxnStartOffset === startOffset)
      if (found === undefined) fail(`Could not find any open transactions starting at offset ${startOffset} on partition ${tp}`)
      spec = { topic, partition, producerId: found.producerId, producerEpoch: found.producerEpoch, coordinatorEpoch: Math.max(0, found.coordinatorEpoch) }
    }
    const text = `AbortTransactionSpec(topicPartition=${tp}, producerId=${spec.producerId}, producerEpoch=${spec.producerEpoch}, coordinatorEpoch=${spec.coordinatorEpoch})`
    await client.transactions.abortTransaction(spec).catch((err: unknown) => failed(`Failed to abort transaction ${text}`, err))
  }
}

/**
 * Kafka's FindHangingTransactionsCommand: open transactions (DescribeProducers) older than the maximum
 * timeout whose producer id maps to no transactional id, whose id is gone, or whose coordinator does not
 * list the partition.
 */
async function findHanging(client: KafkaClient, flags: Interfaces.InferredFlags<typeof Transactions.flags>): Promise<string[]> {
  const brokerId = flags['broker-id'] === undefined ? undefined : javaInt('--broker-id', flags['broker-id'])
  const topic = flags.topic
  if (brokerId === undefined && topic === undefined) fail('The `find-hanging` command requires either --topic or --broker-id to limit the scope of the search')
  const partition = flags.partition === undefined ? undefined : javaInt('--partition', flags.partition)
  if (partition !== undefined && topic === undefined) fail('The --partition argument requires --topic to be provided')
  const maxTimeoutMs = (flags['max-transaction-timeout'] === undefined ? 15 : javaInt('--max-transaction-timeout', flags['max-transaction-timeout'])) * 60_000
  let partitions: { topic: string; partition: number }[]
  if (topic !== undefined && partition !== undefined) partitions = [{ topic, partition }]
  else {
    const names = topic !== undefined ? [topic] : (await client.listTopics().catch((err: unknown) => failed('Failed to list topics', err))).map((t) => t.name)
    const described = await client.describeTopics(names).catch((err: unknown) => failed(`Failed to describe ${names.length} topics`, err))
    partitions = described.flatMap((d) => d.partitions.filter((p) => brokerId === undefined || p.replicas.includes(brokerId)).map((p) => ({ topic: d.name, partition: p.partition })))
  }
  const now = Date.now()
  const candidates: { topic: string; partition: number; producer: PartitionProducers['producers'][number] }[] = []
  for (const tp of partitions) {
    const state = await client.transactions
      .describeProducers(tp.topic, tp.partition)
      .catch((err: unknown) => failed(`Failed to describe producers for ${partitions.length} partitions on broker ${brokerId === undefined ? 'Optional.empty' : `Optional[${brokerId}]`}`, err))
    for (const producer of state.producers) {
      if (producer.currentTxnStartOffset >= 0 && now - producer.lastTimestamp > maxTimeoutMs) candidates.push({ ...tp, producer })
    }
  }
  const hanging: typeof candidates = []
  if (candidates.length > 0) {
    const listed = await client.transactions.list({ durationMs: -1, pattern: null }).catch((err: unknown) => failed('Failed to list transactions', err))
    const idOf = new Map(listed.flatMap((l) => l.transactions.map((t) => [t.producerId, t.transactionalId] as const)))
    for (const c of candidates) {
      const id = idOf.get(c.producer.producerId)
      const description = id === undefined ? undefined : await describeIfKnown(client, id)
      const listsPartition = description?.topics.some((t) => t.name === c.topic && t.partitions.includes(c.partition)) ?? false
      if (!listsPartition) hanging.push(c)
    }
  }
  return prettyPrintTable(
    ['Topic', 'Partition', 'ProducerId', 'ProducerEpoch', 'CoordinatorEpoch', 'StartOffset', 'LastTimestamp', 'Duration(min)'],
    hanging.map((h) => [
      h.topic,
      String(h.partition),
      String(h.producer.producerId),
      String(h.producer.producerEpoch),
      String(h.producer.coordinatorEpoch),
      String(h.producer.currentTxnStartOffset),
      String(h.producer.lastTimestamp),
      String(Math.floor((now - h.producer.lastTimestamp) / 60_000)),
    ]),
  )
}

/** The transaction's description, undefined when the id is gone (TRANSACTIONAL_ID_NOT_FOUND). */
async function describeIfKnown(client: KafkaClient, id: string): Promise<TransactionDescription | undefined> {
  try {
    return await client.transactions.describe(id)
  } catch (err) {
    if (err instanceof KafkaError && err.errorName === 'TRANSACTIONAL_ID_NOT_FOUND') return undefined
    return failed('Failed to describe 1 transactions', err)
  }
}

/** Kafka's printErrorAndExit(message). */
function fail(message: string): never {
  process.stderr.write(`${message}\n`)
  throw new ExitRequest(1)
}

function javaShort(option: string, text: string): number {
  const n = /^[+-]?\d+$/.test(text) ? Number(text) : NaN
  if (!Number.isInteger(n) || n < -32768 || n > 32767) argumentError(`argument ${option}: could not convert '${text}' to Short`)
  return n
}

/** argparse4j's Integer conversion of an option value. */
function javaInt(option: string, text: string): number {
  const n = /^[+-]?\d+$/.test(text) ? Number(text) : NaN
  if (!Number.isInteger(n) || n < -2147483648 || n > 2147483647) argumentError(`argument ${option}: could not convert '${text}' to Integer`)
  return n
}

function javaLong(option: string, text: string): number {
  const n = /^[+-]?\d+$/.test(text) ? Number(text) : NaN
  if (!Number.isSafeInteger(n)) argumentError(`argument ${option}: could not convert '${text}' to Long`)
  return n
}
