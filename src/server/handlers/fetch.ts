/**
 * Fetch (1), v4–v18 (magic-2 batches served verbatim, no down-conversion; v0–3 close the connection, KIP-896).
 * Behaviour: stored batches are returned as stored bytes — never decoded — starting with the batch
 * that holds fetch_offset (it may start earlier; clients skip), within partition_max_bytes and
 * max_bytes, except that the first partition with data always gets its first batch whole.
 * fetch_offset outside [log start, log end] → OFFSET_OUT_OF_RANGE with -1 offsets; unknown
 * topic/partition → UNKNOWN_TOPIC_OR_PARTITION. Fewer than min_bytes available → wait up to
 * max_wait_ms, woken by appends from this server or other processes on the data directory.
 * ZSTD batches to v4–v9 fetchers → UNSUPPORTED_COMPRESSION_TYPE.
 * Fetch sessions (KIP-227) as Kafka keeps them (server/fetch-sessions.ts): epoch 0 opens one, later
 * epochs name only changed partitions and are answered with only the partitions that have news;
 * session errors (FETCH_SESSION_ID_NOT_FOUND, INVALID_FETCH_SESSION_EPOCH, FETCH_SESSION_TOPIC_ID_ERROR)
 * are top-level with no topics, as Kafka's SessionErrorContext answers. A partition's
 * current_leader_epoch other than -1 or ours (0) → FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH for it.
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
import type { FetchPartitionResult, FetchPartitionSpec } from '../../broker/broker.js'
import type { TopicRow } from '../../broker/records.js'
import { KafkaError } from '../../broker/kafka-error.js'
import { leaderEpochError } from '../../broker/leader-epoch.js'
import { EMPTY_BYTES } from '../../protocol/reader.js'
import type { SessionPartition } from '../fetch-sessions.js'
import { defineHandler } from '../handler.js'

const ZSTD = 4
const NO_LIMIT = 0x7fffffff
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
    const byId = apiVersion >= FIRST_TOPIC_ID_VERSION
    const session = ctx.fetchSessions.context(req, byId)
    if (!session.ok) return { throttleTimeMs: 0, errorCode: session.error.code, sessionId: 0, responses: [] }
    const rows: (TopicRow | undefined)[] = session.topics.map((t) => (byId ? broker.findTopicByUuid(t.topicId) : broker.findTopic(t.topic)))
    const specs: FetchPartitionSpec[] = []
    const fenced: (KafkaError | undefined)[] = []
    session.topics.forEach((t, i) => {
      const row = rows[i]
      for (const p of t.partitions) {
        // A fenced partition is not read (no topic: the broker answers at once, as for an unknown one).
        const epochError = row !== undefined && p.partition >= 0 && p.partition < row.partitionCount ? leaderEpochError(p.currentLeaderEpoch) : undefined
        fenced.push(epochError)
        specs.push({ topic: epochError ? undefined : row, partition: p.partition, fetchOffset: p.fetchOffset, partitionMaxBytes: Math.max(0, p.partitionMaxBytes) })
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
    const responses: FetchResponseInput['responses'][number][] = []
    session.topics.forEach((t, i) => {
      // A topic id Kafka does not know is its own error, not UNKNOWN_TOPIC_OR_PARTITION.
      const unknownId = byId && rows[i] === undefined ? new KafkaError('UNKNOWN_TOPIC_ID') : undefined
      const partitions: PartitionDataInput[] = []
      for (const p of t.partitions) {
        const r = results[at]
        const data = partitionData(p, unknownId ?? fenced[at], r, apiVersion)
        at++
        if (session.incremental && !hasNews(p, data)) continue
        // What the client now knows (after an error, -1: the partition is named again once it reads).
        p.highWatermark = data.highWatermark
        p.logStartOffset = data.logStartOffset
        partitions.push(data)
      }
      // v13+ responses carry the id the client asked with (unknown ones included) and no name.
      if (partitions.length > 0 || !session.incremental) responses.push(byId ? { topicId: t.topicId, partitions } : { topic: t.topic, partitions })
    })
    return { throttleTimeMs: 0, errorCode: 0, sessionId: session.sessionId, responses }
  },
})

/** A partition's answer, with the fields a session compares always set. */
interface PartitionAnswer extends PartitionDataInput {
  readonly logStartOffset: number
  readonly records: Buffer | readonly Buffer[]
}

/** One partition's answer. */
function partitionData(p: SessionPartition, error: KafkaError | undefined, r: FetchPartitionResult | undefined, apiVersion: number): PartitionAnswer {
  error ??= r && !r.ok ? r.error : undefined
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
}

/** Kafka's CachedPartition.maybeUpdateResponseData: whether an incremental answer names this partition. */
function hasNews(p: SessionPartition, data: PartitionAnswer): boolean {
  return data.errorCode !== 0 || data.records.length > 0 || data.highWatermark !== p.highWatermark || data.logStartOffset !== p.logStartOffset
}
