// What kafka-cluster's sub-commands share (ClusterTool, Kafka 4.3; cli-4.md B.7): the connection options,
// with 4.2's --command-config (-c) beside the deprecated --config, and argparse4j's way of refusing both.

import { Flags } from '@oclif/core'

import { KafkaCommand } from '../kafka-command.js'
import { renamedOption } from '../renamed-options.js'

export const clusterToolFlags = {
  ...KafkaCommand.connectionFlags,
  'bootstrap-server': Flags.string({ char: 'b', summary: KafkaCommand.connectionFlags['bootstrap-server'].summary, helpGroup: 'CONNECTION' }),
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
