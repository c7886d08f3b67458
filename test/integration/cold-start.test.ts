import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { ROOT, runCli, tempDir } from '../helpers/cli.js'

// What a start loads decides how fast `kafka-ts topics --list` runs in a shell script: client libraries
// (remote mode once ran on @platformatic/kafka with its ajv validators and avsc; it is our own wire client
// now, src/client/remote/wire), the compression codecs and the prompt/spinner packages must stay unloaded
// unless a command needs them.

const RECORDER = path.join(import.meta.dirname, 'fixtures', 'record-modules.mjs')
const REMOTE_ONLY = ['@platformatic/kafka', 'ajv', 'avsc', 'kafkajs', 'mnemonist']
const CODECS = ['snappy', 'lz4-napi', 'zstd-napi']
const INTERACTIVE = ['@inquirer/prompts', 'ora']
// Node builtins only a server, compression or a background thread uses (scripts/bundle-commands.js loads
// them on first use); node:crypto alone was ~20 internal modules through its ES module facade.
const RARE_BUILTINS = ['node:crypto', 'node:zlib', 'node:worker_threads', 'node:tls', 'node:perf_hooks', 'node:readline']
// What oclif's start once loaded for answers a Linux start does not need (scripts/bundle-commands.js, its
// stand-ins): child_process and dgram through wsl-utils' PowerShell helper, tty through debug's and
// supports-color's colour checks.
const OCLIF_UNNEEDED_BUILTINS = ['node:child_process', 'node:dgram', 'node:tty']

let dir: string
let cleanup: () => void
beforeEach(() => {
  ;({ dir, cleanup } = tempDir())
})
afterEach(() => cleanup())

/** Runs the CLI and returns the npm packages it loaded (and the result). */
async function loadedPackages(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ packages: Set<string>; builtins: Set<string>; files: string[]; code: number | null; out: string }> {
  const log = path.join(dir, 'modules.log')
  const r = await runCli(args, { dataDir: path.join(dir, 'data'), env: { NODE_OPTIONS: `--import ${RECORDER}`, KAFKA_TS_MODULE_LOG: log, ...env } })
  const files = fs.readFileSync(log, 'utf8').split('\n').filter((l) => l !== '')
  const packages = new Set<string>()
  for (const f of files) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f)
    if (m?.[1]) packages.add(m[1])
  }
  const builtins = new Set(files.filter((f) => f.startsWith('node:')))
  return { packages, builtins, files, code: r.code, out: r.out }
}

describe('cold start: what a command loads', () => {
  it('an embedded topics --list loads no remote-mode, codec or prompt package', async () => {
    await runCli(['topics', '--create', '--topic', 't'], { dataDir: path.join(dir, 'data') })
    const { packages, builtins, code, out } = await loadedPackages(['topics', '--list'])
    expect(code).toBe(0)
    expect(out).toBe('t\n')
    expect(packages).toContain('better-sqlite3')
    for (const p of [...REMOTE_ONLY, ...CODECS, ...INTERACTIVE]) expect(packages, p).not.toContain(p)
    // The recorder sees required builtins: the code cache's compiler.
    expect(builtins).toContain('node:vm')
    for (const b of [...RARE_BUILTINS, ...OCLIF_UNNEEDED_BUILTINS]) expect(builtins, b).not.toContain(b)
  })

  it.each(['test', 'development'])('NODE_ENV=%s runs dist/ as it is, without loading TypeScript', async (nodeEnv) => {
    await runCli(['topics', '--create', '--topic', 't'], { dataDir: path.join(dir, 'data') })
    const { packages, code, out } = await loadedPackages(['topics', '--list'], { NODE_ENV: nodeEnv })
    expect(code).toBe(0)
    expect(out).toBe('t\n')
    expect(packages).not.toContain('typescript')
  })

  it('a command given --bootstrap-server loads no client library either: remote mode is our own wire client', async () => {
    const { packages, code } = await loadedPackages(['topics', '--list', '--bootstrap-server', '127.0.0.1:1', '--command-config', '/dev/null'])
    expect(code).not.toBe(0)
    for (const p of [...REMOTE_ONLY, ...CODECS, ...INTERACTIVE]) expect(packages, p).not.toContain(p)
  })

  it.each([[['--version']], [['topics', '--version']], [['storage', 'format', '--version']]])('%j answers without loading oclif or a command', async (args) => {
    const { packages, files, code, out } = await loadedPackages(args)
    expect(code).toBe(0)
    expect(out).toMatch(/^kafka-ts-toolkit\/\d+\.\d+\.\d+ \S+ node-v\S+\n$/)
    expect(packages.size).toBe(0)
    expect(files.filter((f) => f.includes('/dist/'))).toEqual([])
  })

  it('the build leaves a code cache of dist/cli.cjs that V8 accepts', () => {
    // A rejected cache still runs, just as slowly as without one: this is the check that it is used.
    const loader = pathToFileURL(path.join(ROOT, 'bin', 'code-cache.js')).href
    const oclif = path.join(ROOT, 'dist', 'cli.cjs')
    const check = `import { compileWithCodeCache } from ${JSON.stringify(loader)}
const { script } = compileWithCodeCache(${JSON.stringify(oclif)})
process.stdout.write(String(script.cachedDataRejected))`
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', check], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } })
    expect(r.stderr).toBe('')
    expect(fs.existsSync(`${oclif}.v8cache`)).toBe(true)
    expect(r.stdout).toBe('false')
  })
})
