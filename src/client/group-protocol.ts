import { ASSIGNORS, type AssignorMember, type GroupAssignment } from '../broker/groups/assignors.js'
import { COOPERATIVE_STICKY, cooperativeStickyAssign, cooperativeStickyUserData, type StickyMember } from '../broker/groups/cooperative-sticky-assignor.js'
import { KafkaError } from '../broker/kafka-error.js'
import { decodeSubscription, encodeAssignment, encodeSubscription } from '../protocol/consumer-protocol.js'

// The consumer protocol a group member speaks, whichever way it reaches its coordinator (embedded:
// broker.groups in this process, embedded/group-member.ts; remote: JoinGroup/SyncGroup over the wire,
// remote/remote-group-member.ts): the subscription it joins with, the leader's assignment, and which
// coordinator errors end the consumer.

export interface TopicPartitions {
  readonly topic: string
  readonly partitions: readonly number[]
}

export interface PartitionOffset {
  readonly topic: string
  readonly partition: number
  readonly offset: number
}

export function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`
}

/** The Java consumer's WARN line for a refused offset commit. */
export function commitFailureWarning(clientId: string, groupId: string, failed: readonly { topic: string; partition: number; error: KafkaError }[]): string {
  const first = failed[0]?.error.message ?? ''
  return `WARN [Consumer clientId=${clientId}, groupId=${groupId}] Offset commit failed on ${failed.map((f) => `${f.topic}-${f.partition}`).join(', ')}: ${first}\n`
}

/** Errors that end the consumer (Java throws them out of poll()). */
export const FATAL_JOIN_ERRORS: ReadonlySet<string> = new Set([
  'INCONSISTENT_GROUP_PROTOCOL',
  'INVALID_SESSION_TIMEOUT',
  'INVALID_GROUP_ID',
  'GROUP_MAX_SIZE_REACHED',
  'FENCED_INSTANCE_ID',
  'GROUP_AUTHORIZATION_FAILED',
])

export const SUPPORTED_ASSIGNORS: ReadonlySet<string> = new Set([...ASSIGNORS.keys(), COOPERATIVE_STICKY])

/** A group error the consumer cannot recover from (Kafka throws these out of poll()). */
export class GroupMemberError extends Error {
  override name = 'GroupMemberError'
  constructor(readonly error: KafkaError) {
    super(error.message)
  }
}

/** Refuses an assignor this code does not implement (before joining with it). */
export function checkAssignors(assignors: readonly string[]): void {
  for (const name of assignors) {
    if (!SUPPORTED_ASSIGNORS.has(name)) throw new Error(`Assignor ${name} is not available in kafka-ts`)
  }
}

/** JoinGroup metadata for one assignor: the subscribed topics; eager, so nothing is owned when rejoining. */
export function subscriptionMetadata(assignor: string, topics: readonly string[], generation: number): Buffer {
  return encodeSubscription({
    topics: [...topics],
    userData: assignor === COOPERATIVE_STICKY ? cooperativeStickyUserData(generation) : null,
    ownedPartitions: [],
    generationId: generation,
    rackId: null,
  })
}

export interface JoinedMemberMetadata {
  readonly memberId: string
  readonly groupInstanceId: string | null
  readonly metadata: Buffer
}

/**
 * The leader's part: the chosen assignor over every member's subscription, with each topic's partition
 * count from `partitionCount` (undefined: the topic does not exist). Returns the SyncGroup assignments and
 * the counts it assigned from (a change later means a rebalance).
 */
export function assignGroup(
  protocolName: string | null,
  joined: readonly JoinedMemberMetadata[],
  partitionCount: (topic: string) => number | undefined,
): { assignments: { memberId: string; assignment: Buffer }[]; counts: Map<string, number> } {
  const members: StickyMember[] = joined.map((m) => {
    try {
      const s = decodeSubscription(m.metadata).value
      return { memberId: m.memberId, groupInstanceId: m.groupInstanceId, topics: s.topics, ownedPartitions: s.ownedPartitions, generationId: s.generationId }
    } catch {
      // Java fails the whole assignment on bad metadata; an empty subscription keeps the group usable.
      return { memberId: m.memberId, groupInstanceId: m.groupInstanceId, topics: [], ownedPartitions: [], generationId: -1 }
    }
  })
  const counts = new Map<string, number>()
  for (const topic of new Set(members.flatMap((m) => m.topics))) {
    const count = partitionCount(topic)
    if (count !== undefined) counts.set(topic, count)
  }
  let result: GroupAssignment
  if (protocolName === COOPERATIVE_STICKY) {
    result = cooperativeStickyAssign(members, counts)
  } else {
    const assignor = ASSIGNORS.get(protocolName ?? '')
    if (assignor === undefined) throw new GroupMemberError(new KafkaError('INCONSISTENT_GROUP_PROTOCOL', `The group chose assignor ${protocolName ?? '(none)'}, which this member does not implement`))
    result = assignor.assign(members satisfies readonly AssignorMember[], counts)
  }
  return {
    assignments: members.map((m) => ({ memberId: m.memberId, assignment: encodeAssignment({ assignedPartitions: result.get(m.memberId) ?? [], userData: null }) })),
    counts,
  }
}
