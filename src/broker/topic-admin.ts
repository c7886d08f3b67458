import type { LogStore, TopicRow } from '../storage/log-store.js'
import { TopicExistsError } from '../storage/log-store.js'
import { base64UrlToUuid, randomKafkaUuid, uuidToBase64Url } from '../util/kafka-uuid.js'
import type { BrokerConfig } from './broker-config.js'
import { KafkaError, asKafkaError } from './kafka-error.js'
import { INTERNAL_TOPICS, collisionKey, topicNameProblem } from './topic-names.js'
import { resolveTopicConfigs, validateTopicConfigs, type DynamicBrokerConfigs } from './topic-configs.js'
import type { CreatedTopic, NamedOutcome, PartitionNewCount, TopicDescription, TopicSpec } from './types.js'

// Topic administration with Kafka's controller rules (KRaft wording of the error messages, as
// kafka-topics prints them). Every entity gets its own outcome: one bad topic never fails the others.

export class TopicAdmin {
  constructor(
    private readonly store: LogStore,
    private readonly config: BrokerConfig,
    /** This node's dynamic broker configs (kafka-configs --entity-type brokers), consulted on every use. */
    private readonly dynamic: () => DynamicBrokerConfigs = () => ({}),
  ) {}

  createTopics(specs: readonly TopicSpec[], opts: { validateOnly?: boolean } = {}): NamedOutcome<CreatedTopic>[] {
    return specs.map((spec) => {
      try {
        const created = this.store.atomically(() => this.createOne(spec, opts.validateOnly ?? false))
        return { name: spec.name, ok: true as const, value: created }
      } catch (err) {
        return { name: spec.name, ok: false as const, error: asKafkaError(err) }
      }
    })
  }

  private createOne(spec: TopicSpec, validateOnly: boolean): CreatedTopic {
    const problem = topicNameProblem(spec.name)
    if (problem !== undefined) throw new KafkaError('INVALID_TOPIC_EXCEPTION', `Topic name is invalid: ${problem}`)
    if (this.store.findTopic(spec.name)) throw new KafkaError('TOPIC_ALREADY_EXISTS', `Topic '${spec.name}' already exists.`)
    const key = collisionKey(spec.name)
    const collider = this.store.listTopics().find((t) => collisionKey(t.name) === key)
    if (collider) {
      throw new KafkaError('INVALID_TOPIC_EXCEPTION', `Topic '${spec.name}' collides with existing topic: ${collider.name}`)
    }
    const numPartitions = spec.numPartitions === -1 ? this.config.numPartitions : spec.numPartitions
    if (!Number.isSafeInteger(numPartitions) || numPartitions <= 0) {
      throw new KafkaError('INVALID_PARTITIONS', 'Number of partitions was set to an invalid non-positive value.')
    }
    const rf = spec.replicationFactor === -1 ? this.config.defaultReplicationFactor : spec.replicationFactor
    if (!Number.isSafeInteger(rf) || rf <= 0) {
      throw new KafkaError('INVALID_REPLICATION_FACTOR', 'Replication factor must be larger than 0, or -1 to use the default value.')
    }
    if (rf > 1) {
      throw new KafkaError(
        'INVALID_REPLICATION_FACTOR',
        `Unable to replicate the partition ${rf} time(s): The target replication factor of ${rf} cannot be reached because only 1 broker(s) are registered.`,
      )
    }
    const configProblem = validateTopicConfigs(spec.configs, this.config, this.dynamic())
    if (configProblem) throw new KafkaError('INVALID_CONFIG', configProblem.message)

    const uuid = base64UrlToUuid(randomKafkaUuid())
    const created: CreatedTopic = {
      name: spec.name,
      topicId: uuidToBase64Url(uuid),
      numPartitions,
      replicationFactor: 1,
      configs: resolveTopicConfigs(spec.configs, this.config, this.dynamic()),
    }
    if (validateOnly) return created
    try {
      this.store.createTopic({ name: spec.name, uuid, partitionCount: numPartitions, configs: spec.configs })
    } catch (err) {
      // Another process created it between our check and our write transaction.
      if (err instanceof TopicExistsError) throw new KafkaError('TOPIC_ALREADY_EXISTS', `Topic '${spec.name}' already exists.`)
      throw err
    }
    return created
  }

  deleteTopics(names: readonly string[]): NamedOutcome<null>[] {
    return names.map((name) => {
      try {
        if (!this.config.deleteTopicEnable) throw new KafkaError('TOPIC_DELETION_DISABLED', 'Topic deletion is disabled.')
        this.store.atomically(() => {
          const row = this.store.findTopic(name)
          if (!row) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION')
          this.store.deleteTopic(row.id)
        })
        return { name, ok: true as const, value: null }
      } catch (err) {
        return { name, ok: false as const, error: asKafkaError(err) }
      }
    })
  }

  createPartitions(requests: readonly PartitionNewCount[], opts: { validateOnly?: boolean } = {}): NamedOutcome<number>[] {
    return requests.map(({ name, count }) => {
      try {
        const total = this.store.atomically(() => {
          const row = this.store.findTopic(name)
          if (!row) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION')
          const current = row.partitionCount
          if (count === current) throw new KafkaError('INVALID_PARTITIONS', `Topic already has ${current} partition(s).`)
          if (count < current) {
            throw new KafkaError(
              'INVALID_PARTITIONS',
              `The topic ${name} currently has ${current} partition(s); ${count} would not be an increase.`,
            )
          }
          if (!opts.validateOnly) this.store.addPartitions(row.id, count)
          return count
        })
        return { name, ok: true as const, value: total }
      } catch (err) {
        return { name, ok: false as const, error: asKafkaError(err) }
      }
    })
  }

  /** Describes one topic from its stored row (single node: this broker leads every partition). */
  describe(row: TopicRow): TopicDescription {
    // The node id recorded when the store was formatted is the one this broker serves as.
    const node = this.store.meta().nodeId
    const partitions = Array.from({ length: row.partitionCount }, (_, partition) => ({
      partition,
      leader: node,
      replicas: [node],
      isr: [node],
      // What DescribeTopicPartitions answers on one node: no eligible leader replicas beyond the ISR.
      elr: [],
      lastKnownElr: [],
    }))
    return {
      name: row.name,
      topicId: uuidToBase64Url(row.uuid),
      isInternal: INTERNAL_TOPICS.has(row.name),
      partitions,
      configs: resolveTopicConfigs(row.configs, this.config, this.dynamic()),
    }
  }
}
