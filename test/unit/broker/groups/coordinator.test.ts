// The classic group coordinator through its public API, on a real SQLite store in a temp directory,
// with an injected clock: timers (initial delay, rebalance timeout, session expiry, retention) fire when
// a test moves the clock and ticks, never by sleeping. Expected behaviour is Kafka's (protocol.md §10,
// GroupMetadataManager / ClassicGroup in Kafka's group-coordinator module).

import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DEFAULT_BROKER_CONFIG, type BrokerConfig } from '../../../../src/broker/broker-config.js'
import { encodeAssignment, encodeSubscription } from '../../../../src/protocol/consumer-protocol.js'
import { GroupCoordinator } from '../../../../src/broker/groups/coordinator.js'
import type { JoinGroupRequest, JoinResult, OffsetCommitRequest, SyncResult } from '../../../../src/broker/groups/types.js'
import { formatDataDir } from '../../../../src/storage/sqlite/data-dir.js'
import type { LogStore } from '../../../../src/storage/log-store.js'
import { openSqliteLogStore } from '../../../../src/storage/sqlite/sqlite-log-store.js'
import { tempDir } from '../../../helpers/cli.js'

const T0 = 1_700_000_000_000
let now = T0
const clock = () => now

let dir: string
let cleanup: () => void
const stores: LogStore[] = []
const coordinators: GroupCoordinator[] = []

beforeEach(() => {
  now = T0
  ;({ dir, cleanup } = tempDir('kafka-ts-groups-'))
  dir = join(dir, 'data')
  formatDataDir(dir, { clusterId: 'groups-test-cluster', nodeId: 1 })
})
afterEach(() => {
  for (const c of coordinators.splice(0)) c.close()
  for (const s of stores.splice(0)) s.close()
  cleanup()
})

/** A coordinator on its own store connection, as another process would have. */
function coordinator(overrides: Partial<BrokerConfig> = {}): { coord: GroupCoordinator; store: LogStore } {
  const store = openSqliteLogStore(dir)
  stores.push(store)
  const coord = new GroupCoordinator(store, { ...DEFAULT_BROKER_CONFIG, groupInitialRebalanceDelayMs: 0, ...overrides }, { clock, pollIntervalMs: 5 })
  coordinators.push(coord)
  return { coord, store }
}

let uuidSeed = 0
function topic(store: LogStore, name: string, partitions: number): void {
  store.createTopic({ name, uuid: Buffer.alloc(16, ++uuidSeed), partitionCount: partitions, configs: new Map() })
}

const meta = (...topics: string[]) => encodeSubscription({ topics }, 0)
const assignment = (topic: string, ...partitions: number[]) => encodeAssignment({ assignedPartitions: [{ topic, partitions }] }, 0)

function joinReq(overrides: Partial<JoinGroupRequest> = {}): JoinGroupRequest {
  return {
    groupId: 'g',
    memberId: '',
    groupInstanceId: null,
    clientId: 'client',
    clientHost: '/127.0.0.1',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 30_000,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: meta('t') }],
    requireKnownMemberId: false,
    ...overrides,
  }
}

/** Resolves to 'pending' if the promise has not settled after the already-queued work has run. */
async function settled<T>(p: Promise<T>): Promise<T | 'pending'> {
  const marker = Symbol('pending')
  const r = await Promise.race([p, new Promise<typeof marker>((res) => setTimeout(() => res(marker), 30))])
  return r === marker ? 'pending' : r
}

const codeOf = (r: { error: { code: number } | undefined }) => r.error?.code ?? 0

/** A call left parked on purpose: closing the coordinator at the end rejects it. */
function park<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined)
  return p
}

/** Moves the clock by `ms` in 5 s steps, heartbeating `members` at each step so their sessions stay alive. */
function elapseWithHeartbeats(coord: GroupCoordinator, ms: number, members: { memberId: string; generationId: number }[]): void {
  for (let left = ms; left > 0; left -= 5000) {
    now += Math.min(5000, left)
    for (const m of members) coord.heartbeat({ groupId: 'g', generationId: m.generationId, memberId: m.memberId, groupInstanceId: null })
  }
}

/** One member, joined and synced: a Stable group of one. */
async function stableSingle(coord: GroupCoordinator, overrides: Partial<JoinGroupRequest> = {}): Promise<JoinResult> {
  const j = await coord.joinGroup(joinReq(overrides))
  expect(codeOf(j)).toBe(0)
  const s = await coord.syncGroup({ groupId: overrides.groupId ?? 'g', generationId: j.generationId, memberId: j.memberId, groupInstanceId: overrides.groupInstanceId ?? null, protocolType: null, protocolName: null, assignments: [{ memberId: j.memberId, assignment: assignment('t', 0) }] })
  expect(codeOf(s)).toBe(0)
  return j
}

