import type { Durability, LogStore, OpenTxn, StableOffsets, TopicPartition, TopicRow } from '../storage/log-store.js'
import { StoreIoError } from '../storage/log-store.js'
import { recordTimestamps, validateBatch, type RecordTimestamps } from '../protocol/batch-records.js'
import { patchBaseOffset, patchMaxTimestamp, patchPartitionLeaderEpoch, readBatchHeader, stampLogAppendTime, type BatchHeader } from '../protocol/record-batch.js'
import { NO_TIMESTAMP } from '../protocol/record-batch-layout.js'
import { buildTxnMarkerBatch, readTxnMarker, type TxnMarker } from '../protocol/txn-marker.js'
import type { BrokerConfig } from './broker-config.js'
import { KafkaError, RecordValidationError, asKafkaError, fail, ok, type Outcome } from './kafka-error.js'
import { asBatchError, checkTimestamps, isCompacted, requireKeys } from './batch-validation.js'
import { maxTimestampOffset, offsetForTimestamp } from './offset-lookups.js'
import { LEADER_EPOCH } from './leader-epoch.js'
import { damagedLogError, servableBatches } from './log-damage.js'
import { PartitionProducerState, type ActiveProducer } from './producer-state.js'
import { effectiveTopicConfig, type DynamicBrokerConfigs } from './topic-configs.js'
import type { AppendResult, FetchedPartition, IsolationLevel, OffsetAndTimestamp, OffsetSpec } from './types.js'

export interface ProduceEntry {
  readonly topic: TopicRow
  readonly partition: number
  /** One RecordBatch v2 as the producer sent it; patched in place (base offset, leader epoch). */
  readonly batch: Buffer
}

/**
 * 'full' checks CRC and every record (bytes from a client); 'header' trusts the framing of batches this
 * process just built itself (the embedded producer) and reads only each record's timestamp, since the
 * stored max timestamp must come from the records whoever built the batch.
 */
export type BatchValidation = 'full' | 'header'

/** How far back (in offsets) the producer state of a partition is rebuilt from the log. */
const PRODUCER_STATE_REBUILD_OFFSETS = 100_000

/** The per-topic settings the write path consults; derived once per row object and dynamic broker configs. */
interface WriteSettings {
  readonly dynamic: DynamicBrokerConfigs
  readonly maxMessageBytes: number
  readonly segmentBytes: number
  readonly logAppendTime: boolean
  /** message.timestamp.before.max.ms / after.max.ms: how far a CreateTime record may lie behind or ahead of now. */
  readonly timestampBeforeMaxMs: number
  readonly timestampAfterMaxMs: number
  /** cleanup.policy includes compact: every record needs a key. */
  readonly compacted: boolean
}

export class PartitionLog {
  private readonly settings = new WeakMap<TopicRow, WriteSettings>()
  private readonly producerStates = new Map<string, PartitionProducerState>()

  constructor(
    private readonly store: LogStore,
    private readonly config: BrokerConfig,
    /** This node's dynamic broker configs (kafka-configs --entity-type brokers), consulted on every use. */
    private readonly dynamic: () => DynamicBrokerConfigs = () => ({}),
  ) {}

  /**
   * Validates and appends batches, all in one write transaction (one fsync for all of them when
   * `durability` is 'fsync': group commit). Offsets are assigned inside the transaction from the
   * stored high watermark, so concurrent writer processes never collide.
   */
  produce(entries: readonly ProduceEntry[], durability: Durability, validation: BatchValidation = 'full'): Outcome<AppendResult>[] {
    const results = new Array<Outcome<AppendResult>>(entries.length)
    const valid: { index: number; entry: ProduceEntry; header: CheckedBatch }[] = []
    entries.forEach((entry, index) => {
      try {
        valid.push({ index, entry, header: this.check(entry, validation) })
      } catch (err) {
        results[index] = fail(asKafkaError(err))
      }
    })
    if (valid.length === 0) return results
    try {
      this.store.atomically(() => {
        for (const { index, entry, header } of valid) {
          try {
            results[index] = ok(this.appendOne(entry, header))
          } catch (err) {
            // The store itself failed (disk full, lock, I/O): the transaction must roll back whole,
            // not commit the batches around a half-written one.
            if (err instanceof StoreIoError) throw err
            results[index] = fail(asKafkaError(err))
          }
        }
      }, durability)
    } catch (err) {
      if (!(err instanceof StoreIoError)) throw err
      // Nothing of the group was stored. The producer states recorded batches that are not in the
      // log: forget them (rebuilt from the log on next use), or a retry would pass for a duplicate.
      const failure = asKafkaError(err)
      for (const { index, entry } of valid) {
        results[index] = fail(failure)
        this.producerStates.delete(`${entry.topic.id}:${entry.partition}`)
      }
    }
    return results
  }

