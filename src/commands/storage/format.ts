import fs from 'node:fs'
import path from 'node:path'

import { Flags } from '@oclif/core'

import { brokerConfigFrom } from '../../broker/broker-config.js'
import { formatStorageDirectory, inspectStorageDirectory } from '../../broker/open-broker.js'
import { parseAddScram } from '../../cli/add-scram.js'
import { UsageError, UserError } from '../../cli/errors.js'
import { log4j } from '../../cli/log4j.js'
import { KafkaCommand } from '../../cli/kafka-command.js'
import { readPropertiesFile } from '../../cli/properties-file.js'
import { finalizedLevels } from '../../broker/features.js'
import { bootstrapMetadata, bootstrapMetadataLine } from '../../cli/bootstrap-metadata.js'

// kafka-storage format (Kafka 4.3, cli-4.md A.7.1): the bootstrap metadata (metadata.version and feature
// levels) is decided and printed first, then each directory is formatted. Deliberate difference: a config
// without process.roles is accepted (there is no ZooKeeper mode to guard against).

export interface FormatReport {
  clusterId: string
  formatted: string[]
  skipped: string[]
}

export default class StorageFormat extends KafkaCommand<FormatReport> {
  static override argparseProgram = 'kafka-storage format'
  static override summary = 'Format the log directories named in a server.properties file (kafka-storage.sh format).'
  static override examples = [
    '<%= config.bin %> storage format -t "$(<%= config.bin %> storage random-uuid)" -c config/server.properties',
  ]

  static override flags = {
    config: Flags.string({ char: 'c', summary: 'The Kafka configuration file to use (server.properties).' }),
    'cluster-id': Flags.string({ char: 't', summary: 'The cluster ID to use (see storage random-uuid).' }),
    'ignore-formatted': Flags.boolean({ char: 'g', summary: 'Skip directories that are already formatted.' }),
    'release-version': Flags.string({ char: 'r', summary: 'The initial metadata.version (e.g. 4.3 or 4.3-IV0; default: the latest production version, 4.3-IV0).' }),
    'add-scram': Flags.string({
      char: 'S',
      multiple: true,
      summary: "SCRAM credential to store (repeatable): 'SCRAM-SHA-256=[name=alice,password=alice-secret]', optionally with iterations= and salt=.",
    }),
    feature: Flags.string({ char: 'f', multiple: true, summary: 'An initial feature level, name=level (repeatable), e.g. group.version=1.' }),
    standalone: Flags.boolean({ char: 's', summary: 'Format this controller as the only voter of a dynamic quorum.' }),
    'initial-controllers': Flags.string({ char: 'I', summary: 'The initial voters of a dynamic quorum, id@host:port:directoryId,… (a kafka-ts node is its own quorum).' }),
    'no-initial-controllers': Flags.boolean({ char: 'N', summary: 'Format for a dynamic quorum without writing a voter set.' }),
  }