describe('JoinGroup', () => {
  it('v4+: a first join gets MEMBER_ID_REQUIRED with a <client.id>-<uuid> id, and joining with it forms generation 1', async () => {
    const { coord } = coordinator()
    const first = await coord.joinGroup(joinReq({ requireKnownMemberId: true, clientId: 'my-client' }))
    expect(codeOf(first)).toBe(79)
    expect(first.memberId).toMatch(/^my-client-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(first.generationId).toBe(-1)
    expect(coord.describeGroups(['g'])[0]).toMatchObject({ state: 'Empty', members: [] })

    const second = await coord.joinGroup(joinReq({ requireKnownMemberId: true, clientId: 'my-client', memberId: first.memberId }))
    expect(second).toMatchObject({ error: undefined, generationId: 1, protocolType: 'consumer', protocolName: 'range', leader: first.memberId, memberId: first.memberId })
    expect(second.members).toEqual([{ memberId: first.memberId, groupInstanceId: null, metadata: meta('t') }])
  })

  it('before v4 a first join gets its member id and joins at once', async () => {
    const { coord } = coordinator()
    const j = await coord.joinGroup(joinReq())
    expect(j).toMatchObject({ error: undefined, generationId: 1 })
    expect(j.memberId.startsWith('client-')).toBe(true)
  })

  it('three members with the initial delay: one generation, the first member leads, only the leader gets the member list', async () => {
    const { coord } = coordinator({ groupInitialRebalanceDelayMs: 3000 })
    const a = coord.joinGroup(joinReq({ clientId: 'a', protocols: [{ name: 'roundrobin', metadata: meta('t', 'a') }, { name: 'range', metadata: meta('t') }] }))
    now += 1000
    const b = coord.joinGroup(joinReq({ clientId: 'b', groupInstanceId: 'static-b', protocols: [{ name: 'range', metadata: meta('t', 'b') }, { name: 'roundrobin', metadata: meta('x') }] }))
    const c = coord.joinGroup(joinReq({ clientId: 'c', protocols: [{ name: 'range', metadata: meta('t', 'c') }] }))
    expect(await settled(a)).toBe('pending')
    expect(coord.describeGroups(['g'])[0]?.state).toBe('PreparingRebalance')

    // At 3 s the first delay step ends, but members joined during it: the delay is extended once more.
    now = T0 + 3000
    coord.tick()
    expect(await settled(a)).toBe('pending')
    now = T0 + 6000
    coord.tick()
    const [ra, rb, rc] = await Promise.all([a, b, c])

    // 'range' is the only protocol all three support.
    for (const r of [ra, rb, rc]) expect(r).toMatchObject({ error: undefined, generationId: 1, protocolName: 'range', protocolType: 'consumer', leader: ra.memberId })
    expect(rb.memberId.startsWith('static-b-')).toBe(true) // static members' ids derive from the instance id
    expect(ra.members).toEqual([
      { memberId: ra.memberId, groupInstanceId: null, metadata: meta('t') },
      { memberId: rb.memberId, groupInstanceId: 'static-b', metadata: meta('t', 'b') },
      { memberId: rc.memberId, groupInstanceId: null, metadata: meta('t', 'c') },
    ])
    expect(rb.members).toEqual([])
    expect(rc.members).toEqual([])
    expect(coord.describeGroups(['g'])[0]?.state).toBe('CompletingRebalance')
  })

  it('the initial delay is never extended beyond the rebalance timeout', async () => {
    const { coord } = coordinator({ groupInitialRebalanceDelayMs: 3000 })
    const a = coord.joinGroup(joinReq({ rebalanceTimeoutMs: 5000 }))
    now += 10
    const b = coord.joinGroup(joinReq())
    // Step 1 ends at 3000 (remaining 2000, a member was added): one more step of min(3000, 2000).
    now = T0 + 3000
    coord.tick()
    expect(await settled(a)).toBe('pending')
    now = T0 + 4999
    coord.tick()
    expect(await settled(a)).toBe('pending')
    now = T0 + 5000
    coord.tick()
    expect((await a).generationId).toBe(1)
    expect((await b).generationId).toBe(1)
  })

  it('the protocol with most first-choice votes among those every member supports wins', async () => {
    const { coord } = coordinator({ groupInitialRebalanceDelayMs: 100 })
    const rr = { name: 'roundrobin', metadata: meta('t') }
    const range = { name: 'range', metadata: meta('t') }
    const sticky = { name: 'sticky', metadata: meta('t') }
    const joins = [
      coord.joinGroup(joinReq({ protocols: [rr, range, sticky] })),
      coord.joinGroup(joinReq({ protocols: [range, rr] })),
      coord.joinGroup(joinReq({ protocols: [sticky, range, rr] })), // sticky is not common: votes range
    ]
    // Members joined during the first delay step, so the delay is extended by one more step.
    now += 100
    coord.tick()
    now += 100
    coord.tick()
    for (const r of await Promise.all(joins)) expect(r.protocolName).toBe('range')
  })

  it('refuses bad joins with Kafka error codes', async () => {
    const { coord } = coordinator()
    const code = async (r: Partial<JoinGroupRequest>) => codeOf(await coord.joinGroup(joinReq(r)))
    expect(await code({ groupId: '' })).toBe(24) // INVALID_GROUP_ID
    expect(await code({ sessionTimeoutMs: 5999 })).toBe(26) // INVALID_SESSION_TIMEOUT
    expect(await code({ sessionTimeoutMs: 1_800_001 })).toBe(26)
    expect(await code({ memberId: 'ghost' })).toBe(25) // unknown group with a member id: UNKNOWN_MEMBER_ID
    expect(await code({ protocols: [] })).toBe(23) // empty protocol list: INCONSISTENT_GROUP_PROTOCOL
    expect(await code({ protocolType: '' })).toBe(23)

    const leader = await stableSingle(coord)
    expect(await code({ protocolType: 'connect' })).toBe(23)
    expect(await code({ protocols: [{ name: 'roundrobin', metadata: meta('t') }] })).toBe(23) // nothing in common
    expect(await code({ memberId: 'not-a-member' })).toBe(25)
    // None of that disturbed the group.
    expect(coord.describeGroups(['g'])[0]).toMatchObject({ state: 'Stable', members: [{ memberId: leader.memberId }] })
  })

  it('GROUP_MAX_SIZE_REACHED once the group holds group.max.size members', async () => {
    const { coord } = coordinator({ groupMaxSize: 1 })
    await stableSingle(coord)
    const extra = await coord.joinGroup(joinReq({ clientId: 'extra' }))
    expect(codeOf(extra)).toBe(81)
    expect(extra.memberId).toBe('')
    expect(coord.describeGroups(['g'])[0]?.members).toHaveLength(1)
  })

  it('a follower rejoining a Stable group with unchanged metadata gets the current generation without a rebalance', async () => {
    const { coord } = coordinator()
    const [a, b] = await formGroup(coord, 2)
    const again = await coord.joinGroup(joinReq({ memberId: b!.memberId, protocols: [{ name: 'range', metadata: meta('t') }] }))
    expect(again).toMatchObject({ error: undefined, generationId: a!.generationId, leader: a!.memberId, members: [] })
    expect(coord.describeGroups(['g'])[0]?.state).toBe('Stable')

    // Changed metadata does rebalance.
    const changed = coord.joinGroup(joinReq({ memberId: b!.memberId, protocols: [{ name: 'range', metadata: meta('t', 'u') }] }))
    expect(await settled(changed)).toBe('pending')
    expect(coord.describeGroups(['g'])[0]?.state).toBe('PreparingRebalance')
    expect(codeOf({ error: coord.heartbeat({ groupId: 'g', generationId: a!.generationId, memberId: a!.memberId, groupInstanceId: null }) })).toBe(27)
  })

  it('the leader rejoining a Stable group triggers a rebalance even with the same metadata', async () => {
    const { coord } = coordinator()
    const [a, b] = await formGroup(coord, 2)
    const leaderJoin = coord.joinGroup(joinReq({ memberId: a!.memberId }))
    expect(await settled(leaderJoin)).toBe('pending')
    const followerJoin = coord.joinGroup(joinReq({ memberId: b!.memberId }))
    const [ra, rb] = await Promise.all([leaderJoin, followerJoin])
    expect(ra.generationId).toBe(a!.generationId + 1)
    expect(rb.generationId).toBe(a!.generationId + 1)
    expect(ra.members.map((m) => m.memberId)).toEqual([a!.memberId, b!.memberId])
  })
})

/** `n` members joined and synced (member i assigned partition i of topic t). */
async function formGroup(coord: GroupCoordinator, n: number): Promise<JoinResult[]> {
  const joins: Promise<JoinResult>[] = []
  for (let i = 0; i < n; i++) joins.push(coord.joinGroup(joinReq({ clientId: `m${i}` })))
  if (n > 1) {
    // With no initial delay the first member completes generation 1 alone; the others make generation 2.
    const first = await joins[0]!
    const firstAgain = coord.joinGroup(joinReq({ memberId: first.memberId }))
    joins[0] = firstAgain
  }
  const joined = await Promise.all(joins)
  const generationId = joined[0]!.generationId
  const leader = joined.find((j) => j.members.length > 0)!
  const syncs = joined.map((j) =>
    coord.syncGroup({
      groupId: 'g',
      generationId,
      memberId: j.memberId,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocolName: 'range',
      assignments: j === leader ? joined.map((m, i) => ({ memberId: m.memberId, assignment: assignment('t', i) })) : [],
    }),
  )
  for (const s of await Promise.all(syncs)) expect(codeOf(s)).toBe(0)
  expect(coord.describeGroups(['g'])[0]?.state).toBe('Stable')
  return joined
}

describe('SyncGroup', () => {
  it('followers wait for the leader; each member gets its own assignment (empty if none) and the group goes Stable', async () => {
    const { coord } = coordinator({ groupInitialRebalanceDelayMs: 50 })
    const joins = [coord.joinGroup(joinReq({ clientId: 'a' })), coord.joinGroup(joinReq({ clientId: 'b' })), coord.joinGroup(joinReq({ clientId: 'c' }))]
    now += 50
    coord.tick() // members joined during the delay: it is extended once
    now += 50
    coord.tick()
    const [a, b, c] = await Promise.all(joins)
    const sync = (memberId: string, assignments: { memberId: string; assignment: Buffer }[] = []) =>
      coord.syncGroup({ groupId: 'g', generationId: a!.generationId, memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments })

    const sb = sync(b!.memberId)
    const sc = sync(c!.memberId)
    expect(await settled(sb)).toBe('pending')
    expect(coord.describeGroups(['g'])[0]?.state).toBe('CompletingRebalance')
    // Heartbeats between JoinGroup and SyncGroup are normal.
    expect(coord.heartbeat({ groupId: 'g', generationId: a!.generationId, memberId: c!.memberId, groupInstanceId: null })).toBeUndefined()

    const sa = await sync(a!.memberId, [
      { memberId: a!.memberId, assignment: assignment('t', 0) },
      { memberId: b!.memberId, assignment: assignment('t', 1, 2) },
      { memberId: 'not-a-member', assignment: assignment('t', 9) },
    ])
    expect(sa).toEqual({ error: undefined, protocolType: 'consumer', protocolName: 'range', assignment: assignment('t', 0) })
    expect((await sb).assignment).toEqual(assignment('t', 1, 2))
    expect((await sc).assignment).toEqual(Buffer.alloc(0))

    const described = coord.describeGroups(['g'])[0]!
    expect(described).toMatchObject({ state: 'Stable', protocolType: 'consumer', protocolData: 'range' })
    expect(described.members.map((m) => [m.memberId, m.clientId, m.clientHost, m.assignment, m.metadata])).toEqual([
      [a!.memberId, 'a', '/127.0.0.1', assignment('t', 0), meta('t')],
      [b!.memberId, 'b', '/127.0.0.1', assignment('t', 1, 2), meta('t')],
      [c!.memberId, 'c', '/127.0.0.1', Buffer.alloc(0), meta('t')],
    ])
    // In Stable, SyncGroup answers at once with the stored assignment.
    expect((await sync(b!.memberId)).assignment).toEqual(assignment('t', 1, 2))
  })

  it('refuses wrong generations, unknown members, other protocols, and SyncGroup during a rebalance', async () => {
    const { coord } = coordinator()
    const [a] = await formGroup(coord, 1)
    const base = { groupId: 'g', generationId: a!.generationId, memberId: a!.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] }
    const code = async (over: object) => codeOf(await coord.syncGroup({ ...base, ...over }))
    expect(await code({ groupId: '' })).toBe(24)
    expect(await code({ groupId: 'other' })).toBe(25)
    expect(await code({ memberId: 'x' })).toBe(25)
    expect(await code({ generationId: a!.generationId + 1 })).toBe(22)
    expect(await code({ protocolName: 'roundrobin' })).toBe(23)
    expect(await code({ protocolType: 'connect' })).toBe(23)
    expect(await code({})).toBe(0)
    void park(coord.joinGroup(joinReq({ clientId: 'newcomer' })))
    expect(await code({})).toBe(27)
  })

  it('a pending SyncGroup is answered REBALANCE_IN_PROGRESS when a new rebalance starts', async () => {
    const { coord } = coordinator()
    const [a, b] = await joinTwo(coord)
    const follower = coord.syncGroup({ groupId: 'g', generationId: b.generationId, memberId: b.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] })
    expect(await settled(follower)).toBe('pending')
    void park(coord.joinGroup(joinReq({ clientId: 'late' })))
    expect(codeOf(await follower)).toBe(27)
    expect(a.generationId).toBe(b.generationId)
  })
})

