// `node bench/retention.js` (after `npm run build`): the log cleaner on a large partition, in process
// over the broker core from dist/ (see bench/README.md, "Retention and compaction").
//
//   1. Retention: a partition of N records whose older half is past retention.ms; one full pass
//      (delete + give the space back) is timed.
//   2. Compaction: a partition of N keyed records over BENCH_RETENTION_KEYS keys; one full pass is timed.
//   3. Produce while the cleaner runs: the same two partitions, freshly written, are cleaned by the
//      server's own background scheduler (Broker.startLogCleaner, the path `server-start` uses) while
//      a producer loop appends BENCH_RETENTION_PRODUCE records in 4 MiB groups, yielding to the event
//      loop between groups as the server does between requests; its records/s is compared with the same
//      loop without the cleaner. Target (issue 6): within 20%.
//
// Knobs: BENCH_RETENTION_RECORDS (10000000), BENCH_RETENTION_KEYS (100000), BENCH_RETENTION_PRODUCE
// (2000000), BENCH_KEEP=1 keeps the temp directory.

import { rmSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setImmediate as yieldToLoop } from 'node:timers/promises'

import { fmtFixed, fmtInt, fmtPct, table } from './report.js'
import { benchTempDir } from './temp-dir.js'

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)))
const dist = (p) => import(join(ROOT, 'dist', p))
const { openBroker } = await dist('broker/open-broker.js')
const { brokerConfigFrom } = await dist('broker/broker-config.js')
const { RecordBatchBuilder } = await dist('protocol/record-batch-builder.js')

const RECORDS = Number(process.env.BENCH_RETENTION_RECORDS ?? 10_000_000)
const KEYS = Number(process.env.BENCH_RETENTION_KEYS ?? 100_000)
const PRODUCE = Number(process.env.BENCH_RETENTION_PRODUCE ?? 2_000_000)
const VALUE_BYTES = 100
const BATCH_RECORDS = 128 // ~16 KiB batches, like the console producer's
const GROUP_BYTES = 4 << 20
const DAY = 86_400_000
const TARGET_RATIO = 0.8

const { dir: tmp, cleanup } = benchTempDir('kafka-ts-bench-retention-')
const progress = (msg) => process.stderr.write(`[bench:retention] ${msg}\n`)
const seconds = (startNs) => Number(process.hrtime.bigint() - startNs) / 1e9

const value = Buffer.alloc(VALUE_BYTES, 'v')
let keySeed = 0

/** A batch of BATCH_RECORDS records; keyed ones walk the key space so every key recurs RECORDS/KEYS times. */
function buildBatch(timestamp, keyed) {
  const b = new RecordBatchBuilder()
  for (let i = 0; i < BATCH_RECORDS; i++) {
    const key = keyed ? Buffer.from(`key-${(keySeed++ % KEYS).toString().padStart(8, '0')}`) : null
    b.append(timestamp, key, value)
  }
  return b.build()
}

/** Appends `records` records to partition 0 in groups of ~4 MiB; yields between groups when `yielding`. */
async function produceRecords(broker, topicName, records, { timestampOf = () => Date.now(), keyed = false, yielding = false } = {}) {
  const topic = broker.requireTopic(topicName)
  let written = 0
  while (written < records) {
    const group = []
    let bytes = 0
    while (bytes < GROUP_BYTES && written < records) {
      const batch = buildBatch(timestampOf(written), keyed)
      group.push({ topic, partition: 0, batch })
      bytes += batch.length
      written += BATCH_RECORDS
    }
    for (const r of broker.produce(group, 'commit', 'header')) if (!r.ok) throw r.error
    if (yielding) await yieldToLoop()
  }
  return written
}

function createTopic(broker, name, configs = {}) {
  const [o] = broker.createTopics([{ name, numPartitions: 1, replicationFactor: -1, configs: new Map(Object.entries(configs)) }])
  if (!o?.ok) throw o?.error ?? new Error(`cannot create ${name}`)
}

/** A data directory with the two partitions to clean: `retained` (older half expired) and `compacted`. */
async function fill(dir, props = {}) {
  const broker = openBroker({ dataDir: dir, initialize: 'auto', config: brokerConfigFrom(new Map(Object.entries(props))) })
  createTopic(broker, 'retained')
  createTopic(broker, 'compacted', { 'cleanup.policy': 'compact' })
  const started = process.hrtime.bigint()
  const old = Date.now() - 2 * DAY
  await produceRecords(broker, 'retained', RECORDS, { timestampOf: (n) => (n < RECORDS / 2 ? old : Date.now()) })
  await produceRecords(broker, 'compacted', RECORDS, { keyed: true })
  // Retention applies from now on: a day, so the older half is expired.
  broker.incrementalAlterTopicConfigs('retained', [{ name: 'retention.ms', op: 'SET', value: String(DAY) }])
  return { broker, fillS: seconds(started) }
}

const fileMB = (dir) => statSync(join(dir, 'kafka-ts.db')).size / 1e6

