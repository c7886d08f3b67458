import { ApiKey } from '../../protocol/api-keys.js'
import { decodeDeleteRecordsResponse, encodeDeleteRecordsRequest } from '../../protocol/messages/delete-records.js'
import { decodeListOffsetsResponse, encodeListOffsetsRequest } from '../../protocol/messages/list-offsets.js'
import type { MetadataResponse } from '../../protocol/messages/metadata.js'
import { KafkaError, fail, kafkaErrorForCode, ok, type Outcome } from '../../broker/kafka-error.js'
import type { ConfigChange } from '../../broker/topic-config-admin.js'
import type { ConfigEntry, ResolvedConfig } from '../../broker/topic-configs.js'
import type { CreatedTopic, IsolationLevel, NamedOutcome, OffsetSpec, PartitionNewCount, TopicDescription } from '../../broker/types.js'
import type { FeaturesClient } from '../features-client.js'
import type { TransactionsClient } from '../transactions-client.js'
import type { GroupsClient } from '../groups-client.js'
import type {
  BrokerApiVersions,
  BrokerLogDirs,
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
  TransactionalProducer,
  TransactionalSettings,
} from '../kafka-client.js'
import type { ConnectionSettings } from './client-properties.js'
import { alterConfigs, describeConfigs, incrementalAlterConfigs, listConfigResources } from './remote-configs.js'
import { RemoteConsumer } from './remote-consumer.js'
import { RemoteFeatures } from './remote-features.js'
import { RemoteTransactions } from './remote-transactions.js'
import { brokerApiVersions, describeLogDirs } from './remote-log-dirs.js'
import { RemoteGroups } from './remote-groups.js'
import { remoteFailure } from './remote-errors.js'
import { openRemoteProducer } from './remote-producer.js'
import { openRemoteTransactionalProducer } from './remote-transactional-producer.js'
import { createPartitions, createTopic, deleteTopics, describeTopics } from './remote-topics.js'
import { Cluster, STALE_METADATA, type TopicRoute } from './wire/cluster.js'
import type { BrokerConnection } from './wire/connection.js'

/**
 * The client of a Kafka cluster (our server-start, or any Kafka) over our own connection layer
 * (wire/cluster.ts) and generated codec: every request here is one of protocol/messages, in the newest
 * version both sides take. Per-entity error codes are the entities' outcomes; a failure to reach the
 * cluster is one line naming it.
 */
export class RemoteClient implements KafkaClient {
  readonly mode = 'remote'
  readonly target: string
  readonly groups: GroupsClient = new RemoteGroups(this)
  readonly features: FeaturesClient = new RemoteFeatures(this)
  readonly transactions: TransactionsClient = new RemoteTransactions(this)
  private clusterView: Cluster | undefined
  private readonly closers: (() => Promise<void>)[] = []

  constructor(readonly settings: ConnectionSettings) {
    this.target = settings.bootstrap.join(',')
  }

