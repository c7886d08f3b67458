/**
 * Heartbeat (12), v0–v4.
 * Behaviour: keeps the member's session alive. UNKNOWN_MEMBER_ID for a member the group does not have
 * (or an unknown group), ILLEGAL_GENERATION for a stale generation, REBALANCE_IN_PROGRESS while the
 * group prepares a rebalance (the member must rejoin), 0 when Stable or CompletingRebalance.
 * Version notes: v1 throttle_time_ms; v3 group_instance_id (FENCED_INSTANCE_ID); v4 flexible.
 * Differs from Apache Kafka: nothing known at the wire level.
 */
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeHeartbeatRequest,
  encodeHeartbeatResponse,
  type HeartbeatRequest,
  type HeartbeatResponseInput,
} from '../../protocol/messages/heartbeat.js'
import { defineHandler } from '../handler.js'

export const heartbeatHandler = defineHandler<HeartbeatRequest, HeartbeatResponseInput>({
  apiKey: ApiKey.Heartbeat,
  name: 'Heartbeat',
  minVersion: 0,
  maxVersion: 4,
  decode: decodeHeartbeatRequest,
  encode: encodeHeartbeatResponse,
  handle(req, ctx) {
    const error = ctx.broker.groups.heartbeat({
      groupId: req.groupId,
      generationId: req.generationId,
      memberId: req.memberId,
      groupInstanceId: req.groupInstanceId,
    })
    return { throttleTimeMs: 0, errorCode: error?.code ?? 0 }
  },
})
