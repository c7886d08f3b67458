// kafka-consumer-groups' option rules (ConsumerGroupCommandOptions.checkArgs and the action check in
// ConsumerGroupCommand.main, Kafka 4.3), with jopt-simple's wording. Every failure here is a usage
// error: one message, exit 1. Execution errors come later and keep exit status 0.

import { UsageError } from '../errors.js'
import { parseJavaInt } from '../../util/java/numbers.js'
import { parseLongOption } from '../flags.js'
import { javaSplit, javaStringHashCode } from '../../util/java/strings.js'

export const ACTIONS = ['list', 'describe', 'delete', 'reset-offsets', 'delete-offsets', 'validate-regex'] as const
export type GroupsAction = (typeof ACTIONS)[number]
export const ACTION_MESSAGE =
  'Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets, --validate-regex'
export const NO_ARGUMENTS_MESSAGE =
  'This tool helps to list all consumer groups, describe a consumer group, delete consumer group info, or reset consumer group offsets.'

/** The reset scenarios in the order Kafka checks their pairwise exclusion. */
export const SCENARIOS = ['to-offset', 'to-datetime', 'by-duration', 'to-earliest', 'to-latest', 'to-current', 'shift-by', 'from-file'] as const

/** Kafka declares the set in this order; its HashSet iteration order is what messages print. */
const SCENARIO_SET = ['to-offset', 'shift-by', 'to-datetime', 'by-duration', 'to-earliest', 'to-latest', 'to-current', 'from-file'] as const

export const MISSING_EXECUTE_WARNING =
  'WARN: No action will be performed as the --execute option is missing. In version 5.0, this command will require ' +
  'either --dry-run or --execute to be specified. You should add the --dry-run option explicitly if you are ' +
  'scripting this command and want to keep the current default behavior without prompting.'

/** The flags as oclif parses them (after `normalizeOptionalValues`). */
export interface GroupsFlags {
  readonly list: boolean
  readonly describe: boolean
  readonly delete: boolean
  readonly 'reset-offsets': boolean
  readonly 'delete-offsets': boolean
  readonly 'validate-regex'?: string | undefined
  readonly group?: readonly string[] | undefined
  readonly 'all-groups': boolean
  readonly topic?: readonly string[] | undefined
  readonly 'all-topics': boolean
  readonly timeout?: string | undefined
  /** '' when given without a value. */
  readonly state?: string | undefined
  /** '' when given without a value. */
  readonly type?: string | undefined
  readonly offsets: boolean
  readonly members: boolean
  readonly verbose: boolean
  readonly 'dry-run': boolean
  readonly execute: boolean
  readonly export: boolean
  readonly 'to-offset'?: string | undefined
  readonly 'to-earliest': boolean
  readonly 'to-latest': boolean
  readonly 'to-current': boolean
  readonly 'shift-by'?: string | undefined
  readonly 'to-datetime'?: string | undefined
  readonly 'by-duration'?: string | undefined
  readonly 'from-file'?: string | undefined
}

export type ResetScenario =
  | { readonly kind: 'to-offset'; readonly offset: number }
  | { readonly kind: 'to-earliest' }
  | { readonly kind: 'to-latest' }
  | { readonly kind: 'to-current' }
  | { readonly kind: 'shift-by'; readonly shift: number }
  | { readonly kind: 'to-datetime'; readonly text: string }
  | { readonly kind: 'by-duration'; readonly text: string }
  | { readonly kind: 'from-file'; readonly path: string }

export type DescribeView = 'offsets' | 'members' | 'state'

export interface GroupsOptions {
  readonly action: GroupsAction
  /** `--group` values, duplicates removed (Kafka keys its results by group id). */
  readonly groups: readonly string[]
  readonly allGroups: boolean
  /** `--topic` values as given: `t` or `t:0,1,2`. */
  readonly topics: readonly string[]
  readonly allTopics: boolean
  readonly view: DescribeView
  readonly verbose: boolean
  /** `--list`: which extra columns, and the raw filter values ('' or undefined = no filter). */
  readonly listColumns: { readonly state: boolean; readonly type: boolean }
  readonly stateFilter: string | undefined
  readonly typeFilter: string | undefined
  /** undefined: none given (Kafka reports that only when a group is about to be reset). */
  readonly scenario: ResetScenario | undefined
  readonly execute: boolean
  readonly export: boolean
  /** True when exactly one `--group` was given: the CSV formats then leave the group out. */
  readonly singleGroup: boolean
  /** `--validate-regex`: the pattern to check. */
  readonly regex: string | undefined
}