/** Two members joined in one generation (CompletingRebalance), nobody synced yet. */
async function joinTwo(coord: GroupCoordinator): Promise<[JoinResult, JoinResult]> {
  const first = await coord.joinGroup(joinReq({ clientId: 'a' }))
  const b = coord.joinGroup(joinReq({ clientId: 'b' }))
  const a = coord.joinGroup(joinReq({ memberId: first.memberId, clientId: 'a' }))
  const [ra, rb] = await Promise.all([a, b])
  expect(ra.generationId).toBe(rb.generationId)
  return [ra, rb]
}

describe('Heartbeat, session expiry and rebalance timeout', () => {
  it('heartbeat: REBALANCE_IN_PROGRESS once another member joins, ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID', async () => {
    const { coord } = coordinator()
    const [a, b] = await formGroup(coord, 2)
    const hb = (memberId: string, generationId = a!.generationId, groupId = 'g') => codeOf({ error: coord.heartbeat({ groupId, generationId, memberId, groupInstanceId: null }) })
    expect(hb(a!.memberId)).toBe(0)
    expect(hb(a!.memberId, a!.generationId - 1)).toBe(22)
    expect(hb('stranger')).toBe(25)
    expect(hb(a!.memberId, a!.generationId, 'nope')).toBe(25)
    expect(hb(a!.memberId, a!.generationId, '')).toBe(24)

    const c = coord.joinGroup(joinReq({ clientId: 'c' }))
    expect(hb(a!.memberId)).toBe(27)
    expect(hb(b!.memberId)).toBe(27)
    // Everyone rejoins: the join phase completes as soon as the last known member is in.
    const ra = coord.joinGroup(joinReq({ memberId: a!.memberId }))
    const rb = coord.joinGroup(joinReq({ memberId: b!.memberId }))
    const results = await Promise.all([ra, rb, c])
    expect(new Set(results.map((r) => r.generationId))).toEqual(new Set([a!.generationId + 1]))
    expect(results[0].members).toHaveLength(3)
  })

  it('a member that stops heartbeating is removed after its session timeout and the group rebalances', async () => {
    const { coord } = coordinator()
    const [a, b] = await formGroup(coord, 2)
    now += 6000
    expect(coord.heartbeat({ groupId: 'g', generationId: a!.generationId, memberId: a!.memberId, groupInstanceId: null })).toBeUndefined()
    now += 4000 // b's last sign of life was 10 s ago: its session (10 s) has expired; a heartbeated 4 s ago
    coord.tick()
    const d = coord.describeGroups(['g'])[0]!
    expect(d.state).toBe('PreparingRebalance')
    expect(d.members.map((m) => m.memberId)).toEqual([a!.memberId])
    expect(codeOf({ error: coord.heartbeat({ groupId: 'g', generationId: a!.generationId, memberId: b!.memberId, groupInstanceId: null }) })).toBe(25)
    expect(codeOf({ error: coord.heartbeat({ groupId: 'g', generationId: a!.generationId, memberId: a!.memberId, groupInstanceId: null }) })).toBe(27)
    const again = await coord.joinGroup(joinReq({ memberId: a!.memberId }))
    expect(again).toMatchObject({ generationId: a!.generationId + 1, leader: a!.memberId })
    expect(again.members.map((m) => m.memberId)).toEqual([a!.memberId])
  })

  it('expiry is evaluated lazily by any operation, not only by tick', async () => {
    const { coord } = coordinator()
    const [a, b] = await formGroup(coord, 2)
    now += 10_000 // both sessions expired; nobody ticked
    expect(codeOf({ error: coord.heartbeat({ groupId: 'g', generationId: a!.generationId, memberId: b!.memberId, groupInstanceId: null }) })).toBe(25)
    expect(coord.describeGroups(['g'])[0]).toMatchObject({ state: 'Empty', members: [] })
  })

  it('members that do not rejoin within the rebalance timeout are dropped; the others get the new generation', async () => {
    const { coord } = coordinator()
    const [a, b, c] = await formGroup(coord, 3)
    const hbC = () => codeOf({ error: coord.heartbeat({ groupId: 'g', generationId: a!.generationId, memberId: c!.memberId, groupInstanceId: null }) })
    const ra = coord.joinGroup(joinReq({ memberId: a!.memberId })) // the leader rejoins: rebalance
    now = T0 + 5000
    const rb = coord.joinGroup(joinReq({ memberId: b!.memberId }))
    // c heartbeats (and so learns of the rebalance) but never rejoins.
    expect(hbC()).toBe(27)
    now = T0 + 14_000
    expect(hbC()).toBe(27)
    now = T0 + 23_000
    expect(hbC()).toBe(27)
    now = T0 + 29_999
    coord.tick()
    expect(await settled(ra)).toBe('pending')
    now = T0 + 30_000 // the rebalance timeout (30 s) since the rebalance began
    coord.tick()
    const [ja, jb] = await Promise.all([ra, rb])
    expect(ja.generationId).toBe(a!.generationId + 1)
    expect(ja.members.map((m) => m.memberId)).toEqual([a!.memberId, b!.memberId])
    expect(jb.members).toEqual([])
    expect(codeOf({ error: coord.heartbeat({ groupId: 'g', generationId: ja.generationId, memberId: c!.memberId, groupInstanceId: null }) })).toBe(25)
  })

  it('members that never send SyncGroup within the rebalance timeout are removed and the group rebalances', async () => {
    const { coord } = coordinator()
    const first = await coord.joinGroup(joinReq({ rebalanceTimeoutMs: 8000 }))
    const jb = coord.joinGroup(joinReq({ clientId: 'b', rebalanceTimeoutMs: 8000 }))
    const a = await coord.joinGroup(joinReq({ memberId: first.memberId, rebalanceTimeoutMs: 8000 }))
    const b = await jb
    expect(b.generationId).toBe(a.generationId)
    const sa = await coord.syncGroup({ groupId: 'g', generationId: a.generationId, memberId: a.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] })
    expect(codeOf(sa)).toBe(0)
    now += 7999
    coord.tick()
    expect(coord.describeGroups(['g'])[0]?.members).toHaveLength(2)
    now += 1
    coord.tick()
    expect(coord.describeGroups(['g'])[0]).toMatchObject({ state: 'PreparingRebalance', members: [{ memberId: a.memberId }] })
  })

  it('a member parked in JoinGroup outlives its session timeout; a new one only the new-member join timeout', async () => {
    const { coord } = coordinator()
    const [a, b] = await formGroup(coord, 2)
    const ra = coord.joinGroup(joinReq({ memberId: a!.memberId, rebalanceTimeoutMs: 600_000 })) // parked, leader: rebalance
    const newcomer = coord.joinGroup(joinReq({ clientId: 'new', rebalanceTimeoutMs: 600_000 }))
    elapseWithHeartbeats(coord, 60_000, [b!]) // b stays alive but does not rejoin
    expect(coord.describeGroups(['g'])[0]?.members.map((m) => m.clientId)).toEqual(['m0', 'm1', 'new'])
    elapseWithHeartbeats(coord, 240_000, [b!]) // 5 minutes since the newcomer's JoinGroup
    coord.tick()
    expect(codeOf(await newcomer)).toBe(25)
    expect(coord.describeGroups(['g'])[0]?.members.map((m) => m.clientId)).toEqual(['m0', 'm1'])
    const rb = await coord.joinGroup(joinReq({ memberId: b!.memberId }))
    expect((await ra).generationId).toBe(a!.generationId + 1)
    expect(rb.generationId).toBe(a!.generationId + 1)
  })
})

