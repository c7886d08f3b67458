// `node bench/scale.js` (after `npm run build`): what partitions cost (issue 11, item 2), each figure beside
// its target and, where the target is relative, the limit measured in the same run.
//
//   1. Embedded: `topics --create --partitions 1000` per 1000 partitions (10 × for 10 000) into a fresh data directory:
//      wall time of the ten commands, and the store's size over the partitions beyond an empty store.
//   2. Start-up with 10 000 partitions in the directory: `topics --list`, and a produce + consume of one
//      one-partition topic (console-producer of one line, console-consumer --max-messages 1), alternated
//      with the same commands in a directory holding only that topic; medians and their ratio.
//   3. Through the wire: server-start on a fresh directory, one CreateTopics of 10 topics × 1000
//      partitions (timed in the client), then full Metadata (all topics, v12) timed 20 times beside the
//      same request on a broker with one topic; one record produced to and fetched from every partition;
//      the broker's peak RSS.
//   4. BENCH_SCALE_MAX partitions (100 000) through CreateTopics: time, disk use, one full Metadata.
//
// Knobs: BENCH_SCALE_PARTITIONS (10000), BENCH_SCALE_MAX (100000; 0 skips step 4), BENCH_SCALE_RUNS (9),
// BENCH_KEEP=1 keeps the temp directory.

import { closeSync, openSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { startBroker } from './broker-process.js'
import { median, runChecked } from './measure.js'
import { rssBytes } from './proc.js'
import { fmtFixed, fmtInt, table } from './report.js'
import { connect, makeClient } from './wire-client.js'
import { benchTempDir } from './temp-dir.js'

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)))
const CLI = join(ROOT, 'bin', 'run.js')
const NODE = process.execPath
const dist = (p) => import(join(ROOT, 'dist', p))
const { ApiKey } = await dist('protocol/api-keys.js')
const { decodeCreateTopicsResponse, encodeCreateTopicsRequest } = await dist('protocol/messages/create-topics.js')
const { decodeMetadataResponse, encodeMetadataRequest } = await dist('protocol/messages/metadata.js')
const { decodeProduceResponse, encodeProduceRequest } = await dist('protocol/messages/produce.js')
const { decodeFetchResponse, encodeFetchRequest } = await dist('protocol/messages/fetch.js')
const { RecordBatchBuilder } = await dist('protocol/record-batch-builder.js')

const PARTITIONS = Number(process.env.BENCH_SCALE_PARTITIONS ?? 10_000)
const MAX = Number(process.env.BENCH_SCALE_MAX ?? 100_000)
const RUNS = Number(process.env.BENCH_SCALE_RUNS ?? 9)
const PER_TOPIC = 1000
const METADATA_RUNS = 20
const TARGETS = { bytesPerPartition: 8 * 1024, startRatio: 1.5, createS: 5, metadataMs: 50, rssBytes: 200 * 1024 * 1024 }

const { dir: tmp, cleanup } = benchTempDir('kafka-ts-bench-scale-')
const progress = (msg) => process.stderr.write(`[bench:scale] ${msg}\n`)
const ms = (startNs) => Number(process.hrtime.bigint() - startNs) / 1e6
const env = (dataDir) => {
  const e = { ...process.env, KAFKA_TS_DATA_DIR: dataDir, NO_COLOR: '1' }
  delete e.DEBUG
  delete e.NODE_OPTIONS
  return e
}
const cli = (dataDir, args, opts = {}) => runChecked(NODE, [CLI, ...args], { env: env(dataDir), ...opts })
const verdict = (ok) => (ok ? 'PASS' : 'MISS')
/** Every file of the store (the database and its WAL), in bytes. */
const storeBytes = (dir) =>
  ['kafka-ts.db', 'kafka-ts.db-wal'].reduce((n, f) => {
    try {
      return n + statSync(join(dir, f)).size
    } catch {
      return n
    }
  }, 0)
const topicsOf = (count, prefix) => Array.from({ length: Math.ceil(count / PER_TOPIC) }, (_, i) => `${prefix}${i}`)

function embeddedCreation(dir) {
  cli(dir, ['topics', '--create', '--topic', 'one', '--partitions', '1'])
  const emptyBytes = storeBytes(dir)
  let wallS = 0
  for (const topic of topicsOf(PARTITIONS, 'scale-')) wallS += cli(dir, ['topics', '--create', '--topic', topic, '--partitions', String(PER_TOPIC)]).wallS
  return { wallS, bytesPerPartition: (storeBytes(dir) - emptyBytes) / PARTITIONS, totalBytes: storeBytes(dir) }
}

/** Medians of a command alternated between the big directory and the small one. */
function startRatio(big, small, run) {
  const times = { big: [], small: [] }
  run(big)
  run(small)
  for (let i = 0; i < RUNS; i++) {
    times.big.push(run(big))
    times.small.push(run(small))
  }
  const b = median(times.big)
  const s = median(times.small)
  return { bigMs: b * 1000, smallMs: s * 1000, ratio: b / s }
}

