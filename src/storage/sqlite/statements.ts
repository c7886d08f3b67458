// Every statement on the fixed tables, prepared once per connection. Result types name the row
// shape each query returns (column aliases match the field names), so rows are typed at this boundary.

import type { Database } from 'better-sqlite3'

export interface TopicRecord {
  readonly id: number
  readonly name: string
  readonly uuid: Buffer
  readonly partitionCount: number
  readonly createdAtMs: number
}

export interface ConfigRecord {
  readonly topicId: number
  readonly key: string
  readonly value: string
}

export interface BrokerConfigRecord {
  readonly entity: string
  readonly key: string
  readonly value: string
}

/**
 * A `partitions` row. Appends do not update it (that would write its page to the WAL at every commit
 * beside the log table's): its end is folded in now and then, so high_watermark, max_timestamp and
 * stored_bytes describe the log up to `foldedEnd`, and the partition's log table says the rest (see
 * PartitionRows.state in partition-rows.ts).
 */
export interface PartitionRecord {
  readonly logStartOffset: number
  /** The high watermark when the row was last folded: every batch below it is accounted for in the row. */
  readonly foldedEnd: number
  /** Largest batch max timestamp appended below foldedEnd, -1 if none. */
  readonly foldedMaxTimestamp: number
  /** Total bytes of the stored batches below foldedEnd; -1 until first computed (partitions older than the column). */
  readonly foldedBytes: number
  readonly cleanerCheckpoint: number
  readonly oldestTombstoneMs: number | null
}

/** PRAGMA auto_vacuum's value for INCREMENTAL. */
export const AUTO_VACUUM_INCREMENTAL = 2

/** Free pages handed back to the file system per incremental_vacuum step (with 64 KiB pages: 16 MiB). */
export const VACUUM_STEP_PAGES = 256

const TOPIC_COLUMNS = 'id, name, uuid, partition_count AS partitionCount, created_at AS createdAtMs'