describe('LeaveGroup', () => {
  it('the last member leaving empties the group (a new generation with no members)', async () => {
    const { coord } = coordinator()
    const [a] = await formGroup(coord, 1)
    const r = coord.leaveGroup({ groupId: 'g', members: [{ memberId: a!.memberId, groupInstanceId: null }] })
    expect(r).toEqual({ error: undefined, members: [{ memberId: a!.memberId, groupInstanceId: null, error: undefined }] })
    expect(coord.describeGroups(['g'])[0]).toMatchObject({ state: 'Empty', protocolType: 'consumer', members: [] })
    expect(coord.describeGroupOverview('g').generationId).toBe(a!.generationId + 1)
  })

  it('v3 batch: per-member errors; the remaining members must rejoin', async () => {
    const { coord } = coordinator()
    const [a, b, c] = await formGroup(coord, 3)
    const r = coord.leaveGroup({
      groupId: 'g',
      members: [
        { memberId: b!.memberId, groupInstanceId: null },
        { memberId: 'ghost', groupInstanceId: null },
        { memberId: c!.memberId, groupInstanceId: 'not-its-instance' },
        { memberId: '', groupInstanceId: 'no-such-instance' },
      ],
    })
    expect(r.members.map((m) => codeOf(m))).toEqual([0, 25, 25, 25])
    expect(coord.describeGroups(['g'])[0]?.members.map((m) => m.memberId)).toEqual([a!.memberId, c!.memberId])
    expect(codeOf({ error: coord.heartbeat({ groupId: 'g', generationId: a!.generationId, memberId: a!.memberId, groupInstanceId: null }) })).toBe(27)
    expect(coord.leaveGroup({ groupId: 'unknown', members: [{ memberId: 'x', groupInstanceId: null }] }).members.map((m) => codeOf(m))).toEqual([25])
    expect(codeOf(coord.leaveGroup({ groupId: '', members: [] }))).toBe(24)
  })

  it('a member leaving while another is parked in JoinGroup completes the join phase', async () => {
    const { coord } = coordinator()
    const [a, b] = await formGroup(coord, 2)
    const ra = coord.joinGroup(joinReq({ memberId: a!.memberId }))
    expect(await settled(ra)).toBe('pending')
    coord.leaveGroup({ groupId: 'g', members: [{ memberId: b!.memberId, groupInstanceId: null }] })
    expect((await ra).members.map((m) => m.memberId)).toEqual([a!.memberId])
  })
})

