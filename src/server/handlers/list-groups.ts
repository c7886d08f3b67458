/**
 * ListGroups (16), v0–v5.
 * Behaviour: every group the coordinator knows, with its protocol type ("consumer", or "" for a group
 * that only holds committed offsets). v4 also reports the state and filters by state names
 * (case-insensitive; an empty filter lists all); v5 reports each group's type and filters by type names
 * (case-insensitive). Every group here is a classic group. Error 0.
 * Version notes: v1 throttle_time_ms; v3 flexible; v4 states_filter and group_state; v5 types_filter and
 * group_type (KIP-848).
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

const CLASSIC = 'classic'

export const listGroupsHandler = defineHandler<ListGroupsRequest, ListGroupsResponseInput>({
  apiKey: ApiKey.ListGroups,
  name: 'ListGroups',
  minVersion: 0,
  maxVersion: 5,
  decode: decodeListGroupsRequest,
  encode: encodeListGroupsResponse,
  handle(req, ctx) {
    const withState = ctx.apiVersion >= 4
    const withType = ctx.apiVersion >= 5
    const classicWanted = !withType || req.typesFilter.length === 0 || req.typesFilter.some((t) => t.toLowerCase() === CLASSIC)
    const groups = classicWanted ? ctx.broker.groups.listGroups(withState ? { statesFilter: req.statesFilter } : {}) : []
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      groups: groups.map(
        (g): ListedGroupInput => ({
          groupId: g.groupId,
          protocolType: g.protocolType,
          ...(withState ? { groupState: g.state } : {}),
          ...(withType ? { groupType: CLASSIC } : {}),
        }),
      ),
    }
  },
})
