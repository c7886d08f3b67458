// `node bench/latency.js` (after `npm run build`): produce→consume latency, one producer and one consumer in
// separate processes, each record carrying its send time (see bench/README.md, "Latency").
//
//   server:   `server-start` on a free loopback port; a paced confluent-kafka producer (acks=1, linger.ms 0)
//             and, as consumer, confluent-kafka or kafka-ts `console-consumer --bootstrap-server`.
//   embedded: kafka-ts `console-producer` (embedded, acks=1, linger 0) fed paced lines by this process, and a
//             tailing embedded `console-consumer` in another process over the same data directory.
//
// Every record's value is the CLOCK_MONOTONIC nanoseconds at which it was handed to the producer (Python's
// time.clock_gettime_ns and Node's process.hrtime read the same system-wide clock); the receiving side
// subtracts it from its own reading of that clock when the record arrives. Priming records (value "p") flow
// until the consumer has printed one, so start-up is never measured; the first second of records is a
// warm-up and left out.
//
// Knobs: BENCH_LATENCY_SECONDS (10) measured seconds per case, BENCH_LATENCY_RATES ("1000,10000") records/s
// of the server cases, BENCH_LATENCY_EMBEDDED_RATE (1000), BENCH_LATENCY_RUNS (1) rounds of every case,
// BENCH_LATENCY_CASES (all: "ck-ck,ck-kts,embedded"), BENCH_SERVER_NODE_ARGS, BENCH_KEEP=1,
// BENCH_LATENCY_DUMP=DIR (each case's measured latencies in µs, in send order, one per line, to find when the
// slow ones happen).

import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { startBroker } from './broker-process.js'
import { cpuPressureMicros, mainThreadCpuSeconds, processCpuSeconds } from './proc.js'
import { runChecked } from './measure.js'
import { fmtFixed, fmtInt, table } from './report.js'

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)))
const CLI = join(ROOT, 'bin', 'run.js')
const NODE = process.execPath
/** Debian's python3-confluent-kafka is installed for the system interpreter only. */
const PYTHON = '/usr/bin/python3'
const TOPIC = 'latency'

const SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 10)
const RATES = (process.env.BENCH_LATENCY_RATES ?? '1000,10000').split(',').map(Number)
const EMBEDDED_RATE = Number(process.env.BENCH_LATENCY_EMBEDDED_RATE ?? 1000)
const RUNS = Number(process.env.BENCH_LATENCY_RUNS ?? 1)
const CASES = new Set((process.env.BENCH_LATENCY_CASES ?? 'ck-ck,ck-kts,embedded').split(','))
const WARMUP_S = 1
/** Extra node options for the broker process (as in run.js), e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof". */
const SERVER_NODE_ARGS = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter((a) => a !== '')
/** A case that has not received every record this long after its last send has failed. */
const DRAIN_TIMEOUT_MS = 30_000

export const LATENCY_TARGETS = {
  server: { p99: 5, p999: 20 },
  embedded: { p99: 30 },
}

// The paced producer. Until a line arrives on stdin it sends a priming record every 20 ms; then it sends
// `count` records at `rate`/s, each value the send time, serving delivery reports after each send
// (it sleeps between sends rather than spinning: the machine's cores are shared with the broker).
const PY_PRODUCER = String.raw`
import select, sys, time
from confluent_kafka import Producer
bootstrap, topic, rate, count = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
clock = lambda: time.clock_gettime_ns(time.CLOCK_MONOTONIC)
failed = 0
def report(err, msg):
    global failed
    if err is not None:
        failed += 1
p = Producer({'bootstrap.servers': bootstrap, 'acks': '1', 'linger.ms': 0})
while not select.select([sys.stdin], [], [], 0.02)[0]:
    p.produce(topic, b'p', partition=0, on_delivery=report)
    p.poll(0)
sys.stdin.readline()
start = clock()
interval = 1e9 / rate
for i in range(count):
    wait = start + int(i * interval) - clock()
    if wait > 0:
        time.sleep(wait / 1e9)
    p.produce(topic, str(clock()).encode(), partition=0, on_delivery=report)
    p.poll(0)
left = p.flush(30)
print('failed=%d unflushed=%d' % (failed, left), flush=True)
sys.exit(1 if failed or left else 0)
`

