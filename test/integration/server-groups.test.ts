import { describe, expect, it } from 'vitest'

import { encodeAssignment, encodeSubscription } from '../../src/protocol/consumer-protocol.js'
import { ApiKey } from '../../src/protocol/api-keys.js'
import { decodeApiVersionsResponse, encodeApiVersionsRequest } from '../../src/protocol/messages/api-versions.js'
import { decodeDeleteGroupsResponse, encodeDeleteGroupsRequest } from '../../src/protocol/messages/delete-groups.js'
import { decodeDescribeGroupsResponse, encodeDescribeGroupsRequest, type DescribedGroup } from '../../src/protocol/messages/describe-groups.js'
import { decodeHeartbeatResponse, encodeHeartbeatRequest } from '../../src/protocol/messages/heartbeat.js'
import { decodeJoinGroupResponse, encodeJoinGroupRequest, type JoinGroupResponse } from '../../src/protocol/messages/join-group.js'
import { decodeLeaveGroupResponse, encodeLeaveGroupRequest, type LeaveGroupResponse } from '../../src/protocol/messages/leave-group.js'
import { decodeListGroupsResponse, encodeListGroupsRequest } from '../../src/protocol/messages/list-groups.js'
import {
  decodeOffsetCommitResponse,
  encodeOffsetCommitRequest,
  type OffsetCommitRequestTopicInput,
} from '../../src/protocol/messages/offset-commit.js'
import { decodeOffsetDeleteResponse, encodeOffsetDeleteRequest } from '../../src/protocol/messages/offset-delete.js'
import { decodeOffsetFetchResponse, encodeOffsetFetchRequest, type OffsetFetchRequestTopicInput } from '../../src/protocol/messages/offset-fetch.js'
import { decodeSyncGroupResponse, encodeSyncGroupRequest, type SyncGroupResponse } from '../../src/protocol/messages/sync-group.js'
import { ZERO_UUID } from '../../src/protocol/reader.js'
import type { RawConnection } from '../helpers/raw-client.js'
import { serverEachTest, type TestServer } from '../helpers/server.js'

// The group APIs over raw requests at exact versions: the full member lifecycle at every JoinGroup
// version, a two-member rebalance with parked JoinGroup/SyncGroup calls, and Kafka's error codes for
// bad input. Error codes are Kafka's (protocol.md §7), written out here rather than taken from the code.

const E = {
  NONE: 0,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  OFFSET_METADATA_TOO_LARGE: 12,
  COORDINATOR_NOT_AVAILABLE: 15,
  ILLEGAL_GENERATION: 22,
  INCONSISTENT_GROUP_PROTOCOL: 23,
  INVALID_GROUP_ID: 24,
  UNKNOWN_MEMBER_ID: 25,
  INVALID_SESSION_TIMEOUT: 26,
  REBALANCE_IN_PROGRESS: 27,
  NON_EMPTY_GROUP: 68,
  GROUP_ID_NOT_FOUND: 69,
  MEMBER_ID_REQUIRED: 79,
  FENCED_INSTANCE_ID: 82,
  GROUP_SUBSCRIBED_TO_TOPIC: 86,
} as const

/** DescribeGroups' "authorized operations not provided" value. */
const OPERATIONS_OMITTED = -2147483648
/** READ, DELETE, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS (AclEntry.supportedOperations(GROUP), Kafka 4.3). */
const ALL_GROUP_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8) | (1 << 10) | (1 << 11)

const servers = serverEachTest()

/** A server whose groups complete their first join at once (no group.initial.rebalance.delay.ms). */
async function start(): Promise<TestServer> {
  const server = await servers.start({ 'group.initial.rebalance.delay.ms': '0' })
  const created = server.broker.createTopics([
    { name: 't', numPartitions: 2, replicationFactor: 1, configs: new Map() },
    { name: 'u', numPartitions: 1, replicationFactor: 1, configs: new Map() },
  ])
  expect(created.every((c) => c.ok)).toBe(true)
  return server
}

function connect(s: TestServer, clientId = 'member-a'): Promise<RawConnection> {
  return servers.open(s, clientId)
}

const subscription = (...topics: string[]) => encodeSubscription({ topics }, 0)
const assignment = (topic: string, partitions: number[]) => encodeAssignment({ assignedPartitions: [{ topic, partitions }] }, 0)

interface JoinOptions {
  groupId: string
  memberId?: string
  groupInstanceId?: string
  protocolType?: string
  protocols?: { name: string; metadata: Buffer }[]
  sessionTimeoutMs?: number
}

function join(c: RawConnection, version: number, o: JoinOptions): Promise<JoinGroupResponse> {
  return c.request(
    ApiKey.JoinGroup,
    version,
    (w, v) =>
      encodeJoinGroupRequest(w, v, {
        groupId: o.groupId,
        memberId: o.memberId ?? '',
        sessionTimeoutMs: o.sessionTimeoutMs ?? 10_000,
        ...(v >= 1 ? { rebalanceTimeoutMs: 30_000 } : {}),
        ...(o.groupInstanceId !== undefined ? { groupInstanceId: o.groupInstanceId } : {}),
        protocolType: o.protocolType ?? 'consumer',
        protocols: o.protocols ?? [{ name: 'range', metadata: subscription('t') }],
      }),
    decodeJoinGroupResponse,
  )
}

