import fs from 'node:fs'

import { Flags } from '@oclif/core'

import { KafkaError } from '../broker/kafka-error.js'
import { JavaRegexError, compileJavaRegex } from '../util/java/regex.js'
import type { GroupDescription, GroupOffset, GroupsClient } from '../client/groups-client.js'
import type { KafkaClient } from '../client/kafka-client.js'
import { UsageError } from '../cli/errors.js'
import { log4j } from '../cli/log4j.js'
import { KafkaCommand } from '../cli/kafka-command.js'
import { javaErrorString } from '../client/java-exception.js'
import { memberRows, offsetRows, stateNote, stateRow } from '../cli/consumer-groups/describe.js'
import { GroupCommandFailure, UNKNOWN_TOPIC_OR_PARTITION, executionErrorString, failureText } from '../cli/consumer-groups/failure.js'
import { ClientLogOffsets } from '../cli/consumer-groups/log-offsets.js'
import {
  NO_ARGUMENTS_MESSAGE,
  checkOptions,
  normalizeOptionalValues,
  parseStateFilter,
  parseTopicArg,
  parseTypeFilter,
  type GroupsOptions,
} from '../cli/consumer-groups/options.js'
import { parseResetPlan, type PlannedOffset, type ResetPlanFile } from '../cli/consumer-groups/reset-csv.js'
import { partitionsToReset, planReset } from '../cli/consumer-groups/reset-plan.js'
import { parseDateTime, timestampBefore } from '../cli/consumer-groups/time-specs.js'
import {
  renderDeleteOffsets,
  renderList,
  renderMembers,
  renderOffsets,
  renderReset,
  renderResetCsv,
  renderState,
  type DeleteOffsetsRow,
  type MemberRow,
  type OffsetRow,
  type ResetRow,
} from '../cli/render/groups.js'

export type ConsumerGroupsReport =
  | { action: 'list'; groups: { groupId: string; state: string; type: string }[] }
  | { action: 'describe'; groups: DescribedGroup[] }
  | { action: 'reset-offsets'; executed: boolean; offsets: ResetRow[] }
  | { action: 'delete'; deleted: string[]; failed: { groupId: string; error: string }[] }
  | { action: 'delete-offsets'; groupId: string; error: string | null; partitions: DeleteOffsetsRow[] }
  | { action: 'validate-regex'; regex: string; valid: boolean }
  | { action: GroupsOptions['action']; failure: string }

/**
 * One group of `--describe --json`: what the text table shows, by view — `offsets` (the default view:
 * committed offset, log end offset, lag and owner per partition), `members` (--members), or the
 * coordinator, assignment strategy and member count (--state).
 */
export type DescribedGroup = { groupId: string; state: string } & (
  | { offsets: Omit<OffsetRow, 'group'>[] }
  | { members: (Omit<MemberRow, 'group'> & { partitions: number })[] }
  | { coordinator: string; assignmentStrategy: string; memberCount: number }
)

const LOGGER = 'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand'
const action = (summary: string) => Flags.boolean({ summary, helpGroup: 'ACTION' })
const scenario = (summary: string) => Flags.boolean({ summary, helpGroup: 'RESET' })
const scenarioValue = (summary: string) => Flags.string({ summary, helpGroup: 'RESET' })

export default class ConsumerGroups extends KafkaCommand<ConsumerGroupsReport> {
  static override summary = 'List, describe or delete consumer groups, reset or delete their offsets (kafka-consumer-groups.sh).'
  static override examples = [
    '<%= config.bin %> <%= command.id %> --list --state',
    '<%= config.bin %> <%= command.id %> --describe --group my-group --members --verbose',
    '<%= config.bin %> <%= command.id %> --reset-offsets --group my-group --topic orders --to-earliest --execute',
  ]

