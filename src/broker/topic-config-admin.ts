import type { LogStore } from '../storage/log-store.js'
import type { BrokerConfig } from './broker-config.js'
import { KafkaError, asKafkaError, fail, ok, type Outcome } from './kafka-error.js'
import { TOPIC_CONFIGS } from './topic-config-catalogue.js'
import { effectiveTopicConfig, resolveTopicConfigs, validateTopicConfigs, type DynamicBrokerConfigs, type ResolvedConfig } from './topic-configs.js'

// Topic config reads and writes (DescribeConfigs, AlterConfigs, IncrementalAlterConfigs, and the
// kafka-configs tool later), plus the log-start moves of DeleteRecords.

export type ConfigOperation = 'SET' | 'DELETE' | 'APPEND' | 'SUBTRACT'

export interface ConfigChange {
  readonly name: string
  readonly op: ConfigOperation
  readonly value: string | null
}

export interface DeleteRecordsEntry {
  readonly topic: string
  readonly partition: number
  /** Delete everything below this offset; -1 means "up to the high watermark". */
  readonly offset: number
}

export class TopicConfigAdmin {
  constructor(
    private readonly store: LogStore,
    private readonly config: BrokerConfig,
    /** This node's dynamic broker configs (kafka-configs --entity-type brokers), consulted on every use. */
    private readonly dynamic: () => DynamicBrokerConfigs = () => ({}),
  ) {}

  /** Every config of the topic (null `names` = all), with values and sources as DescribeConfigs reports them. */
  describe(topicName: string, names: readonly string[] | null): Outcome<ResolvedConfig[]> {
    const row = this.store.findTopic(topicName)
    if (!row) return fail(new KafkaError('UNKNOWN_TOPIC_OR_PARTITION'))
    const all = resolveTopicConfigs(row.configs, this.config, this.dynamic())
    return ok(names === null ? all : all.filter((c) => names.includes(c.name)))
  }

  /** AlterConfigs: the given entries replace the whole set of overrides. */
  replace(topicName: string, entries: ReadonlyMap<string, string>, validateOnly: boolean): Outcome<null> {
    return this.apply(topicName, validateOnly, (current) => {
      const changes = new Map<string, string | null>()
      for (const key of current.keys()) if (!entries.has(key)) changes.set(key, null)
      for (const [key, value] of entries) changes.set(key, value)
      return changes
    })
  }

  /** IncrementalAlterConfigs: SET / DELETE, and APPEND / SUBTRACT on list-type configs. */
  incremental(topicName: string, ops: readonly ConfigChange[], validateOnly: boolean): Outcome<null> {
    return this.apply(topicName, validateOnly, (current) => {
      const changes = new Map<string, string | null>()
      const valueOf = (name: string) => (changes.has(name) ? changes.get(name) : current.get(name)) ?? effectiveTopicConfig(name, new Map(), this.config, this.dynamic())
      for (const op of ops) {
        const def = TOPIC_CONFIGS.get(op.name)
        if (!def) throw new KafkaError('INVALID_CONFIG', `Unknown topic config name: ${op.name}`)
        switch (op.op) {
          case 'SET':
            changes.set(op.name, op.value ?? '')
            break
          case 'DELETE':
            changes.set(op.name, null)
            break
          case 'APPEND':
          case 'SUBTRACT': {
            if (def.type !== 'list') {
              throw new KafkaError('INVALID_CONFIG', `Config value ${op.op.toLowerCase()} is not allowed for config key: ${op.name}`)
            }
            const items = splitList(valueOf(op.name))
            const given = splitList(op.value ?? '')
            const next = op.op === 'APPEND' ? [...items, ...given.filter((g) => !items.includes(g))] : items.filter((i) => !given.includes(i))
            changes.set(op.name, next.join(','))
            break
          }
        }
      }
      return changes
    })
  }

  private apply(
    topicName: string,
    validateOnly: boolean,
    plan: (current: ReadonlyMap<string, string>) => Map<string, string | null>,
  ): Outcome<null> {
    try {
      this.store.atomically(() => {
        const row = this.store.findTopic(topicName)
        if (!row) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION')
        const changes = plan(row.configs)
        // An override of a config Kafka 4 removed (message.format.version, …), stored by an older kafka-ts,
        // goes with the next change instead of failing its validation.
        for (const key of row.configs.keys()) if (!TOPIC_CONFIGS.has(key) && !changes.has(key)) changes.set(key, null)
        const next = new Map(row.configs)
        for (const [k, v] of changes) {
          if (v === null) next.delete(k)
          else next.set(k, v)
        }
        const problem = validateTopicConfigs(next, this.config, this.dynamic())
        if (problem) throw new KafkaError('INVALID_CONFIG', problem.message)
        if (!validateOnly) this.store.setTopicConfigs(row.id, changes)
      })
      return ok(null)
    } catch (err) {
      return fail(asKafkaError(err))
    }
  }

  /** DeleteRecords: moves each partition's log start offset up; returns the new low watermark. */
  deleteRecords(entries: readonly DeleteRecordsEntry[]): Outcome<number>[] {
    return entries.map((e) => {
      try {
        return ok(
          this.store.atomically(() => {
            const row = this.store.findTopic(e.topic)
            if (!row || e.partition < 0 || e.partition >= row.partitionCount) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION')
            const tp = { topicId: row.id, partition: e.partition }
            const policy = effectiveTopicConfig('cleanup.policy', row.configs, this.config, this.dynamic())
            if (!policy.split(',').map((p) => p.trim()).includes('delete')) {
              throw new KafkaError('POLICY_VIOLATION', `Records of partition ${e.topic}-${e.partition} can not be deleted due to the configured policy`)
            }
            const { logStartOffset, highWatermark } = this.store.offsets(tp)
            const target = e.offset === -1 ? highWatermark : e.offset
            if (target < 0 || target > highWatermark) {
              throw new KafkaError(
                'OFFSET_OUT_OF_RANGE',
                `Cannot increment the log start offset to ${target} of partition ${e.topic}-${e.partition} since it is larger than the high watermark ${highWatermark}`,
              )
            }
            if (target > logStartOffset) this.store.setLogStartOffset(tp, target)
            return Math.max(target, logStartOffset)
          }),
        )
      } catch (err) {
        return fail(asKafkaError(err))
      }
    })
  }
}

function splitList(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter((s) => s !== '')
}
