import { NotAStoreError, StoreAccessError, StoreBusyError, StoreFullError, type StoreIoError } from '../broker/store-failure.js'
import { UserError } from './errors.js'

// How the CLI words a failure of the local store (typed by the storage layer, which knows the path but
// not the user): one line saying what and where, and a hint saying what to do.

/** The user-facing line and hint for a store failure. */
export function describeStorageFailure(err: StoreIoError | NotAStoreError): { message: string; hint: string } {
  if (err instanceof StoreFullError) {
    return {
      message: `Disk full: no space left on the file system holding ${err.path}.`,
      hint: 'nothing already stored was lost; free space there or use another data directory, then run again',
    }
  }
  if (err instanceof StoreBusyError) {
    return {
      message: `${err.path} is locked by another process${err.waitedMs > 0 ? ` (gave up after ${err.waitedMs / 1000} s)` : ''}.`,
      hint: 'another program holds a long write lock on it, such as an sqlite3 shell, a backup or a VACUUM; end it and run again',
    }
  }
  if (err instanceof StoreAccessError) return describeAccess(err)
  if (err instanceof NotAStoreError) {
    return { message: `${capitalised(err.message)}.`, hint: 'nothing was changed; check the data directory, or format a new one with `kafka-ts storage format`' }
  }
  return { message: `${capitalised(err.message)}.`, hint: 'check the disk and the data directory' }
}

function describeAccess(err: StoreAccessError): { message: string; hint: string } {
  const path = err.path
  switch (err.problem) {
    case 'missing':
      return { message: `${path} does not exist.`, hint: 'check the data directory: --data-dir, KAFKA_TS_DATA_DIR or log.dirs' }
    case 'not-a-directory':
      return { message: `${path} is not a directory (or lies under a file).`, hint: 'point --data-dir, KAFKA_TS_DATA_DIR or log.dirs at a directory' }
    case 'permission':
      return {
        message: `Permission denied: ${path}.`,
        hint: 'kafka-ts reads and writes the data directory and its files, even to read records; fix their owner or mode, or use another data directory',
      }
    case 'read-only':
      return {
        message: `${path} is on a read-only file system.`,
        hint: 'kafka-ts writes to the data directory even to read records, for SQLite\'s WAL; remount it read-write, or copy it elsewhere and use that copy',
      }
    case 'cannot-open':
      return { message: `Cannot open the database ${path}.`, hint: 'check that the data directory and its files are readable and writable' }
    case 'io':
      return { message: `Input/output error on ${path}.`, hint: 'the disk or file system failed; check the system log (dmesg), then run again' }
  }
}

/** The store failure as a UserError (one line, exit 1). */
export function storageUserError(err: StoreIoError | NotAStoreError): UserError {
  const { message, hint } = describeStorageFailure(err)
  return new UserError(message, hint)
}

/**
 * A producing command stopped by a store failure: the failure, how many records of this run were
 * stored before it (they stay readable) and that the rest were not.
 */
export function stoppedProducing(err: StoreIoError | NotAStoreError, storedRecords: number): UserError {
  const { message, hint } = describeStorageFailure(err)
  const stored =
    storedRecords === 1 ? '1 record of this run was stored and stays readable; the rest were not' : `${storedRecords} records of this run were stored and stay readable; the rest were not`
  const what = err instanceof StoreFullError ? 'free space there, then send the rest again' : hint
  return new UserError(`${message.replace(/\.$/, '')}: ${stored}.`, what)
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
