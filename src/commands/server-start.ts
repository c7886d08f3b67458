import { Args, Flags } from '@oclif/core'

import { brokerConfigFrom } from '../broker/broker-config.js'
import { openBroker, resolveDataDir } from '../broker/open-broker.js'
import { UsageError, UserError } from '../cli/errors.js'
import { KafkaCommand } from '../cli/kafka-command.js'
import { readPropertiesFile } from '../cli/properties-file.js'
import { SaslConfigError } from '../server/sasl/listener-sasl.js'
import { ListenError, startKafkaServer } from '../server/server.js'
import { TlsConfigError } from '../server/tls.js'

// Composition root of the wire-protocol broker: server.properties (+ --override) → BrokerConfig →
// the SQLite store → the broker core → the TCP server.

const USAGE = 'USAGE: kafka-ts server-start [server.properties] [--override property=value]*'

export default class ServerStart extends KafkaCommand<void> {
  static override summary = 'Start a Kafka-compatible broker that serves the data directory over the Kafka protocol (kafka-server-start.sh).'
  static override examples = [
    '<%= config.bin %> <%= command.id %> config/server.properties',
    '<%= config.bin %> <%= command.id %> --override listeners=PLAINTEXT://127.0.0.1:0',
  ]
  static override enableJsonFlag = false
  static override strict = false

  static override args = {
    config: Args.string({ description: 'server.properties file (log.dirs, listeners, …). Without it: the local data directory and defaults.' }),
  }

  static override flags = {
    override: Flags.string({ multiple: true, multipleNonGreedy: true, summary: 'Override a server.properties value: property=value (repeatable).' }),
    'data-dir': KafkaCommand.connectionFlags['data-dir'],
    daemon: Flags.boolean({ summary: 'Not supported: run it under your service manager instead.', hidden: true }),
  }

  async run(): Promise<void> {
    const { args, flags, argv } = await this.parse(ServerStart)
    const extra = (argv as string[]).slice(args.config === undefined ? 0 : 1)
    if (extra.length > 0) throw new UsageError(`Found non argument parameters: ${extra.join(',')}\n${USAGE}`)
    if (flags.daemon) throw new UsageError('-daemon is not supported; run kafka-ts server-start under a service manager (systemd, a container) instead.')

    const props = args.config === undefined ? new Map<string, string>() : readPropertiesFile(args.config)
    for (const item of flags.override ?? []) {
      const eq = item.indexOf('=')
      if (eq <= 0) throw new UsageError(`Invalid override '${item}': expected property=value\n${USAGE}`)
      props.set(item.slice(0, eq), item.slice(eq + 1))
    }
    const config = brokerConfigFrom(props)
    // With a properties file, log.dirs says where the data lives and must be formatted (as Kafka
    // insists); without one, the server uses the same data directory as the embedded commands.
    const fromFile = args.config !== undefined && (props.has('log.dirs') || props.has('log.dir'))
    const dataDir = fromFile && flags['data-dir'] === undefined ? (config.logDirs[0] ?? '') : resolveDataDir(flags['data-dir'])
    const broker = openBroker({
      dataDir,
      initialize: fromFile ? 'never' : 'auto',
      config,
      onInitialized: ({ clusterId }) => process.stderr.write(`Initialised a new kafka-ts data directory ${dataDir} with cluster id ${clusterId}.\n`),
    })
    let server
    try {
      server = await startKafkaServer({ broker, config, log: (line) => process.stderr.write(`${line}\n`) })
    } catch (err) {
      broker.close()
      // Listener settings (SASL, TLS key material) and a taken port are the user's to fix: one line, exit 1.
      if (err instanceof SaslConfigError || err instanceof TlsConfigError || err instanceof ListenError) {
        throw new UserError(err.message)
      }
      throw err
    }
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop)
        process.off('SIGTERM', stop)
        void server.close().then(resolve)
      }
      process.on('SIGINT', stop)
      process.on('SIGTERM', stop)
    })
    broker.close()
  }
}