const set = (v: unknown): boolean => v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0)

/**
 * jopt-simple takes the next token as the value of an optional-argument option (`--state`, `--type`)
 * only when it does not look like an option; oclif always wants a value, so a bare one becomes `--x=`.
 */
export function normalizeOptionalValues(argv: readonly string[], names: readonly string[] = ['state', 'type']): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const next = argv[i + 1]
    if (names.some((n) => arg === `--${n}`) && (next === undefined || next.startsWith('-'))) out.push(`${arg}=`)
    else out.push(arg)
  }
  return out
}

/**
 * Kafka's checks in Kafka's order. `warn` receives the stderr WARN printed when a reset has neither
 * --dry-run nor --execute (printed even if a later check fails, as Kafka does).
 */
export function checkOptions(flags: GroupsFlags, warn: (line: string) => void): GroupsOptions {
  const has = (name: keyof GroupsFlags) => set(flags[name])
  const groupScope = `${javaHashSetOrder(['group', 'all-groups']).map(bracket).join(', ')}`

  // jopt-simple's availableIf, enforced while parsing.
  const unavailable: string[] = []
  if (!has('describe')) for (const o of ['members', 'verbose', 'offsets'] as const) if (has(o)) unavailable.push(o)
  if (flags.state !== undefined && !has('describe') && !has('list')) unavailable.push('state')
  if (flags.type !== undefined && !has('list')) unavailable.push('type')
  if (unavailable.length > 0) throw new UsageError(`Option(s) [${unavailable.join(', ')}] are unavailable given other options on the command line`)

  const hasGroupScope = has('group') || has('all-groups')
  if (has('describe')) {
    if (!hasGroupScope) throw new UsageError(`Option [describe] takes one of these options: ${groupScope}`)
    const views = (['members', 'offsets', 'state'] as const).filter((v) => (v === 'state' ? flags.state !== undefined : has(v)))
    if (views.length > 1) throw new UsageError('Option [describe] takes at most one of these options: [members], [offsets], [state]')
    if (flags.state !== undefined && flags.state !== '') throw new UsageError('Option [describe] does not take a value for [state]')
  }
  if (has('delete')) {
    if (!hasGroupScope) throw new UsageError(`Option [delete] takes one of these options: ${groupScope}`)
    if (has('topic')) throw new UsageError('The consumer does not support topic-specific offset deletion from a consumer group.')
  }
  if (has('delete-offsets') && (!has('group') || !has('topic'))) {
    throw new UsageError(`Option [delete-offsets] takes the following options: ${javaHashSetOrder(['group', 'topic']).map(bracket).join(', ')}`)
  }
  if (has('reset-offsets')) {
    if (has('dry-run') && has('execute')) throw new UsageError('Option [reset-offsets] only accepts one of [execute] and [dry-run]')
    if (!has('dry-run') && !has('execute')) warn(MISSING_EXECUTE_WARNING)
    if (!hasGroupScope) throw new UsageError(`Option [reset-offsets] takes one of these options: ${groupScope}`)
    for (const scenario of SCENARIOS) {
      if (!has(scenario)) continue
      const others = javaHashSetOrder(SCENARIO_SET).filter((o) => o !== scenario)
      const clash = others.find((o) => has(o))
      if (clash !== undefined) throw invalidWith(scenario, clash)
    }
  }
  if (has('group') && has('all-groups')) throw invalidWith('group', 'all-groups')
  if (has('group') && has('list')) throw invalidWith('group', 'list')
  if (has('topic')) {
    // allConsumerGroupLevelOpts minus delete and reset-offsets, in HashSet order.
    const clash = javaHashSetOrder(['list', 'describe', 'delete', 'reset-offsets'])
      .filter((o) => o === 'list' || o === 'describe')
      .find((o) => has(o as keyof GroupsFlags))
    if (clash !== undefined) throw invalidWith('topic', clash)
  }

  const actions = ACTIONS.filter((a) => has(a))
  const [action] = actions
  if (actions.length !== 1 || action === undefined) throw new UsageError(ACTION_MESSAGE)

  if (flags.timeout !== undefined) parseLongOption(flags.timeout, 'timeout')
  return {
    action,
    groups: [...new Set(flags.group ?? [])],
    allGroups: has('all-groups'),
    topics: [...(flags.topic ?? [])],
    allTopics: has('all-topics'),
    view: has('members') ? 'members' : flags.state !== undefined ? 'state' : 'offsets',
    verbose: has('verbose'),
    listColumns: { state: flags.state !== undefined, type: flags.type !== undefined },
    stateFilter: flags.state === '' ? undefined : flags.state,
    typeFilter: flags.type === '' ? undefined : flags.type,
    scenario: scenarioOf(flags),
    execute: has('execute'),
    export: has('export'),
    singleGroup: (flags.group ?? []).length === 1,
    regex: flags['validate-regex'],
  }
}

