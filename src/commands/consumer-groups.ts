import fs from 'node:fs'
import os from 'node:os'

import { Flags } from '@oclif/core'

import type { Broker } from '../broker/broker.js'
import type { GroupOverview } from '../broker/groups/types.js'
import type { KafkaError } from '../broker/kafka-error.js'
import { UsageError } from '../cli/errors.js'
import { KafkaCommand } from '../cli/kafka-command.js'
import { memberRows, offsetRows, stateNote, stateRow } from '../cli/consumer-groups/describe.js'
import { GroupCommandFailure, UNKNOWN_TOPIC_OR_PARTITION, executionErrorString, failureText, javaErrorString } from '../cli/consumer-groups/failure.js'
import { brokerLogOffsets } from '../cli/consumer-groups/log-offsets.js'
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
import {
  renderDeleteOffsets,
  renderList,
  renderMembers,
  renderOffsets,
  renderReset,
  renderResetCsv,
  renderState,
  type DeleteOffsetsRow,
  type ResetRow,
} from '../cli/render/groups.js'

export type ConsumerGroupsReport =
  | { action: 'list'; groups: { groupId: string; state: string; type: string }[] }
  | { action: 'describe'; groups: { groupId: string; state: string; partitions?: number; members?: number }[] }
  | { action: 'reset-offsets'; executed: boolean; offsets: ResetRow[] }
  | { action: 'delete'; deleted: string[]; failed: { groupId: string; error: string }[] }
  | { action: 'delete-offsets'; groupId: string; error: string | null; partitions: DeleteOffsetsRow[] }
  | { action: GroupsOptions['action']; failure: string }

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
    group: Flags.string({ summary: 'The consumer group to act on (repeatable).', multiple: true, multipleNonGreedy: true }),
    'all-groups': Flags.boolean({ summary: 'Apply to all consumer groups.' }),
    topic: Flags.string({
      summary: 'Topic for --reset-offsets or --delete-offsets; partitions as topic:0,1,2 (repeatable).',
      multiple: true,
      multipleNonGreedy: true,
    }),
    'all-topics': Flags.boolean({ summary: 'Reset every partition the group has committed offsets for.' }),
    timeout: Flags.string({ summary: 'Admin call timeout in ms (accepted; local calls do not wait).' }),
    state: Flags.string({ summary: 'With --list: add the STATE column, optionally filtered (e.g. stable,empty). With --describe: the state view.' }),
    type: Flags.string({ summary: 'With --list: add the TYPE column, optionally filtered (classic, consumer).' }),
    offsets: Flags.boolean({ summary: 'With --describe: per-partition offsets and lag (the default view).' }),
    members: Flags.boolean({ summary: 'With --describe: one row per member.' }),
    verbose: Flags.boolean({ summary: 'With --describe --members: add the ASSIGNMENT column.' }),
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
    const broker = this.openBroker(flags)
    try {
      switch (options.action) {
        case 'list':
          return this.list(broker, options)
        case 'describe':
          return this.describe(broker, options)
        case 'reset-offsets':
          return this.resetOffsets(broker, options, (flags.group ?? []).length)
        case 'delete':
          return this.deleteGroups(broker, options)
        case 'delete-offsets':
          return this.deleteOffsets(broker, options, flags.group ?? [])
      }
    } catch (err) {
      // Kafka's tool prints execution errors on stdout and still exits 0.
      if (!(err instanceof GroupCommandFailure)) throw err
      this.out(failureText(err.message))
      return { action: options.action, failure: err.message }
    }
  }

  private list(broker: Broker, o: GroupsOptions): ConsumerGroupsReport {
    const columns = o.listColumns
    // Kafka parses --type before --state.
    const types = columns.type && o.typeFilter !== undefined ? parseTypeFilter(o.typeFilter) : []
    const states = columns.state && o.stateFilter !== undefined ? parseStateFilter(o.stateFilter) : []
    const groups = broker.groups
      .listGroups({ statesFilter: states, typesFilter: types })
      .filter(isConsumerGroup)
      .map((g) => ({ groupId: g.groupId, state: g.state, type: g.groupType === 'classic' ? 'Classic' : 'Consumer' }))
    this.out(renderList(groups, columns))
    return { action: 'list', groups }
  }

  private describe(broker: Broker, o: GroupsOptions): ConsumerGroupsReport {
    const ids = [...new Set(o.allGroups ? consumerGroupIds(broker) : o.groups)].sort()
    // Kafka describes every group before printing anything: one failure prints no table at all.
    const overviews = ids.map((id) => consumerOverview(broker, id))
    const log = brokerLogOffsets(broker)
    const report: { groupId: string; state: string; partitions?: number; members?: number }[] = []
    for (const ov of overviews) {
      const note = stateNote(ov.groupId, ov.state)
      const [count, table] =
        o.view === 'offsets'
          ? tableOf(offsetRows(ov, log), renderOffsets)
          : o.view === 'members'
            ? tableOf(memberRows(ov), (rows) => renderMembers(rows, o.verbose))
            : tableOf([stateRow(ov, coordinatorOf(broker))], renderState)
      if (note.stderr !== undefined) process.stderr.write(note.stderr)
      if (note.stdout !== undefined) this.out(note.stdout)
      if (note.printTable && count > 0) this.out(table)
      report.push({ groupId: ov.groupId, state: ov.state, ...(o.view === 'offsets' ? { partitions: count } : { members: ov.members.length }) })
    }
    return { action: 'describe', groups: report }
  }

  private resetOffsets(broker: Broker, o: GroupsOptions, groupCount: number): ConsumerGroupsReport {
    const ids = [...new Set(o.allGroups ? consumerGroupIds(broker) : o.groups)]
    const log = brokerLogOffsets(broker)
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
      const ov = consumerOverview(broker, id)
      processed++
      if (ov.state !== 'Empty' && ov.state !== 'Dead') {
        this.out(`\nError: Assignments can only be reset if the group '${id}' is inactive, but the current state is ${ov.state}.\n`)
        continue
      }
      const committed = ov.offsets.map((c) => ({ topic: c.topic, partition: c.partition, offset: c.offset }))
      const partitions = partitionsToReset({ allTopics: o.allTopics, topics: o.topics, fromFile: scenario?.kind === 'from-file' }, committed, log)
      const planned = planReset(scenario, partitions, {
        groupId: id,
        committed,
        log,
        nowMs: Date.now(),
        plan: readPlan,
        warn: log4jWarn,
        print: (text) => this.out(text),
      })
      if (o.execute) commit(broker, id, planned)
      rows.push(...planned.map((p) => ({ group: id, topic: p.topic, partition: p.partition, newOffset: p.offset })))
    }
    // `--export` output goes through println (one more line break); the table only when a group was looked at.
    if (o.export) this.out(`${renderResetCsv(rows, groupCount !== 1)}\n`)
    else if (processed > 0) this.out(renderReset(rows))
    return { action: 'reset-offsets', executed: o.execute, offsets: rows }
  }

  private deleteGroups(broker: Broker, o: GroupsOptions): ConsumerGroupsReport {
    const ids = [...new Set(o.allGroups ? consumerGroupIds(broker) : o.groups)]
    const results = broker.groups.deleteGroups(ids)
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

  private deleteOffsets(broker: Broker, o: GroupsOptions, rawGroups: readonly string[]): ConsumerGroupsReport {
    if (rawGroups.length > 1) throw new GroupCommandFailure('Found multiple arguments for option group, but you asked for only one')
    const groupId = rawGroups[0]!
    const log = brokerLogOffsets(broker)
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
    const result = broker.groups.deleteOffsets({ groupId, topics: [...byTopic].map(([name, ps]) => ({ name, partitions: ps })) })
    const perPartition = new Map<string, KafkaError | undefined>(result.topics.flatMap((t) => t.partitions.map((p) => [`${t.name}\u0000${p.partition}`, p.error] as const)))
    const firstPartitionError = [...partitions.keys()].map((k) => perPartition.get(k)).find((e) => e !== undefined)
    const topLevel = result.error ?? firstPartitionError
    for (const [k, tp] of partitions) {
      const error = result.error ?? perPartition.get(k)
      rows.push({ topic: tp.topic, partition: tp.partition, error: error === undefined ? null : javaErrorString(error) })
    }
    this.out(deleteOffsetsStatus(topLevel?.errorName, groupId, o.topics) + renderDeleteOffsets(rows))
    return { action: 'delete-offsets', groupId, error: topLevel?.errorName ?? null, partitions: rows }
  }
}