// The confluent-kafka consumer: reads the partition from the beginning without a group (assign), prints
// "primed" at the first priming record, then writes one latency in microseconds per measured record.
const PY_CONSUMER = String.raw`
import sys, time
from confluent_kafka import Consumer, TopicPartition
bootstrap, topic, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
clock = lambda: time.clock_gettime_ns(time.CLOCK_MONOTONIC)
c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'latency-bench', 'enable.auto.commit': False})
c.assign([TopicPartition(topic, 0, 0)])
primed = False
got = 0
out = []
while got < count:
    m = c.poll(1.0)
    now = clock()
    if m is None or m.error():
        continue
    v = m.value()
    if v == b'p':
        if not primed:
            primed = True
            print('primed', flush=True)
        continue
    out.append(str((now - int(v)) // 1000))
    got += 1
c.close()
sys.stdout.write('\n'.join(out) + '\n')
`

/** Why the confluent-kafka cases cannot run here, or null. */
export function confluentUnavailable() {
  const r = spawnSync(PYTHON, ['-c', 'import confluent_kafka'], { stdio: 'ignore' })
  return r.status === 0 ? null : `${PYTHON} cannot import confluent_kafka (Debian package python3-confluent-kafka)`
}

const clockNs = () => process.hrtime.bigint()

/** Spawns a child whose stdout is handed over line by line; resolves `exited` with its status and stderr. */
function spawnLines(command, args, { env, onLine, stdin = 'ignore' }) {
  const child = spawn(command, args, { env, stdio: [stdin, 'pipe', 'pipe'] })
  let stderr = ''
  let rest = ''
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (chunk) => {
    const now = clockNs()
    const lines = (rest + chunk).split('\n')
    rest = lines.pop()
    for (const line of lines) onLine(line, now)
  })
  child.stderr.on('data', (c) => (stderr = (stderr + c).slice(-16 * 1024)))
  const exited = new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code, signal) => resolve({ code, signal, stderr: () => stderr }))
  })
  return { child, exited }
}

function bounded(promise, ms, what) {
  let timer
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms))),
  ])
}

/** Latencies (µs) of the records sent after the warm-up, from a list in send order. */
function afterWarmup(latenciesUs, rate) {
  return latenciesUs.slice(Math.min(latenciesUs.length, Math.round(WARMUP_S * rate)))
}

/**
 * The CPU seconds (user+sys) processes have used, sampled until stop() (a process's last sample before it
 * exits). `mainThreadOf` names processes whose main thread is also sampled alone, as `<name>Main`.
 */
function cpuTracker(pids, mainThreadOf = []) {
  const last = new Map()
  const sample = () => {
    for (const [name, pid] of Object.entries(pids)) {
      const s = pid === undefined ? null : processCpuSeconds(pid)
      if (s !== null) last.set(name, s)
      const main = pid === undefined || !mainThreadOf.includes(name) ? null : mainThreadCpuSeconds(pid)
      if (main !== null) last.set(`${name}Main`, main)
    }
  }
  const timer = setInterval(sample, 100)
  return {
    stop() {
      clearInterval(timer)
      sample()
      return Object.fromEntries(last)
    },
  }
}

/**
 * How contended the machine's cores were while a case ran: the share of the time during which some
 * runnable task waited for a CPU (/proc/pressure/cpu). Latency on a shared machine is mostly this.
 */
function cpuPressure() {
  const startUs = cpuPressureMicros()
  const startMs = performance.now()
  return {
    stop() {
      const endUs = cpuPressureMicros()
      if (startUs === null || endUs === null) return null
      return ((endUs - startUs) / ((performance.now() - startMs) * 1000)) * 100
    },
  }
}

/** Samples the size of the store's WAL file while a case runs, to show it stays bounded. */
function walSampler(dataDir) {
  const path = join(dataDir, 'kafka-ts.db-wal')
  let max = 0
  const sample = () => {
    try {
      max = Math.max(max, statSync(path).size)
    } catch {
      // no WAL yet (or truncated away at this instant)
    }
  }
  const timer = setInterval(sample, 50)
  return {
    stop() {
      clearInterval(timer)
      sample()
      return max
    },
  }
}

function createTopic(env) {
  runChecked(NODE, [CLI, 'topics', '--create', '--topic', TOPIC, '--partitions', '1'], { env })
}

/**
 * One server case: a fresh data directory and broker, the consumer started first and primed, then `count`
 * paced records from the confluent-kafka producer.
 */
