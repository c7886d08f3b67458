import type { Broker, Durability } from '../../broker/broker.js'
import type { GroupCommitPolicy, GroupCommitter } from '../../broker/group-commit.js'
import type { Outcome } from '../../broker/kafka-error.js'
import type { AppendResult } from '../../broker/types.js'
import type { RecordHeader, TopicRow } from '../../broker/records.js'
import { effectiveTopicConfig } from '../../broker/topic-configs.js'
import type { ProducerSettings, RecordProducer, SendFailure } from '../kafka-client.js'
import { PartitionBatches, batchLimitFor, recordTooLarge, type BatchIdentity, type ClosedBatch } from '../partition-batches.js'

// The embedded producer: what Kafka's Java producer does between send() and the broker, done
// in-process. Records are encoded straight into per-partition batch builders; each batch that closes
// goes to the broker's group commit, which appends them in groups: one write transaction (and one
// fsync with acks=-1) per group.

/** The producer's group commit: closed batches wait up to 2 ms for others, or commit at once when 4 MiB are queued. */
const GROUP_COMMIT: GroupCommitPolicy = { maxBytes: 4 << 20, maxWaitMs: 2 }

export class EmbeddedProducer implements RecordProducer {
  private readonly batches: PartitionBatches
  private readonly committer: GroupCommitter
  private readonly durability: Durability
  private lingerTimer: NodeJS.Timeout | undefined
  private sent = 0
  /** Set when the store refused a commit (disk full, lock, I/O): nothing more is sent. */
  private stopped = false
  /** What a group commit threw (a bug, not a store failure): raised by the next afterChunk, flush or close. */
  private fault: { error: unknown } | undefined

  constructor(
    broker: Broker,
    private readonly topic: TopicRow,
    private readonly settings: ProducerSettings,
    private readonly onFailure: (failure: SendFailure) => void,
    /** The producer id, epoch and sequence of each closing batch (a transactional producer's); none: plain batches. */
    identity?: (partition: number, records: number) => BatchIdentity,
  ) {
    const maxMessageBytes = Number(effectiveTopicConfig('max.message.bytes', topic.configs, broker.config, broker.dynamicBrokerConfigs()))
    this.committer = broker.groupCommit(GROUP_COMMIT)
    this.durability = settings.acks === -1 ? 'fsync' : 'commit'
    this.batches = new PartitionBatches(topic.partitionCount, settings, batchLimitFor(maxMessageBytes, settings.compression), (b) => this.submit(b), identity)
  }

  get partitionCount(): number {
    return this.batches.partitionCount
  }

  /** Records acknowledged so far. */
  get acknowledged(): number {
    return this.sent
  }

  /** Queues one record; keyed records go where Kafka's Java client would put them, others stick to one partition per batch. */
  send(key: Buffer | null, value: Buffer | null, headers: readonly RecordHeader[] | undefined, timestamp: number, explicitPartition?: number): number {
    if (this.stopped) return -1
    const refused = recordTooLarge(key, value, headers, this.settings)
    if (refused !== undefined) {
      this.onFailure({ error: refused, partition: -1, keyBytes: key?.length ?? null, valueBytes: value?.length ?? null, records: 1 })
      return -1
    }
    const { batchSize } = this.settings
    const partition = this.batches.append(key, value, headers, timestamp, explicitPartition, batchSize)
    const size = this.batches.size(partition)
    if (size >= batchSize || size > this.batches.batchLimit) this.batches.close(partition)
    this.armLinger()
    return partition
  }

  /** Called after each chunk of input; the group commit decides when closed batches are written. */
  async afterChunk(): Promise<void> {
    this.raiseFault()
  }

  /** Closes every open batch and commits everything now (EOF, SIGINT, --sync, linger expiry). */
  async flush(): Promise<void> {
    this.flushNow()
    this.raiseFault()
  }

  async close(): Promise<void> {
    this.flushNow()
    this.raiseFault()
  }

  private flushNow(): void {
    if (this.lingerTimer) clearTimeout(this.lingerTimer)
    this.lingerTimer = undefined
    this.batches.closeAll()
    this.committer.flush()
  }

  private submit(b: ClosedBatch): void {
    if (this.stopped) return
    const entry = { topic: this.topic, partition: b.partition, batch: b.bytes }
    this.committer.submit([entry], this.durability, 'header', (results: Outcome<AppendResult>[] | undefined, error?: unknown) => {
      if (results) this.acknowledge(b, results[0])
      else {
        this.fault ??= { error }
        this.stopped = true
      }
    })
  }

  /** Every batch of a group is acknowledged by the one commit that stored them all. */
  private acknowledge(b: ClosedBatch, r: Outcome<AppendResult> | undefined): void {
    if (r === undefined) return
    if (r.ok) {
      this.sent += b.records
      if (b.acked !== undefined) {
        // acks=0 asks for no answer: report the offset as a remote producer would (unknown).
        b.acked.baseOffset = this.settings.acks === 0 ? -1 : r.value.baseOffset
        this.settings.onAcknowledged?.(b.acked)
      }
      return
    }
    // The local store failed, not this batch: every later commit would fail the same way. Report it
    // once and stop (what was acknowledged before stays stored); the caller ends the run.
    if (r.error.errorName === 'KAFKA_STORAGE_ERROR') {
      if (this.stopped) return
      this.stopped = true
    }
    this.onFailure({ error: r.error, partition: b.partition, keyBytes: b.keyBytes, valueBytes: b.valueBytes, records: b.records })
  }

  private raiseFault(): void {
    if (this.fault) throw this.fault.error
  }

  private armLinger(): void {
    if (this.lingerTimer) return
    this.lingerTimer = setTimeout(() => {
      this.lingerTimer = undefined
      this.flushNow()
    }, this.settings.lingerMs)
  }
}
