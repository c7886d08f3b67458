import type { LogStore } from '../storage/log-store.js'
import { BROKER_CONFIG_KEYS, DYNAMIC_KEYS, LISTENER_KEYS, describeBrokerConfigs, type BrokerConfigEntry } from './broker-config-describe.js'
import { BROKER_KEYS, type BrokerConfig } from './broker-config.js'
import { KafkaError, asKafkaError, fail, ok, type Outcome } from './kafka-error.js'
import type { ConfigChange } from './topic-config-admin.js'
import { parseConfigValue, type ConfigKeyDef } from './config-def.js'
import { type DynamicBrokerConfigs } from './topic-configs.js'

// Dynamic broker configs: what `kafka-configs --entity-type brokers (--entity-name <id> | --entity-default)
// --alter` sets, kept in the store so every process on the data directory (the server, embedded commands)
// sees them, and applied at once: topic configs resolve through them (DYNAMIC_BROKER_CONFIG, then
// DYNAMIC_DEFAULT_BROKER_CONFIG, then server.properties) on the next request.
//
// Validation follows Kafka 3.9's broker side (ConfigAdminManager.validateBrokerConfigChange →
// DynamicBrokerConfig.validate): the resource name must be "" (cluster default) or this node's id; keys Kafka
// knows but cannot change at run time → `Cannot update these configs dynamically: Set(<keys>)`; values of known
// keys are parsed with ConfigDef's texts; every failure is INVALID_REQUEST (Kafka wraps its ConfigException so,
// KAFKA-13609). Keys Kafka does not know are accepted and stored, as Kafka does (custom plugin configs); they are
// described as keys of unknown type: sensitive, value hidden.
// Differs from Apache Kafka: listeners, advertised.listeners and listener.security.protocol.map are refused as
// not dynamic (kafka-ts cannot rebind its sockets while running); keys kafka-ts does not catalogue are treated as
// unknown even where Kafka would call them static.

/** The resource name of the cluster-wide default broker entity. */
export const CLUSTER_DEFAULT = ''

/** ConfigDefs for parsing dynamic values: the validated keys of broker-config.ts, else the describe catalogue. */
const VALUE_DEFS: ReadonlyMap<string, ConfigKeyDef> = new Map([...BROKER_CONFIG_KEYS, ...BROKER_KEYS.map((d) => [d.name, d] as const)])

interface Snapshot {
  readonly stamp: number
  readonly byEntity: ReadonlyMap<string, ReadonlyMap<string, string>>
  readonly forNode: DynamicBrokerConfigs
}

export class DynamicBrokerConfigAdmin {
  private snapshot: Snapshot | undefined

  constructor(
    private readonly store: LogStore,
    private readonly config: BrokerConfig,
    private readonly nodeId: () => number,
    private readonly changeStamp: () => number = () => store.externalChangeCounter(),
  ) {}

  /**
   * This node's dynamic configs. The same object is returned until they change (here or in another process),
   * so callers may cache what they derive from it by identity.
   */
  current(): DynamicBrokerConfigs {
    return this.load().forNode
  }

  /** DescribeConfigs of a BROKER resource: "" = the cluster default, else this node's id. */
  describe(entity: string, names: readonly string[] | null): Outcome<BrokerConfigEntry[]> {
    const problem = this.entityProblem(entity, 'describe')
    if (problem) return fail(problem)
    const dynamic = this.current()
    return ok(describeBrokerConfigs(this.config, names, dynamic, entity === CLUSTER_DEFAULT ? 'default' : 'broker'))
  }

  /** AlterConfigs (what kafka-configs 3.9 sends for brokers): `entries` become the entity's whole dynamic set. */
  replace(entity: string, entries: ReadonlyMap<string, string>, validateOnly: boolean): Outcome<null> {
    return this.apply(entity, validateOnly, () => new Map(entries))
  }

  /** IncrementalAlterConfigs: SET / DELETE, and APPEND / SUBTRACT on list-type keys, over the stored set. */
  incremental(entity: string, ops: readonly ConfigChange[], validateOnly: boolean): Outcome<null> {
    return this.apply(entity, validateOnly, (current) => {
      const next = new Map(current)
      for (const op of ops) {
        switch (op.op) {
          case 'SET':
            next.set(op.name, op.value ?? '')
            break
          case 'DELETE':
            next.delete(op.name)
            break
          case 'APPEND':
          case 'SUBTRACT': {
            if (VALUE_DEFS.get(op.name)?.type !== 'list') {
              throw new KafkaError('INVALID_REQUEST', `Config value ${op.op.toLowerCase()} is not allowed for config key: ${op.name}`)
            }
            const items = splitList(next.get(op.name) ?? this.effective(op.name))
            const given = splitList(op.value ?? '')
            const merged = op.op === 'APPEND' ? [...items, ...given.filter((g) => !items.includes(g))] : items.filter((i) => !given.includes(i))
            next.set(op.name, merged.join(','))
            break
          }
        }
      }
      return next
    })
  }

