// The consumer-group coordinator (classic protocol) over the shared SQLite store. Every operation is one
// short IMMEDIATE write transaction: load the group's rows, fire its due timers (session expiry,
// rebalance timeout, initial delay, pending sync, offset retention), apply the request, write back what
// changed. Nothing about a group lives only in memory, so the wire server and any number of embedded
// consumers on the same data directory are members of the same groups. Parked JoinGroup/SyncGroup calls
// wait in GroupWaiters and read their answer from their member row.

import type { ErrorName } from '../../protocol/error-codes.js'
import type { GroupStore, LogStore, PendingTxnOffsetRow } from '../../storage/log-store.js'
import type { BrokerConfig } from '../broker-config.js'
import { KafkaError } from '../kafka-error.js'
import { ClassicGroup, type GroupTimingConfig } from './classic-group.js'
import { CONSUMER_PROTOCOL_TYPE, decodedPartitions } from '../../protocol/consumer-protocol.js'
import { describe } from './group-description.js'
import { GroupWaiters } from './group-waiters.js'
import { ParkedCallChecks, processIsAlive } from './parked-calls.js'
import { heartbeat, join, joinError, leave, sync, syncError, validateMember } from './membership.js'
import {
  TopicLookup,
  commitOffsets,
  expireOffsets,
  fetchOffsets,
  hasKnownPartition,
  namedOffsets,
  retentionApplies,
  retentionConfigOf,
  retentionDueMs,
  validateOffsetCommit,
  type RetentionConfig,
} from './offsets.js'
import type {
  DescribedGroup,
  GroupOverview,
  GroupState,
  HeartbeatRequest,
  JoinGroupRequest,
  JoinResult,
  LeaveGroupRequest,
  LeaveResult,
  ListGroupsRequest,
  ListedGroup,
  OffsetCommitRequest,
  OffsetDeleteRequest,
  OffsetDeleteResult,
  OffsetFetchRequest,
  OffsetFetchResult,
  SyncGroupRequest,
  SyncResult,
  TopicPartitionsResult,
} from './types.js'

export { processIsAlive } from './parked-calls.js'

export interface GroupCoordinatorOptions {
  /** Milliseconds since the epoch; injectable so tests drive timers without sleeping. */
  readonly clock?: () => number
  /** How often parked calls poll the store for changes made by other processes. */
  readonly pollIntervalMs?: number
  /** Whether a local process id is still running (embedded members); injectable for tests. */
  readonly isProcessAlive?: (pid: number) => boolean
}

/** The group fields of a TxnOffsetCommit. */
export interface TransactionalCommitCheck {
  readonly groupId: string
  readonly generationId: number
  readonly memberId: string
  readonly groupInstanceId: string | null
}

export interface WaitOptions {
  /** Aborting rejects the parked call with the signal's reason; the member stays in the group. */
  readonly signal?: AbortSignal
}


export class GroupCoordinator {
  private readonly clock: () => number
  private readonly waiters: GroupWaiters
  private readonly timing: GroupTimingConfig
  private readonly retention: RetentionConfig
  private readonly isProcessAlive: (pid: number) => boolean
  private readonly parked: ParkedCallChecks
  private closed = false

  constructor(
    private readonly store: LogStore,
    private readonly config: BrokerConfig,
    options: GroupCoordinatorOptions = {},
  ) {
    this.clock = options.clock ?? Date.now
    this.waiters = new GroupWaiters(store, this.clock, options.pollIntervalMs)
    this.timing = { initialRebalanceDelayMs: config.groupInitialRebalanceDelayMs }
    this.retention = retentionConfigOf(config)
    const isAlive = options.isProcessAlive ?? processIsAlive
    // Our own members are alive by definition (and an injected check may not know our pid).
    this.isProcessAlive = (pid) => pid === process.pid || isAlive(pid)
    this.parked = new ParkedCallChecks(store.groups, this.clock, this.isProcessAlive, (groupId, nowMs) => this.fireTimers(groupId, nowMs))
  }

  private get groups(): GroupStore {
    return this.store.groups
  }

  // ---- JoinGroup / SyncGroup (may wait) ---------------------------------------------------------

