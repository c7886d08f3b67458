// The GroupStore part of the storage contract on real SQLite files: rows come back as written, deletes
// cascade, committed offsets follow their topic, and a store written before groups existed (schema 1)
// is migrated on open.

import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { DB_FILE_NAME, STORE_FORMAT_VERSION } from '../../src/storage/sqlite/data-dir.js'
import { PartitionNotFoundError } from '../../src/storage/log-store.js'
import type { GroupMemberRow, GroupRow } from '../../src/storage/log-store.js'
import { formattedStoreEachTest } from './store-fixtures.js'

const { dir: dataDir, open, close } = formattedStoreEachTest('group-store-cluster')

function groupRow(groupId: string, overrides: Partial<GroupRow> = {}): GroupRow {
  return {
    groupId,
    protocolType: 'consumer',
    protocolName: 'range',
    state: 'Stable',
    previousState: 'CompletingRebalance',
    stateTimestampMs: 1_700_000_000_000,
    generationId: 3,
    leaderId: 'c-1',
    joinDeadlineMs: null,
    syncDeadlineMs: 1_700_000_060_000,
    initialDelayMs: 3000,
    initialRemainingMs: -1,
    newMemberAdded: false,
    nextDueMs: 1_700_000_010_000,
    ...overrides,
  }
}

function memberRow(groupId: string, memberId: string, joinOrder: number, overrides: Partial<GroupMemberRow> = {}): GroupMemberRow {
  return {
    groupId,
    memberId,
    joinOrder,
    groupInstanceId: null,
    clientId: 'client',
    clientHost: '/127.0.0.1',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 30_000,
    protocols: [
      { name: 'range', metadata: Buffer.from([0, 0, 0, 0, 0, 1, 0, 1, 0x61, 0xff, 0xff, 0xff, 0xff]) },
      { name: 'roundrobin', metadata: Buffer.alloc(0) },
      { name: 'ünïcode', metadata: Buffer.from('x') },
    ],
    assignment: Buffer.from([1, 2, 3]),
    isNew: false,
    awaitingJoin: true,
    joinResult: null,
    awaitingSync: false,
    syncError: null,
    pendingSync: true,
    heartbeatDeadlineMs: 1_700_000_010_000,
    localPid: null,
    ...overrides,
  }
}

describe('groups and members', () => {
  it('round-trips group, member and pending rows; members come back in join order', () => {
    const store = open()
    store.atomically(() => {
      store.groups.putGroup(groupRow('g1'))
      store.groups.putMember(memberRow('g1', 'c-2', 1, { groupInstanceId: 'i-2', joinResult: Buffer.from('result'), syncError: 27 }))
      store.groups.putMember(memberRow('g1', 'c-1', 0, { localPid: 4242 }))
      store.groups.putPendingMember({ groupId: 'g1', memberId: 'c-3', deadlineMs: 42 })
    })
    const other = open() // what another process reads
    expect(other.groups.group('g1')).toEqual(groupRow('g1'))
    expect(other.groups.members('g1')).toEqual([
      memberRow('g1', 'c-1', 0, { localPid: 4242 }),
      memberRow('g1', 'c-2', 1, { groupInstanceId: 'i-2', joinResult: Buffer.from('result'), syncError: 27 }),
    ])
    expect(other.groups.pendingMembers('g1')).toEqual([{ groupId: 'g1', memberId: 'c-3', deadlineMs: 42 }])
    expect(other.groups.group('nope')).toBeUndefined()
  })

  it('putGroup replaces the row but keeps members; deleteMember and deletePendingMember remove one', () => {
    const store = open()
    store.atomically(() => {
      store.groups.putGroup(groupRow('g'))
      store.groups.putMember(memberRow('g', 'a', 0))
      store.groups.putMember(memberRow('g', 'b', 1))
      store.groups.putPendingMember({ groupId: 'g', memberId: 'p', deadlineMs: 1 })
      store.groups.putGroup(groupRow('g', { state: 'Empty', leaderId: null, nextDueMs: null, newMemberAdded: true }))
      store.groups.putMember(memberRow('g', 'a', 0, { awaitingJoin: false, heartbeatDeadlineMs: null }))
    })
    expect(store.groups.group('g')).toMatchObject({ state: 'Empty', leaderId: null, nextDueMs: null, newMemberAdded: true })
    expect(store.groups.members('g').map((m) => [m.memberId, m.awaitingJoin, m.heartbeatDeadlineMs])).toEqual([
      ['a', false, null],
      ['b', true, 1_700_000_010_000],
    ])
    store.groups.deleteMember('g', 'a')
    store.groups.deletePendingMember('g', 'p')
    expect(store.groups.members('g').map((m) => m.memberId)).toEqual(['b'])
    expect(store.groups.pendingMembers('g')).toEqual([])
  })

  it('lists groups sorted by id and finds the ones due by a time', () => {
    const store = open()
    store.atomically(() => {
      store.groups.putGroup(groupRow('b', { nextDueMs: 100 }))
      store.groups.putGroup(groupRow('a', { nextDueMs: 300 }))
      store.groups.putGroup(groupRow('c', { nextDueMs: null }))
    })
    expect(store.groups.allGroups().map((g) => g.groupId)).toEqual(['a', 'b', 'c'])
    expect(store.groups.groupsDueBy(99)).toEqual([])
    expect(store.groups.groupsDueBy(100)).toEqual(['b'])
    expect(store.groups.groupsDueBy(1000)).toEqual(['b', 'a'])
  })

  it('deleteGroup removes its members, pending members and offsets, and nothing of other groups', () => {
    const store = open()
    const topic = store.createTopic({ name: 't', uuid: Buffer.alloc(16, 1), partitionCount: 2, configs: new Map() })
    store.atomically(() => {
      for (const id of ['gone', 'kept']) {
        store.groups.putGroup(groupRow(id))
        store.groups.putMember(memberRow(id, 'm', 0))
        store.groups.putPendingMember({ groupId: id, memberId: 'p', deadlineMs: 5 })
        store.groups.putOffset({ groupId: id, topicId: topic.id, partition: 1, offset: 10, leaderEpoch: -1, metadata: '', commitTimestampMs: 7 })
      }
    })
    store.atomically(() => store.groups.deleteGroup('gone'))
    expect(store.groups.group('gone')).toBeUndefined()
    expect(store.groups.members('gone')).toEqual([])
    expect(store.groups.pendingMembers('gone')).toEqual([])
    expect(store.groups.offsets('gone')).toEqual([])
    expect(store.groups.members('kept')).toHaveLength(1)
    expect(store.groups.pendingMembers('kept')).toHaveLength(1)
    expect(store.groups.offsets('kept')).toHaveLength(1)
  })
})

