/**
 * DeleteGroups (42), v0–v2.
 * Behaviour: per requested group, in request order: NON_EMPTY_GROUP while it has members,
 * GROUP_ID_NOT_FOUND when unknown, else the group and its committed offsets are deleted (error 0).
 * Version notes: v2 flexible.
 * Differs from Apache Kafka: nothing known at the wire level.
 */
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeDeleteGroupsRequest,
  encodeDeleteGroupsResponse,
  type DeleteGroupsRequest,
  type DeleteGroupsResponseInput,
} from '../../protocol/messages/delete-groups.js'
import { defineHandler } from '../handler.js'

export const deleteGroupsHandler = defineHandler<DeleteGroupsRequest, DeleteGroupsResponseInput>({
  apiKey: ApiKey.DeleteGroups,
  name: 'DeleteGroups',
  minVersion: 0,
  maxVersion: 2,
  decode: decodeDeleteGroupsRequest,
  encode: encodeDeleteGroupsResponse,
  handle(req, ctx) {
    return {
      throttleTimeMs: 0,
      results: ctx.broker.groups.deleteGroups(req.groupsNames).map((r) => ({ groupId: r.groupId, errorCode: r.error?.code ?? 0 })),
    }
  },
})
