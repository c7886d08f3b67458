/**
 * OffsetDelete (47), v0.
 * Behaviour: deletes committed offsets of a group. Top-level GROUP_ID_NOT_FOUND for an unknown group and
 * NON_EMPTY_GROUP for an active group that is not a consumer group (both with no topics); otherwise an error
 * per partition: UNKNOWN_TOPIC_OR_PARTITION for a partition that does not exist, GROUP_SUBSCRIBED_TO_TOPIC
 * for a topic the active group consumes, else 0 (deleted, or there was nothing to delete).
 * Differs from Apache Kafka: nothing known at the wire level.
 */
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeOffsetDeleteRequest,
  encodeOffsetDeleteResponse,
  type OffsetDeleteRequest,
  type OffsetDeleteResponseInput,
} from '../../protocol/messages/offset-delete.js'
import { defineHandler } from '../handler.js'

export const offsetDeleteHandler = defineHandler<OffsetDeleteRequest, OffsetDeleteResponseInput>({
  apiKey: ApiKey.OffsetDelete,
  name: 'OffsetDelete',
  minVersion: 0,
  maxVersion: 0,
  decode: decodeOffsetDeleteRequest,
  encode: encodeOffsetDeleteResponse,
  handle(req, ctx) {
    const result = ctx.broker.groups.deleteOffsets({
      groupId: req.groupId,
      topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => p.partitionIndex) })),
    })
    return {
      errorCode: result.error?.code ?? 0,
      throttleTimeMs: 0,
      topics: result.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partition, errorCode: p.error?.code ?? 0 })),
      })),
    }
  },
})
