import { Flags } from '@oclif/core'

import type { TopicDescription } from '../broker/types.js'
import type { KafkaClient, TopicListing } from '../client/kafka-client.js'
import { INTERNAL_TOPICS, COLLISION_WARNING, hasCollisionChars } from '../broker/topic-names.js'
import { UsageError, UserError } from '../cli/errors.js'
import { forbidTogether, isSet, keyValues, missingArgument, pickAction } from '../cli/flags.js'
import { KafkaCommand } from '../cli/kafka-command.js'
import { storeFailureOf } from '../broker/store-failure.js'
import { describeTopics, partitionLines } from '../cli/render/topics.js'
import { withSpinner } from '../cli/spinner.js'
import { topicRegex } from '../cli/topic-regex.js'

const ACTIONS = ['create', 'list', 'describe', 'alter', 'delete'] as const
type Action = (typeof ACTIONS)[number]
const ACTION_MESSAGE = 'Command must include exactly one action: --list, --describe, --create, --alter or --delete'
const PARTITION_FILTERS = [
  'under-replicated-partitions',
  'under-min-isr-partitions',
  'at-min-isr-partitions',
  'unavailable-partitions',
] as const

/** Which actions each option may accompany (TopicCommand's checkInvalidArgs). */
const ALLOWED_WITH: Record<string, readonly Action[]> = {
  partitions: ['create', 'alter'],
  'replication-factor': ['create'],
  'replica-assignment': ['create', 'alter'],
  config: ['create'],
  'if-exists': ['alter', 'delete', 'describe'],
  'if-not-exists': ['create'],
  'exclude-internal': ['list', 'describe'],
  'topics-with-overrides': ['describe'],
  'under-replicated-partitions': ['describe'],
  'under-min-isr-partitions': ['describe'],
  'at-min-isr-partitions': ['describe'],
  'unavailable-partitions': ['describe'],
  'topic-id': ['describe'],
}

export interface TopicsReport {
  action: Action
  topics: string[]
  descriptions?: TopicDescription[]
}

const action = (summary: string) => Flags.boolean({ summary, helpGroup: 'ACTION' })

export default class Topics extends KafkaCommand<TopicsReport> {
  static override summary = 'Create, list, describe, alter or delete topics (kafka-topics.sh).'
  static override examples = [
    '<%= config.bin %> <%= command.id %> --create --topic quickstart-events --partitions 3',
    '<%= config.bin %> <%= command.id %> --describe --topic quickstart-events',
    '<%= config.bin %> <%= command.id %> --list',
  ]

  static override flags = {
    ...KafkaCommand.connectionFlags,
    create: action('Create a new topic.'),
    list: action('List all available topics.'),
    describe: action('List details for the given topics.'),
    alter: action('Alter the number of partitions of a topic.'),
    delete: action('Delete a topic.'),
    topic: Flags.string({
      summary: 'The topic to create, alter, describe or delete. Except with --create it is a regular expression that must match whole names.',
    }),
    'topic-id': Flags.string({ summary: 'The topic id to describe (only with --describe).' }),
    partitions: Flags.integer({ summary: 'The number of partitions for the topic being created or altered.' }),
    'replication-factor': Flags.integer({ summary: 'The replication factor for each partition (only 1 on a single node).' }),
    'replica-assignment': Flags.string({ summary: 'Manual partition-to-broker assignment: broker_id_for_part1_replica1:…,broker_id_for_part2_replica1:…' }),
    config: keyValues('A topic configuration override for the topic being created (name=value, repeatable).'),
    'delete-config': Flags.string({ summary: 'Deprecated and ignored since Kafka 4.0 (use kafka-ts configs).', hidden: true }),
    'if-exists': Flags.boolean({ summary: 'With alter, delete or describe: only act if the topic exists.' }),
    'if-not-exists': Flags.boolean({ summary: 'With create: only create the topic if it does not already exist.' }),
    'exclude-internal': Flags.boolean({ summary: 'Exclude internal topics when listing or describing.' }),
    'topics-with-overrides': Flags.boolean({ summary: 'With describe: only show topics that have overridden configs.' }),
    'under-replicated-partitions': Flags.boolean({ summary: 'With describe: only partitions whose ISR is smaller than the replica count.' }),
    'under-min-isr-partitions': Flags.boolean({ summary: 'With describe: only partitions whose ISR is below min.insync.replicas.' }),
    'at-min-isr-partitions': Flags.boolean({ summary: 'With describe: only partitions whose ISR equals min.insync.replicas.' }),
    'unavailable-partitions': Flags.boolean({ summary: 'With describe: only partitions without a live leader.' }),
    'partition-size-limit-per-response': Flags.integer({ summary: 'Accepted for compatibility (paging of DescribeTopicPartitions).' }),
  }