const tableOf = <R>(rows: readonly R[], render: (rows: readonly R[]) => string): [number, string] => [rows.length, render(rows)]

/** The status line of --delete-offsets for the top-level outcome (DeleteConsumerGroupOffsetsResult.all()). */
function deleteOffsetsStatus(errorName: string | undefined, groupId: string, topics: readonly string[]): string {
  switch (errorName) {
    case undefined:
      return `Request succeed for deleting offsets with topic ${topics.join(', ')} group ${groupId}\n`
    case 'INVALID_GROUP_ID':
      return `\nError: '${groupId}' is not valid.\n`
    case 'GROUP_ID_NOT_FOUND':
      return `\nError: '${groupId}' does not exist.\n`
    case 'GROUP_AUTHORIZATION_FAILED':
      return `\nError: Access to '${groupId}' is not authorized.\n`
    case 'NON_EMPTY_GROUP':
      return `\nError: Deleting offsets of a consumer group '${groupId}' is forbidden if the group is not empty.\n`
    case 'GROUP_SUBSCRIBED_TO_TOPIC':
    case 'TOPIC_AUTHORIZATION_FAILED':
    case 'UNKNOWN_TOPIC_OR_PARTITION':
      return '\nError: Encounter some partition level error, see the follow-up details:\n'
    default:
      return `\nError: Encounter some unknown error: ${errorName}\n`
  }
}

