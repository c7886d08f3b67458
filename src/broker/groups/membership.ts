// JoinGroup, SyncGroup, Heartbeat and LeaveGroup against one loaded ClassicGroup, following Kafka's
// GroupMetadataManager (classicGroupJoinToClassicGroup, classicGroupSync, classicGroupHeartbeat,
// classicGroupLeave). Each function runs inside the coordinator's write transaction after the group's
// timers have been advanced to `nowMs`; a join or sync that has to wait returns the member id to watch.

import { randomUUID } from 'node:crypto'
import type { ErrorName } from '../../protocol/error-codes.js'
import { errorByCode } from '../../protocol/error-codes.js'
import { KafkaError } from '../kafka-error.js'
import { type ClassicGroup, NEW_MEMBER_JOIN_TIMEOUT_MS, SYNC_OK } from './classic-group.js'
import { sameProtocols, type Member } from './group-rows.js'
import type {
  HeartbeatRequest,
  JoinGroupRequest,
  JoinResult,
  LeaveGroupRequest,
  LeaveResult,
  SyncGroupRequest,
  SyncResult,
} from './types.js'

export type JoinOutcome = { readonly done: JoinResult } | { readonly waitFor: string }
export type SyncOutcome = { readonly done: SyncResult } | { readonly waitFor: string }

const EMPTY = Buffer.alloc(0)

export function joinError(name: ErrorName, memberId: string): JoinResult {
  return {
    error: new KafkaError(name),
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leader: '',
    skipAssignment: false,
    memberId,
    members: [],
  }
}

export function syncError(name: ErrorName): SyncResult {
  return { error: new KafkaError(name), protocolType: null, protocolName: null, assignment: EMPTY }
}

/** A sync wait's stored outcome code as a result. */
export function syncResultOf(group: { protocolType: string | null; protocolName: string | null }, member: { syncError: number | null; assignment: Buffer }): SyncResult {
  if (member.syncError === null || member.syncError === SYNC_OK) {
    return { error: undefined, protocolType: group.protocolType, protocolName: group.protocolName, assignment: member.assignment }
  }
  return syncError(errorByCode(member.syncError).name as ErrorName)
}

/** Kafka's ClassicGroup.validateMember: the instance id must map to this member id, which must exist. */
export function validateMember(group: ClassicGroup, memberId: string, groupInstanceId: string | null): ErrorName | undefined {
  if (groupInstanceId !== null) {
    const existing = group.staticMemberId(groupInstanceId)
    if (existing === undefined) return 'UNKNOWN_MEMBER_ID'
    if (existing !== memberId) return 'FENCED_INSTANCE_ID'
  }
  return group.members.has(memberId) ? undefined : 'UNKNOWN_MEMBER_ID'
}

/** The request's rebalance timeout; JoinGroup v0 has none and uses the session timeout. */
function rebalanceTimeoutOf(req: JoinGroupRequest): number {
  return req.rebalanceTimeoutMs < 0 ? req.sessionTimeoutMs : req.rebalanceTimeoutMs
}

export function join(group: ClassicGroup, req: JoinGroupRequest, nowMs: number, maxSize: number): JoinOutcome {
  if (!acceptJoiningMember(group, req.memberId, maxSize)) {
    group.remove(req.memberId)
    return { done: joinError('GROUP_MAX_SIZE_REACHED', '') }
  }
  return req.memberId === '' ? joinNewMember(group, req, nowMs) : joinExistingMember(group, req, nowMs)
}

function acceptJoiningMember(group: ClassicGroup, memberId: string, maxSize: number): boolean {
  switch (group.state) {
    case 'Empty':
    case 'Dead':
      return true
    case 'PreparingRebalance': {
      // Counting awaiting members (not the group size) lets the last rejoiners be the ones turned away.
      if (group.members.get(memberId)?.awaitingJoin === true) return true
      let awaiting = 0
      for (const m of group.members.values()) if (m.awaitingJoin) awaiting++
      return awaiting < maxSize
    }
    case 'CompletingRebalance':
    case 'Stable':
      return group.members.has(memberId) || group.members.size < maxSize
  }
}

function joinNewMember(group: ClassicGroup, req: JoinGroupRequest, nowMs: number): JoinOutcome {
  if (!group.supportsProtocols(req.protocolType, req.protocols.map((p) => p.name))) {
    return { done: joinError('INCONSISTENT_GROUP_PROTOCOL', '') }
  }
  const newMemberId = `${req.groupInstanceId ?? req.clientId}-${randomUUID()}`
  if (req.groupInstanceId !== null) {
    const existing = group.staticMemberId(req.groupInstanceId)
    return existing === undefined
      ? addMemberAndRebalance(group, req, newMemberId, nowMs)
      : updateStaticMemberAndRebalance(group, req, existing, newMemberId, nowMs)
  }
  if (req.requireKnownMemberId) {
    // The client must come back with this id; until then it holds up the join phase like a member.
    group.pending.set(newMemberId, nowMs + req.sessionTimeoutMs)
    return { done: joinError('MEMBER_ID_REQUIRED', newMemberId) }
  }
  return addMemberAndRebalance(group, req, newMemberId, nowMs)
}

