// The broker half of `npm run bench` (issue 3): kafka-ts `server-start` on loopback, driven by real clients
// (kcat / librdkafka) and by a raw Fetch loop, with Redis Streams run beside it as the alternative users
// weigh. One call of serverRound() is one round; run.js interleaves the rounds with its own, so the raw
// SQLite limits it measures are taken in the same run. See bench/README.md for what each figure means.

import { spawnSync } from 'node:child_process'
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'

import { REDIS_DURABILITY, startBroker, startRedis } from './broker-process.js'
import { median, medianRun, runChecked } from './measure.js'
import { RssSampler, processCpuSeconds, runAsyncChecked } from './proc.js'
import { fmtFixed, fmtInt, fmtPct, table } from './report.js'

export const SERVER_TARGETS = {
  produceAcksOneRecordsPerS: 1_000_000,
  produceAcksAllRecordsPerS: 600_000,
  /** acks=-1 produce must be ahead of the Redis XADD run. */
  produceAcksAllOverRedis: 1,
  fetchLoopGBPerS: 1,
  consumerRecordsPerS: 1_000_000,
  brokerRssBytes: 200 * 1024 * 1024,
  /** Issue 14: a read_committed consumer at ≥ 0.9× the read_uncommitted one. */
  readCommittedOverUncommitted: 0.9,
}

/**
 * librdkafka settings, the same in every round. Producer: batches of up to 10 000 records (batch.size keeps
 * its 1 MB default) after at most 5 ms, instead of the 10 000 / 5 ms defaults of newer librdkafka versions.
 * Consumer: fetches of up to 8 MiB per partition; the fetcher keeps fetching until a million records are
 * queued; and fetch.wait.max.ms 10, because `-e` only sees the end of the partition from an empty Fetch,
 * which the broker (as Kafka does) holds for fetch.wait.max.ms — 500 ms by default, a fixed tail cost.
 */
export const KCAT_PRODUCE_TUNING = ['-X', 'linger.ms=5', '-X', 'batch.num.messages=10000']
export const KCAT_CONSUME_TUNING = ['-X', 'fetch.wait.max.ms=10', '-X', 'fetch.message.max.bytes=8388608', '-X', 'queued.min.messages=1000000']
const FETCH_LOOP = { passes: Number(process.env.BENCH_FETCH_PASSES ?? 3), maxBytes: 52_428_800, partitionMaxBytes: 8 << 20 }
const REDIS_PIPELINE = 100
const REDIS_CLIENTS = 50 // redis-benchmark's default, spelled out
const MB = 1024 * 1024

/** Why the server benchmark cannot run here, or null when kcat is installed. Redis is optional. */
export function serverBenchUnavailable() {
  if (spawnSync('kcat', ['-V'], { stdio: 'ignore' }).error) return 'kcat is not installed (Debian package kcat)'
  return null
}

function redisUnavailable() {
  for (const tool of ['redis-server', 'redis-benchmark', 'redis-cli']) {
    if (spawnSync(tool, ['--version'], { stdio: 'ignore' }).error) return `${tool} is not installed (Debian packages redis-server, redis-tools)`
  }
  return null
}

/** The broker's CPU seconds spent while `fn` runs, beside fn's own result. */
async function withBrokerCpu(pid, fn) {
  const before = processCpuSeconds(pid)
  const result = await fn()
  const after = processCpuSeconds(pid)
  return { ...result, brokerCpuS: before === null || after === null ? null : after - before }
}

/** kcat -P exits 0 even when deliveries failed; it reports them on stderr, which must stay empty. */
export async function kcatProduce(port, topic, acks, inputFile) {
  const r = await runAsyncChecked('kcat', ['-P', '-b', `127.0.0.1:${port}`, '-t', topic, '-X', `acks=${acks}`, ...KCAT_PRODUCE_TUNING, '-l', inputFile])
  if (r.stderr.trim() !== '') throw new Error(`kcat -P wrote to stderr:\n${r.stderr.trim()}`)
  return r
}

/** kcat -C to the end; its "Reached end … at offset N" line (not silenced with -q) proves every record came. */
export async function kcatConsume(port, topic, records, isolation = 'read_uncommitted') {
  const args = ['-C', '-b', `127.0.0.1:${port}`, '-t', topic, '-e', '-o', 'beginning', ...KCAT_CONSUME_TUNING, '-X', `isolation.level=${isolation}`]
  const r = await runAsyncChecked('kcat', args, {
    stdout: 'ignore',
  })
  const m = /Reached end of topic \S+ \[0\] at offset (\d+)/.exec(r.stderr)
  if (!m || Number(m[1]) !== records) throw new Error(`kcat -C did not reach offset ${records} of ${topic}:\n${r.stderr.trim()}`)
  return r
}

