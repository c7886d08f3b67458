/**
 * LeaveGroup (13), v0–v5.
 * Behaviour: removes the members (which starts a rebalance, or leaves the group Empty). v0–2 name one
 * member by id and its outcome is the top-level error; v3+ take a batch of (member id, group instance
 * id) with an error per member — UNKNOWN_MEMBER_ID for one the group does not have (every member of an
 * unknown group), FENCED_INSTANCE_ID for an instance id held by another member id; an empty member id
 * with an instance id removes that static member (admin removal). Empty group id → INVALID_GROUP_ID.
 * Version notes: v1 throttle_time_ms; v3 batch form; v4 flexible; v5 reason (logged by Kafka, ignored here).
 * Differs from Apache Kafka: nothing known at the wire level.
 */
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeLeaveGroupRequest,
  encodeLeaveGroupResponse,
  type LeaveGroupRequest,
  type LeaveGroupResponseInput,
} from '../../protocol/messages/leave-group.js'
import { defineHandler } from '../handler.js'

export const leaveGroupHandler = defineHandler<LeaveGroupRequest, LeaveGroupResponseInput>({
  apiKey: ApiKey.LeaveGroup,
  name: 'LeaveGroup',
  minVersion: 0,
  maxVersion: 5,
  decode: decodeLeaveGroupRequest,
  encode: encodeLeaveGroupResponse,
  handle(req, ctx) {
    const batch = ctx.apiVersion >= 3
    const members = batch
      ? req.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, reason: m.reason }))
      : [{ memberId: req.memberId, groupInstanceId: null }]
    const result = ctx.broker.groups.leaveGroup({ groupId: req.groupId, members })
    if (!batch) {
      const error = result.error ?? result.members[0]?.error
      return { throttleTimeMs: 0, errorCode: error?.code ?? 0 }
    }
    return {
      throttleTimeMs: 0,
      errorCode: result.error?.code ?? 0,
      members: result.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode: m.error?.code ?? 0 })),
    }
  },
})