const list = (dir) => cli(dir, ['topics', '--list'], { stdout: 'pipe' }).wallS
const produceConsume = (dir) => {
  const line = join(tmp, 'one-line.txt')
  writeFileSync(line, 'x\n')
  const stdin = openSync(line, 'r')
  try {
    const p = cli(dir, ['console-producer', '--topic', 'one'], { stdin })
    const c = cli(dir, ['console-consumer', '--topic', 'one', '--from-beginning', '--max-messages', '1'], { stdout: 'pipe' })
    return p.wallS + c.wallS
  } finally {
    closeSync(stdin)
  }
}

async function wire(partitions, { full }) {
  const dir = join(tmp, `wire-${partitions}`)
  const broker = await startBroker({ cli: CLI, dataDir: dir, env: env(dir) })
  let peakRss = 0
  const sample = setInterval(() => (peakRss = Math.max(peakRss, rssBytes(broker.pid) ?? 0)), 100)
  const socket = await connect(broker.port)
  const client = makeClient(socket, 'bench-scale')
  try {
    const metadata = async () => {
      const start = process.hrtime.bigint()
      const r = await client.request(ApiKey.Metadata, 12, (w) => encodeMetadataRequest(w, 12, { topics: null }))
      // The broker's part ends when the response has arrived; decoding it here is this client's cost.
      const elapsed = ms(start)
      const res = decodeMetadataResponse(r, 12)
      return { ms: elapsed, partitions: res.topics.reduce((n, t) => n + t.partitions.length, 0) }
    }
    const oneTopic = await client.request(ApiKey.CreateTopics, 7, (w) =>
      encodeCreateTopicsRequest(w, 7, { topics: [{ name: 'one', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }] }),
    )
    decodeCreateTopicsResponse(oneTopic, 7)
    const smallMetadata = full ? median(await repeat(METADATA_RUNS, async () => (await metadata()).ms)) : null

    const topics = topicsOf(partitions, 'scale-')
    const start = process.hrtime.bigint()
    const created = decodeCreateTopicsResponse(
      await client.request(ApiKey.CreateTopics, 7, (w) =>
        encodeCreateTopicsRequest(w, 7, {
          timeoutMs: 600_000,
          topics: topics.map((name) => ({ name, numPartitions: PER_TOPIC, replicationFactor: 1, assignments: [], configs: [] })),
        }),
      ),
      7,
    )
    const createS = ms(start) / 1000
    const failed = created.topics.filter((t) => t.errorCode !== 0)
    if (failed.length > 0) throw new Error(`CreateTopics failed for ${failed.length} topics (error ${failed[0].errorCode})`)

    const runs = await repeat(full ? METADATA_RUNS : 1, metadata)
    if (runs[0].partitions !== partitions + 1) throw new Error(`Metadata listed ${runs[0].partitions} partitions, expected ${partitions + 1}`)
    const bigMetadata = median(runs.map((r) => r.ms))

    let roundTrip = null
    if (full) {
      // One record into every partition, then every partition fetched: the broker now holds a table (and
      // statements) for each of them.
      const batch = new RecordBatchBuilder()
      batch.append(Date.now(), null, Buffer.from('x'))
      const bytes = batch.build()
      const t0 = process.hrtime.bigint()
      for (const name of topics) {
        const res = decodeProduceResponse(
          await client.request(ApiKey.Produce, 9, (w) =>
            encodeProduceRequest(w, 9, {
              acks: 1,
              timeoutMs: 30_000,
              topicData: [{ name, partitionData: Array.from({ length: PER_TOPIC }, (_, index) => ({ index, records: bytes })) }],
            }),
          ),
          9,
        )
        const bad = res.responses[0].partitionResponses.find((p) => p.errorCode !== 0)
        if (bad) throw new Error(`Produce to ${name}-${bad.index} failed with error ${bad.errorCode}`)
      }
      for (const topic of topics) {
        const res = decodeFetchResponse(
          await client.request(ApiKey.Fetch, 11, (w) =>
            encodeFetchRequest(w, 11, {
              maxWaitMs: 0,
              minBytes: 0,
              maxBytes: 64 << 20,
              isolationLevel: 0,
              topics: [{ topic, partitions: Array.from({ length: PER_TOPIC }, (_, partition) => ({ partition, fetchOffset: 0, partitionMaxBytes: 1 << 20 })) }],
            }),
          ),
          11,
        )
        const empty = res.responses[0].partitions.find((p) => p.errorCode !== 0 || (p.records?.length ?? 0) === 0)
        if (empty) throw new Error(`Fetch of ${topic}-${empty.partitionIndex} returned no record (error ${empty.errorCode})`)
      }
      roundTrip = ms(t0) / 1000
    }
    peakRss = Math.max(peakRss, rssBytes(broker.pid) ?? 0)
    return { createS, smallMetadata, bigMetadata, roundTrip, peakRss }
  } finally {
    clearInterval(sample)
    socket.destroy()
    await broker.stop()
  }
}

