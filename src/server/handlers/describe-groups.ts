/**
 * DescribeGroups (15), v0–v5.
 * Behaviour: per requested group, in request order: error 0, the state name (Empty, PreparingRebalance,
 * CompletingRebalance, Stable, or Dead for a group that does not exist), protocol type, the chosen protocol
 * (only while Stable, else ""), and the members with client id, client host ("/" + IP), and — only while
 * Stable — their metadata and assignment bytes.
 * Version notes: v1 throttle_time_ms; v3 include_authorized_operations / authorized_operations; v4
 * group_instance_id of members; v5 flexible.
 * Differs from Apache Kafka: authorized_operations is always -2147483648 ("not provided"), even when asked
 * for (Kafka without an authorizer reports every group operation as allowed), as the other APIs of this
 * broker do — there are no ACLs.
 */
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeDescribeGroupsRequest,
  encodeDescribeGroupsResponse,
  type DescribeGroupsRequest,
  type DescribeGroupsResponseInput,
} from '../../protocol/messages/describe-groups.js'
import { defineHandler } from '../handler.js'

export const describeGroupsHandler = defineHandler<DescribeGroupsRequest, DescribeGroupsResponseInput>({
  apiKey: ApiKey.DescribeGroups,
  name: 'DescribeGroups',
  minVersion: 0,
  maxVersion: 5,
  decode: decodeDescribeGroupsRequest,
  encode: encodeDescribeGroupsResponse,
  handle(req, ctx) {
    return {
      throttleTimeMs: 0,
      groups: ctx.broker.groups.describeGroups(req.groups).map((g) => ({
        errorCode: g.error?.code ?? 0,
        groupId: g.groupId,
        groupState: g.state,
        protocolType: g.protocolType,
        protocolData: g.protocolData,
        members: g.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          memberMetadata: m.metadata,
          memberAssignment: m.assignment,
        })),
      })),
    }
  },
})
