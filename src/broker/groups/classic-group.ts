// One classic consumer group as the coordinator state machine sees it: loaded from its rows at the start
// of an operation, changed in memory, written back (only the rows that changed) before the transaction
// commits. Transitions follow Apache Kafka's ClassicGroup and GroupMetadataManager (group-coordinator
// module, 3.7+): prepareRebalance, completeClassicGroupJoin, the initial-rebalance delay, heartbeat and
// pending-sync expiry. Kafka drives its timers from a timer wheel; here each timer is a deadline column,
// fired in time order by `advance(now)` whenever anyone touches the group, so every process sharing the
// data directory evaluates the same timers against the same rows.

import type { GroupMemberRow, GroupRow, GroupStore } from '../../storage/log-store.js'
import { CONSUMER_PROTOCOL_TYPE, subscribedTopicsOf } from '../../protocol/consumer-protocol.js'
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

type TimerEvent =
  | { readonly at: number; readonly kind: 'pending'; readonly memberId: string }
  | { readonly at: number; readonly kind: 'heartbeat'; readonly memberId: string }
  | { readonly at: number; readonly kind: 'join' }
  | { readonly at: number; readonly kind: 'sync' }

const EMPTY = Buffer.alloc(0)
const NO_INITIAL_DELAY = -1

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

  private loadedRow: GroupRow | undefined
  private readonly loadedMembers = new Map<string, GroupMemberRow>()
  private readonly loadedPending = new Map<string, number>()
  private deleted = false

  private constructor(
    readonly groupId: string,
    createdAtMs: number,
    private readonly timing: GroupTimingConfig,
  ) {
    this.stateTimestampMs = createdAtMs
  }

  /** A new group, Empty at generation 0 (Kafka's getOrMaybeCreateClassicGroup). */
  static create(groupId: string, nowMs: number, timing: GroupTimingConfig): ClassicGroup {
    return new ClassicGroup(groupId, nowMs, timing)
  }

  static load(store: GroupStore, groupId: string, timing: GroupTimingConfig): ClassicGroup | undefined {
    const row = store.group(groupId)
    if (row === undefined) return undefined
    const group = new ClassicGroup(groupId, row.stateTimestampMs, timing)
    group.loadedRow = row
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
    for (const m of store.members(groupId)) {
      group.loadedMembers.set(m.memberId, m)
      // A member is its stored row without the group id (the same fields, kept in memory).
      const { groupId: _groupId, ...member } = m
      group.members.set(m.memberId, member)
    }
    for (const p of store.pendingMembers(groupId)) {
      group.loadedPending.set(p.memberId, p.deadlineMs)
      group.pending.set(p.memberId, p.deadlineMs)
    }
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
    if (this.deleted) {
      if (this.loadedRow === undefined) return false
      store.deleteGroup(this.groupId)
      return true
    }
    let changed = false
    const row = this.toRow(retentionDueMs)
    if (this.loadedRow === undefined || !sameGroupRow(this.loadedRow, row)) {
      store.putGroup(row)
      this.loadedRow = row
      changed = true
    }
    for (const [memberId] of this.loadedMembers) {
      if (!this.members.has(memberId)) {
        store.deleteMember(this.groupId, memberId)
        this.loadedMembers.delete(memberId)
        changed = true
      }
    }
    for (const member of this.members.values()) {
      const memberRow = toMemberRow(this.groupId, member)
      const before = this.loadedMembers.get(member.memberId)
      if (before === undefined || !sameMemberRow(before, memberRow)) {
        store.putMember(memberRow)
        this.loadedMembers.set(member.memberId, memberRow)
        changed = true
      }
    }
    for (const [memberId] of this.loadedPending) {
      if (!this.pending.has(memberId)) {
        store.deletePendingMember(this.groupId, memberId)
        this.loadedPending.delete(memberId)
        changed = true
      }
    }
    for (const [memberId, deadlineMs] of this.pending) {
      if (this.loadedPending.get(memberId) !== deadlineMs) {
        store.putPendingMember({ groupId: this.groupId, memberId, deadlineMs })
        this.loadedPending.set(memberId, deadlineMs)
        changed = true
      }
    }
    return changed
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
    return names.some((name) => this.supportCount(name) === this.members.size)
  }

  /** Kafka's selectProtocol: each member votes for its first protocol supported by all; most votes wins. */
  selectProtocol(): string | null {
    const members = [...this.members.values()]
    const candidates = new Set(members[0]?.protocols.map((p) => p.name).filter((n) => this.supportCount(n) === members.length))
    const votes = new Map<string, number>()
    for (const m of members) {
      const vote = m.protocols.find((p) => candidates.has(p.name))?.name
      if (vote !== undefined) votes.set(vote, (votes.get(vote) ?? 0) + 1)
    }
    let best: string | null = null
    let bestVotes = 0
    for (const [name, count] of votes) {
      if (count > bestVotes) {
        best = name
        bestVotes = count
      }
    }
    return best
  }

  /** Members with their metadata for the chosen protocol, as the leader's JoinGroup response lists them. */
  joinedMembers(): JoinedMember[] {
    return [...this.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      metadata: metadataFor(m, this.protocolName),
    }))
  }

  /**
   * Topics the members subscribe to (consumer protocol only), or undefined when unknown: another
   * protocol type, no protocol chosen yet, or metadata that does not parse (Kafka's computeSubscribedTopics).
   */
  subscribedTopics(): Set<string> | undefined {
    if (this.protocolType !== CONSUMER_PROTOCOL_TYPE) return undefined
    if (this.members.size === 0) return new Set()
    if (this.protocolName === null) return undefined
    const topics = new Set<string>()
    for (const m of this.members.values()) {
      const subscribed = subscribedTopicsOf(metadataFor(m, this.protocolName))
      if (subscribed === undefined) return undefined
      for (const t of subscribed) topics.add(t)
    }
    return topics
  }

  isSubscribedToTopic(topic: string): boolean {
    return this.subscribedTopics()?.has(topic) ?? this.protocolType === CONSUMER_PROTOCOL_TYPE
  }

  /** The earliest armed timer, if any. */
  nextTimerMs(): number | null {
    return this.nextEvent()?.at ?? null
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

  /** Fires every timer due at or before `nowMs`, in time order, each at its own time. */
  advance(nowMs: number): void {
    // Each firing either disarms its timer or moves it forward, so this ends; the bound is a guard.
    for (let i = 0; i < 100_000; i++) {
      const event = this.nextEvent()
      if (event === undefined || event.at > nowMs) return
      this.fire(event)
    }
    throw new Error(`group ${this.groupId}: timers did not settle`)
  }

  private nextEvent(): TimerEvent | undefined {
    let next: TimerEvent | undefined
    const consider = (event: TimerEvent) => {
      if (next === undefined || event.at < next.at) next = event
    }
    for (const [memberId, at] of this.pending) consider({ at, kind: 'pending', memberId })
    for (const m of this.members.values()) {
      if (m.heartbeatDeadlineMs !== null) consider({ at: m.heartbeatDeadlineMs, kind: 'heartbeat', memberId: m.memberId })
    }
    if (this.joinDeadlineMs !== null && this.state === 'PreparingRebalance') consider({ at: this.joinDeadlineMs, kind: 'join' })
    if (this.syncDeadlineMs !== null && (this.state === 'CompletingRebalance' || this.state === 'Stable')) {
      consider({ at: this.syncDeadlineMs, kind: 'sync' })
    }
    return next
  }

  private fire(event: TimerEvent): void {
    switch (event.kind) {
      case 'pending':
        this.pending.delete(event.memberId)
        if (this.state === 'PreparingRebalance' && this.hasAllMembersJoined()) this.completeJoin(event.at)
        return
      case 'heartbeat': {
        const member = this.members.get(event.memberId)
        if (member === undefined) return
        // Members parked in JoinGroup or SyncGroup are alive by definition (Kafka's hasSatisfiedHeartbeat),
        // except new members, whose pending join is bounded by the new-member timeout.
        if (!member.isNew && (member.awaitingJoin || member.awaitingSync)) {
          member.heartbeatDeadlineMs = null
          return
        }
        this.removeMemberAndUpdate(member, event.at)
        return
      }
      case 'join':
        this.onJoinTimer(event.at)
        return
      case 'sync': {
        this.syncDeadlineMs = null
        const laggards = [...this.members.values()].filter((m) => m.pendingSync)
        if (laggards.length === 0) return
        for (const m of laggards) this.remove(m.memberId)
        this.prepareRebalance(event.at)
        return
      }
    }
  }

  private onJoinTimer(atMs: number): void {
    if (this.initialRemainingMs >= 0 && this.newMemberAdded && this.initialRemainingMs !== 0) {
      // Someone joined during the initial delay: wait another step, bounded by the rebalance timeout.
      const elapsedStep = this.initialDelayMs
      this.newMemberAdded = false
      this.initialDelayMs = Math.min(this.timing.initialRebalanceDelayMs, this.initialRemainingMs)
      this.initialRemainingMs = Math.max(this.initialRemainingMs - elapsedStep, 0)
      this.joinDeadlineMs = atMs + this.initialDelayMs
      return
    }
    this.completeJoin(atMs)
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

  private supportCount(name: string): number {
    let n = 0
    for (const m of this.members.values()) if (m.protocols.some((p) => p.name === name)) n++
    return n
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

export function metadataFor(member: Member, protocolName: string | null): Buffer {
  if (protocolName === null) return EMPTY
  return member.protocols.find((p) => p.name === protocolName)?.metadata ?? EMPTY
}

/** Kafka's ClassicGroupMember.matches: the same protocols, in the same order, with the same metadata. */
export function sameProtocols(a: readonly GroupProtocol[], b: readonly GroupProtocol[]): boolean {
  return a.length === b.length && a.every((p, i) => p.name === b[i]?.name && p.metadata.equals(b[i].metadata))
}

function toMemberRow(groupId: string, m: Member): GroupMemberRow {
  return { groupId, ...m }
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
