import type { Broker } from '../../broker/broker.js'
import { CONSUMER_PROTOCOL_TYPE, decodeAssignment } from '../../protocol/consumer-protocol.js'
import type { JoinResult } from '../../broker/groups/types.js'
import type { KafkaError } from '../../broker/kafka-error.js'
import type { GroupMembership } from '../kafka-client.js'
import {
  assignGroup,
  checkAssignors,
  commitFailureWarning,
  FATAL_JOIN_ERRORS,
  GroupMemberError,
  partitionKey,
  subscriptionMetadata,
  type PartitionOffset,
  type TopicPartitions,
} from '../group-protocol.js'

export { GroupMemberError, partitionKey, type PartitionOffset, type TopicPartitions }

// An embedded consumer-group member: what the Java consumer's ConsumerCoordinator does, against
// `broker.groups` in this process instead of over the wire. The coordinator keeps the group in SQLite,
// so members in other processes (and the wire server's clients) are in the same group.
//
// Rebalancing is eager, as for Java's default assignors [range, cooperative-sticky]: before rejoining,
// the consumer commits and gives up every partition, so no two members ever read a partition at once —
// the coordinator completes a generation only once every live member has rejoined (or been expelled).
// Heartbeats run on a timer (Java's heartbeat thread); a heartbeat that answers REBALANCE_IN_PROGRESS,
// ILLEGAL_GENERATION or UNKNOWN_MEMBER_ID marks the member for rejoining and wakes the consumer's long
// poll through `wakeSignal`.

/** The member's settings: the consumer's group properties, less the consumer's own commit settings. */
export type GroupMemberConfig = Omit<GroupMembership, 'autoCommit' | 'autoCommitIntervalMs' | 'retryBackoffMs'> & { readonly retryBackoffMs?: number }

/** Java's CommonClientConfigs: what DescribeGroups shows as the embedded member's host. */
const CLIENT_HOST = '/127.0.0.1'

export class GroupMember {
  private memberIdValue = ''
  private generation = -1
  private protocolName: string | null = null
  private rejoinNeeded = true
  private fatal: GroupMemberError | undefined
  private subscription: string[] = []
  /** The leader's view of the partition counts it assigned from; a change triggers a rebalance. */
  private assignedCounts: Map<string, number> | undefined
  private heartbeatTimer: NodeJS.Timeout | undefined
  private lastHeartbeatOkMs = 0
  private wake = new AbortController()

  constructor(
    private readonly broker: Broker,
    readonly config: GroupMemberConfig,
  ) {
    checkAssignors(config.assignors)
  }

  get memberId(): string {
    return this.memberIdValue
  }

  get generationId(): number {
    return this.generation
  }

  /**
   * True when the member must rejoin before reading: a rebalance was signalled, the subscription
   * changed, or no heartbeat succeeded for a whole session timeout (the coordinator has probably
   * expelled it and handed its partitions on; reading on would duplicate work).
   */
  get needsRejoin(): boolean {
    if (this.fatal) throw this.fatal
    if (!this.rejoinNeeded && Date.now() - this.lastHeartbeatOkMs > this.config.sessionTimeoutMs) this.requestRejoin()
    return this.rejoinNeeded
  }

  /** Aborted when the member must rejoin, so a parked long poll returns at once. */
  get wakeSignal(): AbortSignal {
    return this.wake.signal
  }

  /** Sets the subscribed topics; a change once joined triggers a rebalance (Java: metadata change). */
  subscribe(topics: readonly string[]): void {
    const next = [...new Set(topics)].sort()
    if (next.length === this.subscription.length && next.every((t, i) => t === this.subscription[i])) return
    this.subscription = next
    this.requestRejoin()
  }

  /** For the leader: rebalance when a topic it assigned gained partitions (or vanished). */
  checkPartitionCounts(): void {
    if (this.assignedCounts === undefined || this.rejoinNeeded) return
    for (const [topic, count] of this.assignedCounts) {
      if ((this.broker.findTopic(topic)?.partitionCount ?? -1) !== count) {
        this.requestRejoin()
        return
      }
    }
  }

