import { setTimeout as delay } from 'node:timers/promises'

import { ApiKey } from '../../protocol/api-keys.js'
import { CONSUMER_PROTOCOL_TYPE, decodeAssignment, decodeSubscription } from '../../protocol/consumer-protocol.js'
import { decodeHeartbeatResponse, encodeHeartbeatRequest } from '../../protocol/messages/heartbeat.js'
import { decodeJoinGroupResponse, encodeJoinGroupRequest } from '../../protocol/messages/join-group.js'
import { decodeLeaveGroupResponse, encodeLeaveGroupRequest } from '../../protocol/messages/leave-group.js'
import { decodeOffsetCommitResponse, encodeOffsetCommitRequest } from '../../protocol/messages/offset-commit.js'
import { decodeOffsetFetchResponse, encodeOffsetFetchRequest } from '../../protocol/messages/offset-fetch.js'
import { decodeSyncGroupResponse, encodeSyncGroupRequest } from '../../protocol/messages/sync-group.js'
import { KafkaError, kafkaErrorForCode } from '../../broker/kafka-error.js'
import { assignGroup, checkAssignors, commitFailureWarning, FATAL_JOIN_ERRORS, GroupMemberError, partitionKey, subscriptionMetadata } from '../group-protocol.js'
import type { GroupMembership } from '../kafka-client.js'
import type { PartitionOffset, TopicPartitions } from '../group-protocol.js'
import type { Cluster } from './wire/cluster.js'
import type { BrokerConnection } from './wire/connection.js'
import { BrokerIoError } from './wire/wire-errors.js'

// A consumer-group member over the wire: what the Java consumer's ConsumerCoordinator does, with
// FindCoordinator, JoinGroup, SyncGroup, Heartbeat, OffsetFetch, OffsetCommit and LeaveGroup sent on the
// cluster view's connection to the coordinator (our generated codec). The embedded member
// (embedded/group-member.ts) does the same against broker.groups in-process; both speak the consumer
// protocol of group-protocol.ts.
//
// Rebalancing is eager, as for Java's default assignors [range, cooperative-sticky]: the consumer commits
// and gives up every partition before rejoining. Heartbeats run on a timer; REBALANCE_IN_PROGRESS,
// ILLEGAL_GENERATION or UNKNOWN_MEMBER_ID mark the member for rejoining, which the consumer loop checks
// between fetches. NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, COORDINATOR_LOAD_IN_PROGRESS and a lost
// connection send the member to FindCoordinator again.

export { partitionKey, type PartitionOffset, type TopicPartitions }

/** Extra time the broker may take past rebalance.timeout.ms before JoinGroup counts as lost (Java's 5 s). */
const JOIN_GRACE_MS = 5000
const COORDINATOR_MOVED = new Set(['NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_LOAD_IN_PROGRESS'])

export class RemoteGroupMember {
  private memberId = ''
  private generation = -1
  private protocolName: string | null = null
  private rejoinNeeded = true
  private fatal: GroupMemberError | undefined
  private subscription: string[] = []
  private assignedCounts: Map<string, number> | undefined
  private heartbeatTimer: NodeJS.Timeout | undefined
  private heartbeating = false
  private lastHeartbeatOkMs = 0

  constructor(
    private readonly cluster: Cluster,
    readonly config: GroupMembership,
  ) {
    checkAssignors(config.assignors)
  }

  /** True when the member must rejoin before reading (see embedded/group-member.ts for the session rule). */
  get needsRejoin(): boolean {
    if (this.fatal) throw this.fatal
    if (!this.rejoinNeeded && Date.now() - this.lastHeartbeatOkMs > this.config.sessionTimeoutMs) this.rejoinNeeded = true
    return this.rejoinNeeded
  }

  /** Sets the subscribed topics; a change once joined triggers a rebalance. */
  subscribe(topics: readonly string[]): void {
    const next = [...new Set(topics)].sort()
    if (next.length === this.subscription.length && next.every((t, i) => t === this.subscription[i])) return
    this.subscription = next
    this.rejoinNeeded = true
  }