  async run(): Promise<TopicsReport> {
    const { flags } = await this.parse(Topics)
    const act = pickAction(flags, ACTIONS, ACTION_MESSAGE)
    checkCombinations(flags, act)
    const client = await this.openClient(flags)

    switch (act) {
      case 'list': {
        const names = (await selectTopics(client, flags.topic, flags['exclude-internal'])).map((t) => t.name)
        this.out(`${names.join('\n')}\n`)
        return { action: act, topics: names }
      }
      case 'create':
        return this.create(client, flags)
      case 'describe':
        return this.describe(client, flags)
      case 'alter': {
        const topic = await this.required(flags.topic, 'Topic to alter:', missingArgument('topic'))
        if (flags.partitions === undefined) throw new UsageError(missingArgument('partitions'))
        const matched = await this.matchOrFail(client, topic, flags['if-exists'])
        let groups: number[][] | undefined
        if (flags['replica-assignment'] !== undefined) {
          // The assignment lists every partition (existing ones first); only the new ones are placed.
          groups = parseReplicaAssignment(flags['replica-assignment'], await nodeIds(client))
          for (const t of matched) {
            const adding = (flags.partitions ?? 0) - t.partitionCount
            const given = groups.length - t.partitionCount
            if (adding > 0 && given !== adding) {
              topicError(`Attempted to add ${adding} additional partition(s), but only ${Math.max(0, given)} assignment(s) were specified.`)
            }
          }
        }
        const outcomes = await client.createPartitions(
          matched.map((t) => ({ name: t.name, count: flags.partitions ?? 0, ...(groups ? { assignment: groups.slice(t.partitionCount) } : {}) })),
        )
        failOnFirstError(outcomes)
        return { action: act, topics: matched.map((t) => t.name) }
      }
      case 'delete': {
        const topic = await this.required(flags.topic, 'Topic to delete:', missingArgument('topic'))
        const matched = await this.matchOrFail(client, topic, flags['if-exists'])
        const internal = matched.find((t) => INTERNAL_TOPICS.has(t.name))
        if (internal) topicError(`Topic ${internal.name} is a kafka internal topic and is not allowed to be marked for deletion.`)
        failOnFirstError(await client.deleteTopics(matched.map((t) => t.name)))
        return { action: act, topics: matched.map((t) => t.name) }
      }
    }
  }

