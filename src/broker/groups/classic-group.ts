// One classic consumer group as the coordinator state machine sees it: loaded from its rows at the start
// of an operation, changed in memory, written back (only the rows that changed) before the transaction
// commits. Transitions follow Apache Kafka's ClassicGroup and GroupMetadataManager (group-coordinator
// module, 3.7+): prepareRebalance, completeClassicGroupJoin, the initial-rebalance delay, heartbeat and
// pending-sync expiry. Kafka drives its timers from a timer wheel; here each timer is a deadline column,
// fired in time order by `advance(now)` whenever anyone touches the group, so every process sharing the
// data directory evaluates the same timers against the same rows. Beside it: group-rows.ts (loading and
// writing back the rows), group-timers.ts (the timers), group-protocols.ts (protocol choice, subscriptions).

import type { GroupRow, GroupStore } from '../../storage/log-store.js'
import { CONSUMER_PROTOCOL_TYPE } from '../../protocol/consumer-protocol.js'
import { metadataFor, selectProtocol, subscribedTopics, supportCount } from './group-protocols.js'
import { GroupRows, type Member } from './group-rows.js'
import { NO_INITIAL_DELAY, advanceTimers, nextTimerEvent } from './group-timers.js'
import { encodeJoinResult } from './join-result.js'
import type { GroupProtocol, GroupState, JoinedMember } from './types.js'

/** Kafka's group.classic.new.member.join.timeout: a new member's pending JoinGroup lives at most this long. */
export const NEW_MEMBER_JOIN_TIMEOUT_MS = 5 * 60_000

/** SyncGroup wait outcome kept in the member row: success. */
export const SYNC_OK = 0
/** SyncGroup wait outcome: cancelled by a new rebalance (REBALANCE_IN_PROGRESS). */
export const SYNC_REBALANCE_IN_PROGRESS = 27

export interface GroupTimingConfig {
  readonly initialRebalanceDelayMs: number
}

const EMPTY = Buffer.alloc(0)

export class ClassicGroup {
  protocolType: string | null = null
  protocolName: string | null = null
  state: GroupState = 'Empty'
  previousState: GroupState = 'Dead'
  stateTimestampMs: number
  generationId = 0
  leaderId: string | null = null
  joinDeadlineMs: number | null = null
  syncDeadlineMs: number | null = null
  /** Length of the current initial-delay step; meaningful while initialRemainingMs >= 0. */
  initialDelayMs = 0
  /** Time left for further initial-delay extensions; -1 when the join timer is a plain rebalance timeout. */
  initialRemainingMs = NO_INITIAL_DELAY
  newMemberAdded = false
  /** Insertion order is join order. */
  readonly members = new Map<string, Member>()
  /** Member ids handed out with MEMBER_ID_REQUIRED → the time they expire. */
  readonly pending = new Map<string, number>()

  private readonly rows: GroupRows
  private deleted = false

  private constructor(
    readonly groupId: string,
    createdAtMs: number,
    readonly timing: GroupTimingConfig,
  ) {
    this.stateTimestampMs = createdAtMs
    this.rows = new GroupRows(groupId)
  }

  /** A new group, Empty at generation 0 (Kafka's getOrMaybeCreateClassicGroup). */
  static create(groupId: string, nowMs: number, timing: GroupTimingConfig): ClassicGroup {
    return new ClassicGroup(groupId, nowMs, timing)
  }

  static load(store: GroupStore, groupId: string, timing: GroupTimingConfig): ClassicGroup | undefined {
    const group = new ClassicGroup(groupId, 0, timing)
    const loaded = group.rows.load(store)
    if (loaded === undefined) return undefined
    const { row } = loaded
    group.stateTimestampMs = row.stateTimestampMs
    group.protocolType = row.protocolType
    group.protocolName = row.protocolName
    group.state = row.state as GroupState
    group.previousState = row.previousState as GroupState
    group.generationId = row.generationId
    group.leaderId = row.leaderId
    group.joinDeadlineMs = row.joinDeadlineMs
    group.syncDeadlineMs = row.syncDeadlineMs
    group.initialDelayMs = row.initialDelayMs
    group.initialRemainingMs = row.initialRemainingMs
    group.newMemberAdded = row.newMemberAdded
    for (const m of loaded.members) group.members.set(m.memberId, m)
    for (const [memberId, deadlineMs] of loaded.pending) group.pending.set(memberId, deadlineMs)
    return group
  }

