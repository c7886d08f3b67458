import type { Admin, ClusterMetadata } from '@platformatic/kafka'

import { KafkaError, fail, ok, type Outcome } from '../../broker/kafka-error.js'
import type { ConfigChange } from '../../broker/topic-config-admin.js'
import type { ConfigEntry, ResolvedConfig } from '../../broker/topic-configs.js'
import { isInternalTopic } from '../../broker/topic-names.js'
import type { CreatedTopic, NamedOutcome, OffsetSpec, PartitionNewCount, TopicDescription } from '../../broker/types.js'
import type { GroupsClient } from '../groups-client.js'
import type {
  ClusterDescription,
  ConfigResource,
  ConsumeOptions,
  DeletedRecords,
  KafkaClient,
  ListedOffset,
  NewTopic,
  PartitionRef,
  ProducerSettings,
  RecordConsumer,
  RecordProducer,
  RecordsToDelete,
  SendFailure,
  TopicListing,
} from '../kafka-client.js'
import type { ConnectionSettings } from './client-properties.js'
import { newAdmin } from './library.js'
import { alterConfigs, describeConfigs, incrementalAlterConfigs } from './remote-configs.js'
import { RemoteConsumer } from './remote-consumer.js'
import { RemoteGroups } from './remote-groups.js'
import { kafkaErrorIn, remoteFailure } from './remote-errors.js'
import { openRemoteProducer } from './remote-producer.js'
import { Cluster } from './wire/cluster.js'

/** The client over a Kafka client library: our server-start, or any Kafka cluster. */
export class RemoteClient implements KafkaClient {
  readonly mode = 'remote'
  readonly target: string
  readonly groups: GroupsClient = new RemoteGroups(this)
  private adminClient: Admin | undefined
  private clusterView: Cluster | undefined
  private readonly closers: (() => Promise<void>)[] = []

  constructor(readonly settings: ConnectionSettings) {
    this.target = settings.bootstrap.join(',')
  }

  async describeCluster(): Promise<ClusterDescription> {
    const meta = await this.call((a) => a.metadata({ topics: [] }))
    return {
      clusterId: meta.id,
      controllerId: meta.controllerId,
      nodes: [...meta.brokers].map(([nodeId, b]) => ({ nodeId, host: b.host, port: b.port, rack: b.rack ?? null })).sort((a, b) => a.nodeId - b.nodeId),
    }
  }

  async listTopics(): Promise<TopicListing[]> {
    const names = await this.call((a) => a.listTopics({ includeInternals: true }))
    if (names.length === 0) return []
    const meta = await this.metadata(names)
    return names
      .flatMap((name) => {
        const t = meta.topics.get(name)
        return t === undefined ? [] : [{ name, partitionCount: t.partitionsCount }]
      })
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  }

  async describeTopics(names: readonly string[]): Promise<TopicDescription[]> {
    if (names.length === 0) return []
    const existing = new Set(await this.call((a) => a.listTopics({ includeInternals: true })))
    const present = names.filter((n) => existing.has(n))
    if (present.length === 0) return []
    const meta = await this.metadata(present)
    const configs = new Map<string, ResolvedConfig[]>()
    for (const name of present) {
      const outcome = await this.describeTopicConfigs(name, null)
      configs.set(name, outcome.ok ? outcome.value : [])
    }
    return present.flatMap((name) => {
      const t = meta.topics.get(name)
      if (t === undefined) return []
      return [
        {
          name,
          topicId: topicIdOf(t.id),
          isInternal: isInternalTopic(name),
          partitions: t.partitions.map((p, partition) => ({ partition, leader: p.leader, replicas: p.replicas, isr: p.isr })),
          configs: configs.get(name) ?? [],
        },
      ]
    })
  }

  async createTopic(topic: NewTopic): Promise<Outcome<CreatedTopic>> {
    try {
      const assignment = topic.replicaAssignment
      const [created] = await this.admin().createTopics({
        topics: [topic.name],
        ...(assignment
          ? { assignments: assignment.map((brokers, partition) => ({ partition, brokers: [...brokers] })) }
          : { partitions: topic.numPartitions, replicas: topic.replicationFactor }),
        configs: [...topic.configs].map(([name, value]) => ({ name, value })),
      })
      if (created === undefined) return fail(new KafkaError('UNKNOWN_SERVER_ERROR', 'CreateTopics returned no result'))
      return ok({
        name: created.name,
        topicId: topicIdOf(created.id),
        numPartitions: created.partitions,
        replicationFactor: created.replicas,
        configs: [],
      })
    } catch (err) {
      return this.entityFailure(err)
    }
  }