export async function fetchLoop(root, port, topic, records) {
  const r = await runAsyncChecked(process.execPath, [join(root, 'bench', 'fetch-loop.js'), JSON.stringify({ port, topic, records, ...FETCH_LOOP })], {
    stdout: 'pipe',
  })
  return { ...r, ...JSON.parse(r.stdout) }
}

/** redis-benchmark XADD of `records` 100-byte entries, pipelined, into a fresh redis-server (appendfsync always). */
async function redisRun(dir, records, valueBytes) {
  mkdirSync(dir)
  const redis = await startRedis({ dir })
  try {
    // -r makes redis-benchmark replace __rand_int__ (12 digits) in each command, so the entries differ.
    const payload = '__rand_int__'.padEnd(valueBytes, 'x')
    const cpuBefore = processCpuSeconds(redis.pid)
    const r = await runAsyncChecked(
      'redis-benchmark',
      ['-h', '127.0.0.1', '-p', String(redis.port), '-c', String(REDIS_CLIENTS), '-P', String(REDIS_PIPELINE), '-n', String(records), '-r', String(records), '--csv', 'XADD', 'bench', '*', 'f', payload],
      { stdout: 'pipe' },
    )
    const serverCpuS = processCpuSeconds(redis.pid) - cpuBefore
    // --csv: a header line, then "command","rps",latencies…
    const row = r.stdout.trim().split('\n').at(-1) ?? ''
    const rps = Number(row.split('","')[1])
    if (!Number.isFinite(rps) || rps <= 0) throw new Error(`cannot read requests/s from redis-benchmark:\n${r.stdout}`)
    const xlen = runChecked('redis-cli', ['-p', String(redis.port), 'XLEN', 'bench'], { stdout: 'pipe' }).stdout.trim()
    if (Number(xlen) !== records) throw new Error(`redis stream holds ${xlen} entries after the benchmark, expected ${records}`)
    return { rps, wallS: r.wallS, cpuS: r.cpuS, serverCpuS }
  } finally {
    await redis.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * One round: a fresh data directory with two topics, a broker on it, kcat produce at acks=1 and acks=-1
 * (order alternating by round), kcat consume and the raw Fetch loop, broker RSS sampled every 100 ms
 * throughout; then the Redis run with the broker stopped.
 */
export async function serverRound({ root, cli, dir, env, round, roundIndex, records, valueBytes, inputFile, progress, nodeArgs = [] }) {
  mkdirSync(dir)
  const dataDir = join(dir, 'data')
  mkdirSync(dataDir)
  // Creating the topics (and initialising the store) is not part of the measurement.
  for (const topic of ['acks-one', 'acks-all']) {
    runChecked(process.execPath, [cli, 'topics', '--create', '--topic', topic, '--partitions', '1'], { env: { ...env, KAFKA_TS_DATA_DIR: dataDir } })
  }
  const broker = await startBroker({ cli, dataDir, env, nodeArgs })
  const rss = new RssSampler(broker.pid, 100)
  const out = {}
  try {
    const step = async (key, label, fn) => {
      progress(`round ${round}: broker ${label}`)
      rss.phase(label)
      out[key] = await withBrokerCpu(broker.pid, fn)
    }
    const produceSteps = [
      ['acksOne', 'kcat -P acks=1', () => kcatProduce(broker.port, 'acks-one', 1, inputFile)],
      ['acksAll', 'kcat -P acks=-1', () => kcatProduce(broker.port, 'acks-all', -1, inputFile)],
    ]
    if (roundIndex % 2 === 0) produceSteps.reverse()
    for (const s of produceSteps) await step(...s)
    const consumeSteps = [
      ['consume', 'kcat -C', () => kcatConsume(broker.port, 'acks-one', records)],
      ['consumeCommitted', 'kcat -C read_committed', () => kcatConsume(broker.port, 'acks-one', records, 'read_committed')],
    ]
    if (roundIndex % 2 === 0) consumeSteps.reverse()
    for (const s of consumeSteps) await step(...s)
    await step('fetchLoop', 'raw Fetch loop', () => fetchLoop(root, broker.port, 'acks-all', records))
    rss.phase('idle')
  } finally {
    rss.stop()
    await broker.stop()
  }
  out.rss = { maxBytes: rss.maxBytes, byPhase: Object.fromEntries(rss.byPhase), samples: rss.samples }
  rmSync(dataDir, { recursive: true, force: true })

  const noRedis = redisUnavailable()
  if (noRedis) out.redis = { skipped: noRedis }
  else {
    progress(`round ${round}: redis-benchmark XADD, appendfsync always`)
    out.redis = await redisRun(join(dir, 'redis'), records, valueBytes)
  }
  rmSync(dir, { recursive: true, force: true })
  return out
}

/** The report lines of the broker section; `raw` holds the medians of the raw SQLite limits from run.js. */
export function serverReport({ runs, raw, records, valueBytes }) {
  const lines = []
  const say = (s = '') => lines.push(s)
  const valueMB = (records * valueBytes) / 1e6
  const rate = (s) => records / s
  const spread = (list) => `${fmtFixed(Math.min(...list), 2)}–${fmtFixed(Math.max(...list), 2)}`
  const pick = (key) => runs.map((r) => r[key])

  const acksOne = medianRun(pick('acksOne'))
  const acksAll = medianRun(pick('acksAll'))
  const consume = medianRun(pick('consume'))
  const consumeCommitted = medianRun(pick('consumeCommitted'))
  const loop = medianRun(pick('fetchLoop'), 'totalS')
  const loopPassS = loop.totalS / loop.passes
  const loopBytesPerPass = loop.batchBytes / loop.passes
  const loopGBps = loop.batchBytes / loop.totalS / 1e9
  const redisRuns = runs.map((r) => r.redis).filter((r) => r && !r.skipped)
  const redis = redisRuns.length > 0 ? medianRun(redisRuns.map((r) => ({ ...r, inv: 1 / r.rps })), 'inv') : undefined
  const rssMax = Math.max(...runs.map((r) => r.rss.maxBytes))

  const row = (label, r, list) => [
    label,
    fmtInt(rate(r.wallS)),
    fmtFixed(valueMB / r.wallS, 1),
    fmtFixed(r.wallS, 2),
    spread(list.map((x) => x.wallS)),
    fmtFixed(r.cpuS, 2),
    fmtFixed(r.brokerCpuS, 2),
  ]
  say(
    table(
      ['Broker on loopback (kafka-ts server-start)', 'records/s', 'MB/s', 'wall s', 'range s', 'client cpu s', 'server cpu s'],
      [
        row('kcat -P -X acks=1, -l lines.txt', acksOne, pick('acksOne')),
        row('kcat -P -X acks=-1, -l lines.txt', acksAll, pick('acksAll')),
        row('kcat -C -e -o beginning > /dev/null', consume, pick('consume')),
        row('  the same, -X isolation.level=read_committed', consumeCommitted, pick('consumeCommitted')),
        [
          `raw Fetch loop, ${loop.passes} passes (per pass)`,
          fmtInt(records / loopPassS),
          fmtFixed(loopBytesPerPass / 1e6 / loopPassS, 1),
          fmtFixed(loopPassS, 3),
          spread(pick('fetchLoop').map((x) => x.totalS / x.passes)),
          fmtFixed(loop.cpuS / loop.passes, 2),
          fmtFixed(loop.brokerCpuS / loop.passes, 2),
        ],
        redis
          ? [
              `redis-benchmark -P ${REDIS_PIPELINE} XADD (appendfsync always)`,
              fmtInt(redis.rps),
              fmtFixed((redis.rps * valueBytes) / 1e6, 1),
              fmtFixed(records / redis.rps, 2),
              spread(redisRuns.map((x) => records / x.rps)),
              fmtFixed(redis.cpuS, 2),
              fmtFixed(redis.serverCpuS, 2),
            ]
          : ['redis-benchmark XADD', 'skipped', '', '', '', '', ''],
      ],
    ),
  )
  say(`kcat rows: wall time around the kcat process (start-up, metadata, all records acknowledged / read); topics created beforehand.`)
  say(`kcat tuning: producer ${KCAT_PRODUCE_TUNING.filter((a) => a !== '-X').join(' ')}; consumer ${KCAT_CONSUME_TUNING.filter((a) => a !== '-X').join(' ')}.`)
  say(
    `raw Fetch loop: Fetch v11 with the project's codec, max_wait 0, max_bytes ${FETCH_LOOP.maxBytes}, partition_max_bytes ${FETCH_LOOP.partitionMaxBytes}; ` +
      `${fmtFixed(loopBytesPerPass / 1e6, 1)} MB of stored batches per pass (MB/s column), ${fmtInt(loop.requests / loop.passes)} requests per pass ` +
      `→ ${fmtFixed(loopGBps, 2)} GB/s; timed inside the client from first request to last response.`,
  )
  if (redis) {
    say(`redis: redis-server ${REDIS_DURABILITY.join(' ').replace(/ $/, ' ""')} on loopback, fresh dir; XADD bench * f <${valueBytes} B>, -c ${REDIS_CLIENTS}, -r ${records};`)
    say(`       redis-benchmark's own requests/s; wall s = records ÷ requests/s; server cpu s = redis-server's.`)
  }
  else say(`redis: ${runs[0]?.redis?.skipped ?? 'not run'}.`)
  say('server cpu s: user+sys of the broker (or redis-server) process during that client run, from /proc/<pid>/stat.')
  say()

  const phases = [...new Set(runs.flatMap((r) => Object.keys(r.rss.byPhase)))]
  say(
    table(
      ['Broker RSS (VmRSS every 100 ms)', 'max MB', 'median of round maxima MB'],
      [
        ...phases.map((p) => {
          const values = runs.map((r) => r.rss.byPhase[p]).filter((v) => v !== undefined)
          return [`  ${p}`, fmtFixed(Math.max(...values) / MB, 1), fmtFixed(median(values) / MB, 1)]
        }),
        ['whole run', fmtFixed(rssMax / MB, 1), fmtFixed(median(runs.map((r) => r.rss.maxBytes)) / MB, 1)],
      ],
    ),
  )
  say()

  const ratioRows = [
    ['broker acks=-1 / raw insert FULL', fmtPct(raw.insertFull / acksAll.wallS)],
    ['broker acks=1 / raw insert NORMAL', fmtPct(raw.insertNormal / acksOne.wallS)],
    ['kcat -C / raw scan', fmtPct(raw.scan / consume.wallS)],
    ['raw Fetch loop (one pass) / raw scan', fmtPct(raw.scan / loopPassS)],
  ]
  if (redis) ratioRows.push(['broker acks=-1 / redis XADD appendfsync always (records/s)', `${fmtFixed(rate(acksAll.wallS) / redis.rps, 2)}×`])
  say(table(['Ratio', 'value'], ratioRows))
  say()

  const verdict = (ok) => (ok ? 'PASS' : 'MISS')
  const t = SERVER_TARGETS
  const target = (label, goal, measured, ofTarget, ok) => [label, goal, measured, fmtPct(ofTarget), verdict(ok)]
  const oneRate = rate(acksOne.wallS)
  const allRate = rate(acksAll.wallS)
  const consRate = rate(consume.wallS)
  const targetRows = [
    target('broker produce acks=1 (kcat), records/s', `≥ ${fmtInt(t.produceAcksOneRecordsPerS)}`, fmtInt(oneRate), oneRate / t.produceAcksOneRecordsPerS, oneRate >= t.produceAcksOneRecordsPerS),
    target('broker produce acks=-1 (kcat), records/s', `≥ ${fmtInt(t.produceAcksAllRecordsPerS)}`, fmtInt(allRate), allRate / t.produceAcksAllRecordsPerS, allRate >= t.produceAcksAllRecordsPerS),
  ]
  if (redis) {
    const over = allRate / redis.rps
    targetRows.push(target('acks=-1 produce / redis XADD run', `≥ ${fmtFixed(t.produceAcksAllOverRedis, 2)}×`, `${fmtFixed(over, 2)}×`, over / t.produceAcksAllOverRedis, over >= t.produceAcksAllOverRedis))
  }
  targetRows.push(
    target('raw Fetch loop, GB/s of stored batches', `≥ ${fmtFixed(t.fetchLoopGBPerS, 1)}`, fmtFixed(loopGBps, 2), loopGBps / t.fetchLoopGBPerS, loopGBps >= t.fetchLoopGBPerS),
    target('real consumer (kcat -C -e), records/s', `≥ ${fmtInt(t.consumerRecordsPerS)}`, fmtInt(consRate), consRate / t.consumerRecordsPerS, consRate >= t.consumerRecordsPerS),
    target(
      'read_committed / read_uncommitted kcat -C (issue 14; non-transactional data)',
      `≥ ${fmtFixed(t.readCommittedOverUncommitted, 1)}×`,
      `${fmtFixed(consume.wallS / consumeCommitted.wallS, 2)}×`,
      consume.wallS / consumeCommitted.wallS / t.readCommittedOverUncommitted,
      consume.wallS / consumeCommitted.wallS >= t.readCommittedOverUncommitted,
    ),
    target('broker RSS, max MB over all rounds', `< ${fmtFixed(t.brokerRssBytes / MB, 0)}`, fmtFixed(rssMax / MB, 1), rssMax / t.brokerRssBytes, rssMax < t.brokerRssBytes),
  )
  say(table(['Target (issue 3)', 'target', 'measured', 'of target', 'result'], targetRows))
  return lines
}