export function prepareStoreStatements(db: Database) {
  return {
    topicByName: db.prepare<[string], TopicRecord>(`SELECT ${TOPIC_COLUMNS} FROM topics WHERE name = ?`),
    topicById: db.prepare<[number], TopicRecord>(`SELECT ${TOPIC_COLUMNS} FROM topics WHERE id = ?`),
    allTopics: db.prepare<[], TopicRecord>(`SELECT ${TOPIC_COLUMNS} FROM topics ORDER BY name`),
    insertTopic: db
      .prepare<[string, Buffer, number, number], number>(
        'INSERT INTO topics (name, uuid, partition_count, created_at) VALUES (?, ?, ?, ?) RETURNING id',
      )
      .pluck(),
    setPartitionCount: db.prepare<[number, number]>('UPDATE topics SET partition_count = ? WHERE id = ?'),
    deleteTopic: db.prepare<[number]>('DELETE FROM topics WHERE id = ?'),

    configsOfTopic: db.prepare<[number], ConfigRecord>(
      'SELECT topic_id AS topicId, key, value FROM topic_configs WHERE topic_id = ? ORDER BY key',
    ),
    allConfigs: db.prepare<[], ConfigRecord>(
      'SELECT topic_id AS topicId, key, value FROM topic_configs ORDER BY topic_id, key',
    ),
    upsertConfig: db.prepare<[number, string, string]>(
      `INSERT INTO topic_configs (topic_id, key, value) VALUES (?, ?, ?)
       ON CONFLICT (topic_id, key) DO UPDATE SET value = excluded.value`,
    ),
    deleteConfig: db.prepare<[number, string]>('DELETE FROM topic_configs WHERE topic_id = ? AND key = ?'),

    allBrokerConfigs: db.prepare<[], BrokerConfigRecord>('SELECT entity, key, value FROM broker_configs ORDER BY entity, key'),
    upsertBrokerConfig: db.prepare<[string, string, string]>(
      `INSERT INTO broker_configs (entity, key, value) VALUES (?, ?, ?)
       ON CONFLICT (entity, key) DO UPDATE SET value = excluded.value`,
    ),
    deleteBrokerConfig: db.prepare<[string, string]>('DELETE FROM broker_configs WHERE entity = ? AND key = ?'),

    insertPartition: db.prepare<[number, number]>('INSERT INTO partitions (topic_id, partition, stored_bytes) VALUES (?, ?, 0)'),
    partitionNumbersOfTopic: db
      .prepare<[number], number>('SELECT partition FROM partitions WHERE topic_id = ? ORDER BY partition')
      .pluck(),
    partition: db.prepare<[number, number], PartitionRecord>(
      `SELECT log_start_offset AS logStartOffset, high_watermark AS foldedEnd, max_timestamp AS foldedMaxTimestamp,
              stored_bytes AS foldedBytes, cleaner_checkpoint AS cleanerCheckpoint, oldest_tombstone_ms AS oldestTombstoneMs
       FROM partitions WHERE topic_id = ? AND partition = ?`,
    ),
    // Folds the appends since the last fold into the row: the new end, the running max timestamp and
    // the bytes added. stored_bytes stays -1 (unknown) until computed; adding to it would make a wrong
    // number look known.
    foldPartition: db.prepare<[number, number, number, number, number]>(
      `UPDATE partitions SET high_watermark = ?, max_timestamp = ?,
              stored_bytes = CASE WHEN stored_bytes < 0 THEN -1 ELSE stored_bytes + ? END
       WHERE topic_id = ? AND partition = ?`,
    ),
    addStoredBytes: db.prepare<[number, number, number]>(
      `UPDATE partitions SET stored_bytes = CASE WHEN stored_bytes < 0 THEN -1 ELSE stored_bytes + ? END
       WHERE topic_id = ? AND partition = ?`,
    ),
    setStoredBytes: db.prepare<[number, number, number]>('UPDATE partitions SET stored_bytes = ? WHERE topic_id = ? AND partition = ?'),
    setCleanerCheckpoint: db.prepare<[number, number | null, number, number]>(
      'UPDATE partitions SET cleaner_checkpoint = ?, oldest_tombstone_ms = ? WHERE topic_id = ? AND partition = ?',
    ),
    setLogStartOffset: db.prepare<[number, number, number]>(
      'UPDATE partitions SET log_start_offset = ? WHERE topic_id = ? AND partition = ?',
    ),

    pendingDataUpgrades: db.prepare<[], string>('SELECT name FROM data_upgrades ORDER BY name').pluck(),
    completeDataUpgrade: db.prepare<[string]>('DELETE FROM data_upgrades WHERE name = ?'),
    setPartitionMaxTimestamp: db.prepare<[number, number, number]>('UPDATE partitions SET max_timestamp = ? WHERE topic_id = ? AND partition = ?'),

    cleanerNextRun: db.prepare<[], number | null>('SELECT next_run_ms FROM cleaner_schedule WHERE id = 0').pluck(),
    setCleanerNextRun: db.prepare<[number]>('UPDATE cleaner_schedule SET next_run_ms = ? WHERE id = 0'),

    nextProducerId: db
      .prepare<[], number>('UPDATE producer_ids SET next_id = next_id + 1 WHERE id = 0 RETURNING next_id - 1')
      .pluck(),

    // Changes when another connection commits; our own commits leave it alone.
    dataVersion: db.prepare<[], number>('PRAGMA data_version').pluck(),
    synchronousFull: db.prepare('PRAGMA synchronous = FULL'),
    synchronousNormal: db.prepare('PRAGMA synchronous = NORMAL'),
    // Pragmas take no bound parameters: the step size is fixed in the text (see reclaimSpace).
    incrementalVacuum: db.prepare(`PRAGMA incremental_vacuum(${VACUUM_STEP_PAGES})`),
    freelistCount: db.prepare<[], number>('PRAGMA freelist_count').pluck(),
    pageSize: db.prepare<[], number>('PRAGMA page_size').pluck(),
    autoVacuum: db.prepare<[], number>('PRAGMA auto_vacuum').pluck(),
  }
}

export type StoreStatements = ReturnType<typeof prepareStoreStatements>
