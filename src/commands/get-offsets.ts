import { Flags } from '@oclif/core'

import { isLogDamage } from '../broker/log-damage.js'
import { isInternalTopic } from '../broker/topic-names.js'
import type { OffsetSpec } from '../broker/types.js'
import { UserError } from '../cli/errors.js'
import { validateBootstrapServer } from '../cli/flags.js'
import { KafkaCommand, oclifReason, unknownOption } from '../cli/kafka-command.js'
import { javaErrorString } from '../client/java-exception.js'
import type { KafkaClient } from '../client/kafka-client.js'
import { parseJavaInt } from '../util/java/numbers.js'
import { javaSplit } from '../util/java/strings.js'

// kafka-get-offsets (GetOffsetShell, cli.md §6): every failure is `Error occurred: <message>` on stderr, exit 1.

export interface PartitionOffset {
  topic: string
  partition: number
  offset: number
}

export interface GetOffsetsReport {
  offsets: PartitionOffset[]
}

/** What `--time` asks the log for; `none` is latest-tiered or earliest-pending-upload, which have no answer without tiered storage. */
export type TimeSpec = OffsetSpec | 'none'

interface TopicPartitionRule {
  topic: RegExp
  /** Partition ids allowed, as [from, to) — or a set when --partitions lists them. */
  allows: (partition: number) => boolean
}

const MALFORMED_TIME_HINT =
  'Please use -1 or latest / -2 or earliest / -3 or max-timestamp / -4 or earliest-local / -5 or latest-tiered / -6 or earliest-pending-upload, or a specified long format timestamp'
// GetOffsetShell's TOPIC_PARTITION_PATTERN: regex[:N | :N-M | :N- | :-M].
const RULE_SPEC = /^([^:,]*)(?::(?:([0-9]*)|(?:([0-9]*)-([0-9]*))))?$/
const INT_MAX = 2 ** 31 - 1

const failure = (message: string) => new UserError(`Error occurred: ${message}`)

export default class GetOffsets extends KafkaCommand<GetOffsetsReport> {
  static override summary = 'Print the offsets of topic partitions: latest, earliest, max-timestamp or at a time (kafka-get-offsets.sh).'
  static override examples = [
    '<%= config.bin %> <%= command.id %> --topic orders',
    '<%= config.bin %> <%= command.id %> --topic-partitions "orders:0-3,audit" --time earliest',
    '<%= config.bin %> <%= command.id %> --topic orders --time 1700000000000',
  ]

  static override flags = {
    ...KafkaCommand.connectionFlags,
    topic: Flags.string({ summary: 'Topics to query: a regular expression matching whole names (default: all topics).' }),
    partitions: Flags.string({ summary: 'Comma-separated partition ids (default: all partitions).' }),
    'topic-partitions': Flags.string({
      summary: 'Comma-separated topic:partition rules, e.g. t1:1,t2:0-3,t3,t4:5-,t5:-3,:0 (ranges exclude their upper end).',
    }),
    time: Flags.string({
      summary: 'latest/-1, earliest/-2, max-timestamp/-3, earliest-local/-4, latest-tiered/-5, or a timestamp in ms.',
      default: 'latest',
    }),
    'exclude-internal-topics': Flags.boolean({ summary: 'Leave internal topics out.' }),
  }

  async run(): Promise<GetOffsetsReport> {
    const { flags } = await this.parse(GetOffsets)
    if (flags['topic-partitions'] !== undefined && (flags.topic !== undefined || flags.partitions !== undefined)) {
      throw failure('--topic-partitions cannot be used with --topic or --partitions')
    }
    const time = parseTime(flags.time)
    const rules =
      flags['topic-partitions'] !== undefined
        ? parseTopicPartitions(flags['topic-partitions'])
        : [{ topic: topicPattern(flags.topic ?? '.*'), allows: partitionSet(flags.partitions) }]
    validateBootstrapServer(flags['bootstrap-server'])
    const client = await this.openClient(flags)
    const damaged: string[] = []
    const offsets = await fetchOffsets(client, rules, time, flags['exclude-internal-topics'], (line) => process.stderr.write(`${line}\n`), (message) => damaged.push(message))
    this.out(offsets.map((o) => `${o.topic}:${o.partition}:${o.offset}\n`).join(''))
    // Damage is not skipped quietly: the healthy partitions are printed, then each damaged one, exit 1.
    const last = damaged.pop()
    for (const message of damaged) process.stderr.write(`Error occurred: ${message}\n`)
    if (last !== undefined) throw failure(last)
    return { offsets }
  }

  protected override async catch(err: Error & { oclif?: { exit?: number }; flags?: string[] }): Promise<unknown> {
    // jopt-simple's parse errors go through the same `Error occurred:` line as every other failure.
    if (err.oclif?.exit !== undefined && err.oclif.exit !== 0) {
      return super.catch(failure(unknownOption(err) ?? oclifReason(err.message)))
    }
    return super.catch(err)
  }
}

