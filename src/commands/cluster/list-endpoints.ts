import { Flags } from '@oclif/core'

import { clusterToolFlags, commandConfigOf } from '../../cli/cluster/cluster-tool.js'
import { KafkaCommand } from '../../cli/kafka-command.js'
import type { ClusterNode } from '../../client/kafka-client.js'

// kafka-cluster list-endpoints: `%-10s %-Hs %-10s %-Rs %-10s %-15s` with H the longest host (100 without
// nodes) and R the longest rack (10 when no node has one; a missing rack prints `null`). A single kafka-ts
// node is never fenced.

export default class ClusterListEndpoints extends KafkaCommand<{ nodes: ClusterNode[] }> {
  static override argparseProgram = 'kafka-cluster list-endpoints'
  static override summary = "List the cluster's broker endpoints (kafka-cluster.sh list-endpoints)."
  static override flags = {
    ...clusterToolFlags,
    'include-fenced-brokers': Flags.boolean({ summary: 'Also list fenced brokers (none on a single kafka-ts node).' }),
  }

  async run(): Promise<{ nodes: ClusterNode[] }> {
    const { flags } = await this.parse(ClusterListEndpoints)
    const client = await this.openClient({ ...flags, 'command-config': commandConfigOf(flags) }, { clientId: 'kafka-ts-cluster' })
    const nodes = [...(await client.describeCluster()).nodes].sort((a, b) => a.nodeId - b.nodeId)
    const h = nodes.length === 0 ? 100 : Math.max(...nodes.map((n) => n.host.length))
    const r = nodes.some((n) => n.rack !== null) ? Math.max(...nodes.map((n) => (n.rack ?? 'null').length)) : 10
    const line = (cols: readonly string[]) =>
      `${cols[0]!.padEnd(10)} ${cols[1]!.padEnd(h)} ${cols[2]!.padEnd(10)} ${cols[3]!.padEnd(r)} ${cols[4]!.padEnd(10)} ${cols[5]!.padEnd(15)}\n`
    this.out(line(['ID', 'HOST', 'PORT', 'RACK', 'STATE', 'ENDPOINT_TYPE']) + nodes.map((n) => line([String(n.nodeId), n.host, String(n.port), n.rack ?? 'null', 'unfenced', 'broker'])).join(''))
    return { nodes }
  }
}
