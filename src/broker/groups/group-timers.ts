// A classic group's timers (Kafka's timer wheel entries for it): the pending-member expiry, each
// member's heartbeat (session) expiry, the join phase's end and the sync phase's end. Each is a
// deadline column of the group's rows; advanceTimers fires the due ones in time order, each at its own
// time, whenever anyone touches the group.

import type { ClassicGroup } from './classic-group.js'

/** initialRemainingMs when the join timer is a plain rebalance timeout, not an initial delay. */
export const NO_INITIAL_DELAY = -1

type TimerEvent =
  | { readonly at: number; readonly kind: 'pending'; readonly memberId: string }
  | { readonly at: number; readonly kind: 'heartbeat'; readonly memberId: string }
  | { readonly at: number; readonly kind: 'join' }
  | { readonly at: number; readonly kind: 'sync' }

/** Fires every timer due at or before `nowMs`, in time order, each at its own time. */
export function advanceTimers(group: ClassicGroup, nowMs: number): void {
  // Each firing either disarms its timer or moves it forward, so this ends; the bound is a guard.
  for (let i = 0; i < 100_000; i++) {
    const event = nextTimerEvent(group)
    if (event === undefined || event.at > nowMs) return
    fire(group, event)
  }
  throw new Error(`group ${group.groupId}: timers did not settle`)
}

/** The earliest armed timer, if any. */
export function nextTimerEvent(group: ClassicGroup): TimerEvent | undefined {
  let next: TimerEvent | undefined
  const consider = (event: TimerEvent) => {
    if (next === undefined || event.at < next.at) next = event
  }
  for (const [memberId, at] of group.pending) consider({ at, kind: 'pending', memberId })
  for (const m of group.members.values()) {
    if (m.heartbeatDeadlineMs !== null) consider({ at: m.heartbeatDeadlineMs, kind: 'heartbeat', memberId: m.memberId })
  }
  if (group.joinDeadlineMs !== null && group.state === 'PreparingRebalance') consider({ at: group.joinDeadlineMs, kind: 'join' })
  if (group.syncDeadlineMs !== null && (group.state === 'CompletingRebalance' || group.state === 'Stable')) {
    consider({ at: group.syncDeadlineMs, kind: 'sync' })
  }
  return next
}

function fire(group: ClassicGroup, event: TimerEvent): void {
  switch (event.kind) {
    case 'pending':
      group.pending.delete(event.memberId)
      if (group.state === 'PreparingRebalance' && group.hasAllMembersJoined()) group.completeJoin(event.at)
      return
    case 'heartbeat': {
      const member = group.members.get(event.memberId)
      if (member === undefined) return
      // Members parked in JoinGroup or SyncGroup are alive by definition (Kafka's hasSatisfiedHeartbeat),
      // except new members, whose pending join is bounded by the new-member timeout.
      if (!member.isNew && (member.awaitingJoin || member.awaitingSync)) {
        member.heartbeatDeadlineMs = null
        return
      }
      group.removeMemberAndUpdate(member, event.at)
      return
    }
    case 'join':
      onJoinTimer(group, event.at)
      return
    case 'sync': {
      group.syncDeadlineMs = null
      const laggards = [...group.members.values()].filter((m) => m.pendingSync)
      if (laggards.length === 0) return
      for (const m of laggards) group.remove(m.memberId)
      group.prepareRebalance(event.at)
      return
    }
  }
}

function onJoinTimer(group: ClassicGroup, atMs: number): void {
  if (group.initialRemainingMs >= 0 && group.newMemberAdded && group.initialRemainingMs !== 0) {
    // Someone joined during the initial delay: wait another step, bounded by the rebalance timeout.
    const elapsedStep = group.initialDelayMs
    group.newMemberAdded = false
    group.initialDelayMs = Math.min(group.timing.initialRebalanceDelayMs, group.initialRemainingMs)
    group.initialRemainingMs = Math.max(group.initialRemainingMs - elapsedStep, 0)
    group.joinDeadlineMs = atMs + group.initialDelayMs
    return
  }
  group.completeJoin(atMs)
}
