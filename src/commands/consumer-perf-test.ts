import { Flags } from '@oclif/core'

import { ConsumerFatalError, type ConsumeOptions } from '../client/kafka-client.js'
import { UsageError, UserError } from '../cli/errors.js'
import { parseLongOption } from '../cli/flags.js'
import { KafkaCommand } from '../cli/kafka-command.js'
import { javaFixed } from '../util/java/numbers.js'
import { DateFormatError, SimpleDateFormat } from '../cli/perf/simple-date-format.js'
import { toolProperties } from '../cli/properties-file.js'
import { abortOnTermination } from '../cli/termination.js'
import { parseGroupConfig } from '../cli/group-config.js'
import { topicRegex } from '../cli/topic-regex.js'

// kafka-consumer-perf-test (ConsumerPerformance, cli.md §9): a consumer-group member reads --messages
// records and reports data volume and rates as CSV — one summary row, or a row per reporting interval
// with --show-detailed-stats. rebalance.time.ms is the time spent joining the group (waiting for an
// assignment, group.initial.rebalance.delay.ms included); fetch.* figures leave it out. MB = 2^20 bytes
// of keys and values. Without --bootstrap-server the local data directory is read through the embedded
// consumer, still as a group member.
//
// Deliberate differences: exactly --messages records are consumed (Java finishes the poll that crosses
// the count, so it may count a few hundred more); --bootstrap-server is optional; --print-metrics
// prints a note instead of Java's metrics registry.

const MB = 1024 * 1024
/** How often (in records) the clock is read between reads for the reporting interval. */
const CLOCK_EVERY = 1024

export interface ConsumerPerfReport {
  messages: number
  bytes: number
  startMs: number
  endMs: number
  rebalanceMs: number
  fetchMs: number
}

export default class ConsumerPerfTest extends KafkaCommand<ConsumerPerfReport> {
  static override summary = 'Measure consumer throughput (kafka-consumer-perf-test.sh).'
  static override examples = [
    '<%= config.bin %> <%= command.id %> --topic perf --messages 1000000',
    '<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092 --topic perf --messages 100000 --show-detailed-stats --reporting-interval 1000',
  ]
  static override enableJsonFlag = false

  static override flags = {
    ...KafkaCommand.connectionFlags,
    'broker-list': Flags.string({ summary: 'Deprecated alias of --bootstrap-server.', hidden: true }),
    topic: Flags.string({ summary: 'The topic to consume from.' }),
    include: Flags.string({ summary: 'Regular expression specifying list of topics to include for consumption.' }),
    messages: Flags.string({ summary: 'REQUIRED: The number of messages to consume.' }),
    group: Flags.string({ summary: 'The group id to consume on (default: perf-consumer-<random>).' }),
    'from-latest': Flags.boolean({ summary: 'Without a committed offset, start with the latest record rather than the earliest.' }),
    'fetch-size': Flags.integer({ summary: 'The amount of data to fetch in a single request (accepted; the reads are sized by the client).' }),
    'socket-buffer-size': Flags.integer({ summary: 'The size of the tcp RECV size (accepted).' }),
    'consumer.config': Flags.string({ summary: 'Consumer config properties file.' }),
    timeout: Flags.string({ summary: 'The maximum allowed time in milliseconds between returned records (default 10000).' }),
    'reporting-interval': Flags.string({ summary: 'Interval in milliseconds at which to print progress info (default 5000).' }),
    'show-detailed-stats': Flags.boolean({ summary: 'If set, stats are reported for each reporting interval as configured by reporting-interval.' }),
    'date-format': Flags.string({ summary: 'The date format to use for formatting the time field. See java.text.SimpleDateFormat for options.' }),
    'hide-header': Flags.boolean({ summary: 'If set, skips printing the header for the stats.' }),
    'print-metrics': Flags.boolean({ summary: 'Prints a note: kafka-ts consumers keep no metrics registry.' }),
    threads: Flags.integer({ summary: 'Deprecated and ignored.', hidden: true }),
    'num-fetch-threads': Flags.integer({ summary: 'Deprecated and ignored.', hidden: true }),
  }

