import { ApiKey } from '../../protocol/api-keys.js'
import { CONSUMER_PROTOCOL_TYPE, decodedPartitions } from '../../protocol/consumer-protocol.js'
import { errorByCode, type ErrorName } from '../../protocol/error-codes.js'
import { decodeDeleteGroupsResponse, encodeDeleteGroupsRequest } from '../../protocol/messages/delete-groups.js'
import { decodeDescribeGroupsResponse, encodeDescribeGroupsRequest } from '../../protocol/messages/describe-groups.js'
import { decodeListGroupsResponse, encodeListGroupsRequest } from '../../protocol/messages/list-groups.js'
import { decodeOffsetCommitResponse, encodeOffsetCommitRequest } from '../../protocol/messages/offset-commit.js'
import { decodeOffsetDeleteResponse, encodeOffsetDeleteRequest } from '../../protocol/messages/offset-delete.js'
import { decodeOffsetFetchResponse, encodeOffsetFetchRequest } from '../../protocol/messages/offset-fetch.js'
import { offsetsVersion } from './offset-topic-ids.js'
import type { GroupState, OffsetDeleteRequest, OffsetDeleteResult } from '../../broker/groups/types.js'
import { KafkaError, fail, kafkaErrorForCode, ok, type Outcome } from '../../broker/kafka-error.js'
import {
  matchesFilter,
  type GroupDescription,
  type GroupListing,
  type GroupOffset,
  type GroupsClient,
  type ListGroupsFilter,
  type OffsetToCommit,
  type PartitionError,
} from '../groups-client.js'
import type { RemoteClient } from './remote-client.js'
import type { BrokerConnection } from './wire/connection.js'

// Groups over our connection layer (wire/cluster.ts) and generated codec: ListGroups to every broker,
// the rest to the group's coordinator (FindCoordinator). Per-entity error codes come back as outcomes,
// one per group or partition, as the tool prints them; a coordinator that moved (NOT_COORDINATOR,
// COORDINATOR_NOT_AVAILABLE, COORDINATOR_LOAD_IN_PROGRESS) is looked up again and the request retried.

const STATES: readonly GroupState[] = ['Empty', 'PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead']
const COORDINATOR_MOVED = new Set(['NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_LOAD_IN_PROGRESS'])

export class RemoteGroups implements GroupsClient {
  constructor(private readonly client: RemoteClient) {}

