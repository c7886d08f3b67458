import { FindCoordinatorKeyTypes, kGetApi, kGetConnection, type Admin, type API, type Connection } from '@platformatic/kafka'

import { CONSUMER_PROTOCOL_TYPE, decodedPartitions } from '../../protocol/consumer-protocol.js'
import type { GroupState, OffsetDeleteRequest, OffsetDeleteResult } from '../../broker/groups/types.js'
import { KafkaError, fail, ok, type Outcome } from '../../broker/kafka-error.js'
import { errorByCode, type ErrorName } from '../../protocol/error-codes.js'
import {
  matchesFilter,
  type CoordinatorNode,
  type GroupDescription,
  type GroupListing,
  type GroupOffset,
  type GroupsClient,
  type ListGroupsFilter,
  type OffsetToCommit,
  type PartitionError,
} from '../groups-client.js'
import type { RemoteClient } from './remote-client.js'

// Groups over the client library's Admin. ListGroups and OffsetFetch use the Admin's own calls. The
// others go to the group's coordinator through the library's API functions directly, because the Admin
// calls do not give what the tool needs:
// - Admin.describeGroups decodes member assignments itself, reading the consumer protocol's user data
//   as a compact field; on real assignment bytes that throws inside a socket callback (uncaught, the
//   call never settles; @platformatic/kafka 1.35). We take the raw bytes and decode them ourselves.
// - alterConsumerGroupOffsets, deleteGroups and deleteConsumerGroupOffsets report per-entity errors only
//   as a thrown error (after retrying the retriable ones); the tool prints one line per group/partition.

const STATES: readonly GroupState[] = ['Empty', 'PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead']
const OTHER_STATE_NAMES = ['Assigning', 'Reconciling', 'NotReady', 'Unknown']

interface DescribeGroupsResponse {
  groups: {
    errorCode: number
    groupId: string
    groupState: string
    protocolType: string
    protocolData: string
    members: { memberId: string; groupInstanceId: string | null; clientId: string; clientHost: string; memberMetadata: Buffer; memberAssignment: Buffer }[]
  }[]
}

interface PartitionsResponse {
  errorCode?: number
  topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[]
}

interface DeleteGroupsResponse {
  results: { groupId: string; errorCode: number }[]
}

export class RemoteGroups implements GroupsClient {
  constructor(private readonly client: RemoteClient) {}

  async listGroups(filter?: ListGroupsFilter): Promise<GroupListing[]> {
    // Filtered here: ListGroups v4 (our server's newest) has no type filter, and states go as typed.
    const groups = await this.client.call((a) => a.listGroups())
    return [...groups.values()]
      .map((g) => ({ groupId: g.id, protocolType: g.protocolType, state: stateName(g.state), groupType: (g.groupType as string | undefined) ?? 'classic' }))
      .filter((g) => matchesFilter(g, filter))
  }

  async describeGroup(groupId: string): Promise<Outcome<GroupDescription>> {
    return this.client.call(async (admin) => {
      const coordinator = await findCoordinator(admin, groupId)
      const response = await coordinatorRequest<DescribeGroupsResponse>(admin, coordinator, 'DescribeGroups', [[groupId], false])
      const g = response.groups.find((x) => x.groupId === groupId) ?? response.groups[0]
      if (g === undefined) return fail(new KafkaError('UNKNOWN_SERVER_ERROR', 'DescribeGroups returned no group'))
      const error = kafkaErrorOf(g.errorCode)
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
    try {
      const groups = await this.client.call((a) => a.listConsumerGroupOffsets({ groups: [groupId] }))
      const group = groups.find((g) => g.groupId === groupId)
      const offsets = (group?.topics ?? []).flatMap((t) =>
        t.partitions.map((p) => ({
          topic: t.name,
          partition: p.partitionIndex,
          offset: Number(p.committedOffset),
          leaderEpoch: p.committedLeaderEpoch,
          metadata: p.metadata ?? '',
        })),
      )
      return ok(offsets.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition)))
    } catch (err) {
      if (err instanceof KafkaError) return fail(err)
      throw err
    }
  }