  static override flags = {
    ...KafkaCommand.connectionFlags,
    list: action('List all consumer groups.'),
    describe: action('Describe consumer group(s): offsets and lag (default), --members or --state.'),
    delete: action('Delete consumer group(s).'),
    'reset-offsets': action('Reset offsets of inactive consumer group(s): --dry-run (default), --execute or --export.'),
    'delete-offsets': action('Delete committed offsets of a consumer group for the given topics.'),
    'validate-regex': Flags.string({ summary: 'Check a regular expression for a consumer subscription (no broker is contacted).', helpGroup: 'ACTION' }),
    group: Flags.string({ summary: 'The consumer group to act on (repeatable).', multiple: true, multipleNonGreedy: true }),
    'all-groups': Flags.boolean({ summary: 'Apply to all consumer groups.' }),
    topic: Flags.string({
      summary: 'Topic for --reset-offsets or --delete-offsets; partitions as topic:0,1,2 (repeatable).',
      multiple: true,
      multipleNonGreedy: true,
    }),
    'all-topics': Flags.boolean({ summary: 'Reset every partition the group has committed offsets for.' }),
    timeout: Flags.string({ summary: 'Admin call timeout in ms, default 30000 (with --bootstrap-server; local calls do not wait).' }),
    state: Flags.string({ summary: 'With --list: add the STATE column, optionally filtered (e.g. stable,empty). With --describe: the state view.' }),
    type: Flags.string({ summary: 'With --list: add the TYPE column, optionally filtered (classic, consumer).' }),
    offsets: Flags.boolean({ summary: 'With --describe: per-partition offsets and lag (the default view).' }),
    members: Flags.boolean({ summary: 'With --describe: one row per member.' }),
    verbose: Flags.boolean({ summary: 'With --describe: add LEADER-EPOCH (offsets), the epochs and assignments (--members), the group epochs (--state).' }),
    'dry-run': Flags.boolean({ summary: 'With --reset-offsets: only show the plan (the default).', helpGroup: 'RESET' }),
    execute: Flags.boolean({ summary: 'With --reset-offsets: commit the new offsets.', helpGroup: 'RESET' }),
    export: Flags.boolean({ summary: 'With --reset-offsets: print the plan as CSV (readable by --from-file).', helpGroup: 'RESET' }),
    'to-offset': scenarioValue('Reset to this offset.'),
    'to-earliest': scenario('Reset to the earliest offset.'),
    'to-latest': scenario('Reset to the latest offset.'),
    'to-current': scenario('Reset to the current committed offset.'),
    'shift-by': scenarioValue('Shift the committed offset by n (may be negative).'),
    'to-datetime': scenarioValue("Reset to the first offset at or after a time: 'YYYY-MM-DDTHH:mm:SS.sss' (UTC unless a zone is given)."),
    'by-duration': scenarioValue("Reset to the first offset at or after now minus a duration: 'PnDTnHnMnS'."),
    'from-file': scenarioValue('Reset to the offsets in a CSV file (the --export format).'),
  }

  async run(): Promise<ConsumerGroupsReport> {
    if (this.argv.length === 0) throw new UsageError(NO_ARGUMENTS_MESSAGE)
    const { flags } = await this.parse(ConsumerGroups, normalizeOptionalValues(this.argv))
    const options = checkOptions(flags, (line) => process.stderr.write(`${line}\n`))
    if (options.action === 'validate-regex') return this.validateRegex(options.regex ?? '')
    const timeout = flags.timeout === undefined ? undefined : Number(flags.timeout)
    const client = await this.openClient(flags, {
      ...(timeout !== undefined && timeout > 0 && timeout <= 2 ** 31 - 1 ? { props: new Map([['request.timeout.ms', String(timeout)]]) } : {}),
      clientId: 'kafka-ts-consumer-groups',
    })
    try {
      switch (options.action) {
        case 'list':
          return await this.list(client.groups, options)
        case 'describe':
          return await this.describe(client, options)
        case 'reset-offsets':
          return await this.resetOffsets(client, options, (flags.group ?? []).length)
        case 'delete':
          return await this.deleteGroups(client.groups, options)
        case 'delete-offsets':
          return await this.deleteOffsets(client, options, flags.group ?? [])
      }
    } catch (err) {
      // Kafka's tool prints execution errors on stdout and still exits 0; a Kafka error from an admin
      // call is one (ExecutionException). Not reaching the brokers is not: that fails the command.
      const message = err instanceof KafkaError ? executionErrorString(err) : err instanceof GroupCommandFailure ? err.message : undefined
      if (message === undefined) throw err
      this.out(failureText(message))
      return { action: options.action, failure: message }
    }
  }

  /** `--validate-regex`: whether a consumer could subscribe with this pattern; exit 0 either way, as Kafka. */
  private validateRegex(regex: string): ConsumerGroupsReport {
    try {
      compileJavaRegex(regex)
      this.out(`The regular expression \`${regex}\` is valid.`)
      return { action: 'validate-regex', regex, valid: true }
    } catch (err) {
      if (!(err instanceof JavaRegexError)) throw err
      this.out(`The regular expression \`${regex}\` is invalid: ${err.message.replace(/^is not a valid regex: /, '')}.`)
      return { action: 'validate-regex', regex, valid: false }
    }
  }

