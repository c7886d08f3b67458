import { setImmediate as yieldToEventLoop } from 'node:timers/promises'

import { storeFailureOf } from '../../broker/store-failure.js'
import type { AcknowledgedRecords, SendFailure } from '../../client/kafka-client.js'
import { readArgs, type ArgparseProgram } from '../argparse.js'
import { ThroughputThrottler } from '../perf/throughput-throttler.js'
import { logUnusedConfigs } from '../unused-configs.js'
import { producerSettings } from '../producer-settings.js'
import { stoppedProducing } from '../storage-errors.js'
import { onTermination } from '../termination.js'
import { CONNECTION_OPTIONS, configFileProperties, connectionOf, type OpenToolClient } from './common.js'
import { EventWriter, JavaDouble, exceptionClassOf } from './events.js'

// kafka-verifiable-producer (VerifiableProducer, cli-4.md B.10): sends the integers 0, 1, 2, … as string
// values (`<prefix>.<n>` with --value-prefix; keys 0…N-1 over and over with --repeating-keys, else
// null) and prints one JSON event per acknowledged or failed record, with its partition and offset, so
// a checker can tell exactly which records the broker took. On the end of --max-messages or SIGTERM
// the producer is flushed, then shutdown_complete and tool_data are printed.
//
// Each acknowledgement covers one batch of one partition (its base offset gives each record's offset):
// the tool keeps, per partition, the indexes of the records sent there, in order, and takes them off as
// their batch is acknowledged or fails. Kafka's producer settings here: acks from --acks, retries=0
// (so a partition's batches are answered in the order sent), then --command-config over both.

export const VERIFIABLE_PRODUCER_PROGRAM: ArgparseProgram = {
  prog: 'verifiable-producer',
  description:
    'This tool produces increasing integers to the specified topic and prints JSON metadata to stdout on each "send" request, making externally visible which messages have been acked and which have not.',
  options: [
    { name: '--topic', kind: 'string', metavar: 'TOPIC', required: true, help: 'Produce messages to this topic.' },
    { name: '--max-messages', kind: 'int', metavar: 'MAX-MESSAGES', help: 'Produce this many messages. If -1, produce messages until the process is killed externally. (default: -1)' },
    { name: '--throughput', kind: 'int', metavar: 'THROUGHPUT', help: 'If set >= 0, throttle maximum message throughput to *approximately* THROUGHPUT messages/sec. (default: -1)' },
    { name: '--acks', kind: 'int', metavar: 'ACKS', choices: ['0', '1', '-1'], help: 'Acks required on each produced message. (default: -1)' },
    { name: '--producer.config', kind: 'string', metavar: 'CONFIG-FILE', help: '(DEPRECATED) Producer config properties file. Use --command-config instead.' },
    {
      name: '--message-create-time',
      kind: 'long',
      metavar: 'CREATE-TIME',
      help: 'Send messages with creation time starting at the arguments value, in milliseconds since epoch (default: -1)',
    },
    { name: '--value-prefix', kind: 'int', metavar: 'VALUE-PREFIX', help: 'If specified, each produced value will have this prefix with a dot separator' },
    {
      name: '--repeating-keys',
      kind: 'int',
      metavar: 'REPEATING-KEYS',
      help: 'If specified, each produced record will have a key starting at 0 increment by 1 up to the number specified (exclusive), then the key is set to 0 again',
    },
    { name: '--command-config', kind: 'string', metavar: 'CONFIG-FILE', help: 'Config properties file (config options shared with command line parameters will be overridden).' },
    ...CONNECTION_OPTIONS,
  ],
}

/** Records sent between producer.afterChunk() calls (its back-pressure point). */
const CHUNK_RECORDS = 1024
/** The send loop lets timers, sockets and signals run at least this often. */
const YIELD_EVERY_MS = 20

export interface VerifiableProducerReport {
  sent: number
  acked: number
}

/** Indexes of the records sent to one partition and not yet answered, oldest first. */
class IndexQueue {
  private items: number[] = []
  private head = 0

  push(i: number): void {
    this.items.push(i)
  }

  shift(): number {
    const i = this.items[this.head++] ?? -1
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    }
    return i
  }
}

