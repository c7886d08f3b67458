// The filters of kafka-groups (GroupsCommand.listGroups): applied to the ListGroups answer on this side.

import type { GroupListing } from '../../client/groups-client.js'

export type GroupSelection =
  | { readonly kind: 'consumer' }
  | { readonly kind: 'type'; readonly type: string }
  | { readonly kind: 'filter'; readonly type?: string; readonly protocol?: string }

export interface GroupRow {
  readonly groupId: string
  /** Classic, Consumer, Share, Streams; '' when the broker did not say. */
  readonly type: string
  readonly protocol: string
}

const TYPE_NAMES: Readonly<Record<string, string>> = { classic: 'Classic', consumer: 'Consumer', share: 'Share', streams: 'Streams' }

export function selectGroups(groups: readonly GroupListing[], selection: GroupSelection): GroupRow[] {
  const keep = (g: GroupListing): boolean => {
    const type = g.groupType.toLowerCase()
    switch (selection.kind) {
      case 'consumer':
        return g.protocolType === 'consumer' || g.protocolType === '' || type === 'consumer'
      case 'type':
        return type === selection.type
      case 'filter':
        return (selection.type === undefined || type === selection.type) && (selection.protocol === undefined || g.protocolType === selection.protocol)
    }
  }
  return groups.filter(keep).map((g) => ({ groupId: g.groupId, type: TYPE_NAMES[g.groupType.toLowerCase()] ?? '', protocol: g.protocolType }))
}
