import { KafkaError } from '../broker/kafka-error.js'
import { RecordBatchBuilder, partitionForKey, type CompressionCodec, type RecordHeader } from '../broker/records.js'

// What Kafka's Java producer does between send() and its sender, shared by the embedded producer
// (batches appended to the local store) and the remote one (batches sent as Produce bytes): records go
// where the Java client puts them — murmur2 of the key, else one sticky partition per batch — straight
// into one RecordBatchBuilder per partition, and leave as closed batches with what the caller needs to
// report them.

/** Per-record timestamps and value sizes of a batch, kept only for settings.onAcknowledged. */
export interface AckLists {
  readonly partition: number
  /** Set by the producer from the broker's answer, just before onAcknowledged. */
  baseOffset: number
  timestamps: number[]
  valueBytes: number[]
}

export interface ClosedBatch {
  readonly partition: number
  readonly bytes: Buffer
  readonly records: number
  /** Sizes of the first record, for Kafka's error line when a lone oversized record fails. */
  readonly keyBytes: number | null
  readonly valueBytes: number | null
  readonly acked: AckLists | undefined
  /** The idempotent producer's sequence number of the first record, else -1. */
  readonly baseSequence: number
}

/** Producer-side fields of a batch (idempotence, transactions), decided when it closes. */
export interface BatchIdentity {
  readonly producerId: number
  readonly producerEpoch: number
  readonly baseSequence: number
  readonly isTransactional?: boolean
}

const MAX_SEQUENCE = 0x7fffffff

/** The sequence after a batch of `records` starting at `seq`: sequences wrap from Int32.MAX to 0. */
export function nextSequence(seq: number, records: number): number {
  const next = seq + records
  return next > MAX_SEQUENCE ? next - MAX_SEQUENCE - 1 : next
}

/** Per-record framing beyond key, value and header bytes (length, attributes, deltas, counts), rounded up. */
const RECORD_OVERHEAD = 32
/** Per-header framing beyond its key and value bytes (two varint lengths), rounded up. */
const HEADER_OVERHEAD = 10
/** Slack for compressed batches: incompressible input grows a little under every codec. */
const COMPRESSION_SLACK = 256

/**
 * Largest uncompressed batch a topic with this max.message.bytes is sure to accept. Java's producer
 * learns this the hard way (MESSAGE_TOO_LARGE, then it splits the batch and retries); closing batches
 * before they outgrow the limit has the same outcome: an oversized record fails alone and its
 * neighbours are stored in order.
 */
export function batchLimitFor(maxMessageBytes: number, compression: CompressionCodec): number {
  return compression === 'none' ? maxMessageBytes : Math.floor(maxMessageBytes * 0.99) - COMPRESSION_SLACK
}

/** DefaultRecordBatch.RECORD_BATCH_OVERHEAD + DefaultRecord.MAX_RECORD_OVERHEAD. */
const BATCH_AND_RECORD_OVERHEAD = 61 + 21

/** ByteUtils.sizeOfVarint of a length (zig-zag encoded; -1 takes one byte). */
function varintSize(length: number): number {
  let v = length < 0 ? 1 : length * 2
  let bytes = 1
  while (v >= 0x80) {
    v = Math.floor(v / 0x80)
    bytes++
  }
  return bytes
}

/**
 * KafkaProducer.ensureValidRecordSize: a record whose batch would be larger than max.request.size (or
 * buffer.memory) is refused by send() with RecordTooLargeException, sized as Java sizes it
 * (DefaultRecordBatch.estimateBatchSizeUpperBound).
 */
export function recordTooLarge(
  key: Buffer | null,
  value: Buffer | null,
  headers: readonly RecordHeader[] | undefined,
  limits: { readonly maxRequestSize: number; readonly bufferMemory: number },
): KafkaError | undefined {
  let size = BATCH_AND_RECORD_OVERHEAD + varintSize(key?.length ?? -1) + (key?.length ?? 0) + varintSize(value?.length ?? -1) + (value?.length ?? 0)
  size += varintSize(headers?.length ?? 0)
  for (const h of headers ?? []) size += varintSize(h.key.length) + h.key.length + varintSize(h.value?.length ?? -1) + (h.value?.length ?? 0)
  if (size > limits.maxRequestSize) {
    return new KafkaError('MESSAGE_TOO_LARGE', `The message is ${size} bytes when serialized which is larger than ${limits.maxRequestSize}, which is the value of the max.request.size configuration.`)
  }
  if (size > limits.bufferMemory) {
    return new KafkaError('MESSAGE_TOO_LARGE', `The message is ${size} bytes when serialized which is larger than the total memory buffer you have configured with the buffer.memory configuration.`)
  }
  return undefined
}

