// Kafka 4's group configs (GroupConfig.java, cli-4.md A.6): per-group overrides of the broker's group.*
// settings, described with every key (an override as GROUP_CONFIG, else the broker's value as
// DEFAULT_CONFIG) and altered with IncrementalAlterConfigs after Kafka's checks. The groups that read them
// (KIP-848 consumer, share and streams groups) arrive with their own work; the configs are kept for them.

import type { LogStore } from '../../storage/log-store.js'
import type { BrokerConfig } from '../broker-config.js'
import { atLeast, parseConfigValue, validString, type ConfigKeyDef, type ConfigType, type Validator } from '../config-def.js'
import { KafkaError, fail, ok, type Outcome } from '../kafka-error.js'
import type { ConfigChange } from '../topic-config-admin.js'
import type { ConfigEntry } from '../topic-configs.js'

interface GroupConfigDef {
  readonly name: string
  readonly type: ConfigType
  readonly defaultValue: string
  readonly validator?: Validator
  /** The broker key whose value is this config's default. */
  readonly brokerKey?: string
  /** The broker keys bounding the value (and their defaults), checked after the type. */
  readonly bounds?: { readonly min: readonly [string, number]; readonly max: readonly [string, number] }
}

const int = (name: string, defaultValue: number, brokerKey: string, bounds?: GroupConfigDef['bounds'], min?: number): GroupConfigDef => ({
  name,
  type: 'int',
  defaultValue: String(defaultValue),
  brokerKey,
  ...(bounds === undefined ? {} : { bounds }),
  ...(min === undefined ? {} : { validator: atLeast(min) }),
})
const bounded = (prefix: string, what: string, min: number, max: number): GroupConfigDef['bounds'] => ({
  min: [`${prefix}.min.${what}`, min],
  max: [`${prefix}.max.${what}`, max],
})

/** ISO-8601 durations as java.time.Duration.parse takes them (PnDTnHnMn.nS, sign allowed). */
const ISO_DURATION = /^[-+]?P(?:[-+]?\d+D)?(?:T(?:[-+]?\d+H)?(?:[-+]?\d+M)?(?:[-+]?\d+(?:[.,]\d{0,9})?S)?)?$/i
const autoOffsetReset: Validator = {
  describe: '[earliest, latest, by_duration:PnDTnHnMn.nS]',
  check(value) {
    const s = String(value)
    const duration = s.startsWith('by_duration:') ? s.slice('by_duration:'.length) : undefined
    if (s === 'earliest' || s === 'latest') return undefined
    if (duration !== undefined && ISO_DURATION.test(duration) && /\d/.test(duration) && !duration.startsWith('-')) return undefined
    return { shown: s, reason: "The value must be either 'earliest', 'latest' or 'by_duration:' followed by a non-negative ISO-8601 duration (PnDTnHnMn.nS)" }
  },
}

/** GroupConfig's keys, in name order (DescribeConfigs lists them so). */
export const GROUP_CONFIGS: readonly GroupConfigDef[] = [
  int('consumer.assignment.interval.ms', 1000, 'group.consumer.assignment.interval.ms', bounded('group.consumer', 'assignment.interval.ms', 0, 15000)),
  int('consumer.heartbeat.interval.ms', 5000, 'group.consumer.heartbeat.interval.ms', bounded('group.consumer', 'heartbeat.interval.ms', 5000, 15000), 1),
  int('consumer.session.timeout.ms', 45000, 'group.consumer.session.timeout.ms', bounded('group.consumer', 'session.timeout.ms', 45000, 60000), 1),
  int('share.assignment.interval.ms', 1000, 'group.share.assignment.interval.ms', bounded('group.share', 'assignment.interval.ms', 0, 15000)),
  { name: 'share.auto.offset.reset', type: 'string', defaultValue: 'latest', validator: autoOffsetReset },
  int('share.delivery.count.limit', 5, 'group.share.delivery.count.limit', bounded('group.share', 'delivery.count.limit', 2, 10), 2),
  int('share.heartbeat.interval.ms', 5000, 'group.share.heartbeat.interval.ms', bounded('group.share', 'heartbeat.interval.ms', 5000, 15000), 1),
  { name: 'share.isolation.level', type: 'string', defaultValue: 'read_uncommitted', validator: validString('read_committed', 'read_uncommitted') },
  int('share.partition.max.record.locks', 2000, 'group.share.partition.max.record.locks', bounded('group.share', 'partition.max.record.locks', 100, 4000), 100),
  int('share.record.lock.duration.ms', 30000, 'group.share.record.lock.duration.ms', bounded('group.share', 'record.lock.duration.ms', 15000, 60000), 1000),
  { name: 'share.renew.acknowledge.enable', type: 'boolean', defaultValue: 'true' },
  int('share.session.timeout.ms', 45000, 'group.share.session.timeout.ms', bounded('group.share', 'session.timeout.ms', 45000, 60000), 1),
  int('streams.assignment.interval.ms', 1000, 'group.streams.assignment.interval.ms'),
  int('streams.heartbeat.interval.ms', 5000, 'group.streams.heartbeat.interval.ms', bounded('group.streams', 'heartbeat.interval.ms', 5000, 15000), 1),
  int('streams.initial.rebalance.delay.ms', 3000, 'group.streams.initial.rebalance.delay.ms', undefined, 0),
  int('streams.num.standby.replicas', 0, 'group.streams.num.standby.replicas', undefined, 0),
  int('streams.session.timeout.ms', 45000, 'group.streams.session.timeout.ms', bounded('group.streams', 'session.timeout.ms', 45000, 60000), 1),
]