describe('static membership', () => {
  it('a rejoin with the same group.instance.id replaces the member id; the old id is fenced; no rebalance', async () => {
    const { coord, store } = coordinator()
    topic(store, 't', 1)
    const old = await stableSingle(coord, { groupInstanceId: 'instance-1' })
    expect(old.memberId.startsWith('instance-1-')).toBe(true)
    const generation = old.generationId

    const fresh = await coord.joinGroup(joinReq({ groupInstanceId: 'instance-1', requireKnownMemberId: true }))
    expect(fresh).toMatchObject({ error: undefined, generationId: generation, protocolName: 'range' })
    expect(fresh.memberId).not.toBe(old.memberId)
    expect(coord.describeGroups(['g'])[0]).toMatchObject({ state: 'Stable', members: [{ memberId: fresh.memberId, groupInstanceId: 'instance-1', assignment: assignment('t', 0) }] })

    const hb = (memberId: string) => codeOf({ error: coord.heartbeat({ groupId: 'g', generationId: generation, memberId, groupInstanceId: 'instance-1' }) })
    expect(hb(old.memberId)).toBe(82) // FENCED_INSTANCE_ID
    expect(hb(fresh.memberId)).toBe(0)
    const commit = coord.commitOffsets(commitReq({ generationId: generation, memberId: old.memberId, groupInstanceId: 'instance-1' }))
    expect(commit[0]?.partitions.map((p) => codeOf(p))).toEqual([82])
    // The new id keeps the old one's assignment: SyncGroup in Stable answers with it.
    const s = await coord.syncGroup({ groupId: 'g', generationId: generation, memberId: fresh.memberId, groupInstanceId: 'instance-1', protocolType: null, protocolName: null, assignments: [] })
    expect(s.assignment).toEqual(assignment('t', 0))
  })

  it('a static member parked in JoinGroup is answered FENCED_INSTANCE_ID when its instance rejoins', async () => {
    const { coord } = coordinator()
    const [m0] = await formGroup(coord, 1)
    const parked = coord.joinGroup(joinReq({ groupInstanceId: 'i', clientId: 's' })) // rebalance; m0 has not rejoined
    expect(await settled(parked)).toBe('pending')
    const replacement = coord.joinGroup(joinReq({ groupInstanceId: 'i', clientId: 's' }))
    const fenced = await parked
    expect(codeOf(fenced)).toBe(82)
    const rm0 = await coord.joinGroup(joinReq({ memberId: m0!.memberId }))
    const r = await replacement
    expect(r.generationId).toBe(m0!.generationId + 1)
    expect(rm0.members.map((m) => [m.memberId, m.groupInstanceId])).toEqual([
      [m0!.memberId, null],
      [r.memberId, 'i'],
    ])
  })
})

function commitReq(overrides: Partial<OffsetCommitRequest> & { offsets?: [string, number, number, string | null][] } = {}): OffsetCommitRequest {
  const offsets = overrides.offsets ?? [['t', 0, 42, 'meta']]
  const topics = new Map<string, { partition: number; offset: number; leaderEpoch: number; metadata: string | null }[]>()
  for (const [name, partition, offset, metadata] of offsets) {
    const list = topics.get(name) ?? []
    list.push({ partition, offset, leaderEpoch: -1, metadata })
    topics.set(name, list)
  }
  return {
    groupId: 'g',
    generationId: -1,
    memberId: '',
    groupInstanceId: null,
    topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
    ...overrides,
  }
}