function joinExistingMember(group: ClassicGroup, req: JoinGroupRequest, nowMs: number): JoinOutcome {
  const memberId = req.memberId
  if (!group.supportsProtocols(req.protocolType, req.protocols.map((p) => p.name))) {
    return { done: joinError('INCONSISTENT_GROUP_PROTOCOL', memberId) }
  }
  if (group.pending.has(memberId)) {
    // Kafka treats a static member presenting a pending (dynamic) id as an internal error.
    if (req.groupInstanceId !== null) return { done: joinError('UNKNOWN_SERVER_ERROR', memberId) }
    return addMemberAndRebalance(group, req, memberId, nowMs)
  }
  const invalid = validateMember(group, memberId, req.groupInstanceId)
  if (invalid !== undefined) return { done: joinError(invalid, memberId) }
  const member = group.members.get(memberId)!
  switch (group.state) {
    case 'PreparingRebalance':
      return updateMemberAndRebalance(group, member, req, nowMs)
    case 'CompletingRebalance':
      // Same metadata: the member probably lost the response; answer again for this generation.
      if (sameProtocols(member.protocols, req.protocols)) return { done: currentGeneration(group, memberId, group.isLeader(memberId)) }
      return updateMemberAndRebalance(group, member, req, nowMs)
    case 'Stable':
      // The leader may rejoin to force a rebalance (e.g. topic metadata changed); a follower whose
      // metadata did not change just gets the current generation back.
      if (group.isLeader(memberId) || !sameProtocols(member.protocols, req.protocols)) return updateMemberAndRebalance(group, member, req, nowMs)
      return { done: currentGeneration(group, memberId, false) }
    case 'Empty':
    case 'Dead':
      return { done: joinError('UNKNOWN_MEMBER_ID', memberId) }
  }
}

function currentGeneration(group: ClassicGroup, memberId: string, withMembers: boolean): JoinResult {
  return {
    error: undefined,
    generationId: group.generationId,
    protocolType: group.protocolType,
    protocolName: group.protocolName,
    leader: group.leaderId ?? '',
    skipAssignment: false,
    memberId,
    members: withMembers ? group.joinedMembers() : [],
  }
}

function addMemberAndRebalance(group: ClassicGroup, req: JoinGroupRequest, memberId: string, nowMs: number): JoinOutcome {
  const member: Member = {
    memberId,
    joinOrder: group.nextJoinOrder(),
    groupInstanceId: req.groupInstanceId,
    clientId: req.clientId,
    clientHost: req.clientHost,
    sessionTimeoutMs: req.sessionTimeoutMs,
    rebalanceTimeoutMs: rebalanceTimeoutOf(req),
    protocols: req.protocols,
    assignment: EMPTY,
    isNew: true,
    awaitingJoin: true,
    joinResult: null,
    awaitingSync: false,
    syncError: null,
    pendingSync: false,
    // A new member cannot heartbeat yet; bound its parked JoinGroup instead (a retrying client that
    // disconnected would otherwise leave defunct members behind).
    heartbeatDeadlineMs: nowMs + NEW_MEMBER_JOIN_TIMEOUT_MS,
    localPid: req.localProcessId ?? null,
  }
  if (group.state === 'PreparingRebalance' && group.previousState === 'Empty') group.newMemberAdded = true
  group.add(member, req.protocolType)
  group.maybePrepareRebalanceOrCompleteJoin(nowMs)
  return { waitFor: memberId }
}

function updateMemberAndRebalance(group: ClassicGroup, member: Member, req: JoinGroupRequest, nowMs: number): JoinOutcome {
  group.updateMember(member, req.protocols, rebalanceTimeoutOf(req), req.sessionTimeoutMs)
  member.localPid = req.localProcessId ?? null
  group.maybePrepareRebalanceOrCompleteJoin(nowMs)
  return { waitFor: member.memberId }
}

