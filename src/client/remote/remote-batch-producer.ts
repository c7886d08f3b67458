import { ApiKey } from '../../protocol/api-keys.js'
import { decodeProduceResponse, encodeProduceRequest, type PartitionProduceResponse } from '../../protocol/messages/produce.js'
import { KafkaError, kafkaErrorForCode } from '../../broker/kafka-error.js'
import { patchBaseSequence, type RecordHeader } from '../../broker/records.js'
import type { ProducerSettings, RecordProducer, SendFailure } from '../kafka-client.js'
import { PartitionBatches, batchLimitFor, nextSequence, recordTooLarge, type AckLists, type BatchIdentity, type ClosedBatch } from '../partition-batches.js'
import { remoteFailure } from './remote-errors.js'
import { STALE_METADATA, type Cluster, type TopicRoute } from './wire/cluster.js'
import { BrokerIoError } from './wire/wire-errors.js'

// The remote producer: what the embedded producer does (records encoded straight into per-partition
// RecordBatchBuilders, sticky/murmur2 partitioning, batch.size, linger.ms, the codec), with the batches
// sent as the bytes they are in Produce requests (our generated codec, the newest version both sides
// take) over the cluster view's connection to each partition's leader (wire/cluster.ts).
//
// Like Java's sender: a request carries at most one batch per partition, up to max.request.size; up to
// five requests are in flight. Unlike Java, a batch keeps filling past batch.size while all five are
// out (up to the topic's max.message.bytes and max.request.size), so a producer ahead of its broker
// sends fewer, larger requests — what the library path did by merging queued sends; every request
// costs our broker a transaction and, with acks=all, an fsync. Idempotence: the producer id and epoch come from
// InitProducerId (remote-producer.ts); sequence numbers are ours, given when a batch is closed. A batch that fails with a
// retriable error (leader moved, connection lost, timed out) is sent again with the same bytes and
// sequence, ahead of its partition's later batches; while it waits the partition sends nothing.

interface ReadyBatch {
  readonly partition: number
  bytes: Buffer
  readonly records: number
  /** Closing order, for putting retried batches back in place. */
  readonly order: number
  /** Sizes of the first record, for Kafka's error line when the batch fails. */
  readonly keyBytes: number | null
  readonly valueBytes: number | null
  readonly acked: AckLists | undefined
  /** -1 unless idempotent. */
  baseSequence: number
  /** The sequence this batch must be sent with next, when an earlier batch's failure renumbered it. */
  renumbered: number | undefined
  attempts: number
}

/** max.in.flight.requests.per.connection's default (the most idempotence allows). */
const MAX_IN_FLIGHT = 5
/** max.request.size's default. */
const MAX_REQUEST_BYTES = 1 << 20

export class RemoteBatchProducer implements RecordProducer {
  private readonly batches: PartitionBatches
  /** Closed batches waiting to be sent, per partition, oldest first. */
  private readonly ready: ReadyBatch[][]
  private readyCount = 0
  /** Per partition, batches waiting to be retried: while there are any, nothing of the partition is sent. */
  private readonly retrying: Set<ReadyBatch>[]
  /** Per partition, the batches sent and not yet answered (idempotence renumbers them after a failure). */
  private readonly unanswered: Set<ReadyBatch>[]
  private readonly nextSequence: number[]
  private readonly inFlight = new Set<Promise<void>>()
  private readonly retryWaits = new Set<Promise<void>>()
  /** Bytes closed and not yet answered (buffer.memory accounting). */
  private bufferedBytes = 0
  private batchOrder = 0
  private drainStart = 0
  private sent = 0
  private lingerTimer: NodeJS.Timeout | undefined
  private closed = false
  private readonly idempotent: boolean
  /** How far a batch may grow while every send slot is taken. */
  private readonly growLimit: number

  constructor(
    private readonly cluster: Cluster,
    private readonly topic: string,
    readonly partitionCount: number,
    private readonly settings: ProducerSettings,
    private readonly onFailure: (failure: SendFailure) => void,
    private readonly producerId: number,
    private readonly producerEpoch: number,
    maxMessageBytes: number,
    /** A transactional producer's id (its batches are transactional, its Produce requests name it); else null. */
    private readonly transactionalId: string | null = null,
  ) {
    const batchLimit = batchLimitFor(maxMessageBytes, settings.compression)
    this.growLimit = Math.max(settings.batchSize, Math.min(batchLimit, MAX_REQUEST_BYTES - 1024))
    const n = partitionCount
    this.idempotent = producerId >= 0
    this.batches = new PartitionBatches(n, settings, batchLimit, (b) => this.queueClosed(b), (partition, records) => this.identity(partition, records))
    this.ready = Array.from({ length: n }, () => [])
    this.retrying = Array.from({ length: n }, () => new Set())
    this.unanswered = Array.from({ length: n }, () => new Set())
    this.nextSequence = new Array<number>(n).fill(0)
  }

