// `node bench/transactions.js` (after `npm run build`), also run by `npm run bench` (BENCH_TXN=0 skips it,
// BENCH_ONLY=txn runs only it): transactions through `server-start` with librdkafka (Debian's
// python3-confluent-kafka), each figure beside its limit measured in the same round with the same client.
//
//   produce: BENCH_TXN_RECORDS (1 000 000) × 100 B to one partition, transactional (transactional.id set,
//            BENCH_TXN_PER (1000) records per transaction, commit_transaction after each) beside the same
//            records non-transactional with acks=-1 (the limit). Target ≥ 0.7×.
//   consume: the transactional topic read to its end with isolation.level=read_committed beside
//            read_uncommitted (the limit). Target ≥ 0.9×.
//
// Rounds alternate the two sides so the shared machine's drift falls on both; BENCH_TXN_RUNS (3) rounds,
// medians reported. Each side runs in its own Python process and reports its own elapsed seconds, so the
// interpreter's start-up is not counted.

import { spawnSync } from 'node:child_process'
import { mkdirSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { startBroker } from './broker-process.js'
import { median } from './measure.js'
import { fmtFixed, fmtInt, table } from './report.js'

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)))
const CLI = join(ROOT, 'bin', 'run.js')
const PYTHON = '/usr/bin/python3'

const RECORDS = Number(process.env.BENCH_TXN_RECORDS ?? 1_000_000)
const PER_TXN = Number(process.env.BENCH_TXN_PER ?? 1000)
const RUNS = Number(process.env.BENCH_TXN_RUNS ?? 3)

export const TXN_TARGETS = { produceRatio: 0.7, readCommittedRatio: 0.9 }

// Produces `count` 100-byte records to partition 0; transactional when a transactional id is given
// (one transaction per `per` records). Prints the elapsed seconds from the first produce to the last
// delivery/commit.
const PY_PRODUCE = String.raw`
import sys, time
from confluent_kafka import Producer
bootstrap, topic, count, per, txn_id = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
conf = {'bootstrap.servers': bootstrap, 'linger.ms': 5, 'batch.num.messages': 10000, 'queue.buffering.max.messages': 2000000}
if txn_id:
    conf['transactional.id'] = txn_id
else:
    conf['acks'] = 'all'
failed = 0
def report(err, msg):
    global failed
    if err is not None:
        failed += 1
p = Producer(conf)
if txn_id:
    p.init_transactions(30)
value = b'x' * 100
start = time.monotonic()
i = 0
while i < count:
    if txn_id:
        p.begin_transaction()
    end = min(count, i + per) if txn_id else count
    while i < end:
        try:
            p.produce(topic, value, partition=0, on_delivery=report)
            i += 1
        except BufferError:
            p.poll(0.01)
    if txn_id:
        p.commit_transaction(60)
left = p.flush(60)
elapsed = time.monotonic() - start
print('%f %d %d' % (elapsed, failed, left), flush=True)
sys.exit(1 if failed or left else 0)
`

// Reads partition 0 from the beginning with the given isolation level until `expect` records arrived.
const PY_CONSUME = String.raw`
import sys, time
from confluent_kafka import Consumer, TopicPartition
bootstrap, topic, expect, isolation = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'txn-bench', 'enable.auto.commit': False,
              'isolation.level': isolation, 'fetch.message.max.bytes': 8388608, 'queued.min.messages': 1000000})
c.assign([TopicPartition(topic, 0, 0)])
got = 0
start = None
while got < expect:
    batch = c.consume(10000, 5.0)
    if start is None:
        start = time.monotonic()
    for m in batch:
        if not m.error():
            got += 1
elapsed = time.monotonic() - start
c.close()
print('%f %d' % (elapsed, got), flush=True)
`

/** Why the transactions bench cannot run here, or null. */
export function transactionsBenchUnavailable() {
  const r = spawnSync(PYTHON, ['-c', 'import confluent_kafka'], { stdio: 'ignore' })
  return r.status === 0 ? null : `${PYTHON} cannot import confluent_kafka (Debian package python3-confluent-kafka)`
}

