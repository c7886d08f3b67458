import type { Broker } from '../../broker/broker.js'
import { RecordBatchBuilder, partitionForKey, type RecordHeader, type TopicRow } from '../../broker/records.js'
import { effectiveTopicConfig } from '../../broker/topic-configs.js'
import type { ProducerSettings, RecordProducer, SendFailure } from '../kafka-client.js'

// The embedded producer: what Kafka's Java producer does between send() and the broker, done
// in-process. Records are encoded straight into per-partition batch builders; full batches are
// appended to the store in groups, one write transaction (and one fsync with acks=-1) per group.

interface PendingBatch {
  readonly partition: number
  readonly batch: Buffer
  readonly records: number
  /** Sizes of the first record, for the error line when a lone oversized record fails. */
  readonly keyBytes: number | null
  readonly valueBytes: number | null
  /** Per-record timestamps and value sizes, kept only for settings.onAcknowledged. */
  readonly acked: AckLists | undefined
}

interface AckLists {
  timestamps: number[]
  valueBytes: number[]
}

/** Group commit threshold: flush full batches once this much is pending. */
const GROUP_COMMIT_BYTES = 4 << 20
/** Per-record framing beyond key, value and header bytes (length, attributes, deltas, counts), rounded up. */
const RECORD_OVERHEAD = 32
/** Per-header framing beyond its key and value bytes (two varint lengths), rounded up. */
const HEADER_OVERHEAD = 10
/** Slack for compressed batches: incompressible input grows a little under every codec. */
const COMPRESSION_SLACK = 256

export class EmbeddedProducer implements RecordProducer {
  private readonly builders: RecordBatchBuilder[]
  private readonly firstKey: (number | null)[]
  private readonly firstValue: (number | null)[]
  /** Per open batch, what settings.onAcknowledged is told when it is stored (undefined without one). */
  private readonly ackLists: AckLists[] | undefined
  private readonly pending: PendingBatch[] = []
  private pendingBytes = 0
  private stickyPartition: number
  private lingerTimer: NodeJS.Timeout | undefined
  private commitTimer: NodeJS.Timeout | undefined
  private sent = 0
  /**
   * Largest uncompressed batch the topic is sure to accept. Java's producer learns this the hard way
   * (MESSAGE_TOO_LARGE, then it splits the batch and retries); closing batches before they outgrow the
   * limit has the same outcome: an oversized record fails alone and its neighbours are stored in order.
   */
  private readonly batchLimit: number

  constructor(
    private readonly broker: Broker,
    private readonly topic: TopicRow,
    private readonly settings: ProducerSettings,
    private readonly onFailure: (failure: SendFailure) => void,
  ) {
    const n = topic.partitionCount
    this.builders = Array.from({ length: n }, () => new RecordBatchBuilder(Math.min(settings.batchSize + 1024, 1 << 20)))
    this.firstKey = new Array<number | null>(n).fill(null)
    this.firstValue = new Array<number | null>(n).fill(null)
    this.stickyPartition = Math.floor(Math.random() * n)
    this.ackLists = settings.onAcknowledged === undefined ? undefined : Array.from({ length: n }, () => ({ timestamps: [], valueBytes: [] }))
    const maxMessageBytes = Number(effectiveTopicConfig('max.message.bytes', topic.configs, broker.config, broker.dynamicBrokerConfigs()))
    this.batchLimit =
      settings.compression === 'none' ? maxMessageBytes : Math.floor(maxMessageBytes * 0.99) - COMPRESSION_SLACK
  }

  get partitionCount(): number {
    return this.topic.partitionCount
  }

  /** Records acknowledged so far. */
  get acknowledged(): number {
    return this.sent
  }

  /** Queues one record; keyed records go where Kafka's Java client would put them, others stick to one partition per batch. */
  send(key: Buffer | null, value: Buffer | null, headers: readonly RecordHeader[] | undefined, timestamp: number, explicitPartition?: number): void {
    const partition = explicitPartition ?? (key === null ? this.stickyPartition : partitionForKey(key, this.topic.partitionCount))
    const builder = this.builders[partition]
    if (!builder) throw new Error(`no batch builder for partition ${partition}`)
    let recordSize = (key?.length ?? 0) + (value?.length ?? 0) + RECORD_OVERHEAD
    if (headers !== undefined) {
      for (const h of headers) recordSize += h.key.length + (h.value?.length ?? 0) + HEADER_OVERHEAD
    }
    const fill = builder.sizeInBytes + recordSize
    if (builder.count > 0 && (fill > this.settings.batchSize || fill > this.batchLimit)) this.closeBatch(partition)
    if (builder.count === 0) {
      this.firstKey[partition] = key === null ? null : key.length
      this.firstValue[partition] = value === null ? null : value.length
    }
    builder.append(timestamp, key, value, headers)
    const acked = this.ackLists?.[partition]
    if (acked !== undefined) {
      acked.timestamps.push(timestamp)
      acked.valueBytes.push(value?.length ?? 0)
    }
    if (builder.sizeInBytes >= this.settings.batchSize || builder.sizeInBytes > this.batchLimit) this.closeBatch(partition)
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
    for (let p = 0; p < this.builders.length; p++) if ((this.builders[p]?.count ?? 0) > 0) this.closeBatch(p)
    this.commit()
    if (this.lingerTimer) clearTimeout(this.lingerTimer)
    this.lingerTimer = undefined
  }

  async close(): Promise<void> {
    this.flushNow()
    if (this.commitTimer) clearTimeout(this.commitTimer)
    this.commitTimer = undefined
  }

  private closeBatch(partition: number): void {
    const builder = this.builders[partition]
    if (!builder || builder.count === 0) return
    const records = builder.count
    const batch = builder.build({ compression: this.settings.compression })
    let acked: AckLists | undefined
    if (this.ackLists !== undefined) {
      acked = this.ackLists[partition]
      this.ackLists[partition] = { timestamps: [], valueBytes: [] }
    }
    this.pending.push({
      partition,
      batch,
      records,
      keyBytes: this.firstKey[partition] ?? null,
      valueBytes: this.firstValue[partition] ?? null,
      acked,
    })
    this.pendingBytes += batch.length
    if (partition === this.stickyPartition && this.topic.partitionCount > 1) {
      // Kafka's sticky partitioner: move to another partition once a batch is complete.
      const next = Math.floor(Math.random() * (this.topic.partitionCount - 1))
      this.stickyPartition = next >= partition ? next + 1 : next
    }
  }

  private commit(): void {
    if (this.commitTimer) clearTimeout(this.commitTimer)
    this.commitTimer = undefined
    if (this.pending.length === 0) return
    const batches = this.pending.splice(0)
    this.pendingBytes = 0
    const results = this.broker.produce(
      batches.map((b) => ({ topic: this.topic, partition: b.partition, batch: b.batch })),
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
      } else this.onFailure({ error: r.error, keyBytes: b.keyBytes, valueBytes: b.valueBytes, records: b.records })
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
