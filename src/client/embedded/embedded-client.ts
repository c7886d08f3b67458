import os from 'node:os'

import type { Broker } from '../../broker/broker.js'
import { KafkaError, fail, type Outcome } from '../../broker/kafka-error.js'
import type { TopicRow } from '../../broker/records.js'
import type { ConfigChange } from '../../broker/topic-config-admin.js'
import type { ConfigEntry, ResolvedConfig } from '../../broker/topic-configs.js'
import type { CreatedTopic, IsolationLevel, NamedOutcome, OffsetSpec, PartitionNewCount, TopicDescription } from '../../broker/types.js'
import { storeFile } from '../../broker/open-broker.js'
import {
  ConsumerFatalError,
  type BrokerLogDirs,
  type ClusterDescription,
  type ConfigResource,
  type ConsumeOptions,
  type DeletedRecords,
  type KafkaClient,
  type ListedOffset,
  type NewTopic,
  type PartitionRef,
  type ProducerSettings,
  type RecordConsumer,
  type RecordProducer,
  type RecordsToDelete,
  type SendFailure,
  type StopReason,
  type TopicListing,
  type TransactionalProducer,
  type TransactionalSettings,
} from '../kafka-client.js'
import { javaErrorString } from '../java-exception.js'
import type { FeaturesClient } from '../features-client.js'
import type { TransactionsClient } from '../transactions-client.js'
import type { GroupsClient } from '../groups-client.js'
import { alterConfigs, describeConfigs, incrementalAlterConfigs } from './embedded-configs.js'
import { EmbeddedConsumer } from './embedded-consumer.js'
import { EmbeddedFeatures } from './embedded-features.js'
import { EmbeddedTransactions } from './embedded-transactions.js'
import { EmbeddedGroups } from './embedded-groups.js'
import { EmbeddedProducer } from './embedded-producer.js'
import { openEmbeddedTransactionalProducer } from './embedded-transactional-producer.js'
import { GroupMember, GroupMemberError } from './group-member.js'

/** The client over the broker core in this process: the local data directory, no server. */
export class EmbeddedClient implements KafkaClient {
  readonly mode = 'embedded'
  readonly groups: GroupsClient
  readonly features: FeaturesClient
  readonly transactions: TransactionsClient

  constructor(
    private readonly broker: Broker,
    readonly target: string,
  ) {
    this.groups = new EmbeddedGroups(broker, () => this.self())
    this.features = new EmbeddedFeatures(broker)
    this.transactions = new EmbeddedTransactions(broker)
  }

  async describeCluster(): Promise<ClusterDescription> {
    const node = this.self()
    return { clusterId: this.broker.clusterId, controllerId: node.nodeId, nodes: [node] }
  }

