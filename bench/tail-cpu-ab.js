// CPU per record of a caught-up consumer, A/B between two builds of kafka-ts (issue 11 item 3: on two shared
// cores the p99 at 10 000 records/s follows the CPU the broker and the remote consumer spend per record, and
// that CPU is measurable on a busy machine where the latency is not). Usage:
//   node bench/tail-cpu-ab.js <cli A> <cli B>      (each a bin/run.js, after `npm run build` in each tree)
//
// Lock-step, so every record costs the same work whatever the load: a confluent-kafka producer (acks=1,
// linger.ms 0) sends one record, the side's `console-consumer --bootstrap-server` (caught up, in a long-poll
// Fetch) prints it, and only then is the next one sent. Each record is then one Produce and one Fetch answer
// of one record: the tail case, which the paced bench reaches whenever the pipeline keeps up. Each side gets
// its own data directory and its own `server-start` (of that side's build); rounds alternate which side goes
// first. Prints per round, and the medians: the broker's CPU per record (main thread + other threads), the
// consumer's, and the round trip. Knobs: BENCH_RECORDS (20000, measured), BENCH_RUNS (5), BENCH_PARTITIONS
// (1; record i goes to partition i % BENCH_PARTITIONS and the consumer reads them all),
// BENCH_TAIL_CONSUMER=confluent-kafka (librdkafka's consumer on both sides instead, for reference),
// BENCH_SERVER_NODE_ARGS / BENCH_CONSUMER_NODE_ARGS (extra node options, e.g. --cpu-prof).

import { spawn } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'

import { startBroker } from './broker-process.js'
import { confluentUnavailable } from './latency.js'
import { median, runChecked } from './measure.js'
import { mainThreadCpuSeconds, processCpuSeconds } from './proc.js'
import { benchTempDir } from './temp-dir.js'

const [cliA, cliB] = process.argv.slice(2)
if (!cliA || !cliB) {
  process.stderr.write('usage: node bench/tail-cpu-ab.js <cli A> <cli B>\n')
  process.exit(2)
}
const RECORDS = Number(process.env.BENCH_RECORDS ?? 20_000)
const WARMUP = 2000
const RUNS = Number(process.env.BENCH_RUNS ?? 5)
const nodeArgs = (name) => (process.env[name] ?? '').split(' ').filter((a) => a !== '')
const TOPIC = 'tail'
const PARTITIONS = Number(process.env.BENCH_PARTITIONS ?? 1)
const PYTHON = '/usr/bin/python3'

// One record per line read from stdin, its value the line; no flush: the consumer printing it is the ack.
const PY_PRODUCER = String.raw`
import sys
from confluent_kafka import Producer
p = Producer({'bootstrap.servers': sys.argv[1], 'acks': '1', 'linger.ms': 0})
partitions = int(sys.argv[3])
for line in sys.stdin:
    p.produce(sys.argv[2], line.strip().encode(), partition=int(line) % partitions)
    p.poll(0)
p.flush(10)
`

// The reference consumer (BENCH_TAIL_CONSUMER=confluent-kafka): librdkafka's, printing each value as it comes.
const PY_CONSUMER = String.raw`
import sys
from confluent_kafka import Consumer, TopicPartition
c = Consumer({'bootstrap.servers': sys.argv[1], 'group.id': 'tail-cpu', 'enable.auto.commit': False})
c.assign([TopicPartition(sys.argv[2], p, 0) for p in range(int(sys.argv[3]))])
while True:
    m = c.poll(1.0)
    if m is None or m.error():
        continue
    sys.stdout.write(m.value().decode() + '\n')
    sys.stdout.flush()
`
const CONFLUENT_CONSUMER = process.env.BENCH_TAIL_CONSUMER === 'confluent-kafka'

const unavailable = confluentUnavailable()
if (unavailable !== null) {
  process.stderr.write(`tail-cpu-ab: ${unavailable}\n`)
  process.exit(2)
}
const { dir: tmp, cleanup } = benchTempDir('kafka-ts-tail-cpu-')
const env = { ...process.env, NO_COLOR: '1' }
delete env.KAFKA_TS_DATA_DIR
delete env.NODE_OPTIONS

