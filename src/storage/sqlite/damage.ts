// Recognising a damaged database file. SQLite answers a read that meets a damaged page (or a file
// whose header is no longer SQLite's) with SQLITE_CORRUPT (and its extended codes) or SQLITE_NOTADB;
// the error names neither the file nor the partition, so the store wraps it in StoreDamagedError.

import { StoreDamagedError, type TopicPartition } from '../log-store.js'

/** True for SQLite's "database disk image is malformed" family of errors. */
export function isCorruption(err: unknown): err is Error & { code: string } {
  if (!(err instanceof Error)) return false
  const code = (err as { code?: unknown }).code
  return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB')
}

/** `err` as a StoreDamagedError naming the file (and where in it) when it is corruption; else `err` unchanged. */
export function asDamage(err: unknown, file: string, tp?: TopicPartition, offset?: number): unknown {
  if (err instanceof StoreDamagedError || !isCorruption(err)) return err
  return new StoreDamagedError(file, err.message, tp, offset, { cause: err })
}