/** JoinGroup for a new dynamic member, with the v4+ MEMBER_ID_REQUIRED round trip done. */
async function joinNew(c: RawConnection, version: number, o: JoinOptions): Promise<JoinGroupResponse> {
  const first = await join(c, version, o)
  if (first.errorCode !== E.MEMBER_ID_REQUIRED) return first
  return join(c, version, { ...o, memberId: first.memberId })
}

function sync(
  c: RawConnection,
  version: number,
  o: { groupId: string; generationId: number; memberId: string; groupInstanceId?: string; protocolName?: string; assignments?: { memberId: string; assignment: Buffer }[] },
): Promise<SyncGroupResponse> {
  return c.request(
    ApiKey.SyncGroup,
    version,
    (w, v) =>
      encodeSyncGroupRequest(w, v, {
        groupId: o.groupId,
        generationId: o.generationId,
        memberId: o.memberId,
        ...(o.groupInstanceId !== undefined ? { groupInstanceId: o.groupInstanceId } : {}),
        ...(v >= 5 ? { protocolType: 'consumer', protocolName: o.protocolName ?? 'range' } : {}),
        assignments: o.assignments ?? [],
      }),
    decodeSyncGroupResponse,
  )
}

async function heartbeat(c: RawConnection, version: number, o: { groupId: string; generationId: number; memberId: string; groupInstanceId?: string }): Promise<number> {
  const res = await c.request(ApiKey.Heartbeat, version, (w, v) => encodeHeartbeatRequest(w, v, o), decodeHeartbeatResponse)
  return res.errorCode
}

function leave(c: RawConnection, version: number, groupId: string, memberIds: string[]): Promise<LeaveGroupResponse> {
  return c.request(
    ApiKey.LeaveGroup,
    version,
    (w, v) => encodeLeaveGroupRequest(w, v, v >= 3 ? { groupId, members: memberIds.map((memberId) => ({ memberId })) } : { groupId, memberId: memberIds[0] ?? '' }),
    decodeLeaveGroupResponse,
  )
}

async function commit(
  c: RawConnection,
  version: number,
  o: { groupId: string; generationId?: number; memberId?: string; topics: OffsetCommitRequestTopicInput[] },
): Promise<number[][]> {
  const res = await c.request(
    ApiKey.OffsetCommit,
    version,
    (w, v) =>
      encodeOffsetCommitRequest(w, v, {
        groupId: o.groupId,
        generationIdOrMemberEpoch: o.generationId ?? -1,
        memberId: o.memberId ?? '',
        topics: o.topics,
      }),
    decodeOffsetCommitResponse,
  )
  return res.topics.map((t) => t.partitions.map((p) => p.errorCode))
}

async function describeGroups(c: RawConnection, version: number, groups: string[], includeAuthorizedOperations = false): Promise<DescribedGroup[]> {
  const res = await c.request(
    ApiKey.DescribeGroups,
    version,
    (w, v) => encodeDescribeGroupsRequest(w, v, { groups, ...(includeAuthorizedOperations ? { includeAuthorizedOperations } : {}) }),
    decodeDescribeGroupsResponse,
  )
  return res.groups
}

/** Polls DescribeGroups until the group reaches `state` (a bound against hangs, not a timing assertion). */
async function awaitState(c: RawConnection, groupId: string, state: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const [g] = await describeGroups(c, 0, [groupId])
    if (g?.groupState === state) return
    await new Promise((r) => setTimeout(r, 10))
  }
  throw new Error(`group ${groupId} never reached ${state}`)
}

function fetchOffsets(c: RawConnection, version: number, groupId: string, topics: OffsetFetchRequestTopicInput[] | null) {
  return c.request(ApiKey.OffsetFetch, version, (w, v) => encodeOffsetFetchRequest(w, v, { groupId, topics }), decodeOffsetFetchResponse)
}

