// Committed offsets: OffsetCommit validation (Kafka's ClassicGroup.validateOffsetCommit and
// OffsetMetadataManager.commitOffset), OffsetFetch, OffsetDelete, and offsets.retention.minutes expiry
// (OffsetExpirationCondition of ClassicGroup). Offsets are keyed by topic id, so deleting a topic
// removes its committed offsets with it.

import type { CommittedOffsetRow, LogStore, TopicRow } from '../../storage/log-store.js'
import type { BrokerConfig } from '../broker-config.js'
import type { ErrorName } from '../../protocol/error-codes.js'
import { KafkaError } from '../kafka-error.js'
import type { ClassicGroup } from './classic-group.js'
import { validateMember } from './membership.js'
import type { CommittedOffset, OffsetCommitRequest, OffsetFetchRequest, OffsetFetchResult, PartitionResult, TopicPartitionsResult } from './types.js'

/** Resolves topic names once per request; undefined for a topic that does not exist. */
export class TopicLookup {
  private readonly byName = new Map<string, TopicRow | undefined>()
  private readonly byId = new Map<number, TopicRow | undefined>()

  constructor(private readonly store: LogStore) {}

  named(name: string): TopicRow | undefined {
    if (!this.byName.has(name)) this.byName.set(name, this.store.findTopic(name))
    return this.byName.get(name)
  }

  withId(id: number): TopicRow | undefined {
    if (!this.byId.has(id)) this.byId.set(id, this.store.findTopicById(id))
    return this.byId.get(id)
  }

  partitionExists(name: string, partition: number): boolean {
    const topic = this.named(name)
    return topic !== undefined && Number.isInteger(partition) && partition >= 0 && partition < topic.partitionCount
  }
}

/** Group-level checks of an OffsetCommit; the error applies to every partition. */
export function validateOffsetCommit(group: ClassicGroup, req: OffsetCommitRequest): ErrorName | undefined {
  // generation -1: an admin client or a consumer without group management; allowed while Empty.
  if (req.generationId < 0 && group.state === 'Empty') return undefined
  if (req.generationId >= 0 || req.memberId !== '' || req.groupInstanceId !== null) {
    const invalid = validateMember(group, req.memberId, req.groupInstanceId)
    if (invalid !== undefined) return invalid
    if (req.generationId !== group.generationId) return 'ILLEGAL_GENERATION'
  } else if (group.state !== 'Empty') {
    return 'UNKNOWN_MEMBER_ID'
  }
  // The member knows the new generation (it has its JoinGroup answer) but not its assignment yet.
  if (group.state === 'CompletingRebalance') return 'REBALANCE_IN_PROGRESS'
  return undefined
}

/**
 * Stores the partitions that pass; `groupError` (from validateOffsetCommit) fails every partition of
 * an existing topic. Results in request order.
 */
export function commitOffsets(
  store: LogStore,
  topics: TopicLookup,
  groupId: string,
  req: OffsetCommitRequest,
  groupError: ErrorName | undefined,
  nowMs: number,
  config: BrokerConfig,
): TopicPartitionsResult[] {
  return req.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p): PartitionResult => {
      const error = ((): ErrorName | undefined => {
        if (!topics.partitionExists(t.name, p.partition)) return 'UNKNOWN_TOPIC_OR_PARTITION'
        if (groupError !== undefined) return groupError
        // Java compares String.length(), i.e. UTF-16 code units, as JavaScript's length does.
        if (p.metadata !== null && p.metadata.length > config.offsetMetadataMaxBytes) return 'OFFSET_METADATA_TOO_LARGE'
        return undefined
      })()
      if (error === undefined) {
        store.groups.putOffset({
          groupId,
          topicId: topics.named(t.name)!.id,
          partition: p.partition,
          offset: p.offset,
          leaderEpoch: p.leaderEpoch,
          metadata: p.metadata ?? '',
          commitTimestampMs: nowMs,
        })
      }
      return { partition: p.partition, error: error === undefined ? undefined : new KafkaError(error) }
    }),
  }))
}

/** Whether any partition of the request names an existing topic partition (Kafka filters the rest first). */
export function hasKnownPartition(topics: TopicLookup, req: OffsetCommitRequest): boolean {
  return req.topics.some((t) => t.partitions.some((p) => topics.partitionExists(t.name, p.partition)))
}

