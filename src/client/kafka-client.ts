import type { Outcome } from '../broker/kafka-error.js'
import type { CompressionCodec, RecordHeader } from '../broker/records.js'
import type { ConfigChange } from '../broker/topic-config-admin.js'
import type { ConfigEntry, ResolvedConfig } from '../broker/topic-configs.js'
import type { CreatedTopic, IsolationLevel, NamedOutcome, OffsetAndTimestamp, OffsetSpec, PartitionNewCount, TopicDescription } from '../broker/types.js'
import type { FormattableRecord } from './formattable-record.js'
import type { FeaturesClient } from './features-client.js'
import type { TransactionsClient } from './transactions-client.js'
import type { GroupsClient } from './groups-client.js'

// The one seam between the commands and where the data lives. Without --bootstrap-server a command
// gets the embedded client (the broker core over the local SQLite store, in this process); with it, the
// remote client (a Kafka client library talking the wire protocol to our server or any Kafka cluster).
// Both answer in the broker core's shapes and KafkaError outcomes, so the commands render one way.

export type { FormattableRecord } from './formattable-record.js'
export type { GroupsClient } from './groups-client.js'

export interface ClusterNode {
  readonly nodeId: number
  readonly host: string
  readonly port: number
  readonly rack: string | null
}

export interface ClusterDescription {
  readonly clusterId: string
  readonly controllerId: number
  readonly nodes: readonly ClusterNode[]
}

/** One partition's log in a broker's log directory (DescribeLogDirs). */
export interface LogDirReplica {
  readonly topic: string
  readonly partition: number
  readonly sizeBytes: number
  readonly offsetLag: number
  readonly isFuture: boolean
}

/** A broker's log directories; `error` is the Java exception class of a failed directory, else null. */
export interface BrokerLogDirs {
  readonly broker: number
  readonly logDirs: readonly { readonly path: string; readonly error: string | null; readonly replicas: readonly LogDirReplica[] }[]
}

/** What a broker answered to ApiVersions, or why it could not be asked. */
export type BrokerApiVersions = { readonly node: ClusterNode } & (
  | { readonly apis: readonly { readonly apiKey: number; readonly minVersion: number; readonly maxVersion: number }[] }
  | { readonly error: string }
)

export interface TopicListing {
  readonly name: string
  readonly partitionCount: number
}

/** A topic to create; `replicaAssignment` (one replica list per partition) replaces count and factor. */
export interface NewTopic {
  readonly name: string
  /** -1: the broker's num.partitions. */
  readonly numPartitions: number
  /** -1: the broker's default.replication.factor. */
  readonly replicationFactor: number
  readonly replicaAssignment?: readonly (readonly number[])[]
  readonly configs: ReadonlyMap<string, string>
}

/** A config resource: a topic, a broker by id ('' = the cluster-wide broker default, --entity-default), or a group. */
export interface ConfigResource {
  readonly type: 'topic' | 'broker' | 'group'
  readonly name: string
}

export interface PartitionRef {
  readonly topic: string
  readonly partition: number
}

export type ListedOffset = PartitionRef & Outcome<OffsetAndTimestamp>

export interface RecordsToDelete extends PartitionRef {
  /** Delete everything below this offset; -1 means up to the high watermark. */
  readonly offset: number
}

/** The new log start offset, per partition. */
export type DeletedRecords = PartitionRef & Outcome<number>

export interface ProducerSettings {
  readonly acks: -1 | 0 | 1
  readonly batchSize: number
  readonly lingerMs: number
  readonly compression: CompressionCodec
  /** Let the broker create a missing topic (Kafka's metadata auto-create; the broker may refuse). */
  readonly allowAutoCreate: boolean
  /** Bytes the producer may hold unsent before send() callers wait (buffer.memory). */
  readonly bufferMemory: number
  readonly clientId: string
  /** max.in.flight.requests.per.connection; idempotence keeps order across retries. */
  readonly idempotent: boolean
  /** max.request.size: a record whose batch would be larger is refused by send() (RecordTooLargeException). */
  readonly maxRequestSize: number
  /**
   * Told of every acknowledged batch (or produce request), right when the answer arrives: what Java's
   * per-record send callback gives, one call per group of records acknowledged together (perf tools).
   */
  readonly onAcknowledged?: (ack: AcknowledgedRecords) => void
}

/**
 * Records of one partition acknowledged together (one batch); the arrays hold one entry per record, in
 * send order, so record i has offset baseOffset + i (Java's RecordMetadata, without a per-record object).
 */
export interface AcknowledgedRecords {
  readonly partition: number
  /** The first record's offset; -1 with acks=0 (no answer, as Java reports it). */
  readonly baseOffset: number
  /** Each record's timestamp as given to send(). */
  readonly timestamps: readonly number[]
  /** Each record's value size in bytes (0 for a null value). */
  readonly valueBytes: readonly number[]
}

/** A failed send, reported the way Kafka's console producer logs it. */
export interface SendFailure {
  readonly error: Error
  /**
   * The partition of the failed records (they were its next ones, in send order); -1 for the record the
   * running send() call refused (max.request.size).
   */
  readonly partition: number
  readonly keyBytes: number | null
  readonly valueBytes: number | null
  readonly records: number
}

