import type { GroupState, OffsetDeleteRequest, OffsetDeleteResult } from '../broker/groups/types.js'
import type { KafkaError, Outcome } from '../broker/kafka-error.js'

// What the consumer-groups tool asks of a group coordinator (Kafka's Admin: listConsumerGroups,
// describeConsumerGroups, listConsumerGroupOffsets, alterConsumerGroupOffsets, deleteConsumerGroups,
// deleteConsumerGroupOffsets). Embedded: the broker's GroupCoordinator in this process; remote: the
// coordinator found with FindCoordinator. Answers are the broker core's shapes and KafkaError outcomes.

/** One group as ListGroups reports it. */
export interface GroupListing {
  readonly groupId: string
  /** 'consumer' for consumer groups; '' for groups that only hold committed offsets. */
  readonly protocolType: string
  /** Kafka's state name (Stable, Empty, …; KIP-848 groups may report Assigning or Reconciling). */
  readonly state: string
  /** 'classic' or 'consumer' (ListGroups v5; older brokers only have classic groups). */
  readonly groupType: string
}

export interface ListGroupsFilter {
  /** Case-insensitive state names; empty or absent = every state. */
  readonly states?: readonly string[]
  /** Case-insensitive group types; empty or absent = every type. */
  readonly types?: readonly string[]
}

/** The node that coordinates a group, as clients are told to reach it. */
export interface CoordinatorNode {
  readonly nodeId: number
  readonly host: string
  readonly port: number
}

export interface GroupMemberDescription {
  readonly memberId: string
  readonly groupInstanceId: string | null
  readonly clientId: string
  /** Kafka's form: '/' + the member's IP address. */
  readonly clientHost: string
  /** The decoded ConsumerProtocolAssignment when the group is Stable with protocol type 'consumer' ([] for empty bytes, null when undecodable), else null. */
  readonly assignedPartitions: readonly { readonly topic: string; readonly partitions: readonly number[] }[] | null
}

/** DescribeGroups for one group: an unknown group is Dead with no members (not an error). */
export interface GroupDescription {
  readonly groupId: string
  readonly state: GroupState
  readonly protocolType: string
  /** The chosen assignor, '' unless Stable. */
  readonly protocolName: string
  readonly members: readonly GroupMemberDescription[]
  readonly coordinator: CoordinatorNode
  /** The coordinator does not know the group (DescribeGroups v6+ GROUP_ID_NOT_FOUND, KIP-1043); older ones say Dead. */
  readonly notFound?: boolean
}

/** One committed offset of a group. */
export interface GroupOffset {
  readonly topic: string
  readonly partition: number
  readonly offset: number
  readonly leaderEpoch: number
  readonly metadata: string
}

export interface OffsetToCommit {
  readonly topic: string
  readonly partition: number
  readonly offset: number
}

export interface PartitionError {
  readonly topic: string
  readonly partition: number
  /** undefined: committed. */
  readonly error: KafkaError | undefined
}

export interface GroupsClient {
  /** Every group the cluster knows, in the coordinator's order, filtered by state and type. */
  listGroups(filter?: ListGroupsFilter): Promise<GroupListing[]>
  /** State, protocol, coordinator and members of one group. */
  describeGroup(groupId: string): Promise<Outcome<GroupDescription>>
  /** Every committed offset of the group, sorted by topic then partition ([] for an unknown group). */
  fetchOffsets(groupId: string): Promise<Outcome<GroupOffset[]>>
  /** A simple (generation -1, no member) OffsetCommit; one outcome per partition in request order. */
  alterOffsets(groupId: string, offsets: readonly OffsetToCommit[]): Promise<PartitionError[]>
  /** Per group: NON_EMPTY_GROUP while it has members, GROUP_ID_NOT_FOUND when unknown. */
  deleteGroups(groupIds: readonly string[]): Promise<{ groupId: string; error: KafkaError | undefined }[]>
  /** OffsetDelete: a group-level error, else one outcome per partition. */
  deleteOffsets(req: OffsetDeleteRequest): Promise<OffsetDeleteResult>
}

/** Whether a listing passes the filter (case-insensitive, as the broker filters). */
export function matchesFilter(g: { state: string; groupType: string }, filter: ListGroupsFilter | undefined): boolean {
  const states = new Set((filter?.states ?? []).map((s) => s.toLowerCase()))
  const types = new Set((filter?.types ?? []).map((s) => s.toLowerCase()))
  return (states.size === 0 || states.has(g.state.toLowerCase())) && (types.size === 0 || types.has(g.groupType.toLowerCase()))
}
