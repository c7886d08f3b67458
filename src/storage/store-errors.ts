// The storage port's errors: what a store refuses (a Kafka-visible outcome the broker maps to an error
// code) and what its environment refused (StoreIoError: disk, file system, another process's lock).
// Imported through log-store.ts.

import type { TopicId, TopicPartition } from './log-store.js'

export class StorageError extends Error {
  override name = 'StorageError'
}

export class TopicExistsError extends StorageError {
  override name = 'TopicExistsError'
  constructor(readonly topicName: string) {
    super(`topic '${topicName}' already exists`)
  }
}

export class TopicNotFoundError extends StorageError {
  override name = 'TopicNotFoundError'
  constructor(readonly topicId: TopicId) {
    super(`topic id ${topicId} does not exist`)
  }
}

export class PartitionNotFoundError extends StorageError {
  override name = 'PartitionNotFoundError'
  constructor(readonly tp: TopicPartition) {
    super(`partition ${tp.partition} of topic id ${tp.topicId} does not exist`)
  }
}

export class OffsetGapError extends StorageError {
  override name = 'OffsetGapError'
  constructor(
    readonly tp: TopicPartition,
    readonly expected: number,
    readonly got: number,
  ) {
    super(`batch base offset ${got} does not follow the log end offset ${expected}`)
  }
}

/**
 * The directory is formatted (has meta.properties) but holds no usable kafka-ts store: kafka-ts.db is
 * missing, is not SQLite, is another program's SQLite file, or belongs to another cluster.
 */
export class NotAStoreError extends StorageError {
  override name = 'NotAStoreError'
}

/**
 * SQLite found the database file damaged (SQLITE_CORRUPT, SQLITE_NOTADB: "database disk image is
 * malformed") while reading it. `tp` and `offset` say where, when the damage was met reading a
 * partition's log: `offset` is the first offset that could not be read (reads return the batches before
 * it first). `kafka-ts storage check` reports every damaged place.
 */
export class StoreDamagedError extends StorageError {
  override name = 'StoreDamagedError'
  constructor(
    /** The database file. */
    readonly file: string,
    /** SQLite's words, e.g. "database disk image is malformed". */
    readonly detail: string,
    readonly tp?: TopicPartition,
    readonly offset?: number,
    options?: { cause?: unknown },
  ) {
    const where = tp === undefined ? '' : ` in the log of topic id ${tp.topicId} partition ${tp.partition}${offset === undefined ? '' : ` at offset ${offset}`}`
    super(`${file} is damaged${where}: ${detail}`, options)
  }
}

/** The store was written by a newer kafka-ts (format version above what this build knows). */
export class NewerFormatError extends StorageError {
  override name = 'NewerFormatError'
}

/** The directory has no meta.properties (missing, empty, or not a kafka-ts/Kafka data directory). */
export class NotFormattedError extends StorageError {
  override name = 'NotFormattedError'
}

/** Format was asked for a directory that already has meta.properties. */
export class AlreadyFormattedError extends StorageError {
  override name = 'AlreadyFormattedError'
}

/**
 * The store's environment refused an operation (the disk, the file system, another process's lock);
 * the stored data is not at fault. `path` names the data directory or file concerned. A write that
 * failed this way was rolled back whole: what was committed before it stays readable.
 */
export class StoreIoError extends StorageError {
  override name = 'StoreIoError'
  constructor(
    message: string,
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/** The file system holding the store has no space left (SQLITE_FULL, ENOSPC). */
export class StoreFullError extends StoreIoError {
  override name = 'StoreFullError'
}

/** Another connection held the database lock for longer than the busy timeout (SQLITE_BUSY, SQLITE_LOCKED). */
export class StoreBusyError extends StoreIoError {
  override name = 'StoreBusyError'
  constructor(
    message: string,
    path: string,
    readonly waitedMs: number,
    options?: { cause?: unknown },
  ) {
    super(message, path, options)
  }
}

/** Why a path could not be used. */
export type StoreAccessProblem = 'missing' | 'not-a-directory' | 'permission' | 'read-only' | 'cannot-open' | 'io'

/** A path of the store cannot be read or written: missing, not a directory, no permission, a read-only file system, an I/O error. */
export class StoreAccessError extends StoreIoError {
  override name = 'StoreAccessError'
  constructor(
    message: string,
    path: string,
    readonly problem: StoreAccessProblem,
    options?: { cause?: unknown },
  ) {
    super(message, path, options)
  }
}
