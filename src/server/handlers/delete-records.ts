/**
 * DeleteRecords (21), v0–v2.
 * Behaviour: per partition, moves the log start offset up to `offset` (-1 = the high watermark) and answers
 * the new low watermark (never lower than before). Unknown topic or partition → UNKNOWN_TOPIC_OR_PARTITION;
 * an offset below 0 (other than -1) or above the high watermark → OFFSET_OUT_OF_RANGE; a topic whose
 * cleanup.policy lacks `delete` → POLICY_VIOLATION. Failed partitions answer low_watermark -1.
 * Differs from Apache Kafka: timeout_ms is ignored (the move is synchronous).
 */
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeDeleteRecordsRequest,
  encodeDeleteRecordsResponse,
  type DeleteRecordsRequest,
  type DeleteRecordsResponseInput,
} from '../../protocol/messages/delete-records.js'
import { defineHandler } from '../handler.js'

const INVALID_LOW_WATERMARK = -1

export const deleteRecordsHandler = defineHandler<DeleteRecordsRequest, DeleteRecordsResponseInput>({
  apiKey: ApiKey.DeleteRecords,
  name: 'DeleteRecords',
  minVersion: 0,
  maxVersion: 2,
  decode: decodeDeleteRecordsRequest,
  encode: encodeDeleteRecordsResponse,
  handle(req, ctx) {
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => {
        const outcomes = ctx.broker.deleteRecords(t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, offset: p.offset })))
        return {
          name: t.name,
          partitions: t.partitions.map((p, i) => {
            const outcome = outcomes[i]
            return outcome?.ok
              ? { partitionIndex: p.partitionIndex, lowWatermark: outcome.value, errorCode: 0 }
              : { partitionIndex: p.partitionIndex, lowWatermark: INVALID_LOW_WATERMARK, errorCode: outcome?.error.code ?? -1 }
          }),
        }
      }),
    }
  },
})
