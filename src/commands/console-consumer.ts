import { Flags } from '@oclif/core'

import { ConsumerFatalError } from '../client/kafka-client.js'
import { consoleConsumerOptions } from '../cli/console-consumer-options.js'
import { UserError } from '../cli/errors.js'
import { keyValues } from '../cli/flags.js'
import { KafkaCommand } from '../cli/kafka-command.js'
import { StdoutSink } from '../cli/stdout-sink.js'
import { abortOnTermination } from '../cli/termination.js'

export interface ConsumerReport {
  messages: number
}

export default class ConsoleConsumer extends KafkaCommand<ConsumerReport> {
  static override summary = 'Read records and write them to standard output (kafka-console-consumer.sh).'
  static override examples = [
    '<%= config.bin %> <%= command.id %> --topic quickstart-events --from-beginning',
    '<%= config.bin %> <%= command.id %> --topic orders --partition 0 --offset 42 --max-messages 10 --formatter-property print.key=true',
  ]
  static override enableJsonFlag = false

  static override flags = {
    ...KafkaCommand.connectionFlags,
    topic: Flags.string({ summary: 'The topic to consume.' }),
    include: Flags.string({ summary: 'Regular expression of topics to consume (instead of --topic).' }),
    partition: Flags.integer({ summary: 'Read only this partition (starts at the end unless --offset or --from-beginning).' }),
    offset: Flags.string({ summary: "With --partition: 'earliest', 'latest' (default) or a non-negative offset." }),
    'from-beginning': Flags.boolean({ summary: 'Start with the earliest record rather than the latest.' }),
    group: Flags.string({ summary: 'Consumer group id: partitions are shared with the other members, offsets committed.' }),
    'max-messages': Flags.integer({ summary: 'Exit after consuming this many records.' }),
    'timeout-ms': Flags.integer({ summary: 'Exit when no record arrived for this many milliseconds.' }),
    'skip-message-on-error': Flags.boolean({ summary: 'Skip (and log) records that cannot be formatted instead of stopping.' }),
    formatter: Flags.string({ summary: 'Formatter class: DefaultMessageFormatter (default) or NoOpMessageFormatter.' }),
    'formatter-property': keyValues('Formatter property: print.key, print.value, print.timestamp, print.offset, print.partition, print.delivery, print.epoch, print.headers, key.separator, line.separator, headers.separator, null.literal, key.deserializer, value.deserializer, headers.deserializer.'),
    property: keyValues('Deprecated: use --formatter-property.'),
    'formatter-config': Flags.string({ summary: 'Properties file of formatter properties (--formatter-property wins).' }),
    'command-property': keyValues('Consumer config key=value (repeatable).'),
    'consumer-property': keyValues('Deprecated: use --command-property.'),
    'command-config': Flags.string({ summary: 'Consumer config properties file (--command-property wins).', helpGroup: 'CONNECTION' }),
    'consumer.config': Flags.string({ summary: 'Deprecated: use --command-config.' }),
    'key-deserializer': Flags.string({ summary: 'Key deserializer class (passed to the formatter as key.deserializer).' }),
    'value-deserializer': Flags.string({ summary: 'Value deserializer class (passed to the formatter as value.deserializer).' }),
    'isolation-level': Flags.string({
      summary: 'read_committed: only committed transactional records, up to the last stable offset; read_uncommitted (default): everything.',
    }),
    'enable-systest-events': Flags.boolean({ summary: 'Print shutdown_complete at exit (system tests).', hidden: true }),
  }

  async run(): Promise<ConsumerReport> {
    const { flags } = await this.parse(ConsoleConsumer)
    const options = await consoleConsumerOptions(flags, (usage) => this.required(undefined, 'Topic to consume:', usage))
    // consumerProps already hold --command-config's settings.
    const client = await this.openClient({ ...flags, 'command-config': undefined }, { props: options.consumerProps, clientId: options.clientId })
    if ('name' in options.topic) {
      const { name } = options.topic
      const listing = (await client.listTopics()).find((t) => t.name === name)
      if (!listing) throw new UserError(`Topic '${name}' does not exist.`, `create it with \`kafka-ts topics --create --topic ${name}\``)
      if (flags.partition !== undefined && (flags.partition < 0 || flags.partition >= listing.partitionCount)) {
        throw new UserError(`Partition ${flags.partition} of topic '${name}' does not exist (the topic has ${listing.partitionCount} partition(s)).`)
      }
    }

    const sink = new StdoutSink()
    const termination = abortOnTermination()
    const consumer = await client.consumer({ topics: options.topic, ...options.consume, signal: termination.signal })
    const { formatter } = options
    let failure: Error | undefined
    try {
      const reason = await consumer.run((r, _topic, partition) => {
        if (formatter === undefined) return true
        const mark = sink.out.length
        try {
          formatter.format(r, partition, sink.out)
        } catch (err) {
          // Deliberate difference: Java has already printed the fields before the failing one; stdout
          // here carries whole records only.
          sink.out.truncate(mark)
          if (!flags['skip-message-on-error']) {
            failure = err as Error
            return false
          }
          process.stderr.write(`Error processing message, skipping this message: ${String(err)}\n`)
        }
        sink.flushIfFull()
        return !sink.closed
      }, () => sink.drain())
      if (reason === 'consumer-stopped' && sink.closed) process.stderr.write('Unable to write to standard out, closing consumer.\n')
      // Kafka reports the --timeout-ms expiry as an error log line and still exits 0.
      if (reason === 'timeout') process.stderr.write('Error processing message, terminating consumer process: org.apache.kafka.common.errors.TimeoutException\n')
    } catch (err) {
      if (err instanceof ConsumerFatalError) throw new UserError(`Unknown error when running consumer: ${err.javaText}`, err.hint)
      throw err
    } finally {
      // The records before a failure (damage met further on, say) are still written out.
      await sink.drain()
      // Commits what was printed and leaves the group, so the other members rebalance at once.
      await consumer.close()
      termination.dispose()
      // Kafka counts a record before formatting it, so a record that failed to format is counted.
      process.stderr.write(`Processed a total of ${consumer.count} messages\n`)
      if (flags['enable-systest-events']) process.stdout.write('shutdown_complete\n')
    }
    if (failure) throw new UserError(`Unknown error when running consumer: ${String(failure)}`)
    return { messages: consumer.count }
  }
}
