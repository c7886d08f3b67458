// Requests and results of the group coordinator (classic protocol). Field names follow Kafka's message
// specs (JoinGroupRequest.json, SyncGroupRequest.json, …) so the server handlers map them one to one;
// results carry a KafkaError (undefined = error code 0) instead of raw codes.

import type { KafkaError } from '../kafka-error.js'

/** Group states as DescribeGroups and ListGroups report them. */
export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead'

export interface GroupProtocol {
  readonly name: string
  readonly metadata: Buffer
}

export interface JoinGroupRequest {
  readonly groupId: string
  /** '' for a member joining for the first time. */
  readonly memberId: string
  readonly groupInstanceId: string | null
  /** From the request header; the prefix of generated member ids. */
  readonly clientId: string
  /** What DescribeGroups shows as client_host: Kafka's form is '/' + the peer's IP address. */
  readonly clientHost: string
  readonly sessionTimeoutMs: number
  /** -1 (JoinGroup v0) means: the session timeout. */
  readonly rebalanceTimeoutMs: number
  readonly protocolType: string
  /** In the member's order of preference. */
  readonly protocols: readonly GroupProtocol[]
  /** JoinGroup v4+: a first join without a member id gets MEMBER_ID_REQUIRED and a new id. */
  readonly requireKnownMemberId: boolean
  /** JoinGroup v9+: a static leader rejoining a Stable group may be told to skip the assignment. */
  readonly supportsSkipAssignment?: boolean
  readonly reason?: string | null
  /**
   * Embedded members only (never set from the wire): the pid of the kafka-ts process on this machine
   * that owns the member. Once that process is gone the coordinator expires the member at once, so a
   * SIGKILLed consumer does not hold its partitions for a whole session timeout.
   */
  readonly localProcessId?: number
}

export interface JoinedMember {
  readonly memberId: string
  readonly groupInstanceId: string | null
  /** The member's metadata for the chosen protocol. */
  readonly metadata: Buffer
}

export interface JoinResult {
  readonly error: KafkaError | undefined
  /** -1 with an error. */
  readonly generationId: number
  readonly protocolType: string | null
  readonly protocolName: string | null
  /** '' with an error. */
  readonly leader: string
  readonly skipAssignment: boolean
  /** The caller's member id (the new one with MEMBER_ID_REQUIRED). */
  readonly memberId: string
  /** Only for the leader: every member with its metadata; followers get []. */
  readonly members: readonly JoinedMember[]
}

export interface MemberAssignment {
  readonly memberId: string
  readonly assignment: Buffer
}

export interface SyncGroupRequest {
  readonly groupId: string
  readonly generationId: number
  readonly memberId: string
  readonly groupInstanceId: string | null
  /** v5+; null when not sent. */
  readonly protocolType: string | null
  readonly protocolName: string | null
  /** Sent by the leader: every member's assignment. Followers send []. */
  readonly assignments: readonly MemberAssignment[]
}

export interface SyncResult {
  readonly error: KafkaError | undefined
  readonly protocolType: string | null
  readonly protocolName: string | null
  /** The member's assignment bytes (empty with an error or when the leader gave none). */
  readonly assignment: Buffer
}

export interface HeartbeatRequest {
  readonly groupId: string
  readonly generationId: number
  readonly memberId: string
  readonly groupInstanceId: string | null
}

export interface LeavingMember {
  /** '' to remove a static member by its instance id alone (admin removal). */
  readonly memberId: string
  readonly groupInstanceId: string | null
  readonly reason?: string | null
}

export interface LeaveGroupRequest {
  readonly groupId: string
  /** v0–2 send one member (member id only). */
  readonly members: readonly LeavingMember[]
}

export interface LeaveResult {
  /** Group-level error (INVALID_GROUP_ID); per-member errors are in `members`. */
  readonly error: KafkaError | undefined
  readonly members: readonly { readonly memberId: string; readonly groupInstanceId: string | null; readonly error: KafkaError | undefined }[]
}

export interface OffsetCommitPartition {
  readonly partition: number
  readonly offset: number
  /** -1 when unknown (OffsetCommit < v6). */
  readonly leaderEpoch: number
  readonly metadata: string | null
}

export interface OffsetCommitRequest {
  readonly groupId: string
  /** -1 for simple (non-member) commits and OffsetCommit v0. */
  readonly generationId: number
  /** '' for simple commits. */
  readonly memberId: string
  readonly groupInstanceId: string | null
  readonly topics: readonly { readonly name: string; readonly partitions: readonly OffsetCommitPartition[] }[]
}

export interface PartitionResult {
  readonly partition: number
  readonly error: KafkaError | undefined
}

export interface TopicPartitionsResult {
  readonly name: string
  readonly partitions: readonly PartitionResult[]
}

export interface OffsetFetchRequest {
  readonly groupId: string
  /** null: every committed offset of the group (OffsetFetch v2+). */
  readonly topics: readonly { readonly name: string; readonly partitions: readonly number[] }[] | null
}

export interface FetchedOffset {
  readonly partition: number
  /** -1 when nothing is committed. */
  readonly offset: number
  readonly leaderEpoch: number
  /** '' when nothing is committed. */
  readonly metadata: string
  readonly error: KafkaError | undefined
}

export interface OffsetFetchResult {
  readonly error: KafkaError | undefined
  readonly topics: readonly { readonly name: string; readonly partitions: readonly FetchedOffset[] }[]
}

export interface ListedGroup {
  readonly groupId: string
  /** '' for groups that only hold committed offsets. */
  readonly protocolType: string
  readonly state: GroupState
  readonly groupType: 'classic'
}

export interface ListGroupsRequest {
  /** Case-insensitive state names (ListGroups v4+); empty = all. */
  readonly statesFilter?: readonly string[]
  /** Case-insensitive group types (v5+); empty = all. */
  readonly typesFilter?: readonly string[]
}

export interface DescribedMember {
  readonly memberId: string
  readonly groupInstanceId: string | null
  readonly clientId: string
  readonly clientHost: string
  /** Empty unless the group is Stable. */
  readonly metadata: Buffer
  /** Empty unless the group is Stable. */
  readonly assignment: Buffer
}

export interface DescribedGroup {
  readonly groupId: string
  readonly error: KafkaError | undefined
  readonly state: GroupState
  readonly protocolType: string
  /** The chosen protocol name when Stable, else ''. */
  readonly protocolData: string
  readonly members: readonly DescribedMember[]
}

export interface OffsetDeleteRequest {
  readonly groupId: string
  readonly topics: readonly { readonly name: string; readonly partitions: readonly number[] }[]
}

export interface OffsetDeleteResult {
  readonly error: KafkaError | undefined
  readonly topics: readonly TopicPartitionsResult[]
}

/** One committed offset, for the consumer-groups tool. */
export interface CommittedOffset {
  readonly topic: string
  readonly partition: number
  readonly offset: number
  readonly leaderEpoch: number
  readonly metadata: string
  readonly commitTimestampMs: number
}

/** What `consumer-groups --describe` needs about one group. */
export interface GroupOverview {
  readonly groupId: string
  readonly state: GroupState
  readonly protocolType: string
  /** The chosen assignor, '' unless Stable. */
  readonly protocolName: string
  readonly generationId: number
  readonly members: readonly (DescribedMember & {
    /** Decoded ConsumerProtocolAssignment when the group is Stable and uses protocol type 'consumer'. */
    readonly assignedPartitions: readonly { readonly topic: string; readonly partitions: readonly number[] }[] | null
  })[]
  /** Committed offsets, sorted by topic then partition. */
  readonly offsets: readonly CommittedOffset[]
}