export class PartitionBatches {
  private readonly builders: RecordBatchBuilder[]
  private readonly firstKey: (number | null)[]
  private readonly firstValue: (number | null)[]
  private readonly ackLists: AckLists[] | undefined
  private stickyPartition: number

  constructor(
    readonly partitionCount: number,
    private readonly settings: { readonly batchSize: number; readonly compression: CompressionCodec; readonly onAcknowledged?: unknown },
    /** See batchLimitFor. */
    readonly batchLimit: number,
    /** Called with every batch closed, in closing order. */
    private readonly onClosed: (batch: ClosedBatch) => void,
    /** Idempotent producers number a partition's batches as they close. */
    private readonly identity?: (partition: number, records: number) => BatchIdentity,
  ) {
    const n = partitionCount
    this.builders = Array.from({ length: n }, () => new RecordBatchBuilder(Math.min(settings.batchSize + 1024, 1 << 20)))
    this.firstKey = new Array<number | null>(n).fill(null)
    this.firstValue = new Array<number | null>(n).fill(null)
    this.ackLists = settings.onAcknowledged === undefined ? undefined : Array.from({ length: n }, (_, partition) => emptyAckLists(partition))
    this.stickyPartition = Math.floor(Math.random() * n)
  }

  /**
   * Appends one record to its partition's open batch, closing that batch first when the record would
   * take it past `limit` (or the topic's batch limit). Returns the partition.
   */
  append(key: Buffer | null, value: Buffer | null, headers: readonly RecordHeader[] | undefined, timestamp: number, explicitPartition: number | undefined, limit: number): number {
    const partition = explicitPartition ?? (key === null ? this.stickyPartition : partitionForKey(key, this.partitionCount))
    const builder = this.builders[partition]
    if (!builder) throw new Error(`no batch builder for partition ${partition}`)
    let recordSize = (key?.length ?? 0) + (value?.length ?? 0) + RECORD_OVERHEAD
    if (headers !== undefined) {
      for (const h of headers) recordSize += h.key.length + (h.value?.length ?? 0) + HEADER_OVERHEAD
    }
    const fill = builder.sizeInBytes + recordSize
    if (builder.count > 0 && (fill > limit || fill > this.batchLimit)) this.close(partition)
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
    return partition
  }

  /** Bytes in the partition's open batch. */
  size(partition: number): number {
    return this.builders[partition]?.sizeInBytes ?? 0
  }

  /** Closes the partition's open batch (if it holds records) and hands it to onClosed. */
  close(partition: number): void {
    const builder = this.builders[partition]
    if (!builder || builder.count === 0) return
    const records = builder.count
    const identity = this.identity?.(partition, records)
    const bytes = builder.build({ compression: this.settings.compression, ...(identity ?? {}) })
    let acked: AckLists | undefined
    if (this.ackLists !== undefined) {
      acked = this.ackLists[partition]
      this.ackLists[partition] = emptyAckLists(partition)
    }
    if (partition === this.stickyPartition && this.partitionCount > 1) {
      // Kafka's sticky partitioner: move to another partition once a batch is complete.
      const next = Math.floor(Math.random() * (this.partitionCount - 1))
      this.stickyPartition = next >= partition ? next + 1 : next
    }
    this.onClosed({
      partition,
      bytes,
      records,
      keyBytes: this.firstKey[partition] ?? null,
      valueBytes: this.firstValue[partition] ?? null,
      acked,
      baseSequence: identity?.baseSequence ?? -1,
    })
  }

  closeAll(): void {
    for (let p = 0; p < this.partitionCount; p++) this.close(p)
  }
}

function emptyAckLists(partition: number): AckLists {
  return { partition, baseOffset: -1, timestamps: [], valueBytes: [] }
}
