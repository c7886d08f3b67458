import type { Broker } from '../../broker/broker.js'
import type { OffsetDeleteRequest, OffsetDeleteResult } from '../../broker/groups/types.js'
import { KafkaError, ok, type Outcome } from '../../broker/kafka-error.js'
import type { CoordinatorNode, GroupDescription, GroupListing, GroupOffset, GroupsClient, ListGroupsFilter, OffsetToCommit, PartitionError } from '../groups-client.js'

/** Groups over the broker's GroupCoordinator in this process; this node coordinates every group. */
export class EmbeddedGroups implements GroupsClient {
  constructor(
    private readonly broker: Broker,
    /** This node as clients would be told to reach it. */
    private readonly self: () => CoordinatorNode,
  ) {}

  async listGroups(filter?: ListGroupsFilter): Promise<GroupListing[]> {
    return this.broker.groups
      .listGroups({ statesFilter: filter?.states ?? [], typesFilter: filter?.types ?? [] })
      .map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, state: g.state, groupType: g.groupType }))
  }

  async describeGroup(groupId: string): Promise<Outcome<GroupDescription>> {
    const ov = this.broker.groups.describeGroupOverview(groupId)
    return ok({
      groupId,
      state: ov.state,
      protocolType: ov.protocolType,
      protocolName: ov.protocolName,
      members: ov.members.map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        assignedPartitions: m.assignedPartitions,
      })),
      coordinator: this.self(),
      // This broker answers DescribeGroups v6: a group it does not hold is not found rather than Dead.
      notFound: ov.state === 'Dead',
    })
  }

  async fetchOffsets(groupId: string): Promise<Outcome<GroupOffset[]>> {
    const result = this.broker.groups.fetchOffsets({ groupId, topics: null })
    if (result.error !== undefined) return { ok: false, error: result.error }
    return ok(
      result.topics.flatMap((t) =>
        t.partitions.map((p) => ({ topic: t.name, partition: p.partition, offset: p.offset, leaderEpoch: p.leaderEpoch, metadata: p.metadata })),
      ),
    )
  }

  async alterOffsets(groupId: string, offsets: readonly OffsetToCommit[]): Promise<PartitionError[]> {
    if (offsets.length === 0) return []
    const byTopic = new Map<string, OffsetToCommit[]>()
    for (const o of offsets) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), o])
    const results = this.broker.groups.commitOffsets({
      groupId,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [...byTopic].map(([name, ps]) => ({
        name,
        partitions: ps.map((p) => ({ partition: p.partition, offset: p.offset, leaderEpoch: -1, metadata: '' })),
      })),
    })
    const outcome = new Map<string, KafkaError | undefined>(results.flatMap((t) => t.partitions.map((p) => [`${t.name}\u0000${p.partition}`, p.error] as const)))
    return offsets.map((o) => {
      const key = `${o.topic}\u0000${o.partition}`
      return { topic: o.topic, partition: o.partition, error: outcome.has(key) ? outcome.get(key) : new KafkaError('UNKNOWN_SERVER_ERROR') }
    })
  }

  async deleteGroups(groupIds: readonly string[]): Promise<{ groupId: string; error: KafkaError | undefined }[]> {
    return this.broker.groups.deleteGroups(groupIds)
  }

  async deleteOffsets(req: OffsetDeleteRequest): Promise<OffsetDeleteResult> {
    return this.broker.groups.deleteOffsets(req)
  }
}