  /**
   * Writes a transaction's COMMIT or ABORT marker into each partition, the partition side of EndTxn (the
   * transaction coordinator calls it). Each partition gets one control batch (magic 2, control and
   * transactional attributes, the producer's id and epoch, base sequence -1, one record: key
   * ControlRecordType v0 {version 0, type 0 ABORT / 1 COMMIT}, value EndTxnMarker v0 {version 0,
   * coordinatorEpoch}), and the producer's open transaction there closes: the last stable offset moves
   * on, and an abort enters the aborted-transaction index. A marker for a producer with no open
   * transaction in the partition is still written (as Kafka does) and changes no state. A marker whose
   * producer epoch is older than the partition's last seen epoch of that producer is refused for that
   * partition with INVALID_PRODUCER_EPOCH, one whose coordinator epoch is older than that producer's last
   * marker's with TRANSACTION_COORDINATOR_FENCED; an unknown partition gets UNKNOWN_TOPIC_OR_PARTITION.
   *
   * All markers are written in one write transaction; called inside an outer `store.atomically` they
   * join it, so the coordinator's state change and every marker commit (or roll back) together. A
   * caller whose outer transaction then rolls back must call `forgetProducerStates` for the partitions.
   * A store failure (disk full, I/O) answers KAFKA_STORAGE_ERROR for every partition with nothing
   * written, or, inside an outer transaction, is thrown so that the caller rolls it back whole.
   * Results are in `partitions` order.
   */
  writeTxnMarkers(
    partitions: readonly { topic: TopicRow; partition: number }[],
    marker: { producerId: number; producerEpoch: number; commit: boolean; coordinatorEpoch: number },
    durability: Durability,
  ): Outcome<void>[] {
    const results = new Array<Outcome<void>>(partitions.length)
    const nested = this.store.inTransaction()
    try {
      this.store.atomically(() => {
        partitions.forEach(({ topic, partition }, index) => {
          try {
            this.appendMarker(this.partitionOf(topic, partition), marker)
            results[index] = ok(undefined)
          } catch (err) {
            if (err instanceof StoreIoError) throw err
            results[index] = fail(damagedLogError(err, topic.name, partition) ?? asKafkaError(err))
          }
        })
      }, durability)
    } catch (err) {
      this.forgetProducerStates(partitions)
      // Inside the caller's transaction the markers before the failure are in it: the caller must roll back.
      if (nested || !(err instanceof StoreIoError)) throw err
      results.fill(fail(asKafkaError(err)))
    }
    return results
  }

  /** Drops the cached producer states of these partitions (rebuilt from the log on next use), after a rolled-back write. */
  forgetProducerStates(partitions: readonly { topic: TopicRow; partition: number }[]): void {
    for (const { topic, partition } of partitions) this.producerStates.delete(`${topic.id}:${partition}`)
  }

  private appendMarker(tp: TopicPartition, marker: TxnMarker): void {
    const { highWatermark, logStartOffset } = this.store.offsets(tp)
    const producers = this.producerState(tp, logStartOffset, highWatermark)
    producers.checkMarker(marker.producerId, marker.producerEpoch, marker.coordinatorEpoch)
    const now = Date.now()
    const batch = buildTxnMarkerBatch(marker, now)
    patchBaseOffset(batch, highWatermark)
    patchPartitionLeaderEpoch(batch, LEADER_EPOCH)
    this.store.append(tp, { baseOffset: highWatermark, lastOffset: highWatermark, maxTimestamp: now, recordCount: 1, bytes: batch })
    this.store.endTxn(tp, marker.producerId, highWatermark, marker.commit)
    producers.recordMarker(marker.producerId, marker.producerEpoch, marker.coordinatorEpoch, now)
    producers.seenUpTo = highWatermark + 1
  }

