import { createRequire } from 'node:module'

import { Admin, compressionsAlgorithms, kListApis, type Base, type BaseOptions } from '@platformatic/kafka'

import { decompress } from '../../broker/records.js'
import type { ConnectionSettings } from './client-properties.js'

// The Kafka client library behind remote mode: @platformatic/kafka. Chosen over kafkajs because it is
// maintained (kafkajs has had no release since 2023), supports Kafka 4.x's API versions (kafkajs still
// sends versions Kafka 4 removed), all five codecs, SASL PLAIN/SCRAM and TLS, and its
// producer/consumer measured faster against our broker.

let codecsFilled = false

/**
 * Codec gaps of the library, filled with ours. It reads snappy only as one raw block, not in the xerial
 * framing Java's producer (and our RecordBatchBuilder) write. It compresses zstd with node:zlib, which
 * Node 20 lacks; zstd-napi (already our codec for embedded mode) fills that, so remote mode reads and
 * writes zstd batches on Node 20 too.
 */
function fillCodecs(): void {
  if (codecsFilled) return
  codecsFilled = true
  const snappy = compressionsAlgorithms.snappy as { decompressSync(d: Buffer): Buffer }
  snappy.decompressSync = (data: Buffer) => decompress('snappy', Buffer.isBuffer(data) ? data : (data as { buffer: Buffer }).buffer)
  const zstd = compressionsAlgorithms.zstd as { compressSync(d: Buffer): Buffer; decompressSync(d: Buffer): Buffer; available: boolean }
  if (zstd.available) return
  const require = createRequire(import.meta.url)
  const napi = require('zstd-napi') as { compress(data: Buffer): Buffer; decompress(data: Buffer): Buffer }
  zstd.compressSync = (data: Buffer) => napi.compress(data)
  zstd.decompressSync = (data: Buffer) => napi.decompress(data)
  zstd.available = true
}

/** The library's client options for our connection settings. */
export function libraryOptions(settings: ConnectionSettings): BaseOptions {
  fillCodecs()
  const tls = settings.tls
  return {
    clientId: settings.clientId,
    bootstrapBrokers: [...settings.bootstrap],
    connectTimeout: settings.connectTimeoutMs,
    timeout: settings.requestTimeoutMs,
    requestTimeout: settings.requestTimeoutMs,
    retries: settings.retries,
    retryDelay: settings.retryBackoffMs,
    ...(settings.sasl === undefined ? {} : { sasl: { mechanism: settings.sasl.mechanism, username: settings.sasl.username, password: settings.sasl.password } }),
    ...(tls === undefined
      ? {}
      : {
          tls: {
            ...(tls.ca === undefined ? {} : { ca: tls.ca }),
            ...(tls.cert === undefined ? {} : { cert: tls.cert }),
            ...(tls.key === undefined ? {} : { key: tls.key }),
            ...(tls.pfx === undefined ? {} : { pfx: tls.pfx }),
            ...(tls.passphrase === undefined ? {} : { passphrase: tls.passphrase }),
            rejectUnauthorized: true,
            ...(tls.checkHostname ? {} : { checkServerIdentity: () => undefined }),
          },
        }),
  }
}

export function newAdmin(settings: ConnectionSettings): Admin {
  return new Admin(libraryOptions(settings))
}

/** One API's version range in an ApiVersions answer (the library's ApiVersionsResponseApi, not exported by name). */
interface ApiVersionRange {
  readonly apiKey: number
  readonly minVersion: number
  readonly maxVersion: number
}

/** Whether the broker takes this version of an API (its ApiVersions answer, which the library asks for and keeps). */
export function brokerTakes<O extends BaseOptions>(library: Base<O>, apiKey: number, version: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    library[kListApis]((err, apis) => {
      if (err || apis === undefined) {
        reject(err ?? new Error('no ApiVersions answer'))
        return
      }
      const api = (apis as readonly ApiVersionRange[]).find((a) => a.apiKey === apiKey)
      resolve(api !== undefined && api.minVersion <= version && version <= api.maxVersion)
    })
  })
}
