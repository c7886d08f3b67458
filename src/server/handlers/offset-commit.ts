/**
 * OffsetCommit (8), v2–v10 (v0–1 close the connection since Kafka 4.0, KIP-896).
 * Behaviour: the coordinator validates the committer and stores the offsets durably (fsynced), with an
 * error per partition in request order: UNKNOWN_TOPIC_OR_PARTITION for a partition that does not exist,
 * the group-level outcome (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, REBALANCE_IN_PROGRESS, FENCED_INSTANCE_ID,
 * COORDINATOR_NOT_AVAILABLE) for every other partition, OFFSET_METADATA_TOO_LARGE for metadata longer than
 * offset.metadata.max.bytes. Generation -1 with no member id is a "simple" commit (admin tools, assign()ed
 * consumers), accepted while the group has no members and creating the group when unknown.
 * Version notes: v2–4 retention_time_ms (ignored: offsets.retention.minutes rules, as in Kafka 3);
 * v3 throttle_time_ms; v6 committed_leader_epoch; v7 group_instance_id; v8 flexible; v9 is v8 for classic
 * groups (its member epoch only means something to KIP-848 groups); v10 names topics by id: an unknown id
 * gets UNKNOWN_TOPIC_ID on each of its partitions and is left out of the commit, as Kafka does.
 * Differs from Apache Kafka: nothing known at the wire level.
 */
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeOffsetCommitRequest,
  encodeOffsetCommitResponse,
  type OffsetCommitRequest,
  type OffsetCommitResponseInput,
} from '../../protocol/messages/offset-commit.js'
import { KafkaError } from '../../broker/kafka-error.js'
import { defineHandler } from '../handler.js'

const UNKNOWN_TOPIC_ID = new KafkaError('UNKNOWN_TOPIC_ID').code

export const offsetCommitHandler = defineHandler<OffsetCommitRequest, OffsetCommitResponseInput>({
  apiKey: ApiKey.OffsetCommit,
  name: 'OffsetCommit',
  minVersion: 2,
  maxVersion: 10,
  decode: decodeOffsetCommitRequest,
  encode: encodeOffsetCommitResponse,
  handle(req, ctx) {
    const byId = ctx.apiVersion >= 10
    const names = req.topics.map((t) => (byId ? ctx.broker.findTopicByUuid(t.topicId)?.name : t.name))
    const known = req.topics.flatMap((t, i) => (names[i] === undefined ? [] : [{ ...t, name: names[i] }]))
    // Kafka does not reach the coordinator when no topic is left to commit.
    const results = known.length === 0 ? [] : ctx.broker.groups.commitOffsets({
      groupId: req.groupId,
      generationId: req.generationIdOrMemberEpoch,
      memberId: req.memberId,
      groupInstanceId: req.groupInstanceId,
      topics: known.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partition: p.partitionIndex,
          offset: p.committedOffset,
          leaderEpoch: p.committedLeaderEpoch,
          metadata: p.committedMetadata,
        })),
      })),
    })
    let next = 0
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t, i) => {
        const result = names[i] === undefined ? undefined : results[next++]
        return {
          name: t.name,
          topicId: t.topicId,
          partitions:
            result === undefined
              ? t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: UNKNOWN_TOPIC_ID }))
              : result.partitions.map((p) => ({ partitionIndex: p.partition, errorCode: p.error?.code ?? 0 })),
        }
      }),
    }
  },
})
