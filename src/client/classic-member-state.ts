import type { KafkaError } from '../broker/kafka-error.js'
import { commitFailureWarning, FATAL_JOIN_ERRORS, GroupMemberError, subscriptionMetadata } from './group-protocol.js'

// What a classic-protocol group member knows and how it reacts to its coordinator's answers — the rules of
// Java's ConsumerCoordinator, kept once for both ways of reaching the coordinator (embedded/group-member.ts
// calls broker.groups in this process, remote/remote-group-member.ts sends requests over the wire). The
// members own the requests and their timing; this class owns the membership and every decision an answer
// leads to.

/** Errors that mean the coordinator lives elsewhere now: look it up again. */
const COORDINATOR_MOVED: ReadonlySet<string> = new Set(['NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_LOAD_IN_PROGRESS'])

/** What a member does after a refused JoinGroup/SyncGroup: retry at once, back off, or find the coordinator again. */
export type JoinRetry = 'now' | 'backoff' | 'find-coordinator'

export function coordinatorMoved(error: KafkaError): boolean {
  return COORDINATOR_MOVED.has(error.errorName)
}

export class ClassicMemberState {
  memberId = ''
  generation = -1
  protocolName: string | null = null
  private rejoinNeeded = true
  private fatal: GroupMemberError | undefined
  private subscription: string[] = []
  /** The leader's view of the partition counts it assigned from; a change triggers a rebalance. */
  private assignedCounts: ReadonlyMap<string, number> | undefined
  private lastHeartbeatOkMs = 0
  private wake = new AbortController()
  private heartbeatTimer: NodeJS.Timeout | undefined

  constructor(
    private readonly settings: { readonly groupId: string; readonly clientId: string; readonly sessionTimeoutMs: number; readonly heartbeatIntervalMs: number },
  ) {}

  /**
   * True when the member must rejoin before reading: a rebalance was signalled, the subscription
   * changed, or no heartbeat succeeded for a whole session timeout (the coordinator has probably
   * expelled it and handed its partitions on; reading on would duplicate work).
   */
  get needsRejoin(): boolean {
    if (this.fatal) throw this.fatal
    if (!this.rejoinNeeded && Date.now() - this.lastHeartbeatOkMs > this.settings.sessionTimeoutMs) this.requestRejoin()
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

  /** JoinGroup metadata for one assignor: the current subscription and generation. */
  metadata(assignor: string): Buffer {
    return subscriptionMetadata(assignor, this.subscription, this.generation)
  }

  /** For the leader: rebalance when a topic it assigned gained partitions (or vanished). */
  checkPartitionCounts(partitionCount: (topic: string) => number | undefined): void {
    if (this.assignedCounts === undefined || this.rejoinNeeded) return
    for (const [topic, count] of this.assignedCounts) {
      if ((partitionCount(topic) ?? -1) !== count) {
        this.requestRejoin()
        return
      }
    }
  }

  /** A JoinGroup answered: the member's id, generation and the group's protocol; `counts` when it led. */
  joined(memberId: string, generation: number, protocolName: string | null): void {
    this.memberId = memberId
    this.generation = generation
    this.protocolName = protocolName
    this.assignedCounts = undefined
  }

  /** The leader assigned from these partition counts. */
  assignedFrom(counts: ReadonlyMap<string, number>): void {
    this.assignedCounts = counts
  }

  /** SyncGroup answered: the member holds its generation; heartbeats start with `beat` every interval. */
  synced(beat: () => void): void {
    this.rejoinNeeded = false
    this.wake = new AbortController()
    this.stopHeartbeat()
    this.lastHeartbeatOkMs = Date.now()
    this.heartbeatTimer = setInterval(beat, this.settings.heartbeatIntervalMs)
    // The consumer loop keeps the process alive; the heartbeat alone must not.
    this.heartbeatTimer.unref()
  }

  get heartbeating(): boolean {
    return this.heartbeatTimer !== undefined
  }

  stopHeartbeat(): void {
    if (this.heartbeatTimer !== undefined) clearInterval(this.heartbeatTimer)
    this.heartbeatTimer = undefined
  }

  /** After a refused JoinGroup/SyncGroup: adjust the membership and say how to retry; throws when Kafka treats the error as fatal. */
  joinRefused(error: KafkaError): JoinRetry {
    const name = error.errorName
    if (name === 'UNKNOWN_MEMBER_ID') this.resetGeneration(true)
    // Still a member, of a newer generation: rejoin under the same id.
    else if (name === 'ILLEGAL_GENERATION') this.resetGeneration(false)
    else if (coordinatorMoved(error)) return 'find-coordinator'
    else if (name !== 'REBALANCE_IN_PROGRESS') {
      if (FATAL_JOIN_ERRORS.has(name) || (!error.retriable && name !== 'UNKNOWN_SERVER_ERROR')) throw new GroupMemberError(error)
      return 'backoff'
    }
    return 'now'
  }

  /** A heartbeat's answer (undefined: accepted). True when the coordinator must be looked up again. */
  heartbeatAnswered(error: KafkaError | undefined): boolean {
    if (error === undefined) {
      this.lastHeartbeatOkMs = Date.now()
      return false
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
    return coordinatorMoved(error)
  }

  /** True when the member may commit: Java's rule, a member that lost its generation must not overwrite the new owners' commits. */
  get mayCommit(): boolean {
    return this.memberId !== '' && this.generation >= 0
  }

  /**
   * A commit refused for these partitions: warn as Java does, and rejoin when the group moved on.
   * True when the coordinator must be looked up again.
   */
  commitRefused(failed: readonly { topic: string; partition: number; error: KafkaError }[]): boolean {
    const first = failed[0]?.error
    if (first === undefined) return false
    const name = first.errorName
    if (name === 'UNKNOWN_MEMBER_ID' || name === 'ILLEGAL_GENERATION') this.resetGeneration(name === 'UNKNOWN_MEMBER_ID')
    if (name === 'REBALANCE_IN_PROGRESS' || name === 'UNKNOWN_MEMBER_ID' || name === 'ILLEGAL_GENERATION') this.requestRejoin()
    process.stderr.write(commitFailureWarning(this.settings.clientId, this.settings.groupId, failed))
    return coordinatorMoved(first)
  }

  /** The member leaves (or gave up its id): no generation, no id. */
  left(): void {
    this.stopHeartbeat()
    this.resetGeneration(true)
  }

  private requestRejoin(): void {
    this.rejoinNeeded = true
    this.wake.abort()
  }

  private resetGeneration(resetMemberId: boolean): void {
    this.generation = -1
    if (resetMemberId) this.memberId = ''
  }
}
