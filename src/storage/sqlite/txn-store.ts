// TransactionStore over the transaction coordinator's tables of kafka-ts.db (txn_ids, txn_partitions,
// txn_groups, txn_pending_offsets). Plain row reads and writes: the coordinator wraps each operation in
// LogStore.atomically, so every transition is one write transaction shared by all processes.

import type { Database } from 'better-sqlite3'
import { PartitionNotFoundError } from '../log-store.js'
import type { PendingTxnOffsetRow, TopicPartition, TransactionRow, TransactionStore } from '../log-store.js'

const ID_COLUMNS = `transactional_id AS transactionalId, producer_id AS producerId, previous_producer_id AS previousProducerId,
  producer_epoch AS producerEpoch, last_producer_epoch AS lastProducerEpoch, state, timeout_ms AS timeoutMs,
  start_ms AS startTimestampMs, last_update_ms AS lastUpdateTimestampMs, txn_version AS transactionVersion`

const OFFSET_COLUMNS = `transactional_id AS transactionalId, group_id AS groupId, topic_id AS topicId, partition,
  committed_offset AS "offset", leader_epoch AS leaderEpoch, metadata, commit_timestamp AS commitTimestampMs`

type IdParams = [string, number, number, number, number, string, number, number, number, number]
type OffsetParams = [string, string, number, number, number, number, string, number]

function prepareTxnStatements(db: Database) {
  return {
    get: db.prepare<[string], TransactionRow>(`SELECT ${ID_COLUMNS} FROM txn_ids WHERE transactional_id = ?`),
    all: db.prepare<[], TransactionRow>(`SELECT ${ID_COLUMNS} FROM txn_ids ORDER BY transactional_id`),
    put: db.prepare<IdParams>(
      `INSERT INTO txn_ids (transactional_id, producer_id, previous_producer_id, producer_epoch, last_producer_epoch, state,
         timeout_ms, start_ms, last_update_ms, txn_version)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (transactional_id) DO UPDATE SET producer_id = excluded.producer_id,
         previous_producer_id = excluded.previous_producer_id, producer_epoch = excluded.producer_epoch,
         last_producer_epoch = excluded.last_producer_epoch, state = excluded.state, timeout_ms = excluded.timeout_ms,
         start_ms = excluded.start_ms, last_update_ms = excluded.last_update_ms, txn_version = excluded.txn_version`,
    ),
    delete: db.prepare<[string]>('DELETE FROM txn_ids WHERE transactional_id = ?'),
    partitions: db.prepare<[string], TopicPartition>(
      'SELECT topic_id AS topicId, partition FROM txn_partitions WHERE transactional_id = ? ORDER BY topic_id, partition',
    ),
    addPartition: db.prepare<[string, number, number]>('INSERT OR IGNORE INTO txn_partitions (transactional_id, topic_id, partition) VALUES (?, ?, ?)'),
    clearPartitions: db.prepare<[string]>('DELETE FROM txn_partitions WHERE transactional_id = ?'),
    groups: db.prepare<[string], string>('SELECT group_id FROM txn_groups WHERE transactional_id = ? ORDER BY group_id').pluck(),
    addGroup: db.prepare<[string, string]>('INSERT OR IGNORE INTO txn_groups (transactional_id, group_id) VALUES (?, ?)'),
    clearGroups: db.prepare<[string]>('DELETE FROM txn_groups WHERE transactional_id = ?'),
    pendingOffsets: db.prepare<[string], PendingTxnOffsetRow>(
      `SELECT ${OFFSET_COLUMNS} FROM txn_pending_offsets WHERE transactional_id = ? ORDER BY group_id, topic_id, partition`,
    ),
    putPendingOffset: db.prepare<OffsetParams>(
      `INSERT OR REPLACE INTO txn_pending_offsets (transactional_id, group_id, topic_id, partition, committed_offset, leader_epoch,
         metadata, commit_timestamp) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    clearPendingOffsets: db.prepare<[string]>('DELETE FROM txn_pending_offsets WHERE transactional_id = ?'),
    partitionExists: db.prepare<[number, number], 1>('SELECT 1 FROM partitions WHERE topic_id = ? AND partition = ?').pluck(),
  }
}

export class SqliteTransactionStore implements TransactionStore {
  private readonly sql: ReturnType<typeof prepareTxnStatements>

  constructor(db: Database) {
    this.sql = prepareTxnStatements(db)
  }

  get(transactionalId: string): TransactionRow | undefined {
    return this.sql.get.get(transactionalId)
  }

  all(): TransactionRow[] {
    return this.sql.all.all()
  }

  put(row: TransactionRow): void {
    this.sql.put.run(
      row.transactionalId,
      row.producerId,
      row.previousProducerId,
      row.producerEpoch,
      row.lastProducerEpoch,
      row.state,
      row.timeoutMs,
      row.startTimestampMs,
      row.lastUpdateTimestampMs,
      row.transactionVersion,
    )
  }

  delete(transactionalId: string): void {
    this.sql.delete.run(transactionalId) // partitions, groups and pending offsets cascade
  }

  partitions(transactionalId: string): TopicPartition[] {
    return this.sql.partitions.all(transactionalId)
  }

  addPartition(transactionalId: string, tp: TopicPartition): void {
    this.sql.addPartition.run(transactionalId, tp.topicId, tp.partition)
  }

  groups(transactionalId: string): string[] {
    return this.sql.groups.all(transactionalId)
  }

  addGroup(transactionalId: string, groupId: string): void {
    this.sql.addGroup.run(transactionalId, groupId)
  }

  clearMembers(transactionalId: string): void {
    this.sql.clearPartitions.run(transactionalId)
    this.sql.clearGroups.run(transactionalId)
  }

  pendingOffsets(transactionalId: string): PendingTxnOffsetRow[] {
    return this.sql.pendingOffsets.all(transactionalId)
  }

  putPendingOffset(row: PendingTxnOffsetRow): void {
    // Checked here rather than left to the foreign key so the caller gets the storage error it maps.
    if (this.sql.partitionExists.get(row.topicId, row.partition) === undefined) {
      throw new PartitionNotFoundError({ topicId: row.topicId, partition: row.partition })
    }
    this.sql.putPendingOffset.run(
      row.transactionalId,
      row.groupId,
      row.topicId,
      row.partition,
      row.offset,
      row.leaderEpoch,
      row.metadata,
      row.commitTimestampMs,
    )
  }

  clearPendingOffsets(transactionalId: string): void {
    this.sql.clearPendingOffsets.run(transactionalId)
  }
}
