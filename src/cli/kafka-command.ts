import { Command, Flags } from '@oclif/core'

import type { Broker } from '../broker/broker.js'
import { BrokerConfigError } from '../broker/broker-config.js'
import { DataDirError, openBroker, resolveDataDir, storeDamageMessage } from '../broker/open-broker.js'
import { KafkaError } from '../broker/kafka-error.js'
import { storageCheckHint } from '../broker/log-damage.js'
import { ClientConfigError, ConnectionFailure, ConsumerFatalError, type KafkaClient } from '../client/kafka-client.js'
import { embeddedClient, remoteClient } from '../client/open-client.js'
import { ExitRequest, UserError } from './errors.js'
import { promptForMissing } from './prompts.js'
import { describeStorageFailure } from './storage-errors.js'
import { storeFailureOf } from '../broker/store-failure.js'
import { readPropertiesFile } from './properties-file.js'
import { stderrChalk } from './terminal.js'

/**
 * The base of every kafka-ts command. It owns the cross-cutting rules, once: connection flags and
 * opening the broker, `--json`, stdout discipline, error rendering and exit codes, and closing the
 * store however the command ends. Commands stay thin: parse → call the broker → render → return.
 */
export abstract class KafkaCommand<T> extends Command {
  static override enableJsonFlag = true

  /** Opt-in connection flags (not baseFlags: `storage random-uuid` needs none). */
  static connectionFlags = {
    'bootstrap-server': Flags.string({
      summary: 'Kafka broker(s) to connect to (host:port[,host:port]); without it the local data directory is used.',
      helpGroup: 'CONNECTION',
    }),
    'data-dir': Flags.string({
      summary: 'Local data directory (default: $KAFKA_TS_DATA_DIR, else ~/.local/share/kafka-ts).',
      helpGroup: 'CONNECTION',
    }),
    'command-config': Flags.string({
      summary: 'Properties file with client settings (used with --bootstrap-server).',
      helpGroup: 'CONNECTION',
    }),
  }

  /**
   * Set by tools Kafka builds on argparse4j (kafka-storage): their program name, for argparse's words on
   * an unknown option. The others are jopt-simple tools.
   */
  static argparseProgram: string | undefined

  private broker: Broker | undefined
  private client: KafkaClient | undefined
  /** The local data directory this command opened, for messages about it. */
  private dataDir: string | undefined

  /**
   * The client for the connection flags: with --bootstrap-server a remote client (client settings from
   * --command-config, then `props`), else the broker core over the local data directory.
   */
  protected async openClient(
    flags: { 'bootstrap-server'?: string | undefined; 'data-dir'?: string | undefined; 'command-config'?: string | undefined },
    opts: { props?: ReadonlyMap<string, string>; clientId?: string } = {},
  ): Promise<KafkaClient> {
    if (this.client) return this.client
    refuseBoth(flags)
    const bootstrap = flags['bootstrap-server']
    if (bootstrap !== undefined) {
      const props = new Map([...(flags['command-config'] ? readPropertiesFile(flags['command-config']) : []), ...(opts.props ?? [])])
      try {
        this.client = await remoteClient(bootstrap, props, opts.clientId ?? `kafka-ts-${this.id ?? 'client'}`)
      } catch (err) {
        if (err instanceof ClientConfigError) throw new UserError(err.message)
        throw err
      }
    } else {
      const dataDir = resolveDataDir(flags['data-dir'])
      this.client = embeddedClient(this.openBroker(flags), dataDir)
      this.dataDir = dataDir
    }
    return this.client
  }

  /** The broker core over the local data directory (embedded-only commands). */
  protected openBroker(flags: { 'bootstrap-server'?: string | undefined; 'data-dir'?: string | undefined }): Broker {
    refuseBoth(flags)
    if (flags['bootstrap-server'] !== undefined) {
      throw new UserError(`kafka-ts ${this.id ?? ''} works on the local data directory only; it does not take --bootstrap-server.`)
    }
    if (!this.broker) {
      this.dataDir = resolveDataDir(flags['data-dir'])
      this.broker = openBroker({
        dataDir: this.dataDir,
        initialize: 'auto',
        onInitialized: ({ dataDir, clusterId }) => {
          process.stderr.write(`Initialised a new kafka-ts data directory ${dataDir} with cluster id ${clusterId}.\n`)
        },
      })
    }
    return this.broker
  }

  /** Writes to stdout unless --json is on (then the returned value is the output). */
  protected out(text: string): void {
    if (!this.jsonEnabled()) process.stdout.write(text.endsWith('\n') || text === '' ? text : `${text}\n`)
  }

