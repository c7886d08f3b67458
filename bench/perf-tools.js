// The perf-tool rows of `npm run bench` (issue 6): kafka-ts producer-perf-test and consumer-perf-test, 1M × 100 B,
// against the embedded store and against `server-start` on loopback. One call of perfToolsRound() is one round;
// run.js interleaves it with the raw SQLite limits it measures, which are the ratios' denominators.
//
// Figures are the tools' own: producer-perf-test's records/sec (its final line; from its start-of-sending to
// the last acknowledgement after close) and consumer-perf-test's fetch.nMsg.sec (records over the fetch time,
// i.e. without the group join, which is group.initial.rebalance.delay.ms = 3 s by default). Wall time around
// the process is shown beside them.

import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'

import { startBroker } from './broker-process.js'
import { median, runChecked } from './measure.js'
import { runAsyncChecked } from './proc.js'
import { fmtFixed, fmtInt, fmtPct, table } from './report.js'

const TOPIC = 'perf'
const TOTAL = /^(\d+) records sent, ([\d.]+) records\/sec .* ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99\.9th\.$/m

export function producerFigures(r, records) {
  const m = TOTAL.exec(r.stdout)
  if (!m || Number(m[1]) !== records) throw new Error(`producer-perf-test did not report ${records} records sent:\n${r.stdout.trim()}\n${r.stderr.trim()}`)
  return { wallS: r.wallS, cpuS: r.cpuS, rate: Number(m[2]), avgMs: Number(m[3]), p99Ms: Number(m[7]) }
}

export function consumerFigures(r, records) {
  const row = r.stdout.trim().split('\n').at(-1)?.split(', ') ?? []
  if (row.length !== 10 || Number(row[4]) !== records) throw new Error(`consumer-perf-test did not read ${records} records:\n${r.stdout.trim()}\n${r.stderr.trim()}`)
  return { wallS: r.wallS, cpuS: r.cpuS, rate: Number(row[9]), rebalanceMs: Number(row[6]), fetchMs: Number(row[7]) }
}

/** producer-perf-test's arguments: `records` × `valueBytes` unthrottled to `topic` (default 'perf'), then `extra`. */
export const producerArgs = (cli, { records, valueBytes, topic = TOPIC, extra = [] }) =>
  [cli, 'producer-perf-test', '--topic', topic, '--num-records', String(records), '--record-size', String(valueBytes), '--throughput', '-1', ...extra]
/** consumer-perf-test's arguments: `records` from `topic` (default 'perf'), then `extra`. */
export const consumerArgs = (cli, { records, topic = TOPIC, extra = [] }) => [cli, 'consumer-perf-test', '--topic', topic, '--num-records', String(records), ...extra]

/** One round: embedded produce + consume over a fresh data directory, then the same through a broker. */
export async function perfToolsRound({ cli, dir, env, records, valueBytes, round, progress }) {
  const out = {}
  const embedded = join(dir, 'embedded')
  mkdirSync(embedded, { recursive: true })
  const envFor = (dataDir) => ({ ...env, KAFKA_TS_DATA_DIR: dataDir })
  runChecked(process.execPath, [cli, 'topics', '--create', '--topic', TOPIC, '--partitions', '1'], { env: envFor(embedded) })
  progress(`round ${round}: producer-perf-test, embedded`)
  out.producerEmbedded = producerFigures(runChecked(process.execPath, producerArgs(cli, { records, valueBytes }), { env: envFor(embedded), stdout: 'pipe' }), records)
  progress(`round ${round}: consumer-perf-test, embedded`)
  out.consumerEmbedded = consumerFigures(runChecked(process.execPath, consumerArgs(cli, { records }), { env: envFor(embedded), stdout: 'pipe' }), records)
  rmSync(embedded, { recursive: true, force: true })

  const served = join(dir, 'served')
  mkdirSync(served, { recursive: true })
  runChecked(process.execPath, [cli, 'topics', '--create', '--topic', TOPIC, '--partitions', '1'], { env: envFor(served) })
  const broker = await startBroker({ cli, dataDir: served, env })
  try {
    const bootstrap = `127.0.0.1:${broker.port}`
    progress(`round ${round}: producer-perf-test → server-start`)
    out.producerServer = producerFigures(
      await runAsyncChecked(process.execPath, producerArgs(cli, { records, valueBytes, extra: ['--bootstrap-server', bootstrap] }), { env, stdout: 'pipe' }),
      records,
    )
    progress(`round ${round}: consumer-perf-test ← server-start`)
    out.consumerServer = consumerFigures(await runAsyncChecked(process.execPath, consumerArgs(cli, { records, extra: ['--bootstrap-server', bootstrap] }), { env, stdout: 'pipe' }), records)
  } finally {
    await broker.stop()
  }
  rmSync(served, { recursive: true, force: true })
  return out
}

/** Report lines; `raw` holds the medians (seconds) of the raw SQLite limits from run.js. */
export function perfToolsReport({ runs, raw, records, valueBytes }) {
  const pick = (key) => runs.map((r) => r[key])
  const med = (key, field) => median(pick(key).map((x) => x[field]))
  const rawRate = (s) => records / s
  const row = (label, key, limitLabel, limitS) => {
    const rate = med(key, 'rate')
    const list = pick(key).map((x) => x.rate)
    return [
      label,
      fmtInt(rate),
      fmtFixed((rate * valueBytes) / 1e6, 1),
      `${fmtInt(Math.min(...list))}–${fmtInt(Math.max(...list))}`,
      fmtFixed(med(key, 'wallS'), 2),
      fmtFixed(med(key, 'cpuS'), 2),
      `${fmtPct(rate / rawRate(limitS))} of ${limitLabel}`,
    ]
  }
  const lines = []
  lines.push(
    table(
      [`Perf tools (${fmtInt(records)} × ${valueBytes} B, tools' own figures)`, 'records/s', 'MB/s', 'range records/s', 'wall s', 'cpu s', 'ratio to the raw limit'],
      [
        row('producer-perf-test, embedded (acks=all)', 'producerEmbedded', 'raw insert FULL', raw.insertFull),
        row('consumer-perf-test, embedded (fetch.nMsg.sec)', 'consumerEmbedded', 'raw scan', raw.scan),
        row('producer-perf-test → server-start (acks=all)', 'producerServer', 'raw insert FULL', raw.insertFull),
        row('consumer-perf-test ← server-start (fetch.nMsg.sec)', 'consumerServer', 'raw scan', raw.scan),
      ],
    ),
  )
  lines.push(
    `producer rows: records/sec of the final line (first send to the last acknowledgement); median latency avg ${fmtFixed(med('producerEmbedded', 'avgMs'), 1)} ms embedded, ` +
      `${fmtFixed(med('producerServer', 'avgMs'), 1)} ms remote (unthrottled: the latency is queueing behind buffer.memory).`,
  )
  lines.push(
    `consumer rows: fetch.nMsg.sec (records over fetch.time.ms, the group join left out: median rebalance.time.ms ${fmtInt(med('consumerEmbedded', 'rebalanceMs'))} embedded, ` +
      `${fmtInt(med('consumerServer', 'rebalanceMs'))} remote). wall s and cpu s: the whole process, start-up and join included.`,
  )
  return lines
}