  get acknowledged(): number {
    return this.sent
  }

  send(key: Buffer | null, value: Buffer | null, headers: readonly RecordHeader[] | undefined, timestamp: number, explicitPartition?: number): number {
    const refused = recordTooLarge(key, value, headers, this.settings)
    if (refused !== undefined) {
      this.onFailure({ error: refused, partition: -1, keyBytes: key?.length ?? null, valueBytes: value?.length ?? null, records: 1 })
      return -1
    }
    const backlogged = this.inFlight.size >= MAX_IN_FLIGHT
    const partition = this.batches.append(key, value, headers, timestamp, explicitPartition, backlogged ? this.growLimit : this.settings.batchSize)
    const size = this.batches.size(partition)
    if (size >= this.settings.batchSize && (!backlogged || size >= this.growLimit || size > this.batches.batchLimit)) {
      this.batches.close(partition)
      this.pump()
    }
    this.armLinger()
    return partition
  }

  async afterChunk(): Promise<void> {
    // buffer.memory: wait for answers while too much is on its way.
    while (this.bufferedBytes > this.settings.bufferMemory && this.inFlight.size + this.retryWaits.size > 0) {
      this.pump()
      await Promise.race([...this.inFlight, ...this.retryWaits])
    }
  }

  async flush(): Promise<void> {
    if (this.lingerTimer) clearTimeout(this.lingerTimer)
    this.lingerTimer = undefined
    this.batches.closeAll()
    this.pump()
    while (this.inFlight.size + this.retryWaits.size > 0) {
      await Promise.race([...this.inFlight, ...this.retryWaits])
      this.pump()
    }
  }

  async close(): Promise<void> {
    if (this.closed) return
    await this.flush()
    this.closed = true
  }

  /** Idempotence: a partition's batches are numbered as they close (and marked transactional for a transactional producer). */
  private identity(partition: number, records: number): BatchIdentity {
    let baseSequence = -1
    if (this.idempotent) {
      baseSequence = this.nextSequence[partition] ?? 0
      this.nextSequence[partition] = nextSequence(baseSequence, records)
    }
    return { producerId: this.producerId, producerEpoch: this.producerEpoch, baseSequence, isTransactional: this.transactionalId !== null }
  }

  private queueClosed(b: ClosedBatch): void {
    this.ready[b.partition]?.push({
      partition: b.partition,
      bytes: b.bytes,
      records: b.records,
      order: this.batchOrder++,
      keyBytes: b.keyBytes,
      valueBytes: b.valueBytes,
      acked: b.acked,
      baseSequence: b.baseSequence,
      renumbered: undefined,
      attempts: 0,
    })
    this.readyCount++
    this.bufferedBytes += b.bytes.length
  }

  /** Starts requests while there is a slot: each takes the oldest ready batch of every partition that has one. */
  private pump(): void {
    const n = this.partitionCount
    if (this.inFlight.size < MAX_IN_FLIGHT) {
      // Batches that grew past batch.size while the slots were taken go now.
      for (let p = 0; p < n; p++) if (this.batches.size(p) >= this.settings.batchSize) this.batches.close(p)
    }
    while (this.readyCount > 0 && this.inFlight.size < MAX_IN_FLIGHT) {
      const batches: ReadyBatch[] = []
      let bytes = 0
      for (let i = 0; i < n; i++) {
        const p = (this.drainStart + i) % n
        const queue = this.ready[p]
        if (queue === undefined || queue.length === 0 || (this.retrying[p]?.size ?? 0) > 0) continue
        const b = queue[0]!
        if (batches.length > 0 && bytes + b.bytes.length > MAX_REQUEST_BYTES) break
        queue.shift()
        this.readyCount--
        batches.push(b)
        bytes += b.bytes.length
      }
      this.drainStart = (this.drainStart + 1) % n
      if (batches.length === 0) return
      for (const b of batches) this.unanswered[b.partition]?.add(b)
      const done = this.request(batches)
        .catch((err: unknown) => {
          // Not expected (request settles every batch itself), but no batch may vanish unreported.
          for (const b of batches) if (this.unanswered[b.partition]?.has(b)) this.retryOrFail(b, err, null)
        })
        .finally(() => {
          this.inFlight.delete(done)
          this.pump()
        })
      this.inFlight.add(done)
    }
  }