  /**
   * JoinGroup. Resolves when the member's join phase completes (or at once with an error,
   * MEMBER_ID_REQUIRED, or the current generation for a member that needs no rebalance).
   */
  async joinGroup(req: JoinGroupRequest, options: WaitOptions = {}): Promise<JoinResult> {
    if (this.closed) return joinError('COORDINATOR_NOT_AVAILABLE', req.memberId)
    if (req.groupId === '') return joinError('INVALID_GROUP_ID', req.memberId)
    if (req.sessionTimeoutMs < this.config.groupMinSessionTimeoutMs || req.sessionTimeoutMs > this.config.groupMaxSessionTimeoutMs) {
      return joinError('INVALID_SESSION_TIMEOUT', req.memberId)
    }
    const now = this.clock()
    const outcome = this.write(req.groupId, 'commit', () => {
      let group = this.load(req.groupId, now)
      if (group === undefined) {
        // Only a member without an id may create a group.
        if (req.memberId !== '') return { done: joinError('UNKNOWN_MEMBER_ID', req.memberId) }
        group = ClassicGroup.create(req.groupId, now, this.timing)
      }
      const result = join(group, req, now, this.config.groupMaxSize)
      group.advance(now) // timers that fire at once (e.g. a zero initial delay)
      this.save(group)
      return result
    })
    if ('done' in outcome) return outcome.done
    const memberId = outcome.waitFor
    const check = () => this.parked.join(req.groupId, memberId, req.groupInstanceId)
    const first = check()
    if ('done' in first) return first.done
    return this.waiters.wait(req.groupId, check, first.dueAtMs, options.signal)
  }

  /** SyncGroup. Followers in CompletingRebalance wait for the leader's assignment. */
  async syncGroup(req: SyncGroupRequest, options: WaitOptions = {}): Promise<SyncResult> {
    if (this.closed) return syncError('COORDINATOR_NOT_AVAILABLE')
    if (req.groupId === '') return syncError('INVALID_GROUP_ID')
    const now = this.clock()
    const outcome = this.write(req.groupId, 'commit', () => {
      const group = this.load(req.groupId, now)
      if (group === undefined) return { done: syncError('UNKNOWN_MEMBER_ID') }
      const result = sync(group, req, now)
      this.save(group)
      return result
    })
    if ('done' in outcome) return outcome.done
    const check = () => this.parked.sync(req.groupId, req.memberId, req.groupInstanceId)
    const first = check()
    if ('done' in first) return first.done
    return this.waiters.wait(req.groupId, check, first.dueAtMs, options.signal)
  }

  // ---- synchronous operations ----------------------------------------------------------------

  /** Heartbeat: undefined (error 0) or the KafkaError to return. */
  heartbeat(req: HeartbeatRequest): KafkaError | undefined {
    if (req.groupId === '') return new KafkaError('INVALID_GROUP_ID')
    const now = this.clock()
    return this.write(req.groupId, 'commit', () => {
      const group = this.load(req.groupId, now)
      if (group === undefined) return new KafkaError('UNKNOWN_MEMBER_ID')
      const error = heartbeat(group, req, now)
      this.save(group)
      return error
    })
  }

