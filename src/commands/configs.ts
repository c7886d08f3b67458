import { Flags } from '@oclif/core'

import type { ConfigChange } from '../broker/broker.js'
import type { KafkaError } from '../broker/kafka-error.js'
import type { ConfigEntry } from '../broker/topic-configs.js'
import { topicValidateMessage } from '../broker/topic-names.js'
import { executionErrorString } from '../cli/consumer-groups/failure.js'
import { UsageError, UserError } from '../cli/errors.js'
import { isSet } from '../cli/flags.js'
import { KafkaCommand } from '../cli/kafka-command.js'
import { javaErrorString } from '../client/java-exception.js'
import { readPropertiesFile } from '../cli/properties-file.js'
import {
  ConfigArgumentError,
  alterCompleted,
  configLine,
  describeHeading,
  parseAddConfig,
  parseDeleteConfig,
  selectEntries,
  validateConfigKeys,
  type EntityType,
} from '../cli/render/configs.js'
import type { ConfigResource, KafkaClient } from '../client/kafka-client.js'

// kafka-configs (kafka.admin.ConfigCommand, Kafka 4.3; cli.md §5, cli-4.md A.6) for topics and brokers. Argument
// errors are the bare message on stderr, exit 1; failures while talking to the cluster print `Error while
// executing config command with args '<args>'` and the Java exception line (Kafka prints a stack trace there),
// exit 1. Topics and brokers are altered with IncrementalAlterConfigs (deletes, then sets); describing a named
// entity that does not exist says so and exits 0.

export interface ConfigsEntityReport {
  entityType: EntityType
  /** '' for the cluster-wide broker default. */
  entityName: string
  configs?: ConfigEntry[]
}

export interface ConfigsReport {
  action: 'describe' | 'alter'
  entities: ConfigsEntityReport[]
}

const SUPPORTED_TYPES: readonly string[] = ['topics', 'brokers', 'groups']
// ConfigCommand.BrokerSupportedConfigTypes in 4.3: ConfigType.ALL, then broker-loggers.
const KAFKA_TYPES: readonly string[] = ['topics', 'clients', 'users', 'brokers', 'ips', 'client-metrics', 'groups', 'broker-loggers']
/** The entity types whose default entity can be described (ConfigCommandOptions.checkArgs, 4.x). */
const DEFAULT_DESCRIBABLE: readonly string[] = ['users', 'clients', 'brokers', 'ips']

/** An execution failure: Kafka's "Error while executing" report. */
class ExecutionFailure extends Error {
  override name = 'ExecutionFailure'
}

export default class Configs extends KafkaCommand<ConfigsReport> {
  static override summary = 'Describe or alter topic, broker and group configs (kafka-configs.sh).'
  static override examples = [
    '<%= config.bin %> <%= command.id %> --describe --entity-type topics --entity-name orders',
    '<%= config.bin %> <%= command.id %> --alter --topic orders --add-config retention.ms=3600000,cleanup.policy=[compact,delete]',
    '<%= config.bin %> <%= command.id %> --alter --entity-type brokers --entity-default --add-config log.retention.ms=86400000',
    '<%= config.bin %> <%= command.id %> --describe --broker 1 --all',
    '<%= config.bin %> <%= command.id %> --alter --group orders-app --add-config consumer.session.timeout.ms=50000',
  ]