  async alterOffsets(groupId: string, offsets: readonly OffsetToCommit[]): Promise<PartitionError[]> {
    if (offsets.length === 0) return []
    const byTopic = new Map<string, OffsetToCommit[]>()
    for (const o of offsets) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), o])
    const topics = [...byTopic].map(([name, ps]) => ({
      name,
      partitions: ps.map((p) => ({ partitionIndex: p.partition, committedOffset: BigInt(p.offset), committedLeaderEpoch: -1, committedMetadata: '' })),
    }))
    const response = await this.client.call(async (admin) =>
      coordinatorRequest<PartitionsResponse>(admin, await findCoordinator(admin, groupId), 'OffsetCommit', [groupId, -1, '', null, topics]),
    )
    const outcome = partitionOutcomes(response)
    return offsets.map((o) => {
      const key = `${o.topic}\u0000${o.partition}`
      return { topic: o.topic, partition: o.partition, error: outcome.has(key) ? outcome.get(key) : new KafkaError('UNKNOWN_SERVER_ERROR') }
    })
  }

  async deleteGroups(groupIds: readonly string[]): Promise<{ groupId: string; error: KafkaError | undefined }[]> {
    const results: { groupId: string; error: KafkaError | undefined }[] = []
    // One request per group: groups may have different coordinators.
    for (const groupId of groupIds) {
      const response = await this.client.call(async (admin) =>
        coordinatorRequest<DeleteGroupsResponse>(admin, await findCoordinator(admin, groupId), 'DeleteGroups', [[groupId]]),
      )
      const r = response.results.find((x) => x.groupId === groupId)
      results.push({ groupId, error: r === undefined ? new KafkaError('UNKNOWN_SERVER_ERROR') : kafkaErrorOf(r.errorCode) })
    }
    return results
  }

  async deleteOffsets(req: OffsetDeleteRequest): Promise<OffsetDeleteResult> {
    const topics = req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p })) }))
    const response = await this.client.call(async (admin) =>
      coordinatorRequest<PartitionsResponse>(admin, await findCoordinator(admin, req.groupId), 'OffsetDelete', [req.groupId, topics]),
    )
    const error = kafkaErrorOf(response.errorCode ?? 0)
    if (error !== undefined) return { error, topics: [] }
    return {
      error: undefined,
      topics: response.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partition: p.partitionIndex, error: kafkaErrorOf(p.errorCode) })) })),
    }
  }
}

/** The group's coordinator (FindCoordinator; the library throws for a coordinator-level error). */
async function findCoordinator(admin: Admin, groupId: string): Promise<CoordinatorNode> {
  const found = await admin.findCoordinator({ keyType: FindCoordinatorKeyTypes.GROUP, keys: [groupId] })
  const c = found.find((x) => x.key === groupId) ?? found[0]
  if (c === undefined) throw new KafkaError('COORDINATOR_NOT_AVAILABLE')
  return { nodeId: c.nodeId, host: c.host, port: c.port }
}

/**
 * One request to the coordinator with the newest version both sides speak. A response carrying error
 * codes comes back as the response (the caller reads them per entity), not as a thrown error.
 */
async function coordinatorRequest<R>(admin: Admin, node: CoordinatorNode, apiName: string, args: unknown[]): Promise<R> {
  const connection = await new Promise<Connection>((resolve, reject) => {
    admin[kGetConnection]({ host: node.host, port: node.port }, (err, c) => (err ? reject(err) : resolve(c!)))
  })
  const api = await new Promise<API<unknown[], R>>((resolve, reject) => {
    admin[kGetApi]<unknown[], R>(apiName, (err, a) => (err ? reject(err) : resolve(a!)))
  })
  try {
    return await api.async(connection, ...args)
  } catch (err) {
    const response = (err as { code?: string; response?: R }).response
    if ((err as { code?: string }).code === 'PLT_KFK_RESPONSE' && response !== undefined) return response
    throw err
  }
}

function partitionOutcomes(response: PartitionsResponse): Map<string, KafkaError | undefined> {
  return new Map(response.topics.flatMap((t) => t.partitions.map((p) => [`${t.name}\u0000${p.partitionIndex}`, kafkaErrorOf(p.errorCode)] as const)))
}

/** undefined for error code 0. */
function kafkaErrorOf(code: number): KafkaError | undefined {
  if (code === 0) return undefined
  const info = errorByCode(code)
  return new KafkaError(info.name.startsWith('UNKNOWN_ERROR_CODE_') ? 'UNKNOWN_SERVER_ERROR' : (info.name as ErrorName), info.name.startsWith('UNKNOWN_ERROR_CODE_') ? info.message : undefined)
}

/** The library upper-cases state names (PREPARINGREBALANCE); Kafka's tools print them as the broker spells them. */
function stateName(upper: string): string {
  return [...STATES, ...OTHER_STATE_NAMES].find((s) => s.toUpperCase() === upper.toUpperCase()) ?? upper
}