  /** For the leader: rebalance when a topic it assigned gained partitions (or vanished). */
  checkPartitionCounts(partitionCount: (topic: string) => number | undefined): void {
    if (this.assignedCounts === undefined || this.rejoinNeeded) return
    for (const [topic, count] of this.assignedCounts) if ((partitionCount(topic) ?? -1) !== count) this.rejoinNeeded = true
  }

  /**
   * JoinGroup then SyncGroup until the member holds a generation; returns its assigned partitions.
   * `partitionCount` gives the leader each topic's partitions. Fatal errors throw GroupMemberError; a
   * coordinator that stays unreachable for `retries` attempts in a row throws its BrokerIoError.
   */
  async join(signal: AbortSignal, partitionCount: (topic: string) => Promise<number | undefined>): Promise<TopicPartitions[]> {
    this.stopHeartbeat()
    let unreachable = 0
    for (;;) {
      signal.throwIfAborted()
      try {
        // An abort (--timeout-ms, Ctrl-C) ends the wait; a JoinGroup still out is answered into the void.
        const assigned = await untilAborted(this.joinAndSync(partitionCount), signal)
        if (assigned !== undefined) return assigned
        unreachable = 0
      } catch (err) {
        if (!(err instanceof BrokerIoError) || !err.retriable || ++unreachable > this.cluster.settings.retries) throw err
        this.cluster.forgetCoordinator(this.config.groupId)
        await delay(this.cluster.backoffMs(unreachable - 1), undefined, { signal })
      }
    }
  }

  /** One JoinGroup + SyncGroup round; undefined when it must be tried again. */
  private async joinAndSync(partitionCount: (topic: string) => Promise<number | undefined>): Promise<TopicPartitions[] | undefined> {
    const { groupId, groupInstanceId } = this.config
    const conn = await this.coordinator()
    if (conn === undefined) return undefined
    const joined = await conn.request(
      ApiKey.JoinGroup,
      (w, v) =>
        encodeJoinGroupRequest(w, v, {
          groupId,
          sessionTimeoutMs: this.config.sessionTimeoutMs,
          rebalanceTimeoutMs: this.config.rebalanceTimeoutMs,
          memberId: this.memberId,
          groupInstanceId,
          protocolType: CONSUMER_PROTOCOL_TYPE,
          protocols: this.config.assignors.map((name) => ({ name, metadata: subscriptionMetadata(name, this.subscription, this.generation) })),
          reason: null,
        }),
      decodeJoinGroupResponse,
      { timeoutMs: Math.max(this.cluster.settings.requestTimeoutMs, this.config.rebalanceTimeoutMs + JOIN_GRACE_MS) },
    )
    if (joined.errorCode !== 0) {
      const error = kafkaErrorForCode(joined.errorCode)
      if (error.errorName === 'MEMBER_ID_REQUIRED') {
        this.memberId = joined.memberId
        return undefined
      }
      await this.recover(error)
      return undefined
    }
    this.memberId = joined.memberId
    this.generation = joined.generationId
    this.protocolName = joined.protocolName
    this.assignedCounts = undefined
    let assignments: { memberId: string; assignment: Buffer }[] = []
    if (joined.leader === joined.memberId) {
      const counts = new Map<string, number | undefined>()
      for (const m of joined.members) for (const t of subscribedTopics(m.metadata)) if (!counts.has(t)) counts.set(t, await partitionCount(t))
      const result = assignGroup(joined.protocolName, joined.members, (topic) => counts.get(topic))
      assignments = result.assignments
      this.assignedCounts = result.counts
    }
    const synced = await conn.request(
      ApiKey.SyncGroup,
      (w, v) =>
        encodeSyncGroupRequest(w, v, {
          groupId,
          generationId: this.generation,
          memberId: this.memberId,
          groupInstanceId,
          protocolType: CONSUMER_PROTOCOL_TYPE,
          protocolName: this.protocolName,
          assignments,
        }),
      decodeSyncGroupResponse,
      { timeoutMs: Math.max(this.cluster.settings.requestTimeoutMs, this.config.rebalanceTimeoutMs + JOIN_GRACE_MS) },
    )
    if (synced.errorCode !== 0) {
      await this.recover(kafkaErrorForCode(synced.errorCode))
      return undefined
    }
    this.rejoinNeeded = false
    this.startHeartbeat()
    return synced.assignment.length === 0 ? [] : decodeAssignment(synced.assignment).value.assignedPartitions
  }

