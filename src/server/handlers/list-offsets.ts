/**
 * ListOffsets (2), v1–v11 (v0 closes the connection since Kafka 4.0, KIP-896).
 * Behaviour: timestamp -1 = latest (the high watermark; with isolation_level 1, read_committed, the last
 * stable offset), -2 = earliest (log start offset), -3 = the record with the largest timestamp
 * (v7+), -4 = earliest local (v8+: the log start, as on a broker without tiered storage), -5 = latest
 * tiered (v9+) and -6 = earliest pending upload (v11+, KIP-1023): offset -1, timestamp -1, leader epoch -1
 * and no error, as Kafka's UnifiedLog answers without remote storage. ≥ 0 = the first record whose
 * timestamp is at or after it, with that record's timestamp (read_committed: only below the last stable
 * offset); nothing found → offset -1, timestamp -1.
 * Another negative timestamp → UNSUPPORTED_VERSION. Unknown topic/partition → UNKNOWN_TOPIC_OR_PARTITION.
 * v10's timeout_ms is accepted and unused: every answer is local and immediate.
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
  minVersion: 1,
  maxVersion: 11,
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
            const failed = (error: KafkaError): ListOffsetsPartitionResponseInput => ({
              partitionIndex: p.partitionIndex,
              errorCode: error.code,
              timestamp: -1,
              offset: -1,
              leaderEpoch: -1,
            })
            if (!row) return failed(new KafkaError('UNKNOWN_TOPIC_OR_PARTITION'))
            const spec = offsetSpec(p.timestamp, apiVersion)
            if (spec === undefined) return failed(new KafkaError('UNSUPPORTED_VERSION'))
            if (spec === 'tiered') {
              if (p.partitionIndex < 0 || p.partitionIndex >= row.partitionCount) return failed(new KafkaError('UNKNOWN_TOPIC_OR_PARTITION'))
              return { partitionIndex: p.partitionIndex, errorCode: 0, timestamp: -1, offset: -1, leaderEpoch: -1 }
            }
            const found = broker.listOffset(row, p.partitionIndex, spec, req.isolationLevel === 1 ? 'read_committed' : 'read_uncommitted')
            if (!found.ok) return failed(found.error)
            const { offset, timestamp } = found.value
            return { partitionIndex: p.partitionIndex, errorCode: 0, timestamp, offset, leaderEpoch: offset >= 0 && apiVersion >= 4 ? LEADER_EPOCH : -1 }
          }),
        }
      }),
    }
  },
})

/** What a timestamp asks for; 'tiered' is what only remote storage could answer (latest tiered, earliest pending upload). */
function offsetSpec(timestamp: number, version: number): OffsetSpec | 'tiered' | undefined {
  if (timestamp === -1) return 'latest'
  if (timestamp === -2) return 'earliest'
  if (timestamp === -3 && version >= 7) return 'max-timestamp'
  if (timestamp === -4 && version >= 8) return 'earliest'
  if (timestamp === -5 && version >= 9) return 'tiered'
  if (timestamp === -6 && version >= 11) return 'tiered'
  if (timestamp >= 0) return timestamp
  return undefined
}