  /** Marks the group for deletion at `save` (its rows, members and offsets go). */
  markDeleted(): void {
    this.deleted = true
  }

  get isDeleted(): boolean {
    return this.deleted
  }

  /**
   * Writes back what changed since `load`. `retentionDueMs` is the coordinator's next offset-retention
   * check for this group (folded into the row's next-due time). Returns whether anything was written.
   */
  save(store: GroupStore, retentionDueMs: number | null): boolean {
    if (this.deleted) return this.rows.delete(store)
    return this.rows.write(store, this.toRow(retentionDueMs), this.members, this.pending)
  }

  // ---- queries ------------------------------------------------------------------------------

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId
  }

  /** The member id currently holding a group.instance.id. */
  staticMemberId(groupInstanceId: string): string | undefined {
    for (const m of this.members.values()) if (m.groupInstanceId === groupInstanceId) return m.memberId
    return undefined
  }

  /** The group's rebalance timeout: the largest of its members'. */
  rebalanceTimeoutMs(): number {
    let max = 0
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs)
    return max
  }

  hasAllMembersJoined(): boolean {
    if (this.pending.size > 0) return false
    for (const m of this.members.values()) if (!m.awaitingJoin) return false
    return true
  }

  canRebalance(): boolean {
    return this.state === 'Stable' || this.state === 'CompletingRebalance' || this.state === 'Empty'
  }

  /** Kafka's supportsProtocols: the first member fixes the type; later ones need a protocol every member has. */
  supportsProtocols(protocolType: string, names: readonly string[]): boolean {
    if (this.state === 'Empty') return protocolType !== '' && names.length > 0
    if (this.protocolType !== protocolType) return false
    return names.some((name) => supportCount(this.members, name) === this.members.size)
  }

  /** Kafka's selectProtocol: each member votes for its first protocol supported by all; most votes wins. */
  selectProtocol(): string | null {
    return selectProtocol(this.members)
  }

  /** Members with their metadata for the chosen protocol, as the leader's JoinGroup response lists them. */
  joinedMembers(): JoinedMember[] {
    return [...this.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      metadata: metadataFor(m, this.protocolName),
    }))
  }

  /** See subscribedTopics in group-protocols.ts. */
  subscribedTopics(): Set<string> | undefined {
    return subscribedTopics(this.members, this.protocolType, this.protocolName)
  }

  isSubscribedToTopic(topic: string): boolean {
    return this.subscribedTopics()?.has(topic) ?? this.protocolType === CONSUMER_PROTOCOL_TYPE
  }

  /** The earliest armed timer, if any. */
  nextTimerMs(): number | null {
    return nextTimerEvent(this)?.at ?? null
  }

  // ---- membership -----------------------------------------------------------------------------

  nextJoinOrder(): number {
    let max = -1
    for (const m of this.members.values()) max = Math.max(max, m.joinOrder)
    return max + 1
  }

  add(member: Member, protocolType: string): void {
    if (this.members.size === 0) this.protocolType = protocolType
    if (this.leaderId === null) this.leaderId = member.memberId
    this.members.set(member.memberId, member)
    this.pending.delete(member.memberId)
  }

  remove(memberId: string): void {
    this.members.delete(memberId)
    if (this.isLeader(memberId)) this.leaderId = this.members.keys().next().value ?? null
    this.pending.delete(memberId)
  }

  /** Static membership: the instance's member gets a new id (the old one is fenced); everything else stays. */
  replaceStaticMember(oldMemberId: string, newMemberId: string): Member {
    const old = this.members.get(oldMemberId)
    if (old === undefined) throw new Error(`cannot replace unknown member ${oldMemberId}`)
    const replacement: Member = {
      ...old,
      memberId: newMemberId,
      awaitingJoin: false,
      joinResult: null,
      awaitingSync: false,
      syncError: null,
      pendingSync: false,
    }
    // Keep the join order (and so the leader-election order) of the instance.
    const entries = [...this.members.entries()].map(([id, m]): [string, Member] => (id === oldMemberId ? [newMemberId, replacement] : [id, m]))
    this.members.clear()
    for (const [id, m] of entries) this.members.set(id, m)
    if (this.isLeader(oldMemberId)) this.leaderId = newMemberId
    return replacement
  }

  /** A member (re)joining: new protocols and timeouts, and it now awaits the join phase's end. */
  updateMember(member: Member, protocols: readonly GroupProtocol[], rebalanceTimeoutMs: number, sessionTimeoutMs: number): void {
    member.protocols = protocols
    member.rebalanceTimeoutMs = rebalanceTimeoutMs
    member.sessionTimeoutMs = sessionTimeoutMs
    member.awaitingJoin = true
    member.joinResult = null
  }

  rescheduleHeartbeat(member: Member, nowMs: number, timeoutMs: number = member.sessionTimeoutMs): void {
    member.heartbeatDeadlineMs = nowMs + timeoutMs
  }

  // ---- transitions ----------------------------------------------------------------------------

  transitionTo(state: GroupState, nowMs: number): void {
    this.previousState = this.state
    this.state = state
    this.stateTimestampMs = nowMs
  }

  maybePrepareRebalanceOrCompleteJoin(nowMs: number): void {
    if (this.canRebalance()) this.prepareRebalance(nowMs)
    else this.maybeCompleteJoinPhase(nowMs)
  }

  /** Completes the join phase early once everyone has joined — never during the initial delay. */
  maybeCompleteJoinPhase(nowMs: number): void {
    if (this.state === 'PreparingRebalance' && this.hasAllMembersJoined() && this.previousState !== 'Empty') {
      this.completeJoin(nowMs)
    }
  }

  prepareRebalance(nowMs: number): void {
    if (this.state === 'CompletingRebalance') this.resetAssignmentsAndPropagate(SYNC_REBALANCE_IN_PROGRESS, nowMs)
    for (const m of this.members.values()) m.pendingSync = false
    this.syncDeadlineMs = null
    const initial = this.state === 'Empty'
    if (initial) {
      // A new group: give the other members time to join (group.initial.rebalance.delay.ms).
      const delay = this.timing.initialRebalanceDelayMs
      this.initialDelayMs = delay
      this.initialRemainingMs = Math.max(this.rebalanceTimeoutMs() - delay, 0)
      this.newMemberAdded = false
      this.joinDeadlineMs = nowMs + delay
    }
    this.transitionTo('PreparingRebalance', nowMs)
    if (initial) return
    if (this.hasAllMembersJoined()) {
      this.completeJoin(nowMs)
    } else {
      this.initialRemainingMs = NO_INITIAL_DELAY
      this.joinDeadlineMs = nowMs + this.rebalanceTimeoutMs()
    }
  }

  /** Kafka's completeClassicGroupJoin: drop dynamic members that did not rejoin, start the next generation. */
  completeJoin(nowMs: number): void {
    this.joinDeadlineMs = null
    this.initialRemainingMs = NO_INITIAL_DELAY
    for (const m of [...this.members.values()]) {
      if (!m.awaitingJoin && m.groupInstanceId === null) this.remove(m.memberId)
    }
    if (!this.maybeElectNewJoinedLeader() && this.members.size > 0) {
      // Nobody rejoined: wait another rebalance timeout for session expiry to clear the group.
      this.joinDeadlineMs = nowMs + this.rebalanceTimeoutMs()
      return
    }
    this.initNextGeneration(nowMs)
    if (this.state === 'Empty') return
    const leaderMembers = this.joinedMembers()
    for (const m of this.members.values()) {
      if (m.awaitingJoin) {
        m.awaitingJoin = false
        m.joinResult = encodeJoinResult({
          generationId: this.generationId,
          protocolType: this.protocolType,
          protocolName: this.protocolName,
          leader: this.leaderId ?? '',
          members: this.isLeader(m.memberId) ? leaderMembers : [],
        })
      }
      this.rescheduleHeartbeat(m, nowMs)
      m.isNew = false
      m.pendingSync = true
    }
    this.syncDeadlineMs = nowMs + this.rebalanceTimeoutMs()
  }

  /** The leader SyncGroup: store every member's assignment, answer the waiting followers, go Stable. */
  setAndPropagateAssignment(assignments: ReadonlyMap<string, Buffer>, nowMs: number): void {
    for (const m of this.members.values()) m.assignment = assignments.get(m.memberId) ?? EMPTY
    this.propagateAssignment(SYNC_OK, nowMs)
    this.transitionTo('Stable', nowMs)
  }

  /** Marks a member's SyncGroup as received; disarms the sync timer once everyone has synced. */
  removePendingSync(member: Member): void {
    member.pendingSync = false
    for (const m of this.members.values()) if (m.pendingSync) return
    this.syncDeadlineMs = null
  }

  // ---- time ---------------------------------------------------------------------------------

  /** Fires every timer due at or before `nowMs`, in time order, each at its own time (group-timers.ts). */
  advance(nowMs: number): void {
    advanceTimers(this, nowMs)
  }

  /**
   * Expires, as a session timeout would, every member whose owning local process is gone — also members
   * parked in JoinGroup/SyncGroup, which session expiry spares: a dead process will never answer.
   */
  expireMembersOfDeadProcesses(isProcessAlive: (pid: number) => boolean, nowMs: number): void {
    for (const m of [...this.members.values()]) {
      if (m.localPid !== null && this.members.has(m.memberId) && !isProcessAlive(m.localPid)) this.removeMemberAndUpdate(m, nowMs)
    }
  }

  /** Session expiry or LeaveGroup of a current member (Kafka's removeMemberAndUpdateClassicGroup). */
  removeMemberAndUpdate(member: Member, nowMs: number): void {
    this.remove(member.memberId)
    if (this.state === 'Stable' || this.state === 'CompletingRebalance') this.maybePrepareRebalanceOrCompleteJoin(nowMs)
    else if (this.state === 'PreparingRebalance' && this.hasAllMembersJoined()) this.completeJoin(nowMs)
  }

  private maybeElectNewJoinedLeader(): boolean {
    if (this.leaderId === null) return false
    const leader = this.members.get(this.leaderId)
    if (leader?.awaitingJoin === true) return true
    for (const m of this.members.values()) {
      if (m.awaitingJoin) {
        this.leaderId = m.memberId
        return true
      }
    }
    return false
  }

  private initNextGeneration(nowMs: number): void {
    this.generationId++
    if (this.members.size > 0) {
      this.protocolName = this.selectProtocol()
      this.transitionTo('CompletingRebalance', nowMs)
    } else {
      this.protocolName = null
      this.transitionTo('Empty', nowMs)
    }
    for (const m of this.members.values()) m.pendingSync = false
  }

  private resetAssignmentsAndPropagate(syncError: number, nowMs: number): void {
    for (const m of this.members.values()) m.assignment = EMPTY
    this.propagateAssignment(syncError, nowMs)
  }

  private propagateAssignment(syncError: number, nowMs: number): void {
    for (const m of this.members.values()) {
      if (!m.awaitingSync) continue
      m.awaitingSync = false
      m.syncError = syncError
      this.rescheduleHeartbeat(m, nowMs)
    }
  }

  private toRow(retentionDueMs: number | null): GroupRow {
    const timer = this.nextTimerMs()
    const due = timer === null ? retentionDueMs : retentionDueMs === null ? timer : Math.min(timer, retentionDueMs)
    return {
      groupId: this.groupId,
      protocolType: this.protocolType,
      protocolName: this.protocolName,
      state: this.state,
      previousState: this.previousState,
      stateTimestampMs: this.stateTimestampMs,
      generationId: this.generationId,
      leaderId: this.leaderId,
      joinDeadlineMs: this.joinDeadlineMs,
      syncDeadlineMs: this.syncDeadlineMs,
      initialDelayMs: this.initialDelayMs,
      initialRemainingMs: this.initialRemainingMs,
      newMemberAdded: this.newMemberAdded,
      nextDueMs: due,
    }
  }
}
