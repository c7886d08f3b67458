// `npm run bench`: the embedded toolkit's throughput and start-up time beside the limits of the
// machine it runs on, all measured in one run (see bench/README.md for what each figure means).
// A benchmark, not a test: it exits 0 when a target is missed and non-zero only when something broke.
//
// Knobs (environment): BENCH_RECORDS (1000000), BENCH_RUNS (rounds per throughput figure, 5),
// BENCH_COLD_RUNS (15), BENCH_KEEP=1 keeps the temp directory, BENCH_SERVER=0 skips the broker rounds
// (bench/server.js), BENCH_FETCH_PASSES (3) passes of the raw Fetch loop, BENCH_SERVER_NODE_ARGS
// (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") extra node options for the broker process,
// BENCH_RETENTION=0 skips the retention/compaction scenario (bench/retention.js, its own knobs) run at the end;
// BENCH_SCALE=0 skips the partitions-at-scale scenario (bench/scale.js, its own knobs) after it.
// BENCH_PERF=0 skips the perf-tool rounds (bench/perf-tools.js); BENCH_ONLY=perf runs only those and the
// raw SQLite limits they are compared with. BENCH_LATENCY=0 skips the produce→consume latency cases
// (bench/latency.js, its own BENCH_LATENCY_* knobs); BENCH_ONLY=latency runs only them; BENCH_ONLY=cold runs only
// the cold-start rows (bench/cold-start.js). BENCH_TXN=0 skips the transactions rows (bench/transactions.js, its
// own BENCH_TXN_* knobs); BENCH_ONLY=txn runs only them.

import { existsSync, openSync, closeSync, rmSync, mkdirSync, readFileSync, statfsSync } from 'node:fs'
import { cpus } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { writeLinesFile } from './input.js'
import { median, medianRun, runChecked } from './measure.js'
import { fmtFixed, fmtInt, fmtPct, table } from './report.js'
import { coldStartReport, coldStarts } from './cold-start.js'
import { perfToolsReport, perfToolsRound } from './perf-tools.js'
import { serverBenchUnavailable, serverReport, serverRound } from './server.js'
import { latencyReport } from './latency.js'
import { transactionsBenchUnavailable, transactionsReport } from './transactions.js'
import { benchTempDir } from './temp-dir.js'

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)))
const CLI = join(ROOT, 'bin', 'run.js')
const NODE = process.execPath

const RECORDS = Number(process.env.BENCH_RECORDS ?? 1_000_000)
const VALUE_BYTES = 100
const RUNS = Number(process.env.BENCH_RUNS ?? 5)
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 15)
const TOPIC = 'bench'

const TARGETS = {
  producerRecordsPerS: 1_000_000,
  consumerRecordsPerS: 2_000_000,
  topicsListMedianMs: 150,
}

const { dir: tmp, cleanup } = benchTempDir('kafka-ts-bench-')

const progress = (msg) => process.stderr.write(`[bench] ${msg}\n`)

/** Environment for CLI children: only the data directory differs; colours and debug output off. */
function cliEnv(dataDir) {
  const env = { ...process.env, KAFKA_TS_DATA_DIR: dataDir, NO_COLOR: '1' }
  delete env.DEBUG
  delete env.NODE_OPTIONS
  return env
}

function freshDataDir(name) {
  const dir = join(tmp, name)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir)
  // Creating the topic (and initialising the store) is not part of the ingest measurement.
  runChecked(NODE, [CLI, 'topics', '--create', '--topic', TOPIC, '--partitions', '1'], { env: cliEnv(dir) })
  return dir
}

function produce(dataDir, inputFile, acks) {
  const args = [CLI, 'console-producer', '--topic', TOPIC]
  if (acks !== undefined) args.push('--request-required-acks', acks)
  const stdin = openSync(inputFile, 'r')
  try {
    const r = runChecked(NODE, args, { env: cliEnv(dataDir), stdin })
    if (r.stderr.trim() !== '') throw new Error(`console-producer wrote to stderr:\n${r.stderr.trim()}`)
    return r
  } finally {
    closeSync(stdin)
  }
}

function consume(dataDir) {
  const stdout = openSync('/dev/null', 'w')
  try {
    const r = runChecked(
      NODE,
      [CLI, 'console-consumer', '--topic', TOPIC, '--from-beginning', '--max-messages', String(RECORDS)],
      { env: cliEnv(dataDir), stdout },
    )
    const m = /Processed a total of (\d+) messages/.exec(r.stderr)
    if (!m || Number(m[1]) !== RECORDS) throw new Error(`console-consumer did not read ${RECORDS} records:\n${r.stderr.trim()}`)
    return r
  } finally {
    closeSync(stdout)
  }
}

