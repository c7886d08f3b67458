#!/usr/bin/env node
// Writes V8's code cache for dist/cli.cjs (dist/cli.cjs.v8cache), which bin/run.js hands to V8 so a
// start skips parsing and compiling oclif and the command. Taken from a real `topics --list` (in a throwaway data
// directory) at its exit, so it holds the functions a command's start runs, not only the top level.
// The cache belongs to this Node's V8 version and flags; under another Node, V8 rejects it and
// bin/run.js compiles oclif as it would without it.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const cacheFile = path.join(root, 'dist', 'cli.cjs.v8cache')
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kafka-ts-code-cache-'))
try {
  fs.rmSync(cacheFile, { force: true })
  const env = { ...process.env, KAFKA_TS_DATA_DIR: dataDir, KAFKA_TS_WRITE_CODE_CACHE: '1' }
  delete env.NODE_OPTIONS
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'run.js'), 'topics', '--list'], { env, encoding: 'utf8' })
  if (r.status !== 0 || !fs.existsSync(cacheFile)) {
    console.error(`code cache: topics --list failed (exit ${r.status}):\n${r.stderr}`)
    process.exit(1)
  }
  console.log(`wrote dist/cli.cjs.v8cache (${Math.round(fs.statSync(cacheFile).size / 1024)} KiB)`)
} finally {
  fs.rmSync(dataDir, { recursive: true, force: true })
}