export interface RecordProducer {
  readonly partitionCount: number
  /** Records acknowledged so far. */
  readonly acknowledged: number
  /**
   * Queues one record; keyed records go where the Java client puts them (murmur2), others stick to one
   * partition per batch. Returns the partition chosen (-1: dropped, the producer has stopped).
   */
  send(key: Buffer | null, value: Buffer | null, headers: readonly RecordHeader[] | undefined, timestamp: number, partition?: number): number
  /** Called after each chunk of input; resolves when the producer can take more (back-pressure). */
  afterChunk(): Promise<void>
  /** Sends everything queued and waits for the answers. */
  flush(): Promise<void>
  close(): Promise<void>
}

/**
 * A producer whose records are written in transactions (transactional.id): Kafka's initTransactions is done
 * when it opens; every record sent between begin and commit (or abort) becomes visible to read_committed
 * consumers together, or never.
 */
export interface TransactionalProducer extends RecordProducer {
  beginTransaction(): Promise<void>
  /** Sends what is queued, then commits; a send that failed in the transaction aborts it and throws. */
  commitTransaction(): Promise<void>
  abortTransaction(): Promise<void>
}

export interface TransactionalSettings {
  readonly transactionalId: string
  /** transaction.timeout.ms */
  readonly transactionTimeoutMs: number
}

export type StartPosition = 'earliest' | 'latest' | number

/** Consumer-group settings of a consuming member (the Java consumer's properties). */
export interface GroupMembership {
  readonly groupId: string
  readonly clientId: string
  readonly groupInstanceId: string | null
  readonly sessionTimeoutMs: number
  readonly rebalanceTimeoutMs: number
  readonly heartbeatIntervalMs: number
  /** Assignor protocol names in preference order (partition.assignment.strategy). */
  readonly assignors: readonly string[]
  readonly retryBackoffMs: number
  readonly autoCommit: boolean
  readonly autoCommitIntervalMs: number
}

/** How a consumer sizes and paces its reads (the Java consumer's fetch settings). */
export interface FetchSettings {
  /** fetch.min.bytes: a Fetch is answered once this much is there (or fetch.max.wait.ms passed). */
  readonly minBytes: number
  /** fetch.max.bytes: the most one read round asks for across partitions (one batch more when needed to progress). */
  readonly maxBytes: number
  /** max.partition.fetch.bytes: the most one read round asks for from one partition. */
  readonly partitionMaxBytes: number
  /** fetch.max.wait.ms: how long the broker may hold a Fetch waiting for fetch.min.bytes. */
  readonly maxWaitMs: number
  /** max.poll.records: the most records one poll hands out. */
  readonly maxPollRecords: number
}

/** The Java consumer's defaults. */
export const DEFAULT_FETCH_SETTINGS: FetchSettings = {
  minBytes: 1,
  maxBytes: 50 * 1024 * 1024,
  partitionMaxBytes: 1024 * 1024,
  maxWaitMs: 500,
  maxPollRecords: 500,
}

export interface ConsumeOptions {
  /** One topic (--topic) or a whole-name regex (--include), re-evaluated as topics appear. */
  readonly topics: { readonly name: string } | { readonly pattern: RegExp }
  /** Only this partition (--partition), else every partition of every matching topic. */
  readonly partition?: number
  readonly start: StartPosition
  /** Where to go when a position falls outside the log (auto.offset.reset). */
  readonly resetTo: 'earliest' | 'latest' | 'none'
  /**
   * isolation.level: read_committed reads up to each partition's last stable offset and drops the records
   * of aborted transactions ('latest' is then the last stable offset). Default read_uncommitted.
   */
  readonly isolation?: IsolationLevel
  readonly maxMessages?: number
  /** Stop when no record arrived for this long. */
  readonly timeoutMs?: number
  readonly signal: AbortSignal
  /** Consumer-group mode: partitions and start offsets come from the group. */
  readonly group?: GroupMembership
  /** Extra client properties (consumer.config / consumer-property), for settings the client honours. */
  readonly clientId?: string
  /** The fetch settings; DEFAULT_FETCH_SETTINGS when absent. */
  readonly fetch?: FetchSettings
  /**
   * Group mode: told when the member gives its partitions up for a rebalance ('revoked') and when it
   * has its new assignment ('assigned'), with those partitions — Java's ConsumerRebalanceListener.
   */
  readonly onRebalance?: (phase: 'revoked' | 'assigned', partitions: readonly PartitionRef[]) => void
}

export type StopReason = 'max-messages' | 'timeout' | 'aborted' | 'consumer-stopped'

/** A failure to reach or talk to the brokers; the message is the whole story (one line). */
export class ConnectionFailure extends Error {
  override name = 'ConnectionFailure'
}

/** Client properties that cannot be used (a bad SASL/TLS setting, an unreadable key file): one line. */
export class ClientConfigError extends Error {
  override name = 'ClientConfigError'
}