  async describeLogDirs(brokerIds: readonly number[]): Promise<BrokerLogDirs[]> {
    if (!brokerIds.includes(this.broker.nodeId)) return []
    const dir = await this.broker.describeLogDirs(null)
    const replicas = dir.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partition, sizeBytes: p.sizeBytes, offsetLag: p.offsetLag, isFuture: false })))
    return [{ broker: this.broker.nodeId, logDirs: [{ path: dir.path, error: null, replicas }] }]
  }

  async listTopics(): Promise<TopicListing[]> {
    return this.broker.listTopics().map((t) => ({ name: t.name, partitionCount: t.partitionCount }))
  }

  async describeTopics(names: readonly string[]): Promise<TopicDescription[]> {
    return names.flatMap((name) => {
      const row = this.broker.findTopic(name)
      return row === undefined ? [] : [this.broker.describeTopic(row)]
    })
  }

  async createTopic(topic: NewTopic, opts?: { validateOnly?: boolean }): Promise<Outcome<CreatedTopic>> {
    const assignment = topic.replicaAssignment
    const [outcome] = this.broker.createTopics(
      [
        {
          name: topic.name,
          numPartitions: assignment?.length ?? topic.numPartitions,
          replicationFactor: assignment ? (assignment[0]?.length ?? 1) : topic.replicationFactor,
          configs: topic.configs,
        },
      ],
      opts,
    )
    if (outcome === undefined) throw new Error('createTopics returned no outcome')
    return outcome
  }

  async deleteTopics(names: readonly string[]): Promise<NamedOutcome<null>[]> {
    return this.broker.deleteTopics(names)
  }

  async createPartitions(requests: readonly PartitionNewCount[]): Promise<NamedOutcome<number>[]> {
    return this.broker.createPartitions(requests.map((r) => ({ name: r.name, count: r.count })))
  }

  async describeTopicConfigs(topic: string, names: readonly string[] | null): Promise<Outcome<ResolvedConfig[]>> {
    return this.broker.describeTopicConfigs(topic, names)
  }

  async incrementalAlterTopicConfigs(topic: string, changes: readonly ConfigChange[], opts?: { validateOnly?: boolean }): Promise<Outcome<null>> {
    return this.broker.incrementalAlterTopicConfigs(topic, changes, opts)
  }

  async describeConfigs(resource: ConfigResource, names: readonly string[] | null = null): Promise<Outcome<ConfigEntry[]>> {
    return describeConfigs(this.broker, resource, names)
  }

  async alterConfigs(resource: ConfigResource, entries: ReadonlyMap<string, string>, opts?: { validateOnly?: boolean }): Promise<Outcome<null>> {
    return alterConfigs(this.broker, resource, entries, opts)
  }

  async incrementalAlterConfigs(resource: ConfigResource, changes: readonly ConfigChange[], opts?: { validateOnly?: boolean }): Promise<Outcome<null>> {
    return incrementalAlterConfigs(this.broker, resource, changes, opts)
  }

  async listConfigResources(_type: 'group'): Promise<string[]> {
    return this.broker.groupConfigs.withConfigs()
  }

  async listOffsets(requests: readonly (PartitionRef & { readonly spec: OffsetSpec })[], opts: { readonly isolation?: IsolationLevel } = {}): Promise<ListedOffset[]> {
    return requests.map((r) => {
      const row = this.broker.findTopic(r.topic)
      const outcome = row === undefined ? fail(new KafkaError('UNKNOWN_TOPIC_OR_PARTITION')) : this.broker.listOffset(row, r.partition, r.spec, opts.isolation)
      return { topic: r.topic, partition: r.partition, ...outcome }
    })
  }

  async deleteRecords(entries: readonly RecordsToDelete[]): Promise<DeletedRecords[]> {
    const outcomes = this.broker.deleteRecords(entries)
    return entries.map((e, i) => {
      const outcome = outcomes[i] ?? fail(new KafkaError('UNKNOWN_SERVER_ERROR'))
      // DeleteRecords answers carry only the error code, so Kafka's tool prints the code's standard text.
      return { topic: e.topic, partition: e.partition, ...(outcome.ok ? outcome : fail(new KafkaError(outcome.error.errorName))) }
    })
  }

  async producer(topic: string, settings: ProducerSettings, onFailure: (failure: SendFailure) => void): Promise<RecordProducer> {
    return new EmbeddedProducer(this.broker, this.resolveTopic(topic, settings.allowAutoCreate), settings, onFailure)
  }

  transactionalProducer(topic: string, settings: ProducerSettings, txn: TransactionalSettings, onFailure: (failure: SendFailure) => void): Promise<TransactionalProducer> {
    return openEmbeddedTransactionalProducer(this.broker, this.resolveTopic(topic, settings.allowAutoCreate), settings, txn, onFailure)
  }

  async consumer(opts: ConsumeOptions): Promise<RecordConsumer> {
    const { broker } = this
    const spec = opts.topics
    let topics: () => TopicRow[]
    if ('name' in spec) {
      const first = broker.findTopic(spec.name)
      topics = () => {
        const fresh = broker.findTopic(spec.name)
        // A topic deleted and re-created under the same name is another topic.
        return fresh && (first === undefined || fresh.id === first.id) ? [fresh] : []
      }
    } else {
      topics = () => broker.listTopics().filter((t) => spec.pattern.test(t.name))
    }
    const { group } = opts
    const consumer = new EmbeddedConsumer(broker, {
      topics,
      ...(opts.partition === undefined ? {} : { partition: opts.partition }),
      start: opts.start,
      resetTo: opts.resetTo,
      ...(opts.isolation === undefined ? {} : { isolation: opts.isolation }),
      ...(opts.maxMessages === undefined ? {} : { maxMessages: opts.maxMessages }),
      ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
      signal: opts.signal,
      store: { dataDir: this.target, file: storeFile(this.target) },
      ...(opts.onRebalance === undefined ? {} : { onRebalance: opts.onRebalance }),
      ...(opts.fetch === undefined ? {} : { fetch: opts.fetch }),
      ...(group === undefined
        ? {}
        : { group: { member: new GroupMember(broker, group), autoCommit: group.autoCommit, autoCommitIntervalMs: group.autoCommitIntervalMs } }),
    })
    return {
      get count() {
        return consumer.count
      },
      async run(onRecord, drain): Promise<StopReason> {
        try {
          return await consumer.run(onRecord, drain)
        } catch (err) {
          if (err instanceof GroupMemberError) throw new ConsumerFatalError(javaErrorString(err.error), { cause: err })
          throw err
        }
      },
      commit: (offsets) => consumer.commit(offsets),
      close: () => consumer.close(),
    }
  }

  async close(): Promise<void> {
    this.broker.close()
  }

  /** This node as clients would be told to reach it (the first advertised listener). */
  private self(): { nodeId: number; host: string; port: number; rack: null } {
    const listener = this.broker.config.advertisedListeners[0]
    const host = listener === undefined ? 'localhost' : listener.host === '' ? os.hostname() : listener.host
    return { nodeId: this.broker.nodeId, host, port: listener?.port ?? 9092, rack: null }
  }

  /** The topic, auto-created with broker defaults like Kafka's metadata request does (unless disabled). */
  private resolveTopic(name: string, allowAutoCreate: boolean): TopicRow {
    const existing = this.broker.findTopic(name)
    if (existing) return existing
    if (!allowAutoCreate || !this.broker.config.autoCreateTopicsEnable) {
      throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${name}' does not exist.`)
    }
    const [outcome] = this.broker.createTopics([{ name, numPartitions: -1, replicationFactor: -1, configs: new Map() }])
    if (outcome && !outcome.ok && outcome.error.errorName !== 'TOPIC_ALREADY_EXISTS') throw outcome.error
    const created = this.broker.findTopic(name)
    if (!created) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${name}' could not be created.`)
    return created
  }
}