/** `--time` as GetOffsetShell.parseOffsetSpec reads it (Long.parseLong for anything but the names). */
export function parseTime(value: string): TimeSpec {
  switch (value) {
    case 'latest':
      return 'latest'
    case 'earliest':
    case 'earliest-local': // no tiered storage: the local log start is the log start
      return 'earliest'
    case 'max-timestamp':
      return 'max-timestamp'
    case 'latest-tiered':
    case 'earliest-pending-upload': // Kafka 4.2 (KIP-1023)
      return 'none'
  }
  if (!/^[+-]?\d+$/.test(value) || BigInt(value) > 2n ** 63n - 1n || BigInt(value) < -(2n ** 63n)) {
    throw failure(`Malformed time argument ${value}. ${MALFORMED_TIME_HINT}`)
  }
  const ts = Number(value)
  switch (ts) {
    case -1:
      return 'latest'
    case -2:
    case -4:
      return 'earliest'
    case -3:
      return 'max-timestamp'
    case -5:
    case -6:
      return 'none'
    default:
      return ts
  }
}

/** Kafka's IncludeList: commas are alternation, spaces and surrounding quotes dropped, whole-name match. */
function topicPattern(pattern: string): RegExp {
  const cleaned = pattern.trim().replaceAll(',', '|').replaceAll(' ', '').replace(/^["']+/, '').replace(/["']+$/, '')
  try {
    return new RegExp(`^(?:${cleaned})$`, 'u')
  } catch (err) {
    throw failure(err instanceof Error ? err.message : String(err))
  }
}

/** `--partitions 0,1,2` (Integer.parseInt each); empty means every partition. */
function partitionSet(text: string | undefined): (partition: number) => boolean {
  if (text === undefined || text === '') return () => true
  const ids = text.split(',').map((s) => parseJavaInt(s))
  if (ids.some((id) => id === undefined)) {
    throw failure(`--partitions expects a comma separated list of numeric partition ids, but received: ${text}`)
  }
  const set = new Set(ids)
  return (p) => set.has(p)
}

/** `t1:1,t2:0-3,t3,t4:5-,t5:-3,:0` → one rule per comma-separated spec (an empty regex means all topics). */
export function parseTopicPartitions(text: string): TopicPartitionRule[] {
  return javaSplit(text, ',').map((spec) => {
    const m = RULE_SPEC.exec(spec)
    if (!m) throw failure(`Invalid rule specification: ${spec}`)
    const group = (i: number) => (m[i] === undefined || m[i] === '' ? undefined : m[i])
    const topic = topicPattern(group(1) ?? '.*')
    const single = group(2)
    if (single !== undefined) {
      const id = Number(single)
      return { topic, allows: (p: number) => p === id }
    }
    const lower = Number(group(3) ?? 0)
    const upper = group(4) === undefined ? INT_MAX : Number(group(4))
    return { topic, allows: (p: number) => p >= lower && p < upper }
  })
}

/** The offsets of every matching partition, sorted by `topic-partition` as a string; -1 answers left out. */
export async function fetchOffsets(
  client: KafkaClient,
  rules: readonly TopicPartitionRule[],
  time: TimeSpec,
  excludeInternal: boolean,
  warn: (line: string) => void,
  damaged: (message: string) => void = warn,
): Promise<PartitionOffset[]> {
  const partitions: { row: { name: string; partitionCount: number }; partition: number }[] = []
  for (const row of await client.listTopics()) {
    if (excludeInternal && isInternalTopic(row.name)) continue
    const matching = rules.filter((r) => r.topic.test(row.name))
    for (let p = 0; p < row.partitionCount; p++) {
      if (matching.some((r) => r.allows(p))) partitions.push({ row, partition: p })
    }
  }
  if (partitions.length === 0) throw failure('Could not match any topic-partitions with the specified filters')

  const found: PartitionOffset[] = []
  // latest-tiered ('none') has no answer without tiered storage: nothing is asked.
  const listed = time === 'none' ? [] : await client.listOffsets(partitions.map(({ row, partition }) => ({ topic: row.name, partition, spec: time })))
  for (const outcome of listed) {
    const { topic, partition } = outcome
    if (!outcome.ok) {
      if (isLogDamage(outcome.error)) {
        damaged(outcome.error.message)
        continue
      }
      warn(`Skip getting offsets for topic-partition ${topic}-${partition} due to error: ${javaErrorString(outcome.error)}`)
      continue
    }
    if (outcome.value.offset !== -1) found.push({ topic, partition, offset: outcome.value.offset })
  }
  const key = (o: PartitionOffset) => `${o.topic}-${o.partition}`
  return found.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
}