/** A consumer error the tool cannot recover from (the Java consumer throws these out of poll()). */
export class ConsumerFatalError extends Error {
  override name = 'ConsumerFatalError'
  constructor(
    /** The Java exception text, e.g. `org.apache.kafka.common.errors.GroupAuthorizationException: …`. */
    readonly javaText: string,
    options?: { cause?: unknown; hint?: string },
  ) {
    super(javaText, options)
    this.hint = options?.hint
  }

  /** What the user can do about it (e.g. the command that lists a store's damage). */
  readonly hint: string | undefined
}

export interface RecordConsumer {
  /** Records handed to onRecord so far. */
  readonly count: number
  /**
   * Runs until max messages, timeout, abort or onRecord returning false. `drain` is awaited after every
   * round so output back-pressure slows the reads.
   */
  run(onRecord: (record: FormattableRecord, topic: string, partition: number) => boolean, drain: () => Promise<boolean>): Promise<StopReason>
  /**
   * Group mode: commits these offsets now (Java's commitSync), whatever enable.auto.commit says; false
   * when the group refused them (a rebalance took the partitions; a warning is on stderr).
   */
  commit(offsets: readonly CommitOffset[]): Promise<boolean>
  /** Commits what was handed out (group mode, with enable.auto.commit) and leaves the group. */
  close(): Promise<void>
}

/** The offset of the next record to read, committed for a partition. */
export interface CommitOffset extends PartitionRef {
  readonly offset: number
}

export interface KafkaClient {
  readonly mode: 'embedded' | 'remote'
  /** The data directory or the bootstrap servers, for messages. */
  readonly target: string

  describeCluster(): Promise<ClusterDescription>

  /** The log directories of these brokers, every partition in them. */
  describeLogDirs(brokerIds: readonly number[]): Promise<BrokerLogDirs[]>
  /**
   * Each broker's ApiVersions answer (remote only: an embedded command has no wire to ask, and
   * broker-api-versions shows what the server would advertise instead).
   */
  brokerApiVersions?(): Promise<BrokerApiVersions[]>

  /** Every topic, sorted by name. */
  listTopics(): Promise<TopicListing[]>
  /** Descriptions of the named topics that exist (missing ones are left out), in the order asked. */
  describeTopics(names: readonly string[]): Promise<TopicDescription[]>
  createTopic(topic: NewTopic, opts?: { validateOnly?: boolean }): Promise<Outcome<CreatedTopic>>
  deleteTopics(names: readonly string[]): Promise<NamedOutcome<null>[]>
  createPartitions(requests: readonly (PartitionNewCount & { readonly assignment?: readonly (readonly number[])[] })[]): Promise<NamedOutcome<number>[]>

  /** A topic's configs, every one with its value and source (names = null: all). */
  describeTopicConfigs(topic: string, names: readonly string[] | null): Promise<Outcome<ResolvedConfig[]>>
  incrementalAlterTopicConfigs(topic: string, changes: readonly ConfigChange[], opts?: { validateOnly?: boolean }): Promise<Outcome<null>>

  /** DescribeConfigs with synonyms: every config of the resource (names null: all) with its value and source. */
  describeConfigs(resource: ConfigResource, names?: readonly string[] | null): Promise<Outcome<ConfigEntry[]>>
  /** AlterConfigs (legacy): `entries` replace the resource's whole set of dynamic configs. */
  alterConfigs(resource: ConfigResource, entries: ReadonlyMap<string, string>, opts?: { validateOnly?: boolean }): Promise<Outcome<null>>
  /** ListConfigResources: the names of the resources of `type` that have configs (groups: those with dynamic configs). */
  listConfigResources(type: 'group'): Promise<string[]>
  /** IncrementalAlterConfigs: SET / DELETE / APPEND / SUBTRACT operations, applied as a whole or not at all. */
  incrementalAlterConfigs(resource: ConfigResource, changes: readonly ConfigChange[], opts?: { validateOnly?: boolean }): Promise<Outcome<null>>

  /** ListOffsets; `isolation` read_committed answers 'latest' with the last stable offset (default read_uncommitted). */
  listOffsets(requests: readonly (PartitionRef & { readonly spec: OffsetSpec })[], opts?: { readonly isolation?: IsolationLevel }): Promise<ListedOffset[]>
  deleteRecords(entries: readonly RecordsToDelete[]): Promise<DeletedRecords[]>

  /** A producer for one topic (created first when missing and allowed). */
  producer(topic: string, settings: ProducerSettings, onFailure: (failure: SendFailure) => void): Promise<RecordProducer>
  /** A transactional producer of one topic (its producer id from the transaction coordinator). */
  transactionalProducer(topic: string, settings: ProducerSettings, txn: TransactionalSettings, onFailure: (failure: SendFailure) => void): Promise<TransactionalProducer>
  consumer(opts: ConsumeOptions): Promise<RecordConsumer>

  /** Consumer groups and their committed offsets (the group coordinator). */
  readonly groups: GroupsClient
  /** Supported and finalized feature levels (the features tool). */
  readonly features: FeaturesClient
  /** Transactions, their producers, and aborting a hanging one (the transactions tool). */
  readonly transactions: TransactionsClient

  close(): Promise<void>
}
