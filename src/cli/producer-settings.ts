// The Java producer's settings as kafka-ts's producing tools read them from producer properties (after
// each tool has put its own flags over them): the keys, defaults and ConfigDef messages of Kafka's
// ProducerConfig for what our producers honour.

import type { CompressionCodec } from '../broker/records.js'
import type { ProducerSettings } from '../client/kafka-client.js'
import { UsageError } from './errors.js'

const CODECS: readonly CompressionCodec[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd']

/** What differs between the tools: the client id and linger.ms when the properties do not set them. */
export interface ProducerDefaults {
  readonly clientId: string
  readonly lingerMs: number
}

export function producerSettings(props: ReadonlyMap<string, string>, defaults: ProducerDefaults): ProducerSettings {
  const acksText = (props.get('acks') ?? 'all').trim().toLowerCase()
  const acks = acksText === 'all' || acksText === '-1' ? -1 : acksText === '1' ? 1 : acksText === '0' ? 0 : undefined
  if (acks === undefined) throw new UsageError(`Invalid value ${props.get('acks') ?? ''} for configuration acks: String must be one of: all, -1, 0, 1`)
  const whole = (key: string, type: 'INT' | 'LONG', fallback: number): number => {
    const raw = props.get(key)?.trim()
    if (raw === undefined) return fallback
    const n = Number(raw)
    if (raw === '' || !Number.isSafeInteger(n)) throw new UsageError(`Invalid value ${raw} for configuration ${key}: Not a number of type ${type}`)
    if (n < 0) throw new UsageError(`Invalid value ${raw} for configuration ${key}: Value must be at least 0`)
    return n
  }
  const codec = (props.get('compression.type') ?? 'none').trim().toLowerCase()
  const compression = (codec === 'uncompressed' ? 'none' : codec) as CompressionCodec
  if (!CODECS.includes(compression)) {
    throw new UsageError(`Invalid value ${codec} for configuration compression.type: String must be one of: none, gzip, snappy, lz4, zstd`)
  }
  const flag = (key: string) => props.get(key)?.trim().toLowerCase() !== 'false'
  return {
    acks,
    batchSize: whole('batch.size', 'INT', 16384),
    lingerMs: whole('linger.ms', 'LONG', defaults.lingerMs),
    compression,
    allowAutoCreate: flag('allow.auto.create.topics'),
    bufferMemory: whole('buffer.memory', 'LONG', 32 * 1024 * 1024),
    clientId: props.get('client.id') ?? defaults.clientId,
    idempotent: flag('enable.idempotence'),
  }
}