  private async list(groupsClient: GroupsClient, o: GroupsOptions): Promise<ConsumerGroupsReport> {
    const columns = o.listColumns
    // Kafka parses --type before --state.
    const types = columns.type && o.typeFilter !== undefined ? parseTypeFilter(o.typeFilter) : []
    const states = columns.state && o.stateFilter !== undefined ? parseStateFilter(o.stateFilter) : []
    const groups = (await groupsClient.listGroups({ states, types }))
      .filter(isConsumerGroup)
      .map((g) => ({ groupId: g.groupId, state: g.state, type: g.groupType === 'classic' ? 'Classic' : 'Consumer' }))
    this.out(renderList(groups, columns))
    return { action: 'list', groups }
  }

  private async describe(client: KafkaClient, o: GroupsOptions): Promise<ConsumerGroupsReport> {
    const ids = [...new Set(o.allGroups ? await consumerGroupIds(client.groups) : o.groups)].sort()
    // Kafka describes every group before printing anything: one failure prints no table at all.
    const described: { ov: GroupDescription; offsets: GroupOffset[] }[] = []
    for (const id of ids) {
      const ov = await consumerGroup(client.groups, id)
      described.push({ ov, offsets: o.view === 'offsets' ? await committedOffsets(client.groups, id) : [] })
    }
    const log = await ClientLogOffsets.open(client)
    if (o.view === 'offsets') await log.load(described.flatMap(({ ov, offsets }) => shownPartitions(ov, offsets)))
    const report: DescribedGroup[] = []
    for (const { ov, offsets } of described) {
      const note = stateNote(ov.groupId, ov.state, ov.notFound)
      let table: string
      let count: number
      if (o.view === 'offsets') {
        const rows = offsetRows(ov, offsets, log)
        table = renderOffsets(rows, o.verbose)
        count = rows.length
        report.push({ groupId: ov.groupId, state: ov.state, offsets: rows.map(({ group: _, ...r }) => r) })
      } else if (o.view === 'members') {
        const rows = memberRows(ov)
        table = renderMembers(rows, o.verbose)
        count = rows.length
        const members = rows.map(({ group: _, ...r }) => ({
          ...r,
          partitions: r.assignment.reduce((n, a) => n + a.partitions.length, 0),
          // As ASSIGNMENT shows it: topics and partitions sorted.
          assignment: r.assignment
            .filter((a) => a.partitions.length > 0)
            .map((a) => ({ topic: a.topic, partitions: [...a.partitions].sort((x, y) => x - y) }))
            .sort((x, y) => (x.topic < y.topic ? -1 : x.topic > y.topic ? 1 : 0)),
        }))
        report.push({ groupId: ov.groupId, state: ov.state, members })
      } else {
        const row = stateRow(ov, coordinatorText(ov))
        table = renderState([row], o.verbose)
        count = 1
        report.push({ groupId: ov.groupId, state: ov.state, coordinator: row.coordinator, assignmentStrategy: row.assignmentStrategy, memberCount: row.members })
      }
      if (note.stderr !== undefined) process.stderr.write(note.stderr)
      if (note.stdout !== undefined) this.out(note.stdout)
      if (note.printTable && count > 0) this.out(table)
    }
    return { action: 'describe', groups: report }
  }

  private async resetOffsets(client: KafkaClient, o: GroupsOptions, groupCount: number): Promise<ConsumerGroupsReport> {
    const ids = [...new Set(o.allGroups ? await consumerGroupIds(client.groups) : o.groups)]
    const log = await ClientLogOffsets.open(client)
    const scenario = o.scenario
    let planFile: ResetPlanFile | undefined
    const readPlan = (): ResetPlanFile => {
      if (scenario?.kind !== 'from-file') throw new Error('no --from-file')
      planFile ??= parseResetPlan(readPlanFile(scenario.path), groupCount === 1 ? o.groups[0] : undefined)
      return planFile
    }
    const rows: ResetRow[] = []
    let processed = 0
    for (const id of ids) {
      const ov = await consumerGroup(client.groups, id)
      processed++
      if (ov.state !== 'Empty' && ov.state !== 'Dead') {
        this.out(`\nError: Assignments can only be reset if the group '${id}' is inactive, but the current state is ${ov.state}.\n`)
        continue
      }
      const committed = (await committedOffsets(client.groups, id)).map((c) => ({ topic: c.topic, partition: c.partition, offset: c.offset }))
      const partitions = partitionsToReset({ allTopics: o.allTopics, topics: o.topics, fromFile: scenario?.kind === 'from-file' }, committed, log)
      const nowMs = Date.now()
      await log.load([...partitions, ...(scenario?.kind === 'from-file' ? plannedPartitions(readPlan, id) : [])], scenarioTimestamp(scenario, nowMs))
      const planned = planReset(scenario, partitions, {
        groupId: id,
        committed,
        log,
        nowMs,
        plan: readPlan,
        warn: log4jWarn,
        print: (text) => this.out(text),
      })
      if (o.execute) await commit(client.groups, id, planned)
      rows.push(...planned.map((p) => ({ group: id, topic: p.topic, partition: p.partition, newOffset: p.offset })))
    }
    // `--export` output goes through println (one more line break); the table only when a group was looked at.
    if (o.export) this.out(`${renderResetCsv(rows, groupCount !== 1)}\n`)
    else if (processed > 0) this.out(renderReset(rows))
    return { action: 'reset-offsets', executed: o.execute, offsets: rows }
  }

