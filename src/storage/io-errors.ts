// Errors of the store's environment — file system and SQLite result codes — turned into typed
// StorageErrors that carry the path concerned, so no caller ever sees `SQLITE_FULL` or a bare errno.
// Anything else (a real bug, a damaged page) passes through untouched.

import { accessSync, constants, statfsSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import { NotAStoreError, StorageError, StoreAccessError, StoreBusyError, StoreFullError, type StoreAccessProblem } from './log-store.js'

const ERRNO_PROBLEMS: Readonly<Record<string, StoreAccessProblem>> = {
  ENOENT: 'missing',
  ENOTDIR: 'not-a-directory',
  EACCES: 'permission',
  EPERM: 'permission',
  EROFS: 'read-only',
  EIO: 'io',
}

const PROBLEM_TEXT: Readonly<Record<StoreAccessProblem, string>> = {
  missing: 'does not exist',
  'not-a-directory': 'is not a directory (or lies under a file)',
  permission: 'permission denied',
  'read-only': 'the file system is read-only',
  'cannot-open': 'cannot be opened',
  io: 'input/output error',
}

export interface StorePaths {
  /** The data directory. */
  readonly dir: string
  /** The database file. */
  readonly dbPath: string
  /** The busy timeout the failing connection used. */
  readonly busyTimeoutMs?: number
}

/**
 * The typed StorageError for an environment failure (`err` from node:fs or better-sqlite3), else `err`
 * itself. A path on the error (node:fs sets one) wins over `paths`.
 */
export function storageErrorFrom(err: unknown, paths: StorePaths): unknown {
  if (err instanceof StorageError || !(err instanceof Error)) return err
  const code = (err as NodeJS.ErrnoException).code
  if (typeof code !== 'string') return err
  const errPath = (err as NodeJS.ErrnoException).path
  // SQLite reports some writes on a full file system as I/O errors (growing the WAL index, -shm, for
  // one, which even a reader needs): the file system's free space tells them apart.
  const full = code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL' || (code.startsWith('SQLITE_IOERR') && noSpaceLeft(paths.dir))
  if (full) {
    return new StoreFullError(`no space left on the file system holding ${paths.dir}`, paths.dir, { cause: err })
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    const waited = paths.busyTimeoutMs ?? 0
    return new StoreBusyError(
      `${paths.dbPath} is locked by another process${waited > 0 ? ` (waited ${waited / 1000} s)` : ''}`,
      paths.dbPath,
      waited,
      { cause: err },
    )
  }
  if (code === 'SQLITE_NOTADB') return new NotAStoreError(`${paths.dbPath} is not a kafka-ts store (not a SQLite database)`, { cause: err })
  const errnoProblem = ERRNO_PROBLEMS[code]
  if (errnoProblem !== undefined) return accessError(errPath ?? paths.dir, errnoProblem, err)
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY') || code === 'SQLITE_PERM' || code === 'SQLITE_AUTH') {
    // SQLite does not say why; the file system does.
    const { path, problem } = diagnose(paths.dbPath, code.startsWith('SQLITE_CANTOPEN') ? 'cannot-open' : 'read-only')
    return accessError(path, problem, err)
  }
  if (code.startsWith('SQLITE_IOERR')) return accessError(paths.dbPath, 'io', err)
  return err
}

function noSpaceLeft(dir: string): boolean {
  try {
    return statfsSync(dir).bavail === 0
  } catch {
    return false
  }
}

function accessError(path: string, problem: StoreAccessProblem, cause: Error): StoreAccessError {
  return new StoreAccessError(`${path}: ${PROBLEM_TEXT[problem]}`, path, problem, { cause })
}

/** The first of the database file and its directory that this process cannot use, and why. */
function diagnose(dbPath: string, fallback: StoreAccessProblem): { path: string; problem: StoreAccessProblem } {
  const dir = dirname(dbPath)
  for (const [path, mode] of [
    [dir, constants.R_OK | constants.W_OK | constants.X_OK],
    [dbPath, constants.R_OK | constants.W_OK],
  ] as const) {
    try {
      statSync(path)
      accessSync(path, mode)
    } catch (err) {
      const problem = ERRNO_PROBLEMS[(err as NodeJS.ErrnoException).code ?? '']
      if (problem !== undefined && !(path === dbPath && problem === 'missing')) return { path, problem }
    }
  }
  return { path: dbPath, problem: fallback }
}

/**
 * Wraps every method of `target` (its class's methods, and those of the object-valued properties
 * listed in `nested`) so that environment failures leave it as typed StorageErrors. The wrappers are
 * own properties installed once; a call costs one extra frame, no allocation beyond the arguments.
 */
export function translateStoreErrors<T extends object>(target: T, paths: StorePaths, nested: readonly (keyof T)[] = []): T {
  wrapMethods(target, paths)
  for (const key of nested) {
    const inner = target[key]
    if (typeof inner === 'object' && inner !== null) wrapMethods(inner, paths)
  }
  return target
}

function wrapMethods(target: object, paths: StorePaths): void {
  const proto = Object.getPrototypeOf(target) as object | null
  if (proto === null || proto === Object.prototype) return
  for (const name of Object.getOwnPropertyNames(proto)) {
    if (name === 'constructor') continue
    const descriptor = Object.getOwnPropertyDescriptor(proto, name)
    const method: unknown = descriptor?.value
    if (typeof method !== 'function') continue
    const call = method as (...args: unknown[]) => unknown
    Object.defineProperty(target, name, {
      configurable: true,
      writable: true,
      value: function (this: unknown, ...args: unknown[]): unknown {
        try {
          return call.apply(this, args)
        } catch (err) {
          throw storageErrorFrom(err, paths)
        }
      },
    })
  }
}