  async describeCluster(): Promise<ClusterDescription> {
    const meta = await this.metadata([])
    return {
      clusterId: meta.clusterId ?? '',
      controllerId: meta.controllerId,
      nodes: meta.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack })).sort((a, b) => a.nodeId - b.nodeId),
    }
  }

  describeLogDirs(brokerIds: readonly number[]): Promise<BrokerLogDirs[]> {
    return describeLogDirs(this, brokerIds)
  }

  brokerApiVersions(): Promise<BrokerApiVersions[]> {
    return brokerApiVersions(this)
  }

  async listTopics(): Promise<TopicListing[]> {
    const meta = await this.metadata(null)
    return meta.topics
      .flatMap((t) => (t.name === null || t.errorCode !== 0 ? [] : [{ name: t.name, partitionCount: t.partitions.length }]))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  }

  describeTopics(names: readonly string[]): Promise<TopicDescription[]> {
    return describeTopics(this, names)
  }

  createTopic(topic: NewTopic): Promise<Outcome<CreatedTopic>> {
    return createTopic(this, topic)
  }

  deleteTopics(names: readonly string[]): Promise<NamedOutcome<null>[]> {
    return deleteTopics(this, names)
  }

  createPartitions(requests: readonly (PartitionNewCount & { readonly assignment?: readonly (readonly number[])[] })[]): Promise<NamedOutcome<number>[]> {
    return createPartitions(this, requests)
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

  listConfigResources(type: 'group'): Promise<string[]> {
    return listConfigResources(this, type)
  }

  async listOffsets(requests: readonly (PartitionRef & { readonly spec: OffsetSpec })[], opts: { readonly isolation?: IsolationLevel } = {}): Promise<ListedOffset[]> {
    const isolationLevel = opts.isolation === 'read_committed' ? 1 : 0
    // A request may name a partition once: one round per timestamp asked.
    const answers = new Map<string, ListedOffset>()
    const key = (ts: number, topic: string, partition: number) => `${ts}\u0000${topic}\u0000${partition}`
    const bySpec = new Map<number, PartitionRef[]>()
    for (const r of requests) {
      const ts = specTimestamp(r.spec)
      if (!(bySpec.get(ts) ?? []).some((x) => x.topic === r.topic && x.partition === r.partition)) bySpec.set(ts, [...(bySpec.get(ts) ?? []), r])
    }
    for (const [ts, refs] of bySpec) {
      const outcomes = await this.onLeaders(refs, async (conn, topics, routes) => {
        // The leader epoch Metadata named: a leader that has moved on answers FENCED_LEADER_EPOCH (retried after a refresh).
        const epochOf = (name: string, partition: number) => routes.get(name)?.leaderEpochs[partition] ?? -1
        const response = await conn.request(
          ApiKey.ListOffsets,
          (w, v) =>
            encodeListOffsetsRequest(w, v, {
              replicaId: -1,
              isolationLevel,
              topics: [...topics].map(([name, partitions]) => ({
                name,
                partitions: partitions.map((partitionIndex) => ({ partitionIndex, currentLeaderEpoch: epochOf(name, partitionIndex), timestamp: ts })),
              })),
            }),
          decodeListOffsetsResponse,
        )
        return response.topics.flatMap((t) =>
          t.partitions.map((p) => ({
            topic: t.name,
            partition: p.partitionIndex,
            errorCode: p.errorCode,
            value: { offset: p.offset, timestamp: p.timestamp },
          })),
        )
      })
      for (const o of outcomes) answers.set(key(ts, o.topic, o.partition), o)
    }
    return requests.map(
      (r) => answers.get(key(specTimestamp(r.spec), r.topic, r.partition)) ?? { topic: r.topic, partition: r.partition, ...fail(new KafkaError('UNKNOWN_TOPIC_OR_PARTITION')) },
    )
  }

  async deleteRecords(entries: readonly RecordsToDelete[]): Promise<DeletedRecords[]> {
    const offsets = new Map(entries.map((e) => [`${e.topic}\u0000${e.partition}`, e.offset]))
    const outcomes = await this.onLeaders(entries, async (conn, topics) => {
      const response = await conn.request(
        ApiKey.DeleteRecords,
        (w, v) =>
          encodeDeleteRecordsRequest(w, v, {
            topics: [...topics].map(([name, partitions]) => ({
              name,
              partitions: partitions.map((partitionIndex) => ({ partitionIndex, offset: offsets.get(`${name}\u0000${partitionIndex}`) ?? -1 })),
            })),
            timeoutMs: this.settings.requestTimeoutMs,
          }),
        decodeDeleteRecordsResponse,
      )
      return response.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, errorCode: p.errorCode, value: p.lowWatermark })))
    })
    return entries.map((e) => outcomes.find((o) => o.topic === e.topic && o.partition === e.partition) ?? { topic: e.topic, partition: e.partition, ...fail(new KafkaError('UNKNOWN_TOPIC_OR_PARTITION')) })
  }

  producer(topic: string, settings: ProducerSettings, onFailure: (failure: SendFailure) => void): Promise<RecordProducer> {
    return this.ownProducer(settings, (cluster) => openRemoteProducer(cluster, topic, settings, onFailure))
  }

  transactionalProducer(topic: string, settings: ProducerSettings, txn: TransactionalSettings, onFailure: (failure: SendFailure) => void): Promise<TransactionalProducer> {
    return this.ownProducer(settings, (cluster) => openRemoteTransactionalProducer(cluster, topic, settings, txn, onFailure))
  }

  /** A producer on its own connections, under its client.id, as Java's producer has; closed with the client. */
  private async ownProducer<P extends RecordProducer>(settings: ProducerSettings, open: (cluster: Cluster) => Promise<P>): Promise<P> {
    const cluster = new Cluster({ ...this.settings, clientId: settings.clientId })
    let producer: P
    try {
      producer = await open(cluster)
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
    this.clusterView?.close()
    this.clusterView = undefined
  }

  /** The client's view of the cluster on our own connection layer (connections, metadata, leaders). */
  get cluster(): Cluster {
    this.clusterView ??= new Cluster(this.settings)
    return this.clusterView
  }

  /** Metadata for these topics (null: all), retried; a failure to reach the cluster is one clear error. */
  metadata(topics: readonly string[] | null): Promise<MetadataResponse> {
    return this.wire((cluster) => cluster.metadata(topics))
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

  /** One request on any broker (KRaft brokers forward admin requests to the controller). */
  onAnyBroker<T>(work: (conn: BrokerConnection) => Promise<T>): Promise<T> {
    return this.wire(async (cluster) => work(await cluster.anyBroker()))
  }

  /**
   * Sends a per-partition request to each partition's leader (one request per leader, partitions grouped
   * by topic) and returns each partition's outcome. Partitions whose leader moved are asked again after a
   * metadata refresh, `retries` times at most; a topic or partition that does not exist fails at once.
   * `send` gets the routes it was grouped by, for the leader epochs a request carries.
   */
  async onLeaders<T>(
    refs: readonly PartitionRef[],
    send: (
      conn: BrokerConnection,
      topics: Map<string, number[]>,
      routes: ReadonlyMap<string, TopicRoute | undefined>,
    ) => Promise<{ topic: string; partition: number; errorCode: number; value: T }[]>,
  ): Promise<(PartitionRef & Outcome<T>)[]> {
    const cluster = this.cluster
    const done: (PartitionRef & Outcome<T>)[] = []
    let pending = [...refs]
    for (let attempt = 0; pending.length > 0; attempt++) {
      const last = attempt >= this.settings.retries
      const byLeader = new Map<number, Map<string, number[]>>()
      const routes = new Map<string, TopicRoute | undefined>()
      for (const r of pending) {
        if (!routes.has(r.topic)) routes.set(r.topic, await this.wire((c) => c.route(r.topic).catch(missingTopic)))
        const route = routes.get(r.topic)
        const leader = route?.leaders[r.partition]
        if (route === undefined || leader === undefined) {
          done.push({ topic: r.topic, partition: r.partition, ...fail(new KafkaError('UNKNOWN_TOPIC_OR_PARTITION')) })
          continue
        }
        const topics = byLeader.get(leader) ?? new Map<string, number[]>()
        topics.set(r.topic, [...(topics.get(r.topic) ?? []), r.partition])
        byLeader.set(leader, topics)
      }
      const retry: PartitionRef[] = []
      for (const [leader, topics] of byLeader) {
        const answers = leader < 0 ? [] : await this.wire(async (c) => send(await c.broker(leader), topics, routes))
        for (const [topic, partitions] of topics) {
          for (const partition of partitions) {
            const a = answers.find((x) => x.topic === topic && x.partition === partition)
            const error = a === undefined ? new KafkaError('LEADER_NOT_AVAILABLE') : a.errorCode === 0 ? undefined : kafkaErrorForCode(a.errorCode)
            if (error !== undefined && STALE_METADATA.has(error.errorName) && !last) retry.push({ topic, partition })
            else done.push({ topic, partition, ...(error === undefined ? ok(a!.value) : fail(error)) })
          }
        }
      }
      for (const r of retry) cluster.forget(r.topic)
      if (retry.length > 0) await new Promise((resolve) => setTimeout(resolve, cluster.backoffMs(attempt)))
      pending = retry
    }
    return done
  }
}

/** A topic Metadata does not know: no route (its partitions fail with UNKNOWN_TOPIC_OR_PARTITION). */
function missingTopic(err: unknown): undefined {
  if (err instanceof KafkaError && err.errorName === 'UNKNOWN_TOPIC_OR_PARTITION') return undefined
  throw err
}

/** ListOffsets timestamps: -1 latest, -2 earliest, -3 max timestamp. */
function specTimestamp(spec: OffsetSpec): number {
  return spec === 'latest' ? -1 : spec === 'earliest' ? -2 : spec === 'max-timestamp' ? -3 : spec
}

/** A topic config as the remote broker describes it; topic configs always have a known type. */
function topicConfig(c: ConfigEntry): ResolvedConfig {
  return { ...c, type: c.type ?? 'string' }
}
