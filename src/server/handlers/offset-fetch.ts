/**
 * OffsetFetch (9), v1–v10 (v0 closes the connection since Kafka 4.0, KIP-896).
 * Behaviour: the committed offset, leader epoch and metadata of each requested partition; -1 / -1 / ''
 * with error 0 where nothing is committed (an unknown group or topic included). A null topic list (v2+)
 * returns every committed offset of the group. v8 batches groups: one entry per requested group, in
 * request order, each with its own error code.
 * Version notes: v1 has no top-level error (a group-level error goes to every partition); v2 top-level
 * error_code and null = all topics; v3 throttle_time_ms; v5 committed_leader_epoch; v6 flexible;
 * v7 require_stable; v8 groups[] replaces group_id/topics (and top-level error_code moves into each group);
 * v9 member id and epoch (KIP-848 groups only; classic groups ignore them); v10 names topics by id, an
 * unknown id → UNKNOWN_TOPIC_ID on each of its partitions.
 * Differs from Apache Kafka: require_stable is ignored — there are no transactional offset commits, so
 * nothing is ever pending (Kafka would answer UNSTABLE_OFFSET_COMMIT only while a transaction is open).
 */
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeOffsetFetchRequest,
  encodeOffsetFetchResponse,
  type OffsetFetchRequest,
  type OffsetFetchResponseInput,
  type OffsetFetchResponseGroupInput,
  type OffsetFetchResponsePartitionInput,
  type OffsetFetchResponsePartitionsInput,
} from '../../protocol/messages/offset-fetch.js'
import { ZERO_UUID } from '../../protocol/reader.js'
import { KafkaError } from '../../broker/kafka-error.js'
import type { OffsetFetchResult } from '../../broker/groups/types.js'
import { defineHandler, type RequestContext } from '../handler.js'

const UNKNOWN_TOPIC_ID = new KafkaError('UNKNOWN_TOPIC_ID').code

export const offsetFetchHandler = defineHandler<OffsetFetchRequest, OffsetFetchResponseInput>({
  apiKey: ApiKey.OffsetFetch,
  name: 'OffsetFetch',
  minVersion: 1,
  maxVersion: 10,
  decode: decodeOffsetFetchRequest,
  encode: encodeOffsetFetchResponse,
  handle(req, ctx) {
    const v = ctx.apiVersion
    if (v >= 10) return { throttleTimeMs: 0, groups: req.groups.map((g) => fetchByTopicId(ctx, g.groupId, g.topics)) }
    if (v >= 8) {
      return {
        throttleTimeMs: 0,
        groups: req.groups.map((g) => {
          const result = fetch(ctx, g.groupId, g.topics)
          return { groupId: g.groupId, errorCode: result.error?.code ?? 0, topics: result.topics.map((t) => ({ name: t.name, partitions: t.partitions.map(partition) })) }
        }),
      }
    }
    const result = fetch(ctx, req.groupId, req.topics)
    // Before v2 there is no top-level error: the group's error is reported on every partition.
    const groupError = v < 2 ? (result.error?.code ?? 0) : 0
    const res: OffsetFetchResponseInput = {
      throttleTimeMs: 0,
      topics: result.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map(
          (p): OffsetFetchResponsePartitionInput => ({
            partitionIndex: p.partition,
            committedOffset: p.offset,
            committedLeaderEpoch: p.leaderEpoch,
            metadata: p.metadata,
            errorCode: p.error?.code ?? groupError,
          }),
        ),
      })),
    }
    if (v >= 2) res.errorCode = result.error?.code ?? 0
    return res
  },
})

function fetch(
  ctx: RequestContext,
  groupId: string,
  topics: readonly { readonly name: string; readonly partitionIndexes: readonly number[] }[] | null,
): OffsetFetchResult {
  return ctx.broker.groups.fetchOffsets({
    groupId,
    topics: topics === null ? null : topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes })),
  })
}

type FetchedPartition = OffsetFetchResult['topics'][number]['partitions'][number]

function partition(p: FetchedPartition): OffsetFetchResponsePartitionsInput {
  return { partitionIndex: p.partition, committedOffset: p.offset, committedLeaderEpoch: p.leaderEpoch, metadata: p.metadata, errorCode: p.error?.code ?? 0 }
}

/** v10: topics asked for and answered by id; the group's offsets are kept by name, so ids are resolved both ways. */
function fetchByTopicId(
  ctx: RequestContext,
  groupId: string,
  topics: readonly { readonly topicId: Buffer; readonly partitionIndexes: readonly number[] }[] | null,
): OffsetFetchResponseGroupInput {
  const { broker } = ctx
  const names = topics?.map((t) => broker.findTopicByUuid(t.topicId)?.name)
  const known = topics === null ? null : topics.flatMap((t, i) => (names?.[i] === undefined ? [] : [{ name: names[i], partitionIndexes: t.partitionIndexes }]))
  const result = known !== null && known.length === 0 ? { error: undefined, topics: [] } : fetch(ctx, groupId, known)
  if (result.error !== undefined) return { groupId, errorCode: result.error.code, topics: [] }
  const answered = new Map(result.topics.map((t) => [t.name, t]))
  const entries =
    topics === null
      ? result.topics.map((t) => ({ topicId: broker.findTopic(t.name)?.uuid ?? ZERO_UUID, found: t, partitionIndexes: [] }))
      : topics.map((t, i) => ({ topicId: t.topicId, found: names?.[i] === undefined ? undefined : answered.get(names[i]), partitionIndexes: t.partitionIndexes }))
  return {
    groupId,
    errorCode: 0,
    topics: entries.map(({ topicId, found, partitionIndexes }) => ({
      topicId,
      partitions:
        found === undefined
          ? partitionIndexes.map((partitionIndex) => ({ partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: UNKNOWN_TOPIC_ID }))
          : found.partitions.map(partition),
    })),
  }
}
