// The consumer settings of a group member (console-consumer, consumer-perf-test, verifiable-consumer), read
// from consumer properties with the Java consumer's defaults, checks and messages.

import type { IsolationLevel } from '../broker/types.js'
import type { GroupMembership } from '../client/kafka-client.js'
import { UsageError, UserError } from './errors.js'

/** The consumer properties a group member honours, with the Java consumer's defaults. */
type GroupConfig = GroupMembership


/** partition.assignment.strategy: Java class names (and, leniently, the protocol names themselves). */
const ASSIGNOR_CLASSES = new Map([
  ['org.apache.kafka.clients.consumer.RangeAssignor', 'range'],
  ['org.apache.kafka.clients.consumer.RoundRobinAssignor', 'roundrobin'],
  ['org.apache.kafka.clients.consumer.CooperativeStickyAssignor', 'cooperative-sticky'],
  ['range', 'range'],
  ['roundrobin', 'roundrobin'],
  ['cooperative-sticky', 'cooperative-sticky'],
])
/** Java 3.x default: RangeAssignor, CooperativeStickyAssignor. */
const DEFAULT_ASSIGNORS = ['range', 'cooperative-sticky']

/**
 * group.protocol as the Java consumer reads it (classic or consumer, any case); `consumer` (KIP-848) is refused
 * in one line until kafka-ts has it, rather than quietly running a classic member. `given` names the setting.
 */
export function checkGroupProtocol(value: string | undefined, given: string): void {
  const protocol = value?.trim()
  if (protocol === undefined) return
  if (!['classic', 'consumer'].includes(protocol.toLowerCase())) {
    throw new UsageError(`Invalid value ${protocol} for configuration group.protocol: String must be one of (case insensitive): CLASSIC, CONSUMER`)
  }
  if (protocol.toLowerCase() === 'consumer') {
    throw new UserError(`${given} (KIP-848) is not supported yet; kafka-ts consumers use the classic group protocol.`, 'leave it out, or give classic')
  }
}

/** isolation.level from consumer properties, checked as the Java consumer's ConfigDef checks it (case-sensitive). */
export function isolationLevelOf(props: ReadonlyMap<string, string>): IsolationLevel {
  const level = props.get('isolation.level') ?? 'read_uncommitted'
  if (level !== 'read_committed' && level !== 'read_uncommitted') {
    throw new UsageError(`Invalid value ${level} for configuration isolation.level: String must be one of: read_committed, read_uncommitted`)
  }
  return level
}

export function parseGroupConfig(groupId: string, props: ReadonlyMap<string, string>): GroupConfig {
  checkGroupProtocol(props.get('group.protocol'), 'group.protocol=consumer')
  const int = (key: string, fallback: number, min = 0): number => {
    const raw = props.get(key)?.trim()
    if (raw === undefined) return fallback
    const n = Number(raw)
    if (raw === '' || !Number.isInteger(n) || n > 2 ** 31 - 1 || n < -(2 ** 31)) throw new UsageError(`Invalid value ${raw} for configuration ${key}: Not a number of type INT`)
    if (n < min) throw new UsageError(`Invalid value ${raw} for configuration ${key}: Value must be at least ${min}`)
    return n
  }
  const bool = (key: string, fallback: boolean): boolean => {
    const raw = props.get(key)?.trim().toLowerCase()
    if (raw === undefined) return fallback
    if (raw !== 'true' && raw !== 'false') throw new UsageError(`Invalid value ${props.get(key)} for configuration ${key}: Expected value to be either true or false`)
    return raw === 'true'
  }
  const sessionTimeoutMs = int('session.timeout.ms', 45_000)
  const heartbeatIntervalMs = int('heartbeat.interval.ms', 3000)
  // Kafka's Heartbeat refuses this combination when the consumer is created.
  if (heartbeatIntervalMs >= sessionTimeoutMs) throw new UserError('Heartbeat must be set lower than the session timeout')
  const strategy = props.get('partition.assignment.strategy')
  const assignors =
    strategy === undefined
      ? DEFAULT_ASSIGNORS
      : strategy
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '')
          .map((cls) => {
            const name = ASSIGNOR_CLASSES.get(cls)
            if (name === undefined) throw new UsageError(`Invalid value ${cls} for configuration partition.assignment.strategy: Class ${cls} could not be found.`)
            return name
          })
  if (assignors.length === 0) throw new UsageError('Invalid value  for configuration partition.assignment.strategy: at least one assignor is required')
  const instance = props.get('group.instance.id')?.trim()
  return {
    groupId,
    clientId: props.get('client.id') ?? 'console-consumer',
    groupInstanceId: instance === undefined || instance === '' ? null : instance,
    sessionTimeoutMs,
    heartbeatIntervalMs,
    rebalanceTimeoutMs: int('max.poll.interval.ms', 300_000, 1),
    assignors: [...new Set(assignors)],
    retryBackoffMs: int('retry.backoff.ms', 100),
    autoCommit: bool('enable.auto.commit', true),
    autoCommitIntervalMs: int('auto.commit.interval.ms', 5000),
  }
}
