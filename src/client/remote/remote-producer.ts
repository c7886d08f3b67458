import { Producer, type MessageToProduce } from '@platformatic/kafka'

import { KafkaError } from '../../broker/kafka-error.js'
import { partitionForKey, type RecordHeader } from '../../broker/records.js'
import type { ProducerSettings, RecordProducer, SendFailure } from '../kafka-client.js'
import { libraryOptions } from './library.js'
import type { RemoteClient } from './remote-client.js'
import { kafkaErrorIn, remoteFailure } from './remote-errors.js'

// The remote producer: records are placed on partitions exactly as the embedded producer places them
// (murmur2 for keys, a sticky partition per batch otherwise), gathered for batch.size / linger.ms, and
// handed to the library one produce call per gathering — it groups them per partition and leader,
// compresses, retries on leader changes and keeps up to five requests in flight.

type Message = MessageToProduce<Buffer, Buffer, Buffer, Buffer>

/** Per-record framing beyond key, value and headers, rounded up (as in the embedded producer). */
const RECORD_OVERHEAD = 32
/** max.request.size: the most one produce call carries. */
const MAX_REQUEST_BYTES = 1 << 20

export class RemoteProducer implements RecordProducer {
  /** Records waiting to be sent, in send order, with their sizes. */
  private queue: Message[] = []
  private sizes: number[] = []
  private queuedBytes = 0
  private readonly inFlight = new Set<Promise<void>>()
  private inFlightBytes = 0
  private sent = 0
  private stickyPartition: number
  private stickyBytes = 0
  private lingerTimer: NodeJS.Timeout | undefined
  private lingerExpired = false
  private closed = false
  /**
   * The library numbers an idempotent producer's batches only when a response arrives, so two
   * requests in flight would carry the same sequence numbers: idempotence means one at a time.
   */
  private readonly maxInFlight: number

  private constructor(
    private readonly client: RemoteClient,
    private readonly library: Producer<Buffer, Buffer, Buffer, Buffer>,
    private readonly topic: string,
    readonly partitionCount: number,
    private readonly settings: ProducerSettings,
    private readonly onFailure: (failure: SendFailure) => void,
    idempotent: boolean,
  ) {
    this.stickyPartition = Math.floor(Math.random() * partitionCount)
    this.maxInFlight = idempotent ? 1 : 5
  }

  static async open(client: RemoteClient, topic: string, settings: ProducerSettings, onFailure: (failure: SendFailure) => void): Promise<RemoteProducer> {
    const partitionCount = await topicPartitionCount(client, topic, settings.allowAutoCreate)
    const idempotent = settings.idempotent && settings.acks === -1
    const library = new Producer<Buffer, Buffer, Buffer, Buffer>({
      ...libraryOptions({ ...client.settings, clientId: settings.clientId }),
      acks: settings.acks,
      compression: settings.compression,
      idempotent,
      autocreateTopics: false,
    })
    return new RemoteProducer(client, library, topic, partitionCount, settings, onFailure, idempotent)
  }

  get acknowledged(): number {
    return this.sent
  }

  send(key: Buffer | null, value: Buffer | null, headers: readonly RecordHeader[] | undefined, timestamp: number, explicitPartition?: number): void {
    const partition = explicitPartition ?? (key === null ? this.stickyPartition : partitionForKey(key, this.partitionCount))
    let size = (key?.length ?? 0) + (value?.length ?? 0) + RECORD_OVERHEAD
    const message: Message = { topic: this.topic, partition, timestamp: BigInt(timestamp) }
    if (key !== null) message.key = key
    if (value !== null) message.value = value
    if (headers !== undefined && headers.length > 0) {
      const map = new Map<Buffer, Buffer>()
      // Distinct Buffer objects as keys keep repeated header keys, in order.
      for (const h of headers) {
        map.set(Buffer.from(h.key), h.value as Buffer)
        size += h.key.length + (h.value?.length ?? 0) + 10
      }
      message.headers = map
    }
    this.queue.push(message)
    this.sizes.push(size)
    this.queuedBytes += size
    if (key === null && explicitPartition === undefined) {
      this.stickyBytes += size
      if (this.stickyBytes >= this.settings.batchSize && this.partitionCount > 1) {
        // Kafka's sticky partitioner: another partition once a batch is full.
        const next = Math.floor(Math.random() * (this.partitionCount - 1))
        this.stickyPartition = next >= this.stickyPartition ? next + 1 : next
        this.stickyBytes = 0
      }
    }
    if (this.queuedBytes >= this.requestThreshold()) this.pump()
    else this.armLinger()
  }