  static override flags = {
    ...KafkaCommand.connectionFlags,
    'bootstrap-controller': Flags.string({ summary: 'The controller(s) to connect to (host:port[,host:port]); same as --bootstrap-server for kafka-ts.', helpGroup: 'CONNECTION' }),
    describe: Flags.boolean({ summary: 'List configs for the given entity.', helpGroup: 'ACTION' }),
    alter: Flags.boolean({ summary: 'Alter the configuration for the entity.', helpGroup: 'ACTION' }),
    all: Flags.boolean({ summary: 'With --describe: all configs of the entity, including static ones and defaults.' }),
    'entity-type': Flags.string({ summary: 'Type of entity (topics/brokers/groups).', multiple: true }),
    'entity-name': Flags.string({ summary: 'Name of entity (topic name/broker id/group id).', multiple: true }),
    'entity-default': Flags.boolean({ summary: 'The default entity: cluster-wide broker configs (with --entity-type brokers).' }),
    topic: Flags.string({ summary: "The topic's name (same as --entity-type topics --entity-name)." }),
    broker: Flags.string({ summary: "The broker's id (same as --entity-type brokers --entity-name)." }),
    'broker-defaults': Flags.boolean({ summary: 'The config defaults for all brokers (same as --entity-type brokers --entity-default).' }),
    group: Flags.string({ summary: "The group's id (same as --entity-type groups --entity-name)." }),
    'client-metrics': Flags.string({ summary: 'A client-metrics resource (same as --entity-type client-metrics --entity-name); not in kafka-ts.' }),
    'add-config': Flags.string({
      summary: "Key=value pairs of configs to add. Square brackets group values that contain commas: 'k1=v1,k2=[v1,v2,v2],k3=v3'.",
    }),
    'add-config-file': Flags.string({ summary: 'Path to a properties file with configs to add.' }),
    'delete-config': Flags.string({ summary: "Config keys to remove: 'k1,k2'.", multiple: true }),
  }

  async run(): Promise<ConfigsReport> {
    const { flags } = await this.parse(Configs)
    if (flags['bootstrap-server'] !== undefined && flags['bootstrap-controller'] !== undefined) {
      throw new UserError('Only one of --bootstrap-server or --bootstrap-controller can be specified')
    }
    const { entityType, entityNames } = checkArgs(flags)
    // A kafka-ts node is broker and controller in one: a controller address is reached like a broker's.
    const client = await this.openClient({ ...flags, 'bootstrap-server': flags['bootstrap-server'] ?? flags['bootstrap-controller'] }, { clientId: 'kafka-configs' })
    if (flags.alter) {
      const name = entityNames[0] ?? ''
      await this.alter(client, entityType, name, flags)
      this.out(alterCompleted(entityType, name))
      return { action: 'alter', entities: [{ entityType, entityName: name }] }
    }
    const names = entityNames.length > 0 ? entityNames.slice(0, 1) : await this.allEntities(client, entityType)
    const entities: ConfigsEntityReport[] = []
    // Kafka 4.3: a named entity that does not exist is said so on stdout, exit 0 (a topic name is validated first).
    const missing = entityNames.length > 0 ? await this.missingEntity(client, entityType, names[0] ?? '') : undefined
    if (missing !== undefined) {
      this.out(missing)
      return { action: 'describe', entities }
    }
    for (const name of names) {
      this.out(describeHeading(entityType, name, flags.all))
      const configs = selectEntries(await this.resourceConfigs(client, entityType, name), entityType, name, flags.all)
      this.out(configs.map(configLine).join('\n'))
      entities.push({ entityType, entityName: name, configs })
    }
    return { action: 'describe', entities }
  }

  /** `The topic 'x' doesn't exist and doesn't have dynamic config.` when the named entity does not exist. */
  private async missingEntity(client: KafkaClient, entityType: EntityType, name: string): Promise<string | undefined> {
    if (entityType === 'topics') {
      checkTopicName(name)
      if ((await client.listTopics()).some((t) => t.name === name)) return undefined
      return `The topic '${name}' doesn't exist and doesn't have dynamic config.`
    }
    if (entityType === 'groups') {
      // ConfigCommand: a group exists when ListGroups has it or it has dynamic configs (ListConfigResources).
      if ((await client.groups.listGroups()).some((g) => g.groupId === name)) return undefined
      if ((await client.listConfigResources('group')).includes(name)) return undefined
      return `The group '${name}' doesn't exist and doesn't have dynamic config.`
    }
    // The empty name is the cluster-wide default entity, which always exists.
    if (name === '' || (await client.describeCluster()).nodes.some((n) => String(n.nodeId) === name)) return undefined
    return `The broker '${name}' doesn't exist and doesn't have dynamic config.`
  }

  private async allEntities(client: KafkaClient, entityType: EntityType): Promise<string[]> {
    if (entityType === 'topics') return (await client.listTopics()).map((t) => t.name)
    if (entityType === 'groups') {
      const listed = (await client.groups.listGroups()).map((g) => g.groupId)
      return [...new Set([...listed, ...(await client.listConfigResources('group'))])].sort()
    }
    const cluster = await client.describeCluster()
    return [...cluster.nodes.map((n) => String(n.nodeId)), '']
  }