  private async deleteGroups(groupsClient: GroupsClient, o: GroupsOptions): Promise<ConsumerGroupsReport> {
    const ids = [...new Set(o.allGroups ? await consumerGroupIds(groupsClient) : o.groups)]
    const results = await groupsClient.deleteGroups(ids)
    const deleted = results.filter((r) => r.error === undefined).map((r) => r.groupId)
    const failed = results.flatMap((r) => (r.error === undefined ? [] : [{ groupId: r.groupId, error: executionErrorString(r.error) }]))
    const quoted = (names: readonly string[]) => (names.length === 0 ? "''" : names.map((n) => `'${n}'`).join(', '))
    if (failed.length === 0) {
      this.out(`Deletion of requested consumer groups (${quoted(deleted)}) was successful.\n`)
    } else {
      let text = '\nError: Deletion of some consumer groups failed:\n'
      for (const f of failed) text += `* Group '${f.groupId}' could not be deleted due to: ${f.error}\n`
      if (deleted.length > 0) text += `\nThese consumer groups were deleted successfully: ${quoted(deleted)}\n`
      this.out(text)
    }
    return { action: 'delete', deleted, failed }
  }

  private async deleteOffsets(client: KafkaClient, o: GroupsOptions, rawGroups: readonly string[]): Promise<ConsumerGroupsReport> {
    if (rawGroups.length > 1) throw new GroupCommandFailure('Found multiple arguments for option group, but you asked for only one')
    const groupId = rawGroups[0]!
    const log = await ClientLogOffsets.open(client)
    const args = o.topics.map(parseTopicArg)
    const rows: DeleteOffsetsRow[] = []
    const partitions = new Map<string, { topic: string; partition: number }>()
    for (const a of args) for (const partition of a.partitions ?? []) partitions.set(`${a.topic}\u0000${partition}`, { topic: a.topic, partition })
    for (const topic of new Set(args.filter((a) => a.partitions === null).map((a) => a.topic))) {
      const all = log.partitionsOf(topic)
      if (all === undefined) rows.push({ topic, partition: -1, error: javaErrorString(UNKNOWN_TOPIC_OR_PARTITION) })
      else for (const partition of all) partitions.set(`${topic}\u0000${partition}`, { topic, partition })
    }
    const byTopic = new Map<string, number[]>()
    for (const tp of partitions.values()) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition])
    const result = await client.groups.deleteOffsets({ groupId, topics: [...byTopic].map(([name, ps]) => ({ name, partitions: ps })) })
    const perPartition = new Map<string, KafkaError | undefined>(result.topics.flatMap((t) => t.partitions.map((p) => [`${t.name}\u0000${p.partition}`, p.error] as const)))
    const firstPartitionError = [...partitions.keys()].map((k) => perPartition.get(k)).find((e) => e !== undefined)
    const topLevel = result.error ?? firstPartitionError
    for (const [k, tp] of partitions) {
      const error = result.error ?? perPartition.get(k)
      rows.push({ topic: tp.topic, partition: tp.partition, error: error === undefined ? null : javaErrorString(error) })
    }
    this.out(deleteOffsetsStatus(topLevel, groupId) + renderDeleteOffsets(rows))
    return { action: 'delete-offsets', groupId, error: topLevel?.errorName ?? null, partitions: rows }
  }
}

/** The status line of --delete-offsets for the top-level outcome (Kafka 4.3's wording, cli-4.md A.5.2). */
function deleteOffsetsStatus(error: KafkaError | undefined, groupId: string): string {
  if (error === undefined) return `Request succeeded for deleting offsets from group ${groupId}.\n`
  if (GROUP_LEVEL_ERRORS.has(error.errorName)) return `\nError: ${error.standardMessage}\n`
  if (PARTITION_LEVEL_ERRORS.has(error.errorName)) return '\nError: Encountered some partition-level error, see the follow-up details.\n'
  return `\nError: Encountered some unknown error: ${error.errorName}\n`
}

