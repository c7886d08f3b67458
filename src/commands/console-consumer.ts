import { once } from 'node:events'

import { Flags } from '@oclif/core'

import { ConsumerFatalError, type ConsumeOptions, type StartPosition } from '../client/kafka-client.js'
import { UsageError, UserError } from '../cli/errors.js'
import { keyValues, parseKeyValues } from '../cli/flags.js'
import { KafkaCommand } from '../cli/kafka-command.js'
import { MessageFormatter, formatterConfig } from '../cli/message-formatter.js'
import { OutputBuffer } from '../cli/output-buffer.js'
import { readPropertiesFile } from '../cli/properties-file.js'
import { parseGroupConfig } from '../cli/group-config.js'
import { topicRegex } from '../cli/topic-regex.js'

const DEFAULT_FORMATTERS = new Set([
  'kafka.tools.DefaultMessageFormatter',
  'org.apache.kafka.tools.consumer.DefaultMessageFormatter',
])
const NOOP_FORMATTERS = new Set(['kafka.tools.NoOpMessageFormatter', 'org.apache.kafka.tools.consumer.NoOpMessageFormatter'])
/** Flush formatted output once this much is buffered. */
const FLUSH_BYTES = 256 << 10

export interface ConsumerReport {
  messages: number
}

export default class ConsoleConsumer extends KafkaCommand<ConsumerReport> {
  static override summary = 'Read records and write them to standard output (kafka-console-consumer.sh).'
  static override examples = [
    '<%= config.bin %> <%= command.id %> --topic quickstart-events --from-beginning',
    '<%= config.bin %> <%= command.id %> --topic orders --partition 0 --offset 42 --max-messages 10 --property print.key=true',
  ]
  static override enableJsonFlag = false

  static override flags = {
    ...KafkaCommand.connectionFlags,
    topic: Flags.string({ summary: 'The topic to consume.' }),
    include: Flags.string({ summary: 'Regular expression of topics to consume (instead of --topic).' }),
    whitelist: Flags.string({ summary: 'Deprecated alias of --include.', hidden: true }),
    partition: Flags.integer({ summary: 'Read only this partition (starts at the end unless --offset or --from-beginning).' }),
    offset: Flags.string({ summary: "With --partition: 'earliest', 'latest' (default) or a non-negative offset." }),
    'from-beginning': Flags.boolean({ summary: 'Start with the earliest record rather than the latest.' }),
    group: Flags.string({ summary: 'Consumer group id: partitions are shared with the other members, offsets committed.' }),
    'max-messages': Flags.integer({ summary: 'Exit after consuming this many records.' }),
    'timeout-ms': Flags.integer({ summary: 'Exit when no record arrived for this many milliseconds.' }),
    'skip-message-on-error': Flags.boolean({ summary: 'Skip (and log) records that cannot be formatted instead of stopping.' }),
    formatter: Flags.string({ summary: 'Formatter class: DefaultMessageFormatter (default) or NoOpMessageFormatter.' }),
    property: keyValues('Formatter property: print.key, print.value, print.timestamp, print.offset, print.partition, print.headers, key.separator, line.separator, headers.separator, null.literal, key.deserializer, value.deserializer, headers.deserializer.'),
    'formatter-config': Flags.string({ summary: 'Properties file of formatter properties (--property wins).' }),
    'consumer-property': keyValues('Consumer config key=value (repeatable).'),
    'consumer.config': Flags.string({ summary: 'Consumer config properties file (--consumer-property wins).' }),
    'key-deserializer': Flags.string({ summary: 'Key deserializer class (passed to the formatter as key.deserializer).' }),
    'value-deserializer': Flags.string({ summary: 'Value deserializer class (passed to the formatter as value.deserializer).' }),
    'isolation-level': Flags.string({ summary: 'read_committed or read_uncommitted (default); no transactions are stored, so both read the same.' }),
    'enable-systest-events': Flags.boolean({ summary: 'Print shutdown_complete at exit (system tests).', hidden: true }),
  }

