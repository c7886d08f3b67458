import { Producer } from '@platformatic/kafka'

import { KafkaError } from '../../broker/kafka-error.js'
import type { ProducerSettings, RecordProducer, SendFailure } from '../kafka-client.js'
import { brokerTakes, libraryOptions } from './library.js'
import { RAW_PRODUCE_VERSION } from './raw-produce.js'
import { RawRemoteProducer } from './raw-producer.js'
import type { RemoteClient } from './remote-client.js'
import { remoteFailure } from './remote-errors.js'

// Opening the remote producer: the topic's partition count (auto-created when allowed), its
// max.message.bytes, and for idempotence a producer id from the library's InitProducerId. The records
// then go the embedded producer's way (raw-producer.ts: batches built as bytes) in Produce v9 requests
// over the library's connections. The library's own producer is not used: it encodes every record as
// an object (about a third of the speed) and numbers idempotent batches only when an answer arrives,
// which allows one request in flight.

export async function openRemoteProducer(client: RemoteClient, topic: string, settings: ProducerSettings, onFailure: (failure: SendFailure) => void): Promise<RecordProducer> {
  const partitionCount = await topicPartitionCount(client, topic, settings.allowAutoCreate)
  const library = new Producer<Buffer, Buffer, Buffer, Buffer>({
    ...libraryOptions({ ...client.settings, clientId: settings.clientId }),
    acks: settings.acks,
    compression: settings.compression,
    idempotent: isIdempotent(settings),
    autocreateTopics: false,
  })
  if (!(await takesRawProduce(library, client))) {
    await library.close().catch(() => undefined)
    throw new KafkaError('UNSUPPORTED_VERSION', `The broker at ${client.target} does not take Produce v${RAW_PRODUCE_VERSION}; remote mode needs Kafka 2.7 or later.`)
  }
  let producerId = -1
  let producerEpoch = -1
  if (isIdempotent(settings)) {
    try {
      const info = await library.initIdempotentProducer({})
      producerId = Number(info.producerId)
      producerEpoch = info.producerEpoch
    } catch (err) {
      await library.close().catch(() => undefined)
      throw remoteFailure(err, client.settings.bootstrap)
    }
  }
  const maxMessageBytes = await topicMaxMessageBytes(client, topic)
  return new RawRemoteProducer(client, library, topic, partitionCount, settings, onFailure, producerId, producerEpoch, maxMessageBytes)
}

async function topicMaxMessageBytes(client: RemoteClient, topic: string): Promise<number> {
  const DEFAULT = 1048588
  try {
    const outcome = await client.describeTopicConfigs(topic, ['max.message.bytes'])
    const value = outcome.ok ? Number(outcome.value.find((c) => c.name === 'max.message.bytes')?.value) : NaN
    return Number.isFinite(value) && value > 0 ? value : DEFAULT
  } catch {
    return DEFAULT
  }
}

/** Whether the broker takes the Produce version the raw path writes. */
async function takesRawProduce(library: Producer<Buffer, Buffer, Buffer, Buffer>, client: RemoteClient): Promise<boolean> {
  try {
    return await brokerTakes(library, 0, RAW_PRODUCE_VERSION)
  } catch (err) {
    await library.close().catch(() => undefined)
    throw remoteFailure(err, client.settings.bootstrap)
  }
}

/** Idempotence needs acks=all (Java refuses the combination; here it is silently off with acks 0/1). */
function isIdempotent(settings: ProducerSettings): boolean {
  return settings.idempotent && settings.acks === -1
}

/** The topic's partition count; a missing topic is created by the broker's metadata auto-create when allowed. */
async function topicPartitionCount(client: RemoteClient, topic: string, allowAutoCreate: boolean): Promise<number> {
  const names = await client.call((a) => a.listTopics({ includeInternals: true }))
  if (!names.includes(topic)) {
    if (!allowAutoCreate) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${topic}' does not exist.`)
    try {
      await client.call((a) => a.metadata({ topics: [topic], autocreateTopics: true, forceUpdate: true }))
    } catch {
      // Either the broker does not auto-create (answered below) or it is unreachable (the next call says so).
    }
    if (!(await client.call((a) => a.listTopics({ includeInternals: true }))).includes(topic)) {
      // The broker answered without creating it: auto.create.topics.enable=false there.
      throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${topic}' does not exist.`)
    }
  }
  const meta = await client.metadata([topic])
  const count = meta.topics.get(topic)?.partitionsCount
  if (count === undefined) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${topic}' does not exist.`)
  return count
}