  /** getResourceConfig: the entity's configs with synonyms (Topic.validate first for a topic name). */
  private async resourceConfigs(client: KafkaClient, entityType: EntityType, name: string): Promise<ConfigEntry[]> {
    if (entityType === 'topics' && name !== '') checkTopicName(name)
    const outcome = await client.describeConfigs(resourceOf(entityType, name))
    if (!outcome.ok) throw executionFailure(outcome.error)
    return outcome.value
  }

  private async alter(client: KafkaClient, entityType: EntityType, name: string, flags: ParsedFlags): Promise<void> {
    const toAdd = flags['add-config-file'] !== undefined ? readPropertiesFile(flags['add-config-file']) : new Map<string, string>()
    if (flags['add-config'] !== undefined) for (const [k, v] of parseAddConfig(flags['add-config'])) toAdd.set(k, v)
    validateConfigKeys(toAdd)
    const toDelete = parseDeleteConfig(flags['delete-config'])

    // Kafka 4.3 alters topics and brokers alike with IncrementalAlterConfigs, deletes first, then sets
    // (KIP-1011); deleting a key that is not set is a no-op (KAFKA-20506).
    if (entityType === 'topics') checkTopicName(name)
    const changes: ConfigChange[] = [
      ...toDelete.map((k): ConfigChange => ({ name: k, op: 'DELETE', value: '' })),
      ...[...toAdd].map(([k, v]): ConfigChange => ({ name: k, op: 'SET', value: v })),
    ]
    const outcome = await client.incrementalAlterConfigs(resourceOf(entityType, name), changes)
    if (!outcome.ok) throw executionFailure(outcome.error)
  }

  protected override async catch(err: Error & { oclif?: { exit?: number } }): Promise<unknown> {
    if (err instanceof ExecutionFailure) {
      process.stderr.write(`Error while executing config command with args '${this.argv.join(' ')}'\n${err.message}\n`)
      process.exitCode = 1
      return undefined
    }
    if (err instanceof ConfigArgumentError) return super.catch(new UserError(err.message))
    return super.catch(err)
  }
}

/** Topic.validate, reported as Kafka's InvalidTopicException. */
function checkTopicName(name: string): void {
  const invalid = topicValidateMessage(name)
  if (invalid) throw new ExecutionFailure(javaErrorString({ errorName: 'INVALID_TOPIC_EXCEPTION', message: invalid }))
}

interface ParsedFlags {
  describe: boolean
  alter: boolean
  'entity-type'?: string[] | undefined
  'entity-name'?: string[] | undefined
  'entity-default': boolean
  topic?: string | undefined
  broker?: string | undefined
  'broker-defaults': boolean
  group?: string | undefined
  'client-metrics'?: string | undefined
  'add-config'?: string | undefined
  'add-config-file'?: string | undefined
  'delete-config'?: string[] | undefined
}

