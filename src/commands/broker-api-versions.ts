import { renderBrokerApiVersions } from '../cli/api-versions/node-api-versions.js'
import { KafkaCommand } from '../cli/kafka-command.js'
import type { BrokerApiVersions } from '../client/kafka-client.js'

// kafka-broker-api-versions (BrokerApiVersionsCommand, Kafka 4.3; cli-4.md B.8): each broker's ApiVersions
// answer, read by the Kafka 4.3 client's table of APIs. With --bootstrap-server every broker Metadata names
// is asked; embedded (Kafka's tool requires --bootstrap-server), this node shows what `kafka-ts server-start`
// on this data directory advertises: the ranges of the server's registry, which also drives its ApiVersions.

export interface BrokerApiVersionsReport {
  brokers: BrokerApiVersions[]
}

export default class BrokerApiVersionsCommand extends KafkaCommand<BrokerApiVersionsReport> {
  static override summary = 'Print the API versions each broker supports (kafka-broker-api-versions.sh).'
  static override examples = ['<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092', '<%= config.bin %> <%= command.id %>']

  static override flags = { ...KafkaCommand.connectionFlags }

  async run(): Promise<BrokerApiVersionsReport> {
    const { flags } = await this.parse(BrokerApiVersionsCommand)
    const client = await this.openClient(flags, { clientId: 'broker-api-versions' })
    let brokers: BrokerApiVersions[]
    if (client.brokerApiVersions !== undefined) {
      brokers = await client.brokerApiVersions()
    } else {
      const [{ HANDLERS }, { advertisedRange }] = await Promise.all([import('../server/registry.js'), import('../server/handler.js')])
      const apis = HANDLERS.map(advertisedRange)
      brokers = (await client.describeCluster()).nodes.map((node) => ({ node, apis }))
    }
    this.out(brokers.map(renderBrokerApiVersions).join(''))
    return { brokers }
  }
}