  /**
   * JoinGroup then SyncGroup until the member holds a generation; returns its assigned partitions.
   * Retriable errors retry; fatal ones throw GroupMemberError. An aborted signal rejects with its
   * reason (the coordinator keeps the member until it leaves or its session expires).
   */
  async join(signal: AbortSignal): Promise<TopicPartitions[]> {
    this.stopHeartbeat()
    // The coordinator's waiters do not hold the process open (the server has its sockets for that);
    // a command parked in JoinGroup/SyncGroup must, or Node exits with the await unsettled.
    const keepAlive = setInterval(() => undefined, 1 << 30)
    try {
      return await this.joinAndSync(signal)
    } finally {
      clearInterval(keepAlive)
    }
  }

  private async joinAndSync(signal: AbortSignal): Promise<TopicPartitions[]> {
    const groups = this.broker.groups
    for (;;) {
      signal.throwIfAborted()
      const joined = await groups.joinGroup(
        {
          groupId: this.config.groupId,
          memberId: this.memberIdValue,
          groupInstanceId: this.config.groupInstanceId,
          clientId: this.config.clientId,
          clientHost: CLIENT_HOST,
          sessionTimeoutMs: this.config.sessionTimeoutMs,
          rebalanceTimeoutMs: this.config.rebalanceTimeoutMs,
          protocolType: CONSUMER_PROTOCOL_TYPE,
          protocols: this.config.assignors.map((name) => ({ name, metadata: this.metadata(name) })),
          requireKnownMemberId: true,
          supportsSkipAssignment: false,
          reason: null,
          // Lets the coordinator drop us at once if this process dies (kill -9 included). Not for static
          // members: their point is to keep the assignment across a restart within session.timeout.ms.
          ...(this.config.groupInstanceId === null ? { localProcessId: process.pid } : {}),
        },
        { signal },
      )
      if (joined.error) {
        if (joined.error.errorName === 'MEMBER_ID_REQUIRED') {
          this.memberIdValue = joined.memberId
          continue
        }
        await this.recover(joined.error, signal)
        continue
      }
      this.memberIdValue = joined.memberId
      this.generation = joined.generationId
      this.protocolName = joined.protocolName
      this.assignedCounts = undefined
      const assignments = joined.leader === joined.memberId ? this.assign(joined) : []
      const synced = await groups.syncGroup(
        {
          groupId: this.config.groupId,
          generationId: this.generation,
          memberId: this.memberIdValue,
          groupInstanceId: this.config.groupInstanceId,
          protocolType: CONSUMER_PROTOCOL_TYPE,
          protocolName: this.protocolName,
          assignments,
        },
        { signal },
      )
      if (synced.error) {
        await this.recover(synced.error, signal)
        continue
      }
      this.rejoinNeeded = false
      this.wake = new AbortController()
      this.startHeartbeat()
      return synced.assignment.length === 0 ? [] : decodeAssignment(synced.assignment).value.assignedPartitions
    }
  }

  /** Committed offsets of these partitions; -1 where none. */
  committed(partitions: readonly TopicPartitions[]): Map<string, number> {
    const fetched = this.broker.groups.fetchOffsets({
      groupId: this.config.groupId,
      topics: partitions.map((tp) => ({ name: tp.topic, partitions: [...tp.partitions] })),
    })
    const out = new Map<string, number>()
    for (const t of fetched.topics) for (const p of t.partitions) out.set(partitionKey(t.name, p.partition), p.error ? -1 : p.offset)
    return out
  }

  /**
   * Commits offsets as the current generation. Skipped (false) when the member holds no generation —
   * Java's rule: a member that lost its membership must not overwrite the new owners' commits.
   * A refused commit marks the member for rejoining and returns false.
   */
  commit(offsets: readonly PartitionOffset[]): boolean {
    if (offsets.length === 0) return true
    if (this.memberIdValue === '' || this.generation < 0) return false
    const byTopic = new Map<string, { partition: number; offset: number; leaderEpoch: number; metadata: string }[]>()
    for (const o of offsets) {
      const list = byTopic.get(o.topic) ?? []
      list.push({ partition: o.partition, offset: o.offset, leaderEpoch: -1, metadata: '' })
      byTopic.set(o.topic, list)
    }
    const results = this.broker.groups.commitOffsets({
      groupId: this.config.groupId,
      generationId: this.generation,
      memberId: this.memberIdValue,
      groupInstanceId: this.config.groupInstanceId,
      topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
    })
    const failed = results.flatMap((t) => t.partitions.filter((p) => p.error).map((p) => ({ topic: t.name, partition: p.partition, error: p.error! })))
    if (failed.length === 0) return true
    const first = failed[0]!.error
    if (first.errorName === 'UNKNOWN_MEMBER_ID' || first.errorName === 'ILLEGAL_GENERATION') this.resetGeneration(first.errorName === 'UNKNOWN_MEMBER_ID')
    if (first.errorName === 'REBALANCE_IN_PROGRESS' || first.errorName === 'UNKNOWN_MEMBER_ID' || first.errorName === 'ILLEGAL_GENERATION') this.requestRejoin()
    process.stderr.write(commitFailureWarning(this.config.clientId, this.config.groupId, failed))
    return false
  }