/** ConfigCommandOptions.checkArgs (and processCommand's name check) for the entity types kafka-ts has. */
export function checkArgs(flags: ParsedFlags): { entityType: EntityType; entityNames: string[] } {
  const actions = [flags.alter, flags.describe].filter(Boolean).length
  if (actions !== 1) throw new UsageError('Command must include exactly one action: --describe, --alter')
  for (const option of ['alter', 'add-config', 'delete-config'] as const) {
    if (flags.describe && isSet(flags[option])) throw new UsageError(`Option "[describe]" can't be used with option "[${option}]"`)
  }

  const shorthands: [boolean, string][] = [
    [flags.topic !== undefined, 'topics'],
    [flags.broker !== undefined, 'brokers'],
    [flags['broker-defaults'], 'brokers'],
    [flags.group !== undefined, 'groups'],
    [flags['client-metrics'] !== undefined, 'client-metrics'],
  ]
  const entityTypes = [...(flags['entity-type'] ?? []), ...shorthands.filter(([set]) => set).map(([, type]) => type)]
  const entityNames = [
    ...(flags['entity-name'] ?? []),
    ...(flags['entity-default'] ? [''] : []),
    ...(flags.topic !== undefined ? [flags.topic] : []),
    ...(flags.broker !== undefined ? [flags.broker] : []),
    ...(flags['broker-defaults'] ? [''] : []),
    ...(flags.group !== undefined ? [flags.group] : []),
    ...(flags['client-metrics'] !== undefined ? [flags['client-metrics']] : []),
  ]
  const duplicates = entityTypes.filter((t, i) => entityTypes.indexOf(t) !== i)
  if (duplicates.length > 0) throw new ConfigArgumentError(`Duplicate entity type(s) specified: ${[...new Set(duplicates)].join(',')}`)
  for (const t of entityTypes) {
    if (!KAFKA_TYPES.includes(t)) {
      throw new ConfigArgumentError(
        `Invalid entity type ${t}, the entity type must be one of ${KAFKA_TYPES.join(', ')} with a --bootstrap-server or --bootstrap-controller argument`,
      )
    }
  }
  const [entityType] = entityTypes
  if (entityType === undefined) throw new ConfigArgumentError('At least one entity type must be specified')
  if (entityTypes.length > 1) throw new ConfigArgumentError("Only 'users' and 'clients' entity types may be specified together")
  const usesGeneric = isSet(flags['entity-name']) || isSet(flags['entity-type']) || flags['entity-default']
  if (usesGeneric && shorthands.some(([set]) => set)) {
    throw new ConfigArgumentError('--entity-{type,name,default} should not be used in conjunction with specific entity flags')
  }
  if (!SUPPORTED_TYPES.includes(entityType)) {
    throw new UserError(`kafka-ts configs supports --entity-type topics, brokers and groups; ${entityType} are not supported.`)
  }
  const hasEntityName = entityNames.some((n) => n !== '')
  const hasEntityDefault = entityNames.some((n) => n === '')
  if (hasEntityName && entityType === 'brokers') {
    for (const id of [...(flags['entity-name'] ?? []), ...(flags.broker !== undefined ? [flags.broker] : [])]) {
      if (!isJavaInt(id)) throw new ConfigArgumentError(`The entity name for brokers must be a valid integer broker id, but it is: ${id}`)
    }
  }
  if (flags.describe && hasEntityDefault && !DEFAULT_DESCRIBABLE.includes(entityType)) {
    throw new ConfigArgumentError(`--entity-default must not be specified with --describe of ${entityType}`)
  }
  if (flags.alter) {
    if (entityType === 'brokers') {
      if (!hasEntityName && !hasEntityDefault) {
        throw new ConfigArgumentError('An entity-name or default entity must be specified with --alter of users, clients, brokers or ips')
      }
    } else if (!hasEntityName) {
      throw new ConfigArgumentError(`An entity name must be specified with --alter of ${entityType}`)
    }
    const add = flags['add-config'] !== undefined
    const addFile = flags['add-config-file'] !== undefined
    if (add && addFile) throw new ConfigArgumentError('Only one of --add-config or --add-config-file must be specified')
    if (!add && !addFile && !isSet(flags['delete-config'])) {
      throw new ConfigArgumentError('At least one of --add-config, --add-config-file, or --delete-config must be specified with --alter')
    }
    if (entityNames.length !== entityTypes.length) throw new ConfigArgumentError('An entity name must be specified for every entity type')
  }
  return { entityType: entityType as EntityType, entityNames }
}

function resourceOf(entityType: EntityType, name: string): ConfigResource {
  return { type: entityType === 'topics' ? 'topic' : entityType === 'groups' ? 'group' : 'broker', name }
}

/** What the admin future's failure prints as: ExecutionException wrapping Kafka's exception. */
function executionFailure(error: KafkaError): ExecutionFailure {
  const named = error.errorName === 'INVALID_CONFIG' ? `java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.InvalidConfigurationException: ${error.message}` : executionErrorString(error)
  return new ExecutionFailure(named)
}

/** Integer.parseInt's grammar and range. */
function isJavaInt(s: string): boolean {
  if (!/^[+-]?[0-9]+$/.test(s)) return false
  const n = Number(s)
  return n >= -(2 ** 31) && n <= 2 ** 31 - 1
}