  private check(entry: ProduceEntry, validation: BatchValidation): CheckedBatch {
    const { topic, partition, batch } = entry
    if (!Number.isInteger(partition) || partition < 0 || partition >= topic.partitionCount) {
      throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION')
    }
    const settings = this.writeSettings(topic)
    if (batch.length > settings.maxMessageBytes) {
      throw new KafkaError(
        'MESSAGE_TOO_LARGE',
        `The record batch size in the append to ${topic.name}-${partition} is ${batch.length} bytes which exceeds the maximum configured value of ${settings.maxMessageBytes}.`,
      )
    }
    if (batch.length > settings.segmentBytes) throw new KafkaError('RECORD_LIST_TOO_LARGE')
    let header: CheckedBatch
    try {
      if (validation === 'full') header = validateBatch(batch)
      else {
        const read = readBatchHeader(batch)
        header = { ...read, recordTimestamps: recordTimestamps(batch, read) }
      }
    } catch (err) {
      throw asBatchError(err)
    }
    if (header.isControl) throw new KafkaError('INVALID_RECORD', `Clients are not allowed to write control records in topic partition ${topic.name}-${partition}`)
    if (header.timestampType === 'LogAppendTime') {
      throw new RecordValidationError(
        Array.from({ length: header.recordCount }, (_, batchIndex) => ({
          batchIndex,
          message: 'Invalid timestamp type in message. Producer should not set timestamp type to LogAppendTime.',
        })),
        'INVALID_TIMESTAMP',
      )
    }
    if (!settings.logAppendTime) checkTimestamps(batch, header.recordTimestamps, settings, Date.now())
    if (settings.compacted) requireKeys(batch, `${topic.name}-${partition}`)
    return header
  }

  private appendOne(entry: ProduceEntry, header: CheckedBatch): AppendResult {
    const tp = { topicId: entry.topic.id, partition: entry.partition }
    const { highWatermark, logStartOffset } = this.store.offsets(tp)
    const batch = entry.batch
    const producers = header.producerId >= 0 ? this.producerState(tp, logStartOffset, highWatermark) : undefined
    if (producers) {
      const verdict = producers.check(header)
      // A retried batch already in the log: answer with its original offset, append nothing.
      if (verdict.kind === 'duplicate') return { baseOffset: verdict.baseOffset, logAppendTimeMs: -1, logStartOffset }
    }
    patchBaseOffset(batch, highWatermark)
    patchPartitionLeaderEpoch(batch, LEADER_EPOCH)
    let maxTimestamp: number
    let logAppendTimeMs = -1
    if (this.writeSettings(entry.topic).logAppendTime) {
      logAppendTimeMs = Date.now()
      maxTimestamp = logAppendTimeMs
      stampLogAppendTime(batch, logAppendTimeMs)
    } else {
      // The header's max timestamp is the producer's claim; retention and the time index rely on it, so
      // it is recomputed from the records (LogValidator's setMaxTimestamp): a header of -1, 0 or a far
      // future value must neither expire the batch early nor hide it, or later batches, from lookups.
      maxTimestamp = header.recordTimestamps.max
      patchMaxTimestamp(batch, maxTimestamp)
    }
    this.store.append(tp, {
      baseOffset: highWatermark,
      lastOffset: highWatermark + header.lastOffsetDelta,
      // Records without timestamps age from their append, as Kafka ages such a segment by its file's
      // modification time; the batch itself keeps saying NO_TIMESTAMP.
      maxTimestamp: maxTimestamp === NO_TIMESTAMP ? Date.now() : maxTimestamp,
      recordCount: header.recordCount,
      bytes: batch,
    })
    // One statement per transactional batch (none for the others): the first opens the transaction here.
    if (header.isTransactional && header.producerId >= 0) this.store.beginTxn(tp, header.producerId, header.producerEpoch, highWatermark)
    if (producers) {
      producers.record(header, highWatermark, maxTimestamp)
      producers.seenUpTo = highWatermark + header.lastOffsetDelta + 1
    }
    return { baseOffset: highWatermark, logAppendTimeMs, logStartOffset }
  }