  async run(): Promise<ConsumerPerfReport> {
    const { flags } = await this.parse(ConsumerPerfTest)
    if (flags.messages === undefined) throw new UsageError('Missing required argument "[messages]"')
    if ((flags.topic === undefined) === (flags.include === undefined)) {
      throw new UsageError('Exactly one of the following arguments is required: [topic], [include]')
    }
    const numMessages = parseLongOption(flags.messages, 'messages')
    const timeoutMs = flags.timeout === undefined ? 10_000 : parseLongOption(flags.timeout, 'timeout')
    const reportingIntervalMs = flags['reporting-interval'] === undefined ? 5000 : digits('reporting-interval', flags['reporting-interval'])
    let dateFormat: SimpleDateFormat
    try {
      dateFormat = new SimpleDateFormat(flags['date-format'] ?? 'yyyy-MM-dd HH:mm:ss:SSS')
    } catch (err) {
      if (err instanceof DateFormatError) throw new UserError(err.message)
      throw err
    }
    if (flags.threads !== undefined || flags['num-fetch-threads'] !== undefined) {
      process.stderr.write('WARNING: option [threads] and [num-fetch-threads] have been deprecated and will be ignored by the test\n')
    }
    // ConsumerPerfOptions.reportingIntervalMs() refuses this when it is first read, after the header.
    const detailed = flags['show-detailed-stats']
    const print = (line: string) => process.stdout.write(`${line}\n`)
    if (!flags['hide-header']) {
      const tail = ', rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec'
      print(detailed ? `time, threadId, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec${tail}` : `start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec${tail}`)
    }
    if (reportingIntervalMs <= 0) throw new UserError('Reporting interval must be greater than 0.')

    const props = toolProperties(flags['consumer.config'], undefined)
    // Kafka sets these over whatever the file says.
    const groupId = flags.group ?? `perf-consumer-${Math.floor(Math.random() * 100_000)}`
    props.set('group.id', groupId)
    props.set('auto.offset.reset', flags['from-latest'] ? 'latest' : 'earliest')
    const clientId = props.get('client.id') ?? 'perf-consumer-client'
    const group = { ...parseGroupConfig(groupId, props), clientId }
    const bootstrap = flags['bootstrap-server'] ?? flags['broker-list']
    const client = await this.openClient({ ...flags, 'bootstrap-server': bootstrap }, { props, clientId })
    const topics: ConsumeOptions['topics'] = flags.topic !== undefined ? { name: flags.topic } : { pattern: topicRegex(flags.include ?? '') }

    let bytesRead = 0
    let messagesRead = 0
    let lastBytesRead = 0
    let lastMessagesRead = 0
    const startMs = Date.now()
    let now = startMs
    let lastReportTimeMs = startMs
    // ConsumerPerfRebListener: join time counts from the start, or from the moment everything was revoked.
    let joinStartMs = startMs
    let joinTimeMs = 0
    let joinTimeMsInSingleRound = 0
    let assigned = false
    const onRebalance = (phase: 'revoked' | 'assigned') => {
      const t = Date.now()
      if (phase === 'revoked') {
        assigned = false
        joinStartMs = t
      } else if (!assigned) {
        joinTimeMs += t - joinStartMs
        joinTimeMsInSingleRound += t - joinStartMs
        assigned = true
      }
    }

    const termination = abortOnTermination()
    const consumer = await client.consumer({
      topics,
      start: flags['from-latest'] ? 'latest' : 'earliest',
      resetTo: flags['from-latest'] ? 'latest' : 'earliest',
      maxMessages: Math.max(0, numMessages),
      timeoutMs,
      signal: termination.signal,
      group,
      clientId,
      onRebalance,
    })
    let endMs: number
    try {
      await consumer.run(
        (r) => {
          messagesRead++
          if (r.keyLength > 0) bytesRead += r.keyLength
          if (r.valueLength > 0) bytesRead += r.valueLength
          if (messagesRead % CLOCK_EVERY === 0) now = Date.now()
          if (now - lastReportTimeMs >= reportingIntervalMs) {
            if (detailed) {
              print(progressLine(dateFormat, now, lastReportTimeMs, bytesRead, lastBytesRead, messagesRead, lastMessagesRead, joinTimeMsInSingleRound))
            }
            joinTimeMsInSingleRound = 0
            lastReportTimeMs = now
            lastMessagesRead = messagesRead
            lastBytesRead = bytesRead
          }
          return true
        },
        async () => {
          now = Date.now()
          return true
        },
      )
      endMs = Date.now()
    } catch (err) {
      if (err instanceof ConsumerFatalError) throw new UserError(err.javaText)
      throw err
    } finally {
      await consumer.close()
      termination.dispose()
    }
    if (messagesRead < numMessages) {
      print(`WARNING: Exiting before consuming the expected number of messages: timeout (${timeoutMs} ms) exceeded. You can use the --timeout option to increase the timeout.`)
    }
    const elapsedSec = (endMs - startMs) / 1000
    const fetchTimeMs = endMs - startMs - joinTimeMs
    if (!detailed) {
      const totalMb = bytesRead / MB
      print(
        [
          dateFormat.format(startMs),
          dateFormat.format(endMs),
          javaFixed(totalMb, 4),
          javaFixed(totalMb / elapsedSec, 4),
          String(messagesRead),
          javaFixed(messagesRead / elapsedSec, 4),
          String(joinTimeMs),
          String(fetchTimeMs),
          javaFixed(totalMb / (fetchTimeMs / 1000), 4),
          javaFixed(messagesRead / (fetchTimeMs / 1000), 4),
        ].join(', '),
      )
    }
    if (flags['print-metrics']) process.stderr.write("--print-metrics: kafka-ts consumers keep no metrics registry like the Java client's; no metrics to print.\n")
    return { messages: messagesRead, bytes: bytesRead, startMs, endMs, rebalanceMs: joinTimeMs, fetchMs: fetchTimeMs }
  }
}