  async deleteTopics(names: readonly string[]): Promise<NamedOutcome<null>[]> {
    const results: NamedOutcome<null>[] = []
    for (const name of names) {
      try {
        await this.admin().deleteTopics({ topics: [name] })
        results.push({ name, ...ok(null) })
      } catch (err) {
        results.push({ name, ...this.entityFailure(err) })
      }
    }
    return results
  }

  async createPartitions(requests: readonly (PartitionNewCount & { readonly assignment?: readonly (readonly number[])[] })[]): Promise<NamedOutcome<number>[]> {
    const results: NamedOutcome<number>[] = []
    for (const r of requests) {
      try {
        await this.admin().createPartitions({
          topics: [{ name: r.name, count: r.count, ...(r.assignment ? { assignments: r.assignment.map((ids) => ({ brokerIds: [...ids] })) } : {}) }],
        })
        results.push({ name: r.name, ...ok(r.count) })
      } catch (err) {
        results.push({ name: r.name, ...this.entityFailure(err) })
      }
    }
    return results
  }

  async describeTopicConfigs(topic: string, names: readonly string[] | null): Promise<Outcome<ResolvedConfig[]>> {
    const outcome = await describeConfigs(this, { type: 'topic', name: topic }, names)
    return outcome.ok ? ok(outcome.value.map(topicConfig)) : outcome
  }

  async incrementalAlterTopicConfigs(topic: string, changes: readonly ConfigChange[], opts?: { validateOnly?: boolean }): Promise<Outcome<null>> {
    return incrementalAlterConfigs(this, { type: 'topic', name: topic }, changes, opts)
  }

  async describeConfigs(resource: ConfigResource, names: readonly string[] | null = null): Promise<Outcome<ConfigEntry[]>> {
    return describeConfigs(this, resource, names)
  }

  async alterConfigs(resource: ConfigResource, entries: ReadonlyMap<string, string>, opts?: { validateOnly?: boolean }): Promise<Outcome<null>> {
    return alterConfigs(this, resource, entries, opts)
  }

  async incrementalAlterConfigs(resource: ConfigResource, changes: readonly ConfigChange[], opts?: { validateOnly?: boolean }): Promise<Outcome<null>> {
    return incrementalAlterConfigs(this, resource, changes, opts)
  }

  async listOffsets(requests: readonly (PartitionRef & { readonly spec: OffsetSpec })[]): Promise<ListedOffset[]> {
    // One request per timestamp asked (a request may name a partition once). The library fails a whole
    // request for one partition's error; then each partition is asked on its own, so every partition
    // gets its own answer, as the tools report them.
    const bySpec = new Map<number, Map<string, PartitionRef>>()
    for (const r of requests) {
      const ts = specTimestamp(r.spec)
      const refs = bySpec.get(ts) ?? new Map<string, PartitionRef>()
      refs.set(`${r.topic}\u0000${r.partition}`, r)
      bySpec.set(ts, refs)
    }
    const answers = new Map<string, ListedOffset>()
    const key = (ts: number, topic: string, partition: number) => `${ts}\u0000${topic}\u0000${partition}`
    for (const [ts, refs] of bySpec) {
      try {
        for (const listed of await this.requestOffsets(ts, [...refs.values()])) answers.set(key(ts, listed.topic, listed.partition), listed)
      } catch {
        for (const r of refs.values()) {
          let listed: ListedOffset
          try {
            listed = (await this.requestOffsets(ts, [r]))[0] ?? { ...r, ...fail(new KafkaError('UNKNOWN_TOPIC_OR_PARTITION')) }
          } catch (err) {
            listed = { topic: r.topic, partition: r.partition, ...this.entityFailure(err) }
          }
          answers.set(key(ts, r.topic, r.partition), listed)
        }
      }
    }
    return requests.map(
      (r) => answers.get(key(specTimestamp(r.spec), r.topic, r.partition)) ?? { topic: r.topic, partition: r.partition, ...fail(new KafkaError('UNKNOWN_TOPIC_OR_PARTITION')) },
    )
  }