  async listGroups(filter?: ListGroupsFilter): Promise<GroupListing[]> {
    // Every broker coordinates some groups; filtered here, as ListGroups before v4/v5 cannot filter.
    const listed = await this.client.wire(async (cluster) => {
      const metadata = await cluster.metadata([])
      const answers = await Promise.all(
        metadata.brokers.map(async (b) => {
          const conn = await cluster.broker(b.nodeId)
          const answer = await conn.request(ApiKey.ListGroups, (w, v) => encodeListGroupsRequest(w, v, {}), decodeListGroupsResponse)
          if (answer.errorCode !== 0) throw kafkaErrorForCode(answer.errorCode)
          return answer.groups
        }),
      )
      return answers.flat()
    })
    return listed
      .map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, state: g.groupState, groupType: g.groupType === '' ? 'classic' : g.groupType }))
      .filter((g) => matchesFilter(g, filter))
  }

  async describeGroup(groupId: string): Promise<Outcome<GroupDescription>> {
    return this.onCoordinator(groupId, async (conn, coordinator) => {
      const response = await conn.request(ApiKey.DescribeGroups, (w, v) => encodeDescribeGroupsRequest(w, v, { groups: [groupId] }), decodeDescribeGroupsResponse)
      const g = response.groups.find((x) => x.groupId === groupId) ?? response.groups[0]
      if (g === undefined) return fail(new KafkaError('UNKNOWN_SERVER_ERROR', 'DescribeGroups returned no group'))
      // DescribeGroups v6+ (KIP-1043) says GROUP_ID_NOT_FOUND where older versions described a Dead group.
      if (g.errorCode === GROUP_ID_NOT_FOUND) return ok({ groupId, state: 'Dead', protocolType: '', protocolName: '', members: [], coordinator, notFound: true })
      const error = coordinatorError(g.errorCode)
      if (error !== undefined) return fail(error)
      const state = STATES.find((s) => s.toLowerCase() === g.groupState.toLowerCase())
      if (state === undefined) return fail(new KafkaError('UNKNOWN_SERVER_ERROR', `Group ${groupId} is in state ${g.groupState}, which the classic DescribeGroups view does not cover.`))
      const consumer = state === 'Stable' && g.protocolType === CONSUMER_PROTOCOL_TYPE
      return ok({
        groupId,
        state,
        protocolType: g.protocolType,
        protocolName: g.protocolData,
        members: g.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          assignedPartitions: consumer ? decodedPartitions(m.memberAssignment) : null,
        })),
        coordinator,
      })
    })
  }

  async fetchOffsets(groupId: string): Promise<Outcome<GroupOffset[]>> {
    return this.onCoordinator(groupId, async (conn) => {
      const version = offsetsVersion(conn, ApiKey.OffsetFetch, false)
      const batched = version >= 8
      const response = await conn.request(
        ApiKey.OffsetFetch,
        // topics null: every partition the group has committed.
        (w, v) => encodeOffsetFetchRequest(w, v, batched ? { groups: [{ groupId, topics: null }] } : { groupId, topics: null }),
        decodeOffsetFetchResponse,
        { version },
      )
      const group = batched ? response.groups.find((g) => g.groupId === groupId) : response
      if (group === undefined) return fail(new KafkaError('UNKNOWN_SERVER_ERROR', 'OffsetFetch answered without the group'))
      const error = coordinatorError(group.errorCode)
      if (error !== undefined) return fail(error)
      const offsets = group.topics.flatMap((t) =>
        t.partitions
          .filter((p) => p.errorCode === 0 && p.committedOffset >= 0)
          .map((p) => ({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch, metadata: p.metadata ?? '' })),
      )
      return ok(offsets.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition)))
    })
  }

  async alterOffsets(groupId: string, offsets: readonly OffsetToCommit[]): Promise<PartitionError[]> {
    if (offsets.length === 0) return []
    const byTopic = new Map<string, OffsetToCommit[]>()
    for (const o of offsets) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), o])
    // An admin commit: no generation, no member (Kafka's AdminClient alterConsumerGroupOffsets).
    const topics = [...byTopic].map(([name, ps]) => ({
      name,
      partitions: ps.map((p) => ({ partitionIndex: p.partition, committedOffset: p.offset, committedLeaderEpoch: -1, committedMetadata: '' })),
    }))
    const outcome = await this.onCoordinator(groupId, async (conn) => {
      const response = await conn.request(ApiKey.OffsetCommit, (w, v) => encodeOffsetCommitRequest(w, v, { groupId, generationIdOrMemberEpoch: -1, memberId: '', topics }), decodeOffsetCommitResponse, {
        version: offsetsVersion(conn, ApiKey.OffsetCommit, false),
      })
      const codes = response.topics.flatMap((t) => t.partitions.map((p) => p.errorCode))
      coordinatorError(codes.find((c) => c !== 0) ?? 0)
      return partitionOutcomes(response.topics)
    })
    return offsets.map((o) => {
      const key = `${o.topic}\u0000${o.partition}`
      return { topic: o.topic, partition: o.partition, error: outcome.has(key) ? outcome.get(key) : new KafkaError('UNKNOWN_SERVER_ERROR') }
    })
  }

  async deleteGroups(groupIds: readonly string[]): Promise<{ groupId: string; error: KafkaError | undefined }[]> {
    const results: { groupId: string; error: KafkaError | undefined }[] = []
    // One request per group: groups may have different coordinators.
    for (const groupId of groupIds) {
      const error = await this.onCoordinator(groupId, async (conn) => {
        const response = await conn.request(ApiKey.DeleteGroups, (w, v) => encodeDeleteGroupsRequest(w, v, { groupsNames: [groupId] }), decodeDeleteGroupsResponse)
        const r = response.results.find((x) => x.groupId === groupId)
        return r === undefined ? new KafkaError('UNKNOWN_SERVER_ERROR') : coordinatorError(r.errorCode)
      })
      results.push({ groupId, error })
    }
    return results
  }

  async deleteOffsets(req: OffsetDeleteRequest): Promise<OffsetDeleteResult> {
    const topics = req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p })) }))
    return this.onCoordinator(req.groupId, async (conn) => {
      const response = await conn.request(ApiKey.OffsetDelete, (w, v) => encodeOffsetDeleteRequest(w, v, { groupId: req.groupId, topics }), decodeOffsetDeleteResponse)
      const error = coordinatorError(response.errorCode)
      if (error !== undefined) return { error, topics: [] }
      return {
        error: undefined,
        topics: response.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partition: p.partitionIndex, error: kafkaErrorOf(p.errorCode) })) })),
      }
    })
  }

  /** Runs `work` on the group's coordinator; a coordinator that moved is looked up again and `work` retried. */
  private onCoordinator<T>(groupId: string, work: (conn: BrokerConnection, coordinator: { nodeId: number; host: string; port: number }) => Promise<T>): Promise<T> {
    return this.client.wire(
      async (cluster) => {
        const node = await cluster.coordinatorNode(groupId)
        return work(await cluster.connectionTo(node), { nodeId: node.nodeId, host: node.host, port: node.port })
      },
      () => this.client.cluster.forgetCoordinator(groupId),
    )
  }
}

/** A group-level error code: undefined for 0; thrown (to be retried) when the coordinator moved. */
const GROUP_ID_NOT_FOUND = 69

function coordinatorError(code: number): KafkaError | undefined {
  const error = kafkaErrorOf(code)
  if (error !== undefined && COORDINATOR_MOVED.has(error.errorName)) throw error
  return error
}

function partitionOutcomes(topics: readonly { name: string; partitions: readonly { partitionIndex: number; errorCode: number }[] }[]): Map<string, KafkaError | undefined> {
  return new Map(topics.flatMap((t) => t.partitions.map((p) => [`${t.name}\u0000${p.partitionIndex}`, kafkaErrorOf(p.errorCode)] as const)))
}

/** undefined for error code 0. */
function kafkaErrorOf(code: number): KafkaError | undefined {
  if (code === 0) return undefined
  const info = errorByCode(code)
  return new KafkaError(info.name.startsWith('UNKNOWN_ERROR_CODE_') ? 'UNKNOWN_SERVER_ERROR' : (info.name as ErrorName), info.name.startsWith('UNKNOWN_ERROR_CODE_') ? info.message : undefined)
}
