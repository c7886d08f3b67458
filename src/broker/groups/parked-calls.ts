// What a parked JoinGroup or SyncGroup call looks at each time it is woken (a commit to its group in
// this or another process, its group's next timer, or the liveness poll): its member row, after firing
// the group's due timers, since parked members do not heartbeat and may be the only ones left to notice.

import type { GroupMemberRow, GroupRow, GroupStore } from '../../storage/log-store.js'
import type { CheckResult } from './group-waiters.js'
import { decodeJoinResult } from './join-result.js'
import { joinError, syncError, syncResultOf } from './membership.js'
import type { JoinResult, SyncResult } from './types.js'

/** How often a parked call looks whether the processes owning the group's embedded members still run. */
const LIVENESS_POLL_MS = 1000

/** `kill -0`: ESRCH means no such process; EPERM means it exists but belongs to another user. */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH'
  }
}

export class ParkedCallChecks {
  constructor(
    private readonly groups: GroupStore,
    private readonly clock: () => number,
    private readonly isProcessAlive: (pid: number) => boolean,
    /** Fires the group's due timers in a transaction of its own. */
    private readonly fireTimers: (groupId: string, nowMs: number) => void,
  ) {}

  /**
   * The group's rows for a parked call, after firing its timers if any are due or a member's process
   * has died: parked members do not heartbeat, so they may be the only ones left to notice. A death
   * changes nothing in the store, so while other local processes own members, `dueAtMs` brings the
   * call back every LIVENESS_POLL_MS to look again.
   */
  private read(groupId: string): { row: GroupRow | undefined; members: GroupMemberRow[]; dueAtMs: number | null } {
    const now = this.clock()
    let row = this.groups.group(groupId)
    let members = row === undefined ? [] : this.groups.members(groupId)
    const due = row?.nextDueMs != null && row.nextDueMs <= now
    if (due || members.some((m) => m.localPid !== null && !this.isProcessAlive(m.localPid))) {
      this.fireTimers(groupId, now)
      row = this.groups.group(groupId)
      members = row === undefined ? [] : this.groups.members(groupId)
    }
    let dueAtMs = row?.nextDueMs ?? null
    if (members.some((m) => m.localPid !== null && m.localPid !== process.pid)) dueAtMs = Math.min(dueAtMs ?? Infinity, now + LIVENESS_POLL_MS)
    return { row, members, dueAtMs }
  }

  join(groupId: string, memberId: string, groupInstanceId: string | null): CheckResult<JoinResult> {
    const { row, members, dueAtMs } = this.read(groupId)
    if (row === undefined) return { done: joinError('UNKNOWN_MEMBER_ID', '') }
    const member = members.find((m) => m.memberId === memberId)
    if (member === undefined) {
      // Replaced by a newer member with the same group.instance.id, or removed (left, expired, timed out).
      const fenced = groupInstanceId !== null && members.some((m) => m.groupInstanceId === groupInstanceId)
      return { done: fenced ? joinError('FENCED_INSTANCE_ID', memberId) : joinError('UNKNOWN_MEMBER_ID', '') }
    }
    if (member.awaitingJoin) return { dueAtMs }
    if (member.joinResult === null) return { done: joinError('UNKNOWN_MEMBER_ID', '') }
    const stored = decodeJoinResult(member.joinResult)
    return { done: { error: undefined, ...stored, skipAssignment: false, memberId } }
  }

  sync(groupId: string, memberId: string, groupInstanceId: string | null): CheckResult<SyncResult> {
    const { row, members, dueAtMs } = this.read(groupId)
    if (row === undefined) return { done: syncError('UNKNOWN_MEMBER_ID') }
    const member = members.find((m) => m.memberId === memberId)
    if (member === undefined) {
      const fenced = groupInstanceId !== null && members.some((m) => m.groupInstanceId === groupInstanceId)
      return { done: syncError(fenced ? 'FENCED_INSTANCE_ID' : 'UNKNOWN_MEMBER_ID') }
    }
    if (member.awaitingSync) return { dueAtMs }
    return { done: syncResultOf(row, member) }
  }
}
