import { Producer, type MessageToProduce } from '@platformatic/kafka'

import { KafkaError } from '../../broker/kafka-error.js'
import { partitionForKey, type RecordHeader } from '../../broker/records.js'
import type { ProducerSettings, RecordProducer, SendFailure } from '../kafka-client.js'
import { brokerTakes, libraryOptions } from './library.js'
import { RAW_PRODUCE_VERSION } from './raw-produce.js'
import { RawRemoteProducer } from './raw-producer.js'
import type { RemoteClient } from './remote-client.js'
import { kafkaErrorIn, remoteFailure } from './remote-errors.js'

// The remote producer. Against a broker that takes Produce v9 the fast path is used (raw-producer.ts:
// batches built as bytes, as the embedded producer builds them). Otherwise, or with
// KAFKA_TS_REMOTE_PRODUCE=library, the library's own producer below.
//
// The library path: records are placed on partitions exactly as the embedded producer places them
// (murmur2 for keys, a sticky partition per batch otherwise), gathered for batch.size / linger.ms, and
// handed to the library one produce call per gathering — it groups them per partition and leader,
// compresses and retries on leader changes.
//
// Idempotent sends go one at a time: the library numbers an idempotent batch from the partition's
// sequence counter, which it advances only when the answer arrives, so two sends in flight would carry
// the same sequence numbers (the broker answers OUT_OF_ORDER_SEQUENCE_NUMBER, or drops one as a
// duplicate). Gatherings made meanwhile wait in a queue and leave together in the next send, up to
// max.request.size — much as Java's sender fills its next request while one is outstanding.
// Without idempotence up to five sends are in flight.

type Message = MessageToProduce<Buffer, Buffer, Buffer, Buffer>

interface Gathering {
  readonly messages: Message[]
  bytes: number
  /** Sizes of the first record, for Kafka's error line when a send fails. */
  keyBytes: number | null
  valueBytes: number | null
  /** Per-record timestamps and value sizes, kept only for settings.onAcknowledged. */
  readonly acked: { readonly timestamps: number[]; readonly valueBytes: number[] } | undefined
}

/** Per-record framing beyond key, value and headers, rounded up (as in the embedded producer). */
const RECORD_OVERHEAD = 32
/** max.in.flight.requests.per.connection's default, for non-idempotent sends. */
const MAX_IN_FLIGHT = 5
/** max.request.size's default: queued gatherings are merged into one send up to this many bytes. */
const MAX_REQUEST_BYTES = 1 << 20

export class RemoteProducer implements RecordProducer {
  private gathering: Gathering
  private readonly inFlight = new Set<Promise<void>>()
  /** Gatherings waiting for a send slot. */
  private readonly queue: Gathering[] = []
  /** Bytes queued or in flight (buffer.memory accounting). */
  private inFlightBytes = 0
  private sent = 0
  private stickyPartition: number
  private stickyBytes = 0
  private lingerTimer: NodeJS.Timeout | undefined
  private closed = false

  private constructor(
    private readonly client: RemoteClient,
    private readonly library: Producer<Buffer, Buffer, Buffer, Buffer>,
    private readonly topic: string,
    readonly partitionCount: number,
    private readonly settings: ProducerSettings,
    private readonly onFailure: (failure: SendFailure) => void,
  ) {
    this.stickyPartition = Math.floor(Math.random() * partitionCount)
    this.gathering = this.emptyGathering()
  }

  static async open(client: RemoteClient, topic: string, settings: ProducerSettings, onFailure: (failure: SendFailure) => void): Promise<RecordProducer> {
    const partitionCount = await topicPartitionCount(client, topic, settings.allowAutoCreate)
    const library = new Producer<Buffer, Buffer, Buffer, Buffer>({
      ...libraryOptions({ ...client.settings, clientId: settings.clientId }),
      acks: settings.acks,
      compression: settings.compression,
      idempotent: isIdempotent(settings),
      autocreateTopics: false,
    })
    if (process.env.KAFKA_TS_REMOTE_PRODUCE !== 'library' && (await takesRawProduce(library, client))) {
      let producerId = -1
      let producerEpoch = -1
      if (isIdempotent(settings)) {
        try {
          const info = await library.initIdempotentProducer({})
          producerId = Number(info.producerId)
          producerEpoch = info.producerEpoch
        } catch (err) {
          await library.close().catch(() => undefined)
          throw remoteFailure(err, client.settings.bootstrap)
        }
      }
      const maxMessageBytes = await topicMaxMessageBytes(client, topic)
      return new RawRemoteProducer(client, library, topic, partitionCount, settings, onFailure, producerId, producerEpoch, maxMessageBytes)
    }
    return new RemoteProducer(client, library, topic, partitionCount, settings, onFailure)
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
    const g = this.gathering
    if (g.messages.length === 0) {
      g.keyBytes = key === null ? null : key.length
      g.valueBytes = value === null ? null : value.length
    }
    g.messages.push(message)
    if (g.acked !== undefined) {
      g.acked.timestamps.push(timestamp)
      g.acked.valueBytes.push(value?.length ?? 0)
    }
    g.bytes += size
    if (key === null && explicitPartition === undefined) {
      this.stickyBytes += size
      if (this.stickyBytes >= this.settings.batchSize && this.partitionCount > 1) {
        // Kafka's sticky partitioner: another partition once a batch is full.
        const next = Math.floor(Math.random() * (this.partitionCount - 1))
        this.stickyPartition = next >= this.stickyPartition ? next + 1 : next
        this.stickyBytes = 0
      }
    }
    if (g.bytes >= this.settings.batchSize * Math.max(1, this.partitionCount)) this.dispatch()
    else this.armLinger()
  }