  /** Sends the batches to their partitions' leaders (one request per leader) and settles each batch. */
  private async request(batches: ReadyBatch[]): Promise<void> {
    let route: TopicRoute
    try {
      route = await this.cluster.route(this.topic)
    } catch (err) {
      for (const b of batches) this.retryOrFail(b, err, failureKind(err))
      return
    }
    const byLeader = new Map<number, ReadyBatch[]>()
    for (const b of batches) {
      const leader = route.leaders[b.partition] ?? -1
      const group = byLeader.get(leader)
      if (group === undefined) byLeader.set(leader, [b])
      else group.push(b)
    }
    await Promise.all(
      [...byLeader].map(async ([leader, group]) => {
        if (leader < 0) {
          this.forgetLeaders()
          const error = new KafkaError('LEADER_NOT_AVAILABLE')
          for (const b of group) this.retryOrFail(b, error, 'LEADER_NOT_AVAILABLE')
          return
        }
        let answers: Map<number, PartitionProduceResponse> | undefined
        try {
          answers = await this.produce(leader, group, route.topicId)
        } catch (err) {
          this.forgetLeaders()
          for (const b of group) this.retryOrFail(b, err, failureKind(err))
          return
        }
        if (answers === undefined) {
          for (const b of group) this.succeeded(b, -1)
          return
        }
        for (const b of group) {
          const answer = answers.get(b.partition)
          if (answer === undefined) {
            this.retryOrFail(b, new Error(`the broker did not answer for partition ${b.partition}`), undefined)
            continue
          }
          this.settle(b, answer)
        }
      }),
    )
  }

  /** One Produce request to broker `leader`; the answers by partition, or undefined with acks=0 (no answer). */
  private async produce(leader: number, batches: readonly ReadyBatch[], topicId: Buffer): Promise<Map<number, PartitionProduceResponse> | undefined> {
    const conn = await this.cluster.broker(leader)
    const encode = (w: Parameters<typeof encodeProduceRequest>[0], v: number) =>
      encodeProduceRequest(w, v, {
        transactionalId: this.transactionalId,
        acks: this.settings.acks,
        timeoutMs: this.cluster.settings.requestTimeoutMs,
        // The closed batches go by reference: the request's records sections are these very buffers.
        // Produce v13 names the topic by id only (the name is dropped), older versions by name only.
        topicData: [{ name: this.topic, topicId, partitionData: batches.map((b) => ({ index: b.partition, records: [b.bytes] })) }],
      })
    if (this.settings.acks === 0) {
      await conn.requestWithoutAnswer(ApiKey.Produce, encode)
      return undefined
    }
    const response = await conn.request(ApiKey.Produce, encode, decodeProduceResponse)
    const answers = new Map<number, PartitionProduceResponse>()
    for (const t of response.responses) if (t.name === this.topic || t.name === '') for (const p of t.partitionResponses) answers.set(p.index, p)
    return answers
  }

  private settle(b: ReadyBatch, answer: PartitionProduceResponse): void {
    const code = answer.errorCode
    if (code === 0) return this.succeeded(b, answer.baseOffset)
    const error = kafkaErrorForCode(code, answer.errorMessage)
    // A duplicate of a batch the broker already holds: Java treats it as written (at an offset it does not learn).
    if (error.errorName === 'DUPLICATE_SEQUENCE_NUMBER') return this.succeeded(b, -1)
    if (STALE_METADATA.has(error.errorName)) this.forgetLeaders()
    if (error.errorName === 'OUT_OF_ORDER_SEQUENCE_NUMBER' && b.renumbered !== undefined) {
      // An earlier batch failed for good and this one was numbered after it: send it again, renumbered.
      this.unanswered[b.partition]?.delete(b)
      this.requeue(b, 0)
      return
    }
    const retriable = error.retriable || (this.idempotent && error.errorName === 'OUT_OF_ORDER_SEQUENCE_NUMBER')
    this.retryOrFail(b, error, retriable ? error.errorName : null)
  }