  private async create(client: KafkaClient, flags: CreateFlags): Promise<TopicsReport> {
    const name = await this.required(flags.topic, 'Name of the topic to create:', missingArgument('topic'))
    // A manual assignment fixes the partition count and replication factor.
    const assignment = flags['replica-assignment'] === undefined ? undefined : parseReplicaAssignment(flags['replica-assignment'], await nodeIds(client))
    const configs = new Map<string, string>()
    for (const item of flags.config ?? []) {
      const eq = item.indexOf('=')
      if (eq <= 0) topicError('requirement failed: Invalid topic config: all configs to be added must be in the format "key=val".')
      configs.set(item.slice(0, eq).trim(), item.slice(eq + 1).trim())
    }
    if (flags.partitions !== undefined && flags.partitions < 1) topicError('The partitions must be greater than 0')
    const rf = flags['replication-factor']
    if (rf !== undefined && (rf < 1 || rf > 32767)) topicError('The replication factor must be between 1 and 32767 inclusive')
    if (flags['if-not-exists'] && (await client.listTopics()).some((t) => t.name === name)) return { action: 'create', topics: [] }

    const outcome = await withSpinner(`Creating topic ${name}`, () =>
      client.createTopic({ name, numPartitions: flags.partitions ?? -1, replicationFactor: rf ?? -1, ...(assignment ? { replicaAssignment: assignment } : {}), configs }),
    )
    if (!outcome.ok) {
      // The local store failed (disk full, permissions, a lock): the base command words it, with the path.
      if (storeFailureOf(outcome.error) !== undefined) throw outcome.error
      if (outcome.error.errorName === 'TOPIC_ALREADY_EXISTS' && flags['if-not-exists']) return { action: 'create', topics: [] }
      if (outcome.error.errorName === 'INVALID_REPLICATION_FACTOR' && rf !== undefined && rf > 1 && client.mode === 'embedded') {
        throw new UserError(
          `Error while executing topic command : ${outcome.error.message}`,
          'kafka-ts is a single-node broker; a replicated cluster is Apache Kafka\'s job: point --bootstrap-server at one',
        )
      }
      topicError(outcome.error.message)
    }
    if (hasCollisionChars(name)) this.out(COLLISION_WARNING)
    this.out(`Created topic ${name}.`)
    return { action: 'create', topics: [name] }
  }

  private async describe(client: KafkaClient, flags: DescribeFlags): Promise<TopicsReport> {
    let rows: TopicListing[]
    let descriptions: TopicDescription[]
    if (flags['topic-id'] !== undefined) {
      // TopicCommandOptions.checkArgs says so for --describe --if-exists only.
      if (flags['if-exists'] && flags.topic !== undefined) {
        this.out('Only topic id will be used when both --topic and --topic-id are specified and topicId is not Uuid.ZERO_UUID')
      }
      const id = flags['topic-id']
      rows = await selectTopics(client, undefined, false)
      descriptions = (await client.describeTopics(rows.map((r) => r.name))).filter((d) => d.topicId === id)
      if (descriptions.length === 0 && !flags['if-exists']) topicError(`TopicId '${id}' does not exist as expected`)
    } else {
      if (flags.topic !== undefined) {
        rows = await this.matchOrFail(client, flags.topic, flags['if-exists'], flags['exclude-internal'])
      } else {
        if (flags['if-exists']) throw new UsageError('--topic or --topic-id is required to describe a topic')
        rows = await selectTopics(client, undefined, flags['exclude-internal'])
      }
      descriptions = await client.describeTopics(rows.map((r) => r.name))
    }
    const filter = PARTITION_FILTERS.find((f) => flags[f])
    if (filter !== undefined) {
      const lines = descriptions.flatMap((d) => partitionLines(filterPartitions(d, filter)))
      this.out(lines.map((l) => `${l}\n`).join(''))
    } else {
      this.out(describeTopics(descriptions, { onlyOverrides: flags['topics-with-overrides'] }))
    }
    return { action: 'describe', topics: descriptions.map((d) => d.name), descriptions }
  }

  /** Topics whose whole name matches `--topic` (a regex); Kafka's "does not exist as expected" when none. */
  private async matchOrFail(client: KafkaClient, pattern: string, ifExists: boolean, excludeInternal = false): Promise<TopicListing[]> {
    const rows = await selectTopics(client, pattern, excludeInternal)
    if (rows.length === 0 && !ifExists) topicError(`Topic '${pattern}' does not exist as expected`)
    return rows
  }
}

type ParsedFlags = Awaited<ReturnType<Topics['parse']>>['flags'] & Record<string, unknown>
type CreateFlags = {
  topic?: string | undefined
  partitions?: number | undefined
  'replication-factor'?: number | undefined
  'replica-assignment'?: string | undefined
  config?: string[] | undefined
  'if-not-exists': boolean
}
type DescribeFlags = {
  topic?: string | undefined
  'topic-id'?: string | undefined
  'if-exists': boolean
  'exclude-internal': boolean
  'topics-with-overrides': boolean
} & Record<(typeof PARTITION_FILTERS)[number], boolean>