async function serverCase({ dir, env, rate, consumer }) {
  mkdirSync(dir)
  const dataEnv = { ...env, KAFKA_TS_DATA_DIR: dir }
  createTopic(dataEnv)
  const broker = await startBroker({ cli: CLI, dataDir: dir, env, nodeArgs: SERVER_NODE_ARGS })
  const wal = walSampler(dir)
  const bootstrap = `127.0.0.1:${broker.port}`
  const count = Math.round((SECONDS + WARMUP_S) * rate)
  const latencies = []
  let primedResolve
  const primed = new Promise((resolve) => (primedResolve = resolve))
  let received = 0
  let consumerProc
  if (consumer === 'confluent-kafka') {
    consumerProc = spawnLines(PYTHON, ['-c', PY_CONSUMER, bootstrap, TOPIC, String(count)], {
      env,
      onLine: (line) => {
        if (line === 'primed') primedResolve()
        else if (line !== '') latencies.push(Number(line))
      },
    })
  } else {
    consumerProc = spawnLines(NODE, [CLI, 'console-consumer', '--bootstrap-server', bootstrap, '--topic', TOPIC, '--from-beginning'], {
      env,
      onLine: (line, now) => {
        if (line === 'p') primedResolve()
        else if (line !== '') {
          latencies.push(Number((now - BigInt(line)) / 1000n))
          if (++received === count) consumerProc.child.kill('SIGTERM')
        }
      },
    })
  }
  const producer = spawnLines(PYTHON, ['-c', PY_PRODUCER, bootstrap, TOPIC, String(rate), String(count)], {
    env,
    stdin: 'pipe',
    onLine: () => {},
  })
  let cpu
  let pressure
  let cpuWaitPct = null
  try {
    await bounded(Promise.race([primed, consumerProc.exited.then((r) => Promise.reject(new Error(`consumer exited early:\n${r.stderr()}`)))]), 60_000, 'priming')
    const brokerCpuBefore = processCpuSeconds(broker.pid) ?? 0
    const brokerMainBefore = mainThreadCpuSeconds(broker.pid) ?? 0
    const consumerCpuBefore = processCpuSeconds(consumerProc.child.pid) ?? 0
    cpu = cpuTracker({ broker: broker.pid, producer: producer.child.pid, consumer: consumerProc.child.pid }, ['broker'])
    pressure = cpuPressure()
    producer.child.stdin.end('go\n')
    const p = await bounded(producer.exited, (SECONDS + WARMUP_S) * 1000 + DRAIN_TIMEOUT_MS, 'the producer')
    if (p.code !== 0) throw new Error(`the confluent-kafka producer failed (${p.signal ?? p.code}):\n${p.stderr()}`)
    const c = await bounded(consumerProc.exited, DRAIN_TIMEOUT_MS, 'the consumer')
    const sigterm = consumer !== 'confluent-kafka' && (c.signal === 'SIGTERM' || c.code === 0 || c.code === 143)
    if (c.code !== 0 && !sigterm) throw new Error(`the ${consumer} consumer failed (${c.signal ?? c.code}):\n${c.stderr()}`)
    if (latencies.length !== count) throw new Error(`the ${consumer} consumer received ${latencies.length} of ${count} records`)
    const used = cpu.stop()
    cpu = { ...used, broker: used.broker - brokerCpuBefore, brokerMain: used.brokerMain - brokerMainBefore, consumerRun: used.consumer - consumerCpuBefore }
    cpuWaitPct = pressure.stop()
  } finally {
    for (const proc of [producer, consumerProc]) if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL')
    await broker.stop()
  }
  return { latenciesUs: afterWarmup(latencies, rate), walMaxBytes: wal.stop(), cpu, cpuWaitPct, records: count }
}

/**
 * The embedded case: console-producer (embedded) reads paced lines from this process, a tailing embedded
 * console-consumer in a third process prints them; latency is from the write into the producer's stdin to
 * the line arriving here.
 */
