import { Flags } from '@oclif/core'

import { clusterConnection, clusterToolFlags, commandConfigOf } from '../../cli/cluster/cluster-tool.js'
import { UserError } from '../../cli/errors.js'
import { KafkaCommand } from '../../cli/kafka-command.js'

// kafka-cluster unregister: a kafka-ts node serves no UnregisterBroker (there is no cluster membership to
// leave), which Kafka's tool reports as the API's absence.

export default class ClusterUnregister extends KafkaCommand<Record<string, never>> {
  static override argparseProgram = 'kafka-cluster unregister'
  static override summary = 'Unregister a broker (kafka-cluster.sh unregister): not available on a single kafka-ts node.'
  static override flags = {
    ...clusterToolFlags,
    id: Flags.integer({ char: 'i', summary: 'The id of the broker to unregister.' }),
  }

  async run(): Promise<Record<string, never>> {
    const { flags } = await this.parse(ClusterUnregister)
    if (flags.id === undefined) throw new UserError('kafka-cluster unregister: error: argument --id/-i is required')
    const { bootstrap } = clusterConnection('kafka-cluster unregister', flags, this.argv)
    const client = await this.openClient({ ...flags, 'bootstrap-server': bootstrap, 'command-config': commandConfigOf(flags) }, { clientId: 'kafka-ts-cluster' })
    await client.describeCluster()
    throw new UserError('The target cluster does not support the broker unregistration API.')
  }
}
