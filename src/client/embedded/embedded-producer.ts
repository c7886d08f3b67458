import type { Broker } from '../../broker/broker.js'
import type { RecordHeader, TopicRow } from '../../broker/records.js'
import { effectiveTopicConfig } from '../../broker/topic-configs.js'
import type { ProducerSettings, RecordProducer, SendFailure } from '../kafka-client.js'
import { PartitionBatches, batchLimitFor, type ClosedBatch } from '../partition-batches.js'

// The embedded producer: what Kafka's Java producer does between send() and the broker, done
// in-process. Records are encoded straight into per-partition batch builders; full batches are
// appended to the store in groups, one write transaction (and one fsync with acks=-1) per group.

/** Group commit threshold: flush full batches once this much is pending. */
const GROUP_COMMIT_BYTES = 4 << 20

export class EmbeddedProducer implements RecordProducer {
  private readonly batches: PartitionBatches
  private readonly pending: ClosedBatch[] = []
  private pendingBytes = 0
  private lingerTimer: NodeJS.Timeout | undefined
  private commitTimer: NodeJS.Timeout | undefined
  private sent = 0
  /** Set when the store refused a commit (disk full, lock, I/O): nothing more is sent. */
  private stopped = false

  constructor(
    private readonly broker: Broker,
    private readonly topic: TopicRow,
    private readonly settings: ProducerSettings,
    private readonly onFailure: (failure: SendFailure) => void,
  ) {
    const maxMessageBytes = Number(effectiveTopicConfig('max.message.bytes', topic.configs, broker.config, broker.dynamicBrokerConfigs()))
    this.batches = new PartitionBatches(topic.partitionCount, settings, batchLimitFor(maxMessageBytes, settings.compression), (b) => {
      this.pending.push(b)
      this.pendingBytes += b.bytes.length
    })
  }

  get partitionCount(): number {
    return this.batches.partitionCount
  }

  /** Records acknowledged so far. */
  get acknowledged(): number {
    return this.sent
  }

  /** Queues one record; keyed records go where Kafka's Java client would put them, others stick to one partition per batch. */
  send(key: Buffer | null, value: Buffer | null, headers: readonly RecordHeader[] | undefined, timestamp: number, explicitPartition?: number): void {
    if (this.stopped) return
    const { batchSize } = this.settings
    const partition = this.batches.append(key, value, headers, timestamp, explicitPartition, batchSize)
    const size = this.batches.size(partition)
    if (size >= batchSize || size > this.batches.batchLimit) this.batches.close(partition)
    this.armLinger()
  }

  /** Called after each chunk of input: commits full batches in groups, never per record. */
  async afterChunk(): Promise<void> {
    if (this.pendingBytes >= GROUP_COMMIT_BYTES) this.commit()
    else if (this.pending.length > 0 && !this.commitTimer) {
      this.commitTimer = setTimeout(() => {
        this.commitTimer = undefined
        this.commit()
      }, 2)
    }
  }

  /** Closes every open batch and commits everything now (EOF, SIGINT, --sync, linger expiry). */
  async flush(): Promise<void> {
    this.flushNow()
  }

  private flushNow(): void {
    this.batches.closeAll()
    this.commit()
    if (this.lingerTimer) clearTimeout(this.lingerTimer)
    this.lingerTimer = undefined
  }

  async close(): Promise<void> {
    this.flushNow()
    if (this.commitTimer) clearTimeout(this.commitTimer)
    this.commitTimer = undefined
  }

  private commit(): void {
    if (this.commitTimer) clearTimeout(this.commitTimer)
    this.commitTimer = undefined
    if (this.pending.length === 0) return
    const batches = this.pending.splice(0)
    this.pendingBytes = 0
    if (this.stopped) return
    const results = this.broker.produce(
      batches.map((b) => ({ topic: this.topic, partition: b.partition, batch: b.bytes })),
      this.settings.acks === -1 ? 'fsync' : 'commit',
      'header',
    )
    // Every batch of the group is acknowledged by the one commit that stored them all.
    results.forEach((r, i) => {
      const b = batches[i]
      if (!b) return
      if (r.ok) {
        this.sent += b.records
        if (b.acked !== undefined) this.settings.onAcknowledged?.(b.acked)
        return
      }
      // The local store failed, not this batch: every later commit would fail the same way. Report it
      // once and stop (what was acknowledged before stays stored); the caller ends the run.
      if (r.error.errorName === 'KAFKA_STORAGE_ERROR') {
        if (this.stopped) return
        this.stopped = true
      }
      this.onFailure({ error: r.error, keyBytes: b.keyBytes, valueBytes: b.valueBytes, records: b.records })
    })
  }

  private armLinger(): void {
    if (this.lingerTimer) return
    this.lingerTimer = setTimeout(() => {
      this.lingerTimer = undefined
      this.flushNow()
    }, this.settings.lingerMs)
  }
}
