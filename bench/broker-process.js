// Long-lived servers for the server benchmark: the kafka-ts broker (`server-start` on a free loopback port)
// and redis-server. Both are started asynchronously, waited for until they accept connections, and stopped
// with SIGTERM (a failed or hung stop is an error: the benchmark must not leave servers behind).

import { spawn } from 'node:child_process'

import { freePort, waitForPort } from './proc.js'

/** AOF fsynced at every write (the durability acks=-1 promises), RDB snapshots off. */
export const REDIS_DURABILITY = ['--appendonly', 'yes', '--appendfsync', 'always', '--save', '']

const STOP_TIMEOUT_MS = 15_000
const START_TIMEOUT_MS = 15_000

/** Children still running, killed if the benchmark process exits without stopping them. */
const live = new Set()
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

function track(child, what) {
  live.add(child)
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  exited.then(() => live.delete(child))
  child.once('error', (err) => process.stderr.write(`[bench] ${what}: ${err.message}\n`))
  return exited
}

async function stopChild(child, exited, what) {
  if (child.exitCode !== null || child.signalCode !== null) return exited
  child.kill('SIGTERM')
  let timer
  const timeout = new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS)))
  const result = await Promise.race([exited, timeout])
  clearTimeout(timer)
  if (result === 'timeout') {
    child.kill('SIGKILL')
    throw new Error(`${what} did not stop within ${STOP_TIMEOUT_MS} ms of SIGTERM`)
  }
  return result
}

/**
 * Starts `node [nodeArgs] bin/run.js server-start` on 127.0.0.1 port 0 over `dataDir` and resolves once it
 * logs its bound address. `stop()` sends SIGTERM and requires exit 0 (a graceful shutdown).
 */
export async function startBroker({ cli, dataDir, env, nodeArgs = [] }) {
  const child = spawn(process.execPath, [...nodeArgs, cli, 'server-start', '--override', 'listeners=PLAINTEXT://127.0.0.1:0'], {
    env: { ...env, KAFKA_TS_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = track(child, 'kafka-ts server-start')
  let log = ''
  const collect = (chunk) => {
    // The broker logs a line per auto-created topic or closed connection; keep a bounded tail for errors.
    log = (log + chunk.toString('utf8')).slice(-64 * 1024)
  }
  child.stdout.on('data', collect)
  child.stderr.on('data', collect)
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`server-start did not report its port within ${START_TIMEOUT_MS} ms:\n${log}`)), START_TIMEOUT_MS)
    const onData = () => {
      const m = /listening on PLAINTEXT:\/\/[^\s,]*:(\d+)/.exec(log)
      if (m) done(null, Number(m[1]))
    }
    const onExit = ({ code, signal }) => done(new Error(`server-start exited (${signal ?? code}) before listening:\n${log}`))
    function done(err, value) {
      clearTimeout(timer)
      child.stderr.off('data', onData)
      child.stdout.off('data', onData)
      if (err) reject(err)
      else resolve(value)
    }
    child.stderr.on('data', onData)
    child.stdout.on('data', onData)
    exited.then(onExit)
  })
  return {
    pid: child.pid,
    port,
    log: () => log,
    async stop() {
      const { code, signal } = await stopChild(child, exited, 'kafka-ts server-start')
      if (code !== 0) throw new Error(`server-start exited with ${signal ?? code} on SIGTERM:\n${log}`)
    },
  }
}

/** Starts redis-server on a free loopback port with its files in `dir` and REDIS_DURABILITY. */
export async function startRedis({ dir }) {
  const port = await freePort()
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, ...REDIS_DURABILITY, '--logfile', '']
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = track(child, 'redis-server')
  let log = ''
  const collect = (chunk) => (log = (log + chunk.toString('utf8')).slice(-16 * 1024))
  child.stdout.on('data', collect)
  child.stderr.on('data', collect)
  await Promise.race([
    waitForPort(port, START_TIMEOUT_MS),
    exited.then(({ code, signal }) => {
      throw new Error(`redis-server exited (${signal ?? code}) before listening:\n${log}`)
    }),
  ])
  return {
    pid: child.pid,
    port,
    async stop() {
      await stopChild(child, exited, 'redis-server')
    },
  }
}
