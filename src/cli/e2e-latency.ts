import type { RecordHeader } from '../broker/records.js'
import type { FormattableRecord, KafkaClient } from '../client/kafka-client.js'
import { javaDoubleToString, javaFixed } from '../util/java/numbers.js'
import { JavaRandom } from '../util/java/random.js'
import { UserError } from './errors.js'
import { producerSettings } from './producer-settings.js'

// kafka-e2e-latency's work (EndToEndLatency, cli-4.md B.12): one record at a time, sent with acks 1 or
// all and waited for, then read back by a consumer that was already at the end of the topic; the time
// from send to receipt is the latency. Every 1000th record prints `<i>\t<ms>`, the end the average and
// the 50th/99th/99.9th percentiles (whole milliseconds, as Kafka's). Keys, values and headers are one
// random upper-case letter repeated (java.util.Random seeded with 0, as Kafka's), and what comes back
// is checked against what was sent: value, key (an empty key is not a null key) and headers.
//
// The consumer reads every partition from its end without joining a group (Kafka's joins a throwaway
// group test-group-<now> only to commit at the end); it long-polls, where Kafka's polls with
// fetch.max.wait.ms=0.

export interface E2eLatencySettings {
  readonly topic: string
  readonly acks: 1 | -1
  readonly numRecords: number
  readonly recordSize: number
  readonly recordKeySize: number
  readonly numHeaders: number
  readonly headerKeySize: number
  /** -1: null header values. */
  readonly headerValueSize: number
}

/** Kafka's poll timeout: a record not back within this long ends the test. */
const POLL_TIMEOUT_MS = 60_000

interface Received {
  readonly key: Buffer | null
  readonly value: Buffer | null
  readonly headers: readonly RecordHeader[]
  readonly atNs: bigint
}

function letters(random: JavaRandom, length: number): Buffer {
  // Java draws the letter even for an empty array.
  return Buffer.alloc(length, 65 + random.nextInt(26))
}

/**
 * Runs the test against `client`; `props` are the --command-config producer properties (Kafka's
 * linger.ms=0 and the acks asked for go over them).
 */