  async run(): Promise<ConsumerReport> {
    const { flags } = await this.parse(ConsoleConsumer)
    const include = flags.include ?? flags.whitelist
    const exactlyOne = `Exactly one of --include/--topic is required. ${flags.whitelist !== undefined ? '--whitelist is DEPRECATED use --include instead; ignored if --include specified.' : ''}`.trimEnd()
    // Neither: on a terminal, ask for the topic (as for every missing required flag); elsewhere Kafka's
    // usage error. A topic that does not exist is refused below, never created.
    if (flags.topic === undefined && include === undefined) flags.topic = await this.required(undefined, 'Topic to consume:', exactlyOne)
    if ((flags.topic === undefined) === (include === undefined)) throw new UsageError(exactlyOne)
    if (flags.partition !== undefined && flags.topic === undefined) throw new UsageError('The topic is required when partition is specified.')
    if (flags.partition !== undefined && flags['from-beginning'] && flags.offset !== undefined) {
      throw new UsageError('Options from-beginning and offset cannot be specified together.')
    }
    if (flags.offset !== undefined && flags.partition === undefined) throw new UsageError('The partition is required when offset is specified.')

    const consumerProps = new Map([...(flags['consumer.config'] ? readPropertiesFile(flags['consumer.config']) : []), ...parseKeyValues(flags['consumer-property'])])
    const groupIds = [flags.group, consumerProps.get('group.id')].filter((g): g is string => g !== undefined)
    if (new Set(groupIds).size > 1) {
      throw new UsageError(
        `The group ids provided in different places (directly using '--group', via '--consumer-property', or via '--consumer.config') do not match. Detected group ids: ${[...new Set(groupIds)].map((g) => `'${g}'`).join(', ')}`,
      )
    }
    if (groupIds.length > 0 && flags.partition !== undefined) throw new UsageError('Options group and partition cannot be specified together.')
    const groupConfig = groupIds[0] === undefined ? undefined : parseGroupConfig(groupIds[0], consumerProps)
    const start = parseStart(flags.offset, flags['from-beginning'])
    const reset = consumerProps.get('auto.offset.reset')
    if (flags['from-beginning'] && reset !== undefined && reset !== 'earliest') {
      throw new UserError(`Can't simultaneously specify --from-beginning and 'auto.offset.reset=${reset}', please remove one option`)
    }
    const resetTo = (reset ?? (flags['from-beginning'] ? 'earliest' : 'latest')) as 'earliest' | 'latest' | 'none'
    if (!['earliest', 'latest', 'none'].includes(resetTo)) {
      throw new UsageError(`Invalid value ${resetTo} for configuration auto.offset.reset: String must be one of: latest, earliest, none`)
    }
    if (flags['isolation-level'] !== undefined && !['read_committed', 'read_uncommitted'].includes(flags['isolation-level'])) {
      throw new UsageError(`Invalid value ${flags['isolation-level']} for configuration isolation.level: String must be one of: read_committed, read_uncommitted`)
    }
    const formatterClass = flags.formatter ?? 'org.apache.kafka.tools.consumer.DefaultMessageFormatter'
    const noop = NOOP_FORMATTERS.has(formatterClass)
    if (!noop && !DEFAULT_FORMATTERS.has(formatterClass)) throw new UserError(`Formatter class ${formatterClass} is not available in kafka-ts.`)

    const formatterProps = new Map([...(flags['formatter-config'] ? readPropertiesFile(flags['formatter-config']) : []), ...parseKeyValues(flags.property)])
    if (flags['key-deserializer']) formatterProps.set('key.deserializer', flags['key-deserializer'])
    if (flags['value-deserializer']) formatterProps.set('value.deserializer', flags['value-deserializer'])
    let formatter: MessageFormatter
    try {
      formatter = new MessageFormatter(formatterConfig(formatterProps))
    } catch (err) {
      throw new UserError((err as Error).message)
    }

    const client = await this.openClient(flags, { props: consumerProps, clientId: consumerProps.get('client.id') ?? 'console-consumer' })
    let topics: ConsumeOptions['topics']
    if (flags.topic !== undefined) {
      const name = flags.topic
      const listing = (await client.listTopics()).find((t) => t.name === name)
      if (!listing) throw new UserError(`Topic '${name}' does not exist.`, `create it with \`kafka-ts topics --create --topic ${name}\``)
      if (flags.partition !== undefined && (flags.partition < 0 || flags.partition >= listing.partitionCount)) {
        throw new UserError(`Partition ${flags.partition} of topic '${name}' does not exist (the topic has ${listing.partitionCount} partition(s)).`)
      }
      topics = { name }
    } else {
      topics = { pattern: topicRegex(include ?? '') }
    }

    const out = new OutputBuffer()
    let stdoutBroken = false
    process.stdout.on('error', () => {
      stdoutBroken = true
    })
    const drain = async (): Promise<boolean> => {
      if (stdoutBroken) return false
      if (out.length === 0) return true
      const chunk = Buffer.from(out.bytes())
      out.reset()
      if (!process.stdout.write(chunk)) {
        // One signal removes the listeners of the two events that did not fire (they used to pile up).
        const settled = new AbortController()
        const { signal } = settled
        await Promise.race([once(process.stdout, 'drain', { signal }), once(process.stdout, 'close', { signal }), once(process.stdout, 'error', { signal })]).catch(() => undefined)
        settled.abort()
      }
      return !stdoutBroken
    }

    const aborter = new AbortController()
    const onSignal = () => aborter.abort()
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
    const consumer = await client.consumer({
      topics,
      ...(flags.partition === undefined ? {} : { partition: flags.partition }),
      start,
      resetTo,
      // Kafka's -1 means unlimited; any other value below 1 reads nothing.
      ...(flags['max-messages'] === undefined || flags['max-messages'] === -1 ? {} : { maxMessages: flags['max-messages'] }),
      ...(flags['timeout-ms'] === undefined ? {} : { timeoutMs: flags['timeout-ms'] }),
      signal: aborter.signal,
      ...(groupConfig === undefined ? {} : { group: groupConfig }),
    })
    let failure: Error | undefined
    try {
      const reason = await consumer.run((r, _topic, partition) => {
        if (noop) return true
        const mark = out.length
        try {
          formatter.format(r, partition, out)
        } catch (err) {
          // Deliberate difference: Java has already printed the fields before the failing one; stdout
          // here carries whole records only.
          out.truncate(mark)
          if (!flags['skip-message-on-error']) {
            failure = err as Error
            return false
          }
          process.stderr.write(`Error processing message, skipping this message: ${String(err)}\n`)
        }
        if (out.length >= FLUSH_BYTES && !stdoutBroken) {
          // Synchronous hand-off keeps memory flat; back-pressure is honoured at the end of the round.
          process.stdout.write(Buffer.from(out.bytes()))
          out.reset()
        }
        return !stdoutBroken
      }, drain)
      if (reason === 'consumer-stopped' && stdoutBroken) process.stderr.write('Unable to write to standard out, closing consumer.\n')
      // Kafka reports the --timeout-ms expiry as an error log line and still exits 0.
      if (reason === 'timeout') process.stderr.write('Error processing message, terminating consumer process: org.apache.kafka.common.errors.TimeoutException\n')
    } catch (err) {
      if (err instanceof ConsumerFatalError) throw new UserError(`Unknown error when running consumer: ${err.javaText}`, err.hint)
      throw err
    } finally {
      // The records before a failure (damage met further on, say) are still written out.
      await drain()
      // Commits what was printed and leaves the group, so the other members rebalance at once.
      await consumer.close()
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
      // Kafka counts a record before formatting it, so a record that failed to format is counted.
      process.stderr.write(`Processed a total of ${consumer.count} messages\n`)
      if (flags['enable-systest-events']) process.stdout.write('shutdown_complete\n')
    }
    if (failure) throw new UserError(`Unknown error when running consumer: ${String(failure)}`)
    return { messages: consumer.count }
  }
}

function parseStart(offset: string | undefined, fromBeginning: boolean): StartPosition {
  if (offset === undefined) return fromBeginning ? 'earliest' : 'latest'
  const v = offset.trim().toLowerCase()
  if (v === 'earliest' || v === 'latest') return v
  if (/^\d+$/.test(v) && Number.isSafeInteger(Number(v))) return Number(v)
  throw new UsageError(`The provided offset value '${offset}' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long.`)
}

