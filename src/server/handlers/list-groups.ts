/**
 * ListGroups (16), v0–v4.
 * Behaviour: every group the coordinator knows, with its protocol type ("consumer", or "" for a group
 * that only holds committed offsets). v4 also reports the state and filters by state names
 * (case-insensitive; an empty filter lists all). Error 0.
 * Version notes: v1 throttle_time_ms; v3 flexible; v4 states_filter and group_state.
 * v5 (group types, KIP-848) is not served: this broker has classic groups only.
 * Differs from Apache Kafka: nothing known at the wire level.
 */
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeListGroupsRequest,
  encodeListGroupsResponse,
  type ListGroupsRequest,
  type ListGroupsResponseInput,
  type ListedGroupInput,
} from '../../protocol/messages/list-groups.js'
import { defineHandler } from '../handler.js'

export const listGroupsHandler = defineHandler<ListGroupsRequest, ListGroupsResponseInput>({
  apiKey: ApiKey.ListGroups,
  name: 'ListGroups',
  minVersion: 0,
  maxVersion: 4,
  decode: decodeListGroupsRequest,
  encode: encodeListGroupsResponse,
  handle(req, ctx) {
    const withState = ctx.apiVersion >= 4
    const groups = ctx.broker.groups.listGroups(withState ? { statesFilter: req.statesFilter } : {})
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      groups: groups.map((g): ListedGroupInput => (withState ? { groupId: g.groupId, protocolType: g.protocolType, groupState: g.state } : { groupId: g.groupId, protocolType: g.protocolType })),
    }
  },
})
