// Schema of kafka-ts.db as ordered migration steps. PRAGMA user_version holds the number of steps
// applied; a store whose user_version is above SCHEMA_VERSION was written by a newer kafka-ts and is
// refused. Kept as TypeScript strings so the compiled output needs no .sql assets.
// Steps are append-only: never edit one that has shipped, add the next one.

import type { Database } from 'better-sqlite3'

/** Marks the SQLite file as a kafka-ts store (bytes 68..71 of the header): 'KTSL'. */
export const APPLICATION_ID = 0x4b54534c

interface Migration {
  readonly description: string
  readonly sql: string
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
      }
      if (from < SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`)
      return Math.max(0, SCHEMA_VERSION - from)
    })
    .immediate()
}