/** Runs one side: resolves µs per record of the broker (main, other), the consumer, and the wall clock. */
async function side(cli, dir) {
  mkdirSync(dir, { recursive: true })
  runChecked(process.execPath, [cli, 'topics', '--create', '--topic', TOPIC, '--partitions', String(PARTITIONS)], { env: { ...env, KAFKA_TS_DATA_DIR: dir } })
  const broker = await startBroker({ cli, dataDir: dir, env, nodeArgs: nodeArgs('BENCH_SERVER_NODE_ARGS') })
  const bootstrap = `127.0.0.1:${broker.port}`
  const consumerArgs = CONFLUENT_CONSUMER
    ? [PYTHON, ['-c', PY_CONSUMER, bootstrap, TOPIC, String(PARTITIONS)]]
    : [process.execPath, [...nodeArgs('BENCH_CONSUMER_NODE_ARGS'), cli, 'console-consumer', '--bootstrap-server', bootstrap, '--topic', TOPIC, '--from-beginning']]
  const consumer = spawn(...consumerArgs, { env, stdio: ['ignore', 'pipe', 'pipe'] })
  const producer = spawn(PYTHON, ['-c', PY_PRODUCER, bootstrap, TOPIC, String(PARTITIONS)], { env, stdio: ['pipe', 'ignore', 'pipe'] })
  let stderr = ''
  for (const child of [consumer, producer]) child.stderr.on('data', (c) => (stderr = (stderr + c).slice(-8192)))
  try {
    const total = WARMUP + RECORDS
    let before
    const result = await new Promise((resolve, reject) => {
      let next = 0
      let rest = ''
      const send = () => producer.stdin.write(`${next++}\n`)
      consumer.once('exit', (code, signal) => reject(new Error(`console-consumer exited (${signal ?? code}):\n${stderr}`)))
      producer.once('exit', (code, signal) => reject(new Error(`the producer exited (${signal ?? code}):\n${stderr}`)))
      consumer.stdout.setEncoding('utf8')
      consumer.stdout.on('data', (chunk) => {
        const lines = (rest + chunk).split('\n')
        rest = lines.pop()
        for (const line of lines) {
          if (Number(line) !== next - 1) return reject(new Error(`console-consumer printed ${JSON.stringify(line)}, expected ${next - 1}`))
          if (next === WARMUP) {
            before = { broker: processCpuSeconds(broker.pid), brokerMain: mainThreadCpuSeconds(broker.pid), consumer: processCpuSeconds(consumer.pid), wall: performance.now() }
          }
          if (next === total) {
            const after = { broker: processCpuSeconds(broker.pid), brokerMain: mainThreadCpuSeconds(broker.pid), consumer: processCpuSeconds(consumer.pid), wall: performance.now() }
            const us = (key, scale = 1e6) => ((after[key] - before[key]) * scale) / RECORDS
            resolve({ brokerMain: us('brokerMain'), brokerOther: us('broker') - us('brokerMain'), consumer: us('consumer'), wall: us('wall', 1e3) })
          } else send()
        }
      })
      send()
    })
    return result
  } finally {
    producer.stdin.end()
    // SIGTERM first, so a consumer under --cpu-prof writes its profile.
    if (consumer.exitCode === null && consumer.signalCode === null) {
      consumer.kill('SIGTERM')
      await new Promise((resolve) => {
        setTimeout(resolve, 2000).unref()
        consumer.once('exit', resolve)
      })
    }
    for (const child of [consumer, producer]) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await broker.stop()
  }
}

const results = { A: [], B: [] }
const line = (name, r) =>
  `${name}: broker ${r.brokerMain.toFixed(1)}+${r.brokerOther.toFixed(1)} µs/rec, consumer ${r.consumer.toFixed(1)} µs/rec, round trip ${r.wall.toFixed(0)} µs`
try {
  for (let round = 1; round <= RUNS; round++) {
    for (const name of round % 2 === 1 ? ['A', 'B'] : ['B', 'A']) {
      const r = await side(name === 'A' ? cliA : cliB, join(tmp, `round-${round}-${name}`))
      results[name].push(r)
      process.stdout.write(`round ${round} ${line(name, r)}\n`)
    }
  }
  const med = (name) => Object.fromEntries(['brokerMain', 'brokerOther', 'consumer', 'wall'].map((k) => [k, median(results[name].map((r) => r[k]))]))
  const [a, b] = [med('A'), med('B')]
  process.stdout.write(`medians of ${RUNS} (${RECORDS} lock-step records each):\n${line('A', a)}\n${line('B', b)}\n`)
  const ratio = (k) => (b[k] / a[k]).toFixed(2)
  process.stdout.write(`B/A: broker main ${ratio('brokerMain')}, broker total ${((b.brokerMain + b.brokerOther) / (a.brokerMain + a.brokerOther)).toFixed(2)}, consumer ${ratio('consumer')}, round trip ${ratio('wall')}\n`)
} finally {
  cleanup()
}