const byName = new Map(GROUP_CONFIGS.map((d) => [d.name, d]))

export class GroupConfigAdmin {
  constructor(
    private readonly store: LogStore,
    private readonly config: BrokerConfig,
  ) {}

  /** Every group config of `groupId` (names = null: all; unknown names are left out, as Kafka does). */
  describe(groupId: string, names: readonly string[] | null): Outcome<ConfigEntry[]> {
    if (groupId === '') return fail(new KafkaError('INVALID_REQUEST', 'Group name must not be empty'))
    const overrides = this.store.groups.configs(groupId)
    const wanted = names === null ? GROUP_CONFIGS : GROUP_CONFIGS.filter((d) => names.includes(d.name))
    return ok(
      wanted.map((def): ConfigEntry => {
        const override = overrides.get(def.name)
        const value = override ?? this.brokerDefault(def)
        const source = override === undefined ? 'DEFAULT_CONFIG' : 'GROUP_CONFIG'
        return { name: def.name, value, source, isSensitive: false, readOnly: false, synonyms: [{ name: def.name, value, source }], type: def.type }
      }),
    )
  }

  /** Ids of the groups with dynamic configs (ListConfigResources for GROUP). */
  withConfigs(): string[] {
    return this.store.groups.groupsWithConfigs()
  }

  /** IncrementalAlterConfigs of a group: SET and DELETE (APPEND/SUBTRACT are for list configs, which groups have none of). */
  incremental(groupId: string, ops: readonly ConfigChange[], validateOnly: boolean): Outcome<null> {
    if (groupId === '') return fail(new KafkaError('INVALID_REQUEST', 'Group name must not be empty'))
    const changes = new Map<string, string | null>()
    for (const op of ops) {
      const def = byName.get(op.name)
      if (def === undefined) return fail(new KafkaError('INVALID_CONFIG', `Unknown group config name: ${op.name}`))
      if (op.op === 'DELETE') {
        changes.set(op.name, null)
        continue
      }
      if (op.op !== 'SET') return fail(new KafkaError('INVALID_CONFIG', `Config value append is not allowed for config key: ${op.name}`))
      const checked = this.check(def, op.value ?? '')
      if (!checked.ok) return checked
      changes.set(op.name, checked.value)
    }
    if (!validateOnly && changes.size > 0) this.store.atomically(() => this.store.groups.setConfigs(groupId, changes))
    return ok(null)
  }

  private check(def: GroupConfigDef, raw: string): Outcome<string> {
    const keyDef: ConfigKeyDef = { name: def.name, type: def.type, defaultValue: def.defaultValue, ...(def.validator === undefined ? {} : { validator: def.validator }) }
    const parsed = parseConfigValue(keyDef, raw)
    if (!parsed.ok) return fail(new KafkaError('INVALID_CONFIG', parsed.message))
    if (def.bounds !== undefined) {
      const n = Number(parsed.value)
      const [minKey, minDefault] = def.bounds.min
      const [maxKey, maxDefault] = def.bounds.max
      if (n < this.brokerInt(minKey, minDefault)) return fail(new KafkaError('INVALID_CONFIG', `${def.name} must be greater than or equal to ${minKey}`))
      if (n > this.brokerInt(maxKey, maxDefault)) return fail(new KafkaError('INVALID_CONFIG', `${def.name} must be less than or equal to ${maxKey}`))
    }
    return ok(parsed.text)
  }

  private brokerDefault(def: GroupConfigDef): string {
    return (def.brokerKey === undefined ? undefined : this.config.staticProps.get(def.brokerKey)?.trim()) ?? def.defaultValue
  }

  private brokerInt(key: string, fallback: number): number {
    const raw = this.config.staticProps.get(key)?.trim()
    return raw !== undefined && /^-?\d+$/.test(raw) ? Number(raw) : fallback
  }
}