export function fetchOffsets(rows: readonly CommittedOffsetRow[], topics: TopicLookup, req: OffsetFetchRequest): OffsetFetchResult {
  if (req.topics === null) {
    const byTopic = new Map<string, OffsetFetchResult['topics'][number]['partitions'][number][]>()
    for (const row of rows) {
      const name = topics.withId(row.topicId)?.name
      if (name === undefined) continue
      const list = byTopic.get(name) ?? []
      list.push({ partition: row.partition, offset: row.offset, leaderEpoch: row.leaderEpoch, metadata: row.metadata, error: undefined })
      byTopic.set(name, list)
    }
    return {
      error: undefined,
      topics: [...byTopic.keys()].sort().map((name) => ({ name, partitions: byTopic.get(name)!.sort((a, b) => a.partition - b.partition) })),
    }
  }
  const index = new Map(rows.map((r) => [`${r.topicId}:${r.partition}`, r]))
  return {
    error: undefined,
    topics: req.topics.map((t) => {
      const topic = topics.named(t.name)
      return {
        name: t.name,
        partitions: t.partitions.map((partition) => {
          const row = topic === undefined ? undefined : index.get(`${topic.id}:${partition}`)
          return row === undefined
            ? { partition, offset: -1, leaderEpoch: -1, metadata: '', error: undefined }
            : { partition, offset: row.offset, leaderEpoch: row.leaderEpoch, metadata: row.metadata, error: undefined }
        }),
      }
    }),
  }
}

export function namedOffsets(rows: readonly CommittedOffsetRow[], topics: TopicLookup): CommittedOffset[] {
  const out: CommittedOffset[] = []
  for (const row of rows) {
    const topic = topics.withId(row.topicId)?.name
    if (topic === undefined) continue
    out.push({ topic, partition: row.partition, offset: row.offset, leaderEpoch: row.leaderEpoch, metadata: row.metadata, commitTimestampMs: row.commitTimestampMs })
  }
  return out.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition))
}

export interface RetentionConfig {
  readonly retentionMs: number
  /** Kafka deletes an Empty group without offsets at its next cleanup run, which comes this often. */
  readonly checkIntervalMs: number
}

export function retentionConfigOf(config: BrokerConfig): RetentionConfig {
  return { retentionMs: config.offsetsRetentionMinutes * 60_000, checkIntervalMs: config.offsetsRetentionCheckIntervalMs }
}

/** Whether this group's offsets can expire by time alone (so its rows are worth reading on every touch). */
export function retentionApplies(group: ClassicGroup): boolean {
  return group.state === 'Empty' || group.protocolType === null
}

/**
 * Removes the group's expired offsets, and marks an Empty group with no offsets left for deletion
 * (Kafka's cleanupGroupMetadata). `rows` are the group's offsets; returns the rows that remain.
 */
export function expireOffsets(
  store: LogStore,
  topics: TopicLookup,
  group: ClassicGroup,
  rows: readonly CommittedOffsetRow[],
  nowMs: number,
  retention: RetentionConfig,
): CommittedOffsetRow[] {
  const expired = (row: CommittedOffsetRow): boolean => {
    if (group.protocolType === null) return row.commitTimestampMs + retention.retentionMs <= nowMs
    // A group that used group management: offsets expire once it has been Empty for the retention period.
    if (group.state === 'Empty') return group.stateTimestampMs + retention.retentionMs <= nowMs
    if (group.state === 'Stable') {
      // Consumers are active: only offsets of topics nobody subscribes to any more can expire.
      const subscribed = group.subscribedTopics()
      if (subscribed === undefined) return false
      const name = topics.withId(row.topicId)?.name
      return name !== undefined && !subscribed.has(name) && row.commitTimestampMs + retention.retentionMs <= nowMs
    }
    return false
  }
  const kept: CommittedOffsetRow[] = []
  for (const row of rows) {
    if (expired(row)) store.groups.deleteOffset(group.groupId, row)
    else kept.push(row)
  }
  if (group.state === 'Empty' && kept.length === 0 && group.pending.size === 0) {
    const allExpired = rows.length > 0
    if (allExpired || group.stateTimestampMs + retention.checkIntervalMs <= nowMs) group.markDeleted()
  }
  return kept
}

/** When the retention rules next need evaluating for this group, or null. */
export function retentionDueMs(group: ClassicGroup, rows: readonly CommittedOffsetRow[], retention: RetentionConfig): number | null {
  if (!retentionApplies(group)) return null
  if (rows.length === 0) return group.state === 'Empty' && group.pending.size === 0 ? group.stateTimestampMs + retention.checkIntervalMs : null
  if (group.protocolType !== null) return group.stateTimestampMs + retention.retentionMs
  let oldest = Infinity
  for (const row of rows) oldest = Math.min(oldest, row.commitTimestampMs)
  return oldest + retention.retentionMs
}
