import { spawn, spawnSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

// Interop tests drive clients that are system packages (kcat, python3-kafka, python3-confluent-kafka).
// Locally a missing tool skips its suite with a printed reason; under KAFKA_TS_REQUIRE_INTEROP=1
// (set by .ci/run, which installs them) the suite runs anyway and fails on the missing tool.

export const REQUIRE_INTEROP = process.env['KAFKA_TS_REQUIRE_INTEROP'] === '1'

/** The Debian python: the python3-kafka and python3-confluent-kafka packages import only there. */
export const PYTHON = '/usr/bin/python3'

export const HELPERS_DIR = path.dirname(fileURLToPath(import.meta.url))

export interface ToolStatus {
  readonly name: string
  /** Undefined when usable; otherwise why not. */
  readonly missing: string | undefined
}

function probe(name: string, cmd: string, args: readonly string[], hint: string, env?: NodeJS.ProcessEnv): ToolStatus {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 20_000, env: { ...process.env, ...env } })
  if (r.error) return { name, missing: `${cmd} not runnable (${r.error.message}); ${hint}` }
  if (r.status !== 0) return { name, missing: `\`${cmd} ${args.join(' ')}\` exited ${r.status}: ${(r.stderr || r.stdout).trim().split('\n').pop() ?? ''}; ${hint}` }
  return { name, missing: undefined }
}

export const kcatStatus = (): ToolStatus => probe('kcat', 'kcat', ['-V'], 'install the Debian package `kcat`')

export const pythonModuleStatus = (module: string, pkg: string): ToolStatus =>
  probe(`python ${module}`, PYTHON, ['-c', `import ${module}`], `install the Debian package \`${pkg}\``)

/**
 * True when the suite must be skipped (tool missing and not required); prints the reason. When the
 * tool is missing but required, returns false so the suite runs and `assertTool` fails it.
 */
export function skipWithoutTool(status: ToolStatus): boolean {
  if (status.missing === undefined) return false
  if (REQUIRE_INTEROP) return false
  console.warn(`[interop] skipping ${status.name} tests: ${status.missing} (set KAFKA_TS_REQUIRE_INTEROP=1 to make this a failure)`)
  return true
}

/** For beforeAll: fails the suite when a required tool is missing. */
export function assertTool(status: ToolStatus): void {
  if (status.missing !== undefined) throw new Error(`KAFKA_TS_REQUIRE_INTEROP=1 but ${status.name} is missing: ${status.missing}`)
}

export interface ProcResult {
  readonly code: number | null
  readonly stdout: Buffer
  readonly stderr: string
}

/** Runs a process to completion, feeding `input`; kills it after `timeoutMs` (a hang bound, not an assertion). */
export function run(cmd: string, args: readonly string[], opts: { input?: Buffer | string; timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<ProcResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...opts.env }, ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }) })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (c: Buffer) => out.push(c))
    child.stderr.on('data', (c: Buffer) => err.push(c))
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000)
    child.on('error', (e) => {
      clearTimeout(timer)
      reject(e)
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') })
    })
    child.stdin.on('error', () => undefined)
    child.stdin.end(opts.input ?? '')
  })
}

/** Runs one of the python helper scripts beside this file with the Debian python. */
export function runPython(script: string, args: readonly string[], opts: { input?: Buffer | string; timeoutMs?: number } = {}): Promise<ProcResult> {
  return run(PYTHON, [path.join(HELPERS_DIR, script), ...args], { ...opts, env: { PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' } })
}

/** A small deterministic PRNG (mulberry32), so generated data and fuzz cases are reproducible from a seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Debian's Go toolchain and its sarama sources (packages golang-go, golang-github-shopify-sarama-dev). */
export const GO_PATH = '/usr/share/gocode'
/** The environment `go` needs to build against Debian's packaged sources (GOPATH mode). */
export const GO_ENV: NodeJS.ProcessEnv = { GO111MODULE: 'off', GOPATH: GO_PATH }
export const saramaStatus = (): ToolStatus =>
  probe('sarama (Go)', 'go', ['list', 'github.com/Shopify/sarama'], 'install the Debian packages `golang-go golang-github-shopify-sarama-dev`', GO_ENV)
