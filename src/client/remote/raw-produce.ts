import { createAPI, Writer, type Reader } from '@platformatic/kafka'

// Produce v9 with the records section taken as ready-made RecordBatch bytes (built by our
// RecordBatchBuilder), sent over the client library's connection. The library's own Produce request
// builds every record as objects and re-encodes them; here the request body is a few header fields
// around Buffers we already hold. Field layout as in Kafka's ProduceRequest.json (flexible from v9).

/** One partition's batch in a Produce request. */
export interface RawPartitionData {
  readonly partition: number
  readonly batch: Buffer
}

/** One partition's answer. */
export interface RawPartitionResponse {
  readonly partition: number
  readonly errorCode: number
  readonly errorMessage: string | null
  readonly baseOffset: bigint
}

/** The Produce version this request layout is written for. */
export const RAW_PRODUCE_VERSION = 9

/*
  Produce Request (Version: 9) => transactional_id acks timeout_ms [topic_data] TAG_BUFFER
    transactional_id => COMPACT_NULLABLE_STRING
    acks => INT16
    timeout_ms => INT32
    topic_data => name [partition_data] TAG_BUFFER
      name => COMPACT_STRING
      partition_data => index records TAG_BUFFER
        index => INT32
        records => COMPACT_RECORDS
*/
function createRequest(acks: number, timeoutMs: number, topic: string, partitions: readonly RawPartitionData[]): Writer {
  const writer = Writer.create().appendString(null).appendInt16(acks).appendInt32(timeoutMs)
  writer.appendUnsignedVarInt(2).appendString(topic).appendUnsignedVarInt(partitions.length + 1)
  for (const p of partitions) {
    writer.appendInt32(p.partition).appendUnsignedVarInt(p.batch.length + 1).append(p.batch).appendTaggedFields()
  }
  writer.appendTaggedFields() // topic_data entry
  writer.appendTaggedFields() // request
  if (acks === 0) writer.context.noResponse = true
  return writer
}

/*
  Produce Response (Version: 9) => [responses] throttle_time_ms TAG_BUFFER
    responses => name [partition_responses] TAG_BUFFER
      partition_responses => index error_code base_offset log_append_time_ms log_start_offset
                             [record_errors] error_message TAG_BUFFER
        record_errors => batch_index batch_index_error_message TAG_BUFFER
  Partition errors are returned, not thrown: each batch fails or is retried on its own.
*/
function parseResponse(_correlationId: number, _apiKey: number, _apiVersion: number, reader: Reader): RawPartitionResponse[] {
  const out: RawPartitionResponse[] = []
  reader.readArray((r) => {
    r.readString()
    r.readArray((r) => {
      const partition = r.readInt32()
      const errorCode = r.readInt16()
      const baseOffset = r.readInt64()
      r.readInt64() // log_append_time_ms
      r.readInt64() // log_start_offset
      r.readArray((r) => {
        r.readInt32()
        r.readNullableString()
      })
      const errorMessage = r.readNullableString()
      out.push({ partition, errorCode, errorMessage, baseOffset })
    })
  })
  reader.readInt32() // throttle_time_ms
  return out
}

/** With acks=0 the connection answers true/false (written / must drain) instead of a response. */
export type RawProduceResult = RawPartitionResponse[] | boolean

export const rawProduceV9 = createAPI<[acks: number, timeoutMs: number, topic: string, partitions: readonly RawPartitionData[]], RawProduceResult>(
  0,
  RAW_PRODUCE_VERSION,
  createRequest,
  parseResponse,
)
