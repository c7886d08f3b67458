// GroupStore over the consumer-group tables of kafka-ts.db. Plain row reads and writes: the caller
// (the group coordinator) wraps each operation in LogStore.atomically, so every read-modify-write of a
// group happens under the database write lock and all processes see one group state.

import type { Database } from 'better-sqlite3'
import { PartitionNotFoundError } from '../log-store.js'
import type {
  CommittedOffsetRow,
  GroupMemberRow,
  GroupProtocolRow,
  GroupRow,
  GroupStore,
  PendingMemberRow,
  TopicPartition,
} from '../log-store.js'
import { prepareGroupStatements } from './group-statements.js'
import type { GroupRecord, GroupStatements, MemberRecord } from './group-statements.js'

export class SqliteGroupStore implements GroupStore {
  private readonly sql: GroupStatements

  constructor(db: Database) {
    this.sql = prepareGroupStatements(db)
  }

  group(groupId: string): GroupRow | undefined {
    const record = this.sql.group.get(groupId)
    return record === undefined ? undefined : toGroupRow(record)
  }

  allGroups(): GroupRow[] {
    return this.sql.allGroups.all().map(toGroupRow)
  }

  groupsDueBy(timeMs: number): string[] {
    return this.sql.groupsDueBy.all(timeMs)
  }

  putGroup(row: GroupRow): void {
    this.sql.putGroup.run(
      row.groupId,
      row.protocolType,
      row.protocolName,
      row.state,
      row.previousState,
      row.stateTimestampMs,
      row.generationId,
      row.leaderId,
      row.joinDeadlineMs,
      row.syncDeadlineMs,
      row.initialDelayMs,
      row.initialRemainingMs,
      row.newMemberAdded ? 1 : 0,
      row.nextDueMs,
    )
  }

  deleteGroup(groupId: string): void {
    this.sql.deleteGroup.run(groupId) // members, pending members and offsets cascade
  }

  members(groupId: string): GroupMemberRow[] {
    return this.sql.members.all(groupId).map(toMemberRow)
  }

  putMember(row: GroupMemberRow): void {
    this.sql.putMember.run(
      row.groupId,
      row.memberId,
      row.joinOrder,
      row.groupInstanceId,
      row.clientId,
      row.clientHost,
      row.sessionTimeoutMs,
      row.rebalanceTimeoutMs,
      encodeProtocols(row.protocols),
      row.assignment,
      row.isNew ? 1 : 0,
      row.awaitingJoin ? 1 : 0,
      row.joinResult,
      row.awaitingSync ? 1 : 0,
      row.syncError,
      row.pendingSync ? 1 : 0,
      row.heartbeatDeadlineMs,
      row.localPid,
    )
  }

  deleteMember(groupId: string, memberId: string): void {
    this.sql.deleteMember.run(groupId, memberId)
  }

  pendingMembers(groupId: string): PendingMemberRow[] {
    return this.sql.pendingMembers.all(groupId)
  }

  putPendingMember(row: PendingMemberRow): void {
    this.sql.putPendingMember.run(row.groupId, row.memberId, row.deadlineMs)
  }

  deletePendingMember(groupId: string, memberId: string): void {
    this.sql.deletePendingMember.run(groupId, memberId)
  }

  offsets(groupId: string): CommittedOffsetRow[] {
    return this.sql.offsets.all(groupId)
  }

  putOffset(row: CommittedOffsetRow): void {
    // Checked here rather than left to the foreign key so the caller gets the storage error it maps.
    if (this.sql.partitionExists.get(row.topicId, row.partition) === undefined) {
      throw new PartitionNotFoundError({ topicId: row.topicId, partition: row.partition })
    }
    this.sql.putOffset.run(row.groupId, row.topicId, row.partition, row.offset, row.leaderEpoch, row.metadata, row.commitTimestampMs)
  }

  deleteOffset(groupId: string, tp: TopicPartition): void {
    this.sql.deleteOffset.run(groupId, tp.topicId, tp.partition)
  }

  configs(groupId: string): Map<string, string> {
    return new Map(this.sql.configs.all(groupId).map((r) => [r.key, r.value]))
  }

  setConfigs(groupId: string, changes: ReadonlyMap<string, string | null>): void {
    for (const [key, value] of changes) {
      if (value === null) this.sql.deleteConfig.run(groupId, key)
      else this.sql.putConfig.run(groupId, key, value)
    }
  }

  groupsWithConfigs(): string[] {
    return this.sql.groupsWithConfigs.all()
  }
}

function toGroupRow(r: GroupRecord): GroupRow {
  return { ...r, newMemberAdded: r.newMemberAdded !== 0 }
}

function toMemberRow(r: MemberRecord): GroupMemberRow {
  return {
    ...r,
    protocols: decodeProtocols(r.protocols),
    isNew: r.isNew !== 0,
    awaitingJoin: r.awaitingJoin !== 0,
    awaitingSync: r.awaitingSync !== 0,
    pendingSync: r.pendingSync !== 0,
  }
}

// The protocol list as one BLOB: int32 count, then per protocol int32 name length, UTF-8 name, int32
// metadata length, metadata. Read and written only here.

export function encodeProtocols(protocols: readonly GroupProtocolRow[]): Buffer {
  const names = protocols.map((p) => Buffer.from(p.name, 'utf8'))
  let size = 4
  for (let i = 0; i < protocols.length; i++) size += 8 + names[i]!.length + protocols[i]!.metadata.length
  const out = Buffer.allocUnsafe(size)
  let at = out.writeInt32BE(protocols.length, 0)
  for (let i = 0; i < protocols.length; i++) {
    const name = names[i]!
    const metadata = protocols[i]!.metadata
    at = out.writeInt32BE(name.length, at)
    at += name.copy(out, at)
    at = out.writeInt32BE(metadata.length, at)
    at += metadata.copy(out, at)
  }
  return out
}

export function decodeProtocols(blob: Buffer): GroupProtocolRow[] {
  const count = blob.readInt32BE(0)
  const out: GroupProtocolRow[] = []
  let at = 4
  for (let i = 0; i < count; i++) {
    const nameLength = blob.readInt32BE(at)
    at += 4
    const name = blob.toString('utf8', at, at + nameLength)
    at += nameLength
    const metadataLength = blob.readInt32BE(at)
    at += 4
    out.push({ name, metadata: Buffer.from(blob.subarray(at, at + metadataLength)) })
    at += metadataLength
  }
  return out
}