const GROUP_LEVEL_ERRORS: ReadonlySet<string> = new Set(['INVALID_GROUP_ID', 'GROUP_ID_NOT_FOUND', 'GROUP_AUTHORIZATION_FAILED', 'NON_EMPTY_GROUP'])
const PARTITION_LEVEL_ERRORS: ReadonlySet<string> = new Set(['GROUP_SUBSCRIBED_TO_TOPIC', 'TOPIC_AUTHORIZATION_FAILED', 'UNKNOWN_TOPIC_OR_PARTITION'])

/** ListConsumerGroups: groups of protocol type `consumer`, and groups that only hold offsets. */
function isConsumerGroup(g: { protocolType: string }): boolean {
  return g.protocolType === 'consumer' || g.protocolType === ''
}

async function consumerGroupIds(groupsClient: GroupsClient): Promise<string[]> {
  return (await groupsClient.listGroups()).filter(isConsumerGroup).map((g) => g.groupId)
}

/** DescribeConsumerGroups refuses groups of another protocol type (Connect workers, …). */
async function consumerGroup(groupsClient: GroupsClient, groupId: string): Promise<GroupDescription> {
  const described = await groupsClient.describeGroup(groupId)
  if (!described.ok) throw new GroupCommandFailure(executionErrorString(described.error))
  const ov = described.value
  if (!isConsumerGroup(ov)) {
    throw new GroupCommandFailure(`java.lang.IllegalArgumentException: GroupId ${groupId} is not a consumer group (${ov.protocolType}).`)
  }
  return ov
}

/** listConsumerGroupOffsets: every committed offset of the group. */
async function committedOffsets(groupsClient: GroupsClient, groupId: string): Promise<GroupOffset[]> {
  const fetched = await groupsClient.fetchOffsets(groupId)
  if (!fetched.ok) throw new GroupCommandFailure(executionErrorString(fetched.error))
  return fetched.value
}

/** The partitions `--describe --offsets` shows: every assigned one and every committed one. */
function shownPartitions(ov: GroupDescription, offsets: readonly GroupOffset[]): { topic: string; partition: number }[] {
  const assigned = ov.members.flatMap((m) => (m.assignedPartitions ?? []).flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition }))))
  return [...assigned, ...offsets.map((c) => ({ topic: c.topic, partition: c.partition }))]
}

/** The partitions a --from-file plan names for this group (none when the plan has no entry for it). */
function plannedPartitions(readPlan: () => ResetPlanFile, groupId: string): { topic: string; partition: number }[] {
  return [...(readPlan().get(groupId) ?? [])].map((p) => ({ topic: p.topic, partition: p.partition }))
}

/** The time --to-datetime / --by-duration resolve to; undefined for other scenarios or bad input (planReset reports that). */
function scenarioTimestamp(scenario: GroupsOptions['scenario'], nowMs: number): number | undefined {
  try {
    if (scenario?.kind === 'to-datetime') return parseDateTime(scenario.text)
    if (scenario?.kind === 'by-duration') return timestampBefore(nowMs, scenario.text)
  } catch {
    return undefined
  }
  return undefined
}

/** `host:port  (id)` of the group's coordinator. */
function coordinatorText(ov: GroupDescription): string {
  return `${ov.coordinator.host}:${ov.coordinator.port}  (${ov.coordinator.nodeId})`
}

/** alterConsumerGroupOffsets: a simple (generation -1) commit; any partition error fails the command. */
async function commit(groupsClient: GroupsClient, groupId: string, planned: readonly PlannedOffset[]): Promise<void> {
  if (planned.length === 0) return
  const results = await groupsClient.alterOffsets(groupId, planned)
  const failed = results.find((p) => p.error !== undefined)
  if (failed?.error !== undefined) throw new GroupCommandFailure(executionErrorString(failed.error))
}

function readPlanFile(path: string): string {
  try {
    return fs.readFileSync(path, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new GroupCommandFailure(`java.nio.file.NoSuchFileException: ${path}`)
    throw new GroupCommandFailure(`java.io.IOException: ${(err as Error).message}`)
  }
}

/** Kafka's tools log WARN lines to stderr in log4j's tools layout. */
function log4jWarn(message: string): void {
  log4j('WARN', message, LOGGER)
}