  /** A required value: the flag, else a prompt on a terminal, else Kafka's usage error. */
  protected async required(value: string | undefined, question: string, usageMessage: string): Promise<string> {
    if (value !== undefined && value !== '') return value
    if (this.jsonEnabled()) throw new UserError(usageMessage)
    return promptForMissing(question, usageMessage)
  }

  protected override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number }; flags?: unknown }): Promise<unknown> {
    if (err instanceof ExitRequest) {
      process.exitCode = err.exitCode
      return undefined
    }
    const chalk = await stderrChalk()
    const storage = storeFailureOf(err)
    if (storage !== undefined) {
      const { message, hint } = describeStorageFailure(storage)
      process.stderr.write(`${chalk.red(message)}${chalk.dim(` (${hint})`)}\n`)
      process.exitCode = 1
      return undefined
    }
    if (
      err instanceof UserError ||
      err instanceof DataDirError ||
      err instanceof BrokerConfigError ||
      err instanceof KafkaError ||
      err instanceof ConnectionFailure ||
      err instanceof ConsumerFatalError
    ) {
      const known: unknown = err
      const hint = known instanceof UserError || known instanceof DataDirError ? known.hint : undefined
      process.stderr.write(`${chalk.red(err.message)}${hint ? chalk.dim(` (${hint})`) : ''}\n`)
      process.exitCode = err instanceof UserError ? err.exitCode : 1
      return undefined
    }
    if (err.oclif?.exit !== undefined) {
      // oclif's own parse errors (unknown flag, missing value): one line, oclif's exit code.
      if (err.oclif.exit === 0) return undefined
      const unknown = unknownOption(err, (this.constructor as typeof KafkaCommand).argparseProgram)
      process.stderr.write(`${chalk.red(unknown ?? oclifReason(err.message))}\n`)
      process.stderr.write(chalk.dim(`See: kafka-ts ${this.id ?? ''} --help\n`))
      // Kafka's tools exit 1 on an option they do not have.
      process.exitCode = unknown === undefined ? err.oclif.exit : 1
      return undefined
    }
    const damage = this.dataDir === undefined ? undefined : storeDamageMessage(err, this.dataDir)
    if (damage !== undefined && this.dataDir !== undefined) {
      process.stderr.write(`${chalk.red(damage)}${chalk.dim(` (${storageCheckHint(this.dataDir)})`)}\n`)
      process.exitCode = 1
      return undefined
    }
    const debug = process.env['DEBUG'] !== undefined && process.env['DEBUG'] !== ''
    process.stderr.write(`${chalk.red(`Unexpected error: ${err.message}`)}\n`)
    if (debug && err.stack) process.stderr.write(`${err.stack}\n`)
    else process.stderr.write(chalk.dim('Run with DEBUG=kafka-ts for the stack trace.\n'))
    process.exitCode = 1
    return undefined
  }

  protected override async finally(err: Error | undefined): Promise<unknown> {
    try {
      await this.client?.close()
      this.broker?.close()
    } finally {
      this.client = undefined
      this.broker = undefined
    }
    return super.finally(err)
  }

  abstract override run(): Promise<T>
}

/**
 * oclif's parse error on one line, whole: `Parsing --partitions \n\tExpected an integer but received:
 * abc\nSee more help with --help` → `Parsing --partitions: Expected an integer but received: abc` (the
 * pointer to --help is printed on its own line by the caller).
 */
export function oclifReason(message: string): string {
  const lines = message
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && line !== 'See more help with --help')
  return lines.join(': ') || message
}

/**
 * jopt-simple's words (or argparse4j's, given the program) for options the tool does not have (oclif's
 * NonExistentFlagsError carries them).
 */
export function unknownOption(err: { flags?: unknown }, argparseProgram?: string): string | undefined {
  const given = Array.isArray(err.flags) ? (err.flags as unknown[]).filter((f): f is string => typeof f === 'string') : []
  const [first] = given
  if (first === undefined) return undefined
  if (argparseProgram !== undefined) return `${argparseProgram}: error: unrecognized arguments: '${given.join(' ')}'`
  return `${first.replace(/^-+/, '').replace(/=.*$/, '')} is not a recognized option`
}

function refuseBoth(flags: { 'bootstrap-server'?: string | undefined; 'data-dir'?: string | undefined }): void {
  if (flags['bootstrap-server'] !== undefined && flags['data-dir'] !== undefined) {
    throw new UserError('--bootstrap-server and --data-dir cannot be used together.', 'Use one: a remote broker or the local data directory.')
  }
}
