// Transactions, the partition side: which producers have an open transaction in a partition (and from which
// offset), and the aborted-transaction index (Kafka's .txnindex). Written in the same transaction as the
// append they describe (a transactional batch, a marker); the open rows give the last stable offset.

import type { Database } from 'better-sqlite3'
import type { AbortedTxn, OpenTxn, TopicPartition } from '../log-store.js'

function prepareTxnStatements(db: Database) {
  return {
    // OR IGNORE: only a producer's first batch of a transaction opens it; later ones leave first_offset.
    open: db.prepare<[number, number, number, number, number]>(
      'INSERT OR IGNORE INTO txn_open (topic_id, partition, producer_id, producer_epoch, first_offset) VALUES (?, ?, ?, ?, ?)',
    ),
    close: db
      .prepare<[number, number, number], number>('DELETE FROM txn_open WHERE topic_id = ? AND partition = ? AND producer_id = ? RETURNING first_offset')
      .pluck(),
    firstOpenOffset: db
      .prepare<[number, number], number | null>('SELECT MIN(first_offset) FROM txn_open WHERE topic_id = ? AND partition = ?')
      .pluck(),
    openOf: db.prepare<[number, number], OpenTxn>(
      `SELECT producer_id AS producerId, producer_epoch AS producerEpoch, first_offset AS firstOffset
       FROM txn_open WHERE topic_id = ? AND partition = ? ORDER BY first_offset, producer_id`,
    ),
    // A transaction is clamped, not dropped, when the log start passes its first offset: it is still open.
    clampOpen: db.prepare<[number, number, number, number]>(
      'UPDATE txn_open SET first_offset = ? WHERE topic_id = ? AND partition = ? AND first_offset < ?',
    ),
    addAborted: db.prepare<[number, number, number, number, number]>(
      'INSERT OR REPLACE INTO txn_aborted (topic_id, partition, last_offset, producer_id, first_offset) VALUES (?, ?, ?, ?, ?)',
    ),
    // Rows whose marker is at or after `from` and whose first offset lies before `to` (primary-key range scan).
    abortedIn: db.prepare<{ topicId: number; partition: number; from: number; to: number }, AbortedTxn>(
      `SELECT producer_id AS producerId, first_offset AS firstOffset, last_offset AS lastOffset
       FROM txn_aborted WHERE topic_id = $topicId AND partition = $partition AND last_offset >= $from AND first_offset < $to
       ORDER BY last_offset`,
    ),
    removeAborted: db.prepare<[number, number, number]>('DELETE FROM txn_aborted WHERE topic_id = ? AND partition = ? AND last_offset = ?'),
    dropAbortedBelow: db.prepare<[number, number, number]>('DELETE FROM txn_aborted WHERE topic_id = ? AND partition = ? AND last_offset < ?'),
  }
}

export class TxnTables {
  private readonly sql: ReturnType<typeof prepareTxnStatements>

  constructor(db: Database) {
    this.sql = prepareTxnStatements(db)
  }

  /** Opens the producer's transaction at `firstOffset` unless one is open already (inside the append's write transaction). */
  begin(tp: TopicPartition, producerId: number, producerEpoch: number, firstOffset: number): void {
    this.sql.open.run(tp.topicId, tp.partition, producerId, producerEpoch, firstOffset)
  }

  /**
   * Closes the producer's open transaction with a marker at `markerOffset`; an abort enters the aborted
   * index. Returns the first offset of the closed transaction, or undefined when none was open.
   */
  end(tp: TopicPartition, producerId: number, markerOffset: number, commit: boolean): number | undefined {
    const firstOffset = this.sql.close.get(tp.topicId, tp.partition, producerId)
    if (firstOffset !== undefined && !commit) this.sql.addAborted.run(tp.topicId, tp.partition, markerOffset, producerId, firstOffset)
    return firstOffset
  }

  /** First offset of the oldest open transaction, at or above `logStartOffset`; undefined when none is open. */
  firstOpenOffset(tp: TopicPartition, logStartOffset: number): number | undefined {
    const first = this.sql.firstOpenOffset.get(tp.topicId, tp.partition)
    return first === null || first === undefined ? undefined : Math.max(first, logStartOffset)
  }

  open(tp: TopicPartition): OpenTxn[] {
    return this.sql.openOf.all(tp.topicId, tp.partition)
  }

  aborted(tp: TopicPartition, fromOffset: number, upperBoundOffset: number): AbortedTxn[] {
    return this.sql.abortedIn.all({ topicId: tp.topicId, partition: tp.partition, from: fromOffset, to: upperBoundOffset })
  }

  removeAborted(tp: TopicPartition, lastOffset: number): void {
    this.sql.removeAborted.run(tp.topicId, tp.partition, lastOffset)
  }

  /** The log start moved to `offset`: no row may point below it (inside that write transaction). */
  logStartMoved(tp: TopicPartition, offset: number): void {
    this.sql.dropAbortedBelow.run(tp.topicId, tp.partition, offset)
    this.sql.clampOpen.run(offset, tp.topicId, tp.partition, offset)
  }
}