function python(script, args) {
  const r = spawnSync(PYTHON, ['-c', script, ...args.map(String)], { encoding: 'utf8', timeout: 600_000 })
  if (r.status !== 0) throw new Error(`python ${args.join(' ')} exited ${r.status}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`)
  return r.stdout.trim().split(/\s+/).map(Number)
}

function createTopic(env, bootstrap, topic) {
  const r = spawnSync(process.execPath, [CLI, 'topics', '--bootstrap-server', bootstrap, '--create', '--topic', topic, '--partitions', '1'], { env, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`topics --create ${topic}: ${r.stderr.trim()}`)
}

/** One round: both produce sides and both consume sides, alternating. Returns records/s for each. */
async function round(tmp, index, env) {
  const dataDir = join(tmp, `txn-${index}`)
  rmSync(dataDir, { recursive: true, force: true })
  mkdirSync(dataDir, { recursive: true })
  const broker = await startBroker({ cli: CLI, dataDir, env })
  try {
    const bootstrap = `127.0.0.1:${broker.port}`
    createTopic(env, bootstrap, 'plain')
    createTopic(env, bootstrap, 'txn')
    const flip = index % 2 === 1
    const produce = (topic, txnId) => {
      const [seconds] = python(PY_PRODUCE, [bootstrap, topic, RECORDS, PER_TXN, txnId])
      return RECORDS / seconds
    }
    const plainFirst = !flip
    const plain = plainFirst ? produce('plain', '') : undefined
    const txn = produce('txn', `bench-${index}`)
    const plainAfter = plainFirst ? plain : produce('plain', '')
    const consume = (isolation) => {
      const [seconds, got] = python(PY_CONSUME, [bootstrap, 'txn', RECORDS, isolation])
      if (got < RECORDS) throw new Error(`${isolation} read ${got} of ${RECORDS} records`)
      return RECORDS / seconds
    }
    const uncommittedFirst = !flip
    const uncommitted = uncommittedFirst ? consume('read_uncommitted') : undefined
    const committed = consume('read_committed')
    const uncommittedAfter = uncommittedFirst ? uncommitted : consume('read_uncommitted')
    return { plain: plainAfter, txn, uncommitted: uncommittedAfter, committed }
  } finally {
    await broker.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

/** Runs the rounds and returns the report lines. */
export async function transactionsReport({ tmp, env, progress }) {
  const rounds = []
  for (let i = 0; i < RUNS; i++) {
    progress(`transactions round ${i + 1}/${RUNS}`)
    rounds.push(await round(tmp, i, env))
  }
  const m = (k) => median(rounds.map((r) => r[k]))
  const produceRatio = m('txn') / m('plain')
  const readRatio = m('committed') / m('uncommitted')
  const verdict = (ratio, target) => (ratio >= target ? 'PASS' : 'MISS')
  return [
    `Transactions through server-start (librdkafka via confluent-kafka, ${fmtInt(RECORDS)} × 100 B, ${fmtInt(PER_TXN)} records per transaction, median of ${RUNS})`,
    table(
      ['case', 'records/s', 'limit (same run)', 'limit records/s', 'ratio', 'target', ''],
      [
        ['transactional produce', fmtInt(m('txn')), 'acks=-1, no transaction', fmtInt(m('plain')), fmtFixed(produceRatio, 2), `≥ ${TXN_TARGETS.produceRatio}`, verdict(produceRatio, TXN_TARGETS.produceRatio)],
        ['read_committed consume', fmtInt(m('committed')), 'read_uncommitted', fmtInt(m('uncommitted')), fmtFixed(readRatio, 2), `≥ ${TXN_TARGETS.readCommittedRatio}`, verdict(readRatio, TXN_TARGETS.readCommittedRatio)],
      ],
    ),
  ]
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const why = transactionsBenchUnavailable()
  if (why) {
    console.log(`transactions bench skipped: ${why}`)
  } else {
    const { benchTempDir } = await import('./temp-dir.js')
    const { dir, cleanup } = benchTempDir('kafka-ts-txn-bench-')
    try {
      const env = { ...process.env, NO_COLOR: '1' }
      delete env.DEBUG
      const lines = await transactionsReport({ tmp: dir, env, progress: (msg) => process.stderr.write(`[bench] ${msg}\n`) })
      console.log(lines.join('\n'))
    } finally {
      cleanup()
    }
  }
}