/** ListConsumerGroups: groups of protocol type `consumer`, and groups that only hold offsets. */
function isConsumerGroup(g: { protocolType: string }): boolean {
  return g.protocolType === 'consumer' || g.protocolType === ''
}

function consumerGroupIds(broker: Broker): string[] {
  return broker.groups
    .listGroups()
    .filter(isConsumerGroup)
    .map((g) => g.groupId)
}

/** DescribeConsumerGroups refuses groups of another protocol type (Connect workers, …). */
function consumerOverview(broker: Broker, groupId: string): GroupOverview {
  const ov = broker.groups.describeGroupOverview(groupId)
  if (!isConsumerGroup(ov)) {
    throw new GroupCommandFailure(`java.lang.IllegalArgumentException: GroupId ${groupId} is not a consumer group (${ov.protocolType}).`)
  }
  return ov
}

/** `host:port  (id)` of the coordinator: this node as clients would be told to reach it. */
function coordinatorOf(broker: Broker): string {
  const listener = broker.config.advertisedListeners[0]
  const host = listener === undefined ? 'localhost' : listener.host === '' ? os.hostname() : listener.host
  return `${host}:${listener?.port ?? 9092}  (${broker.nodeId})`
}

/** alterConsumerGroupOffsets: a simple (generation -1) commit; any partition error fails the command. */
function commit(broker: Broker, groupId: string, planned: readonly PlannedOffset[]): void {
  if (planned.length === 0) return
  const byTopic = new Map<string, PlannedOffset[]>()
  for (const p of planned) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p])
  const results = broker.groups.commitOffsets({
    groupId,
    generationId: -1,
    memberId: '',
    groupInstanceId: null,
    topics: [...byTopic].map(([name, ps]) => ({
      name,
      partitions: ps.map((p) => ({ partition: p.partition, offset: p.offset, leaderEpoch: -1, metadata: '' })),
    })),
  })
  const failed = results.flatMap((t) => t.partitions).find((p) => p.error !== undefined)
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
  const d = new Date()
  const p = (n: number, w = 2) => String(n).padStart(w, '0')
  const stamp = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())},${p(d.getMilliseconds(), 3)}`
  process.stderr.write(`[${stamp}] WARN ${message} (${LOGGER})\n`)
}