describe('committed offsets', () => {
  it('stores, overwrites and deletes offsets; they are sorted by topic id and partition', () => {
    const store = open()
    const t1 = store.createTopic({ name: 'one', uuid: Buffer.alloc(16, 1), partitionCount: 3, configs: new Map() })
    const t2 = store.createTopic({ name: 'two', uuid: Buffer.alloc(16, 2), partitionCount: 1, configs: new Map() })
    store.atomically(() => {
      store.groups.putGroup(groupRow('g'))
      store.groups.putOffset({ groupId: 'g', topicId: t2.id, partition: 0, offset: 5, leaderEpoch: 2, metadata: 'm2', commitTimestampMs: 1 })
      store.groups.putOffset({ groupId: 'g', topicId: t1.id, partition: 2, offset: 9, leaderEpoch: -1, metadata: '', commitTimestampMs: 2 })
      store.groups.putOffset({ groupId: 'g', topicId: t1.id, partition: 0, offset: 1, leaderEpoch: -1, metadata: 'old', commitTimestampMs: 3 })
      store.groups.putOffset({ groupId: 'g', topicId: t1.id, partition: 0, offset: 2 ** 40, leaderEpoch: 0, metadata: 'new', commitTimestampMs: 4 })
    })
    expect(store.groups.offsets('g')).toEqual([
      { groupId: 'g', topicId: t1.id, partition: 0, offset: 2 ** 40, leaderEpoch: 0, metadata: 'new', commitTimestampMs: 4 },
      { groupId: 'g', topicId: t1.id, partition: 2, offset: 9, leaderEpoch: -1, metadata: '', commitTimestampMs: 2 },
      { groupId: 'g', topicId: t2.id, partition: 0, offset: 5, leaderEpoch: 2, metadata: 'm2', commitTimestampMs: 1 },
    ])
    store.atomically(() => store.groups.deleteOffset('g', { topicId: t1.id, partition: 2 }))
    expect(store.groups.offsets('g').map((o) => [o.topicId, o.partition])).toEqual([
      [t1.id, 0],
      [t2.id, 0],
    ])
  })

  it('refuses an offset for a partition that does not exist', () => {
    const store = open()
    const t = store.createTopic({ name: 't', uuid: Buffer.alloc(16, 1), partitionCount: 1, configs: new Map() })
    store.atomically(() => store.groups.putGroup(groupRow('g')))
    const put = (topicId: number, partition: number) => () =>
      store.atomically(() => store.groups.putOffset({ groupId: 'g', topicId, partition, offset: 0, leaderEpoch: -1, metadata: '', commitTimestampMs: 0 }))
    expect(put(t.id, 1)).toThrow(PartitionNotFoundError)
    expect(put(t.id + 100, 0)).toThrow(PartitionNotFoundError)
    expect(store.groups.offsets('g')).toEqual([])
  })

  it('deleting a topic removes its committed offsets from every group; a new topic of that name starts with none', () => {
    const store = open()
    const doomed = store.createTopic({ name: 'doomed', uuid: Buffer.alloc(16, 1), partitionCount: 2, configs: new Map() })
    const other = store.createTopic({ name: 'other', uuid: Buffer.alloc(16, 2), partitionCount: 1, configs: new Map() })
    store.atomically(() => {
      for (const g of ['g1', 'g2']) {
        store.groups.putGroup(groupRow(g))
        store.groups.putOffset({ groupId: g, topicId: doomed.id, partition: 0, offset: 3, leaderEpoch: -1, metadata: '', commitTimestampMs: 0 })
        store.groups.putOffset({ groupId: g, topicId: doomed.id, partition: 1, offset: 4, leaderEpoch: -1, metadata: '', commitTimestampMs: 0 })
        store.groups.putOffset({ groupId: g, topicId: other.id, partition: 0, offset: 5, leaderEpoch: -1, metadata: '', commitTimestampMs: 0 })
      }
    })
    store.deleteTopic(doomed.id)
    for (const g of ['g1', 'g2']) expect(store.groups.offsets(g).map((o) => [o.topicId, o.offset])).toEqual([[other.id, 5]])
    const again = store.createTopic({ name: 'doomed', uuid: Buffer.alloc(16, 3), partitionCount: 2, configs: new Map() })
    expect(store.groups.offsets('g1').some((o) => o.topicId === again.id)).toBe(false)
  })
})