  /** LeaveGroup (v3+ batch form; v0–2 callers pass their one member id). */
  leaveGroup(req: LeaveGroupRequest): LeaveResult {
    if (req.groupId === '') return { error: new KafkaError('INVALID_GROUP_ID'), members: [] }
    const now = this.clock()
    return this.write(req.groupId, 'commit', () => {
      const group = this.load(req.groupId, now)
      if (group === undefined) {
        return {
          error: undefined,
          members: req.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, error: new KafkaError('UNKNOWN_MEMBER_ID') })),
        }
      }
      const result = leave(group, req, now)
      this.save(group)
      return result
    })
  }

  /**
   * OffsetCommit: per-partition outcomes in request order. Committed offsets are fsynced. A commit with
   * generation -1 to an unknown group creates it (a "simple" group that only holds offsets).
   */
  commitOffsets(req: OffsetCommitRequest): TopicPartitionsResult[] {
    const now = this.clock()
    return this.write(req.groupId, 'fsync', () => {
      const topics = new TopicLookup(this.store)
      if (!hasKnownPartition(topics, req)) return commitOffsets(this.store, topics, req.groupId, req, undefined, now, this.config)
      let group = this.load(req.groupId, now)
      let groupError: ErrorName | undefined
      if (group === undefined) {
        if (req.generationId < 0) group = ClassicGroup.create(req.groupId, now, this.timing)
        else groupError = 'ILLEGAL_GENERATION'
      } else {
        groupError = validateOffsetCommit(group, req)
      }
      if (group !== undefined && groupError === undefined) {
        // In Kafka's classic protocol a commit also keeps the member's session alive.
        const member = group.members.get(req.memberId)
        if (member !== undefined && (group.state === 'Stable' || group.state === 'PreparingRebalance')) group.rescheduleHeartbeat(member, now)
      }
      if (group !== undefined) this.save(group) // a new simple group must exist before its offsets
      const results = commitOffsets(this.store, topics, req.groupId, req, groupError, now, this.config)
      if (group !== undefined) this.save(group) // its retention due time may have moved
      return results
    })
  }

  /** OffsetFetch: -1 offsets for anything not committed, including an unknown group. */
  fetchOffsets(req: OffsetFetchRequest): OffsetFetchResult {
    const now = this.clock()
    return this.write(req.groupId, 'commit', () => {
      const topics = new TopicLookup(this.store)
      const group = this.load(req.groupId, now, { retention: true })
      const rows = group === undefined ? [] : this.groups.offsets(req.groupId)
      if (group !== undefined) this.save(group)
      return fetchOffsets(rows, topics, req)
    })
  }

  /** OffsetDelete: refused for topics the active group consumes. */
  deleteOffsets(req: OffsetDeleteRequest): OffsetDeleteResult {
    const now = this.clock()
    return this.write(req.groupId, 'commit', () => {
      const group = this.load(req.groupId, now)
      if (group === undefined) return { error: new KafkaError('GROUP_ID_NOT_FOUND'), topics: [] }
      if (group.state !== 'Empty' && group.protocolType !== CONSUMER_PROTOCOL_TYPE) {
        this.save(group)
        return { error: new KafkaError('NON_EMPTY_GROUP'), topics: [] }
      }
      const topics = new TopicLookup(this.store)
      const results = req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((partition) => {
          const topic = topics.named(t.name)
          if (topic === undefined || !topics.partitionExists(t.name, partition)) {
            return { partition, error: new KafkaError('UNKNOWN_TOPIC_OR_PARTITION') }
          }
          if (group.isSubscribedToTopic(t.name)) return { partition, error: new KafkaError('GROUP_SUBSCRIBED_TO_TOPIC') }
          this.groups.deleteOffset(req.groupId, { topicId: topic.id, partition })
          return { partition, error: undefined }
        }),
      }))
      this.save(group)
      return { error: undefined, topics: results }
    })
  }

  /** ListGroups, including groups that only hold committed offsets (protocol type ''). */
  listGroups(req: ListGroupsRequest = {}): ListedGroup[] {
    this.tick()
    const states = new Set((req.statesFilter ?? []).map((s) => s.toLowerCase()))
    const types = new Set((req.typesFilter ?? []).map((s) => s.toLowerCase()))
    return this.groups
      .allGroups()
      .map((row): ListedGroup => ({ groupId: row.groupId, protocolType: row.protocolType ?? '', state: row.state as GroupState, groupType: 'classic' }))
      .filter((g) => (states.size === 0 || states.has(g.state.toLowerCase())) && (types.size === 0 || types.has(g.groupType)))
  }

  /** DescribeGroups: an unknown group is reported Dead with error 0, as Kafka does. */
  describeGroups(groupIds: readonly string[]): DescribedGroup[] {
    const now = this.clock()
    return groupIds.map((groupId) =>
      this.write(groupId, 'commit', () => {
        const group = this.load(groupId, now, { retention: true })
        if (group !== undefined) this.save(group)
        return describe(groupId, group)
      }),
    )
  }

  /** DeleteGroups: per group, NON_EMPTY_GROUP while it has members, GROUP_ID_NOT_FOUND when unknown. */
  deleteGroups(groupIds: readonly string[]): { groupId: string; error: KafkaError | undefined }[] {
    const now = this.clock()
    return groupIds.map((groupId) =>
      this.write(groupId, 'commit', () => {
        const group = this.load(groupId, now)
        let error: KafkaError | undefined
        if (group === undefined) error = new KafkaError('GROUP_ID_NOT_FOUND')
        else if (group.state !== 'Empty') error = new KafkaError('NON_EMPTY_GROUP')
        else group.markDeleted()
        if (group !== undefined) this.save(group)
        return { groupId, error }
      }),
    )
  }

  /** What `consumer-groups --describe` shows: state, members with decoded assignments, committed offsets. */
  describeGroupOverview(groupId: string): GroupOverview {
    const now = this.clock()
    return this.write(groupId, 'commit', () => {
      const group = this.load(groupId, now, { retention: true })
      if (group !== undefined) this.save(group)
      const described = describe(groupId, group)
      const rows = group === undefined ? [] : this.groups.offsets(groupId)
      const consumer = described.state === 'Stable' && described.protocolType === CONSUMER_PROTOCOL_TYPE
      return {
        groupId,
        state: described.state,
        protocolType: described.protocolType,
        protocolName: described.protocolData,
        generationId: group?.generationId ?? -1,
        members: described.members.map((m) => ({ ...m, assignedPartitions: consumer ? decodedPartitions(m.assignment) : null })),
        offsets: namedOffsets(rows, new TopicLookup(this.store)),
      }
    })
  }

  /**
   * Fires the timers of every group that has one due by `nowMs` (session expiry, rebalance timeout,
   * retention). Operations do this lazily for the group they touch; call this periodically so idle
   * groups move on too. Wakes parked calls of the groups it changed.
   */
  tick(nowMs: number = this.clock()): void {
    for (const groupId of this.groups.groupsDueBy(nowMs)) {
      this.write(groupId, 'commit', () => {
        const group = this.load(groupId, nowMs, { retention: true })
        if (group !== undefined) this.save(group)
      })
    }
  }

  /**
   * TxnOffsetCommit's group checks (Kafka's validateOffsetCommit for a transactional commit), run inside the
   * caller's write transaction: a missing group is created for generation -1 (a simple group) and refused
   * with ILLEGAL_GENERATION otherwise; members are checked when a generation, member or instance id is given.
   */
  checkTransactionalCommit(req: TransactionalCommitCheck, nowMs: number = this.clock()): ErrorName | undefined {
    return this.store.atomically(() => {
      let group = this.load(req.groupId, nowMs)
      if (group === undefined) {
        if (req.generationId >= 0) return 'ILLEGAL_GENERATION'
        group = ClassicGroup.create(req.groupId, nowMs, this.timing)
        this.save(group)
        return undefined
      }
      this.save(group) // timers fired by load
      if (req.generationId < 0 && group.state === 'Empty') return undefined
      if (req.generationId < 0 && req.memberId === '' && req.groupInstanceId === null) return undefined
      const invalid = validateMember(group, req.memberId, req.groupInstanceId)
      if (invalid !== undefined) return invalid
      return req.generationId !== group.generationId ? 'ILLEGAL_GENERATION' : undefined
    })
  }

  /**
   * A committed transaction's offsets become the groups' committed offsets, inside the caller's write
   * transaction (the one that writes the commit markers). A group gone since is created again, as Kafka's
   * replay of the offsets does.
   */
  applyTransactionalOffsets(rows: readonly PendingTxnOffsetRow[], nowMs: number = this.clock()): void {
    if (rows.length === 0) return
    this.store.atomically(() => {
      for (const groupId of new Set(rows.map((r) => r.groupId))) {
        const group = this.load(groupId, nowMs) ?? ClassicGroup.create(groupId, nowMs, this.timing)
        this.save(group) // a new simple group must exist before its offsets
        for (const r of rows) {
          if (r.groupId !== groupId) continue
          const { topicId, partition, offset, leaderEpoch, metadata, commitTimestampMs } = r
          this.groups.putOffset({ groupId, topicId, partition, offset, leaderEpoch, metadata, commitTimestampMs })
        }
        this.save(group) // retention due time now counts the new offsets
      }
    })
  }

  /** Parked calls currently waiting in this process. */
  get waitingCalls(): number {
    return this.waiters.size
  }

  /** Rejects parked calls (COORDINATOR_NOT_AVAILABLE) and refuses further JoinGroup/SyncGroup. */
  close(): void {
    if (this.closed) return
    this.closed = true
    this.waiters.close(new KafkaError('COORDINATOR_NOT_AVAILABLE'))
  }

  // ---- plumbing -------------------------------------------------------------------------------

  /** One IMMEDIATE transaction on one group; parked calls on it in this process re-check afterwards. */
  private write<T>(groupId: string, durability: 'fsync' | 'commit', work: () => T): T {
    const result = this.store.atomically(work, durability)
    this.waiters.notify([groupId])
    return result
  }

  /** Loads the group and brings it up to `nowMs`: due timers fired, expired offsets removed. */
  private load(groupId: string, nowMs: number, options: { retention?: boolean } = {}): ClassicGroup | undefined {
    const group = ClassicGroup.load(this.groups, groupId, this.timing)
    if (group === undefined) return undefined
    group.advance(nowMs)
    // Dead embedded members count as expired sessions, evaluated with the timers (every operation, tick
    // and parked-call poll), so the survivors' next heartbeat starts the rebalance that drops them.
    group.expireMembersOfDeadProcesses(this.isProcessAlive, nowMs)
    group.advance(nowMs)
    if (options.retention === true || retentionApplies(group)) {
      expireOffsets(this.store, new TopicLookup(this.store), group, this.groups.offsets(groupId), nowMs, this.retention)
    }
    if (group.isDeleted) {
      // Retention removed the group: from here on it is unknown (and may be created afresh).
      group.save(this.groups, null)
      return undefined
    }
    return group
  }

  private save(group: ClassicGroup): void {
    const due = retentionApplies(group) ? retentionDueMs(group, this.groups.offsets(group.groupId), this.retention) : null
    group.save(this.groups, due)
  }

  /**
   * A parked call found its group's timers due. No notify here: the waiters of this group are being
   * re-checked already (they share the group's due time), and waiters elsewhere see the commit.
   */
  private fireTimers(groupId: string, nowMs: number): void {
    this.store.atomically(() => {
      const group = this.load(groupId, nowMs)
      if (group !== undefined) this.save(group)
    }, 'commit')
  }
}