  async afterChunk(): Promise<void> {
    // buffer.memory: wait for answers while too much is on its way.
    while (this.inFlightBytes + this.gathering.bytes > this.settings.bufferMemory && this.inFlight.size > 0) {
      if (this.gathering.messages.length > 0) this.dispatch()
      await Promise.race(this.inFlight)
    }
  }

  async flush(): Promise<void> {
    this.dispatch()
    while (this.inFlight.size > 0) await Promise.all(this.inFlight)
  }

  async close(): Promise<void> {
    if (this.closed) return
    await this.flush()
    this.closed = true
    await this.library.close().catch(() => undefined)
  }

  private dispatch(): void {
    if (this.lingerTimer) clearTimeout(this.lingerTimer)
    this.lingerTimer = undefined
    const g = this.gathering
    if (g.messages.length === 0) return
    this.gathering = this.emptyGathering()
    this.inFlightBytes += g.bytes
    this.queue.push(g)
    this.pump()
  }

  /** Starts sends from the queue while there is a slot: one for idempotent sends, else five. */
  private pump(): void {
    const slots = isIdempotent(this.settings) ? 1 : MAX_IN_FLIGHT
    while (this.queue.length > 0 && this.inFlight.size < slots) {
      const g = this.takeFromQueue(slots === 1)
      const done = this.library
        .send({ messages: g.messages })
        .then(
          () => {
            this.sent += g.messages.length
            if (g.acked !== undefined) this.settings.onAcknowledged?.(g.acked)
          },
          (err: unknown) => {
            const kafka = kafkaErrorIn(err)
            const error = kafka ?? remoteFailure(err, this.client.settings.bootstrap)
            this.onFailure({ error, keyBytes: g.keyBytes, valueBytes: g.valueBytes, records: g.messages.length })
          },
        )
        .finally(() => {
          this.inFlightBytes -= g.bytes
          this.inFlight.delete(done)
          this.pump()
        })
      this.inFlight.add(done)
    }
  }

  /** The first queued gathering, with the ones after it merged in (up to max.request.size) when sends are serial. */
  private takeFromQueue(merge: boolean): Gathering {
    const first = this.queue.shift()
    if (first === undefined) throw new Error('takeFromQueue on an empty queue')
    if (!merge) return first
    let next = this.queue[0]
    while (next !== undefined && first.bytes + next.bytes <= MAX_REQUEST_BYTES) {
      this.queue.shift()
      for (const m of next.messages) first.messages.push(m)
      first.bytes += next.bytes
      if (first.acked !== undefined && next.acked !== undefined) {
        for (const t of next.acked.timestamps) first.acked.timestamps.push(t)
        for (const b of next.acked.valueBytes) first.acked.valueBytes.push(b)
      }
      next = this.queue[0]
    }
    return first
  }

  private emptyGathering(): Gathering {
    const acked = this.settings.onAcknowledged === undefined ? undefined : { timestamps: [], valueBytes: [] }
    return { messages: [], bytes: 0, keyBytes: null, valueBytes: null, acked }
  }

  private armLinger(): void {
    if (this.lingerTimer) return
    this.lingerTimer = setTimeout(() => {
      this.lingerTimer = undefined
      this.dispatch()
    }, this.settings.lingerMs)
  }
}


/** The topic's max.message.bytes (Kafka's default when the broker does not say): the raw path keeps batches within it. */
async function topicMaxMessageBytes(client: RemoteClient, topic: string): Promise<number> {
  const DEFAULT = 1048588
  try {
    const outcome = await client.describeTopicConfigs(topic, ['max.message.bytes'])
    const value = outcome.ok ? Number(outcome.value.find((c) => c.name === 'max.message.bytes')?.value) : NaN
    return Number.isFinite(value) && value > 0 ? value : DEFAULT
  } catch {
    return DEFAULT
  }
}

/** Whether the broker takes the Produce version the raw path writes. */
async function takesRawProduce(library: Producer<Buffer, Buffer, Buffer, Buffer>, client: RemoteClient): Promise<boolean> {
  try {
    return await brokerTakes(library, 0, RAW_PRODUCE_VERSION)
  } catch (err) {
    await library.close().catch(() => undefined)
    throw remoteFailure(err, client.settings.bootstrap)
  }
}

/** Idempotence needs acks=all (Java refuses the combination; here it is silently off with acks 0/1). */
function isIdempotent(settings: ProducerSettings): boolean {
  return settings.idempotent && settings.acks === -1
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