describe('schema', () => {
  it('migrates a version-2 store (members without local_pid) on open, keeping its members', () => {
    const before = open()
    before.atomically(() => {
      before.groups.putGroup(groupRow('g'))
      before.groups.putMember(memberRow('g', 'old', 0))
    })
    close(before)
    // Turn the fresh store back into what kafka-ts wrote before migration 3.
    const raw = new Database(join(dataDir(), DB_FILE_NAME))
    raw.exec(
      'DROP TABLE scram_credentials; DROP TABLE broker_configs; DROP TABLE cleaner_schedule; ALTER TABLE partitions DROP COLUMN oldest_tombstone_ms; ' +
        'ALTER TABLE partitions DROP COLUMN cleaner_checkpoint; ALTER TABLE partitions DROP COLUMN stored_bytes',
    )
    raw.exec('ALTER TABLE group_members DROP COLUMN local_pid')
    raw.pragma('user_version = 2')
    raw.prepare("UPDATE meta SET value = '2' WHERE key = 'format.version'").run()
    raw.close()

    const store = open()
    expect(store.meta().formatVersion).toBe(STORE_FORMAT_VERSION)
    expect(store.groups.members('g')).toEqual([memberRow('g', 'old', 0)])
    store.atomically(() => store.groups.putMember(memberRow('g', 'new', 1, { localPid: 77 })))
    expect(store.groups.members('g').map((m) => [m.memberId, m.localPid])).toEqual([['old', null], ['new', 77]])
  })

  it('is at the latest format version and migrates a version-1 store (written before groups existed) on open', () => {
    expect(STORE_FORMAT_VERSION).toBe(12)
    // Turn the fresh store back into what kafka-ts wrote before migration 2.
    const raw = new Database(join(dataDir(), DB_FILE_NAME))
    raw.exec(
      'DROP TABLE scram_credentials; DROP TABLE broker_configs; DROP TABLE cleaner_schedule; ALTER TABLE partitions DROP COLUMN oldest_tombstone_ms; ' +
        'ALTER TABLE partitions DROP COLUMN cleaner_checkpoint; ALTER TABLE partitions DROP COLUMN stored_bytes',
    )
    raw.exec('ALTER TABLE group_members DROP COLUMN local_pid')
    raw.exec('DROP TABLE group_offsets; DROP TABLE group_pending_members; DROP TABLE group_members; DROP TABLE groups;')
    raw.pragma('user_version = 1')
    raw.prepare("UPDATE meta SET value = '1' WHERE key = 'format.version'").run()
    raw.close()

    const store = open()
    expect(store.meta().formatVersion).toBe(STORE_FORMAT_VERSION)
    store.atomically(() => store.groups.putGroup(groupRow('after-migration')))
    expect(store.groups.allGroups().map((g) => g.groupId)).toEqual(['after-migration'])
    const check = new Database(join(dataDir(), DB_FILE_NAME), { readonly: true })
    try {
      expect(check.pragma('user_version', { simple: true })).toBe(STORE_FORMAT_VERSION)
      expect(check.prepare("SELECT value FROM meta WHERE key = 'format.version'").pluck().get()).toBe(String(STORE_FORMAT_VERSION))
    } finally {
      check.close()
    }
  })
})
