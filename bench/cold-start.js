// Cold start: `node -e 0`, `kafka-ts topics --list` (embedded, one topic) and `kafka-ts --version`, run
// alternately so all three see the same machine load; each kafka-ts median is compared with node's
// in the same run (issue 11's targets: topics --list ≤ 2×, --version ≤ 1.5×). `BENCH_ONLY=cold npm run
// bench` runs only this part.

import { median, runChecked } from './measure.js'
import { fmtFixed, table } from './report.js'

export const COLD_TARGETS = { list: 2, version: 1.5 }

/** `runs` interleaved rounds after one untimed warm-up round (page cache: node, the CLI's files, the database). */
export function coldStarts({ node, cli, env, runs }) {
  const cases = {
    node: ['-e', '0'],
    list: [cli, 'topics', '--list'],
    version: [cli, '--version'],
  }
  const ms = { node: [], list: [], version: [] }
  const cpuMs = { node: [], list: [], version: [] }
  for (let i = 0; i <= runs; i++) {
    for (const [name, args] of Object.entries(cases)) {
      const r = runChecked(node, args, { env })
      if (i === 0) continue
      ms[name].push(r.wallS * 1000)
      if (r.cpuS !== null) cpuMs[name].push(r.cpuS * 1000)
    }
  }
  return { ms, cpuMs, runs }
}

/** Report lines: one row per command with its ratio to node -e 0 and the target. */
export function coldStartReport(cold) {
  const nodeMedian = median(cold.ms.node)
  const nodeCpu = cold.cpuMs.node.length > 0 ? median(cold.cpuMs.node) : NaN
  const row = (label, name, target) => {
    const m = median(cold.ms[name])
    const cpu = cold.cpuMs[name].length > 0 ? median(cold.cpuMs[name]) : NaN
    const ratio = m / nodeMedian
    return [
      label,
      fmtFixed(m, 1),
      `${fmtFixed(Math.min(...cold.ms[name]), 1)}–${fmtFixed(Math.max(...cold.ms[name]), 1)}`,
      fmtFixed(cpu, 0),
      name === 'node' ? '1.00×' : `${fmtFixed(ratio, 2)}×`,
      name === 'node' ? '' : `${fmtFixed(cpu / nodeCpu, 2)}×`,
      target === undefined ? '' : `≤ ${target}×`,
      target === undefined ? '' : ratio <= target ? 'PASS' : 'MISS',
    ]
  }
  return [
    table(
      [`Cold start (${cold.runs} runs, interleaved)`, 'median ms', 'range ms', 'cpu ms', '× node', 'cpu × node', 'target', 'result'],
      [
        row('node -e 0', 'node'),
        row('kafka-ts topics --list (embedded)', 'list', COLD_TARGETS.list),
        row('kafka-ts --version', 'version', COLD_TARGETS.version),
      ],
    ),
    '× node: median wall time over node -e 0 in the same run (the target); cpu ms: user+sys of the child (10 ms ticks).',
  ]
}
