// DescribeGroups as Kafka answers it: member metadata and assignments only while the group is Stable;
// an unknown group is Dead with error 0.

import type { ClassicGroup } from './classic-group.js'
import { metadataFor } from './group-protocols.js'
import type { DescribedGroup, DescribedMember } from './types.js'

const EMPTY = Buffer.alloc(0)

export function describe(groupId: string, group: ClassicGroup | undefined): DescribedGroup {
  if (group === undefined) {
    return { groupId, error: undefined, state: 'Dead', protocolType: '', protocolData: '', members: [] }
  }
  const stable = group.state === 'Stable'
  const members = [...group.members.values()].map(
    (m): DescribedMember => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      metadata: stable ? metadataFor(m, group.protocolName) : EMPTY,
      assignment: stable ? m.assignment : EMPTY,
    }),
  )
  return {
    groupId,
    error: undefined,
    state: group.state,
    protocolType: group.protocolType ?? '',
    protocolData: stable ? (group.protocolName ?? '') : '',
    members,
  }
}
