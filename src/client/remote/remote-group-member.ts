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
import { ClassicMemberState, coordinatorMoved } from '../classic-member-state.js'
import { assignGroup, checkAssignors, partitionKey } from '../group-protocol.js'
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
// ILLEGAL_GENERATION or UNKNOWN_MEMBER_ID mark the member for rejoining (ClassicMemberState's rules, shared
// with the embedded member), which the consumer loop checks between fetches. NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, COORDINATOR_LOAD_IN_PROGRESS and a lost
// connection send the member to FindCoordinator again.

export { partitionKey, type PartitionOffset, type TopicPartitions }

/** Extra time the broker may take past rebalance.timeout.ms before JoinGroup counts as lost (Java's 5 s). */
const JOIN_GRACE_MS = 5000

export class RemoteGroupMember {
  private readonly state: ClassicMemberState
  private beatInFlight = false

  constructor(
    private readonly cluster: Cluster,
    readonly config: GroupMembership,
  ) {
    checkAssignors(config.assignors)
    this.state = new ClassicMemberState(config)
  }

  /** True when the member must rejoin before reading (ClassicMemberState.needsRejoin). */
  get needsRejoin(): boolean {
    return this.state.needsRejoin
  }

  subscribe(topics: readonly string[]): void {
    this.state.subscribe(topics)
  }

  /** For the leader: rebalance when a topic it assigned gained partitions (or vanished). */
  checkPartitionCounts(partitionCount: (topic: string) => number | undefined): void {
    this.state.checkPartitionCounts(partitionCount)
  }

  /**
   * JoinGroup then SyncGroup until the member holds a generation; returns its assigned partitions.
   * `partitionCount` gives the leader each topic's partitions. Fatal errors throw GroupMemberError; a
   * coordinator that stays unreachable for `retries` attempts in a row throws its BrokerIoError.
   */
  async join(signal: AbortSignal, partitionCount: (topic: string) => Promise<number | undefined>): Promise<TopicPartitions[]> {
    this.state.stopHeartbeat()
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
    const state = this.state
    const conn = await this.coordinator()
    if (conn === undefined) return undefined
    const joined = await conn.request(
      ApiKey.JoinGroup,
      (w, v) =>
        encodeJoinGroupRequest(w, v, {
          groupId,
          sessionTimeoutMs: this.config.sessionTimeoutMs,
          rebalanceTimeoutMs: this.config.rebalanceTimeoutMs,
          memberId: state.memberId,
          groupInstanceId,
          protocolType: CONSUMER_PROTOCOL_TYPE,
          protocols: this.config.assignors.map((name) => ({ name, metadata: state.metadata(name) })),
          reason: null,
        }),
      decodeJoinGroupResponse,
      { timeoutMs: Math.max(this.cluster.settings.requestTimeoutMs, this.config.rebalanceTimeoutMs + JOIN_GRACE_MS) },
    )
    if (joined.errorCode !== 0) {
      const error = kafkaErrorForCode(joined.errorCode)
      if (error.errorName === 'MEMBER_ID_REQUIRED') state.memberId = joined.memberId
      else await this.recover(error)
      return undefined
    }
    state.joined(joined.memberId, joined.generationId, joined.protocolName)
    let assignments: { memberId: string; assignment: Buffer }[] = []
    if (joined.leader === joined.memberId) {
      const counts = new Map<string, number | undefined>()
      for (const m of joined.members) for (const t of subscribedTopics(m.metadata)) if (!counts.has(t)) counts.set(t, await partitionCount(t))
      const result = assignGroup(joined.protocolName, joined.members, (topic) => counts.get(topic))
      assignments = result.assignments
      state.assignedFrom(result.counts)
    }
    const synced = await conn.request(
      ApiKey.SyncGroup,
      (w, v) =>
        encodeSyncGroupRequest(w, v, {
          groupId,
          generationId: state.generation,
          memberId: state.memberId,
          groupInstanceId,
          protocolType: CONSUMER_PROTOCOL_TYPE,
          protocolName: state.protocolName,
          assignments,
        }),
      decodeSyncGroupResponse,
      { timeoutMs: Math.max(this.cluster.settings.requestTimeoutMs, this.config.rebalanceTimeoutMs + JOIN_GRACE_MS) },
    )
    if (synced.errorCode !== 0) {
      await this.recover(kafkaErrorForCode(synced.errorCode))
      return undefined
    }
    state.synced(() => void this.heartbeat())
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
    if (!this.state.mayCommit) return false
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
              generationIdOrMemberEpoch: this.state.generation,
              memberId: this.state.memberId,
              groupInstanceId: v >= 7 ? groupInstanceId : null,
              topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
            }),
          decodeOffsetCommitResponse,
        )
      },
      () => this.cluster.forgetCoordinator(groupId),
    )
    const failed = answer.topics.flatMap((t) => t.partitions.filter((p) => p.errorCode !== 0).map((p) => ({ topic: t.name, partition: p.partitionIndex, error: kafkaErrorForCode(p.errorCode) })))
    if (failed.length === 0) return true
    if (this.state.commitRefused(failed)) this.cluster.forgetCoordinator(groupId)
    return false
  }

  /** LeaveGroup (dynamic members only: a static member leaves by session timeout, as in Kafka). */
  async leave(): Promise<void> {
    this.state.stopHeartbeat()
    const memberId = this.state.memberId
    if (memberId === '' || this.config.groupInstanceId !== null) return
    this.state.left()
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
      if (!(err instanceof KafkaError) || !coordinatorMoved(err)) throw err
      await delay(this.cluster.backoffMs(0))
      return undefined
    }
  }

  /** After a failed JoinGroup/SyncGroup: find the coordinator again or back off where the state says so. */
  private async recover(error: KafkaError): Promise<void> {
    const retry = this.state.joinRefused(error)
    if (retry === 'find-coordinator') {
      this.cluster.forgetCoordinator(this.config.groupId)
      await delay(this.cluster.backoffMs(0))
    } else if (retry === 'backoff') {
      await delay(this.config.retryBackoffMs)
    }
  }

  private async heartbeat(): Promise<void> {
    if (this.beatInFlight) return
    this.beatInFlight = true
    const generation = this.state.generation
    let code: number
    try {
      const conn = await this.cluster.coordinator(this.config.groupId)
      const answer = await conn.request(
        ApiKey.Heartbeat,
        (w, v) =>
          encodeHeartbeatRequest(w, v, { groupId: this.config.groupId, generationId: generation, memberId: this.state.memberId, groupInstanceId: this.config.groupInstanceId }),
        decodeHeartbeatResponse,
      )
      code = answer.errorCode
    } catch {
      this.cluster.forgetCoordinator(this.config.groupId)
      return // the next beat retries
    } finally {
      this.beatInFlight = false
    }
    // A beat of a generation given up meanwhile says nothing about the current one.
    if (!this.state.heartbeating || generation !== this.state.generation) return
    if (this.state.heartbeatAnswered(code === 0 ? undefined : kafkaErrorForCode(code))) this.cluster.forgetCoordinator(this.config.groupId)
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