  /** LeaveGroup (dynamic members only: a static member leaves by session timeout, as in Kafka). */
  leave(): void {
    this.stopHeartbeat()
    if (this.memberIdValue === '' || this.config.groupInstanceId !== null) return
    try {
      this.broker.groups.leaveGroup({
        groupId: this.config.groupId,
        members: [{ memberId: this.memberIdValue, groupInstanceId: null, reason: 'the consumer is being closed' }],
      })
    } catch {
      // The group expels us by session timeout anyway.
    }
    this.resetGeneration(true)
  }

  // ---- internals ----------------------------------------------------------------------------------

  private requestRejoin(): void {
    this.rejoinNeeded = true
    this.wake.abort()
  }

  private resetGeneration(resetMemberId: boolean): void {
    this.generation = -1
    if (resetMemberId) this.memberIdValue = ''
  }

  /** After a failed JoinGroup/SyncGroup: adjust and back off, or throw when Kafka treats it as fatal. */
  private async recover(error: KafkaError, signal: AbortSignal): Promise<void> {
    const name = error.errorName
    if (name === 'UNKNOWN_MEMBER_ID') {
      this.resetGeneration(true)
    } else if (name === 'ILLEGAL_GENERATION') {
      // Still a member, of a newer generation: rejoin under the same id.
      this.resetGeneration(false)
    } else if (name !== 'REBALANCE_IN_PROGRESS') {
      if (FATAL_JOIN_ERRORS.has(name) || (!error.retriable && name !== 'UNKNOWN_SERVER_ERROR')) throw new GroupMemberError(error)
      await sleep(this.config.retryBackoffMs ?? 100, signal)
    }
  }

  private metadata(assignor: string): Buffer {
    return subscriptionMetadata(assignor, this.subscription, this.generation)
  }

  /** The leader's part: run the chosen assignor over every member's subscription. */
  private assign(joined: JoinResult): { memberId: string; assignment: Buffer }[] {
    const { assignments, counts } = assignGroup(joined.protocolName, joined.members, (topic) => this.broker.findTopic(topic)?.partitionCount)
    this.assignedCounts = counts
    return assignments
  }

  private startHeartbeat(): void {
    this.stopHeartbeat()
    this.lastHeartbeatOkMs = Date.now()
    this.heartbeatTimer = setInterval(() => this.heartbeat(), this.config.heartbeatIntervalMs)
    // The consumer loop keeps the process alive; the heartbeat alone must not.
    this.heartbeatTimer.unref()
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer !== undefined) clearInterval(this.heartbeatTimer)
    this.heartbeatTimer = undefined
  }

  private heartbeat(): void {
    let error: KafkaError | undefined
    try {
      error = this.broker.groups.heartbeat({
        groupId: this.config.groupId,
        generationId: this.generation,
        memberId: this.memberIdValue,
        groupInstanceId: this.config.groupInstanceId,
      })
    } catch {
      return // a busy or closing store: the next beat retries
    }
    if (error === undefined) {
      this.lastHeartbeatOkMs = Date.now()
      return
    }
    const name = error.errorName
    if (name === 'REBALANCE_IN_PROGRESS') {
      // The session is alive; the coordinator only wants us to rejoin.
      this.lastHeartbeatOkMs = Date.now()
      this.requestRejoin()
    } else if (name === 'ILLEGAL_GENERATION' || name === 'UNKNOWN_MEMBER_ID') {
      this.resetGeneration(name === 'UNKNOWN_MEMBER_ID')
      this.requestRejoin()
    } else if (name === 'FENCED_INSTANCE_ID') {
      this.fatal = new GroupMemberError(error)
      this.stopHeartbeat()
      this.wake.abort()
    }
    // Anything else (a coordinator hiccup): the next beat retries.
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal.reason as Error)
    }
    signal.addEventListener('abort', onAbort, { once: true })
  })
}
