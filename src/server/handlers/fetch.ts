/**
 * Fetch (1), v4–v18 (magic-2 batches served verbatim, no down-conversion; v0–3 close the connection, KIP-896).
 * Behaviour: stored batches are returned as stored bytes — never decoded — starting with the batch
 * that holds fetch_offset (it may start earlier; clients skip), within partition_max_bytes and
 * max_bytes, except that the first partition with data always gets its first batch whole.
 * fetch_offset outside [log start, log end] → OFFSET_OUT_OF_RANGE with -1 offsets; unknown
 * topic/partition → UNKNOWN_TOPIC_OR_PARTITION. Fewer than min_bytes available → wait up to
 * max_wait_ms, woken by appends from this server or other processes on the data directory.
 * ZSTD batches to v4–v9 fetchers → UNSUPPORTED_COMPRESSION_TYPE.
 * Fetch sessions: this broker behaves like Kafka with max.incremental.fetch.session.cache.slots=0.
 * A full fetch (session_epoch 0 or -1, whatever the session id) is served and answered with
 * session id 0, so a client asking to open a session (epoch 0) learns none was created; an
 * incremental fetch (any other epoch) names a session that cannot exist → top-level
 * FETCH_SESSION_ID_NOT_FOUND with no topics, as Kafka's SessionErrorContext answers.
 * Version notes: v12+ flexible. v13+ topics are named by topic id, in the request and the
 * response; an unknown id → UNKNOWN_TOPIC_ID per partition. v15+ replica_state is ignored (only
 * followers send one; consumers send replica id -1), and with it v18's follower high watermark (KIP-1166). The v12+ tagged partition fields (diverging
 * epoch, current leader, snapshot id) and v16+ node_endpoints stay at their defaults: a single node
 * never reports divergence, a leader change or NOT_LEADER_OR_FOLLOWER.
 * Transactions: last_stable_offset is the first offset of the partition's oldest open transaction (else
 * the high watermark) at both isolation levels. isolation_level 1 (read_committed) returns whole batches
 * below it only, and aborted_transactions lists the aborted transactions whose ABORT marker is at or after
 * fetch_offset and whose first offset lies before the end of the returned batches ([] without batches);
 * read_uncommitted answers null there, as Kafka does. A read_committed long poll wakes when a marker moves
 * the last stable offset.
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
import type { TopicRow } from '../../broker/records.js'
import { KafkaError } from '../../broker/kafka-error.js'
import { EMPTY_BYTES } from '../../protocol/reader.js'
import { defineHandler } from '../handler.js'

const ZSTD = 4
const NO_LIMIT = 0x7fffffff
/** FetchMetadata.INITIAL_EPOCH and FINAL_EPOCH: the two epochs of a full (non-incremental) fetch. */
const INITIAL_EPOCH = 0
const FINAL_EPOCH = -1
const FIRST_TOPIC_ID_VERSION = 13

export const fetchHandler = defineHandler<FetchRequest, FetchResponseInput>({
  apiKey: ApiKey.Fetch,
  name: 'Fetch',
  minVersion: 4,
  maxVersion: 18,
  decode: decodeFetchRequest,
  encode: encodeFetchResponse,
  async handle(req, ctx) {
    const { broker, apiVersion } = ctx
    if (req.sessionEpoch !== INITIAL_EPOCH && req.sessionEpoch !== FINAL_EPOCH) {
      return { throttleTimeMs: 0, errorCode: new KafkaError('FETCH_SESSION_ID_NOT_FOUND').code, sessionId: 0, responses: [] }
    }
    const byId = apiVersion >= FIRST_TOPIC_ID_VERSION
    const rows: (TopicRow | undefined)[] = req.topics.map((t) => (byId ? broker.findTopicByUuid(t.topicId) : broker.findTopic(t.topic)))
    const specs: FetchPartitionSpec[] = []
    req.topics.forEach((t, i) => {
      for (const p of t.partitions) {
        specs.push({ topic: rows[i], partition: p.partition, fetchOffset: p.fetchOffset, partitionMaxBytes: Math.max(0, p.partitionMaxBytes) })
      }
    })
    const results = await broker.fetch(
      {
        partitions: specs,
        maxBytes: Math.min(req.maxBytes > 0 ? req.maxBytes : NO_LIMIT, broker.config.fetchMaxBytes),
        minBytes: req.minBytes,
        maxWaitMs: Math.max(0, req.maxWaitMs),
        isolation: req.isolationLevel === 1 ? 'read_committed' : 'read_uncommitted',
      },
      ctx.signal,
    )
    let at = 0
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: req.topics.map((t, i) => {
        // A topic id Kafka does not know is its own error, not UNKNOWN_TOPIC_OR_PARTITION.
        const unknownId = byId && rows[i] === undefined ? new KafkaError('UNKNOWN_TOPIC_ID') : undefined
        const partitions = t.partitions.map((p): PartitionDataInput => {
          const r = results[at++]
          let error = unknownId ?? (r && !r.ok ? r.error : undefined)
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
            lastStableOffset: value.lastStableOffset,
            logStartOffset: value.logStartOffset,
            abortedTransactions: value.abortedTransactions ?? null,
            preferredReadReplica: -1,
            // Kafka sends empty (size 0) records, never null: librdkafka refuses a MessageSetSize of -1.
            records: value.batches.length > 0 ? value.batches : EMPTY_BYTES,
          }
        })
        // v13+ responses carry the id the client asked with (unknown ones included) and no name.
        return byId ? { topicId: t.topicId, partitions } : { topic: t.topic, partitions }
      }),
    }
  },
})
