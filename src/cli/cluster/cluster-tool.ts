// What kafka-cluster's sub-commands share (ClusterTool, Kafka 4.3; cli-4.md B.7): the connection options,
// --bootstrap-server (-b) or --bootstrap-controller (-C), never both, with 4.2's --command-config (-c) beside
// the deprecated --config, and argparse4j's way of refusing both. A kafka-ts node is broker and controller
// in one: -C reaches it at the same listener as -b.

import { Flags } from '@oclif/core'

import { UsageError } from '../errors.js'
import { KafkaCommand } from '../kafka-command.js'
import { renamedOption } from '../renamed-options.js'

export const clusterToolFlags = {
  ...KafkaCommand.connectionFlags,
  'bootstrap-server': Flags.string({ char: 'b', summary: KafkaCommand.connectionFlags['bootstrap-server'].summary, helpGroup: 'CONNECTION' }),
  'bootstrap-controller': Flags.string({
    char: 'C',
    summary: 'The controller(s) to connect to (host:port[,host:port]); a kafka-ts node is its own controller.',
    helpGroup: 'CONNECTION',
  }),
  'command-config': Flags.string({ char: 'c', summary: 'Admin client properties file.', helpGroup: 'CONNECTION' }),
  config: Flags.string({ summary: 'Deprecated: use --command-config.', helpGroup: 'CONNECTION' }),
}

/** The admin properties file under either name (the old one announced on stdout); both → argparse's usage error. */
export function commandConfigOf(flags: { config?: string | undefined; 'command-config'?: string | undefined }): string | undefined {
  return renamedOption<string>(flags, {
    old: 'config',
    current: 'command-config',
    warning: 'Option --config has been deprecated and will be removed in a future version. Use --command-config instead.',
    conflict: 'kafka-cluster: error: --config and --command-config cannot be specified together.',
  })
}

export interface ClusterConnection {
  /** Where to connect (undefined: the local data directory). */
  readonly bootstrap: string | undefined
  /** --bootstrap-controller: Kafka's tool then talks to the controllers and lists their endpoints. */
  readonly controller: boolean
}

/**
 * The one connection option given; both → argparse4j's mutually-exclusive-group error, naming the one that
 * came later on the command line as not allowed with the earlier one.
 */
export function clusterConnection(
  program: string,
  flags: { 'bootstrap-server'?: string | undefined; 'bootstrap-controller'?: string | undefined },
  argv: readonly string[],
): ClusterConnection {
  const server = flags['bootstrap-server']
  const controller = flags['bootstrap-controller']
  if (server !== undefined && controller !== undefined) {
    const at = (names: readonly string[]) => argv.findIndex((a) => names.some((n) => a === n || a.startsWith(`${n}=`) || (n.length === 2 && a.startsWith(n))))
    const serverName = '--bootstrap-server/-b'
    const controllerName = '--bootstrap-controller/-C'
    const [later, earlier] = at(['--bootstrap-server', '-b']) < at(['--bootstrap-controller', '-C']) ? [controllerName, serverName] : [serverName, controllerName]
    throw new UsageError(`${program}: error: argument ${later}: not allowed with argument ${earlier}`)
  }
  return { bootstrap: server ?? controller, controller: controller !== undefined }
}
