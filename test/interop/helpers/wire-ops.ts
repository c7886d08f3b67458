import { ApiKey } from '../../../src/protocol/api-keys.js'
import { decodeApiVersionsResponse, encodeApiVersionsRequest } from '../../../src/protocol/messages/api-versions.js'
import { decodeFetchResponse, encodeFetchRequest, type FetchResponse } from '../../../src/protocol/messages/fetch.js'
import { decodeMetadataResponse, encodeMetadataRequest } from '../../../src/protocol/messages/metadata.js'
import { decodeProduceResponse, encodeProduceRequest, type ProduceResponse } from '../../../src/protocol/messages/produce.js'
import { forEachRecord } from '../../../src/protocol/batch-records.js'
import { splitBatches } from '../../../src/protocol/record-batch.js'
import { RecordBatchBuilder } from '../../../src/protocol/record-batch-builder.js'
import { requestFrame } from '../../../src/protocol/request-header.js'
import type { Writer } from '../../../src/protocol/writer.js'
import { RawConnection } from '../../helpers/raw-client.js'

// Wire-level steps shared by the bad-input and fuzz suites, on top of test/helpers/raw-client.ts.

/** One uncompressed batch of `values` (keys "k0", "k1", …) with CreateTime `timestamp`. */
export function batchOf(values: readonly (string | Buffer)[], timestamp = Date.now()): Buffer {
  const b = new RecordBatchBuilder()
  values.forEach((v, i) => b.append(timestamp, Buffer.from(`k${i}`), typeof v === 'string' ? Buffer.from(v) : v))
  return b.build()
}

/** Produce of one batch to one partition; resolves with the decoded response. */
export function produce(conn: RawConnection, topic: string, partition: number, records: Buffer, opts: { acks?: number; version?: number } = {}): Promise<ProduceResponse> {
  return conn.request(
    ApiKey.Produce,
    opts.version ?? 7,
    (w, v) => encodeProduceRequest(w, v, { acks: opts.acks ?? -1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: partition, records }] }] }),
    decodeProduceResponse,
  )
}

/** The error code and base offset of the single partition a produce() addressed. */
export function produceOutcome(res: ProduceResponse): { errorCode: number; baseOffset: number } {
  const p = res.responses[0]?.partitionResponses[0]
  if (!p) throw new Error('produce response without a partition')
  return { errorCode: p.errorCode, baseOffset: p.baseOffset }
}

/** A whole request frame as bytes (size prefix included), for raw writes. */
export function frameBytes(apiKey: number, apiVersion: number, correlationId: number, body: (w: Writer) => void): Buffer {
  return Buffer.concat(requestFrame({ apiKey, apiVersion, correlationId, clientId: 'kafka-ts-test' }, body))
}

export interface FetchedRecord {
  offset: number
  key: string | null
  value: string | null
}

/** Every record of a partition from `from`, via Fetch v11 requests, as latin1 strings (byte-preserving). */
/** One Fetch v11 of some partitions of one topic, max_wait 0: what the broker has now. */
export function fetchOnce(
  conn: RawConnection,
  topic: string,
  partitions: readonly { partition: number; fetchOffset: number }[],
  opts: { maxBytes?: number; partitionMaxBytes?: number } = {},
): Promise<FetchResponse> {
  return conn.request(
    ApiKey.Fetch,
    11,
    (w, v) =>
      encodeFetchRequest(w, v, {
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: opts.maxBytes ?? 8 << 20,
        topics: [{ topic, partitions: partitions.map((p) => ({ ...p, partitionMaxBytes: opts.partitionMaxBytes ?? 1 << 20 })) }],
      }),
    decodeFetchResponse,
  )
}

export async function fetchRecords(conn: RawConnection, topic: string, partition: number, from = 0): Promise<{ errorCode: number; highWatermark: number; records: FetchedRecord[] }> {
  const records: FetchedRecord[] = []
  let offset = from
  for (;;) {
    const res = await fetchOnce(conn, topic, [{ partition, fetchOffset: offset }], { partitionMaxBytes: 4 << 20 })
    const p = res.responses[0]?.partitions[0]
    if (!p) throw new Error('fetch response without a partition')
    if (p.errorCode !== 0) return { errorCode: p.errorCode, highWatermark: p.highWatermark, records }
    const before = records.length
    const { batches } = splitBatches(p.records ?? Buffer.alloc(0))
    for (const b of batches) {
      forEachRecord(b, (r) => {
        if (r.offset >= offset) records.push({ offset: r.offset, key: r.key()?.toString('latin1') ?? null, value: r.value()?.toString('latin1') ?? null })
      })
    }
    const last = records.at(-1)
    if (last) offset = last.offset + 1
    if (offset >= p.highWatermark || records.length === before) return { errorCode: 0, highWatermark: p.highWatermark, records }
  }
}

/** True once the broker has closed `conn`; false if still open after `boundMs` (a hang bound, not a timing check). */
export async function closedWithin(conn: RawConnection, boundMs = 10_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const result = await Promise.race([
    conn.waitClosed().then(() => true),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), boundMs))),
  ])
  clearTimeout(timer)
  return result
}

/** The "broker still serves" probe: ApiVersions v3 and Metadata v1 on a fresh connection. */
export async function serverResponds(port: number): Promise<boolean> {
  const conn = await RawConnection.open(port)
  try {
    const versions = await conn.request(ApiKey.ApiVersions, 3, (w, v) => encodeApiVersionsRequest(w, v, { clientSoftwareName: 'probe', clientSoftwareVersion: '1' }), decodeApiVersionsResponse)
    const metadata = await conn.request(ApiKey.Metadata, 1, (w, v) => encodeMetadataRequest(w, v, { topics: [] }), decodeMetadataResponse)
    return versions.errorCode === 0 && versions.apiKeys.some((k) => k.apiKey === ApiKey.ApiVersions) && metadata.brokers.length === 1
  } finally {
    conn.close()
  }
}