  /** Committed offsets of these partitions; -1 where none. */
  async committed(partitions: readonly TopicPartitions[]): Promise<Map<string, number>> {
    const out = new Map<string, number>()
    if (partitions.length === 0) return out
    const { groupId } = this.config
    const topics = partitions.map((tp) => ({ name: tp.topic, partitionIndexes: [...tp.partitions] }))
    const answer = await this.cluster.retrying(
      async () => {
        const conn = await this.cluster.coordinator(groupId)
        const batched = conn.versionOf(ApiKey.OffsetFetch) >= 8
        const response = await conn.request(
          ApiKey.OffsetFetch,
          (w, v) => encodeOffsetFetchRequest(w, v, batched ? { groups: [{ groupId, topics }], requireStable: true } : { groupId, topics, requireStable: true }),
          decodeOffsetFetchResponse,
        )
        const group = batched ? response.groups.find((g) => g.groupId === groupId) : response
        if (group === undefined) throw new KafkaError('UNKNOWN_SERVER_ERROR', 'OffsetFetch answered without the group')
        if (group.errorCode !== 0) throw kafkaErrorForCode(group.errorCode)
        return group.topics
      },
      () => this.cluster.forgetCoordinator(groupId),
    )
    for (const t of answer) for (const p of t.partitions) out.set(partitionKey(t.name, p.partitionIndex), p.errorCode === 0 ? p.committedOffset : -1)
    return out
  }