/** printBasicProgress + printExtendedProgress: one detailed row for the interval that just ended. */
function progressLine(
  dateFormat: SimpleDateFormat,
  endMs: number,
  startMs: number,
  bytesRead: number,
  lastBytesRead: number,
  messagesRead: number,
  lastMessagesRead: number,
  joinTimeMsInSingleRound: number,
): string {
  const elapsedMs = endMs - startMs
  const totalMbRead = bytesRead / MB
  const intervalMbRead = (bytesRead - lastBytesRead) / MB
  const intervalMbPerSec = (1000 * intervalMbRead) / elapsedMs
  const intervalMessagesPerSec = ((messagesRead - lastMessagesRead) / elapsedMs) * 1000
  const fetchTimeMs = elapsedMs - joinTimeMsInSingleRound
  const fetchMbPerSec = fetchTimeMs <= 0 ? 0 : (1000 * intervalMbRead) / fetchTimeMs
  const fetchMessagesPerSec = fetchTimeMs <= 0 ? 0 : (1000 * (messagesRead - lastMessagesRead)) / fetchTimeMs
  return [
    dateFormat.format(endMs),
    '0',
    javaFixed(totalMbRead, 4),
    javaFixed(intervalMbPerSec, 4),
    String(messagesRead),
    javaFixed(intervalMessagesPerSec, 4),
    String(joinTimeMsInSingleRound),
    String(fetchTimeMs),
    javaFixed(fetchMbPerSec, 4),
    javaFixed(fetchMessagesPerSec, 4),
  ].join(', ')
}


/** --reporting-interval: jopt's regex(^\d+$) converter, then a Long. */
function digits(name: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`Value [${value}] did not match regex [^\\d+$]`)
  return parseLongOption(value, name)
}