function scenarioOf(flags: GroupsFlags): ResetScenario | undefined {
  if (flags['to-offset'] !== undefined) return { kind: 'to-offset', offset: parseLongOption(flags['to-offset'], 'to-offset') }
  if (flags['to-datetime'] !== undefined) return { kind: 'to-datetime', text: flags['to-datetime'] }
  if (flags['by-duration'] !== undefined) return { kind: 'by-duration', text: flags['by-duration'] }
  if (flags['to-earliest']) return { kind: 'to-earliest' }
  if (flags['to-latest']) return { kind: 'to-latest' }
  if (flags['to-current']) return { kind: 'to-current' }
  if (flags['shift-by'] !== undefined) return { kind: 'shift-by', shift: parseLongOption(flags['shift-by'], 'shift-by') }
  if (flags['from-file'] !== undefined) return { kind: 'from-file', path: flags['from-file'] }
  return undefined
}

/** `Option '[reset-offsets]' requires one of the following scenarios: [[to-offset], …]` (a Java Set's toString). */
export function missingScenarioMessage(): string {
  return `Option '[reset-offsets]' requires one of the following scenarios: [${javaHashSetOrder(SCENARIO_SET).map(bracket).join(', ')}]`
}

const GROUP_STATES = ['PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead', 'Empty', 'Assigning', 'Reconciling'] as const

/** `--list --state a,b`: Kafka's ConsumerGroupState names, case-insensitive; unknown names are a usage error. */
export function parseStateFilter(input: string): string[] {
  const parsed = javaSplit(input, ',').map((s) => GROUP_STATES.find((known) => known.toUpperCase() === s.trim().toUpperCase()))
  if (parsed.some((s) => s === undefined)) {
    throw new UsageError(`Invalid state list '${input}'. Valid states are: ${GROUP_STATES.join(', ')}`)
  }
  return [...new Set(parsed as string[])]
}

const GROUP_TYPES = ['Consumer', 'Classic'] as const

/** `--list --type a,b`: `classic` or `consumer`, case-insensitive; returned lower-cased. */
export function parseTypeFilter(input: string): string[] {
  const parsed = javaSplit(input.toLowerCase(), ',').map((s) => GROUP_TYPES.find((known) => known.toLowerCase() === s.trim()))
  if (parsed.some((s) => s === undefined)) throw new UsageError(`Invalid types list '${input}'. Valid types are: ${GROUP_TYPES.join(', ')}`)
  return [...new Set((parsed as string[]).map((t) => t.toLowerCase()))]
}

export interface TopicArg {
  readonly topic: string
  /** null: every partition of the topic. */
  readonly partitions: readonly number[] | null
}

/** `--topic t` or `--topic t:0,1,2` (parseTopicsWithPartitions; its messages, trailing `''` included). */
export function parseTopicArg(arg: string): TopicArg {
  if (!arg.includes(':')) return { topic: arg, partitions: null }
  const parts = javaSplit(arg, ':')
  if (parts.length !== 2) throw new UsageError(`Invalid topic arg '${arg}', expected topic name and partitions`)
  const partitions = javaSplit(parts[1]!, ',').map((p) => {
    const n = parseJavaInt(p)
    if (n === undefined) throw new UsageError(`Invalid partition '${p}' specified in topic arg '${arg}''`)
    return n
  })
  return { topic: parts[0]!, partitions }
}




/**
 * The iteration order of a small java.util.HashSet of jopt OptionSpecs (hash = the option-name list's
 * hashCode, 16 buckets): Kafka prints its option sets in this order, so its messages do too.
 */
export function javaHashSetOrder<T extends string>(names: readonly T[]): T[] {
  const bucket = (name: string) => {
    const h = (31 + javaStringHashCode(name)) | 0 // List.of(name).hashCode()
    return (h ^ (h >>> 16)) & 15
  }
  return names
    .map((name, index) => ({ name, index, bucket: bucket(name) }))
    .sort((a, b) => a.bucket - b.bucket || a.index - b.index)
    .map((e) => e.name)
}

const bracket = (name: string) => `[${name}]`

function invalidWith(option: string, other: string): UsageError {
  return new UsageError(`Option "[${option}]" can't be used with option "[${other}]"`)
}
