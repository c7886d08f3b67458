import { Flags } from '@oclif/core'

import { KafkaCommand } from '../cli/kafka-command.js'
import { consumerPerfEndLines, consumerPerfHeader, consumerPerfSettings, measureConsumer, type ConsumerPerfReport } from '../cli/perf/consumer-perf.js'

// kafka-consumer-perf-test (ConsumerPerformance, cli.md §9, cli-4.md A.13): a consumer-group member reads
// --num-records records and reports data volume and rates as CSV — one summary row, or a row per reporting interval
// with --show-detailed-stats (the work and the rows: cli/perf/consumer-perf.ts). Without
// --bootstrap-server the local data directory is read through the embedded consumer, still as a group
// member.
//
// Deliberate differences: exactly --num-records records are consumed (Java finishes the poll that crosses
// the count, so it may count a few hundred more); --bootstrap-server is optional; --print-metrics
// prints a note instead of Java's metrics registry.

export default class ConsumerPerfTest extends KafkaCommand<ConsumerPerfReport> {
  static override summary = 'Measure consumer throughput (kafka-consumer-perf-test.sh).'
  static override examples = [
    '<%= config.bin %> <%= command.id %> --topic perf --num-records 1000000',
    '<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092 --topic perf --num-records 100000 --show-detailed-stats --reporting-interval 1000',
  ]
  static override enableJsonFlag = false

  static override flags = {
    ...KafkaCommand.connectionFlags,
    topic: Flags.string({ summary: 'The topic to consume from.' }),
    include: Flags.string({ summary: 'Regular expression specifying list of topics to include for consumption.' }),
    'num-records': Flags.string({ summary: 'REQUIRED: The number of records to consume.' }),
    messages: Flags.string({ summary: 'Deprecated: use --num-records.' }),
    group: Flags.string({ summary: 'The group id to consume on (default: perf-consumer-<random>).' }),
    'from-latest': Flags.boolean({ summary: 'Without a committed offset, start with the latest record rather than the earliest.' }),
    'fetch-size': Flags.integer({ summary: 'max.partition.fetch.bytes: the most one read takes from one partition (default 1048576).' }),
    'socket-buffer-size': Flags.integer({ summary: 'receive.buffer.bytes (accepted; the operating system sizes the socket buffers).' }),
    'command-config': Flags.string({ summary: 'Consumer config properties file.', helpGroup: 'CONNECTION' }),
    'command-property': Flags.string({ summary: 'Consumer config key=value (repeatable); the tool\'s own settings win.', multiple: true }),
    'consumer.config': Flags.string({ summary: 'Deprecated: use --command-config.' }),
    timeout: Flags.string({ summary: 'The maximum allowed time in milliseconds between returned records (default 10000).' }),
    'reporting-interval': Flags.string({ summary: 'Interval in milliseconds at which to print progress info (default 5000).' }),
    'show-detailed-stats': Flags.boolean({ summary: 'If set, stats are reported for each reporting interval as configured by reporting-interval.' }),
    'date-format': Flags.string({ summary: 'The date format to use for formatting the time field. See java.text.SimpleDateFormat for options.' }),
    'hide-header': Flags.boolean({ summary: 'If set, skips printing the header for the stats.' }),
    'print-metrics': Flags.boolean({ summary: 'Prints a note: kafka-ts consumers keep no metrics registry.' }),
  }

  async run(): Promise<ConsumerPerfReport> {
    const { flags } = await this.parse(ConsumerPerfTest)
    const print = (line: string) => process.stdout.write(`${line}\n`)
    const settings = consumerPerfSettings(flags, print)
    if (!flags['hide-header']) print(consumerPerfHeader(settings.detailed))
    // The settings already hold --command-config's properties.
    const report = await measureConsumer(settings, (props, clientId) => this.openClient({ ...flags, 'command-config': undefined }, { props, clientId }), print)
    for (const line of consumerPerfEndLines(settings, report)) print(line)
    if (flags['print-metrics']) process.stderr.write("--print-metrics: kafka-ts consumers keep no metrics registry like the Java client's; no metrics to print.\n")
    return report
  }
}
