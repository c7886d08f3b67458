import type { BrokerApiVersions, ClusterNode } from '../../client/kafka-client.js'
import { KAFKA_APIS, type KafkaApi } from './kafka-apis.js'

// kafka-broker-api-versions' block per broker (Kafka 4.3's NodeApiVersions.toString(true); cli-4.md B.8):
// every API the broker listed, by key, with what the Kafka 4.3 client could use of it, then the broker APIs
// it did not list as UNSUPPORTED; keys the client does not know are UNKNOWN(<key>).

const BY_KEY = new Map<number, KafkaApi>(KAFKA_APIS.map((api) => [api[0], api]))

/** Java's Node.toString(). A single kafka-ts node, like every node Metadata names, is never fenced. */
export function nodeText(node: ClusterNode): string {
  return `${node.host}:${node.port} (id: ${node.nodeId} rack: ${node.rack ?? 'null'} isFenced: false)`
}

/** `<node> -> (\n\t<api>,\n\t…\n)` or `<node> -> ERROR: <message>`. */
export function renderBrokerApiVersions(answer: BrokerApiVersions): string {
  if ('error' in answer) return `${nodeText(answer.node)} -> ERROR: ${answer.error}\n`
  const lines = new Map<number, string>()
  for (const listed of answer.apis) lines.set(listed.apiKey, apiText(listed))
  for (const [apiKey, name, , , brokerApi] of KAFKA_APIS) if (brokerApi && !lines.has(apiKey)) lines.set(apiKey, `${name}(${apiKey}): UNSUPPORTED`)
  const entries = [...lines].sort((a, b) => a[0] - b[0]).map(([, text]) => text)
  return `${nodeText(answer.node)} -> (\n\t${entries.join(',\n\t')}\n)\n`
}

function apiText(listed: { apiKey: number; minVersion: number; maxVersion: number }): string {
  const known = BY_KEY.get(listed.apiKey)
  const range = listed.minVersion === listed.maxVersion ? `${listed.minVersion}` : `${listed.minVersion} to ${listed.maxVersion}`
  if (known === undefined) return `UNKNOWN(${listed.apiKey}): ${range}`
  const [apiKey, name, oldest, latest] = known
  const usable =
    latest < listed.minVersion ? '[unusable: node too new]' : listed.maxVersion < oldest ? '[unusable: node too old]' : `[usable: ${Math.min(latest, listed.maxVersion)}]`
  return `${name}(${apiKey}): ${range} ${usable}`
}
