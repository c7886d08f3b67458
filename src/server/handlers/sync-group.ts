/**
 * SyncGroup (14), v0–v5.
 * Behaviour: the leader's request carries every member's assignment; followers in CompletingRebalance
 * are parked by the coordinator until it arrives, then each gets its own bytes (empty when the leader
 * gave none). Unknown member → UNKNOWN_MEMBER_ID, wrong generation → ILLEGAL_GENERATION, a rebalance
 * under way → REBALANCE_IN_PROGRESS. When the connection closes while parked, nothing is sent; a
 * coordinator shutting down answers COORDINATOR_NOT_AVAILABLE.
 * Version notes: v1 throttle_time_ms; v3 group_instance_id; v4 flexible; v5 protocol_type/protocol_name in
 * the request (checked against the group's: INCONSISTENT_GROUP_PROTOCOL) and in the response.
 * Differs from Apache Kafka: nothing known at the wire level.
 */
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeSyncGroupRequest,
  encodeSyncGroupResponse,
  type SyncGroupRequest,
  type SyncGroupResponseInput,
} from '../../protocol/messages/sync-group.js'
import type { SyncResult } from '../../broker/groups/types.js'
import { KafkaError } from '../../broker/kafka-error.js'
import { defineHandler, NO_RESPONSE } from '../handler.js'

const EMPTY = Buffer.alloc(0)

export const syncGroupHandler = defineHandler<SyncGroupRequest, SyncGroupResponseInput>({
  apiKey: ApiKey.SyncGroup,
  name: 'SyncGroup',
  minVersion: 0,
  maxVersion: 5,
  decode: decodeSyncGroupRequest,
  encode: encodeSyncGroupResponse,
  async handle(req, ctx) {
    let result: SyncResult
    try {
      result = await ctx.broker.groups.syncGroup(
        {
          groupId: req.groupId,
          generationId: req.generationId,
          memberId: req.memberId,
          groupInstanceId: req.groupInstanceId,
          protocolType: req.protocolType,
          protocolName: req.protocolName,
          assignments: req.assignments,
        },
        { signal: ctx.signal },
      )
    } catch (err) {
      if (ctx.signal.aborted) return NO_RESPONSE
      if (!(err instanceof KafkaError)) throw err
      result = { error: err, protocolType: null, protocolName: null, assignment: EMPTY }
    }
    const res: SyncGroupResponseInput = { throttleTimeMs: 0, errorCode: result.error?.code ?? 0, assignment: result.assignment }
    if (ctx.apiVersion >= 5) {
      res.protocolType = result.protocolType
      res.protocolName = result.protocolName
    }
    return res
  },
})
