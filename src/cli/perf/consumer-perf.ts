// kafka-consumer-perf-test's work (ConsumerPerformance, cli.md §9), for commands/consumer-perf-test.ts:
// the settings from its flags, the measured run (a consumer-group member reads --messages records,
// timing the group join apart from the fetching) and the CSV rows Kafka prints. rebalance.time.ms is
// the time spent joining the group (waiting for an assignment, group.initial.rebalance.delay.ms
// included); fetch.* figures leave it out. MB = 2^20 bytes of keys and values.

import { ConsumerFatalError, type ConsumeOptions, type KafkaClient } from '../../client/kafka-client.js'
import { javaFixed } from '../../util/java/numbers.js'
import { UsageError, UserError } from '../errors.js'
import { parseLongOption } from '../flags.js'
import { isolationLevelOf, parseGroupConfig } from '../group-config.js'
import { toolProperties } from '../properties-file.js'
import { abortOnTermination } from '../termination.js'
import { topicRegex } from '../topic-regex.js'
import { DateFormatError, SimpleDateFormat } from './simple-date-format.js'

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

/** The command's flags this module reads. */
export interface ConsumerPerfFlags {
  readonly topic?: string | undefined
  readonly include?: string | undefined
  readonly messages?: string | undefined
  readonly 'num-records'?: string | undefined
  readonly group?: string | undefined
  readonly 'from-latest': boolean
  readonly 'consumer.config'?: string | undefined
  readonly 'command-config'?: string | undefined
  readonly 'command-property'?: readonly string[] | undefined
  readonly timeout?: string | undefined
  readonly 'reporting-interval'?: string | undefined
  readonly 'show-detailed-stats': boolean
  readonly 'date-format'?: string | undefined
  readonly 'hide-header': boolean
  readonly 'print-metrics': boolean
}

export interface ConsumerPerfSettings {
  readonly flags: ConsumerPerfFlags
  readonly numMessages: number
  /** --command-config (or --consumer.config), then --command-property. */
  readonly props: ReadonlyMap<string, string>
  readonly timeoutMs: number
  /** Not yet checked: Kafka refuses a non-positive one only after printing the header. */
  readonly reportingIntervalMs: number
  readonly dateFormat: SimpleDateFormat
  readonly detailed: boolean
}

/** Checks and converts the flags the way ConsumerPerfOptions does, before anything is printed. */
export function consumerPerfSettings(flags: ConsumerPerfFlags, warn: (line: string) => void): ConsumerPerfSettings {
  if ((flags.messages === undefined) === (flags['num-records'] === undefined)) {
    throw new UsageError('Exactly one of the following arguments is required: [messages], [num-records]')
  }
  if ((flags.topic === undefined) === (flags.include === undefined)) {
    throw new UsageError('Exactly one of the following arguments is required: [topic], [include]')
  }
  if (flags['consumer.config'] !== undefined && flags['command-config'] !== undefined) {
    throw new UsageError('Option "[consumer.config]" can\'t be used with option "[command-config]"')
  }
  // Kafka 4.2 renamed these (KIP-1147); the old names still work, with a warning on stdout.
  if (flags.messages !== undefined) warn('Warning: --messages is deprecated. Use --num-records instead.')
  if (flags['consumer.config'] !== undefined) warn('Warning: --consumer.config is deprecated. Use --command-config instead.')
  const numMessages = flags.messages !== undefined ? parseLongOption(flags.messages, 'messages') : parseLongOption(flags['num-records'] ?? '', 'num-records')
  const props = toolProperties(flags['command-config'] ?? flags['consumer.config'], flags['command-property'])
  const timeoutMs = flags.timeout === undefined ? 10_000 : parseLongOption(flags.timeout, 'timeout')
  const reportingIntervalMs = flags['reporting-interval'] === undefined ? 5000 : digits('reporting-interval', flags['reporting-interval'])
  let dateFormat: SimpleDateFormat
  try {
    dateFormat = new SimpleDateFormat(flags['date-format'] ?? 'yyyy-MM-dd HH:mm:ss:SSS')
  } catch (err) {
    if (err instanceof DateFormatError) throw new UserError(err.message)
    throw err
  }
  return { flags, numMessages, props, timeoutMs, reportingIntervalMs, dateFormat, detailed: flags['show-detailed-stats'] }
}

/** Opens the client the command would (embedded or --bootstrap-server) with these consumer properties. */
export type OpenClient = (props: ReadonlyMap<string, string>, clientId: string) => Promise<KafkaClient>

/**
 * The measured run: joins the group, reads up to --messages records (or until --timeout passes between
 * records), calling `detailedRow` with each reporting interval's row under --show-detailed-stats.
 */
export async function measureConsumer(settings: ConsumerPerfSettings, openClient: OpenClient, detailedRow: (line: string) => void): Promise<ConsumerPerfReport> {
  const { flags, numMessages, timeoutMs, reportingIntervalMs, dateFormat, detailed } = settings
  // ConsumerPerfOptions.reportingIntervalMs() refuses this when it is first read, after the header.
  if (reportingIntervalMs <= 0) throw new UserError('Reporting interval must be greater than 0.')

  const props = new Map(settings.props)
  // Kafka sets these over whatever the file and --command-property say.
  const groupId = flags.group ?? `perf-consumer-${Math.floor(Math.random() * 100_000)}`
  props.set('group.id', groupId)
  props.set('auto.offset.reset', flags['from-latest'] ? 'latest' : 'earliest')
  const clientId = props.get('client.id') ?? 'perf-consumer-client'
  const group = { ...parseGroupConfig(groupId, props), clientId }
  const client = await openClient(props, clientId)
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
    isolation: isolationLevelOf(props),
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
            detailedRow(progressLine(dateFormat, now, lastReportTimeMs, bytesRead, lastBytesRead, messagesRead, lastMessagesRead, joinTimeMsInSingleRound))
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
  return { messages: messagesRead, bytes: bytesRead, startMs, endMs, rebalanceMs: joinTimeMs, fetchMs: endMs - startMs - joinTimeMs }
}

/** The CSV header, for the summary row or for the detailed rows. */
export function consumerPerfHeader(detailed: boolean): string {
  const tail = ', rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec'
  return detailed ? `time, threadId, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec${tail}` : `start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec${tail}`
}

/** What Kafka prints after the run: the timeout warning if fewer records came, and the summary row unless detailed. */
export function consumerPerfEndLines(settings: ConsumerPerfSettings, report: ConsumerPerfReport): string[] {
  const lines: string[] = []
  if (report.messages < settings.numMessages) {
    lines.push(`WARNING: Exiting before consuming the expected number of records: timeout (${settings.timeoutMs} ms) exceeded. You can use the --timeout option to increase the timeout.`)
  }
  if (!settings.detailed) {
    const { dateFormat } = settings
    const elapsedSec = (report.endMs - report.startMs) / 1000
    const totalMb = report.bytes / MB
    lines.push(
      [
        dateFormat.format(report.startMs),
        dateFormat.format(report.endMs),
        javaFixed(totalMb, 4),
        javaFixed(totalMb / elapsedSec, 4),
        String(report.messages),
        javaFixed(report.messages / elapsedSec, 4),
        String(report.rebalanceMs),
        String(report.fetchMs),
        javaFixed(totalMb / (report.fetchMs / 1000), 4),
        javaFixed(report.messages / (report.fetchMs / 1000), 4),
      ].join(', '),
    )
  }
  return lines
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