export async function measureEndToEndLatency(client: KafkaClient, props: ReadonlyMap<string, string>, settings: E2eLatencySettings, print: (line: string) => void): Promise<void> {
  const { topic, numRecords } = settings
  const [existing] = await client.describeTopics([topic])
  if (existing === undefined) {
    print(`Topic "${topic}" does not exist. Will create topic with 1 partition(s) and replication factor = 1`)
    const created = await client.createTopic({ name: topic, numPartitions: 1, replicationFactor: 1, configs: new Map() })
    if (!created.ok) {
      print(`Creation of topic ${topic} failed`)
      throw new UserError(created.error.message)
    }
  }

  // The consumer runs beside the send loop; each record it hands out settles the current wait.
  const stop = new AbortController()
  let waiting: ((r: Received) => void) | undefined
  let unexpected = 0
  let markReady: () => void = () => undefined
  const ready = new Promise<void>((resolve) => (markReady = resolve))
  const consumer = await client.consumer({ topics: { name: topic }, start: 'latest', resetTo: 'latest', signal: stop.signal })
  const onRecord = (r: FormattableRecord): boolean => {
    const atNs = process.hrtime.bigint()
    const copy = (start: number, length: number) => (length < 0 ? null : Buffer.from(r.data.subarray(start, start + length)))
    const received = { key: copy(r.keyStart, r.keyLength), value: copy(r.valueStart, r.valueLength), headers: r.headers(), atNs }
    const settle = waiting
    waiting = undefined
    if (settle === undefined) unexpected++
    else settle(received)
    return true
  }
  // The first round of reads means every partition has its position at the end: sending may start.
  const running = consumer.run(onRecord, async () => {
    markReady()
    return true
  })
  const failed = running.then(() => {
    throw new Error('the consumer stopped before the test ended')
  })
  failed.catch(() => undefined)
  const raceConsumer = <T>(p: Promise<T>) => Promise.race([p, failed])

  let sendFailure: Error | undefined
  const producer = await client.producer(topic, { ...producerSettings(props, { clientId: 'producer-1', lingerMs: 0 }), lingerMs: 0, acks: settings.acks }, (f) => {
    sendFailure ??= f.error
  })
  try {
    await raceConsumer(ready)
    const random = new JavaRandom(0)
    const latencies = new Array<number>(numRecords)
    let totalNs = 0
    for (let i = 0; i < numRecords; i++) {
      const key = letters(random, settings.recordKeySize)
      const value = letters(random, settings.recordSize)
      const headers: RecordHeader[] = []
      for (let h = 0; h < settings.numHeaders; h++) {
        const headerKey = letters(random, settings.headerKeySize)
        headers.push({ key: headerKey, value: settings.headerValueSize === -1 ? null : letters(random, settings.headerValueSize) })
      }
      const begin = process.hrtime.bigint()
      const arrived = new Promise<Received>((resolve) => (waiting = resolve))
      producer.send(key, value, headers.length === 0 ? undefined : headers, Date.now())
      await producer.flush()
      if (sendFailure !== undefined) throw new UserError(sendFailure.message)
      const received = await raceConsumer(withTimeout(arrived, POLL_TIMEOUT_MS))
      if (received === undefined) throw new UserError(`poll() timed out before finding a result (timeout:[${POLL_TIMEOUT_MS}ms])`)
      const elapsedNs = Number(received.atNs - begin)
      validate(received, key, value, headers, unexpected)
      if (i % 1000 === 0) print(`${i}\t${javaDoubleToString(elapsedNs / 1000 / 1000)}`)
      totalNs += elapsedNs
      latencies[i] = Math.trunc(elapsedNs / 1000 / 1000)
    }
    print(`Avg latency: ${javaFixed(totalNs / numRecords / 1000 / 1000, 4)} ms`)
    latencies.sort((a, b) => a - b)
    const at = (q: number) => latencies[Math.trunc(latencies.length * q)] ?? 0
    print(`Percentiles: 50th = ${at(0.5)}, 99th = ${at(0.99)}, 99.9th = ${at(0.999)}`)
  } finally {
    await producer.close()
    stop.abort()
    await running.catch(() => undefined)
    await consumer.close()
  }
}

/** The record read back against the one sent, with Kafka's messages. */
function validate(received: Received, key: Buffer, value: Buffer, headers: readonly RecordHeader[], unexpected: number): void {
  const text = (b: Buffer | null) => (b === null ? 'null' : b.toString('utf8'))
  if (!(received.value ?? Buffer.alloc(0)).equals(value)) {
    throw new UserError(`The message value read [${text(received.value)}] did not match the message value sent [${text(value)}]`)
  }
  if (received.key === null) throw new UserError('Expected message key but received null')
  if (!received.key.equals(key)) throw new UserError(`The message key read [${text(received.key)}] did not match the message key sent [${text(key)}]`)
  if (headers.length > 0) {
    if (received.headers.length === 0) throw new UserError('Expected message headers but received none')
    const bytes = (b: Buffer | null) => (b === null ? 'null' : `[${[...b].join(', ')}]`)
    for (let h = 0; h < Math.min(headers.length, received.headers.length); h++) {
      const sent = headers[h]!
      const got = received.headers[h]!
      const same = got.key.equals(sent.key) && (got.value === null ? sent.value === null : sent.value !== null && got.value.equals(sent.value))
      if (!same) {
        throw new UserError(
          `The message header read [${text(got.key)}:${bytes(got.value)}] did not match the message header sent [${text(sent.key)}:${bytes(sent.value)}]`,
        )
      }
    }
    if (headers.length !== received.headers.length) throw new UserError('Header count mismatch between sent and received messages')
  }
  if (unexpected > 0) throw new UserError(`Only one result was expected during this test. We found [${unexpected + 1}]`)
}

/** The promise's value, or undefined once `ms` passed. */
async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([p, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))])
  } finally {
    clearTimeout(timer)
  }
}
