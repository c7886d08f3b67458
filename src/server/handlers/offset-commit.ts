/**
 * OffsetCommit (8), v0–v8.
 * Behaviour: the coordinator validates the committer and stores the offsets durably (fsynced), with an
 * error per partition in request order: UNKNOWN_TOPIC_OR_PARTITION for a partition that does not exist,
 * the group-level outcome (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, REBALANCE_IN_PROGRESS, FENCED_INSTANCE_ID,
 * COORDINATOR_NOT_AVAILABLE) for every other partition, OFFSET_METADATA_TOO_LARGE for metadata longer than
 * offset.metadata.max.bytes. Generation -1 with no member id is a "simple" commit (admin tools, assign()ed
 * consumers), accepted while the group has no members and creating the group when unknown.
 * Version notes: v0 has no generation/member (a simple commit); v1 generation, member id and a commit
 * timestamp (ignored); v2–4 retention_time_ms (ignored: offsets.retention.minutes rules, as in Kafka 3);
 * v3 throttle_time_ms; v6 committed_leader_epoch; v7 group_instance_id; v8 flexible.
 * Differs from Apache Kafka: nothing known at the wire level.
 */
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeOffsetCommitRequest,
  encodeOffsetCommitResponse,
  type OffsetCommitRequest,
  type OffsetCommitResponseInput,
} from '../../protocol/messages/offset-commit.js'
import { defineHandler } from '../handler.js'

export const offsetCommitHandler = defineHandler<OffsetCommitRequest, OffsetCommitResponseInput>({
  apiKey: ApiKey.OffsetCommit,
  name: 'OffsetCommit',
  minVersion: 0,
  maxVersion: 8,
  decode: decodeOffsetCommitRequest,
  encode: encodeOffsetCommitResponse,
  handle(req, ctx) {
    const results = ctx.broker.groups.commitOffsets({
      groupId: req.groupId,
      generationId: req.generationIdOrMemberEpoch,
      memberId: req.memberId,
      groupInstanceId: req.groupInstanceId,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partition: p.partitionIndex,
          offset: p.committedOffset,
          leaderEpoch: p.committedLeaderEpoch,
          metadata: p.committedMetadata,
        })),
      })),
    })
    return {
      throttleTimeMs: 0,
      topics: results.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partition, errorCode: p.error?.code ?? 0 })),
      })),
    }
  },
})
