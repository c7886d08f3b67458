// A/B of the remote perf tools between two builds of kafka-ts (issue 12: remote throughput must not drop
// when the client changes). Usage: node bench/remote-ab.js <cli A> <cli B> (each a bin/run.js; A is
// usually a checkout of the base commit, B this one). Each round starts one server-start (from B) over a fresh
// data directory with one topic per side, then runs producer-perf-test and consumer-perf-test
// (--bootstrap-server) of A and of B, swapping which goes first every round, so drift on the shared machine hits
// both alike. Prints each round and the medians. Knobs: BENCH_RECORDS (1000000), BENCH_RUNS (5).

import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'

import { startBroker } from './broker-process.js'
import { median, runChecked } from './measure.js'
import { consumerArgs, consumerFigures, producerArgs, producerFigures } from './perf-tools.js'
import { runAsyncChecked } from './proc.js'
import { benchTempDir } from './temp-dir.js'

const [cliA, cliB] = process.argv.slice(2)
if (!cliA || !cliB) {
  process.stderr.write('usage: node bench/remote-ab.js <cli A> <cli B>\n')
  process.exit(2)
}
const RECORDS = Number(process.env.BENCH_RECORDS ?? 1_000_000)
const RUNS = Number(process.env.BENCH_RUNS ?? 5)
const VALUE_BYTES = 100
const { dir: tmp, cleanup } = benchTempDir('kafka-ts-remote-ab-')
const env = { ...process.env }
delete env.KAFKA_TS_DATA_DIR

const results = { A: { produce: [], consume: [] }, B: { produce: [], consume: [] } }
try {
  for (let round = 1; round <= RUNS; round++) {
    const dir = join(tmp, `round-${round}`)
    mkdirSync(dir, { recursive: true })
    const sides = round % 2 === 1 ? ['A', 'B'] : ['B', 'A']
    for (const side of sides) runChecked(process.execPath, [cliB, 'topics', '--create', '--topic', `perf-${side}`, '--partitions', '1'], { env: { ...env, KAFKA_TS_DATA_DIR: dir } })
    const broker = await startBroker({ cli: cliB, dataDir: dir, env })
    try {
      const bootstrap = `127.0.0.1:${broker.port}`
      for (const side of sides) {
        const cli = side === 'A' ? cliA : cliB
        const topic = `perf-${side}`
        // --producer-props rather than --bootstrap-server: A may be a build from before producer-perf-test took the latter.
        const producer = producerArgs(cli, { records: RECORDS, valueBytes: VALUE_BYTES, topic, extra: ['--producer-props', `bootstrap.servers=${bootstrap}`] })
        const p = producerFigures(await runAsyncChecked(process.execPath, producer, { env, stdout: 'pipe' }), RECORDS)
        const consumer = consumerArgs(cli, { records: RECORDS, topic, extra: ['--bootstrap-server', bootstrap] })
        const c = consumerFigures(await runAsyncChecked(process.execPath, consumer, { env, stdout: 'pipe' }), RECORDS)
        results[side].produce.push(p)
        results[side].consume.push(c)
        process.stdout.write(`round ${round} ${side}: producer ${Math.round(p.rate)} rec/s (cpu ${p.cpuS.toFixed(2)} s), consumer ${Math.round(c.rate)} rec/s (cpu ${c.cpuS.toFixed(2)} s)\n`)
      }
    } finally {
      await broker.stop()
    }
    rmSync(dir, { recursive: true, force: true })
  }
  const med = (list, key) => median(list.map((x) => x[key]))
  for (const [what, key] of [['producer-perf-test', 'produce'], ['consumer-perf-test', 'consume']]) {
    const a = med(results.A[key], 'rate')
    const b = med(results.B[key], 'rate')
    process.stdout.write(
      `${what}: A ${Math.round(a)} rec/s (cpu ${med(results.A[key], 'cpuS').toFixed(2)} s), B ${Math.round(b)} rec/s (cpu ${med(results.B[key], 'cpuS').toFixed(2)} s), B/A ${(b / a).toFixed(2)} (medians of ${RUNS}, interleaved)\n`,
    )
  }
} finally {
  cleanup()
}
