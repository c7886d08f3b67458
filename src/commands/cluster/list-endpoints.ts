import { Flags } from '@oclif/core'

import { clusterConnection, clusterToolFlags, commandConfigOf } from '../../cli/cluster/cluster-tool.js'
import { UserError } from '../../cli/errors.js'
import { KafkaCommand } from '../../cli/kafka-command.js'
import type { ClusterNode } from '../../client/kafka-client.js'

// kafka-cluster list-endpoints: `%-10s %-Hs %-10s %-Rs %-10s %-15s` with H the longest host (100 without
// nodes) and R the longest rack (10 when no node has one; a missing rack prints `null`); with
// --bootstrap-controller the STATE column is left out and the endpoints are the controllers'. A single
// kafka-ts node is never fenced, and is its own controller at the listener it was reached on.

export default class ClusterListEndpoints extends KafkaCommand<{ nodes: ClusterNode[] }> {
  static override argparseProgram = 'kafka-cluster list-endpoints'
  static override summary = "List the cluster's broker endpoints (kafka-cluster.sh list-endpoints)."
  static override flags = {
    ...clusterToolFlags,
    'include-fenced-brokers': Flags.boolean({ summary: 'Also list fenced brokers (none on a single kafka-ts node).' }),
  }

  async run(): Promise<{ nodes: ClusterNode[] }> {
    const { flags } = await this.parse(ClusterListEndpoints)
    const { bootstrap, controller } = clusterConnection('kafka-cluster list-endpoints', flags, this.argv)
    if (controller && flags['include-fenced-brokers']) throw new UserError('The option --include-fenced-brokers is only supported with --bootstrap-server option')
    const client = await this.openClient({ ...flags, 'bootstrap-server': bootstrap, 'command-config': commandConfigOf(flags) }, { clientId: 'kafka-ts-cluster' })
    const nodes = [...(await client.describeCluster()).nodes].sort((a, b) => a.nodeId - b.nodeId)
    const h = nodes.length === 0 ? 100 : Math.max(...nodes.map((n) => n.host.length))
    const r = nodes.some((n) => n.rack !== null) ? Math.max(...nodes.map((n) => (n.rack ?? 'null').length)) : 10
    // Controllers have no fenced state: that column is left out.
    const widths = controller ? [10, h, 10, r, 15] : [10, h, 10, r, 10, 15]
    const line = (cols: readonly string[]) => `${cols.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' ')}\n`
    const row = (n: ClusterNode) =>
      controller ? [String(n.nodeId), n.host, String(n.port), n.rack ?? 'null', 'controller'] : [String(n.nodeId), n.host, String(n.port), n.rack ?? 'null', 'unfenced', 'broker']
    const header = controller ? ['ID', 'HOST', 'PORT', 'RACK', 'ENDPOINT_TYPE'] : ['ID', 'HOST', 'PORT', 'RACK', 'STATE', 'ENDPOINT_TYPE']
    this.out(line(header) + nodes.map((n) => line(row(n))).join(''))
    return { nodes }
  }
}
