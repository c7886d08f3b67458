import { ApiKey } from '../../protocol/api-keys.js'
import { decodeCreatePartitionsResponse, encodeCreatePartitionsRequest } from '../../protocol/messages/create-partitions.js'
import { decodeCreateTopicsResponse, encodeCreateTopicsRequest } from '../../protocol/messages/create-topics.js'
import { decodeDeleteTopicsResponse, encodeDeleteTopicsRequest } from '../../protocol/messages/delete-topics.js'
import { decodeDescribeTopicPartitionsResponse, encodeDescribeTopicPartitionsRequest } from '../../protocol/messages/describe-topic-partitions.js'
import { KafkaError, fail, kafkaErrorForCode, ok, type Outcome } from '../../broker/kafka-error.js'
import type { ResolvedConfig } from '../../broker/topic-configs.js'
import { isInternalTopic } from '../../broker/topic-names.js'
import type { CreatedTopic, NamedOutcome, PartitionNewCount, TopicDescription } from '../../broker/types.js'
import type { NewTopic } from '../kafka-client.js'
import type { RemoteClient } from './remote-client.js'

// The topic calls of the remote client: describe (Metadata, DescribeTopicPartitions for the eligible leader
// replicas, DescribeConfigs), CreateTopics, DeleteTopics and CreatePartitions, the newest versions both sides
// take, each on any broker (KRaft brokers forward them to the controller).

export async function describeTopics(client: RemoteClient, names: readonly string[]): Promise<TopicDescription[]> {
  if (names.length === 0) return []
  const meta = await client.metadata(names)
  const present = names.filter((n) => meta.topics.some((t) => t.name === n && t.errorCode === 0))
  const elr = await eligibleLeaderReplicas(client, present)
  const configs = new Map<string, ResolvedConfig[]>()
  for (const name of present) {
    const outcome = await client.describeTopicConfigs(name, null)
    configs.set(name, outcome.ok ? outcome.value : [])
  }
  return present.flatMap((name) => {
    const t = meta.topics.find((x) => x.name === name)
    if (t === undefined) return []
    return [
      {
        name,
        topicId: t.topicId.toString('base64url'),
        isInternal: isInternalTopic(name),
        partitions: [...t.partitions]
          .sort((a, b) => a.partitionIndex - b.partitionIndex)
          .map((p) => ({ partition: p.partitionIndex, leader: p.leaderId, replicas: p.replicaNodes, isr: p.isrNodes, ...elr.get(`${name}-${p.partitionIndex}`) })),
        configs: configs.get(name) ?? [],
      },
    ]
  })
}

export async function createTopic(client: RemoteClient, topic: NewTopic): Promise<Outcome<CreatedTopic>> {
  const assignment = topic.replicaAssignment
  const response = await client.onAnyBroker((conn) =>
    conn.request(
      ApiKey.CreateTopics,
      (w, v) =>
        encodeCreateTopicsRequest(w, v, {
          topics: [
            {
              name: topic.name,
              numPartitions: assignment ? -1 : topic.numPartitions,
              replicationFactor: assignment ? -1 : topic.replicationFactor,
              assignments: (assignment ?? []).map((brokerIds, partitionIndex) => ({ partitionIndex, brokerIds: [...brokerIds] })),
              configs: [...topic.configs].map(([name, value]) => ({ name, value })),
            },
          ],
          timeoutMs: client.settings.requestTimeoutMs,
        }),
      decodeCreateTopicsResponse,
    ),
  )
  const created = response.topics.find((t) => t.name === topic.name)
  if (created === undefined) return fail(new KafkaError('UNKNOWN_SERVER_ERROR', 'CreateTopics returned no result'))
  if (created.errorCode !== 0) return fail(kafkaErrorForCode(created.errorCode, created.errorMessage))
  return ok({
    name: created.name,
    topicId: created.topicId.toString('base64url'),
    numPartitions: created.numPartitions,
    replicationFactor: created.replicationFactor,
    configs: [],
  })
}

export async function deleteTopics(client: RemoteClient, names: readonly string[]): Promise<NamedOutcome<null>[]> {
  if (names.length === 0) return []
  const response = await client.onAnyBroker((conn) =>
    conn.request(
      ApiKey.DeleteTopics,
      (w, v) =>
        encodeDeleteTopicsRequest(w, v, v >= 6 ? { topics: names.map((name) => ({ name, topicId: Buffer.alloc(16) })), timeoutMs: client.settings.requestTimeoutMs } : { topicNames: [...names], timeoutMs: client.settings.requestTimeoutMs }),
      decodeDeleteTopicsResponse,
    ),
  )
  return names.map((name) => {
    const r = response.responses.find((x) => x.name === name)
    if (r === undefined) return { name, ...fail(new KafkaError('UNKNOWN_SERVER_ERROR', 'DeleteTopics returned no result')) }
    return { name, ...(r.errorCode === 0 ? ok(null) : fail(kafkaErrorForCode(r.errorCode, r.errorMessage))) }
  })
}

export async function createPartitions(client: RemoteClient, requests: readonly (PartitionNewCount & { readonly assignment?: readonly (readonly number[])[] })[]): Promise<NamedOutcome<number>[]> {
  if (requests.length === 0) return []
  const response = await client.onAnyBroker((conn) =>
    conn.request(
      ApiKey.CreatePartitions,
      (w, v) =>
        encodeCreatePartitionsRequest(w, v, {
          topics: requests.map((r) => ({ name: r.name, count: r.count, assignments: r.assignment ? r.assignment.map((ids) => ({ brokerIds: [...ids] })) : null })),
          timeoutMs: client.settings.requestTimeoutMs,
          validateOnly: false,
        }),
      decodeCreatePartitionsResponse,
    ),
  )
  return requests.map((r) => {
    const result = response.results.find((x) => x.name === r.name)
    if (result === undefined) return { name: r.name, ...fail(new KafkaError('UNKNOWN_SERVER_ERROR', 'CreatePartitions returned no result')) }
    return { name: r.name, ...(result.errorCode === 0 ? ok(r.count) : fail(kafkaErrorForCode(result.errorCode, result.errorMessage))) }
  })
}


/**
 * Kafka 4's admin describes topics with DescribeTopicPartitions where the broker takes it, which adds the
 * eligible leader replicas (KIP-966) Metadata lacks; followed page by page. Empty when the broker does not take it.
 */
async function eligibleLeaderReplicas(client: RemoteClient, names: readonly string[]): Promise<Map<string, { elr: number[]; lastKnownElr: number[] }>> {
  const found = new Map<string, { elr: number[]; lastKnownElr: number[] }>()
  if (names.length === 0) return found
  await client.wire(async (cluster) => {
    const conn = await cluster.anyBroker()
    if (!conn.takes(ApiKey.DescribeTopicPartitions)) return
    let cursor: { topicName: string; partitionIndex: number } | null = null
    do {
      const from: { topicName: string; partitionIndex: number } | null = cursor
      const answer = await conn.request(
        ApiKey.DescribeTopicPartitions,
        (w, v) => encodeDescribeTopicPartitionsRequest(w, v, { topics: names.map((name) => ({ name })), responsePartitionLimit: 2000, cursor: from }),
        decodeDescribeTopicPartitionsResponse,
      )
      for (const t of answer.topics) {
        for (const p of t.partitions) found.set(`${t.name}-${p.partitionIndex}`, { elr: p.eligibleLeaderReplicas ?? [], lastKnownElr: p.lastKnownElr ?? [] })
      }
      cursor = answer.nextCursor
    } while (cursor !== null)
  })
  return found
}