describe('OffsetCommit / OffsetFetch', () => {
  it('a simple commit (generation -1) creates an offsets-only group; fetch returns it and -1 for the rest', () => {
    const { coord, store } = coordinator()
    topic(store, 't', 3)
    const r = coord.commitOffsets(commitReq({ offsets: [['t', 0, 42, 'meta'], ['t', 2, 7, null], ['missing', 0, 1, null], ['t', 3, 1, null]] }))
    expect(r.map((t) => [t.name, t.partitions.map((p) => [p.partition, codeOf(p)])])).toEqual([
      ['t', [[0, 0], [2, 0], [3, 3]]],
      ['missing', [[0, 3]]],
    ])
    expect(coord.listGroups()).toEqual([{ groupId: 'g', protocolType: '', state: 'Empty', groupType: 'classic' }])
    expect(coord.fetchOffsets({ groupId: 'g', topics: [{ name: 't', partitions: [0, 1, 2] }, { name: 'missing', partitions: [0] }] })).toEqual({
      error: undefined,
      topics: [
        {
          name: 't',
          partitions: [
            { partition: 0, offset: 42, leaderEpoch: -1, metadata: 'meta', error: undefined },
            { partition: 1, offset: -1, leaderEpoch: -1, metadata: '', error: undefined },
            { partition: 2, offset: 7, leaderEpoch: -1, metadata: '', error: undefined },
          ],
        },
        { name: 'missing', partitions: [{ partition: 0, offset: -1, leaderEpoch: -1, metadata: '', error: undefined }] },
      ],
    })
    // null topics: everything committed.
    expect(coord.fetchOffsets({ groupId: 'g', topics: null }).topics.map((t) => [t.name, t.partitions.map((p) => [p.partition, p.offset])])).toEqual([
      ['t', [[0, 42], [2, 7]]],
    ])
  })

  it('an unknown group fetches -1 offsets and no error; a commit only to unknown topics creates nothing', () => {
    const { coord } = coordinator()
    expect(coord.fetchOffsets({ groupId: 'none', topics: [{ name: 't', partitions: [0] }] }).topics[0]?.partitions[0]).toMatchObject({ offset: -1, error: undefined })
    expect(coord.fetchOffsets({ groupId: 'none', topics: null }).topics).toEqual([])
    coord.commitOffsets(commitReq({ groupId: 'none', offsets: [['nope', 0, 1, null]] }))
    expect(coord.listGroups()).toEqual([])
  })

  it('metadata up to offset.metadata.max.bytes is kept; longer is OFFSET_METADATA_TOO_LARGE for that partition only', () => {
    const { coord, store } = coordinator({ offsetMetadataMaxBytes: 10 })
    topic(store, 't', 2)
    const r = coord.commitOffsets(commitReq({ offsets: [['t', 0, 1, 'x'.repeat(10)], ['t', 1, 1, 'x'.repeat(11)]] }))
    expect(r[0]?.partitions.map((p) => codeOf(p))).toEqual([0, 12])
    expect(coord.fetchOffsets({ groupId: 'g', topics: null }).topics[0]?.partitions.map((p) => p.partition)).toEqual([0])
  })

  it('member commits: generation and membership are checked as Kafka does', async () => {
    const { coord, store } = coordinator()
    topic(store, 't', 1)
    const code = (over: Partial<OffsetCommitRequest>) => codeOf(coord.commitOffsets(commitReq(over))[0]!.partitions[0]!)
    expect(code({ groupId: 'unknown', generationId: 3, memberId: 'm' })).toBe(22) // unknown group, generation >= 0

    const [a, b] = await joinTwo(coord)
    // CompletingRebalance: the member knows its generation but has no assignment yet.
    expect(code({ generationId: a.generationId, memberId: a.memberId })).toBe(27)
    await Promise.all([
      coord.syncGroup({ groupId: 'g', generationId: a.generationId, memberId: a.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] }),
      coord.syncGroup({ groupId: 'g', generationId: b.generationId, memberId: b.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] }),
    ])
    expect(code({ generationId: a.generationId, memberId: a.memberId })).toBe(0)
    expect(code({ generationId: a.generationId + 1, memberId: a.memberId })).toBe(22)
    expect(code({ generationId: a.generationId, memberId: 'ghost' })).toBe(25)
    expect(code({ generationId: -1, memberId: '' })).toBe(25) // anonymous commit to a group with members
    // PreparingRebalance: commits from current members are still accepted.
    void park(coord.joinGroup(joinReq({ clientId: 'late' })))
    expect(code({ generationId: a.generationId, memberId: b.memberId })).toBe(0)
  })

  it('committed offsets are durable: another connection (or a restart) reads them', () => {
    const { coord, store } = coordinator()
    topic(store, 't', 1)
    coord.commitOffsets(commitReq({ offsets: [['t', 0, 123, 'm']] }))
    coord.close()
    store.close()
    const other = coordinator().coord
    expect(other.fetchOffsets({ groupId: 'g', topics: null }).topics).toEqual([
      { name: 't', partitions: [{ partition: 0, offset: 123, leaderEpoch: -1, metadata: 'm', error: undefined }] },
    ])
  })

  it('offsets of a simple group expire offsets.retention.minutes after their commit, then the group goes', () => {
    const { coord, store } = coordinator({ offsetsRetentionMinutes: 1 })
    topic(store, 't', 2)
    coord.commitOffsets(commitReq({ offsets: [['t', 0, 1, null]] }))
    now += 30_000
    coord.commitOffsets(commitReq({ offsets: [['t', 1, 2, null]] }))
    now = T0 + 60_000
    expect(coord.fetchOffsets({ groupId: 'g', topics: null }).topics[0]?.partitions.map((p) => p.partition)).toEqual([1])
    now = T0 + 90_000
    coord.tick()
    expect(coord.listGroups()).toEqual([])
  })

  it("an Empty group's offsets expire offsets.retention.minutes after it became Empty", async () => {
    const { coord, store } = coordinator({ offsetsRetentionMinutes: 1 })
    topic(store, 't', 1)
    const [a] = await formGroup(coord, 1)
    coord.commitOffsets(commitReq({ generationId: a!.generationId, memberId: a!.memberId }))
    elapseWithHeartbeats(coord, 120_000, [a!]) // long after the commit, but the group is not Empty
    coord.tick()
    expect(coord.fetchOffsets({ groupId: 'g', topics: null }).topics).toHaveLength(1)
    coord.leaveGroup({ groupId: 'g', members: [{ memberId: a!.memberId, groupInstanceId: null }] })
    now += 59_999
    coord.tick()
    expect(coord.describeGroupOverview('g').offsets).toHaveLength(1)
    now += 1
    coord.tick()
    expect(coord.listGroups()).toEqual([])
    expect(coord.describeGroups(['g'])[0]?.state).toBe('Dead')
  })

  it('deleting a topic removes its committed offsets', () => {
    const { coord, store } = coordinator()
    topic(store, 't', 1)
    topic(store, 'u', 1)
    coord.commitOffsets(commitReq({ offsets: [['t', 0, 5, null], ['u', 0, 6, null]] }))
    store.deleteTopic(store.findTopic('t')!.id)
    expect(coord.fetchOffsets({ groupId: 'g', topics: null }).topics.map((t) => t.name)).toEqual(['u'])
  })
})

