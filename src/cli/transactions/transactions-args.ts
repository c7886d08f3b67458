import { ArgparseError, argparseFail, parseArgparse, readArgs, type ArgparseProgram, type ParsedArgs } from '../argparse.js'
import { ExitRequest } from '../errors.js'

// kafka-transactions.sh's command line (TransactionsCommand: argparse4j with sub-commands). The connection
// options belong before the sub-command in Kafka; here they are taken on either side of it, and
// --bootstrap-server is optional (without it the local data directory is used). Each sub-command's options
// are argparse4j's (unique prefixes, Java number conversions, `kafka-transactions.sh <command>: error: …`).

const PROG = 'kafka-transactions.sh'
export const SUBCOMMANDS = ['list', 'describe', 'describe-producers', 'abort', 'find-hanging', 'forceTerminateTransaction'] as const
export type Subcommand = (typeof SUBCOMMANDS)[number]

const CONNECTION_OPTIONS = ['--bootstrap-server', '--command-config', '--data-dir'] as const

const PROGRAMS: Readonly<Record<Subcommand, ArgparseProgram>> = {
  list: {
    prog: `${PROG} list`,
    description: 'list transactions',
    options: [
      {
        name: '--duration-filter',
        kind: 'long',
        metavar: 'DURATION_FILTER',
        help: 'Duration (in millis) to filter by: if < 0, all transactions will be returned; otherwise, only transactions running longer than this duration will be returned',
      },
      { name: '--transactional-id-pattern', kind: 'string', metavar: 'TRANSACTIONAL_ID_PATTERN', help: 'Transactional id regular expression pattern to filter by' },
    ],
  },
  describe: {
    prog: `${PROG} describe`,
    description: 'Describe the state of an active transactional-id.',
    options: [{ name: '--transactional-id', kind: 'string', metavar: 'TRANSACTIONAL_ID', required: true, help: 'transactional id' }],
  },
  'describe-producers': {
    prog: `${PROG} describe-producers`,
    description: 'describe the states of active producers for a topic partition',
    options: [
      { name: '--broker-id', kind: 'int', metavar: 'BROKER_ID', help: 'optional broker id to describe the producer state on a specific replica' },
      { name: '--topic', kind: 'string', metavar: 'TOPIC', required: true, help: 'topic name' },
      { name: '--partition', kind: 'int', metavar: 'PARTITION', required: true, help: 'partition number' },
    ],
  },
  abort: {
    prog: `${PROG} abort`,
    description: 'abort a hanging transaction (requires administrative privileges)',
    options: [
      { name: '--topic', kind: 'string', metavar: 'TOPIC', required: true, help: 'topic name' },
      { name: '--partition', kind: 'int', metavar: 'PARTITION', required: true, help: 'partition number' },
      { name: '--start-offset', kind: 'long', metavar: 'START_OFFSET', help: 'start offset of the transaction to abort' },
      { name: '--producer-id', kind: 'long', metavar: 'PRODUCER_ID', help: 'producer id' },
      { name: '--producer-epoch', kind: 'int', metavar: 'PRODUCER_EPOCH', help: 'producer epoch' },
      { name: '--coordinator-epoch', kind: 'int', metavar: 'COORDINATOR_EPOCH', help: 'coordinator epoch' },
    ],
  },
  'find-hanging': {
    prog: `${PROG} find-hanging`,
    description: 'find hanging transactions',
    options: [
      { name: '--broker-id', kind: 'int', metavar: 'BROKER_ID', help: 'broker id to search for hanging transactions' },
      {
        name: '--max-transaction-timeout',
        kind: 'int',
        metavar: 'MAX_TRANSACTION_TIMEOUT',
        help: 'maximum transaction timeout in minutes to limit the scope of the search (15 minutes by default)',
      },
      { name: '--topic', kind: 'string', metavar: 'TOPIC', help: 'topic name to limit search to (required if --partition is specified)' },
      { name: '--partition', kind: 'int', metavar: 'PARTITION', help: 'partition number' },
    ],
  },
  forceTerminateTransaction: {
    prog: `${PROG} forceTerminateTransaction`,
    description: 'Force abort an ongoing transaction on transactionalId',
    options: [{ name: '--transactionalId', kind: 'string', metavar: 'TRANSACTIONALID', required: true, help: 'transactional id' }],
  },
}

const USAGE = `usage: ${PROG} [-h] [-v] [--command-config FILE] [--bootstrap-server host:port] COMMAND ...`

export interface TransactionsArgs {
  readonly command: Subcommand
  readonly connection: { 'bootstrap-server'?: string; 'command-config'?: string; 'data-dir'?: string }
  readonly options: ParsedArgs
}

function fail(message: string): never {
  process.stderr.write(`${USAGE}\n${PROG}: error: ${message}\n`)
  throw new ExitRequest(1)
}

/** The command line split into the connection options, the sub-command and its parsed options. */
export function parseTransactionsArgs(argv: readonly string[]): TransactionsArgs {
  const connection: Record<string, string> = {}
  const rest: string[] = []
  let command: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    const eq = arg.indexOf('=')
    const name = eq < 0 ? arg : arg.slice(0, eq)
    if ((CONNECTION_OPTIONS as readonly string[]).includes(name)) {
      const value = eq < 0 ? argv[++i] : arg.slice(eq + 1)
      if (value === undefined) fail(`argument ${name}: expected one argument`)
      connection[name.slice(2)] = value
    } else if (command === undefined && !arg.startsWith('-')) {
      command = arg
    } else {
      rest.push(arg)
    }
  }
  if (command === undefined) fail('too few arguments')
  if (!(SUBCOMMANDS as readonly string[]).includes(command)) {
    fail(`argument COMMAND: invalid choice: '${command}' (choose from ${SUBCOMMANDS.map((s) => `'${s}'`).join(', ')})`)
  }
  return { command: command as Subcommand, connection, options: parseOptions(PROGRAMS[command as Subcommand], rest) }
}

/** The sub-command's options; with none given it runs (readArgs would print the help, the perf tools' rule). */
function parseOptions(program: ArgparseProgram, rest: readonly string[]): ParsedArgs {
  if (rest.length > 0) return readArgs(program, rest)
  try {
    return parseArgparse(program, [])
  } catch (err) {
    if (err instanceof ArgparseError) argparseFail(program, err.message)
    throw err
  }
}
