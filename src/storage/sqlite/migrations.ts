// Schema of kafka-ts.db as ordered migration steps. PRAGMA user_version holds the number of steps
// applied; a store whose user_version is above SCHEMA_VERSION was written by a newer kafka-ts and is
// refused. Kept as TypeScript strings so the compiled output needs no .sql assets.
// Steps are append-only: never edit one that has shipped, add the next one.

import type { Database } from 'better-sqlite3'
import { dropPartitionTable } from './partition-tables.js'

/** Marks the SQLite file as a kafka-ts store (bytes 68..71 of the header): 'KTSL'. */
export const APPLICATION_ID = 0x4b54534c

interface Migration {
  readonly description: string
  readonly sql: string
  /** Schema changes SQL text cannot list (one per partition table), run after `sql` in the same transaction. */
  readonly run?: (db: Database) => void
}

const MIGRATIONS: readonly Migration[] = [
  {
    description: 'meta, topics, topic configs, partitions, producer id counter',
    sql: `
      PRAGMA application_id = ${APPLICATION_ID};

      -- cluster.id, node.id, format.version: written once by format.
      CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) WITHOUT ROWID;

      -- AUTOINCREMENT: a deleted topic's id is never handed out again, because another process may
      -- still hold it (and its log_<id>_<p> table names) in a cache.
      CREATE TABLE topics (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        name            TEXT NOT NULL UNIQUE,
        uuid            BLOB NOT NULL UNIQUE CHECK (length(uuid) = 16),
        partition_count INTEGER NOT NULL CHECK (partition_count >= 0),
        created_at      INTEGER NOT NULL
      );

      CREATE TABLE topic_configs (
        topic_id INTEGER NOT NULL REFERENCES topics (id) ON DELETE CASCADE,
        key      TEXT NOT NULL,
        value    TEXT NOT NULL,
        PRIMARY KEY (topic_id, key)
      ) WITHOUT ROWID;

      -- max_timestamp: the largest batch timestamp ever appended (-1 = none), carried so each log row
      -- can store a running maximum that makes timestamp lookups an index seek.
      CREATE TABLE partitions (
        topic_id         INTEGER NOT NULL REFERENCES topics (id) ON DELETE CASCADE,
        partition        INTEGER NOT NULL CHECK (partition >= 0),
        log_start_offset INTEGER NOT NULL DEFAULT 0,
        high_watermark   INTEGER NOT NULL DEFAULT 0,
        max_timestamp    INTEGER NOT NULL DEFAULT -1,
        PRIMARY KEY (topic_id, partition),
        CHECK (log_start_offset <= high_watermark)
      ) WITHOUT ROWID;

      -- One row: the next producer id to hand out (InitProducerId). Kafka's first id is 0.
      CREATE TABLE producer_ids (
        id      INTEGER PRIMARY KEY CHECK (id = 0),
        next_id INTEGER NOT NULL
      );
      INSERT INTO producer_ids (id, next_id) VALUES (0, 0);
    `,
  },
  {
    description: 'consumer groups: coordinator state, members, pending member ids, committed offsets',
    sql: `
      -- One row per group the coordinator knows, including groups that only hold committed offsets.
      -- next_due_ms: the earliest time a timer (session, rebalance, retention) needs evaluating.
      CREATE TABLE groups (
        group_id             TEXT PRIMARY KEY,
        protocol_type        TEXT,
        protocol_name        TEXT,
        state                TEXT NOT NULL,
        previous_state       TEXT NOT NULL,
        state_timestamp      INTEGER NOT NULL,
        generation_id        INTEGER NOT NULL,
        leader_id            TEXT,
        join_deadline        INTEGER,
        sync_deadline        INTEGER,
        initial_delay        INTEGER NOT NULL,
        initial_remaining    INTEGER NOT NULL,
        new_member_added     INTEGER NOT NULL,
        next_due_ms          INTEGER
      ) WITHOUT ROWID;
      CREATE INDEX groups_by_next_due ON groups (next_due_ms) WHERE next_due_ms IS NOT NULL;

      -- protocols: the member's (name, metadata) list in preference order, encoded by the adapter.
      CREATE TABLE group_members (
        group_id             TEXT NOT NULL REFERENCES groups (group_id) ON DELETE CASCADE,
        member_id            TEXT NOT NULL,
        join_order           INTEGER NOT NULL,
        group_instance_id    TEXT,
        client_id            TEXT NOT NULL,
        client_host          TEXT NOT NULL,
        session_timeout_ms   INTEGER NOT NULL,
        rebalance_timeout_ms INTEGER NOT NULL,
        protocols            BLOB NOT NULL,
        assignment           BLOB NOT NULL,
        is_new               INTEGER NOT NULL,
        awaiting_join        INTEGER NOT NULL,
        join_result          BLOB,
        awaiting_sync        INTEGER NOT NULL,
        sync_error           INTEGER,
        pending_sync         INTEGER NOT NULL,
        heartbeat_deadline   INTEGER,
        PRIMARY KEY (group_id, member_id)
      ) WITHOUT ROWID;

      CREATE TABLE group_pending_members (
        group_id  TEXT NOT NULL REFERENCES groups (group_id) ON DELETE CASCADE,
        member_id TEXT NOT NULL,
        deadline  INTEGER NOT NULL,
        PRIMARY KEY (group_id, member_id)
      ) WITHOUT ROWID;

      -- Keyed by topic id, so deleting a topic (its partitions rows) removes its committed offsets.
      CREATE TABLE group_offsets (
        group_id         TEXT NOT NULL REFERENCES groups (group_id) ON DELETE CASCADE,
        topic_id         INTEGER NOT NULL,
        partition        INTEGER NOT NULL,
        committed_offset INTEGER NOT NULL,
        leader_epoch     INTEGER NOT NULL,
        metadata         TEXT NOT NULL,
        commit_timestamp INTEGER NOT NULL,
        PRIMARY KEY (group_id, topic_id, partition),
        FOREIGN KEY (topic_id, partition) REFERENCES partitions (topic_id, partition) ON DELETE CASCADE
      ) WITHOUT ROWID;
      -- Lets the cascade from a deleted partition find its offsets without a scan.
      CREATE INDEX group_offsets_by_partition ON group_offsets (topic_id, partition);
    `,
  },
  {
    description: 'group members: process id of the embedded kafka-ts process that owns the member',
    sql: `
      -- Embedded members run on this machine: the coordinator expires a member whose process is gone
      -- at once instead of after session.timeout.ms. NULL for members that came over the wire.
      ALTER TABLE group_members ADD COLUMN local_pid INTEGER;
    `,
  },
  {
    description: 'dynamic broker configs (kafka-configs --entity-type brokers)',
    sql: `
      -- entity: '' for the cluster-wide default (--entity-default), else the broker id in decimal, as
      -- Kafka names BROKER config resources. Values are kept as given; the broker validates them.
      CREATE TABLE broker_configs (
        entity TEXT NOT NULL,
        key    TEXT NOT NULL,
        value  TEXT NOT NULL,
        PRIMARY KEY (entity, key)
      ) WITHOUT ROWID;
    `,
  },
  {
    description: 'retention and compaction: stored bytes and cleaner checkpoint per partition, shared cleaner schedule',
    sql: `
      -- stored_bytes: total size of the partition's stored batches, kept up to date by every append,
      -- delete and rewrite so retention.bytes needs no scan of the log. -1 = not known yet (a partition
      -- created before this step); the store computes it once, on first use.
      ALTER TABLE partitions ADD COLUMN stored_bytes INTEGER NOT NULL DEFAULT -1;
      -- The log cleaner's checkpoint (Kafka's cleaner-offset-checkpoint): offsets below it are compacted.
      ALTER TABLE partitions ADD COLUMN cleaner_checkpoint INTEGER NOT NULL DEFAULT 0;
      -- Oldest max timestamp of a batch that still holds a tombstone below the checkpoint (NULL = none):
      -- lets the cleaner come back for expired tombstones when nothing new is dirty.
      ALTER TABLE partitions ADD COLUMN oldest_tombstone_ms INTEGER;

      -- One row: when the next retention/compaction pass is due (ms since the epoch), shared by every
      -- process on the data directory so short-lived embedded writers take turns instead of each
      -- running a pass. NULL until a writer first looks, which starts the first interval.
      CREATE TABLE cleaner_schedule (
        id          INTEGER PRIMARY KEY CHECK (id = 0),
        next_run_ms INTEGER
      );
      INSERT INTO cleaner_schedule (id, next_run_ms) VALUES (0, NULL);
    `,
  },
  {
    description: 'SCRAM credentials (storage format --add-scram), salted as Kafka stores them',
    sql: `
      -- Kafka's UserScramCredentialRecord: never the password, only what a SCRAM server needs
      -- (RFC 5802 §3). mechanism is the SASL name, SCRAM-SHA-256 or SCRAM-SHA-512.
      CREATE TABLE IF NOT EXISTS scram_credentials (
        mechanism  TEXT NOT NULL,
        name       TEXT NOT NULL,
        salt       BLOB NOT NULL,
        iterations INTEGER NOT NULL CHECK (iterations > 0),
        stored_key BLOB NOT NULL,
        server_key BLOB NOT NULL,
        PRIMARY KEY (mechanism, name)
      ) WITHOUT ROWID;
    `,
  },
  {
    description: 'data upgrades the broker owes the store (record-level rewrites storage cannot do itself)',
    sql: `
      -- One row per pending upgrade; the broker performs it on open, before anything else touches the logs,
      -- and deletes the row in the same transaction. Names are the broker's (LogStore.pendingDataUpgrades).
      CREATE TABLE IF NOT EXISTS data_upgrades (
        name TEXT PRIMARY KEY
      ) WITHOUT ROWID;
      -- Stores from before the broker recomputed each batch's max timestamp from its records hold the
      -- producers' claims (-1, 0, far future), which retention and the time index trusted.
      INSERT OR IGNORE INTO data_upgrades (name) VALUES ('recompute-max-timestamps');
    `,
  },
  {
    description: 'partition tables created at first append; no time index per partition',
    sql: '',
    // Every schema object costs at least a page and is parsed at each open: a store with 10 000 empty
    // partitions was 1.3 GB. Tables of partitions never written to go (their first append recreates
    // them), and so does every partition's running-max index (lookups by time binary-search the table).
    run: (db) => {
      const indexes = db
        .prepare<[], string>("SELECT name FROM sqlite_schema WHERE type = 'index' AND name GLOB 'log_[0-9]*_[0-9]*_by_time'")
        .pluck()
        .all()
      for (const name of indexes) db.exec(`DROP INDEX IF EXISTS "${name}"`)
      const empty = db.prepare<[], { topicId: number; partition: number }>('SELECT topic_id AS topicId, partition FROM partitions WHERE high_watermark = 0').all()
      for (const { topicId, partition } of empty) dropPartitionTable(db, topicId, partition)
    },
  },
  {
    description: 'partition rows folded now and then: a partition ends where its log table ends',
    // Nothing to convert (every row is exact, so folded, today); the step marks the new meaning: appends
    // no longer update partitions.high_watermark, max_timestamp and stored_bytes, which now describe the
    // log up to high_watermark, and the log table's last batch says where it ends. A kafka-ts from before
    // this step would take that stale high watermark for the end and append over the batches after it:
    // the version it refuses to open (NewerFormatError) keeps it away.
    sql: '',
  },
  {
    description: 'dynamic group configs (kafka-configs --entity-type groups)',
    sql: `
      -- Kafka 4's group configs (consumer.session.timeout.ms, share.*, streams.*): overrides of the broker's
      -- group.* defaults for one group id, set whether or not the group exists.
      CREATE TABLE IF NOT EXISTS group_configs (
        group_id TEXT NOT NULL,
        key      TEXT NOT NULL,
        value    TEXT NOT NULL,
        PRIMARY KEY (group_id, key)
      ) WITHOUT ROWID;
    `,
  },
  {
    description: 'transactions, the partition side: open transactions and the aborted-transaction index',
    sql: `
      -- One row per producer with an open transaction in a partition: first_offset is the offset of its
      -- first transactional batch there. The partition's last stable offset is the smallest first_offset
      -- (else the high watermark). A COMMIT or ABORT marker deletes the row.
      CREATE TABLE IF NOT EXISTS txn_open (
        topic_id       INTEGER NOT NULL,
        partition      INTEGER NOT NULL,
        producer_id    INTEGER NOT NULL,
        producer_epoch INTEGER NOT NULL,
        first_offset   INTEGER NOT NULL,
        PRIMARY KEY (topic_id, partition, producer_id),
        FOREIGN KEY (topic_id, partition) REFERENCES partitions (topic_id, partition) ON DELETE CASCADE
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS txn_open_by_first_offset ON txn_open (topic_id, partition, first_offset);

      -- Kafka's .txnindex: one row per aborted transaction, from its first offset to its ABORT marker
      -- (last_offset, unique in the partition). read_committed fetches list the rows their range overlaps.
      CREATE TABLE IF NOT EXISTS txn_aborted (
        topic_id     INTEGER NOT NULL,
        partition    INTEGER NOT NULL,
        last_offset  INTEGER NOT NULL,
        producer_id  INTEGER NOT NULL,
        first_offset INTEGER NOT NULL,
        PRIMARY KEY (topic_id, partition, last_offset),
        FOREIGN KEY (topic_id, partition) REFERENCES partitions (topic_id, partition) ON DELETE CASCADE
      ) WITHOUT ROWID;
    `,
  },
  {
    description: 'transaction coordinator: transactional ids, their partitions and groups, pending transactional offsets',
    sql: `
      -- Kafka's TransactionMetadata per transactional id (what __transaction_state holds). State names are
      -- Kafka's (Empty, Ongoing, PrepareCommit, …); epochs -1 = none; timestamps ms since the epoch, -1 = none.
      CREATE TABLE IF NOT EXISTS txn_ids (
        transactional_id     TEXT PRIMARY KEY,
        producer_id          INTEGER NOT NULL,
        previous_producer_id INTEGER NOT NULL,
        producer_epoch       INTEGER NOT NULL,
        last_producer_epoch  INTEGER NOT NULL,
        state                TEXT NOT NULL,
        timeout_ms           INTEGER NOT NULL,
        start_ms             INTEGER NOT NULL,
        last_update_ms       INTEGER NOT NULL,
        txn_version          INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS txn_ids_by_producer ON txn_ids (producer_id);

      -- The partitions of each id's open transaction (AddPartitionsToTxn, or Produce v12+ under TV2).
      CREATE TABLE IF NOT EXISTS txn_partitions (
        transactional_id TEXT NOT NULL REFERENCES txn_ids (transactional_id) ON DELETE CASCADE,
        topic_id         INTEGER NOT NULL REFERENCES topics (id) ON DELETE CASCADE,
        partition        INTEGER NOT NULL,
        PRIMARY KEY (transactional_id, topic_id, partition)
      ) WITHOUT ROWID;

      -- The consumer groups of each id's open transaction (AddOffsetsToTxn; Kafka adds the group's
      -- __consumer_offsets partition).
      CREATE TABLE IF NOT EXISTS txn_groups (
        transactional_id TEXT NOT NULL REFERENCES txn_ids (transactional_id) ON DELETE CASCADE,
        group_id         TEXT NOT NULL,
        PRIMARY KEY (transactional_id, group_id)
      ) WITHOUT ROWID;

      -- TxnOffsetCommit: offsets that become the group's committed offsets when the transaction commits and
      -- vanish when it aborts.
      CREATE TABLE IF NOT EXISTS txn_pending_offsets (
        transactional_id TEXT NOT NULL REFERENCES txn_ids (transactional_id) ON DELETE CASCADE,
        group_id         TEXT NOT NULL,
        topic_id         INTEGER NOT NULL REFERENCES topics (id) ON DELETE CASCADE,
        partition        INTEGER NOT NULL,
        committed_offset INTEGER NOT NULL,
        leader_epoch     INTEGER NOT NULL,
        metadata         TEXT NOT NULL,
        commit_timestamp INTEGER NOT NULL,
        PRIMARY KEY (transactional_id, group_id, topic_id, partition)
      ) WITHOUT ROWID;
    `,
  },
]

/** The user_version a fully migrated store has. */
export const SCHEMA_VERSION = MIGRATIONS.length

export function readUserVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number
}

/**
 * Applies the pending steps in one IMMEDIATE transaction, re-reading user_version inside it so two
 * processes opening an old store at once migrate it exactly once. Returns the number of steps applied.
 */
export function migrate(db: Database): number {
  return db
    .transaction(() => {
      const from = readUserVersion(db)
      for (let version = from; version < SCHEMA_VERSION; version++) {
        const step = MIGRATIONS[version]
        if (step === undefined) break
        db.exec(step.sql)
        step.run?.(db)
      }
      if (from < SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`)
      return Math.max(0, SCHEMA_VERSION - from)
    })
    .immediate()
}
