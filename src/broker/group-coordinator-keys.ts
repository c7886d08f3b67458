import { atLeast, range, type ConfigKeyDef, type ConfigType, type ParsedValue, type Validator } from './config-def.js'

// Kafka 4.3's broker keys for KIP-848 consumer groups and KIP-932 share groups (GroupCoordinatorConfig,
// ShareGroupConfig; cli-4.md C.3.6 and C.4.5): types, defaults and ranges, checked in server.properties like
// every broker key, and the cross-key rules GroupCoordinatorConfig applies when the broker starts. The
// groups that use them are not in kafka-ts yet; group configs (kafka-configs --entity-type groups) take
// their defaults and bounds from them. None is dynamic: a group's own settings change through its group
// configs.

const key = (name: string, type: ConfigType, defaultValue: string, validator?: Validator): ConfigKeyDef =>
  validator ? { name, type, defaultValue, validator } : { name, type, defaultValue }

/** ConfigDef.CaseInsensitiveValidString.in over an enum's names. */
function caseInsensitive(...allowed: string[]): Validator {
  return {
    describe: `(case insensitive) [${allowed.join(', ')}]`,
    check(value) {
      const s = String(value)
      return allowed.includes(s.toUpperCase()) ? undefined : { shown: s, reason: `String must be one of (case insensitive): ${allowed.join(', ')}` }
    },
  }
}

/** An int setting with its bounds: `group.<g>.<what>`, `group.<g>.min.<what>` and `group.<g>.max.<what>`, one validator for all three. */
const bounded = (group: string, what: string, [value, min, max]: readonly [number, number, number], validator: Validator): ConfigKeyDef[] => [
  key(`group.${group}.${what}`, 'int', String(value), validator),
  key(`group.${group}.min.${what}`, 'int', String(min), validator),
  key(`group.${group}.max.${what}`, 'int', String(max), validator),
]

export const GROUP_COORDINATOR_KEYS: readonly ConfigKeyDef[] = [
  ...bounded('consumer', 'session.timeout.ms', [45000, 45000, 60000], atLeast(1)),
  ...bounded('consumer', 'heartbeat.interval.ms', [5000, 5000, 15000], atLeast(1)),
  ...bounded('consumer', 'assignment.interval.ms', [1000, 0, 15000], atLeast(0)),
  key('group.consumer.assignor.offload.enable', 'boolean', 'true'),
  key('group.consumer.max.size', 'int', '2147483647', atLeast(1)),
  key('group.consumer.assignors', 'list', 'uniform,range'),
  key('group.consumer.migration.policy', 'string', 'bidirectional', caseInsensitive('DISABLED', 'DOWNGRADE', 'UPGRADE', 'BIDIRECTIONAL')),
  ...bounded('share', 'session.timeout.ms', [45000, 45000, 60000], atLeast(1)),
  ...bounded('share', 'heartbeat.interval.ms', [5000, 5000, 15000], atLeast(1)),
  ...bounded('share', 'assignment.interval.ms', [1000, 0, 15000], atLeast(0)),
  key('group.share.assignor.offload.enable', 'boolean', 'true'),
  key('group.share.max.size', 'int', '200', range(1, 1000)),
  key('group.share.assignors', 'list', 'simple'),
  key('group.share.record.lock.duration.ms', 'int', '30000', range(1000, 3600000)),
  key('group.share.min.record.lock.duration.ms', 'int', '15000', range(1000, 30000)),
  key('group.share.max.record.lock.duration.ms', 'int', '60000', range(30000, 3600000)),
  ...bounded('share', 'delivery.count.limit', [5, 2, 10], range(2, 10)),
  ...bounded('share', 'partition.max.record.locks', [2000, 100, 4000], range(100, 10000)),
  key('group.share.max.share.sessions', 'int', '2000', atLeast(1)),
  key('group.share.initialize.retry.interval.ms', 'int', '30000', atLeast(1)),
  key('group.share.persister.class.name', 'string', 'org.apache.kafka.server.share.persister.DefaultStatePersister'),
]

/** [a, relation, b]: a must be ≥ (or ≤, or <) b; GroupCoordinatorConfig's and ShareGroupConfig's checks, in their order. */
const RULES: readonly (readonly [string, '>=' | '<=' | '<', string])[] = (['consumer', 'share'] as const).flatMap((g) => [
  [`group.${g}.max.heartbeat.interval.ms`, '>=', `group.${g}.min.heartbeat.interval.ms`],
  [`group.${g}.heartbeat.interval.ms`, '>=', `group.${g}.min.heartbeat.interval.ms`],
  [`group.${g}.heartbeat.interval.ms`, '<=', `group.${g}.max.heartbeat.interval.ms`],
  [`group.${g}.max.session.timeout.ms`, '>=', `group.${g}.min.session.timeout.ms`],
  [`group.${g}.session.timeout.ms`, '>=', `group.${g}.min.session.timeout.ms`],
  [`group.${g}.session.timeout.ms`, '<=', `group.${g}.max.session.timeout.ms`],
  [`group.${g}.heartbeat.interval.ms`, '<', `group.${g}.session.timeout.ms`],
] as const)
const SHARE_RULES: readonly (readonly [string, '>=', string])[] = [
  ['group.share.record.lock.duration.ms', '>=', 'group.share.min.record.lock.duration.ms'],
  ['group.share.max.record.lock.duration.ms', '>=', 'group.share.record.lock.duration.ms'],
]

const WORDS = { '>=': 'greater than or equal to', '<=': 'less than or equal to', '<': 'less than' } as const

/** The first cross-key rule the parsed values break, in Kafka's words (`requirement failed`-free, as Utils.require throws it). */
export function groupCoordinatorProblem(value: (name: string) => ParsedValue | null): string | undefined {
  for (const [a, relation, b] of [...RULES, ...SHARE_RULES]) {
    const x = Number(value(a))
    const y = Number(value(b))
    const holds = relation === '>=' ? x >= y : relation === '<=' ? x <= y : x < y
    if (!holds) return `${a} must be ${WORDS[relation]} ${b}`
  }
  return undefined
}
