/**
 * Fetch (1), v4–v11 (magic-2 batches served verbatim, no down-conversion).
 * Behaviour: stored batches are returned as stored bytes — never decoded — starting with the batch
 * that holds fetch_offset (it may start earlier; clients skip), within partition_max_bytes and
 * max_bytes, except that the first partition with data always gets its first batch whole.
 * fetch_offset outside [log start, log end] → OFFSET_OUT_OF_RANGE with -1 offsets; unknown
 * topic/partition → UNKNOWN_TOPIC_OR_PARTITION. Fewer than min_bytes available → wait up to
 * max_wait_ms, woken by appends from this server or other processes on the data directory.
 * ZSTD batches to v4–v9 fetchers → UNSUPPORTED_COMPRESSION_TYPE.
 * Differs from Apache Kafka: no incremental fetch sessions (session id is always 0, as the target
 * clients ask); no transactions, so last_stable_offset = high watermark and no aborted transactions.
 */
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeFetchRequest,
  encodeFetchResponse,
  type FetchRequest,
  type FetchResponseInput,
  type PartitionDataInput,
} from '../../protocol/messages/fetch.js'
import type { FetchPartitionSpec } from '../../broker/broker.js'
import { KafkaError } from '../../broker/kafka-error.js'
import { EMPTY_BYTES } from '../../protocol/reader.js'
import { defineHandler } from '../handler.js'

const ZSTD = 4
const NO_LIMIT = 0x7fffffff

export const fetchHandler = defineHandler<FetchRequest, FetchResponseInput>({
  apiKey: ApiKey.Fetch,
  name: 'Fetch',
  minVersion: 4,
  maxVersion: 11,
  decode: decodeFetchRequest,
  encode: encodeFetchResponse,
  async handle(req, ctx) {
    const { broker, apiVersion } = ctx
    const specs: FetchPartitionSpec[] = []
    for (const t of req.topics) {
      const row = broker.findTopic(t.topic)
      for (const p of t.partitions) {
        specs.push({ topic: row, partition: p.partition, fetchOffset: p.fetchOffset, partitionMaxBytes: Math.max(0, p.partitionMaxBytes) })
      }
    }
    const results = await broker.fetch(
      {
        partitions: specs,
        maxBytes: Math.min(req.maxBytes > 0 ? req.maxBytes : NO_LIMIT, broker.config.fetchMaxBytes),
        minBytes: req.minBytes,
        maxWaitMs: Math.max(0, req.maxWaitMs),
      },
      ctx.signal,
    )
    let at = 0
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: req.topics.map((t) => ({
        topic: t.topic,
        partitions: t.partitions.map((p): PartitionDataInput => {
          const r = results[at++]
          let error = r && !r.ok ? r.error : undefined
          const value = r?.ok ? r.value : undefined
          if (value && apiVersion < 10 && value.batches.some((b) => (b.readInt16BE(21) & 0x07) === ZSTD)) {
            error = new KafkaError('UNSUPPORTED_COMPRESSION_TYPE')
          }
          if (error || !value) {
            return {
              partitionIndex: p.partition,
              errorCode: (error ?? new KafkaError('UNKNOWN_SERVER_ERROR')).code,
              highWatermark: -1,
              lastStableOffset: -1,
              logStartOffset: -1,
              abortedTransactions: [],
              preferredReadReplica: -1,
              records: EMPTY_BYTES,
            }
          }
          return {
            partitionIndex: p.partition,
            errorCode: 0,
            highWatermark: value.highWatermark,
            lastStableOffset: value.highWatermark,
            logStartOffset: value.logStartOffset,
            abortedTransactions: [],
            preferredReadReplica: -1,
            // Kafka sends empty (size 0) records, never null: librdkafka refuses a MessageSetSize of -1.
            records: value.batches.length > 0 ? value.batches : EMPTY_BYTES,
          }
        }),
      })),
    }
  },
})
