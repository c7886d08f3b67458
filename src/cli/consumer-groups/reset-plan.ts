// The offsets `--reset-offsets` would commit for one inactive group (ConsumerGroupCommand's
// getPartitionsToReset + prepareOffsetsToReset + checkOffsetsRange, Kafka 3.9). Pure planning: nothing
// is committed here. Requested offsets outside [log start, log end] are clamped with Kafka's WARN
// log line; offsets read from the log (earliest, latest, by time) need no clamping.

import { UsageError } from '../errors.js'
import { GroupCommandFailure, UNKNOWN_TOPIC_OR_PARTITION, executionErrorString } from './failure.js'
import type { LogOffsets, PartitionBounds } from './log-offsets.js'
import { missingScenarioMessage, parseTopicArg, type ResetScenario } from './options.js'
import type { PlannedOffset, ResetPlanFile } from './reset-csv.js'
import { parseDateTime, timestampBefore } from './time-specs.js'

export interface TopicPartition {
  readonly topic: string
  readonly partition: number
}

export interface ResetScope {
  readonly allTopics: boolean
  /** `--topic` values: `t` or `t:0,1`. */
  readonly topics: readonly string[]
  readonly fromFile: boolean
}

export interface ResetContext {
  readonly groupId: string
  /** The group's committed offsets. */
  readonly committed: readonly PlannedOffset[]
  readonly log: LogOffsets
  /** For --by-duration. */
  readonly nowMs: number
  /** The parsed --from-file plan (read lazily: Kafka reads it only for a group it is about to reset). */
  readonly plan: () => ResetPlanFile
  /** A log4j WARN message (stderr). */
  readonly warn: (message: string) => void
  /** Text Kafka prints on stdout while planning (`Warn: Partition … is empty`, `Error: No reset plan …`). */
  readonly print: (text: string) => void
}

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`
const byTopicPartition = (a: TopicPartition, b: TopicPartition) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition)
const tpName = (tp: TopicPartition) => `${tp.topic}-${tp.partition}`

/** The partitions a reset covers: --all-topics = every committed partition; --topic = those named. */
export function partitionsToReset(scope: ResetScope, committed: readonly PlannedOffset[], log: LogOffsets): TopicPartition[] {
  if (scope.allTopics) return committed.map((c) => ({ topic: c.topic, partition: c.partition }))
  if (scope.topics.length > 0) {
    const args = scope.topics.map(parseTopicArg)
    const specified = args.flatMap((a) => (a.partitions ?? []).map((partition) => ({ topic: a.topic, partition })))
    // Kafka 4.3 checks the partitions named on --topic before planning (a single node has no leaderless ones).
    const missing = specified.filter((tp) => !(log.partitionsOf(tp.topic) ?? []).includes(tp.partition))
    if (missing.length > 0) throw new GroupCommandFailure(`The partitions "${missing.map(tpName).join(',')}" do not exist`)
    const whole = args.filter((a) => a.partitions === null)
    const unspecified = whole.flatMap((a) => {
      const partitions = log.partitionsOf(a.topic)
      if (partitions === undefined) throw new GroupCommandFailure(executionErrorString(UNKNOWN_TOPIC_OR_PARTITION))
      return partitions.map((partition) => ({ topic: a.topic, partition }))
    })
    return unique([...specified, ...unspecified])
  }
  if (!scope.fromFile) throw new UsageError('One of the reset scopes should be defined: --all-topics, --topic.')
  return []
}

/** The new offset of every partition, sorted by topic and partition. */
export function planReset(scenario: ResetScenario | undefined, partitions: readonly TopicPartition[], ctx: ResetContext): PlannedOffset[] {
  if (scenario === undefined) throw new UsageError(missingScenarioMessage())
  const committed = new Map(ctx.committed.map((c) => [key(c.topic, c.partition), c.offset]))
  const sorted = [...partitions].sort(byTopicPartition)
  const bounds = (tp: TopicPartition): PartitionBounds => {
    const b = ctx.log.bounds(tp.topic, tp.partition)
    if (b === undefined) throw new GroupCommandFailure(executionErrorString(UNKNOWN_TOPIC_OR_PARTITION))
    return b
  }
  const clamped = (requested: readonly PlannedOffset[]) => checkOffsetsRange(requested, bounds, ctx.warn)
  switch (scenario.kind) {
    case 'to-offset':
      return clamped(sorted.map((tp) => ({ ...tp, offset: scenario.offset })))
    case 'to-earliest':
      return sorted.map((tp) => ({ ...tp, offset: bounds(tp).logStartOffset }))
    case 'to-latest':
      return sorted.map((tp) => ({ ...tp, offset: bounds(tp).logEndOffset }))
    case 'shift-by':
      return clamped(
        sorted.map((tp) => {
          const current = committed.get(key(tp.topic, tp.partition))
          if (current === undefined) throw new UsageError(`Cannot shift offset for partition ${tpName(tp)} since there is no current committed offset`)
          return { ...tp, offset: current + scenario.shift }
        }),
      )
    case 'to-datetime':
      return byTimestamp(sorted, parseDateTime(scenario.text), ctx, bounds)
    case 'by-duration':
      return byTimestamp(sorted, timestampBefore(ctx.nowMs, scenario.text), ctx, bounds)
    case 'from-file': {
      const planned = ctx.plan().get(ctx.groupId)
      if (planned === undefined) {
        ctx.print(`\nError: No reset plan for group ${ctx.groupId} found\n`)
        return []
      }
      return clamped([...planned].sort(byTopicPartition))
    }
    case 'to-current':
      // Partitions without a committed offset go to the log end (not clamped: it is the log's own value).
      return sorted.map((tp) => ({ ...tp, offset: committed.get(key(tp.topic, tp.partition)) ?? bounds(tp).logEndOffset }))
  }
}

function byTimestamp(
  partitions: readonly TopicPartition[],
  timestampMs: number,
  ctx: ResetContext,
  bounds: (tp: TopicPartition) => PartitionBounds,
): PlannedOffset[] {
  const found = partitions.map((tp) => {
    const offset = ctx.log.offsetForTimestamp(tp.topic, tp.partition, timestampMs)
    if (offset === undefined) throw new GroupCommandFailure(executionErrorString(UNKNOWN_TOPIC_OR_PARTITION))
    return { ...tp, offset }
  })
  for (const f of found) {
    if (f.offset < 0) ctx.print(`\nWarn: Partition ${f.partition} from topic ${f.topic} is empty. Falling back to latest known offset.\n`)
  }
  return found.map((f) => (f.offset < 0 ? { ...f, offset: bounds(f).logEndOffset } : f))
}

/** Clamps requested offsets to [log start, log end] with Kafka's WARN messages. */
function checkOffsetsRange(
  requested: readonly PlannedOffset[],
  bounds: (tp: TopicPartition) => PartitionBounds,
  warn: (message: string) => void,
): PlannedOffset[] {
  return requested.map((r) => {
    const b = bounds(r)
    if (r.offset > b.logEndOffset) {
      warn(`New offset (${r.offset}) is higher than latest offset for topic partition ${tpName(r)}. Value will be set to ${b.logEndOffset}`)
      return { ...r, offset: b.logEndOffset }
    }
    if (r.offset < b.logStartOffset) {
      warn(`New offset (${r.offset}) is lower than earliest offset for topic partition ${tpName(r)}. Value will be set to ${b.logStartOffset}`)
      return { ...r, offset: b.logStartOffset }
    }
    return r
  })
}

function unique(tps: readonly TopicPartition[]): TopicPartition[] {
  const seen = new Map<string, TopicPartition>()
  for (const tp of tps) seen.set(key(tp.topic, tp.partition), tp)
  return [...seen.values()]
}