  /**
   * Commits offsets as the current generation. Skipped (false) when the member holds no generation; a
   * refused commit marks the member for rejoining, warns as Java does, and returns false.
   */
  async commit(offsets: readonly PartitionOffset[]): Promise<boolean> {
    if (offsets.length === 0) return true
    if (this.memberId === '' || this.generation < 0) return false
    const byTopic = new Map<string, { partitionIndex: number; committedOffset: number; committedMetadata: string }[]>()
    for (const o of offsets) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), { partitionIndex: o.partition, committedOffset: o.offset, committedMetadata: '' }])
    const { groupId, groupInstanceId } = this.config
    const answer = await this.cluster.retrying(
      async () => {
        const conn = await this.cluster.coordinator(groupId)
        return conn.request(
          ApiKey.OffsetCommit,
          (w, v) =>
            encodeOffsetCommitRequest(w, v, {
              groupId,
              generationIdOrMemberEpoch: this.generation,
              memberId: this.memberId,
              groupInstanceId: v >= 7 ? groupInstanceId : null,
              topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
            }),
          decodeOffsetCommitResponse,
        )
      },
      () => this.cluster.forgetCoordinator(groupId),
    )
    const failed = answer.topics.flatMap((t) => t.partitions.filter((p) => p.errorCode !== 0).map((p) => ({ topic: t.name, partition: p.partitionIndex, error: kafkaErrorForCode(p.errorCode) })))
    const first = failed[0]?.error
    if (first === undefined) return true
    if (COORDINATOR_MOVED.has(first.errorName)) this.cluster.forgetCoordinator(groupId)
    if (first.errorName === 'UNKNOWN_MEMBER_ID' || first.errorName === 'ILLEGAL_GENERATION') this.resetGeneration(first.errorName === 'UNKNOWN_MEMBER_ID')
    if (first.errorName === 'REBALANCE_IN_PROGRESS' || first.errorName === 'UNKNOWN_MEMBER_ID' || first.errorName === 'ILLEGAL_GENERATION') this.rejoinNeeded = true
    process.stderr.write(commitFailureWarning(this.config.clientId, groupId, failed))
    return false
  }

  /** LeaveGroup (dynamic members only: a static member leaves by session timeout, as in Kafka). */
  async leave(): Promise<void> {
    this.stopHeartbeat()
    if (this.memberId === '' || this.config.groupInstanceId !== null) return
    const memberId = this.memberId
    this.resetGeneration(true)
    try {
      const conn = await this.cluster.coordinator(this.config.groupId)
      await conn.request(
        ApiKey.LeaveGroup,
        (w, v) =>
          encodeLeaveGroupRequest(
            w,
            v,
            v >= 3
              ? { groupId: this.config.groupId, members: [{ memberId, groupInstanceId: null, reason: 'the consumer is being closed' }] }
              : { groupId: this.config.groupId, memberId },
          ),
        decodeLeaveGroupResponse,
      )
    } catch {
      // The group expels us by session timeout anyway.
    }
  }

  // ---- internals ----------------------------------------------------------------------------------

  /** The coordinator's connection, or undefined (after a backoff) when it must be looked up again. */
  private async coordinator(): Promise<BrokerConnection | undefined> {
    try {
      return await this.cluster.coordinator(this.config.groupId)
    } catch (err) {
      if (!(err instanceof KafkaError) || !COORDINATOR_MOVED.has(err.errorName)) throw err
      await delay(this.cluster.backoffMs(0))
      return undefined
    }
  }

  private resetGeneration(resetMemberId: boolean): void {
    this.generation = -1
    if (resetMemberId) this.memberId = ''
  }

  /** After a failed JoinGroup/SyncGroup: adjust and back off, or throw when Kafka treats it as fatal. */
  private async recover(error: KafkaError): Promise<void> {
    const name = error.errorName
    if (name === 'UNKNOWN_MEMBER_ID') this.resetGeneration(true)
    else if (name === 'ILLEGAL_GENERATION') this.resetGeneration(false)
    else if (COORDINATOR_MOVED.has(name)) {
      this.cluster.forgetCoordinator(this.config.groupId)
      await delay(this.cluster.backoffMs(0))
    } else if (name !== 'REBALANCE_IN_PROGRESS') {
      if (FATAL_JOIN_ERRORS.has(name) || (!error.retriable && name !== 'UNKNOWN_SERVER_ERROR')) throw new GroupMemberError(error)
      await delay(this.config.retryBackoffMs)
    }
  }

  private startHeartbeat(): void {
    this.stopHeartbeat()
    this.lastHeartbeatOkMs = Date.now()
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), this.config.heartbeatIntervalMs)
    // The consumer loop keeps the process alive; the heartbeat alone must not.
    this.heartbeatTimer.unref()
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer !== undefined) clearInterval(this.heartbeatTimer)
    this.heartbeatTimer = undefined
  }

  private async heartbeat(): Promise<void> {
    if (this.heartbeating) return
    this.heartbeating = true
    const generation = this.generation
    let code: number
    try {
      const conn = await this.cluster.coordinator(this.config.groupId)
      const answer = await conn.request(
        ApiKey.Heartbeat,
        (w, v) => encodeHeartbeatRequest(w, v, { groupId: this.config.groupId, generationId: generation, memberId: this.memberId, groupInstanceId: this.config.groupInstanceId }),
        decodeHeartbeatResponse,
      )
      code = answer.errorCode
    } catch {
      this.cluster.forgetCoordinator(this.config.groupId)
      return // the next beat retries
    } finally {
      this.heartbeating = false
    }
    // A beat of a generation given up meanwhile says nothing about the current one.
    if (this.heartbeatTimer === undefined || generation !== this.generation) return
    if (code === 0) {
      this.lastHeartbeatOkMs = Date.now()
      return
    }
    const error = kafkaErrorForCode(code)
    const name = error.errorName
    if (name === 'REBALANCE_IN_PROGRESS') {
      this.lastHeartbeatOkMs = Date.now()
      this.rejoinNeeded = true
    } else if (name === 'ILLEGAL_GENERATION' || name === 'UNKNOWN_MEMBER_ID') {
      this.resetGeneration(name === 'UNKNOWN_MEMBER_ID')
      this.rejoinNeeded = true
    } else if (name === 'FENCED_INSTANCE_ID') {
      this.fatal = new GroupMemberError(error)
      this.stopHeartbeat()
    } else if (COORDINATOR_MOVED.has(name)) {
      this.cluster.forgetCoordinator(this.config.groupId)
    }
  }
}

/** The topics a member's JoinGroup metadata subscribes to ([] when it cannot be read). */
function subscribedTopics(metadata: Buffer): string[] {
  try {
    return decodeSubscription(metadata).value.topics
  } catch {
    return []
  }
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error)
    signal.addEventListener('abort', onAbort, { once: true })
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(err instanceof Error ? err : new Error(String(err)))
      },
    )
  })
}