function rawLimits(dir) {
  mkdirSync(dir)
  const r = runChecked(NODE, [join(ROOT, 'bench', 'raw-sqlite.js'), JSON.stringify({ dir, records: RECORDS, valueBytes: VALUE_BYTES })], {
    stdout: 'pipe',
  })
  rmSync(dir, { recursive: true, force: true })
  return JSON.parse(r.stdout)
}

/** statfs magic numbers of the file systems a temp dir is likely to be on (fsync costs differ widely). */
const FS_TYPES = { 0xef53: 'ext4', 0x01021994: 'tmpfs', 0x58465342: 'xfs', 0x9123683e: 'btrfs', 0x794c7630: 'overlayfs', 0x2fc12fc1: 'zfs' }

function machineLine() {
  const cpu = cpus()
  let fs = ''
  try {
    const s = statfsSync(tmp)
    fs = `, temp dir ${dirname(tmp)} on ${FS_TYPES[s.type] ?? `fs type 0x${s.type.toString(16)}`}`
  } catch {
    // statfs is informational only
  }
  let kernel = ''
  try {
    kernel = ` · ${readFileSync('/proc/sys/kernel/osrelease', 'latin1').trim()}`
  } catch {
    // not Linux
  }
  return `node ${process.version} · ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}${kernel}${fs}`
}

/** The transactions rows (bench/transactions.js), or why they cannot run here. */
async function transactionsLines() {
  const why = transactionsBenchUnavailable()
  if (why) return [`transactions: skipped (${why})`]
  return transactionsReport({ tmp, env: cliEnv(undefined), progress })
}