describe('group APIs over the wire', () => {
  it('ApiVersions advertises the group APIs with the ranges served', async () => {
    const s = await start()
    const c = await connect(s)
    const res = await c.request(ApiKey.ApiVersions, 3, (w, v) => encodeApiVersionsRequest(w, v, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' }), decodeApiVersionsResponse)
    const ranges = new Map(res.apiKeys.map((k) => [k.apiKey, [k.minVersion, k.maxVersion]]))
    expect(Object.fromEntries([8, 9, 11, 12, 13, 14, 15, 16, 42, 47].map((k) => [k, ranges.get(k)]))).toEqual({
      8: [2, 10],
      9: [1, 10],
      11: [0, 9],
      12: [0, 4],
      13: [0, 5],
      14: [0, 5],
      15: [0, 6],
      16: [0, 5],
      42: [0, 2],
      47: [0, 0],
    })
  })

  // One member's whole life at JoinGroup v0…v9, with the other group APIs at the matching version
  // (capped at what each serves), checking the fields each version adds.
  it.each([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])('member lifecycle at JoinGroup v%i: join, sync, heartbeat, commit, fetch, describe, leave', async (v) => {
    const s = await start()
    const c = await connect(s, 'member-a')
    const groupId = `g-v${v}`
    const metadata = subscription('t')
    const first = await join(c, v, { groupId })
    let memberId = first.memberId
    if (v >= 4) {
      // KIP-394: the first join only hands out a member id.
      expect(first).toMatchObject({ errorCode: E.MEMBER_ID_REQUIRED, generationId: -1, leader: '', members: [] })
      expect(memberId).toMatch(/^member-a-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
      const joined = await join(c, v, { groupId, memberId })
      memberId = joined.memberId
      expect(memberId).toBe(first.memberId)
      expect(joined).toMatchObject({ errorCode: E.NONE, generationId: 1, leader: memberId, protocolName: 'range' })
      expect(joined.protocolType).toBe(v >= 7 ? 'consumer' : null)
      expect(joined.members).toEqual([{ memberId, groupInstanceId: null, metadata }])
      expect(joined.skipAssignment).toBe(false)
    } else {
      expect(first).toMatchObject({ errorCode: E.NONE, generationId: 1, leader: memberId, protocolName: 'range', protocolType: null })
      expect(memberId).toMatch(/^member-a-/)
      expect(first.members).toEqual([{ memberId, groupInstanceId: null, metadata }])
    }

    const syncVersion = Math.min(v, 5)
    const mine = assignment('t', [0, 1])
    const synced = await sync(c, syncVersion, { groupId, generationId: 1, memberId, assignments: [{ memberId, assignment: mine }] })
    expect(synced.errorCode).toBe(E.NONE)
    expect(synced.assignment).toEqual(mine)
    expect([synced.protocolType, synced.protocolName]).toEqual(syncVersion >= 5 ? ['consumer', 'range'] : [null, null])

    expect(await heartbeat(c, Math.min(v, 4), { groupId, generationId: 1, memberId })).toBe(E.NONE)

    const describeVersion = Math.min(v, 6)
    expect(await describeGroups(c, describeVersion, [groupId])).toEqual([
      {
        errorCode: E.NONE,
        errorMessage: null,
        groupId,
        groupState: 'Stable',
        protocolType: 'consumer',
        protocolData: 'range',
        members: [{ memberId, groupInstanceId: null, clientId: 'member-a', clientHost: '/127.0.0.1', memberMetadata: metadata, memberAssignment: mine }],
        authorizedOperations: OPERATIONS_OMITTED,
      },
    ])

    // OffsetCommit starts at v2 and OffsetFetch at v1 since Kafka 4.0 (KIP-896).
    const commitVersion = Math.max(2, Math.min(v, 9))
    const committed = await commit(c, commitVersion, {
      groupId,
      generationId: 1,
      memberId,
      topics: [{ name: 't', partitions: [{ partitionIndex: 1, committedOffset: 42, committedMetadata: `meta-${v}`, ...(commitVersion >= 6 ? { committedLeaderEpoch: 3 } : {}) }] }],
    })
    expect(committed).toEqual([[E.NONE]])
    const expected = { committedOffset: 42, committedLeaderEpoch: commitVersion >= 6 && v >= 5 ? 3 : -1, metadata: `meta-${v}` }

    const fetchVersion = Math.max(1, Math.min(v, 9))
    if (fetchVersion >= 8) {
      const res = await c.request(
        ApiKey.OffsetFetch,
        fetchVersion,
        (w, ver) => encodeOffsetFetchRequest(w, ver, { groups: [{ groupId, topics: [{ name: 't', partitionIndexes: [0, 1] }] }] }),
        decodeOffsetFetchResponse,
      )
      expect(res.groups).toEqual([
        {
          groupId,
          errorCode: E.NONE,
          topics: [
            {
              name: 't',
              topicId: ZERO_UUID,
              partitions: [
                { partitionIndex: 0, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: E.NONE },
                { partitionIndex: 1, ...expected, errorCode: E.NONE },
              ],
            },
          ],
        },
      ])
    } else {
      const res = await fetchOffsets(c, fetchVersion, groupId, [{ name: 't', partitionIndexes: [0, 1] }])
      expect(res.errorCode).toBe(E.NONE)
      expect(res.topics).toEqual([
        {
          name: 't',
          partitions: [
            { partitionIndex: 0, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: E.NONE },
            { partitionIndex: 1, ...expected, committedLeaderEpoch: fetchVersion >= 5 ? expected.committedLeaderEpoch : -1, errorCode: E.NONE },
          ],
        },
      ])
    }

    const leaveVersion = Math.min(v, 5)
    const left = await leave(c, leaveVersion, groupId, [memberId])
    expect(left.errorCode).toBe(E.NONE)
    expect(left.members).toEqual(leaveVersion >= 3 ? [{ memberId, groupInstanceId: null, errorCode: E.NONE }] : [])
    const [after] = await describeGroups(c, describeVersion, [groupId])
    expect(after).toMatchObject({ groupState: 'Empty', protocolType: 'consumer', protocolData: '', members: [] })

    const listVersion = Math.min(v, 4)
    const listed = await c.request(ApiKey.ListGroups, listVersion, (w, ver) => encodeListGroupsRequest(w, ver, {}), decodeListGroupsResponse)
    expect(listed.errorCode).toBe(E.NONE)
    expect(listed.groups.filter((g) => g.groupId === groupId)).toEqual([
      { groupId, protocolType: 'consumer', groupState: listVersion >= 4 ? 'Empty' : '', groupType: '' },
    ])
  })

  it('JoinGroup refuses a bad group id, session timeout, protocol list or member id', async () => {
    const s = await start()
    const c = await connect(s)
    const codes = async (o: JoinOptions, v = 5) => (await join(c, v, o)).errorCode
    expect(await codes({ groupId: '' })).toBe(E.INVALID_GROUP_ID)
    expect(await codes({ groupId: 'g', sessionTimeoutMs: 5999 })).toBe(E.INVALID_SESSION_TIMEOUT)
    expect(await codes({ groupId: 'g', sessionTimeoutMs: 1_800_001 })).toBe(E.INVALID_SESSION_TIMEOUT)
    expect(await codes({ groupId: 'g', memberId: 'ghost' })).toBe(E.UNKNOWN_MEMBER_ID)
    // None of these created the group.
    expect((await describeGroups(c, 0, ['g']))[0]?.groupState).toBe('Dead')
    expect(await codes({ groupId: 'g', protocols: [] })).toBe(E.INCONSISTENT_GROUP_PROTOCOL)
    expect(await codes({ groupId: 'g', protocols: [] }, 2)).toBe(E.INCONSISTENT_GROUP_PROTOCOL)
    // Kafka 3.9 creates the group before it checks the protocols (and persists it Empty): so does kafka-ts.
    expect((await describeGroups(c, 0, ['g']))[0]).toMatchObject({ groupState: 'Empty', members: [] })

    const a = await joinNew(c, 5, { groupId: 'g' })
    expect(a.errorCode).toBe(E.NONE)
    // Later members must use the group's protocol type and share a protocol with every member.
    expect(await codes({ groupId: 'g', protocolType: 'connect' })).toBe(E.INCONSISTENT_GROUP_PROTOCOL)
    expect(await codes({ groupId: 'g', protocols: [{ name: 'roundrobin', metadata: subscription('t') }] })).toBe(E.INCONSISTENT_GROUP_PROTOCOL)
    expect(await codes({ groupId: 'g', memberId: 'ghost' })).toBe(E.UNKNOWN_MEMBER_ID)
    const [g] = await describeGroups(c, 0, ['g'])
    expect(g?.members.map((m) => m.memberId)).toEqual([a.memberId])
  })

  it('SyncGroup, Heartbeat and LeaveGroup report unknown members, stale generations and protocol mismatches', async () => {
    const s = await start()
    const c = await connect(s)
    expect(await heartbeat(c, 3, { groupId: 'nope', generationId: 1, memberId: 'ghost' })).toBe(E.UNKNOWN_MEMBER_ID)
    expect(await heartbeat(c, 3, { groupId: '', generationId: 1, memberId: 'ghost' })).toBe(E.INVALID_GROUP_ID)
    expect((await sync(c, 3, { groupId: 'nope', generationId: 1, memberId: 'ghost' })).errorCode).toBe(E.UNKNOWN_MEMBER_ID)
    expect((await sync(c, 3, { groupId: '', generationId: 1, memberId: 'ghost' })).errorCode).toBe(E.INVALID_GROUP_ID)

    const a = await joinNew(c, 5, { groupId: 'g' })
    const memberId = a.memberId
    expect(await heartbeat(c, 4, { groupId: 'g', generationId: 1, memberId: 'ghost' })).toBe(E.UNKNOWN_MEMBER_ID)
    expect(await heartbeat(c, 4, { groupId: 'g', generationId: 2, memberId })).toBe(E.ILLEGAL_GENERATION)
    expect((await sync(c, 5, { groupId: 'g', generationId: 0, memberId })).errorCode).toBe(E.ILLEGAL_GENERATION)
    expect((await sync(c, 5, { groupId: 'g', generationId: 1, memberId: 'ghost' })).errorCode).toBe(E.UNKNOWN_MEMBER_ID)
    expect((await sync(c, 5, { groupId: 'g', generationId: 1, memberId, protocolName: 'roundrobin' })).errorCode).toBe(E.INCONSISTENT_GROUP_PROTOCOL)
    // Still CompletingRebalance: the leader's real sync goes through.
    expect((await sync(c, 5, { groupId: 'g', generationId: 1, memberId, assignments: [{ memberId, assignment: assignment('t', [0]) }] })).errorCode).toBe(E.NONE)

    expect(await leave(c, 2, 'g', ['ghost'])).toMatchObject({ errorCode: E.UNKNOWN_MEMBER_ID })
    expect(await leave(c, 1, '', ['ghost'])).toMatchObject({ errorCode: E.INVALID_GROUP_ID })
    expect(await leave(c, 3, 'nope', ['x', 'y'])).toEqual({
      throttleTimeMs: 0,
      errorCode: E.NONE,
      members: [
        { memberId: 'x', groupInstanceId: null, errorCode: E.UNKNOWN_MEMBER_ID },
        { memberId: 'y', groupInstanceId: null, errorCode: E.UNKNOWN_MEMBER_ID },
      ],
    })
    // v3+: one unknown member does not stop the known one from leaving.
    expect(await leave(c, 5, 'g', ['ghost', memberId])).toEqual({
      throttleTimeMs: 0,
      errorCode: E.NONE,
      members: [
        { memberId: 'ghost', groupInstanceId: null, errorCode: E.UNKNOWN_MEMBER_ID },
        { memberId, groupInstanceId: null, errorCode: E.NONE },
      ],
    })
    expect((await describeGroups(c, 0, ['g']))[0]?.groupState).toBe('Empty')
    // Heartbeats of a member of an Empty group are refused.
    expect(await heartbeat(c, 4, { groupId: 'g', generationId: 1, memberId })).toBe(E.UNKNOWN_MEMBER_ID)
  })

  it('a second member rebalances the group: parked JoinGroup and SyncGroup calls complete with the new generation', async () => {
    const s = await start()
    const ca = await connect(s, 'member-a')
    const cb = await connect(s, 'member-b')
    const groupId = 'g2'
    const a = await joinNew(ca, 5, { groupId })
    const aId = a.memberId
    expect((await sync(ca, 3, { groupId, generationId: 1, memberId: aId, assignments: [{ memberId: aId, assignment: assignment('t', [0, 1]) }] })).errorCode).toBe(E.NONE)

    const bFirst = await join(cb, 5, { groupId })
    expect(bFirst.errorCode).toBe(E.MEMBER_ID_REQUIRED)
    const bId = bFirst.memberId
    const bJoin = join(cb, 5, { groupId, memberId: bId })
    await awaitState(ca, groupId, 'PreparingRebalance')
    expect(s.broker.groups.waitingCalls).toBe(1)
    // A learns of the rebalance from its heartbeat, and its commits of generation 1 still count meanwhile.
    expect(await heartbeat(ca, 3, { groupId, generationId: 1, memberId: aId })).toBe(E.REBALANCE_IN_PROGRESS)
    const commitTopics = [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 7, committedMetadata: null }] }]
    expect(await commit(ca, 7, { groupId, generationId: 1, memberId: aId, topics: commitTopics })).toEqual([[E.NONE]])

    const [aJoined, bJoined] = await Promise.all([join(ca, 5, { groupId, memberId: aId }), bJoin])
    expect(aJoined).toMatchObject({ errorCode: E.NONE, generationId: 2, leader: aId, memberId: aId, protocolName: 'range' })
    expect(aJoined.members.map((m) => m.memberId).sort()).toEqual([aId, bId].sort())
    expect(bJoined).toMatchObject({ errorCode: E.NONE, generationId: 2, leader: aId, memberId: bId, members: [] })

    // CompletingRebalance: commits wait for the assignment, old generations are stale.
    expect(await commit(ca, 7, { groupId, generationId: 2, memberId: aId, topics: commitTopics })).toEqual([[E.REBALANCE_IN_PROGRESS]])
    expect(await commit(ca, 7, { groupId, generationId: 1, memberId: aId, topics: commitTopics })).toEqual([[E.ILLEGAL_GENERATION]])
    expect(await heartbeat(cb, 3, { groupId, generationId: 2, memberId: bId })).toBe(E.NONE)

    // The follower's SyncGroup waits for the leader's assignment.
    const bSync = sync(cb, 5, { groupId, generationId: 2, memberId: bId })
    await new Promise((r) => setTimeout(r, 50))
    expect(s.broker.groups.waitingCalls).toBe(1)
    const forA = assignment('t', [0])
    const forB = assignment('t', [1])
    const aSync = await sync(ca, 5, { groupId, generationId: 2, memberId: aId, assignments: [{ memberId: aId, assignment: forA }, { memberId: bId, assignment: forB }] })
    expect(aSync).toMatchObject({ errorCode: E.NONE, assignment: forA, protocolType: 'consumer', protocolName: 'range' })
    expect(await bSync).toMatchObject({ errorCode: E.NONE, assignment: forB })
    expect(s.broker.groups.waitingCalls).toBe(0)

    const [g] = await describeGroups(ca, 4, [groupId])
    expect(g?.groupState).toBe('Stable')
    expect(new Map(g?.members.map((m) => [m.memberId, [m.clientId, m.memberAssignment]]))).toEqual(
      new Map([
        [aId, ['member-a', forA]],
        [bId, ['member-b', forB]],
      ]),
    )
    expect(await commit(cb, 8, { groupId, generationId: 2, memberId: bId, topics: commitTopics })).toEqual([[E.NONE]])
  })

  it('a static member that restarts keeps its assignment; the old member id is fenced (JoinGroup v5 and v9)', async () => {
    const s = await start()
    const c = await connect(s, 'static-client')
    for (const v of [5, 9]) {
      const groupId = `static-v${v}`
      const first = await join(c, v, { groupId, groupInstanceId: 'instance-1' })
      // Static members get their id at once (no MEMBER_ID_REQUIRED), prefixed by the instance id.
      expect(first).toMatchObject({ errorCode: E.NONE, generationId: 1 })
      expect(first.memberId).toMatch(/^instance-1-/)
      expect(first.members).toEqual([{ memberId: first.memberId, groupInstanceId: 'instance-1', metadata: subscription('t') }])
      const mine = assignment('t', [0, 1])
      await sync(c, 5, { groupId, generationId: 1, memberId: first.memberId, groupInstanceId: 'instance-1', assignments: [{ memberId: first.memberId, assignment: mine }] })

      const again = await join(c, v, { groupId, groupInstanceId: 'instance-1' })
      expect(again.errorCode).toBe(E.NONE)
      expect(again.generationId).toBe(1)
      expect(again.memberId).not.toBe(first.memberId)
      if (v >= 9) {
        // KIP-814: the leader learns it is the leader but must not reassign.
        expect(again).toMatchObject({ leader: again.memberId, skipAssignment: true })
        expect(again.members).toEqual([{ memberId: again.memberId, groupInstanceId: 'instance-1', metadata: subscription('t') }])
      } else {
        // Before v9 the old leader id is returned, so the restarted member acts as a follower.
        expect(again).toMatchObject({ leader: first.memberId, members: [] })
      }
      const resynced = await sync(c, 5, { groupId, generationId: 1, memberId: again.memberId, groupInstanceId: 'instance-1' })
      expect(resynced).toMatchObject({ errorCode: E.NONE, assignment: mine })
      expect(await heartbeat(c, 4, { groupId, generationId: 1, memberId: first.memberId, groupInstanceId: 'instance-1' })).toBe(E.FENCED_INSTANCE_ID)
      expect(await heartbeat(c, 4, { groupId, generationId: 1, memberId: again.memberId, groupInstanceId: 'instance-1' })).toBe(E.NONE)
      expect((await describeGroups(c, 4, [groupId]))[0]?.members.map((m) => [m.memberId, m.groupInstanceId])).toEqual([[again.memberId, 'instance-1']])
    }
  })

  it('OffsetCommit: oversize metadata, unknown partitions, simple commits and stale generations, per partition', async () => {
    const s = await start()
    const c = await connect(s)
    const topics: OffsetCommitRequestTopicInput[] = [
      {
        name: 't',
        partitions: [
          { partitionIndex: 0, committedOffset: 10, committedMetadata: 'x'.repeat(4097) },
          { partitionIndex: 1, committedOffset: 11, committedMetadata: 'y'.repeat(4096) },
          { partitionIndex: 2, committedOffset: 12, committedMetadata: null },
        ],
      },
      { name: 'missing', partitions: [{ partitionIndex: 0, committedOffset: 1, committedMetadata: null }] },
    ]
    // A generation for a group that does not exist.
    expect(await commit(c, 2, { groupId: 'simple', generationId: 3, memberId: 'm', topics })).toEqual([
      [E.ILLEGAL_GENERATION, E.ILLEGAL_GENERATION, E.UNKNOWN_TOPIC_OR_PARTITION],
      [E.UNKNOWN_TOPIC_OR_PARTITION],
    ])
    expect((await describeGroups(c, 0, ['simple']))[0]?.groupState).toBe('Dead')
    // A simple commit (generation -1, no member) creates a group that only holds offsets.
    expect(await commit(c, 2, { groupId: 'simple', topics })).toEqual([
      [E.OFFSET_METADATA_TOO_LARGE, E.NONE, E.UNKNOWN_TOPIC_OR_PARTITION],
      [E.UNKNOWN_TOPIC_OR_PARTITION],
    ])
    const fetched = await fetchOffsets(c, 5, 'simple', [{ name: 't', partitionIndexes: [0, 1] }])
    expect(fetched.topics[0]?.partitions.map((p) => [p.committedOffset, p.metadata])).toEqual([
      [-1, ''],
      [11, 'y'.repeat(4096)],
    ])
    const listed = await c.request(ApiKey.ListGroups, 0, (w, v) => encodeListGroupsRequest(w, v, {}), decodeListGroupsResponse)
    expect(listed.groups).toContainEqual({ groupId: 'simple', protocolType: '', groupState: '', groupType: '' })
    expect((await describeGroups(c, 1, ['simple']))[0]).toMatchObject({ groupState: 'Empty', protocolType: '', members: [] })
    // v8 (flexible) and v2 take the same path.
    expect(await commit(c, 8, { groupId: 'simple', topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 20, committedMetadata: '' }] }] })).toEqual([[E.NONE]])
    expect(await commit(c, 2, { groupId: 'simple', topics: [{ name: 'u', partitions: [{ partitionIndex: 0, committedOffset: 21, committedMetadata: 'v2' }] }] })).toEqual([[E.NONE]])

    // A member id on an Empty group is unknown.
    expect(await commit(c, 5, { groupId: 'simple', generationId: 1, memberId: 'ghost', topics: [{ name: 'u', partitions: [{ partitionIndex: 0, committedOffset: 1, committedMetadata: null }] }] })).toEqual([
      [E.UNKNOWN_MEMBER_ID],
    ])
  })

  it('OffsetFetch: listed partitions (v1), all topics (v2+ null), batched groups (v8)', async () => {
    const s = await start()
    const c = await connect(s)
    const put = (groupId: string, name: string, partitionIndex: number, committedOffset: number) =>
      commit(c, 2, { groupId, topics: [{ name, partitions: [{ partitionIndex, committedOffset, committedMetadata: `${groupId}/${name}/${partitionIndex}` }] }] })
    await put('ga', 't', 1, 100)
    await put('ga', 'u', 0, 50)
    await put('gb', 't', 0, 7)

    const v1 = await fetchOffsets(c, 1, 'ga', [
      { name: 't', partitionIndexes: [0, 1] },
      { name: 'missing', partitionIndexes: [0] },
    ])
    expect(v1.topics).toEqual([
      {
        name: 't',
        partitions: [
          { partitionIndex: 0, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: E.NONE },
          { partitionIndex: 1, committedOffset: 100, committedLeaderEpoch: -1, metadata: 'ga/t/1', errorCode: E.NONE },
        ],
      },
      { name: 'missing', partitions: [{ partitionIndex: 0, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: E.NONE }] },
    ])

    for (const v of [2, 5, 7]) {
      const all = await fetchOffsets(c, v, 'ga', null)
      expect(all.errorCode).toBe(E.NONE)
      expect(all.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.committedOffset, p.metadata])])).toEqual([
        ['t', [[1, 100, 'ga/t/1']]],
        ['u', [[0, 50, 'ga/u/0']]],
      ])
    }
    expect((await fetchOffsets(c, 3, 'never-seen', null)).topics).toEqual([])

    const batched = await c.request(
      ApiKey.OffsetFetch,
      8,
      (w, v) =>
        encodeOffsetFetchRequest(w, v, {
          groups: [
            { groupId: 'gb', topics: [{ name: 't', partitionIndexes: [0] }] },
            { groupId: 'never-seen', topics: [{ name: 'u', partitionIndexes: [0] }] },
            { groupId: 'ga', topics: null },
          ],
        }),
      decodeOffsetFetchResponse,
    )
    expect(batched.groups.map((g) => [g.groupId, g.errorCode, g.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.committedOffset, p.metadata, p.errorCode])])])).toEqual([
      ['gb', E.NONE, [['t', [[0, 7, 'gb/t/0', E.NONE]]]]],
      ['never-seen', E.NONE, [['u', [[0, -1, '', E.NONE]]]]],
      ['ga', E.NONE, [['t', [[1, 100, 'ga/t/1', E.NONE]]], ['u', [[0, 50, 'ga/u/0', E.NONE]]]]],
    ])
  })

  it('ListGroups v4 filters by state; DescribeGroups answers in request order, Dead for unknown groups', async () => {
    const s = await start()
    const c = await connect(s)
    const a = await joinNew(c, 5, { groupId: 'active' })
    await sync(c, 3, { groupId: 'active', generationId: 1, memberId: a.memberId, assignments: [] })
    await commit(c, 2, { groupId: 'idle', topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 1, committedMetadata: null }] }] })

    const list = async (statesFilter: string[]) =>
      (await c.request(ApiKey.ListGroups, 4, (w, v) => encodeListGroupsRequest(w, v, { statesFilter }), decodeListGroupsResponse)).groups
        .map((g) => [g.groupId, g.protocolType, g.groupState])
        .sort()
    expect(await list([])).toEqual([
      ['active', 'consumer', 'Stable'],
      ['idle', '', 'Empty'],
    ])
    expect(await list(['Stable'])).toEqual([['active', 'consumer', 'Stable']])
    expect(await list(['Empty', 'PreparingRebalance'])).toEqual([['idle', '', 'Empty']])
    expect(await list(['Dead'])).toEqual([])

    // Asked for, every group answered without error gets every group operation: there is no authorizer.
    const described = await describeGroups(c, 3, ['idle', 'nope', 'active'], true)
    expect(described.map((g) => [g.groupId, g.errorCode, g.groupState, g.protocolType, g.protocolData, g.members.length, g.authorizedOperations])).toEqual([
      ['idle', E.NONE, 'Empty', '', '', 0, ALL_GROUP_OPERATIONS],
      ['nope', E.NONE, 'Dead', '', '', 0, ALL_GROUP_OPERATIONS],
      ['active', E.NONE, 'Stable', 'consumer', 'range', 1, ALL_GROUP_OPERATIONS],
    ])
  })

  it('ListGroups v5 reports every group as classic and filters by type (compat finding 1)', async () => {
    const s = await start()
    const c = await connect(s)
    await commit(c, 2, { groupId: 'idle', topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 1, committedMetadata: null }] }] })
    const list = async (typesFilter: string[]) =>
      (await c.request(ApiKey.ListGroups, 5, (w, v) => encodeListGroupsRequest(w, v, { typesFilter }), decodeListGroupsResponse)).groups.map((g) => [g.groupId, g.groupType])
    expect(await list([])).toEqual([['idle', 'classic']])
    expect(await list(['Classic', 'consumer'])).toEqual([['idle', 'classic']])
    expect(await list(['consumer'])).toEqual([])
  })

  it('DeleteGroups: NON_EMPTY_GROUP with members, GROUP_ID_NOT_FOUND when unknown, else the group and its offsets go', async () => {
    const s = await start()
    const c = await connect(s)
    const a = await joinNew(c, 5, { groupId: 'active' })
    await commit(c, 2, { groupId: 'idle', topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 5, committedMetadata: null }] }] })
    for (const v of [0, 2]) {
      const res = await c.request(ApiKey.DeleteGroups, v, (w, ver) => encodeDeleteGroupsRequest(w, ver, { groupsNames: ['active', 'nope', 'idle'] }), decodeDeleteGroupsResponse)
      expect(res.results).toEqual([
        { groupId: 'active', errorCode: E.NON_EMPTY_GROUP },
        { groupId: 'nope', errorCode: E.GROUP_ID_NOT_FOUND },
        // The second round finds it gone.
        { groupId: 'idle', errorCode: v === 0 ? E.NONE : E.GROUP_ID_NOT_FOUND },
      ])
    }
    expect((await fetchOffsets(c, 1, 'idle', [{ name: 't', partitionIndexes: [0] }])).topics[0]?.partitions[0]?.committedOffset).toBe(-1)
    expect((await describeGroups(c, 0, ['idle', 'active'])).map((g) => g.groupState)).toEqual(['Dead', 'CompletingRebalance'])
    expect(a.errorCode).toBe(E.NONE)
  })

  it('OffsetDelete: unknown group, topics the active group consumes, unknown partitions', async () => {
    const s = await start()
    const c = await connect(s)
    const offsetDelete = (groupId: string, topics: { name: string; partitions: number[] }[]) =>
      c.request(
        ApiKey.OffsetDelete,
        0,
        (w, v) => encodeOffsetDeleteRequest(w, v, { groupId, topics: topics.map((t) => ({ name: t.name, partitions: t.partitions.map((partitionIndex) => ({ partitionIndex })) })) }),
        decodeOffsetDeleteResponse,
      )
    expect(await offsetDelete('nope', [{ name: 't', partitions: [0] }])).toEqual({ errorCode: E.GROUP_ID_NOT_FOUND, throttleTimeMs: 0, topics: [] })

    const a = await joinNew(c, 5, { groupId: 'g', protocols: [{ name: 'range', metadata: subscription('t') }] })
    await sync(c, 5, { groupId: 'g', generationId: 1, memberId: a.memberId, assignments: [{ memberId: a.memberId, assignment: assignment('t', [0, 1]) }] })
    const both = [
      { name: 't', partitions: [{ partitionIndex: 0, committedOffset: 3, committedMetadata: null }] },
      { name: 'u', partitions: [{ partitionIndex: 0, committedOffset: 4, committedMetadata: null }] },
    ]
    expect(await commit(c, 5, { groupId: 'g', generationId: 1, memberId: a.memberId, topics: both })).toEqual([[E.NONE], [E.NONE]])

    const res = await offsetDelete('g', [
      { name: 't', partitions: [0] },
      { name: 'u', partitions: [0, 5] },
      { name: 'missing', partitions: [0] },
    ])
    expect(res.errorCode).toBe(E.NONE)
    expect(res.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.errorCode])])).toEqual([
      ['t', [[0, E.GROUP_SUBSCRIBED_TO_TOPIC]]],
      ['u', [[0, E.NONE], [5, E.UNKNOWN_TOPIC_OR_PARTITION]]],
      ['missing', [[0, E.UNKNOWN_TOPIC_OR_PARTITION]]],
    ])
    const left = await fetchOffsets(c, 2, 'g', null)
    expect(left.topics.map((t) => [t.name, t.partitions.map((p) => p.committedOffset)])).toEqual([['t', [3]]])
  })

  it('a parked JoinGroup whose connection closes gets no answer and leaves no waiter behind', async () => {
    const s = await start()
    const ca = await connect(s, 'member-a')
    const a = await joinNew(ca, 5, { groupId: 'g' })
    await sync(ca, 5, { groupId: 'g', generationId: 1, memberId: a.memberId, assignments: [] })
    const cb = await connect(s, 'member-b')
    const bFirst = await join(cb, 5, { groupId: 'g' })
    const parked = join(cb, 5, { groupId: 'g', memberId: bFirst.memberId })
    await awaitState(ca, 'g', 'PreparingRebalance')
    expect(s.broker.groups.waitingCalls).toBe(1)
    cb.close()
    await expect(parked).rejects.toThrow()
    for (let i = 0; i < 200 && s.broker.groups.waitingCalls > 0; i++) await new Promise((r) => setTimeout(r, 10))
    expect(s.broker.groups.waitingCalls).toBe(0)
    // The member stays until the join phase ends, as in Kafka; A's own rejoin completes the phase with both.
    const aJoined = await join(ca, 5, { groupId: 'g', memberId: a.memberId })
    expect(aJoined.errorCode).toBe(E.NONE)
    expect(aJoined.members.map((m) => m.memberId).sort()).toEqual([a.memberId, bFirst.memberId].sort())
    expect(s.logs.filter((l) => /Unexpected error|Cannot encode/.test(l))).toEqual([])
  })

  it('stopping the server answers a parked JoinGroup with COORDINATOR_NOT_AVAILABLE instead of waiting for it', async () => {
    const s = await start()
    const ca = await connect(s, 'member-a')
    const a = await joinNew(ca, 5, { groupId: 'g' })
    await sync(ca, 5, { groupId: 'g', generationId: 1, memberId: a.memberId, assignments: [] })
    const cb = await connect(s, 'member-b')
    const bFirst = await join(cb, 5, { groupId: 'g' })
    const parked = join(cb, 5, { groupId: 'g', memberId: bFirst.memberId })
    await awaitState(ca, 'g', 'PreparingRebalance')
    servers.forget()
    await s.stop()
    expect(await parked).toMatchObject({ errorCode: E.COORDINATOR_NOT_AVAILABLE, generationId: -1 })
  })
})
