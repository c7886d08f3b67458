import { Flags } from '@oclif/core'

import { KafkaCommand } from '../cli/kafka-command.js'
import { runVerifiableProducer, type VerifiableProducerReport } from '../cli/verifiable/verifiable-producer.js'

// kafka-verifiable-producer (cli-4.md B.10): the work is cli/verifiable/verifiable-producer.ts. Like
// Kafka's, the command line is argparse4j's (unique prefixes, `verifiable-producer: error: …`, exit 1);
// without --bootstrap-server the records go to the local data directory.

export default class VerifiableProducer extends KafkaCommand<VerifiableProducerReport> {
  static override summary = 'Produce increasing integers and print a JSON event per acknowledged record (kafka-verifiable-producer.sh).'
  static override examples = [
    '<%= config.bin %> <%= command.id %> --topic checks --max-messages 1000',
    '<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092 --topic checks --max-messages 1000 --acks 1 --repeating-keys 10',
  ]
  static override enableJsonFlag = false
  // Parsed by cli/argparse.ts with Kafka's rules; these declarations are for --help.
  static override strict = false
  static override flags = {
    topic: Flags.string({ summary: 'Produce messages to this topic.' }),
    'max-messages': Flags.string({ summary: 'Produce this many messages; -1 (default) until killed.' }),
    throughput: Flags.string({ summary: 'Throttle to approximately this many messages/sec; -1 (default) unthrottled.' }),
    acks: Flags.string({ summary: 'Acks required on each message: 0, 1 or -1 (default).' }),
    'message-create-time': Flags.string({ summary: 'Record timestamps start here (ms since epoch), advanced by the elapsed time on each send.' }),
    'value-prefix': Flags.string({ summary: 'Values become <prefix>.<n>.' }),
    'repeating-keys': Flags.string({ summary: 'Keys 0 … N-1, then 0 again (otherwise null keys).' }),
    'command-config': Flags.string({ summary: 'Producer properties file (over the flags).' }),
    'producer.config': Flags.string({ summary: 'Deprecated: use --command-config.' }),
    'bootstrap-server': KafkaCommand.connectionFlags['bootstrap-server'],
    'data-dir': KafkaCommand.connectionFlags['data-dir'],
  }

  async run(): Promise<VerifiableProducerReport> {
    const argv = [...this.argv]
    await this.parse(VerifiableProducer, [])
    return runVerifiableProducer(argv, (c, props) =>
      this.openClient({ 'bootstrap-server': c.bootstrapServer, 'data-dir': c.dataDir }, { props, clientId: props.get('client.id') ?? 'producer-1' }),
    )
  }
}
