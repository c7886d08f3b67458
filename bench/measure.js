// Timing helpers. Child processes run one at a time (spawnSync) so two measurements never share the
// machine's two cores; wall time is taken around the whole process, start-up included.

import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

const CLOCK_TICKS_PER_S = 100 // USER_HZ, fixed at 100 on Linux for /proc/<pid>/stat

/**
 * CPU seconds (user + sys) of this process's waited-for children, from /proc/self/stat (cutime,
 * cstime). spawnSync waits for its child, so the difference around one call is that child's CPU time.
 * null where /proc is not available.
 */
function childCpuSeconds() {
  try {
    const stat = readFileSync('/proc/self/stat', 'latin1')
    // Field 2 (comm) may contain spaces; the fields after its closing parenthesis are positional.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS_PER_S
  } catch {
    return null
  }
}

/**
 * Runs `command args` to completion. `stdin`/`stdout` are file descriptors, 'ignore' or (stdout)
 * 'pipe'; stderr is captured. Returns wall seconds, the child's CPU seconds, exit status and output.
 */
export function runTimed(command, args, { env, stdin = 'ignore', stdout = 'ignore', cwd } = {}) {
  const cpuBefore = childCpuSeconds()
  const start = process.hrtime.bigint()
  const res = spawnSync(command, args, { env, cwd, stdio: [stdin, stdout, 'pipe'], maxBuffer: 64 << 20 })
  const wallS = Number(process.hrtime.bigint() - start) / 1e9
  const cpuAfter = childCpuSeconds()
  if (res.error) throw res.error
  return {
    wallS,
    cpuS: cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore,
    status: res.status,
    signal: res.signal,
    stdout: res.stdout === null ? '' : res.stdout.toString('utf8'),
    stderr: res.stderr.toString('utf8'),
  }
}

/** Like runTimed, but throws with the child's stderr when it does not exit 0. */
export function runChecked(command, args, opts) {
  const r = runTimed(command, args, opts)
  if (r.status !== 0) {
    const how = r.signal ? `signal ${r.signal}` : `exit ${r.status}`
    throw new Error(`${[command, ...args].join(' ')} failed (${how}):\n${r.stderr.trim()}`)
  }
  return r
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** The run whose wall time is the median (the upper one for an even count), keeping its other fields. */
export function medianRun(runs, key = 'wallS') {
  const sorted = [...runs].sort((a, b) => a[key] - b[key])
  return sorted[sorted.length >> 1]
}
