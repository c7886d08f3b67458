/**
 * DescribeGroups (15), v0–v6.
 * Behaviour: per requested group, in request order: error 0, the state name (Empty, PreparingRebalance,
 * CompletingRebalance, Stable, or Dead for a group that does not exist), protocol type, the chosen protocol
 * (only while Stable, else ""), and the members with client id, client host ("/" + IP), and — only while
 * Stable — their metadata and assignment bytes. v6 (KIP-1043): a group that does not exist is Dead with
 * GROUP_ID_NOT_FOUND and `Group <id> not found.`, as Kafka 4.3's coordinator answers.
 * v3+ include_authorized_operations: every group operation for each group answered without error, as a
 * broker without an authorizer reports it (the others keep -2147483648, as in Kafka).
 * Version notes: v1 throttle_time_ms; v3 include_authorized_operations / authorized_operations; v4
 * group_instance_id of members; v5 flexible; v6 error_message.
 */
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeDescribeGroupsRequest,
  encodeDescribeGroupsResponse,
  type DescribeGroupsRequest,
  type DescribeGroupsResponseInput,
} from '../../protocol/messages/describe-groups.js'
import { AUTHORIZED_OPERATIONS_OMITTED, authorizedOperations } from '../../broker/authorized-operations.js'
import { KafkaError } from '../../broker/kafka-error.js'
import { defineHandler } from '../handler.js'

const GROUP_ID_NOT_FOUND = new KafkaError('GROUP_ID_NOT_FOUND').code

export const describeGroupsHandler = defineHandler<DescribeGroupsRequest, DescribeGroupsResponseInput>({
  apiKey: ApiKey.DescribeGroups,
  name: 'DescribeGroups',
  minVersion: 0,
  maxVersion: 6,
  decode: decodeDescribeGroupsRequest,
  encode: encodeDescribeGroupsResponse,
  handle(req, ctx) {
    const v6 = ctx.apiVersion >= 6
    return {
      throttleTimeMs: 0,
      groups: ctx.broker.groups.describeGroups(req.groups).map((g) => {
        const missing = v6 && g.error === undefined && g.state === 'Dead'
        const errorCode = missing ? GROUP_ID_NOT_FOUND : (g.error?.code ?? 0)
        return {
          errorCode,
          errorMessage: missing ? `Group ${g.groupId} not found.` : null,
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
          authorizedOperations: req.includeAuthorizedOperations && errorCode === 0 ? authorizedOperations('group') : AUTHORIZED_OPERATIONS_OMITTED,
        }
      }),
    }
  },
})
