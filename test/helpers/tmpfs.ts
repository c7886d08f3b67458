import { execFileSync } from 'node:child_process'
import fs from 'node:fs'

import { tempDir } from './cli.js'

// A small, real file system that fills up (or turns read-only) on demand: tmpfs mounted on a temp
// directory. Mounting needs root; without it the caller skips, saying why.

export const isRoot = process.getuid?.() === 0

export interface Tmpfs {
  readonly dir: string
  /** Remounts read-only (EROFS from then on). */
  readOnly(): void
  /** Remounts with a new size (room again after a full disk). */
  resize(size: string): void
  /** Unmounts and removes the mount point. */
  cleanup(): void
}

/** tmpfs of `size` (e.g. '8m') on a fresh temp directory; undefined (with the reason printed) when it cannot be mounted. */
export function mountTmpfs(size: string, why: string): Tmpfs | undefined {
  if (!isRoot) {
    process.stderr.write(`skipped (${why}): mounting a tmpfs needs root\n`)
    return undefined
  }
  const mountPoint = tempDir('kafka-ts-tmpfs-')
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', mountPoint.dir], { stdio: 'pipe' })
  } catch (err) {
    mountPoint.cleanup()
    process.stderr.write(`skipped (${why}): cannot mount a tmpfs: ${(err as Error).message}\n`)
    return undefined
  }
  return {
    dir: mountPoint.dir,
    readOnly: () => execFileSync('mount', ['-o', 'remount,ro', mountPoint.dir], { stdio: 'pipe' }),
    resize: (newSize) => execFileSync('mount', ['-o', `remount,size=${newSize}`, mountPoint.dir], { stdio: 'pipe' }),
    cleanup: () => {
      execFileSync('umount', [mountPoint.dir], { stdio: 'pipe' })
      if (fs.existsSync(mountPoint.dir)) mountPoint.cleanup()
    },
  }
}