export async function runVerifiableProducer(argv: readonly string[], openClient: OpenToolClient): Promise<VerifiableProducerReport> {
  const args = readArgs(VERIFIABLE_PRODUCER_PROGRAM, argv)
  const program = VERIFIABLE_PRODUCER_PROGRAM
  const topic = args.str('--topic') ?? ''
  const maxMessages = args.num('--max-messages') ?? -1
  const throughput = args.num('--throughput') ?? -1
  const valuePrefix = args.num('--value-prefix')
  const repeatingKeys = args.num('--repeating-keys')
  const createTimeArg = args.num('--message-create-time') ?? -1

  const props = new Map<string, string>([
    ['acks', String(args.num('--acks') ?? -1)],
    ['retries', '0'],
    // Java turns idempotence off by itself when retries=0 and the config does not ask for it.
    ['enable.idempotence', 'false'],
  ])
  for (const [k, v] of configFileProperties(program, args, '--producer.config')) props.set(k, v)
  const settings = producerSettings(props, { clientId: 'producer-1', lingerMs: 5 })
  logUnusedConfigs('producer', props)

  const client = await openClient(connectionOf(args), props)
  const events = new EventWriter()
  const pending: IndexQueue[] = []
  const queue = (partition: number) => (pending[partition] ??= new IndexQueue())
  const keyOf = (i: number) => (repeatingKeys === undefined ? null : String(i % repeatingKeys))
  const valueOf = (i: number) => (valuePrefix === undefined ? String(i) : `${valuePrefix}.${i}`)

  let acked = 0
  const onAcknowledged = (ack: AcknowledgedRecords) => {
    const q = queue(ack.partition)
    const n = ack.timestamps.length
    const now = Date.now()
    for (let j = 0; j < n; j++) {
      const i = q.shift()
      const offset = ack.baseOffset < 0 ? -1 : ack.baseOffset + j
      events.add('producer_send_success', { key: keyOf(i), value: valueOf(i), topic, partition: ack.partition, offset }, now)
    }
    acked += n
    events.flush()
  }
  let storeFailure: ReturnType<typeof storeFailureOf>
  /** The record send() is taking: the one a refusal inside send() is about. */
  let sending = 0
  const onFailure = (f: SendFailure) => {
    storeFailure ??= storeFailureOf(f.error)
    const q = queue(f.partition)
    const now = Date.now()
    const exception = exceptionClassOf(f.error)
    for (let j = 0; j < f.records; j++) {
      const i = f.partition < 0 ? sending : q.shift()
      events.add('producer_send_error', { key: keyOf(i), value: valueOf(i), topic, exception, message: f.error.message }, now)
    }
    events.flush()
  }
  const producer = await client.producer(topic, { ...settings, onAcknowledged }, onFailure)

  let stopping = false
  const dispose = onTermination(() => {
    stopping = true
  })
  const startMs = Date.now()
  const throttler = new ThroughputThrottler(throughput, startMs)
  let createTime = createTimeArg === -1 ? undefined : createTimeArg
  let sent = 0
  let nextYieldAt = startMs + YIELD_EVERY_MS
  try {
    events.print('startup_complete')
    const limit = maxMessages < 0 ? Number.MAX_SAFE_INTEGER : maxMessages
    for (let i = 0; i < limit && !stopping && storeFailure === undefined; i++) {
      const sendStartMs = Date.now()
      const key = keyOf(i)
      let timestamp = sendStartMs
      if (createTime !== undefined) {
        timestamp = createTime
        // Java's own arithmetic: the elapsed time since start is added on every send.
        createTime += sendStartMs - startMs
      }
      sent++
      sending = i
      const partition = producer.send(key === null ? null : Buffer.from(key), Buffer.from(valueOf(i)), undefined, timestamp)
      if (partition >= 0) queue(partition).push(i)
      if (throttler.shouldThrottle(i, sendStartMs)) await throttler.throttle()
      if (i % CHUNK_RECORDS === CHUNK_RECORDS - 1) await producer.afterChunk()
      if (sendStartMs >= nextYieldAt) {
        await yieldToEventLoop()
        nextYieldAt = Date.now() + YIELD_EVERY_MS
      }
    }
    await producer.close()
  } finally {
    dispose()
  }
  events.print('shutdown_complete')
  const stopMs = Date.now()
  events.print('tool_data', { sent, acked, target_throughput: throughput, avg_throughput: new JavaDouble((1000 * acked) / (stopMs - startMs)) })
  if (storeFailure !== undefined) throw stoppedProducing(storeFailure, acked)
  return { sent, acked }
}
