import { clusterConnection, clusterToolFlags, commandConfigOf } from '../../cli/cluster/cluster-tool.js'
import { KafkaCommand } from '../../cli/kafka-command.js'

export default class ClusterId extends KafkaCommand<{ clusterId: string }> {
  static override argparseProgram = 'kafka-cluster cluster-id'
  static override summary = "Print the cluster's id (kafka-cluster.sh cluster-id)."
  static override flags = clusterToolFlags

  async run(): Promise<{ clusterId: string }> {
    const { flags } = await this.parse(ClusterId)
    const { bootstrap } = clusterConnection('kafka-cluster cluster-id', flags, this.argv)
    const client = await this.openClient({ ...flags, 'bootstrap-server': bootstrap, 'command-config': commandConfigOf(flags) }, { clientId: 'kafka-ts-cluster' })
    const { clusterId } = await client.describeCluster()
    this.out(clusterId === '' ? 'No cluster ID found. The Kafka version is probably too old.' : `Cluster ID: ${clusterId}`)
    return { clusterId }
  }
}