/** wire() and the store it leaves once the broker has stopped (its WAL folded back into the file). */
async function wireWithDisk(partitions, opts) {
  const result = await wire(partitions, opts)
  return { ...result, diskBytes: storeBytes(join(tmp, `wire-${partitions}`)) }
}

async function repeat(n, fn) {
  const out = []
  for (let i = 0; i < n; i++) out.push(await fn())
  return out
}

try {
  progress(`embedded: ${fmtInt(PARTITIONS)} partitions with topics --create`)
  const big = join(tmp, 'big')
  const small = join(tmp, 'small')
  const created = embeddedCreation(big)
  cli(small, ['topics', '--create', '--topic', 'one', '--partitions', '1'])
  progress('start-up: topics --list, produce + consume of one topic')
  const listing = startRatio(big, small, list)
  const pc = startRatio(big, small, produceConsume)
  progress(`wire: CreateTopics, Metadata, produce/fetch of every partition (${fmtInt(PARTITIONS)})`)
  const w = await wireWithDisk(PARTITIONS, { full: true })
  let max = null
  if (MAX > 0) {
    progress(`wire: ${fmtInt(MAX)} partitions`)
    max = await wireWithDisk(MAX, { full: false })
  }

  const kib = (b) => `${fmtFixed(b / 1024, 2)} KiB`
  const mib = (b) => `${fmtFixed(b / 1048576, 1)} MiB`
  const rows = [
    ['empty partition on disk (embedded)', kib(created.bytesPerPartition), `≤ ${kib(TARGETS.bytesPerPartition)}`, verdict(created.bytesPerPartition <= TARGETS.bytesPerPartition)],
    [`create ${fmtInt(PARTITIONS)} partitions, ${topicsOf(PARTITIONS, "").length} × topics --create`, `${fmtFixed(created.wallS, 2)} s`, `≤ ${TARGETS.createS} s`, verdict(created.wallS <= TARGETS.createS)],
    [`create ${fmtInt(PARTITIONS)} partitions, one CreateTopics`, `${fmtFixed(w.createS, 2)} s`, `≤ ${TARGETS.createS} s`, verdict(w.createS <= TARGETS.createS)],
    [
      `topics --list: ${fmtInt(PARTITIONS)} partitions / 1`,
      `${fmtFixed(listing.bigMs, 0)} / ${fmtFixed(listing.smallMs, 0)} ms = ${fmtFixed(listing.ratio, 2)}×`,
      `≤ ${TARGETS.startRatio}×`,
      verdict(listing.ratio <= TARGETS.startRatio),
    ],
    [
      `produce + consume one record: ${fmtInt(PARTITIONS)} partitions / 1`,
      `${fmtFixed(pc.bigMs, 0)} / ${fmtFixed(pc.smallMs, 0)} ms = ${fmtFixed(pc.ratio, 2)}×`,
      `≤ ${TARGETS.startRatio}×`,
      verdict(pc.ratio <= TARGETS.startRatio),
    ],
    [
      `full Metadata, ${fmtInt(PARTITIONS)} partitions (1-partition broker)`,
      `${fmtFixed(w.bigMetadata, 1)} ms (${fmtFixed(w.smallMetadata, 1)} ms)`,
      `≤ ${TARGETS.metadataMs} ms`,
      verdict(w.bigMetadata <= TARGETS.metadataMs),
    ],
    [`produce + fetch one record per partition`, `${fmtFixed(w.roundTrip, 2)} s`, 'info', ''],
    [`broker peak RSS, ${fmtInt(PARTITIONS)} partitions written`, mib(w.peakRss), `≤ ${mib(TARGETS.rssBytes)}`, verdict(w.peakRss <= TARGETS.rssBytes)],
    [`store on disk, ${fmtInt(PARTITIONS)} partitions × 1 record`, mib(w.diskBytes), 'info', ''],
  ]
  if (max) {
    rows.push(
      [`create ${fmtInt(MAX)} partitions, one CreateTopics`, `${fmtFixed(max.createS, 2)} s`, 'works', 'PASS'],
      [`full Metadata, ${fmtInt(MAX)} partitions`, `${fmtFixed(max.bigMetadata, 0)} ms`, 'info', ''],
      [`store on disk, ${fmtInt(MAX)} empty partitions`, mib(max.diskBytes), 'info', ''],
      [`broker peak RSS, ${fmtInt(MAX)} partitions`, mib(max.peakRss), 'info', ''],
    )
  }
  process.stdout.write(`Partitions at scale (issue 11, item 2)\n${table(['measure', 'value', 'target', ''], rows)}\n`)
} finally {
  cleanup()
}
