// The Java producer's settings as kafka-ts's producing tools read them from producer properties (after
// each tool has put its own flags over them): the keys, defaults and ConfigDef messages of Kafka's
// ProducerConfig for what our producers honour.

import { atLeast, validString } from '../broker/config-def.js'
import type { CompressionCodec } from '../broker/records.js'
import { ClientConfig } from '../client/client-configs.js'
import type { ProducerSettings } from '../client/kafka-client.js'

const CODECS: readonly CompressionCodec[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd']

/** What differs between the tools: the client id and linger.ms when the properties do not set them. */
export interface ProducerDefaults {
  readonly clientId: string
  readonly lingerMs: number
}

export function producerSettings(props: ReadonlyMap<string, string>, defaults: ProducerDefaults): ProducerSettings {
  const config = new ClientConfig(props)
  const acksText = config.string('acks', 'all').toLowerCase()
  const acks = acksText === 'all' || acksText === '-1' ? -1 : acksText === '1' ? 1 : acksText === '0' ? 0 : undefined
  if (acks === undefined) config.string('acks', 'all', validString('all', '-1', '0', '1'))
  const codec = config.string('compression.type', 'none').toLowerCase()
  const compression = (codec === 'uncompressed' ? 'none' : codec) as CompressionCodec
  if (!CODECS.includes(compression)) config.string('compression.type', 'none', validString(...CODECS))
  // ProducerConfig reads these as booleans; kafka-ts's tools have taken anything but "false" as true.
  const flag = (key: string) => props.get(key)?.trim().toLowerCase() !== 'false'
  return {
    acks: acks ?? -1,
    batchSize: config.int('batch.size', 16384, atLeast(0)),
    lingerMs: config.long('linger.ms', defaults.lingerMs, atLeast(0)),
    compression,
    allowAutoCreate: flag('allow.auto.create.topics'),
    bufferMemory: config.long('buffer.memory', 32 * 1024 * 1024, atLeast(0)),
    clientId: props.get('client.id') ?? defaults.clientId,
    idempotent: flag('enable.idempotence'),
    maxRequestSize: config.int('max.request.size', 1024 * 1024, atLeast(0)),
  }
}
