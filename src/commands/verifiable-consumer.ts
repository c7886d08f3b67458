import { Flags } from '@oclif/core'

import { KafkaCommand } from '../cli/kafka-command.js'
import { runVerifiableConsumer, type VerifiableConsumerReport } from '../cli/verifiable/verifiable-consumer.js'

// kafka-verifiable-consumer (cli-4.md B.11): the work is cli/verifiable/verifiable-consumer.ts. Like
// Kafka's, the command line is argparse4j's (unique prefixes, `verifiable-consumer: error: …`, exit 1);
// without --bootstrap-server the member reads the local data directory (still a group member).

export default class VerifiableConsumer extends KafkaCommand<VerifiableConsumerReport> {
  static override summary = 'Consume as a group member and print JSON events for rebalances, polls and commits (kafka-verifiable-consumer.sh).'
  static override examples = [
    '<%= config.bin %> <%= command.id %> --topic checks --group-id checkers --max-messages 1000',
    '<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092 --topic checks --group-id checkers --verbose',
  ]
  static override enableJsonFlag = false
  // Parsed by cli/argparse.ts with Kafka's rules; these declarations are for --help.
  static override strict = false
  static override flags = {
    topic: Flags.string({ summary: 'Consumes messages from this topic.' }),
    'group-id': Flags.string({ summary: 'The group id shared among members of the consumer group.' }),
    'group-protocol': Flags.string({ summary: 'classic (default); consumer (KIP-848) is refused for now.' }),
    'group-remote-assignor': Flags.string({ summary: 'Only with --group-protocol consumer.' }),
    'group-instance-id': Flags.string({ summary: 'Static membership: a unique id of this member.' }),
    'max-messages': Flags.string({ summary: 'Consume this many records; -1 (default) until killed.' }),
    'session-timeout': Flags.string({ summary: "The consumer's session.timeout.ms." }),
    verbose: Flags.boolean({ summary: 'Also print each record (record_data).' }),
    'enable-autocommit': Flags.boolean({ summary: 'Auto-commit instead of the commit after each poll.' }),
    'reset-policy': Flags.string({ summary: 'auto.offset.reset: earliest (default), latest or none.' }),
    'assignment-strategy': Flags.string({ summary: 'Assignor class (default org.apache.kafka.clients.consumer.RangeAssignor).' }),
    'command-config': Flags.string({ summary: 'Consumer properties file (the flags win).' }),
    'consumer.config': Flags.string({ summary: 'Deprecated: use --command-config.' }),
    'bootstrap-server': KafkaCommand.connectionFlags['bootstrap-server'],
    'data-dir': KafkaCommand.connectionFlags['data-dir'],
  }

  async run(): Promise<VerifiableConsumerReport> {
    const argv = [...this.argv]
    await this.parse(VerifiableConsumer, [])
    return runVerifiableConsumer(argv, (c, props) =>
      this.openClient({ 'bootstrap-server': c.bootstrapServer, 'data-dir': c.dataDir }, { props, clientId: props.get('client.id') ?? 'verifiable-consumer' }),
    )
  }
}
