// Process helpers for the server benchmark, where a long-lived child (the broker, redis-server) runs beside
// the measured clients. Unlike measure.js (spawnSync, one child at a time) these are asynchronous, so the
// event loop stays free to sample the broker's memory while a client runs.

import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import net from 'node:net'

const CLOCK_TICKS_PER_S = 100 // USER_HZ, fixed at 100 on Linux for /proc/<pid>/stat

/** The fields of /proc/<pid>/stat (or /proc/<pid>/task/<tid>/stat) after the command name (which may contain spaces), or null. */
function statFields(pid, tid) {
  try {
    const stat = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'latin1')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  } catch {
    return null
  }
}

/** user+sys CPU seconds of a running process (utime, stime), or null where /proc is not available. */
export function processCpuSeconds(pid) {
  const f = statFields(pid)
  return f ? (Number(f[11]) + Number(f[12])) / CLOCK_TICKS_PER_S : null
}

/**
 * user+sys CPU seconds of a process's main thread alone (its other threads — a worker thread, V8's GC
 * helpers — left out), or null.
 */
export function mainThreadCpuSeconds(pid) {
  const f = statFields(pid, pid)
  return f ? (Number(f[11]) + Number(f[12])) / CLOCK_TICKS_PER_S : null
}

/**
 * Microseconds during which some runnable task on this machine waited for a CPU (Linux pressure stall
 * information, /proc/pressure/cpu "some total"), or null where the kernel does not report it. The
 * difference over an interval, divided by its length, says how contended the cores were meanwhile.
 */
export function cpuPressureMicros() {
  try {
    const m = /^some .*total=(\d+)/m.exec(readFileSync('/proc/pressure/cpu', 'utf8'))
    return m ? Number(m[1]) : null
  } catch {
    return null
  }
}

/** CPU seconds of this process's reaped children (cutime, cstime); see measure.js. */
function childCpuSeconds() {
  const f = statFields('self')
  return f ? (Number(f[13]) + Number(f[14])) / CLOCK_TICKS_PER_S : null
}

/** Resident set size of a process in bytes (VmRSS), or null once it is gone. */
export function rssBytes(pid) {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))
    return m ? Number(m[1]) * 1024 : null
  } catch {
    return null
  }
}

/**
 * Runs `command args` to completion without blocking the event loop. `stdin`/`stdout` are file
 * descriptors, 'ignore' or 'pipe'; stderr is captured. Returns wall seconds, the child's CPU seconds
 * (valid when no other child exits meanwhile: long-lived children are only reaped at the end), exit
 * status and output.
 */
export function runAsync(command, args, { env, stdin = 'ignore', stdout = 'ignore', cwd } = {}) {
  return new Promise((resolve, reject) => {
    const cpuBefore = childCpuSeconds()
    const start = process.hrtime.bigint()
    const child = spawn(command, args, { env, cwd, stdio: [stdin, stdout, 'pipe'] })
    const out = []
    const err = []
    child.stdout?.on('data', (c) => out.push(c))
    child.stderr.on('data', (c) => err.push(c))
    child.once('error', reject)
    child.once('close', (status, signal) => {
      const wallS = Number(process.hrtime.bigint() - start) / 1e9
      const cpuAfter = childCpuSeconds()
      resolve({
        wallS,
        cpuS: cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore,
        status,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      })
    })
  })
}

/** Like runAsync, but throws with the child's stderr when it does not exit 0. */
export async function runAsyncChecked(command, args, opts) {
  const r = await runAsync(command, args, opts)
  if (r.status !== 0) {
    const how = r.signal ? `signal ${r.signal}` : `exit ${r.status}`
    throw new Error(`${[command, ...args].join(' ')} failed (${how}):\n${r.stderr.trim()}`)
  }
  return r
}

/** A loopback port that was free a moment ago (for servers that cannot be told to pick one, like redis). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen({ host: '127.0.0.1', port: 0 }, () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

/** Resolves once something accepts TCP connections on 127.0.0.1:port, or rejects after `timeoutMs`. */
export async function waitForPort(port, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const ok = await new Promise((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => {
        s.destroy()
        resolve(true)
      })
      s.once('error', () => resolve(false))
    })
    if (ok) return
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/**
 * Samples a process's RSS every `intervalMs` until stopped. `phase(name)` starts attributing samples to
 * a named phase (a sample is also taken at each phase change), so the report can say where the peak was.
 */
export class RssSampler {
  constructor(pid, intervalMs = 100) {
    this.pid = pid
    this.maxBytes = 0
    this.samples = 0
    this.byPhase = new Map()
    this.current = 'start'
    this.timer = setInterval(() => this.sample(), intervalMs)
  }

  sample() {
    const rss = rssBytes(this.pid)
    if (rss === null) return
    this.samples++
    if (rss > this.maxBytes) this.maxBytes = rss
    if (rss > (this.byPhase.get(this.current) ?? 0)) this.byPhase.set(this.current, rss)
  }

  phase(name) {
    this.sample()
    this.current = name
    this.sample()
  }

  stop() {
    this.sample()
    clearInterval(this.timer)
  }
}