function updateStaticMemberAndRebalance(
  group: ClassicGroup,
  req: JoinGroupRequest,
  oldMemberId: string,
  newMemberId: string,
  nowMs: number,
): JoinOutcome {
  const currentLeader = group.leaderId ?? ''
  const member = group.replaceStaticMember(oldMemberId, newMemberId)
  group.rescheduleHeartbeat(member, nowMs)
  group.updateMember(member, req.protocols, rebalanceTimeoutOf(req), req.sessionTimeoutMs)
  // The instance may come back from another process (or over the wire): it is owned by the new one.
  member.localPid = req.localProcessId ?? null
  switch (group.state) {
    case 'Stable': {
      if (group.protocolName === group.selectProtocol()) {
        // The instance came back with protocols that keep the group's choice: no rebalance, it keeps
        // its assignment under the new member id.
        member.awaitingJoin = false
        if (req.supportsSkipAssignment === true) {
          const isLeader = group.isLeader(newMemberId)
          return { done: { ...currentGeneration(group, newMemberId, isLeader), skipAssignment: isLeader } }
        }
        return { done: { ...currentGeneration(group, newMemberId, false), leader: currentLeader } }
      }
      group.maybePrepareRebalanceOrCompleteJoin(nowMs)
      return { waitFor: newMemberId }
    }
    case 'CompletingRebalance':
      // The leader may already be assigning to the old member id: rebalance so the new id gets a share.
      group.prepareRebalance(nowMs)
      return { waitFor: newMemberId }
    case 'PreparingRebalance':
      group.maybeCompleteJoinPhase(nowMs)
      return { waitFor: newMemberId }
    case 'Empty':
    case 'Dead':
      return { done: joinError('UNKNOWN_SERVER_ERROR', newMemberId) }
  }
}

export function sync(group: ClassicGroup, req: SyncGroupRequest, nowMs: number): SyncOutcome {
  const invalid = validateMember(group, req.memberId, req.groupInstanceId)
  if (invalid !== undefined) return { done: syncError(invalid) }
  if (req.generationId !== group.generationId) return { done: syncError('ILLEGAL_GENERATION') }
  if (inconsistent(req.protocolType, group.protocolType) || inconsistent(req.protocolName, group.protocolName)) {
    return { done: syncError('INCONSISTENT_GROUP_PROTOCOL') }
  }
  const member = group.members.get(req.memberId)!
  switch (group.state) {
    case 'Empty':
    case 'Dead':
      return { done: syncError('UNKNOWN_MEMBER_ID') }
    case 'PreparingRebalance':
      return { done: syncError('REBALANCE_IN_PROGRESS') }
    case 'CompletingRebalance': {
      member.awaitingSync = true
      member.syncError = null
      group.removePendingSync(member)
      if (group.isLeader(req.memberId)) {
        const assignments = new Map<string, Buffer>()
        for (const a of req.assignments) assignments.set(a.memberId, a.assignment)
        group.setAndPropagateAssignment(assignments, nowMs)
      }
      return member.awaitingSync ? { waitFor: req.memberId } : { done: syncResultOf(group, member) }
    }
    case 'Stable':
      group.removePendingSync(member)
      return { done: { error: undefined, protocolType: group.protocolType, protocolName: group.protocolName, assignment: member.assignment } }
  }
}

function inconsistent(requested: string | null, groupValue: string | null): boolean {
  return requested !== null && groupValue !== null && requested !== groupValue
}

export function heartbeat(group: ClassicGroup, req: HeartbeatRequest, nowMs: number): KafkaError | undefined {
  const invalid = validateMember(group, req.memberId, req.groupInstanceId)
  if (invalid !== undefined) return new KafkaError(invalid)
  if (req.generationId !== group.generationId) return new KafkaError('ILLEGAL_GENERATION')
  const member = group.members.get(req.memberId)!
  switch (group.state) {
    case 'Empty':
    case 'Dead':
      return new KafkaError('UNKNOWN_MEMBER_ID')
    case 'PreparingRebalance':
      group.rescheduleHeartbeat(member, nowMs)
      return new KafkaError('REBALANCE_IN_PROGRESS')
    case 'CompletingRebalance':
    case 'Stable':
      // Members heartbeat between their JoinGroup and SyncGroup too: a normal heartbeat.
      group.rescheduleHeartbeat(member, nowMs)
      return undefined
  }
}

export function leave(group: ClassicGroup, req: LeaveGroupRequest, nowMs: number): LeaveResult {
  const members: LeaveResult['members'][number][] = []
  let removed = 0
  for (const m of req.members) {
    const answer = (error: ErrorName | undefined) => {
      members.push({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, error: error === undefined ? undefined : new KafkaError(error) })
      if (error === undefined) removed++
    }
    if (m.memberId === '') {
      // Admin removal of a static member by its instance id alone.
      const staticId = m.groupInstanceId === null ? undefined : group.staticMemberId(m.groupInstanceId)
      if (staticId === undefined) {
        answer('UNKNOWN_MEMBER_ID')
      } else {
        group.remove(staticId)
        answer(undefined)
      }
    } else if (group.pending.has(m.memberId)) {
      group.remove(m.memberId)
      answer(undefined)
    } else {
      const invalid = validateMember(group, m.memberId, m.groupInstanceId)
      if (invalid === undefined) group.remove(m.memberId)
      answer(invalid)
    }
  }
  if (removed > 0) {
    if (group.state === 'Stable' || group.state === 'CompletingRebalance') group.maybePrepareRebalanceOrCompleteJoin(nowMs)
    else if (group.state === 'PreparingRebalance') group.maybeCompleteJoinPhase(nowMs)
  }
  return { error: undefined, members }
}