async function embeddedCase({ dir, env, rate }) {
  mkdirSync(dir)
  const dataEnv = { ...env, KAFKA_TS_DATA_DIR: dir }
  createTopic(dataEnv)
  const wal = walSampler(dir)
  const count = Math.round((SECONDS + WARMUP_S) * rate)
  const latencies = []
  let primedResolve
  const primed = new Promise((resolve) => (primedResolve = resolve))
  const consumer = spawnLines(NODE, [CLI, 'console-consumer', '--topic', TOPIC, '--from-beginning'], {
    env: dataEnv,
    onLine: (line, now) => {
      if (line === 'p') primedResolve()
      else if (line !== '') {
        latencies.push(Number((now - BigInt(line)) / 1000n))
        if (latencies.length === count) consumer.child.kill('SIGTERM')
      }
    },
  })
  const producer = spawnLines(NODE, [CLI, 'console-producer', '--topic', TOPIC, '--request-required-acks', '1', '--timeout', '0'], {
    env: dataEnv,
    stdin: 'pipe',
    onLine: () => {},
  })
  const stdin = producer.child.stdin
  const cpu = cpuTracker({ producer: producer.child.pid, consumer: consumer.child.pid })
  let pressure
  let cpuWaitPct = null
  try {
    const priming = setInterval(() => stdin.write('p\n'), 20)
    try {
      await bounded(primed, 60_000, 'priming')
    } finally {
      clearInterval(priming)
    }
    // Paced writes on a 1 ms timer: each tick writes the records now due, each stamped as it is written.
    pressure = cpuPressure()
    const start = clockNs()
    const intervalNs = 1e9 / rate
    let sent = 0
    await new Promise((resolve) => {
      const tick = () => {
        const elapsed = Number(clockNs() - start)
        let chunk = ''
        while (sent < count && sent * intervalNs <= elapsed) {
          chunk += `${clockNs()}\n`
          sent++
        }
        if (chunk !== '') stdin.write(chunk)
        if (sent < count) setTimeout(tick, 1)
        else resolve()
      }
      tick()
    })
    const c = await bounded(consumer.exited, DRAIN_TIMEOUT_MS, 'the consumer')
    cpuWaitPct = pressure.stop()
    if (latencies.length !== count) throw new Error(`console-consumer received ${latencies.length} of ${count} records (${c.signal ?? c.code}):\n${c.stderr()}`)
    stdin.end()
    const p = await bounded(producer.exited, DRAIN_TIMEOUT_MS, 'console-producer')
    if (p.code !== 0) throw new Error(`console-producer failed (${p.signal ?? p.code}):\n${p.stderr()}`)
  } finally {
    for (const proc of [producer, consumer]) if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL')
  }
  return { latenciesUs: afterWarmup(latencies, rate), walMaxBytes: wal.stop(), cpu: cpu.stop(), cpuWaitPct, records: count }
}

/** CPU µs per record sent: the broker's main thread + its other threads, and the consumer's. */
function perRecord(run) {
  const us = (s) => fmtInt(Math.round((s * 1e6) / run.records))
  const c = run.cpu ?? {}
  const broker = c.broker === undefined ? '—' : c.brokerMain === undefined ? us(c.broker) : `${us(c.brokerMain)}+${us(c.broker - c.brokerMain)}`
  const consumer = c.consumerRun ?? c.consumer
  return `${broker} / ${consumer === undefined ? '—' : us(consumer)}`
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]
}

function summarise(latenciesUs) {
  const sorted = Float64Array.from(latenciesUs).sort()
  const ms = (us) => us / 1000
  return {
    samples: sorted.length,
    p50: ms(percentile(sorted, 50)),
    p99: ms(percentile(sorted, 99)),
    p999: ms(percentile(sorted, 99.9)),
    max: ms(sorted[sorted.length - 1]),
  }
}

/** The cases to run, in order: both server consumers at each rate, then the embedded pair. */
function plan() {
  const cases = []
  const noConfluent = confluentUnavailable()
  for (const rate of RATES) {
    if (CASES.has('ck-ck')) cases.push({ kind: 'server', consumer: 'confluent-kafka', rate, skip: noConfluent })
    if (CASES.has('ck-kts')) cases.push({ kind: 'server', consumer: 'kafka-ts', rate, skip: noConfluent })
  }
  if (CASES.has('embedded')) cases.push({ kind: 'embedded', rate: EMBEDDED_RATE, skip: null })
  return cases
}

const label = (c) =>
  c.kind === 'embedded'
    ? `embedded console-producer → console-consumer, ${fmtInt(c.rate)}/s`
    : `server, confluent-kafka → ${c.consumer === 'kafka-ts' ? 'kafka-ts console-consumer' : 'confluent-kafka'}, ${fmtInt(c.rate)}/s`

