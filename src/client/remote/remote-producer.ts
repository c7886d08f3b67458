import { ApiKey } from '../../protocol/api-keys.js'
import { decodeDescribeConfigsResponse, encodeDescribeConfigsRequest } from '../../protocol/messages/describe-configs.js'
import { decodeInitProducerIdResponse, encodeInitProducerIdRequest } from '../../protocol/messages/init-producer-id.js'
import { KafkaError, kafkaErrorForCode } from '../../broker/kafka-error.js'
import type { ProducerSettings, SendFailure } from '../kafka-client.js'
import { RemoteBatchProducer } from './remote-batch-producer.js'
import { remoteFailure } from './remote-errors.js'
import type { Cluster } from './wire/cluster.js'

// Opening the remote producer: the topic's partition count (auto-created when allowed), its
// max.message.bytes, and for idempotence a producer id from InitProducerId — all on the cluster view
// (wire/cluster.ts) and our generated codec. The records then go the embedded producer's way
// (remote-batch-producer.ts: batches built as bytes) in Produce requests to each partition's leader.

/** max.message.bytes' default, when the broker does not say. */
const DEFAULT_MAX_MESSAGE_BYTES = 1048588
const TOPIC_RESOURCE = 2

export async function openRemoteProducer(
  cluster: Cluster,
  topic: string,
  settings: ProducerSettings,
  onFailure: (failure: SendFailure) => void,
  /** A transactional producer's id, producer id and epoch (from its coordinator); without it the producer asks for its own id when idempotent. */
  transactional?: { readonly transactionalId: string; readonly producerId: number; readonly producerEpoch: number },
): Promise<RemoteBatchProducer> {
  try {
    const partitionCount = await topicPartitionCount(cluster, topic, settings.allowAutoCreate)
    let producerId = -1
    let producerEpoch = -1
    if (transactional !== undefined) ({ producerId, producerEpoch } = transactional)
    else if (isIdempotent(settings)) ({ producerId, producerEpoch } = await initProducerId(cluster))
    const maxMessageBytes = await topicMaxMessageBytes(cluster, topic)
    return new RemoteBatchProducer(cluster, topic, partitionCount, settings, onFailure, producerId, producerEpoch, maxMessageBytes, transactional?.transactionalId ?? null)
  } catch (err) {
    if (err instanceof KafkaError) throw err
    throw remoteFailure(err, cluster.settings.bootstrap)
  }
}

/** An idempotent producer's id and epoch (InitProducerId without a transactional id), retried while retriable. */
async function initProducerId(cluster: Cluster): Promise<{ producerId: number; producerEpoch: number }> {
  return cluster.retrying(async () => {
    const conn = await cluster.anyBroker()
    const answer = await conn.request(ApiKey.InitProducerId, (w, v) => encodeInitProducerIdRequest(w, v, { transactionalId: null, transactionTimeoutMs: -1 }), decodeInitProducerIdResponse)
    if (answer.errorCode !== 0) throw kafkaErrorForCode(answer.errorCode)
    return { producerId: answer.producerId, producerEpoch: answer.producerEpoch }
  })
}

async function topicMaxMessageBytes(cluster: Cluster, topic: string): Promise<number> {
  try {
    const conn = await cluster.anyBroker()
    const answer = await conn.request(
      ApiKey.DescribeConfigs,
      (w, v) => encodeDescribeConfigsRequest(w, v, { resources: [{ resourceType: TOPIC_RESOURCE, resourceName: topic, configurationKeys: ['max.message.bytes'] }] }),
      decodeDescribeConfigsResponse,
    )
    const value = Number(answer.results[0]?.configs.find((c) => c.name === 'max.message.bytes')?.value)
    return Number.isFinite(value) && value > 0 ? value : DEFAULT_MAX_MESSAGE_BYTES
  } catch {
    return DEFAULT_MAX_MESSAGE_BYTES
  }
}

/** Idempotence needs acks=all (Java refuses the combination; here it is silently off with acks 0/1). */
function isIdempotent(settings: ProducerSettings): boolean {
  return settings.idempotent && settings.acks === -1
}

/** The topic's partition count; a missing topic is created by the broker's metadata auto-create when allowed. */
async function topicPartitionCount(cluster: Cluster, topic: string, allowAutoCreate: boolean): Promise<number> {
  const missing = new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${topic}' does not exist.`)
  const ask = async (autoCreate: boolean) => (await cluster.retrying(() => cluster.metadata([topic], autoCreate))).topics.find((t) => t.name === topic)
  let t = await ask(false)
  if ((t === undefined || t.errorCode === 3) && allowAutoCreate) {
    // Kafka answers the creating Metadata with LEADER_NOT_AVAILABLE while the topic is being made; ask again.
    await ask(true)
    t = await ask(false)
  }
  // Still missing: the broker does not auto-create (auto.create.topics.enable=false there).
  if (t === undefined || t.errorCode === 3) throw missing
  if (t.errorCode !== 0) throw kafkaErrorForCode(t.errorCode)
  return t.partitions.length
}
