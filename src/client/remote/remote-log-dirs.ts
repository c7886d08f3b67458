import { ApiKey } from '../../protocol/api-keys.js'
import { decodeDescribeLogDirsResponse, encodeDescribeLogDirsRequest } from '../../protocol/messages/describe-log-dirs.js'
import { kafkaErrorForCode } from '../../broker/kafka-error.js'
import { javaExceptionClass } from '../java-exception.js'
import type { BrokerApiVersions, BrokerLogDirs } from '../kafka-client.js'
import type { RemoteClient } from './remote-client.js'

// The broker-level admin calls of the remote client, sent to each broker itself as Kafka's admin client
// sends them: DescribeLogDirs (every partition; the tool filters topics) and the ApiVersions answer each
// broker gave when its connection opened.

export async function describeLogDirs(client: RemoteClient, brokerIds: readonly number[]): Promise<BrokerLogDirs[]> {
  const out: BrokerLogDirs[] = []
  for (const broker of brokerIds) {
    const response = await client.wire(async (cluster) =>
      (await cluster.broker(broker)).request(ApiKey.DescribeLogDirs, (w, v) => encodeDescribeLogDirsRequest(w, v, { topics: null }), decodeDescribeLogDirsResponse),
    )
    if (response.errorCode !== 0) throw kafkaErrorForCode(response.errorCode)
    out.push({
      broker,
      logDirs: response.results.map((dir) => ({
        path: dir.logDir,
        error: dir.errorCode === 0 ? null : javaExceptionClass(kafkaErrorForCode(dir.errorCode).errorName),
        replicas: dir.topics.flatMap((t) =>
          t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, sizeBytes: p.partitionSize, offsetLag: p.offsetLag, isFuture: p.isFutureKey })),
        ),
      })),
    })
  }
  return out
}

export async function brokerApiVersions(client: RemoteClient): Promise<BrokerApiVersions[]> {
  const { nodes } = await client.describeCluster()
  const out: BrokerApiVersions[] = []
  for (const node of nodes) {
    try {
      const conn = await client.wire((cluster) => cluster.broker(node.nodeId))
      out.push({ node, apis: conn.advertisedApis.map((a) => ({ apiKey: a.apiKey, minVersion: a.minVersion, maxVersion: a.maxVersion })) })
    } catch (err) {
      out.push({ node, error: err instanceof Error ? err.message : String(err) })
    }
  }
  return out
}
