import type { Broker } from '../../broker/broker.js'
import { CONSUMER_PROTOCOL_TYPE, decodeAssignment } from '../../protocol/consumer-protocol.js'
import type { JoinResult } from '../../broker/groups/types.js'
import type { KafkaError } from '../../broker/kafka-error.js'
import type { GroupMembership } from '../kafka-client.js'
import { ClassicMemberState } from '../classic-member-state.js'
import { assignGroup, checkAssignors, GroupMemberError, partitionKey, type PartitionOffset, type TopicPartitions } from '../group-protocol.js'

export { GroupMemberError, partitionKey, type PartitionOffset, type TopicPartitions }

// An embedded consumer-group member: what the Java consumer's ConsumerCoordinator does, against
// `broker.groups` in this process instead of over the wire. The coordinator keeps the group in SQLite,
// so members in other processes (and the wire server's clients) are in the same group.
//
// Rebalancing is eager, as for Java's default assignors [range, cooperative-sticky]: before rejoining,
// the consumer commits and gives up every partition, so no two members ever read a partition at once —
// the coordinator completes a generation only once every live member has rejoined (or been expelled).
// Heartbeats run on a timer (Java's heartbeat thread); how an answer changes the membership is
// ClassicMemberState's, shared with the remote member. A member marked for rejoining wakes the consumer's
// long poll through `wakeSignal`.

/** The member's settings: the consumer's group properties, less the consumer's own commit settings. */
export type GroupMemberConfig = Omit<GroupMembership, 'autoCommit' | 'autoCommitIntervalMs' | 'retryBackoffMs'> & { readonly retryBackoffMs?: number }

/** Java's CommonClientConfigs: what DescribeGroups shows as the embedded member's host. */
const CLIENT_HOST = '/127.0.0.1'

export class GroupMember {
  private readonly state: ClassicMemberState

  constructor(
    private readonly broker: Broker,
    readonly config: GroupMemberConfig,
  ) {
    checkAssignors(config.assignors)
    this.state = new ClassicMemberState(config)
  }

  get memberId(): string {
    return this.state.memberId
  }

  get generationId(): number {
    return this.state.generation
  }

  /** True when the member must rejoin before reading (ClassicMemberState.needsRejoin). */
  get needsRejoin(): boolean {
    return this.state.needsRejoin
  }

  /** Aborted when the member must rejoin, so a parked long poll returns at once. */
  get wakeSignal(): AbortSignal {
    return this.state.wakeSignal
  }

  subscribe(topics: readonly string[]): void {
    this.state.subscribe(topics)
  }

  /** For the leader: rebalance when a topic it assigned gained partitions (or vanished). */
  checkPartitionCounts(): void {
    this.state.checkPartitionCounts((topic) => this.broker.findTopic(topic)?.partitionCount)
  }

  /**
   * JoinGroup then SyncGroup until the member holds a generation; returns its assigned partitions.
   * Retriable errors retry; fatal ones throw GroupMemberError. An aborted signal rejects with its
   * reason (the coordinator keeps the member until it leaves or its session expires).
   */
  async join(signal: AbortSignal): Promise<TopicPartitions[]> {
    this.state.stopHeartbeat()
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
    const state = this.state
    for (;;) {
      signal.throwIfAborted()
      const joined = await groups.joinGroup(
        {
          groupId: this.config.groupId,
          memberId: state.memberId,
          groupInstanceId: this.config.groupInstanceId,
          clientId: this.config.clientId,
          clientHost: CLIENT_HOST,
          sessionTimeoutMs: this.config.sessionTimeoutMs,
          rebalanceTimeoutMs: this.config.rebalanceTimeoutMs,
          protocolType: CONSUMER_PROTOCOL_TYPE,
          protocols: this.config.assignors.map((name) => ({ name, metadata: state.metadata(name) })),
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
        if (joined.error.errorName === 'MEMBER_ID_REQUIRED') state.memberId = joined.memberId
        else await this.recover(joined.error, signal)
        continue
      }
      state.joined(joined.memberId, joined.generationId, joined.protocolName)
      const assignments = joined.leader === joined.memberId ? this.assign(joined) : []
      const synced = await groups.syncGroup(
        {
          groupId: this.config.groupId,
          generationId: state.generation,
          memberId: state.memberId,
          groupInstanceId: this.config.groupInstanceId,
          protocolType: CONSUMER_PROTOCOL_TYPE,
          protocolName: state.protocolName,
          assignments,
        },
        { signal },
      )
      if (synced.error) {
        await this.recover(synced.error, signal)
        continue
      }
      state.synced(() => this.heartbeat())
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
   * Commits offsets as the current generation. Skipped (false) when the member holds no generation;
   * a refused commit marks the member for rejoining and returns false.
   */
  commit(offsets: readonly PartitionOffset[]): boolean {
    if (offsets.length === 0) return true
    if (!this.state.mayCommit) return false
    const byTopic = new Map<string, { partition: number; offset: number; leaderEpoch: number; metadata: string }[]>()
    for (const o of offsets) {
      const list = byTopic.get(o.topic) ?? []
      list.push({ partition: o.partition, offset: o.offset, leaderEpoch: -1, metadata: '' })
      byTopic.set(o.topic, list)
    }
    const results = this.broker.groups.commitOffsets({
      groupId: this.config.groupId,
      generationId: this.state.generation,
      memberId: this.state.memberId,
      groupInstanceId: this.config.groupInstanceId,
      topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
    })
    const failed = results.flatMap((t) => t.partitions.filter((p) => p.error).map((p) => ({ topic: t.name, partition: p.partition, error: p.error! })))
    if (failed.length === 0) return true
    this.state.commitRefused(failed)
    return false
  }

  /** LeaveGroup (dynamic members only: a static member leaves by session timeout, as in Kafka). */
  leave(): void {
    this.state.stopHeartbeat()
    const memberId = this.state.memberId
    if (memberId === '' || this.config.groupInstanceId !== null) return
    try {
      this.broker.groups.leaveGroup({
        groupId: this.config.groupId,
        members: [{ memberId, groupInstanceId: null, reason: 'the consumer is being closed' }],
      })
    } catch {
      // The group expels us by session timeout anyway.
    }
    this.state.left()
  }

  // ---- internals ----------------------------------------------------------------------------------

  /** After a failed JoinGroup/SyncGroup: back off where the state says so (one coordinator here, never moved). */
  private async recover(error: KafkaError, signal: AbortSignal): Promise<void> {
    if (this.state.joinRefused(error) !== 'now') await sleep(this.config.retryBackoffMs ?? 100, signal)
  }

  /** The leader's part: run the chosen assignor over every member's subscription. */
  private assign(joined: JoinResult): { memberId: string; assignment: Buffer }[] {
    const { assignments, counts } = assignGroup(joined.protocolName, joined.members, (topic) => this.broker.findTopic(topic)?.partitionCount)
    this.state.assignedFrom(counts)
    return assignments
  }

  private heartbeat(): void {
    let error: KafkaError | undefined
    try {
      error = this.broker.groups.heartbeat({
        groupId: this.config.groupId,
        generationId: this.state.generation,
        memberId: this.state.memberId,
        groupInstanceId: this.config.groupInstanceId,
      })
    } catch {
      return // a busy or closing store: the next beat retries
    }
    this.state.heartbeatAnswered(error)
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
