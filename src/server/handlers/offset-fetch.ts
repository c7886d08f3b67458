/**
 * OffsetFetch (9), v0–v8.
 * Behaviour: the committed offset, leader epoch and metadata of each requested partition; -1 / -1 / ''
 * with error 0 where nothing is committed (an unknown group or topic included). A null topic list (v2+)
 * returns every committed offset of the group. v8 batches groups: one entry per requested group, in
 * request order, each with its own error code.
 * Version notes: v0–1 have no top-level error (a group-level error goes to every partition); v2 top-level
 * error_code and null = all topics; v3 throttle_time_ms; v5 committed_leader_epoch; v6 flexible;
 * v7 require_stable; v8 groups[] replaces group_id/topics (and top-level error_code moves into each group).
 * Differs from Apache Kafka: require_stable is ignored — there are no transactional offset commits, so
 * nothing is ever pending (Kafka would answer UNSTABLE_OFFSET_COMMIT only while a transaction is open).
 */
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeOffsetFetchRequest,
  encodeOffsetFetchResponse,
  type OffsetFetchRequest,
  type OffsetFetchResponseInput,
  type OffsetFetchResponsePartitionInput,
} from '../../protocol/messages/offset-fetch.js'
import type { OffsetFetchResult } from '../../broker/groups/types.js'
import { defineHandler, type RequestContext } from '../handler.js'

export const offsetFetchHandler = defineHandler<OffsetFetchRequest, OffsetFetchResponseInput>({
  apiKey: ApiKey.OffsetFetch,
  name: 'OffsetFetch',
  minVersion: 0,
  maxVersion: 8,
  decode: decodeOffsetFetchRequest,
  encode: encodeOffsetFetchResponse,
  handle(req, ctx) {
    const v = ctx.apiVersion
    if (v >= 8) {
      return {
        throttleTimeMs: 0,
        groups: req.groups.map((g) => {
          const result = fetch(ctx, g.groupId, g.topics)
          return {
            groupId: g.groupId,
            errorCode: result.error?.code ?? 0,
            topics: result.topics.map((t) => ({
              name: t.name,
              partitions: t.partitions.map((p) => ({
                partitionIndex: p.partition,
                committedOffset: p.offset,
                committedLeaderEpoch: p.leaderEpoch,
                metadata: p.metadata,
                errorCode: p.error?.code ?? 0,
              })),
            })),
          }
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
