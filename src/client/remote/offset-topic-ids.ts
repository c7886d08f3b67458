import type { Cluster } from './wire/cluster.js'
import type { BrokerConnection } from './wire/connection.js'

// OffsetCommit and OffsetFetch v10 (KIP-848) name topics by id only. As Kafka 4.3's consumer does, a
// member sends v10 when the broker takes it and every topic's id is known (from metadata), else v9 by
// name; admin requests (listing or altering a group's offsets by name) stay at v9.

/** The last OffsetCommit / OffsetFetch version that names topics. */
const LAST_BY_NAME = 9

/** Topic name → id, or undefined when some topic has no id (a broker older than Metadata v10, a topic gone). */
export async function knownTopicIds(cluster: Cluster, names: readonly string[]): Promise<Map<string, Buffer> | undefined> {
  const ids = new Map<string, Buffer>()
  for (const name of new Set(names)) {
    const id = await cluster.route(name).then(
      (route) => route.topicId,
      () => undefined,
    )
    if (id === undefined || id.every((b) => b === 0)) return undefined
    ids.set(name, id)
  }
  return ids
}

/** The version to send: the agreed one when topics can go by id, else at most the last version by name. */
export function offsetsVersion(conn: BrokerConnection, apiKey: number, byId: boolean): number {
  const agreed = conn.versionOf(apiKey)
  return byId ? agreed : Math.min(agreed, LAST_BY_NAME)
}

/** Id (hex) → name, to read a v10 answer back. */
export function namesById(ids: ReadonlyMap<string, Buffer> | undefined): Map<string, string> {
  return new Map([...(ids ?? [])].map(([name, id]) => [id.toString('hex'), name]))
}
