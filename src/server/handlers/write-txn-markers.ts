/**
 * WriteTxnMarkers (27), v1–v2.
 * Behaviour: writes each marker (COMMIT or ABORT control batch) into the partitions it names, as a
 * partition leader does for its coordinator; kafka-ts's own coordinator writes its markers in-process, so
 * over the wire this serves Admin.abortTransaction (`kafka-transactions.sh abort`) for a hanging transaction.
 * Per partition: UNKNOWN_TOPIC_OR_PARTITION for one that does not exist; INVALID_PRODUCER_EPOCH for a marker
 * older than the producer's epoch there; TRANSACTION_COORDINATOR_FENCED for an older coordinator epoch.
 * Version notes: v0 was removed in Kafka 4.0 (KIP-896); v2 adds the marker's transaction version, which the
 * partition side does not need. Kafka requires CLUSTER_ACTION; without an authorizer — kafka-ts has none —
 * any caller is served, as Kafka does then.
 */
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeWriteTxnMarkersRequest,
  encodeWriteTxnMarkersResponse,
  type WriteTxnMarkersRequest,
  type WriteTxnMarkersResponseInput,
} from '../../protocol/messages/write-txn-markers.js'
import { KafkaError } from '../../broker/kafka-error.js'
import { defineHandler } from '../handler.js'

export const writeTxnMarkersHandler = defineHandler<WriteTxnMarkersRequest, WriteTxnMarkersResponseInput>({
  apiKey: ApiKey.WriteTxnMarkers,
  name: 'WriteTxnMarkers',
  minVersion: 1,
  maxVersion: 2,
  decode: decodeWriteTxnMarkersRequest,
  encode: encodeWriteTxnMarkersResponse,
  handle(req, ctx) {
    const { broker } = ctx
    const unknown = new KafkaError('UNKNOWN_TOPIC_OR_PARTITION').code
    return {
      markers: req.markers.map((m) => {
        const marker = { producerId: m.producerId, producerEpoch: m.producerEpoch, commit: m.transactionResult, coordinatorEpoch: m.coordinatorEpoch }
        return {
          producerId: m.producerId,
          topics: m.topics.map((t) => {
            const topic = broker.findTopic(t.name)
            const known = t.partitionIndexes.filter((p) => topic !== undefined && p >= 0 && p < topic.partitionCount)
            const results = topic === undefined || known.length === 0 ? [] : broker.writeTxnMarkers(known.map((partition) => ({ topic, partition })), marker, 'fsync')
            const byPartition = new Map(known.map((p, i) => [p, results[i]]))
            return {
              name: t.name,
              partitions: t.partitionIndexes.map((partitionIndex) => {
                const r = byPartition.get(partitionIndex)
                return { partitionIndex, errorCode: r === undefined ? unknown : r.ok ? 0 : r.error.code }
              }),
            }
          }),
        }
      }),
    }
  },
})