  private apply(entity: string, validateOnly: boolean, plan: (current: ReadonlyMap<string, string>) => Map<string, string>): Outcome<null> {
    const problem = this.entityProblem(entity, 'alter')
    if (problem) return fail(problem)
    try {
      this.store.atomically(() => {
        const current = this.storedEntity(entity)
        const next = plan(current)
        const invalid = validateDynamicConfigs(next)
        if (invalid) throw invalid
        if (validateOnly) return
        const changes = new Map<string, string | null>()
        for (const key of current.keys()) if (!next.has(key)) changes.set(key, null)
        for (const [key, value] of next) if (current.get(key) !== value) changes.set(key, value)
        if (changes.size > 0) this.store.setBrokerConfigs(entity, changes)
      })
      this.snapshot = undefined
      return ok(null)
    } catch (err) {
      return fail(asKafkaError(err))
    }
  }

  /** The resource name must be "" or this node's id (ConfigAdminManager.validateResourceNameIsCurrentNodeId). */
  private entityProblem(entity: string, action: 'describe' | 'alter'): KafkaError | undefined {
    if (entity === CLUSTER_DEFAULT) return undefined
    const id = /^[+-]?[0-9]+$/.test(entity) ? Number(entity) : Number.NaN
    if (!Number.isInteger(id) || id < -(2 ** 31) || id > 2 ** 31 - 1) {
      return new KafkaError('INVALID_REQUEST', `Broker id must be an integer, but it is: ${entity}`)
    }
    const nodeId = this.nodeId()
    if (id === nodeId) return undefined
    const expected = action === 'describe' ? `${nodeId} or empty string` : `${nodeId}`
    return new KafkaError('INVALID_REQUEST', `Unexpected broker id, expected ${expected}, but received ${entity}`)
  }

  /** The value a list key has now for this node (for APPEND / SUBTRACT on an unset key). */
  private effective(name: string): string {
    const d = this.current()
    return d.broker?.get(name) ?? d.clusterDefault?.get(name) ?? this.config.staticProps.get(name) ?? VALUE_DEFS.get(name)?.defaultValue ?? ''
  }

  private storedEntity(entity: string): ReadonlyMap<string, string> {
    const rows = this.store.brokerConfigs().filter((r) => r.entity === entity)
    return new Map(rows.map((r) => [r.key, r.value]))
  }

  private load(): Snapshot {
    const stamp = this.changeStamp()
    if (this.snapshot?.stamp === stamp) return this.snapshot
    const byEntity = new Map<string, Map<string, string>>()
    for (const row of this.store.brokerConfigs()) {
      let entity = byEntity.get(row.entity)
      if (!entity) byEntity.set(row.entity, (entity = new Map<string, string>()))
      entity.set(row.key, row.value)
    }
    const broker = byEntity.get(String(this.nodeId()))
    const clusterDefault = byEntity.get(CLUSTER_DEFAULT)
    const forNode: DynamicBrokerConfigs = { ...(broker ? { broker } : {}), ...(clusterDefault ? { clusterDefault } : {}) }
    this.snapshot = { stamp, byEntity, forNode }
    return this.snapshot
  }
}

/** The first problem Kafka reports for this dynamic set, or undefined (DynamicBrokerConfig.validateConfigs). */
export function validateDynamicConfigs(props: ReadonlyMap<string, string>): KafkaError | undefined {
  const nonDynamic = [...props.keys()].filter((k) => VALUE_DEFS.has(k) && (!DYNAMIC_KEYS.has(k) || LISTENER_KEYS.has(k)))
  if (nonDynamic.length > 0) return new KafkaError('INVALID_REQUEST', `Cannot update these configs dynamically: ${scalaSet(nonDynamic)}`)
  for (const [name, value] of props) {
    const def = VALUE_DEFS.get(name)
    if (!def) continue
    const parsed = parseConfigValue(def, value)
    if (!parsed.ok) return new KafkaError('INVALID_REQUEST', parsed.message)
  }
  return undefined
}

/** Scala's Set.toString, e.g. `Set(log.dirs, node.id)` (insertion order, as Scala keeps it for small sets). */
export function scalaSet(items: readonly string[]): string {
  return `Set(${items.join(', ')})`
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
}
