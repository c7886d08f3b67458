import { Flags } from '@oclif/core'

import { KafkaCommand } from '../cli/kafka-command.js'
import { UserError } from '../cli/errors.js'
import { parseTransactionsArgs } from '../cli/transactions/transactions-args.js'
import {
  abortTransaction,
  describeProducers,
  describeTransaction,
  findHangingTransactions,
  forceTerminateTransaction,
  listTransactions,
  type AbortTarget,
} from '../cli/transactions/transactions-tool.js'
import type { ParsedArgs } from '../cli/argparse.js'
import type { KafkaClient } from '../client/kafka-client.js'

// kafka-transactions (TransactionsCommand, cli-4.md B.2): list, describe, describe-producers, abort,
// find-hanging and forceTerminateTransaction, embedded (the data directory's coordinator and partition logs)
// or with --bootstrap-server. The work is cli/transactions/; the command line is argparse4j's.

const ABORT_TARGET_REQUIRED =
  'The transaction to abort must be identified either with --start-offset (for brokers on 3.0 or above) or with --producer-id, --producer-epoch, and --coordinator-epoch (for older brokers)'

export default class Transactions extends KafkaCommand<void> {
  static override summary = 'List and describe transactions, describe producers, find and abort hanging transactions (kafka-transactions.sh).'
  static override examples = [
    '<%= config.bin %> <%= command.id %> list',
    '<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092 describe --transactional-id my-app',
    '<%= config.bin %> <%= command.id %> describe-producers --topic orders --partition 0',
    '<%= config.bin %> <%= command.id %> find-hanging --broker-id 1',
    '<%= config.bin %> <%= command.id %> abort --topic orders --partition 0 --start-offset 42',
  ]
  static override enableJsonFlag = false
  // Parsed by cli/transactions/transactions-args.ts with Kafka's rules; these declarations are for --help.
  static override strict = false
  static override flags = {
    ...KafkaCommand.connectionFlags,
    'transactional-id': Flags.string({ summary: 'describe: the transactional id.' }),
    'duration-filter': Flags.string({ summary: 'list: only transactions running longer than this many ms.' }),
    'transactional-id-pattern': Flags.string({ summary: 'list: only ids matching this (Java) regular expression.' }),
    topic: Flags.string({ summary: 'describe-producers, abort, find-hanging: the topic.' }),
    partition: Flags.string({ summary: 'describe-producers, abort, find-hanging: the partition.' }),
    'broker-id': Flags.string({ summary: 'describe-producers, find-hanging: the broker to ask.' }),
    'start-offset': Flags.string({ summary: 'abort: the first offset of the open transaction to abort.' }),
    'producer-id': Flags.string({ summary: 'abort: the producer id (with --producer-epoch and --coordinator-epoch).' }),
    'producer-epoch': Flags.string({ summary: 'abort: the producer epoch.' }),
    'coordinator-epoch': Flags.string({ summary: 'abort: the coordinator epoch.' }),
    'max-transaction-timeout': Flags.string({ summary: 'find-hanging: the largest transaction timeout in minutes (default 15).' }),
    transactionalId: Flags.string({ summary: 'forceTerminateTransaction: the transactional id.' }),
  }

  async run(): Promise<void> {
    const argv = [...this.argv]
    await this.parse(Transactions, [])
    const { command, connection, options } = parseTransactionsArgs(argv)
    const client = await this.openClient(connection, { clientId: 'kafka-ts-transactions' })
    this.out(await this.runSubcommand(client, command, options))
  }

  private async runSubcommand(client: KafkaClient, command: string, o: ParsedArgs): Promise<string> {
    const partition = () => ({ topic: o.str('--topic') ?? '', partition: o.num('--partition') ?? -1 })
    switch (command) {
      case 'list':
        return listTransactions(client, { ...optional('durationMs', o.num('--duration-filter')), ...optional('transactionalIdPattern', o.str('--transactional-id-pattern')) })
      case 'describe':
        return describeTransaction(client, o.str('--transactional-id') ?? '')
      case 'describe-producers':
        return describeProducers(client, partition(), o.num('--broker-id'))
      case 'abort':
        return abortTransaction(client, partition(), abortTarget(o))
      case 'find-hanging': {
        const topic = o.str('--topic')
        const brokerId = o.num('--broker-id')
        if (topic === undefined && brokerId === undefined) throw new UserError('The `find-hanging` command requires either --topic or --broker-id to limit the scope of the search')
        const p = o.num('--partition')
        if (p !== undefined && topic === undefined) throw new UserError('The --partition argument requires --topic to be provided')
        return findHangingTransactions(client, {
          ...optional('topic', topic),
          ...optional('partition', p),
          ...optional('brokerId', brokerId),
          maxTransactionTimeoutMinutes: o.num('--max-transaction-timeout') ?? 15,
        })
      }
      default:
        return forceTerminateTransaction(client, o.str('--transactionalId') ?? '')
    }
  }
}

/** abort's two ways of naming the transaction, checked as Kafka's tool checks them. */
function abortTarget(o: ParsedArgs): AbortTarget {
  const startOffset = o.num('--start-offset')
  if (startOffset !== undefined) return { startOffset }
  const producerId = o.num('--producer-id')
  if (producerId === undefined) throw new UserError(ABORT_TARGET_REQUIRED)
  const producerEpoch = o.num('--producer-epoch')
  if (producerEpoch === undefined) throw new UserError('Missing required argument --producer-epoch')
  const coordinatorEpoch = o.num('--coordinator-epoch')
  if (coordinatorEpoch === undefined) throw new UserError('Missing required argument --coordinator-epoch')
  return { producerId, producerEpoch, coordinatorEpoch }
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V }
}