describe('ListGroups / DescribeGroups / DeleteGroups / OffsetDelete', () => {
  it('lists every group with its state and protocol type, filtered by state (case-insensitive) and type', async () => {
    const { coord, store } = coordinator()
    topic(store, 't', 1)
    await formGroup(coord, 1)
    const joining = coord.joinGroup(joinReq({ groupId: 'rebalancing', rebalanceTimeoutMs: 60_000 }))
    await joining
    void park(coord.joinGroup(joinReq({ groupId: 'rebalancing' })))
    coord.commitOffsets(commitReq({ groupId: 'offsets-only' }))
    expect(coord.listGroups()).toEqual([
      { groupId: 'g', protocolType: 'consumer', state: 'Stable', groupType: 'classic' },
      { groupId: 'offsets-only', protocolType: '', state: 'Empty', groupType: 'classic' },
      { groupId: 'rebalancing', protocolType: 'consumer', state: 'PreparingRebalance', groupType: 'classic' },
    ])
    expect(coord.listGroups({ statesFilter: ['stable', 'EMPTY'] }).map((g) => g.groupId)).toEqual(['g', 'offsets-only'])
    expect(coord.listGroups({ typesFilter: ['Classic'] })).toHaveLength(3)
    expect(coord.listGroups({ typesFilter: ['consumer'] })).toEqual([])
  })

  it('describes an unknown group as Dead; metadata and assignments only while Stable', async () => {
    const { coord } = coordinator()
    expect(coord.describeGroups(['nope', ''])).toEqual([
      { groupId: 'nope', error: undefined, state: 'Dead', protocolType: '', protocolData: '', members: [] },
      { groupId: '', error: undefined, state: 'Dead', protocolType: '', protocolData: '', members: [] },
    ])
    const [a] = await formGroup(coord, 1)
    void park(coord.joinGroup(joinReq({ clientId: 'other' })))
    expect(coord.describeGroups(['g'])[0]).toEqual({
      groupId: 'g',
      error: undefined,
      state: 'PreparingRebalance',
      protocolType: 'consumer',
      protocolData: '',
      members: [
        { memberId: a!.memberId, groupInstanceId: null, clientId: 'm0', clientHost: '/127.0.0.1', metadata: Buffer.alloc(0), assignment: Buffer.alloc(0) },
        expect.objectContaining({ clientId: 'other', metadata: Buffer.alloc(0), assignment: Buffer.alloc(0) }),
      ],
    })
  })

  it('DeleteGroups: NON_EMPTY_GROUP with members, GROUP_ID_NOT_FOUND when unknown, else gone with its offsets', async () => {
    const { coord, store } = coordinator()
    topic(store, 't', 1)
    await formGroup(coord, 1)
    coord.commitOffsets(commitReq({ groupId: 'empty' }))
    expect(coord.deleteGroups(['g', 'empty', 'unknown', 'empty']).map((r) => [r.groupId, codeOf(r)])).toEqual([
      ['g', 68],
      ['empty', 0],
      ['unknown', 69],
      ['empty', 69],
    ])
    expect(coord.fetchOffsets({ groupId: 'empty', topics: null }).topics).toEqual([])
    expect(coord.listGroups().map((g) => g.groupId)).toEqual(['g'])
  })

  it('OffsetDelete: refused for topics the Stable group subscribes to, allowed for others and for Empty groups', async () => {
    const { coord, store } = coordinator()
    topic(store, 't', 1)
    topic(store, 'old', 2)
    const [a] = await formGroup(coord, 1) // subscribed to 't'
    coord.commitOffsets(commitReq({ generationId: a!.generationId, memberId: a!.memberId, offsets: [['t', 0, 1, null], ['old', 0, 1, null], ['old', 1, 1, null]] }))
    const r = coord.deleteOffsets({ groupId: 'g', topics: [{ name: 't', partitions: [0] }, { name: 'old', partitions: [0] }, { name: 'gone', partitions: [0] }] })
    expect(r.error).toBeUndefined()
    expect(r.topics.map((t) => [t.name, t.partitions.map((p) => codeOf(p))])).toEqual([
      ['t', [86]],
      ['old', [0]],
      ['gone', [3]],
    ])
    expect(coord.fetchOffsets({ groupId: 'g', topics: null }).topics.map((t) => [t.name, t.partitions.map((p) => p.partition)])).toEqual([
      ['old', [1]],
      ['t', [0]],
    ])
    expect(codeOf(coord.deleteOffsets({ groupId: 'unknown', topics: [] }))).toBe(69)

    coord.leaveGroup({ groupId: 'g', members: [{ memberId: a!.memberId, groupInstanceId: null }] })
    expect(coord.deleteOffsets({ groupId: 'g', topics: [{ name: 't', partitions: [0] }] }).topics[0]?.partitions.map((p) => codeOf(p))).toEqual([0])
  })

  it('OffsetDelete on an active group of another protocol type: NON_EMPTY_GROUP', async () => {
    const { coord, store } = coordinator()
    topic(store, 't', 1)
    await coord.joinGroup(joinReq({ protocolType: 'connect', protocols: [{ name: 'v1', metadata: Buffer.from('x') }] }))
    expect(codeOf(coord.deleteOffsets({ groupId: 'g', topics: [{ name: 't', partitions: [0] }] }))).toBe(68)
  })

  it('the overview for consumer-groups decodes assignments and names committed offsets', async () => {
    const { coord, store } = coordinator()
    topic(store, 't', 2)
    const [a, b] = await formGroup(coord, 2)
    coord.commitOffsets(commitReq({ generationId: a!.generationId, memberId: a!.memberId, offsets: [['t', 1, 9, 'x'], ['t', 0, 4, null]] }))
    const o = coord.describeGroupOverview('g')
    expect(o).toMatchObject({ groupId: 'g', state: 'Stable', protocolType: 'consumer', protocolName: 'range', generationId: a!.generationId })
    expect(o.members.map((m) => [m.memberId, m.clientId, m.assignedPartitions])).toEqual([
      [a!.memberId, 'm0', [{ topic: 't', partitions: [0] }]],
      [b!.memberId, 'm1', [{ topic: 't', partitions: [1] }]],
    ])
    expect(o.offsets).toEqual([
      { topic: 't', partition: 0, offset: 4, leaderEpoch: -1, metadata: '', commitTimestampMs: now },
      { topic: 't', partition: 1, offset: 9, leaderEpoch: -1, metadata: 'x', commitTimestampMs: now },
    ])
    expect(coord.describeGroupOverview('none')).toMatchObject({ state: 'Dead', members: [], offsets: [], generationId: -1 })
  })
})

describe('two coordinators on one data directory (two processes)', () => {
  it('members joining through either form one group; each wakes the waiters of the other', async () => {
    const one = coordinator().coord
    const two = coordinator().coord

    const a = await one.joinGroup(joinReq({ clientId: 'in-one' }))
    expect(a.generationId).toBe(1)
    const sa = await one.syncGroup({ groupId: 'g', generationId: 1, memberId: a.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [{ memberId: a.memberId, assignment: assignment('t', 0, 1) }] })
    expect(sa.assignment).toEqual(assignment('t', 0, 1))

    // b joins through the other connection and is parked there.
    const b = two.joinGroup(joinReq({ clientId: 'in-two' }))
    expect(await settled(b)).toBe('pending')
    expect(codeOf({ error: one.heartbeat({ groupId: 'g', generationId: 1, memberId: a.memberId, groupInstanceId: null }) })).toBe(27)
    // a's rejoin through `one` completes the join phase; `two` learns of it through the store.
    const ra = await one.joinGroup(joinReq({ memberId: a.memberId, clientId: 'in-one' }))
    const rb = await b
    expect(ra).toMatchObject({ generationId: 2, leader: a.memberId })
    expect(rb).toMatchObject({ generationId: 2, leader: a.memberId, members: [] })
    expect(ra.members.map((m) => m.memberId)).toEqual([a.memberId, rb.memberId])

    // The follower waits in `two` for the leader's assignment sent through `one`.
    const sb = two.syncGroup({ groupId: 'g', generationId: 2, memberId: rb.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] })
    expect(await settled(sb)).toBe('pending')
    await one.syncGroup({
      groupId: 'g',
      generationId: 2,
      memberId: a.memberId,
      groupInstanceId: null,
      protocolType: null,
      protocolName: null,
      assignments: [
        { memberId: a.memberId, assignment: assignment('t', 0) },
        { memberId: rb.memberId, assignment: assignment('t', 1) },
      ],
    })
    expect(await sb).toEqual({ error: undefined, protocolType: 'consumer', protocolName: 'range', assignment: assignment('t', 1) } satisfies SyncResult)
    expect(two.describeGroups(['g'])[0]?.state).toBe('Stable')
  })

  it("a timer fired by one process's tick completes a join parked in the other", async () => {
    const one = coordinator({ groupInitialRebalanceDelayMs: 3000 }).coord
    const two = coordinator({ groupInitialRebalanceDelayMs: 3000 }).coord
    const a = one.joinGroup(joinReq())
    expect(await settled(a)).toBe('pending')
    now += 3000
    two.tick()
    expect((await a).generationId).toBe(1)
  })
})