  /**
   * Whole batches from the one containing `fromOffset`, bounded by `maxBytes` (the first batch always comes).
   * read_committed stops at the last stable offset and lists the aborted transactions the batches overlap.
   */
  read(
    topic: TopicRow,
    partition: number,
    fromOffset: number,
    maxBytes: number,
    opts: ReadOptions = {},
  ): Outcome<FetchedPartition> {
    const { maxBatches } = opts
    try {
      const tp = this.partitionOf(topic, partition)
      const committedOnly = opts.isolation === 'read_committed'
      // One read transaction for the offsets and the batches: a consumer's fetch is the hot path.
      const read = this.store.readWithOffsets(tp, fromOffset, { maxBytes, committedOnly, ...(maxBatches === undefined ? {} : { maxBatches }) })
      const { logStartOffset, highWatermark, lastStableOffset } = read
      if (fromOffset < logStartOffset || fromOffset > highWatermark) {
        return fail(
          new KafkaError(
            'OFFSET_OUT_OF_RANGE',
            `Fetch position ${fromOffset} is out of range for partition ${topic.name}-${partition} (log start offset ${logStartOffset}, log end offset ${highWatermark}).`,
          ),
        )
      }
      const batches = read.batches.length === 0 ? [] : servableBatches(read.batches, topic.name, partition)
      const aborted = committedOnly ? { abortedTransactions: read.abortedTxns.map(({ producerId, firstOffset }) => ({ producerId, firstOffset })) } : {}
      return ok({ batches, highWatermark, logStartOffset, lastStableOffset, ...aborted })
    } catch (err) {
      return fail(damagedLogError(err, topic.name, partition) ?? asKafkaError(err))
    }
  }

  offsets(topic: TopicRow, partition: number): Outcome<{ logStartOffset: number; highWatermark: number }> {
    return this.onPartition(topic, partition, (tp) => this.store.offsets(tp))
  }

  /** The idempotent producers with batches in the partition's recent log (DescribeProducers). */
  activeProducers(topic: TopicRow, partition: number): Outcome<ActiveProducer[]> {
    return this.onPartition(topic, partition, (tp) => {
      const { logStartOffset, highWatermark } = this.store.offsets(tp)
      return this.producerState(tp, logStartOffset, highWatermark).activeProducers()
    })
  }

  /** The partition's offsets with its last stable offset (first offset of the oldest open transaction, else the high watermark). */
  stableOffsets(topic: TopicRow, partition: number): Outcome<StableOffsets> {
    return this.onPartition(topic, partition, (tp) => this.store.stableOffsets(tp))
  }

  /** The partition's open transactions, oldest first (DescribeProducers, find-hanging). */
  openTxns(topic: TopicRow, partition: number): Outcome<OpenTxn[]> {
    return this.onPartition(topic, partition, (tp) => this.store.openTxns(tp))
  }

  /** `work` on an existing partition, with Kafka's error for an unknown one and the damaged-log error for a bad page. */
  private onPartition<T>(topic: TopicRow, partition: number, work: (tp: TopicPartition) => T): Outcome<T> {
    try {
      return ok(work(this.partitionOf(topic, partition)))
    } catch (err) {
      return fail(damagedLogError(err, topic.name, partition) ?? asKafkaError(err))
    }
  }

