// Statements on the consumer-group tables (migrations 2 and 3), prepared once per connection. Result types
// name the raw row shape each query returns; group-store.ts maps them to the port's rows.

import type { Database } from 'better-sqlite3'

import type { GroupRow } from '../log-store.js'

/** A `groups` row as SQLite returns it: the port's GroupRow with its flag as an integer. */
export type GroupRecord = Omit<GroupRow, 'newMemberAdded'> & { readonly newMemberAdded: number }

export interface MemberRecord {
  readonly groupId: string
  readonly memberId: string
  readonly joinOrder: number
  readonly groupInstanceId: string | null
  readonly clientId: string
  readonly clientHost: string
  readonly sessionTimeoutMs: number
  readonly rebalanceTimeoutMs: number
  readonly protocols: Buffer
  readonly assignment: Buffer
  readonly isNew: number
  readonly awaitingJoin: number
  readonly joinResult: Buffer | null
  readonly awaitingSync: number
  readonly syncError: number | null
  readonly pendingSync: number
  readonly heartbeatDeadlineMs: number | null
  readonly localPid: number | null
}

export interface PendingMemberRecord {
  readonly groupId: string
  readonly memberId: string
  readonly deadlineMs: number
}

export interface OffsetRecord {
  readonly groupId: string
  readonly topicId: number
  readonly partition: number
  readonly offset: number
  readonly leaderEpoch: number
  readonly metadata: string
  readonly commitTimestampMs: number
}

const GROUP_COLUMNS = `group_id AS groupId, protocol_type AS protocolType, protocol_name AS protocolName, state,
  previous_state AS previousState, state_timestamp AS stateTimestampMs, generation_id AS generationId,
  leader_id AS leaderId, join_deadline AS joinDeadlineMs, sync_deadline AS syncDeadlineMs,
  initial_delay AS initialDelayMs, initial_remaining AS initialRemainingMs, new_member_added AS newMemberAdded,
  next_due_ms AS nextDueMs`

const MEMBER_COLUMNS = `group_id AS groupId, member_id AS memberId, join_order AS joinOrder,
  group_instance_id AS groupInstanceId, client_id AS clientId, client_host AS clientHost,
  session_timeout_ms AS sessionTimeoutMs, rebalance_timeout_ms AS rebalanceTimeoutMs, protocols, assignment,
  is_new AS isNew, awaiting_join AS awaitingJoin, join_result AS joinResult, awaiting_sync AS awaitingSync,
  sync_error AS syncError, pending_sync AS pendingSync, heartbeat_deadline AS heartbeatDeadlineMs, local_pid AS localPid`

const OFFSET_COLUMNS = `group_id AS groupId, topic_id AS topicId, partition, committed_offset AS "offset",
  leader_epoch AS leaderEpoch, metadata, commit_timestamp AS commitTimestampMs`

type GroupParams = [
  string, string | null, string | null, string, string, number, number, string | null,
  number | null, number | null, number, number, number, number | null,
]

type MemberParams = [
  string, string, number, string | null, string, string, number, number, Buffer, Buffer,
  number, number, Buffer | null, number, number | null, number, number | null, number | null,
]

export function prepareGroupStatements(db: Database) {
  return {
    group: db.prepare<[string], GroupRecord>(`SELECT ${GROUP_COLUMNS} FROM groups WHERE group_id = ?`),
    allGroups: db.prepare<[], GroupRecord>(`SELECT ${GROUP_COLUMNS} FROM groups ORDER BY group_id`),
    groupsDueBy: db
      .prepare<[number], string>('SELECT group_id FROM groups WHERE next_due_ms IS NOT NULL AND next_due_ms <= ? ORDER BY next_due_ms')
      .pluck(),
    putGroup: db.prepare<GroupParams>(
      `INSERT INTO groups (group_id, protocol_type, protocol_name, state, previous_state, state_timestamp, generation_id,
         leader_id, join_deadline, sync_deadline, initial_delay, initial_remaining, new_member_added, next_due_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (group_id) DO UPDATE SET protocol_type = excluded.protocol_type, protocol_name = excluded.protocol_name,
         state = excluded.state, previous_state = excluded.previous_state, state_timestamp = excluded.state_timestamp,
         generation_id = excluded.generation_id, leader_id = excluded.leader_id, join_deadline = excluded.join_deadline,
         sync_deadline = excluded.sync_deadline, initial_delay = excluded.initial_delay,
         initial_remaining = excluded.initial_remaining, new_member_added = excluded.new_member_added,
         next_due_ms = excluded.next_due_ms`,
    ),
    deleteGroup: db.prepare<[string]>('DELETE FROM groups WHERE group_id = ?'),

    members: db.prepare<[string], MemberRecord>(`SELECT ${MEMBER_COLUMNS} FROM group_members WHERE group_id = ? ORDER BY join_order, member_id`),
    putMember: db.prepare<MemberParams>(
      `INSERT OR REPLACE INTO group_members (group_id, member_id, join_order, group_instance_id, client_id, client_host,
         session_timeout_ms, rebalance_timeout_ms, protocols, assignment, is_new, awaiting_join, join_result,
         awaiting_sync, sync_error, pending_sync, heartbeat_deadline, local_pid)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    deleteMember: db.prepare<[string, string]>('DELETE FROM group_members WHERE group_id = ? AND member_id = ?'),

    pendingMembers: db.prepare<[string], PendingMemberRecord>(
      'SELECT group_id AS groupId, member_id AS memberId, deadline AS deadlineMs FROM group_pending_members WHERE group_id = ? ORDER BY member_id',
    ),
    putPendingMember: db.prepare<[string, string, number]>(
      'INSERT OR REPLACE INTO group_pending_members (group_id, member_id, deadline) VALUES (?, ?, ?)',
    ),
    deletePendingMember: db.prepare<[string, string]>('DELETE FROM group_pending_members WHERE group_id = ? AND member_id = ?'),

    offsets: db.prepare<[string], OffsetRecord>(`SELECT ${OFFSET_COLUMNS} FROM group_offsets WHERE group_id = ? ORDER BY topic_id, partition`),
    putOffset: db.prepare<[string, number, number, number, number, string, number]>(
      `INSERT OR REPLACE INTO group_offsets (group_id, topic_id, partition, committed_offset, leader_epoch, metadata, commit_timestamp)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    deleteOffset: db.prepare<[string, number, number]>('DELETE FROM group_offsets WHERE group_id = ? AND topic_id = ? AND partition = ?'),
    configs: db.prepare<[string], { key: string; value: string }>('SELECT key, value FROM group_configs WHERE group_id = ? ORDER BY key'),
    putConfig: db.prepare<[string, string, string]>('INSERT OR REPLACE INTO group_configs (group_id, key, value) VALUES (?, ?, ?)'),
    deleteConfig: db.prepare<[string, string]>('DELETE FROM group_configs WHERE group_id = ? AND key = ?'),
    groupsWithConfigs: db.prepare<[], string>('SELECT DISTINCT group_id FROM group_configs ORDER BY group_id').pluck(),
    partitionExists: db
      .prepare<[number, number], number>('SELECT 1 FROM partitions WHERE topic_id = ? AND partition = ?')
      .pluck(),
  }
}

export type GroupStatements = ReturnType<typeof prepareGroupStatements>
