import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
export const BIN = path.join(ROOT, 'bin', 'run.js')

/** A fresh temp directory, removed by the returned cleanup. */
export function tempDir(prefix = 'kafka-ts-test-'): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) }
}

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: Buffer
  stderr: string
  /** stdout decoded as UTF-8. */
  out: string
}

export interface RunOptions {
  input?: Buffer | string
  dataDir?: string
  env?: NodeJS.ProcessEnv
  timeoutMs?: number
}

/** Runs `kafka-ts <args>` as a real process (the built dist/), feeding `input` on stdin. */
export function runCli(args: readonly string[], opts: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', CI: 'true', ...opts.env }
    delete env['FORCE_COLOR']
    if (opts.dataDir !== undefined) env['KAFKA_TS_DATA_DIR'] = opts.dataDir
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (c: Buffer) => out.push(c))
    child.stderr.on('data', (c: Buffer) => err.push(c))
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const stdout = Buffer.concat(out)
      resolve({ code, signal, stdout, stderr: Buffer.concat(err).toString('utf8'), out: stdout.toString('utf8') })
    })
    child.stdin.on('error', () => undefined)
    child.stdin.end(opts.input ?? '')
  })
}