/** Runs every case RUNS times (rounds interleave the cases) and returns the report lines. */
export async function latencyReport({ env, progress = () => {} }) {
  const tmp = mkdtempSync(join(tmpdir(), 'kafka-ts-bench-latency-'))
  try {
    const cases = plan()
    const results = cases.map(() => [])
    for (let round = 1; round <= RUNS; round++) {
      for (const [i, c] of cases.entries()) {
        if (c.skip) continue
        progress(`latency round ${round}/${RUNS}: ${label(c)}`)
        const dir = join(tmp, `case-${round}-${i}`)
        const r = c.kind === 'embedded' ? await embeddedCase({ dir, env, rate: c.rate }) : await serverCase({ dir, env, rate: c.rate, consumer: c.consumer })
        results[i].push({ ...summarise(r.latenciesUs), walMaxBytes: r.walMaxBytes, cpu: r.cpu, cpuWaitPct: r.cpuWaitPct, records: r.records })
        if (process.env.BENCH_LATENCY_DUMP) {
          const name = `${c.kind === 'embedded' ? 'embedded' : c.consumer === 'kafka-ts' ? 'ck-kts' : 'ck-ck'}-${c.rate}-round${round}.txt`
          writeFileSync(join(process.env.BENCH_LATENCY_DUMP, name), r.latenciesUs.join('\n') + '\n')
        }
        if (process.env.BENCH_KEEP !== '1') rmSync(dir, { recursive: true, force: true })
      }
    }
    const range = (runs, key) => {
      const values = runs.map((r) => r[key])
      const lo = Math.min(...values)
      const hi = Math.max(...values)
      const digits = hi < 10 ? 2 : 1
      return lo === hi ? fmtFixed(lo, digits) : `${fmtFixed(lo, digits)}–${fmtFixed(hi, digits)}`
    }
    const rows = []
    const verdicts = []
    for (const [i, c] of cases.entries()) {
      if (c.skip) {
        rows.push([label(c), 'skipped', '', '', '', '', '', '', '', '', ''])
        continue
      }
      const runs = results[i]
      const target = c.kind === 'embedded' ? LATENCY_TARGETS.embedded : LATENCY_TARGETS.server
      const worst = (key) => Math.max(...runs.map((r) => r[key]))
      const ok = worst('p99') <= target.p99 && (target.p999 === undefined || worst('p999') <= target.p999)
      verdicts.push(ok)
      rows.push([
        label(c),
        fmtInt(runs[0].samples),
        range(runs, 'p50'),
        `${range(runs, 'p99')} (≤ ${target.p99})`,
        target.p999 === undefined ? range(runs, 'p999') : `${range(runs, 'p999')} (≤ ${target.p999})`,
        range(runs, 'max'),
        fmtFixed(Math.max(...runs.map((r) => r.walMaxBytes)) / 1e6, 1),
        ['broker', 'producer', 'consumer'].map((k) => (runs[0].cpu?.[k] === undefined ? '—' : fmtFixed(runs[0].cpu[k], 1))).join(' / '),
        perRecord(runs[0]),
        runs.some((r) => r.cpuWaitPct === null) ? '—' : range(runs, 'cpuWaitPct'),
        ok ? 'PASS' : 'MISS',
      ])
    }
    const lines = [
      `Latency (issue 11): produce→consume, acks=1, linger 0, one record per send; ${SECONDS} s measured per case after ${WARMUP_S} s of warm-up, ${RUNS} round(s) (range over rounds)`,
      table(['Case', 'samples', 'p50 ms', 'p99 ms (target)', 'p99.9 ms (target)', 'max ms', 'WAL max MB', 'cpu s b/p/c', 'cpu µs/rec b(main+other)/c', 'cpu wait %', 'result'], rows),
      'cpu wait %: share of the measured time during which some task on the machine waited for a core (/proc/pressure/cpu), ' +
        "the case's own processes included; the higher it is, the more the tail measures the machine's other load rather than kafka-ts. " +
        "cpu µs/rec: the broker's CPU per record sent (its main thread + its other threads: the WAL checkpoint worker, V8's helpers) " +
        "and the consumer's (from the start of the measured records, so without its start-up in the server cases), first round.",
    ]
    for (const c of cases) if (c.skip) lines.push(`${label(c)}: skipped (${c.skip})`)
    return lines
  } finally {
    if (process.env.BENCH_KEEP === '1') process.stderr.write(`latency bench data kept in ${tmp}\n`)
    else rmSync(tmp, { recursive: true, force: true })
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const env = { ...process.env, NO_COLOR: '1' }
  delete env.DEBUG
  delete env.NODE_OPTIONS
  delete env.KAFKA_TS_DATA_DIR
  try {
    const lines = await latencyReport({ env, progress: (m) => process.stderr.write(`[bench] ${m}\n`) })
    process.stdout.write(lines.join('\n') + '\n')
  } catch (err) {
    process.stderr.write(`latency bench failed: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exitCode = 1
  }
}