function checkCombinations(flags: ParsedFlags, act: Action): void {
  // Kafka 4.0: --delete-config is parsed, announced as ignored, and ignored.
  if (isSet(flags['delete-config'])) {
    process.stderr.write('delete-config option is no longer supported and deprecated since version 4.0. The config will be fully removed in future releases.\n')
  }
  if (act === 'alter' && isSet(flags.config)) {
    throw new UsageError(
      'Option combination "[[bootstrap-server], [config]]" can\'t be used with option "[alter]" (To alter topic configurations, the kafka-configs tool can be used.)',
    )
  }
  for (const [option, allowed] of Object.entries(ALLOWED_WITH)) {
    if (isSet(flags[option]) && !allowed.includes(act)) {
      throw new UsageError(`Option "[${option}]" can't be used with option "[${act}]"`)
    }
  }
  if (act === 'create' && isSet(flags['replica-assignment'])) {
    forbidTogether(flags, 'replica-assignment', 'partitions')
    forbidTogether(flags, 'replica-assignment', 'replication-factor')
  }
  if (isSet(flags['topics-with-overrides'])) {
    for (const f of PARTITION_FILTERS) forbidTogether(flags, 'topics-with-overrides', f)
  }
}


async function selectTopics(client: KafkaClient, pattern: string | undefined, excludeInternal: boolean): Promise<TopicListing[]> {
  const re = pattern === undefined ? undefined : topicRegex(pattern)
  return (await client.listTopics())
    .filter((t) => (re ? re.test(t.name) : true))
    .filter((t) => !(excludeInternal && INTERNAL_TOPICS.has(t.name)))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

/** Single node: ISR always equals the replica set, so only the min.insync.replicas filters can match. */
function filterPartitions(d: TopicDescription, filter: (typeof PARTITION_FILTERS)[number]): TopicDescription {
  const minIsr = Number(d.configs.find((c) => c.name === 'min.insync.replicas')?.value ?? '1')
  const keep = (isr: number, replicas: number, leader: number) => {
    switch (filter) {
      case 'under-replicated-partitions':
        return isr < replicas
      case 'unavailable-partitions':
        return leader < 0
      case 'under-min-isr-partitions':
        return leader < 0 || isr < minIsr
      case 'at-min-isr-partitions':
        return isr === minIsr
    }
  }
  return { ...d, partitions: d.partitions.filter((p) => keep(p.isr.length, p.replicas.length, p.leader)) }
}

function topicError(message: string): never {
  throw new UserError(`Error while executing topic command : ${message}`)
}

/**
 * `--replica-assignment 1:2,1:2` → one replica list per partition, with TopicCommand's client-side
 * checks; every replica must be a registered broker, as the controller would insist.
 */
export function parseReplicaAssignment(text: string, nodes: readonly number[]): number[][] {
  const groups = text.split(',').map((g) => g.split(':').map((id) => id.trim()))
  const lists = groups.map((ids) => {
    const nums = ids.map((id) => {
      if (!/^-?\d+$/.test(id)) topicError(`For input string: "${id}"`)
      return Number(id)
    })
    if (new Set(nums).size !== nums.length) topicError(`Partition replica lists may not contain duplicate entries: ${nums.join(',')}`)
    return nums
  })
  const width = lists[0]?.length ?? 0
  lists.forEach((l, i) => {
    if (l.length !== width) topicError(`Partition ${i} has different replication factor: [${l.join(', ')}]`)
  })
  for (const l of lists) {
    for (const id of l) {
      if (!nodes.includes(id)) topicError(`The manual partition assignment includes broker ${id}, but no such broker is registered.`)
    }
  }
  return lists
}

function failOnFirstError(outcomes: readonly { ok: boolean; error?: { message: string } }[]): void {
  const failed = outcomes.find((o) => !o.ok)
  if (failed?.error) topicError(failed.error.message)
}

async function nodeIds(client: KafkaClient): Promise<number[]> {
  return (await client.describeCluster()).nodes.map((n) => n.nodeId)
}
