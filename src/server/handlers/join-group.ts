/**
 * JoinGroup (11), v0–v9.
 * Behaviour: hands the request to the group coordinator (broker.groups), which parks it until the join
 * phase completes; v4+ a first join without a member id gets MEMBER_ID_REQUIRED with the new id (the
 * coordinator's round trip). v0 has no rebalance timeout (the session timeout stands in). Only the leader
 * gets the member list. When the connection closes while the call is parked, nothing is sent (the member
 * stays until its session or the rebalance timeout expires, as in Kafka); a coordinator shutting down
 * answers COORDINATOR_NOT_AVAILABLE.
 * Version notes: v1 rebalance_timeout_ms; v2 throttle_time_ms; v4 MEMBER_ID_REQUIRED; v5 group_instance_id
 * (static membership); v6 flexible; v7 protocol_type in the response and a nullable protocol_name (v0–6
 * write a missing name as ''); v8 reason; v9 skip_assignment.
 * Differs from Apache Kafka: nothing known at the wire level.
 */
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeJoinGroupRequest,
  encodeJoinGroupResponse,
  type JoinGroupRequest,
  type JoinGroupResponseInput,
} from '../../protocol/messages/join-group.js'
import type { JoinResult } from '../../broker/groups/types.js'
import { KafkaError } from '../../broker/kafka-error.js'
import { defineHandler, NO_RESPONSE } from '../handler.js'

export const joinGroupHandler = defineHandler<JoinGroupRequest, JoinGroupResponseInput>({
  apiKey: ApiKey.JoinGroup,
  name: 'JoinGroup',
  minVersion: 0,
  maxVersion: 9,
  decode: decodeJoinGroupRequest,
  encode: encodeJoinGroupResponse,
  async handle(req, ctx) {
    const v = ctx.apiVersion
    let result: JoinResult
    try {
      result = await ctx.broker.groups.joinGroup(
        {
          groupId: req.groupId,
          memberId: req.memberId,
          groupInstanceId: req.groupInstanceId,
          clientId: ctx.clientId,
          clientHost: ctx.clientHost,
          sessionTimeoutMs: req.sessionTimeoutMs,
          rebalanceTimeoutMs: req.rebalanceTimeoutMs,
          protocolType: req.protocolType,
          protocols: req.protocols,
          requireKnownMemberId: v >= 4,
          supportsSkipAssignment: v >= 9,
          reason: req.reason,
        },
        { signal: ctx.signal },
      )
    } catch (err) {
      // The client is gone: there is no one to answer.
      if (ctx.signal.aborted) return NO_RESPONSE
      if (!(err instanceof KafkaError)) throw err
      return toResponse({ error: err, generationId: -1, protocolType: null, protocolName: null, leader: '', skipAssignment: false, memberId: req.memberId, members: [] }, v)
    }
    return toResponse(result, v)
  },
})

function toResponse(result: JoinResult, v: number): JoinGroupResponseInput {
  const res: JoinGroupResponseInput = {
    throttleTimeMs: 0,
    errorCode: result.error?.code ?? 0,
    generationId: result.generationId,
    protocolName: v >= 7 ? result.protocolName : (result.protocolName ?? ''),
    leader: result.leader,
    memberId: result.memberId,
    members: result.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadata })),
  }
  if (v >= 7) res.protocolType = result.protocolType
  if (v >= 9) res.skipAssignment = result.skipAssignment
  return res
}
