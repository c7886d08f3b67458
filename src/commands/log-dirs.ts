import { Flags } from '@oclif/core'

import { UsageError, UserError } from '../cli/errors.js'
import { missingArgument } from '../cli/flags.js'
import { KafkaCommand } from '../cli/kafka-command.js'
import { logDirsReport, type LogDirsReport } from '../cli/log-dirs/log-dirs-json.js'
import { parseJavaInt } from '../util/java/numbers.js'

// kafka-log-dirs (LogDirsCommand, Kafka 4.3; cli-4.md B.9): DescribeLogDirs to each broker asked for (all by
// default), partitions filtered by --topic-list on this side, printed as Kafka's one-line JSON. Embedded, the
// data directory is this node's one log directory.

const splitList = (value: string | undefined) => (value ?? '').split(',').filter((x) => x !== '')

export default class LogDirs extends KafkaCommand<LogDirsReport> {
  static override summary = 'Describe the log directories of brokers: each partition and its size on disk (kafka-log-dirs.sh).'
  static override examples = ['<%= config.bin %> <%= command.id %> --describe', '<%= config.bin %> <%= command.id %> --describe --topic-list orders,payments --broker-list 1']

  static override flags = {
    ...KafkaCommand.connectionFlags,
    describe: Flags.boolean({ summary: 'Describe the specified log directories on the specified brokers.', helpGroup: 'ACTION' }),
    'topic-list': Flags.string({ summary: 'Topics to show, "topic1,topic2" (default: all).' }),
    'broker-list': Flags.string({ summary: 'Brokers to query, "0,1,2" (default: every broker of the cluster).' }),
  }

  async run(): Promise<LogDirsReport> {
    const { flags } = await this.parse(LogDirs)
    if (!flags.describe) throw new UsageError(missingArgument('describe'))
    const topics = new Set(splitList(flags['topic-list']))
    const asked = [
      ...new Set(
        splitList(flags['broker-list']).map((id) => {
          const n = parseJavaInt(id)
          if (n === undefined) throw new UserError(`For input string: "${id}"`)
          return n
        }),
      ),
    ]
    const client = await this.openClient(flags, { clientId: 'log-dirs-tool' })
    const cluster = (await client.describeCluster()).nodes.map((n) => n.nodeId).sort((a, b) => a - b)
    const missing = asked.filter((id) => !cluster.includes(id)).sort((a, b) => a - b)
    if (missing.length > 0) {
      throw new UserError(`ERROR: The given brokers do not exist from --broker-list: ${missing.join(',')}. Current existent brokers: ${cluster.join(',')}`)
    }
    const brokers = asked.length === 0 ? cluster : asked.sort((a, b) => a - b)
    this.out('Querying brokers for log directories information')
    const report = logDirsReport(await client.describeLogDirs(brokers), topics)
    this.out(`Received log directory information from brokers ${brokers.join(',')}`)
    this.out(JSON.stringify(report))
    return report
  }
}