  async run(): Promise<FormatReport> {
    const { flags } = await this.parse(StorageFormat)
    const quorumFlags = [flags.standalone, flags['initial-controllers'] !== undefined, flags['no-initial-controllers']].filter(Boolean)
    if (quorumFlags.length > 1) {
      throw new UsageError('kafka-storage format: error: only one of --standalone, --initial-controllers, --no-initial-controllers may be given')
    }
    const configFile = await this.required(flags.config, 'Path of server.properties:', 'kafka-storage format: error: argument --config/-c is required')
    const clusterId = await this.required(flags['cluster-id'], 'Cluster id (from `kafka-ts storage random-uuid`):', 'kafka-storage format: error: argument --cluster-id/-t is required')
    // Parsed (and salted) before anything is written, so a bad argument changes nothing.
    const scramCredentials = (flags['add-scram'] ?? []).map((argument) => parseAddScram(argument))
    const props = readPropertiesFile(configFile)
    const config = brokerConfigFrom(props)
    const dynamicQuorum = quorumFlags.length > 0
    const roles = (props.get('process.roles') ?? '').split(',').map((r) => r.trim())
    const staticVoters = (props.get('controller.quorum.voters') ?? '').trim() !== ''
    if (dynamicQuorum && staticVoters) {
      throw new UserError(
        'You cannot specify controller.quorum.voters and format the node with --initial-controllers or --standalone. If you want to use dynamic quorum, please remove controller.quorum.voters and specify controller.quorum.bootstrap.servers instead.',
      )
    }
    if (flags.standalone && props.has('process.roles') && !roles.includes('controller')) throw new UserError('You can only use --standalone on a controller.')
    if (roles.includes('controller') && !staticVoters && !dynamicQuorum) {
      throw new UserError(
        'Because controller.quorum.voters is not set on this controller, you must specify one of the following: --standalone, --initial-controllers, or --no-initial-controllers.',
      )
    }
    const bootstrap = bootstrapMetadata({
      releaseVersion: flags['release-version'],
      features: flags.feature ?? [],
      dynamicQuorum,
      unstableVersionsEnabled: props.get('unstable.feature.versions.enable')?.trim() === 'true',
      scram: scramCredentials.length > 0,
    })
    const release = bootstrap.metadataVersion.name
    const nodeId = props.has('node.id') || props.has('broker.id') ? config.nodeId : 1
    if (nodeId < 0) throw new UserError('The node.id must be set to a non-negative integer.')
    const dirs = [...new Set(config.logDirs.map((d) => path.resolve(d)))].sort()
    const metadataDir = path.resolve(props.get('metadata.log.dir') ?? config.logDirs[0] ?? '')

    const unformatted: string[] = []
    const skipped: string[] = []
    const unreadable: string[] = []
    for (const dir of dirs) {
      let inspection: ReturnType<typeof inspectStorageDirectory>
      try {
        inspection = inspectStorageDirectory(dir)
      } catch (err) {
        // Kafka's MetaPropertiesEnsemble logs the failed read and leaves the directory out.
        log4j('ERROR', `Error while reading meta.properties file ${path.join(dir, 'meta.properties')}`, 'org.apache.kafka.metadata.properties.MetaPropertiesEnsemble')
        process.stderr.write(`${errorText(err)}\n`)
        unreadable.push(dir)
        continue
      }
      const { state, meta } = inspection
      if (state === 'formatted') {
        const storedId = meta?.get('cluster.id')
        if (storedId !== undefined && storedId !== clusterId && !flags['ignore-formatted']) {
          throw new UserError(`Invalid cluster.id in: ${path.join(dir, 'meta.properties')}. Expected ${clusterId}, but read ${storedId}`)
        }
        if (!flags['ignore-formatted']) {
          throw new UserError(`Log directory ${dir} is already formatted. Use --ignore-formatted to ignore this directory and format the others.`)
        }
        skipped.push(dir)
      } else if (state === 'foreign') {
        throw new UserError(`${dir} is not empty and is not a kafka-ts data directory; refusing to format it.`, 'Nothing was changed.')
      } else {
        unformatted.push(dir)
      }
    }
    for (const dir of unreadable) this.out(`I/O error trying to read log directory ${dir}. Ignoring...`)
    if (unreadable.length > 0 && unformatted.length === 0 && skipped.length === 0) throw new UserError('No available log directories to format.')
    if (unformatted.length === 0) {
      this.out('All of the log directories are already formatted.')
      return { clusterId, formatted: [], skipped }
    }
    this.out(bootstrapMetadataLine(bootstrap, scramCredentials))
    // Kafka's names for the directory kinds; a voter directory is this controller's with --standalone or -I.
    const voter = flags.standalone || (flags['initial-controllers'] ?? '').split(',').some((v) => v.trim().startsWith(`${nodeId}@`))
    const metadataKind = !dynamicQuorum ? 'metadata directory' : voter ? 'dynamic metadata voter directory' : 'dynamic metadata directory'
    for (const dir of unformatted) {
      const kind = dir === metadataDir ? metadataKind : 'data directory'
      this.out(`Formatting ${kind} ${dir} with metadata.version ${release}.`)
      fs.mkdirSync(dir, { recursive: true })
      formatStorageDirectory(dir, { clusterId, nodeId, scramCredentials, features: finalizedLevels(bootstrap.metadataVersion, bootstrap.features) })
    }
    return { clusterId, formatted: unformatted, skipped }
  }
}

/** The failed read's own words, with the errno code when the store error carries one as its cause. */
function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err)
  const cause = err.cause instanceof Error ? err.cause.message : undefined
  return cause === undefined || err.message.includes(cause) ? err.message : `${err.message}: ${cause}`
}
