import type { KafkaClient } from '../../client/kafka-client.js'
import { argparseFail, type ArgSpec, type ArgparseProgram, type ParsedArgs } from '../argparse.js'
import { readPropertiesFile } from '../properties-file.js'

// What the verifiable producer and consumer share: their connection options (kafka-ts adds --data-dir and
// makes --bootstrap-server optional), the client opener the command hands them, and the properties file
// under its 4.2 name or its deprecated one.

export const CONNECTION_OPTIONS: readonly ArgSpec[] = [
  {
    name: '--bootstrap-server',
    kind: 'string',
    metavar: 'HOST1:PORT1[,HOST2:PORT2[...]]',
    help: 'The server(s) to connect to. kafka-ts: without it, the local data directory is used.',
  },
  { name: '--data-dir', kind: 'string', metavar: 'DIR', help: 'kafka-ts: the local data directory (default: $KAFKA_TS_DATA_DIR, else ~/.local/share/kafka-ts).' },
]

/** Opens the embedded or remote client with these client properties. */
export type OpenToolClient = (connection: { bootstrapServer: string | undefined; dataDir: string | undefined }, props: ReadonlyMap<string, string>) => Promise<KafkaClient>

export function connectionOf(args: ParsedArgs): { bootstrapServer: string | undefined; dataDir: string | undefined } {
  return { bootstrapServer: args.str('--bootstrap-server'), dataDir: args.str('--data-dir') }
}

/**
 * --command-config, or the deprecated name (`--producer.config` / `--consumer.config`) with Kafka 4.3's
 * warning on stdout; both → the tool's usage error. The file's properties, or an empty map.
 */
export function configFileProperties(program: ArgparseProgram, args: ParsedArgs, oldName: string): Map<string, string> {
  const old = args.str(oldName)
  const current = args.str('--command-config')
  if (old !== undefined && current !== undefined) argparseFail(program, `Options ${oldName} and --command-config are mutually exclusive.`)
  if (old !== undefined) process.stdout.write(`Option ${oldName} has been deprecated and will be removed in a future version. Use --command-config instead.\n`)
  const file = current ?? old
  return file === undefined ? new Map<string, string>() : readPropertiesFile(file)
}