  /**
   * ListOffsets semantics: latest = high watermark (read_committed: the last stable offset), earliest = log
   * start, a timestamp = first record at or after it.
   */
  listOffset(topic: TopicRow, partition: number, spec: OffsetSpec, isolation: IsolationLevel = 'read_uncommitted'): Outcome<OffsetAndTimestamp> {
    return this.onPartition(topic, partition, (tp) => {
      if (spec === 'latest' && isolation === 'read_committed') return { offset: this.store.stableOffsets(tp).lastStableOffset, timestamp: -1 }
      const { logStartOffset, highWatermark } = this.store.offsets(tp)
      if (spec === 'latest') return { offset: highWatermark, timestamp: -1 }
      if (spec === 'earliest') return { offset: logStartOffset, timestamp: -1 }
      if (spec === 'max-timestamp') return maxTimestampOffset(this.store, tp, logStartOffset)
      const found = offsetForTimestamp(this.store, tp, spec, logStartOffset)
      // Kafka's Partition.fetchOffsetForTimestamp: read_committed finds only offsets below the last stable offset.
      if (isolation === 'read_committed' && found.offset >= 0 && found.offset >= this.store.stableOffsets(tp).lastStableOffset) return { offset: -1, timestamp: -1 }
      return found
    })
  }

  /**
   * The partition's producer state, rebuilt from the recent log on first use and brought up to the high
   * watermark on every use: other processes (embedded producers, a server, the transactions tool's markers)
   * append to the same log, and their batches must count for sequence, epoch and transaction checks here.
   * This process's own appends keep `seenUpTo` current, so the catch-up reads only what others wrote.
   */
  private producerState(tp: TopicPartition, logStartOffset: number, highWatermark: number): PartitionProducerState {
    const key = `${tp.topicId}:${tp.partition}`
    let state = this.producerStates.get(key)
    if (state === undefined || state.seenUpTo > highWatermark) {
      state = new PartitionProducerState()
      state.seenUpTo = Math.max(logStartOffset, highWatermark - PRODUCER_STATE_REBUILD_OFFSETS)
      this.producerStates.set(key, state)
    }
    let from = Math.max(state.seenUpTo, logStartOffset)
    while (from < highWatermark) {
      const batches = this.store.read(tp, from, { maxBytes: 16 << 20, maxBatches: 5000 })
      const last = batches[batches.length - 1]
      if (!last) break
      for (const b of batches) {
        // A read starts at the batch holding `from`: one this state has seen already is not counted twice.
        if (b.baseOffset < from) continue
        const h = readBatchHeader(b.bytes)
        if (h.producerId < 0) continue
        if (!h.isControl) state.record(h, b.baseOffset, h.maxTimestamp)
        else {
          const marker = readTxnMarker(b.bytes)
          if (marker !== undefined) state.recordMarker(h.producerId, h.producerEpoch, marker.coordinatorEpoch, h.maxTimestamp)
        }
      }
      from = last.lastOffset + 1
    }
    state.seenUpTo = highWatermark
    return state
  }

  private partitionOf(topic: TopicRow, partition: number): TopicPartition {
    if (!Number.isInteger(partition) || partition < 0 || partition >= topic.partitionCount) {
      throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION')
    }
    return { topicId: topic.id, partition }
  }

  private writeSettings(topic: TopicRow): WriteSettings {
    const dynamic = this.dynamic()
    let s = this.settings.get(topic)
    if (s?.dynamic !== dynamic) {
      const get = (name: string) => effectiveTopicConfig(name, topic.configs, this.config, dynamic)
      s = {
        dynamic,
        maxMessageBytes: Number(get('max.message.bytes')),
        segmentBytes: Number(get('segment.bytes')),
        logAppendTime: get('message.timestamp.type') === 'LogAppendTime',
        timestampBeforeMaxMs: Number(get('message.timestamp.before.max.ms')),
        timestampAfterMaxMs: Number(get('message.timestamp.after.max.ms')),
        compacted: isCompacted(get('cleanup.policy')),
      }
      this.settings.set(topic, s)
    }
    return s
  }
}

/** Bounds and isolation of a consumer's read. */
export interface ReadOptions {
  /** At most this many batches (default: as many as `maxBytes` allows). */
  readonly maxBatches?: number
  /** Default read_uncommitted. */
  readonly isolation?: IsolationLevel
}

/** A batch that passed the checks, with the timestamps its records carry. */
interface CheckedBatch extends BatchHeader {
  readonly recordTimestamps: RecordTimestamps
}
