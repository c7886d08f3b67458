// A classic group's rows: what they held when the group was loaded, and the writes that bring them to
// the group's in-memory state before the transaction commits (only the rows that changed).

import type { GroupMemberRow, GroupRow, GroupStore } from '../../storage/log-store.js'
import type { GroupProtocol } from './types.js'

/** A member as the state machine changes it: its stored row without the group id. */
export interface Member {
  readonly memberId: string
  joinOrder: number
  readonly groupInstanceId: string | null
  readonly clientId: string
  readonly clientHost: string
  sessionTimeoutMs: number
  rebalanceTimeoutMs: number
  protocols: readonly GroupProtocol[]
  assignment: Buffer
  isNew: boolean
  awaitingJoin: boolean
  joinResult: Buffer | null
  awaitingSync: boolean
  syncError: number | null
  pendingSync: boolean
  heartbeatDeadlineMs: number | null
  /** See JoinGroupRequest.localProcessId; null for protocol members. */
  localPid: number | null
}

/** What load() read; the members in join order. */
export interface LoadedGroup {
  readonly row: GroupRow
  readonly members: Member[]
  /** Member ids handed out with MEMBER_ID_REQUIRED → the time they expire. */
  readonly pending: Map<string, number>
}

export class GroupRows {
  private row: GroupRow | undefined
  private readonly members = new Map<string, GroupMemberRow>()
  private readonly pending = new Map<string, number>()

  constructor(private readonly groupId: string) {}

  /** Reads the group's rows (undefined when it has none) and remembers them as the state to compare with. */
  load(store: GroupStore): LoadedGroup | undefined {
    const row = store.group(this.groupId)
    if (row === undefined) return undefined
    this.row = row
    const members: Member[] = []
    for (const m of store.members(this.groupId)) {
      this.members.set(m.memberId, m)
      const { groupId: _groupId, ...member } = m
      members.push(member)
    }
    const pending = new Map<string, number>()
    for (const p of store.pendingMembers(this.groupId)) {
      this.pending.set(p.memberId, p.deadlineMs)
      pending.set(p.memberId, p.deadlineMs)
    }
    return { row, members, pending }
  }

  /** Deletes the group's rows (members and offsets too); false when it never had any. */
  delete(store: GroupStore): boolean {
    if (this.row === undefined) return false
    store.deleteGroup(this.groupId)
    return true
  }

  /** Writes the rows that differ from what was loaded or last written. Returns whether anything was written. */
  write(store: GroupStore, row: GroupRow, members: ReadonlyMap<string, Member>, pending: ReadonlyMap<string, number>): boolean {
    let changed = false
    if (this.row === undefined || !sameGroupRow(this.row, row)) {
      store.putGroup(row)
      this.row = row
      changed = true
    }
    for (const memberId of [...this.members.keys()]) {
      if (!members.has(memberId)) {
        store.deleteMember(this.groupId, memberId)
        this.members.delete(memberId)
        changed = true
      }
    }
    for (const member of members.values()) {
      const memberRow: GroupMemberRow = { groupId: this.groupId, ...member }
      const before = this.members.get(member.memberId)
      if (before === undefined || !sameMemberRow(before, memberRow)) {
        store.putMember(memberRow)
        this.members.set(member.memberId, memberRow)
        changed = true
      }
    }
    for (const [memberId] of this.pending) {
      if (!pending.has(memberId)) {
        store.deletePendingMember(this.groupId, memberId)
        this.pending.delete(memberId)
        changed = true
      }
    }
    for (const [memberId, deadlineMs] of pending) {
      if (this.pending.get(memberId) !== deadlineMs) {
        store.putPendingMember({ groupId: this.groupId, memberId, deadlineMs })
        this.pending.set(memberId, deadlineMs)
        changed = true
      }
    }
    return changed
  }
}

/** Kafka's ClassicGroupMember.matches: the same protocols, in the same order, with the same metadata. */
export function sameProtocols(a: readonly GroupProtocol[], b: readonly GroupProtocol[]): boolean {
  return a.length === b.length && a.every((p, i) => p.name === b[i]?.name && p.metadata.equals(b[i].metadata))
}

function sameGroupRow(a: GroupRow, b: GroupRow): boolean {
  return (Object.keys(b) as (keyof GroupRow)[]).every((k) => a[k] === b[k])
}

function sameBytes(a: Buffer | null, b: Buffer | null): boolean {
  return a === b || (a !== null && b !== null && a.equals(b))
}

function sameMemberRow(a: GroupMemberRow, b: GroupMemberRow): boolean {
  return (
    a.joinOrder === b.joinOrder &&
    a.groupInstanceId === b.groupInstanceId &&
    a.clientId === b.clientId &&
    a.clientHost === b.clientHost &&
    a.sessionTimeoutMs === b.sessionTimeoutMs &&
    a.rebalanceTimeoutMs === b.rebalanceTimeoutMs &&
    sameProtocols(a.protocols, b.protocols) &&
    a.assignment.equals(b.assignment) &&
    a.isNew === b.isNew &&
    a.awaitingJoin === b.awaitingJoin &&
    sameBytes(a.joinResult, b.joinResult) &&
    a.awaitingSync === b.awaitingSync &&
    a.syncError === b.syncError &&
    a.pendingSync === b.pendingSync &&
    a.heartbeatDeadlineMs === b.heartbeatDeadlineMs &&
    a.localPid === b.localPid
  )
}