  private succeeded(b: ReadyBatch, baseOffset: number): void {
    this.unanswered[b.partition]?.delete(b)
    this.bufferedBytes -= b.bytes.length
    this.sent += b.records
    if (b.acked !== undefined) {
      b.acked.baseOffset = baseOffset
      this.settings.onAcknowledged?.(b.acked)
    }
  }

  /**
   * A retriable failure is retried after retry.backoff.ms while attempts remain; otherwise the batch
   * fails. `kind`: the Kafka error's name when retriable, null when not, undefined for a failure to
   * talk to the broker at all (always retriable).
   */
  private retryOrFail(b: ReadyBatch, err: unknown, kind: string | null | undefined): void {
    this.unanswered[b.partition]?.delete(b)
    if (kind !== null && b.attempts < this.cluster.settings.retries && !this.closed) {
      b.attempts++
      this.requeue(b, this.cluster.backoffMs(b.attempts - 1))
      return
    }
    this.bufferedBytes -= b.bytes.length
    // Renumber only when the broker refused the batch: after lost connections or timeouts it may hold
    // it, and reusing its numbers would make the next batch look like a duplicate (dropped unwritten).
    const refused = err instanceof KafkaError && (kind === null || err.errorName === 'OUT_OF_ORDER_SEQUENCE_NUMBER')
    if (this.idempotent && refused) this.renumberAfter(b)
    const error = remoteFailure(err, this.cluster.settings.bootstrap)
    this.onFailure({ error, partition: b.partition, keyBytes: b.keyBytes, valueBytes: b.valueBytes, records: b.records })
  }

  /** Puts the batch back at the head of its partition's queue after `delayMs`; the partition sends nothing meanwhile. */
  private requeue(b: ReadyBatch, delayMs: number): void {
    const p = b.partition
    this.retrying[p]?.add(b)
    const wait = new Promise<void>((resolve) => {
      setTimeout(() => {
        if (b.renumbered !== undefined) {
          patchBaseSequence(b.bytes, b.renumbered)
          b.baseSequence = b.renumbered
          b.renumbered = undefined
        }
        const queue = this.ready[p]!
        let at = 0
        while (at < queue.length && queue[at]!.order < b.order) at++
        queue.splice(at, 0, b)
        this.readyCount++
        this.retrying[p]?.delete(b)
        this.retryWaits.delete(wait)
        resolve()
        this.pump()
      }, delayMs)
    })
    this.retryWaits.add(wait)
  }

  /**
   * An idempotent batch failed for good: the broker never took its sequence numbers, so every later
   * batch of the partition is renumbered from there (Java's adjustSequencesDueToFailedBatch). Batches
   * still in flight will be refused as out of order and are sent again with their new numbers.
   */
  private renumberAfter(failed: ReadyBatch): void {
    const p = failed.partition
    const later = [...(this.unanswered[p] ?? []), ...(this.retrying[p] ?? []), ...(this.ready[p] ?? [])]
      .filter((b) => b.order > failed.order)
      .sort((a, b) => a.order - b.order)
    let seq = failed.renumbered ?? failed.baseSequence
    for (const b of later) {
      // Bytes in flight or waiting to be retried are patched when they are queued again.
      if (this.unanswered[p]?.has(b) || this.retrying[p]?.has(b)) b.renumbered = seq
      else {
        patchBaseSequence(b.bytes, seq)
        b.baseSequence = seq
      }
      seq = nextSequence(seq, b.records)
    }
    this.nextSequence[p] = seq
  }

  private forgetLeaders(): void {
    this.cluster.forget(this.topic)
  }

  private armLinger(): void {
    if (this.lingerTimer) return
    this.lingerTimer = setTimeout(() => {
      this.lingerTimer = undefined
      if (this.inFlight.size >= MAX_IN_FLIGHT) {
        // Nothing could leave now: let the open batches keep filling until a slot is free.
        this.armLinger()
        return
      }
      this.batches.closeAll()
      this.pump()
    }, this.settings.lingerMs)
  }
}

/** retryOrFail's `kind` for an exception: a Kafka error by its retriable flag, a broken connection as retriable, a refused login not. */
function failureKind(err: unknown): string | null | undefined {
  if (err instanceof KafkaError) return err.retriable ? err.errorName : null
  if (err instanceof BrokerIoError && !err.retriable) return null
  return undefined
}

