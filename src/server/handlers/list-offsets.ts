/**
 * ListOffsets (2), v0–v7.
 * Behaviour: timestamp -1 = latest (the high watermark; also for read_committed, as nothing is
 * transactional), -2 = earliest (log start offset), -3 = the record with the largest timestamp
 * (v7+), ≥ 0 = the first record whose timestamp is at or after it, with that record's timestamp;
 * nothing found → offset -1, timestamp -1. v0 answers `old_style_offsets`: [high watermark] for -1,
 * [log start] for -2, [offset] for a timestamp (empty when none), UNSUPPORTED_VERSION for other
 * negative values. Unknown topic/partition → UNKNOWN_TOPIC_OR_PARTITION.
 * Differs from Apache Kafka: v0's timestamp lookup is record-exact, not segment-based.
 */
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeListOffsetsRequest,
  encodeListOffsetsResponse,
  type ListOffsetsPartitionResponseInput,
  type ListOffsetsRequest,
  type ListOffsetsResponseInput,
} from '../../protocol/messages/list-offsets.js'
import type { OffsetSpec } from '../../broker/types.js'
import { KafkaError } from '../../broker/kafka-error.js'
import { defineHandler } from '../handler.js'

const LEADER_EPOCH = 0

export const listOffsetsHandler = defineHandler<ListOffsetsRequest, ListOffsetsResponseInput>({
  apiKey: ApiKey.ListOffsets,
  name: 'ListOffsets',
  minVersion: 0,
  maxVersion: 7,
  decode: decodeListOffsetsRequest,
  encode: encodeListOffsetsResponse,
  handle(req, ctx) {
    const { broker, apiVersion } = ctx
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => {
        const row = broker.findTopic(t.name)
        return {
          name: t.name,
          partitions: t.partitions.map((p): ListOffsetsPartitionResponseInput => {
            const failed = (error: KafkaError): ListOffsetsPartitionResponseInput =>
              apiVersion === 0
                ? { partitionIndex: p.partitionIndex, errorCode: error.code, oldStyleOffsets: [] }
                : { partitionIndex: p.partitionIndex, errorCode: error.code, timestamp: -1, offset: -1, leaderEpoch: -1 }
            if (!row) return failed(new KafkaError('UNKNOWN_TOPIC_OR_PARTITION'))
            const spec = offsetSpec(p.timestamp, apiVersion)
            if (spec === undefined) return failed(new KafkaError('UNSUPPORTED_VERSION'))
            const found = broker.listOffset(row, p.partitionIndex, spec)
            if (!found.ok) return failed(found.error)
            const { offset, timestamp } = found.value
            if (apiVersion === 0) {
              return { partitionIndex: p.partitionIndex, errorCode: 0, oldStyleOffsets: offset >= 0 && p.maxNumOffsets > 0 ? [offset] : [] }
            }
            return { partitionIndex: p.partitionIndex, errorCode: 0, timestamp, offset, leaderEpoch: offset >= 0 && apiVersion >= 4 ? LEADER_EPOCH : -1 }
          }),
        }
      }),
    }
  },
})

function offsetSpec(timestamp: number, version: number): OffsetSpec | undefined {
  if (timestamp === -1) return 'latest'
  if (timestamp === -2) return 'earliest'
  if (timestamp === -3 && version >= 7) return 'max-timestamp'
  if (timestamp >= 0) return timestamp
  return undefined
}