  /** One ListOffsets request for these partitions at one timestamp; throws if any partition failed. */
  private async requestOffsets(ts: number, refs: readonly PartitionRef[]): Promise<ListedOffset[]> {
    const byTopic = new Map<string, number[]>()
    for (const r of refs) byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), r.partition])
    const topics = await this.admin().listOffsets({
      topics: [...byTopic].map(([name, partitions]) => ({ name, partitions: partitions.map((partitionIndex) => ({ partitionIndex, timestamp: BigInt(ts) })) })),
    })
    return topics.flatMap((t) =>
      t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, ...ok({ offset: Number(p.offset), timestamp: Number(p.timestamp) }) })),
    )
  }

  async deleteRecords(entries: readonly RecordsToDelete[]): Promise<DeletedRecords[]> {
    const results: DeletedRecords[] = []
    for (const e of entries) {
      try {
        const topics = await this.admin().deleteRecords({ topics: [{ name: e.topic, partitions: [{ partition: e.partition, offset: BigInt(e.offset) }] }] })
        const p = topics[0]?.partitions[0]
        if (p === undefined) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION')
        results.push({ topic: e.topic, partition: e.partition, ...ok(Number(p.lowWatermark)) })
      } catch (err) {
        results.push({ topic: e.topic, partition: e.partition, ...this.entityFailure(err) })
      }
    }
    return results
  }

  async producer(topic: string, settings: ProducerSettings, onFailure: (failure: SendFailure) => void): Promise<RecordProducer> {
    // The producer's own connections, under its client.id, as Java's producer has.
    const cluster = new Cluster({ ...this.settings, clientId: settings.clientId })
    let producer: RecordProducer
    try {
      producer = await openRemoteProducer(cluster, topic, settings, onFailure)
    } catch (err) {
      cluster.close()
      throw err
    }
    this.closers.push(async () => {
      try {
        await producer.close()
      } finally {
        cluster.close()
      }
    })
    return producer
  }

  async consumer(opts: ConsumeOptions): Promise<RecordConsumer> {
    const consumer = new RemoteConsumer(this, opts)
    this.closers.push(() => consumer.shutdown())
    return consumer
  }

  async close(): Promise<void> {
    for (const close of this.closers.splice(0).reverse()) await close().catch(() => undefined)
    await this.adminClient?.close().catch(() => undefined)
    this.adminClient = undefined
    this.clusterView?.close()
    this.clusterView = undefined
  }

  /** The client's view of the cluster on our own connection layer (connections, metadata, leaders). */
  get cluster(): Cluster {
    this.clusterView ??= new Cluster(this.settings)
    return this.clusterView
  }

  /** Cluster metadata for these topics (partitions with leaders, replicas, ISR). */
  async metadata(topics: readonly string[]): Promise<ClusterMetadata> {
    return this.call((a) => a.metadata({ topics: [...topics], forceUpdate: true }))
  }

  /**
   * Runs `work` on the cluster view, retried while it fails retriably (retries, retry.backoff.ms); any
   * failure that is not a Kafka error becomes one clear line naming the servers. `onRetry` hears each
   * retriable failure first (to forget a coordinator or routes).
   */
  async wire<T>(work: (cluster: Cluster) => Promise<T>, onRetry?: (err: unknown) => void): Promise<T> {
    const cluster = this.cluster
    try {
      return await cluster.retrying(() => work(cluster), onRetry)
    } catch (err) {
      throw remoteFailure(err, this.settings.bootstrap)
    }
  }

  /** Runs an admin call; any failure becomes one clear error. */
  async call<T>(work: (admin: Admin) => Promise<T>): Promise<T> {
    try {
      return await work(this.admin())
    } catch (err) {
      throw remoteFailure(err, this.settings.bootstrap)
    }
  }

  /** A failed entity: the Kafka error the broker gave, else the whole command fails (no connection). */
  entityFailure<T>(err: unknown): Outcome<T> {
    const kafka = kafkaErrorIn(err)
    if (kafka) return fail(kafka)
    throw remoteFailure(err, this.settings.bootstrap)
  }

  private admin(): Admin {
    this.adminClient ??= newAdmin(this.settings)
    return this.adminClient
  }
}

/** ListOffsets timestamps: -1 latest, -2 earliest, -3 max timestamp. */
function specTimestamp(spec: OffsetSpec): number {
  return spec === 'latest' ? -1 : spec === 'earliest' ? -2 : spec === 'max-timestamp' ? -3 : spec
}

/** The library prints topic ids as UUIDs; Kafka's tools print them as unpadded base64url. */
function topicIdOf(uuid: string): string {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex').toString('base64url')
}

/** A topic config as the remote broker describes it; topic configs always have a known type. */
function topicConfig(c: ConfigEntry): ResolvedConfig {
  return { ...c, type: c.type ?? 'string' }
}