async function main() {
  if (!existsSync(join(ROOT, 'dist', 'commands'))) throw new Error('dist/ is missing: run `npm run bench` (it builds first)')
  const started = process.hrtime.bigint()
  if (process.env.BENCH_ONLY === 'latency') {
    const lines = [machineLine(), '', ...(await latencyReport({ env: cliEnv(undefined), progress })), '']
    lines.push(`bench took ${fmtFixed(Number(process.hrtime.bigint() - started) / 1e9, 1)} s`)
    process.stdout.write(lines.join('\n') + '\n')
    return
  }
  if (process.env.BENCH_ONLY === 'txn') {
    const lines = [machineLine(), '', ...(await transactionsLines()), '']
    lines.push(`bench took ${fmtFixed(Number(process.hrtime.bigint() - started) / 1e9, 1)} s`)
    process.stdout.write(lines.join('\n') + '\n')
    return
  }
  if (process.env.BENCH_ONLY === 'cold') {
    progress(`cold start only (BENCH_ONLY=cold): ${COLD_RUNS} × node -e 0, topics --list and --version, interleaved`)
    const cold = coldStarts({ node: NODE, cli: CLI, env: cliEnv(freshDataDir('cold')), runs: COLD_RUNS })
    process.stdout.write([`kafka-ts bench, cold start only (BENCH_ONLY=cold)`, machineLine(), '', ...coldStartReport(cold), ''].join('\n'))
    return
  }
  const inputFile = join(tmp, 'lines.txt')
  progress(`writing ${fmtInt(RECORDS)} lines of ${VALUE_BYTES} bytes`)
  const inputBytes = writeLinesFile(inputFile, RECORDS, VALUE_BYTES)
  const valueMB = (RECORDS * VALUE_BYTES) / 1e6

  const runs = { raw: [], acksAll: [], acksOne: [], consumer: [], server: [], perf: [] }
  const onlyPerf = process.env.BENCH_ONLY === 'perf'
  const perfSkipped = process.env.BENCH_PERF === '0'
  const serverSkipped = process.env.BENCH_SERVER === '0' ? 'BENCH_SERVER=0' : serverBenchUnavailable()
  const serverNodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter((a) => a !== '')
  let lastDataDir
  for (let round = 1; round <= RUNS; round++) {
    progress(`round ${round}/${RUNS}: raw SQLite limits`)
    runs.raw.push(rawLimits(join(tmp, `raw-${round}`)))
    if (!perfSkipped) {
      runs.perf.push(
        await perfToolsRound({
          cli: CLI,
          dir: join(tmp, `perf-${round}`),
          env: cliEnv(undefined),
          records: RECORDS,
          valueBytes: VALUE_BYTES,
          round: `${round}/${RUNS}`,
          progress,
        }),
      )
      rmSync(join(tmp, `perf-${round}`), { recursive: true, force: true })
    }
    if (onlyPerf) continue
    progress(`round ${round}/${RUNS}: console-producer acks=-1`)
    const dataDir = freshDataDir(`acks-all-${round}`)
    runs.acksAll.push(produce(dataDir, inputFile, undefined))
    progress(`round ${round}/${RUNS}: console-consumer`)
    runs.consumer.push(consume(dataDir))
    progress(`round ${round}/${RUNS}: console-producer acks=1`)
    const oneDir = freshDataDir(`acks-one-${round}`)
    runs.acksOne.push(produce(oneDir, inputFile, '1'))
    rmSync(oneDir, { recursive: true, force: true })
    if (lastDataDir) rmSync(lastDataDir, { recursive: true, force: true })
    lastDataDir = dataDir
    if (!serverSkipped) {
      runs.server.push(
        await serverRound({
          root: ROOT,
          cli: CLI,
          dir: join(tmp, `server-${round}`),
          env: cliEnv(undefined),
          round: `${round}/${RUNS}`,
          roundIndex: round,
          records: RECORDS,
          valueBytes: VALUE_BYTES,
          inputFile,
          progress,
          nodeArgs: serverNodeArgs,
        }),
      )
    }
  }
  const rawMedian = (key) => median(runs.raw.map((r) => r[key]))
  if (onlyPerf) {
    const raw = { insertFull: rawMedian('insertFullS'), scan: rawMedian('scanS') }
    const lines = [
      `kafka-ts bench, perf tools only (BENCH_ONLY=perf) — ${fmtInt(RECORDS)} records × ${VALUE_BYTES} B, ${RUNS} round(s)`,
      machineLine(),
      `raw limits in the same rounds: insert FULL ${fmtInt(RECORDS / raw.insertFull)} records/s, scan ${fmtInt(RECORDS / raw.scan)} records/s`,
      '',
      ...perfToolsReport({ runs: runs.perf, raw, records: RECORDS, valueBytes: VALUE_BYTES }),
      '',
      `bench took ${fmtFixed(Number(process.hrtime.bigint() - started) / 1e9, 1)} s`,
    ]
    process.stdout.write(lines.join('\n') + '\n')
    return
  }
  progress(`cold start: ${COLD_RUNS} × node -e 0, topics --list and --version, interleaved`)
  const cold = coldStarts({ node: NODE, cli: CLI, env: cliEnv(lastDataDir), runs: COLD_RUNS })

  // --- figures -------------------------------------------------------------------------------------------
  const rate = (s) => RECORDS / s
  const prodAll = medianRun(runs.acksAll)
  const prodOne = medianRun(runs.acksOne)
  const cons = medianRun(runs.consumer)
  const raw = {
    insertFull: rawMedian('insertFullS'),
    insertNormal: rawMedian('insertNormalS'),
    insertStoreFull: rawMedian('insertStoreFullS'),
    scan: rawMedian('scanS'),
    walk: rawMedian('walkS'),
    build: rawMedian('buildS'),
  }
  const listMedian = median(cold.ms.list)
  const spread = (list) => `${fmtFixed(Math.min(...list), 2)}–${fmtFixed(Math.max(...list), 2)}`

  const lines = []
  const say = (s = '') => lines.push(s)
  say(`kafka-ts bench — ${fmtInt(RECORDS)} records × ${VALUE_BYTES} B values (${fmtFixed(valueMB, 1)} MB; input file ${fmtFixed(inputBytes / 1e6, 1)} MB)`)
  say(machineLine())
  say(`rounds per throughput figure: ${RUNS} (median shown, wall-time range beside it); raw limits measured in the same rounds`)
  say(`stored: ${fmtInt(runs.raw[0].batches)} batches of ~16 KiB, ${fmtFixed(runs.raw[0].storedBytes / 1e6, 1)} MB`)
  say()
  const procRow = (label, r, runsOf) => [
    label,
    fmtInt(rate(r.wallS)),
    fmtFixed(valueMB / r.wallS, 1),
    fmtFixed(r.wallS, 2),
    spread(runsOf.map((x) => x.wallS)),
    fmtFixed(r.cpuS, 2),
  ]
  const rawRow = (label, key, s) => [label, fmtInt(rate(s)), fmtFixed(valueMB / s, 1), fmtFixed(s, 3), spread(runs.raw.map((x) => x[key])), '']
  say(
    table(
      ['Throughput', 'records/s', 'MB/s', 'wall s', 'range s', 'cpu s'],
      [
        procRow('console-producer, acks=-1 (default), stdin file', prodAll, runs.acksAll),
        procRow('console-producer, --request-required-acks 1', prodOne, runs.acksOne),
        procRow('console-consumer --from-beginning > /dev/null', cons, runs.consumer),
        rawRow('raw insert, WAL, synchronous=FULL, txn/4 MiB', 'insertFullS', raw.insertFull),
        rawRow('raw insert, WAL, synchronous=NORMAL, txn/4 MiB', 'insertNormalS', raw.insertNormal),
        rawRow('  (info) raw insert into the store schema, FULL', 'insertStoreFullS', raw.insertStoreFull),
        rawRow('raw scan, SELECT all blobs', 'scanS', raw.scan),
        rawRow('  (info) raw scan + forEachRecord walk, no output', 'walkS', raw.walk),
        rawRow('  (info) RecordBatchBuilder encode, in memory', 'buildS', raw.build),
      ],
    ),
  )
  say('CLI rows: wall time around the whole process (start-up, open, work, close); cpu s = user+sys of the child.')
  say('raw rows: in-process timing of the operation alone (insert: to the last commit; scan: first to last row).')
  say(
    `start-up-adjusted (wall − topics --list median): producer acks=-1 ${fmtInt(RECORDS / (prodAll.wallS - listMedian / 1000))} records/s, ` +
      `consumer ${fmtInt(RECORDS / (cons.wallS - listMedian / 1000))} records/s`,
  )
  say()
  for (const l of coldStartReport(cold)) say(l)
  say()
  say(
    table(
      ['Ratio', 'value'],
      [
        ['producer acks=-1 / raw insert FULL', fmtPct(raw.insertFull / prodAll.wallS)],
        ['producer acks=1 / raw insert NORMAL', fmtPct(raw.insertNormal / prodOne.wallS)],
        ['consumer / raw scan', fmtPct(raw.scan / cons.wallS)],
        ['consumer / raw scan + record walk', fmtPct(raw.walk / cons.wallS)],
      ],
    ),
  )
  say()
  const verdict = (ok) => (ok ? 'PASS' : 'MISS')
  const producerRate = rate(prodAll.wallS)
  const consumerRate = rate(cons.wallS)
  say(
    table(
      ['Target (issue 2)', 'target', 'measured', 'of target', 'result'],
      [
        [
          'console-producer acks=-1, records/s',
          `≥ ${fmtInt(TARGETS.producerRecordsPerS)}`,
          fmtInt(producerRate),
          fmtPct(producerRate / TARGETS.producerRecordsPerS),
          verdict(producerRate >= TARGETS.producerRecordsPerS),
        ],
        [
          'console-consumer, records/s',
          `≥ ${fmtInt(TARGETS.consumerRecordsPerS)}`,
          fmtInt(consumerRate),
          fmtPct(consumerRate / TARGETS.consumerRecordsPerS),
          verdict(consumerRate >= TARGETS.consumerRecordsPerS),
        ],
        [
          'topics --list cold start, median ms',
          `≤ ${TARGETS.topicsListMedianMs}`,
          fmtFixed(listMedian, 1),
          fmtPct(listMedian / TARGETS.topicsListMedianMs),
          verdict(listMedian <= TARGETS.topicsListMedianMs),
        ],
        [
          '  (info) console-producer acks=1, records/s',
          `≥ ${fmtInt(TARGETS.producerRecordsPerS)}`,
          fmtInt(rate(prodOne.wallS)),
          fmtPct(rate(prodOne.wallS) / TARGETS.producerRecordsPerS),
          verdict(rate(prodOne.wallS) >= TARGETS.producerRecordsPerS),
        ],
      ],
    ),
  )
  say()
  if (serverSkipped) say(`broker on loopback: skipped (${serverSkipped})`)
  else for (const l of serverReport({ runs: runs.server, raw, records: RECORDS, valueBytes: VALUE_BYTES })) say(l)
  say()
  if (perfSkipped) say('perf tools: skipped (BENCH_PERF=0)')
  else for (const l of perfToolsReport({ runs: runs.perf, raw, records: RECORDS, valueBytes: VALUE_BYTES })) say(l)
  say()
  if (process.env.BENCH_LATENCY === '0') say('latency: skipped (BENCH_LATENCY=0)')
  else for (const l of await latencyReport({ env: cliEnv(undefined), progress })) say(l)
  say()
  if (process.env.BENCH_TXN === '0') say('transactions: skipped (BENCH_TXN=0)')
  else for (const l of await transactionsLines()) say(l)
  say()
  if (process.env.BENCH_RETENTION === '0') say('retention and compaction: skipped (BENCH_RETENTION=0)')
  else {
    progress('retention and compaction (bench/retention.js)')
    say(runChecked(NODE, [join(ROOT, 'bench', 'retention.js')], { env: cliEnv(undefined), stdout: 'pipe' }).stdout.trimEnd())
    say()
  }
  if (process.env.BENCH_SCALE === '0') say('partitions at scale: skipped (BENCH_SCALE=0)')
  else {
    progress('partitions at scale (bench/scale.js)')
    say(runChecked(NODE, [join(ROOT, 'bench', 'scale.js')], { env: cliEnv(undefined), stdout: 'pipe' }).stdout.trimEnd())
    say()
  }
  say(`bench took ${fmtFixed(Number(process.hrtime.bigint() - started) / 1e9, 1)} s`)
  process.stdout.write(lines.join('\n') + '\n')
}

try {
  await main()
} catch (err) {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exitCode = 1
} finally {
  cleanup()
}