  async afterChunk(): Promise<void> {
    // buffer.memory: wait for answers while too much is held.
    while (this.inFlightBytes + this.queuedBytes > this.settings.bufferMemory && this.inFlight.size > 0) {
      await Promise.race(this.inFlight)
    }
  }

  async flush(): Promise<void> {
    this.lingerExpired = true
    for (;;) {
      this.pump()
      if (this.inFlight.size === 0) break
      await Promise.race(this.inFlight)
    }
  }

  async close(): Promise<void> {
    if (this.closed) return
    await this.flush()
    this.closed = true
    if (this.lingerTimer) clearTimeout(this.lingerTimer)
    await this.library.close().catch(() => undefined)
  }

  /** A request fills up to batch.size per partition (at most max.request.size), or goes at linger. */
  private requestThreshold(): number {
    return Math.min(MAX_REQUEST_BYTES, this.settings.batchSize * this.partitionCount)
  }

  /** Sends what may go now: full requests, or everything once linger expired (or on flush). */
  private pump(): void {
    while (this.queue.length > 0 && this.inFlight.size < this.maxInFlight) {
      if (this.queuedBytes < this.requestThreshold() && !this.lingerExpired) break
      this.dispatch()
    }
    if (this.queue.length === 0) {
      this.lingerExpired = false
      if (this.lingerTimer) clearTimeout(this.lingerTimer)
      this.lingerTimer = undefined
    }
  }

  private dispatch(): void {
    let count = 0
    let bytes = 0
    while (count < this.queue.length && (count === 0 || bytes + (this.sizes[count] ?? 0) <= MAX_REQUEST_BYTES)) bytes += this.sizes[count++] ?? 0
    const messages = this.queue.slice(0, count)
    this.queue = this.queue.slice(count)
    this.sizes = this.sizes.slice(count)
    this.queuedBytes -= bytes
    this.inFlightBytes += bytes
    const first = messages[0]
    const done = this.library
      .send({ messages })
      .then(
        () => {
          this.sent += messages.length
        },
        (err: unknown) => {
          const error = kafkaErrorIn(err) ?? remoteFailure(err, this.client.settings.bootstrap)
          this.onFailure({ error, keyBytes: first?.key?.length ?? null, valueBytes: first?.value?.length ?? null, records: messages.length })
        },
      )
      .finally(() => {
        this.inFlightBytes -= bytes
        this.inFlight.delete(done)
        this.pump()
      })
    this.inFlight.add(done)
  }

  private armLinger(): void {
    if (this.lingerTimer) return
    this.lingerTimer = setTimeout(() => {
      this.lingerTimer = undefined
      this.lingerExpired = true
      this.pump()
    }, this.settings.lingerMs)
  }
}

/** The topic's partition count; a missing topic is created by the broker's metadata auto-create when allowed. */
async function topicPartitionCount(client: RemoteClient, topic: string, allowAutoCreate: boolean): Promise<number> {
  const names = await client.call((a) => a.listTopics({ includeInternals: true }))
  if (!names.includes(topic)) {
    if (!allowAutoCreate) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${topic}' does not exist.`)
    try {
      await client.call((a) => a.metadata({ topics: [topic], autocreateTopics: true, forceUpdate: true }))
    } catch {
      // Either the broker does not auto-create (answered below) or it is unreachable (the next call says so).
    }
    if (!(await client.call((a) => a.listTopics({ includeInternals: true }))).includes(topic)) {
      // The broker answered without creating it: auto.create.topics.enable=false there.
      throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${topic}' does not exist.`)
    }
  }
  const meta = await client.metadata([topic])
  const count = meta.topics.get(topic)?.partitionsCount
  if (count === undefined) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${topic}' does not exist.`)
  return count
}