async function main() {
  if (RECORDS < 2 * BATCH_RECORDS) throw new Error('BENCH_RETENTION_RECORDS is too small')
  const started = process.hrtime.bigint()

  // --- 1 + 2: full passes, timed alone ---------------------------------------------------------------
  const dirA = join(tmp, 'passes')
  progress(`filling two partitions of ${fmtInt(RECORDS)} records (${dirA})`)
  const a = await fill(dirA)
  const sizeBefore = fileMB(dirA)
  progress(`filled in ${fmtFixed(a.fillS, 1)} s; retention pass`)
  let t = process.hrtime.bigint()
  const retention = a.broker.runLogCleaner({ compaction: false })
  const retentionS = seconds(t)
  progress(`retention pass ${fmtFixed(retentionS, 2)} s; compaction pass`)
  t = process.hrtime.bigint()
  const compaction = a.broker.runLogCleaner({ retention: false })
  const compactionS = seconds(t)
  const compactedLeft = a.broker.offsets(a.broker.requireTopic('compacted'), 0)
  a.broker.close()
  const sizeAfter = fileMB(dirA)
  rmSync(dirA, { recursive: true, force: true })

  // --- 3: produce with and without the background cleaner -------------------------------------------
  const dirB = join(tmp, 'concurrent')
  progress(`filling again for the produce comparison (${dirB})`)
  const b = await fill(dirB, { 'log.retention.check.interval.ms': '1', 'log.cleaner.backoff.ms': '1' })
  createTopic(b.broker, 'live-alone')
  createTopic(b.broker, 'live-with-cleaner')
  progress(`producing ${fmtInt(PRODUCE)} records without the cleaner`)
  t = process.hrtime.bigint()
  await produceRecords(b.broker, 'live-alone', PRODUCE, { yielding: true })
  const aloneS = seconds(t)
  progress(`producing ${fmtInt(PRODUCE)} records while the background cleaner runs`)
  const cleanerLog = []
  const background = b.broker.startLogCleaner((line) => cleanerLog.push(line))
  // Let the scheduler's first timers fire so the producer runs against a pass in progress.
  await new Promise((resolve) => setTimeout(resolve, 20))
  t = process.hrtime.bigint()
  await produceRecords(b.broker, 'live-with-cleaner', PRODUCE, { yielding: true })
  const withS = seconds(t)
  background.stop()
  const retainedStart = b.broker.offsets(b.broker.requireTopic('retained'), 0)
  b.broker.close()
  rmSync(dirB, { recursive: true, force: true })

  // --- report ---------------------------------------------------------------------------------------
  const aloneRate = PRODUCE / aloneS
  const withRate = PRODUCE / withS
  const ratio = withRate / aloneRate
  const lines = []
  const say = (s = '') => lines.push(s)
  say(`kafka-ts retention bench — partitions of ${fmtInt(RECORDS)} records × ${VALUE_BYTES} B values, ${BATCH_RECORDS} records per batch; ${fmtInt(KEYS)} keys for compaction`)
  say(`fill (both partitions, in process): ${fmtFixed(a.fillS, 1)} s; database ${fmtFixed(sizeBefore, 0)} MB before the passes, ${fmtFixed(sizeAfter, 0)} MB after`)
  say()
  say(
    table(
      ['Pass (alone)', 'wall s', 'records/s', 'removed', 'MB freed', 'MB to FS'],
      [
        [
          'retention: older half past retention.ms',
          fmtFixed(retentionS, 2),
          fmtInt(retention.recordsDeleted / retentionS),
          `${fmtInt(retention.recordsDeleted)} records in ${fmtInt(retention.batchesDeleted)} batches`,
          fmtFixed(retention.bytesDeleted / 1e6, 0),
          fmtFixed(retention.bytesReclaimed / 1e6, 0),
        ],
        [
          'compaction: latest record per key',
          fmtFixed(compactionS, 2),
          fmtInt(RECORDS / compactionS),
          `${fmtInt(compaction.recordsCompacted)} records (${fmtInt(compaction.batchesDropped)} batches dropped, ${fmtInt(compaction.batchesRewritten)} rewritten)`,
          fmtFixed(compaction.bytesCompacted / 1e6, 0),
          fmtFixed(compaction.bytesReclaimed / 1e6, 0),
        ],
      ],
    ),
  )
  say('records/s: records deleted per second for retention, records examined per second for compaction (map + clean of the whole partition).')
  say(`after compaction: log start ${compactedLeft.ok ? compactedLeft.value.logStartOffset : '?'}, high watermark ${compactedLeft.ok ? compactedLeft.value.highWatermark : '?'} (offsets never move)`)
  say()
  say(
    table(
      ['Produce, acks=1, 4 MiB groups', 'records/s', 'wall s'],
      [
        ['without the cleaner', fmtInt(aloneRate), fmtFixed(aloneS, 2)],
        ['while the background cleaner runs', fmtInt(withRate), fmtFixed(withS, 2)],
      ],
    ),
  )
  const retentionProgress = retainedStart.ok ? retainedStart.value.logStartOffset : 0
  say(
    `background cleaner during that run: log start of 'retained' moved to ${fmtInt(retentionProgress)}; ` +
      `${cleanerLog.length} pass(es) completed${cleanerLog.length > 0 ? '' : ' (still in progress when the producer finished, as intended)'}`,
  )
  say()
  say(
    table(
      ['Target (issue 6)', 'target', 'measured', 'result'],
      [['produce while cleaning / without', `≥ ${fmtPct(TARGET_RATIO)}`, fmtPct(ratio), ratio >= TARGET_RATIO ? 'PASS' : 'MISS']],
    ),
  )
  say()
  say(`bench took ${fmtFixed(seconds(started), 1)} s`)
  process.stdout.write(lines.join('\n') + '\n')
}

try {
  await main()
} catch (err) {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`)
  process.exitCode = 1
} finally {
  cleanup()
}