describe('embedded members of dead local processes', () => {
  const P1 = 900_001
  const P2 = 900_002
  const P3 = 900_003
  let alive: Set<number>
  let checked: number[]

  /** A coordinator whose process table is `alive`; records every pid it asks about. */
  function withProcesses(): GroupCoordinator {
    const store = openSqliteLogStore(dir)
    stores.push(store)
    const isProcessAlive = (pid: number) => {
      checked.push(pid)
      return alive.has(pid)
    }
    const coord = new GroupCoordinator(store, { ...DEFAULT_BROKER_CONFIG, groupInitialRebalanceDelayMs: 0 }, { clock, pollIntervalMs: 5, isProcessAlive })
    coordinators.push(coord)
    return coord
  }

  beforeEach(() => {
    alive = new Set([P1, P2, P3])
    checked = []
  })

  /** A Stable group of the given members (each joinReq overrides), formed without moving the clock. */
  async function stableGroup(coord: GroupCoordinator, members: Partial<JoinGroupRequest>[]): Promise<JoinResult[]> {
    // As formGroup: the first member completes generation 1 alone; its rejoin brings the others in.
    const first = await coord.joinGroup(joinReq(members[0]))
    const others = members.slice(1).map((m) => coord.joinGroup(joinReq(m)))
    const ordered = await Promise.all([coord.joinGroup(joinReq({ ...members[0], memberId: first.memberId })), ...others])
    const generationId = ordered[0].generationId
    expect(new Set(ordered.map((j) => j.generationId))).toEqual(new Set([generationId]))
    const leader = ordered.find((j) => j.members.length > 0)!
    const syncs = ordered.map((j) =>
      coord.syncGroup({ groupId: 'g', generationId, memberId: j.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: j === leader ? ordered.map((m, i) => ({ memberId: m.memberId, assignment: assignment('t', i) })) : [] }),
    )
    for (const r of await Promise.all(syncs)) expect(codeOf(r)).toBe(0)
    expect(coord.describeGroups(['g'])[0]?.state).toBe('Stable')
    return ordered
  }

  it('a member whose process died is expelled by the next operation, long before its session timeout; the survivor rejoins alone at once', async () => {
    const coord = withProcesses()
    const [a, b, c] = await stableGroup(coord, [
      { clientId: 'a', localProcessId: P1 },
      { clientId: 'b', localProcessId: P2 },
      { clientId: 'c' }, // a protocol member: no process id
    ])
    const hb = (m: JoinResult, generationId = a!.generationId) => codeOf({ error: coord.heartbeat({ groupId: 'g', generationId, memberId: m.memberId, groupInstanceId: null }) })
    expect(hb(a!)).toBe(0)
    expect(coord.describeGroups(['g'])[0]?.members).toHaveLength(3)

    alive.delete(P2) // b's process is SIGKILLed; the clock does not move
    expect(hb(a!)).toBe(27)
    expect(coord.describeGroups(['g'])[0]).toMatchObject({ state: 'PreparingRebalance', members: [{ clientId: 'a' }, { clientId: 'c' }] })
    expect(hb(b!)).toBe(25)
    // Not waiting for b: the join phase completes once a and c are back.
    const ra = coord.joinGroup(joinReq({ clientId: 'a', memberId: a!.memberId, localProcessId: P1 }))
    const rc = coord.joinGroup(joinReq({ clientId: 'c', memberId: c!.memberId }))
    const [ja, jc] = await Promise.all([ra, rc])
    expect(ja.generationId).toBe(a!.generationId + 1)
    expect(jc.generationId).toBe(a!.generationId + 1)
    expect(ja.members.map((m) => m.memberId)).toEqual([a!.memberId, c!.memberId])
    expect(checked).not.toContain(undefined)
    expect(new Set(checked)).toEqual(new Set([P1, P2]))
  })

  it('protocol members (no process id) and members of this very process are never expired that way', async () => {
    const coord = withProcesses()
    alive.clear() // every other process is "dead"
    const [a, b] = await stableGroup(coord, [{ clientId: 'wire' }, { clientId: 'self', localProcessId: process.pid }])
    expect(codeOf({ error: coord.heartbeat({ groupId: 'g', generationId: a!.generationId, memberId: a!.memberId, groupInstanceId: null }) })).toBe(0)
    expect(codeOf({ error: coord.heartbeat({ groupId: 'g', generationId: b!.generationId, memberId: b!.memberId, groupInstanceId: null }) })).toBe(0)
    coord.tick()
    expect(coord.describeGroups(['g'])[0]).toMatchObject({ state: 'Stable', members: [{ clientId: 'wire' }, { clientId: 'self' }] })
    expect(checked).toEqual([])
  })

  it('members parked in JoinGroup notice a dead member that never rejoins, without any further operation', async () => {
    const coord = withProcesses()
    const [a, b] = await stableGroup(coord, [
      { clientId: 'a', localProcessId: P1, rebalanceTimeoutMs: 300_000 },
      { clientId: 'b', localProcessId: P2, rebalanceTimeoutMs: 300_000 },
    ])
    const newcomer = coord.joinGroup(joinReq({ clientId: 'new', localProcessId: P3, rebalanceTimeoutMs: 300_000 }))
    expect(codeOf({ error: coord.heartbeat({ groupId: 'g', generationId: a!.generationId, memberId: a!.memberId, groupInstanceId: null }) })).toBe(27)
    const ra = coord.joinGroup(joinReq({ clientId: 'a', memberId: a!.memberId, localProcessId: P1, rebalanceTimeoutMs: 300_000 }))
    expect(await settled(ra)).toBe('pending') // waiting for b to rejoin
    alive.delete(P2)
    // Nothing changes in the store when a process dies: parked calls look again about every second.
    now += 1000
    const [ja, jn] = await Promise.all([ra, newcomer])
    expect(ja.generationId).toBe(a!.generationId + 1)
    expect(jn.generationId).toBe(a!.generationId + 1)
    expect(ja.members.map((m) => m.memberId)).toEqual([a!.memberId, jn.memberId])
    expect(ja.members.map((m) => m.memberId)).not.toContain(b!.memberId)
  })
})

describe('shutdown', () => {
  it('close rejects parked calls with COORDINATOR_NOT_AVAILABLE; an aborted wait rejects with the reason', async () => {
    const { coord } = coordinator({ groupInitialRebalanceDelayMs: 3000 })
    const controller = new AbortController()
    const aborted = coord.joinGroup(joinReq(), { signal: controller.signal })
    controller.abort(new Error('client went away'))
    await expect(aborted).rejects.toThrow('client went away')
    const parked = coord.joinGroup(joinReq())
    expect(coord.waitingCalls).toBe(1)
    coord.close()
    await expect(parked).rejects.toMatchObject({ errorName: 'COORDINATOR_NOT_AVAILABLE' })
    expect(codeOf(await coord.joinGroup(joinReq()))).toBe(15)
  })
})
