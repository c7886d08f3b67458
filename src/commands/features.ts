import { Args, Flags, type Interfaces } from '@oclif/core'

import { LATEST_PRODUCTION_METADATA_VERSION, featureDependencies, metadataVersionFromString, versionMapping } from '../broker/features.js'
import { ExitRequest, UserError } from '../cli/errors.js'
import { featureArgument } from '../cli/features/feature-errors.js'
import { featureUpdates, type FeatureOperation } from '../cli/features/feature-updates.js'
import { KafkaCommand } from '../cli/kafka-command.js'
import { renderFeatureDescription, renderFeatureResults } from '../cli/render/features.js'

// kafka-features (FeatureCommand, Kafka 4.3; cli-4.md B.6). Kafka puts the connection options before the
// sub-command (`kafka-features.sh --bootstrap-server … describe`); both orders work here. Without a
// connection option the data directory's own levels are described and changed. --bootstrap-controller
// names a node to talk to like --bootstrap-server: a kafka-ts node is broker and controller in one.

const SUBCOMMANDS = ['describe', 'upgrade', 'downgrade', 'disable', 'version-mapping', 'feature-dependencies'] as const
type Subcommand = (typeof SUBCOMMANDS)[number]

export interface FeaturesReport {
  lines: string[]
}

/** argparse4j's usage error as FeatureCommand prints it: on stderr, no trailing newline, exit 1. */
function commandLineError(message: string): never {
  process.stderr.write(`Command line error: ${message}. Type --help for help.`)
  throw new ExitRequest(1)
}

export default class Features extends KafkaCommand<FeaturesReport> {
  static override summary = 'Describe and change feature levels: metadata.version and the rest (kafka-features.sh).'
  static override examples = [
    '<%= config.bin %> <%= command.id %> describe',
    '<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092 upgrade --release-version 4.3',
    '<%= config.bin %> <%= command.id %> downgrade --feature group.version=0 --dry-run',
  ]
  static override args = {
    command: Args.string({ description: `One of: ${SUBCOMMANDS.join(', ')}.` }),
  }
  static override flags = {
    ...KafkaCommand.connectionFlags,
    'bootstrap-controller': Flags.string({ summary: 'The controller(s) to connect to (host:port[,host:port]); same as --bootstrap-server for kafka-ts.', helpGroup: 'CONNECTION' }),
    'node-id': Flags.integer({ summary: 'describe: the node to ask (default: any).' }),
    'release-version': Flags.string({ summary: 'upgrade/downgrade: the release whose levels to set (e.g. 4.3 or 4.3-IV0); version-mapping: the release to map.' }),
    feature: Flags.string({ summary: 'upgrade/downgrade: name=level; disable, feature-dependencies: the feature (repeatable).', multiple: true }),
    metadata: Flags.string({ summary: 'Deprecated: the metadata.version to set (use --release-version).' }),
    'dry-run': Flags.boolean({ summary: 'Validate without changing anything.' }),
    unsafe: Flags.boolean({ summary: 'downgrade/disable: allow a downgrade that may lose metadata.' }),
  }

  async run(): Promise<FeaturesReport> {
    const { args, flags } = await this.parse(Features)
    const command = args.command
    if (command === undefined) commandLineError('too few arguments')
    if (!(SUBCOMMANDS as readonly string[]).includes(command)) {
      commandLineError(`argument command: invalid choice: '${command}' (choose from ${SUBCOMMANDS.map((s) => `'${s}'`).join(', ')})`)
    }
    if (flags['bootstrap-server'] !== undefined && flags['bootstrap-controller'] !== undefined) {
      commandLineError('argument --bootstrap-controller: not allowed with argument --bootstrap-server')
    }
    const lines = await this.runSubcommand(command as Subcommand, flags)
    return { lines }
  }

  private async runSubcommand(command: Subcommand, flags: Interfaces.InferredFlags<typeof Features.flags>): Promise<string[]> {
    if (command === 'version-mapping') return this.print(mapping(flags['release-version']))
    if (command === 'feature-dependencies') {
      if (flags.feature === undefined) commandLineError('argument --feature is required')
      return this.print(dependencies(flags.feature))
    }
    const bootstrap = flags['bootstrap-server'] ?? flags['bootstrap-controller']
    const client = await this.openClient({ ...flags, 'bootstrap-server': bootstrap }, { clientId: 'kafka-ts-features' })
    if (command === 'describe') {
      const nodeId = flags['node-id']
      if (nodeId !== undefined && nodeId < 0) throw new UserError(`Invalid node id ${nodeId}: must be non-negative.`)
      return this.print(renderFeatureDescription(await client.features.describeFeatures()))
    }
    const op: FeatureOperation = command
    const { updates, notices } = featureUpdates(op, {
      releaseVersion: flags['release-version'],
      metadata: op === 'disable' ? undefined : flags.metadata,
      features: flags.feature,
      unsafe: flags.unsafe,
    })
    for (const notice of notices) this.out(notice)
    const results = await client.features.updateFeatures(updates, flags['dry-run'])
    const { lines, failures } = renderFeatureResults(op, updates, results, flags['dry-run'])
    this.print(lines)
    if (failures > 0) throw new UserError(`${failures} out of ${updates.length} operation(s) failed.`)
    return lines
  }

  private print(lines: string[]): string[] {
    if (lines.length > 0) this.out(lines.join('\n'))
    return lines
  }
}

function mapping(given: string | undefined): string[] {
  const text = given ?? LATEST_PRODUCTION_METADATA_VERSION.name
  const mv = metadataVersionFromString(text)
  if (mv === undefined) throw new UserError(`Unknown release version '${text}'. Supported versions are: 3.3-IV3 to ${LATEST_PRODUCTION_METADATA_VERSION.name}`)
  return versionMapping(mv, text)
}

function dependencies(features: readonly string[]): string[] {
  return featureArgument(() => features.flatMap((f) => featureDependencies(f)))
}
