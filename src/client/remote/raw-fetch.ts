import { createAPI, Writer, type Reader } from '@platformatic/kafka'

// Fetch v12 with each partition's records section kept as the bytes the broker sent, over the client
// library's connection. The library's own Fetch parses every record into objects; here the consumer
// walks the batches with our record cursor (forEachRecord), as the embedded consumer walks stored
// bytes. Field layout as in Kafka's FetchRequest.json / FetchResponse.json (flexible from v12; topic
// names up to v12, ids from v13).

export const RAW_FETCH_VERSION = 12

export interface RawFetchPartition {
  readonly partition: number
  readonly fetchOffset: number
  readonly partitionMaxBytes: number
}

export interface RawFetchTopic {
  readonly topic: string
  readonly partitions: readonly RawFetchPartition[]
}

/** One partition's answer: an error code, or the records section as sent (possibly ending mid-batch). */
export interface RawFetchedPartition {
  readonly topic: string
  readonly partition: number
  readonly errorCode: number
  readonly records: Buffer | null
}

/*
  Fetch Request (Version: 12) => replica_id max_wait_ms min_bytes max_bytes isolation_level session_id
                                 session_epoch [topics] [forgotten_topics_data] rack_id TAG_BUFFER
    topics => topic [partitions] TAG_BUFFER
      partitions => partition current_leader_epoch fetch_offset last_fetched_epoch log_start_offset
                    partition_max_bytes TAG_BUFFER
*/
function createRequest(maxWaitMs: number, minBytes: number, maxBytes: number, topics: readonly RawFetchTopic[]): Writer {
  const w = Writer.create()
    .appendInt32(-1) // replica_id: a consumer
    .appendInt32(maxWaitMs)
    .appendInt32(minBytes)
    .appendInt32(maxBytes)
    .appendInt8(0) // isolation_level: read_uncommitted, as the console consumer reads
    .appendInt32(0) // session_id: no fetch session
    .appendInt32(-1) // session_epoch: full fetch, no session
  w.appendUnsignedVarInt(topics.length + 1)
  for (const t of topics) {
    w.appendString(t.topic).appendUnsignedVarInt(t.partitions.length + 1)
    for (const p of t.partitions) {
      w.appendInt32(p.partition)
        .appendInt32(-1) // current_leader_epoch
        .appendInt64(BigInt(p.fetchOffset))
        .appendInt32(-1) // last_fetched_epoch
        .appendInt64(-1n) // log_start_offset (followers only)
        .appendInt32(p.partitionMaxBytes)
        .appendTaggedFields()
    }
    w.appendTaggedFields()
  }
  w.appendUnsignedVarInt(1) // forgotten_topics_data: none
  w.appendString('') // rack_id
  w.appendTaggedFields()
  return w
}

/*
  Fetch Response (Version: 12) => throttle_time_ms error_code session_id [responses] TAG_BUFFER
    responses => topic [partitions] TAG_BUFFER
      partitions => partition_index error_code high_watermark last_stable_offset log_start_offset
                    [aborted_transactions] preferred_read_replica records TAG_BUFFER
  A top-level error is answered for every partition asked; partition errors are returned, not thrown.
*/
function parseResponse(_correlationId: number, _apiKey: number, _apiVersion: number, reader: Reader): { errorCode: number; partitions: RawFetchedPartition[] } {
  reader.readInt32() // throttle_time_ms
  const errorCode = reader.readInt16()
  reader.readInt32() // session_id
  const partitions: RawFetchedPartition[] = []
  reader.readArray((r) => {
    const topic = r.readString()
    r.readArray((r) => {
      const partition = r.readInt32()
      const code = r.readInt16()
      r.readInt64() // high_watermark
      r.readInt64() // last_stable_offset
      r.readInt64() // log_start_offset
      r.readNullableArray((r) => {
        r.readInt64()
        r.readInt64()
      })
      r.readInt32() // preferred_read_replica
      const records = r.readNullableBytes()
      partitions.push({ topic, partition, errorCode: code, records: records === null || records.length === 0 ? null : records })
    })
  })
  return { errorCode, partitions }
}

export type RawFetchResponse = ReturnType<typeof parseResponse>

export const rawFetchV12 = createAPI<[maxWaitMs: number, minBytes: number, maxBytes: number, topics: readonly RawFetchTopic[]], RawFetchResponse>(
  1,
  RAW_FETCH_VERSION,
  createRequest,
  parseResponse,
)
