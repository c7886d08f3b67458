/**
 * WriteTxnMarkers (27), v1–v2 (flexible).
 * Behaviour: for each marker, a COMMIT or ABORT control batch for that producer (id, epoch, coordinator
 * epoch) is written into every listed partition (Broker.writeTxnMarkers: the partition's open transaction
 * of that producer is decided, an abort is indexed); each partition answers its own error: an unknown
 * topic or partition UNKNOWN_TOPIC_OR_PARTITION, an older producer epoch INVALID_PRODUCER_EPOCH, an older
 * coordinator epoch TRANSACTION_COORDINATOR_FENCED. A coordinator sends it to partition leaders; the
 * admin client's abortTransaction (kafka-transactions.sh abort) sends it to end a hanging transaction.
 * Differs from Apache Kafka: no CLUSTER_ACTION check (there is no authorizer yet); this node's own
 * coordinator writes its markers in-process and never sends this request.
 */
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeWriteTxnMarkersRequest,
  encodeWriteTxnMarkersResponse,
  type WriteTxnMarkersRequest,
  type WriteTxnMarkersResponseInput,
} from '../../protocol/messages/write-txn-markers.js'
import { KafkaError, fail, type Outcome } from '../../broker/kafka-error.js'
import type { TopicRow } from '../../broker/records.js'
import { defineHandler } from '../handler.js'

export const writeTxnMarkersHandler = defineHandler<WriteTxnMarkersRequest, WriteTxnMarkersResponseInput>({
  apiKey: ApiKey.WriteTxnMarkers,
  name: 'WriteTxnMarkers',
  minVersion: 1,
  maxVersion: 2,
  decode: decodeWriteTxnMarkersRequest,
  encode: encodeWriteTxnMarkersResponse,
  handle(req, { broker }) {
    return {
      markers: req.markers.map((m) => {
        const targets: { topic: TopicRow; partition: number }[] = []
        const outcomes = new Map<string, Outcome<void>>()
        for (const t of m.topics) {
          const row = broker.findTopic(t.name)
          for (const partition of t.partitionIndexes) {
            if (row === undefined || partition < 0 || partition >= row.partitionCount) outcomes.set(`${t.name}:${partition}`, fail(new KafkaError('UNKNOWN_TOPIC_OR_PARTITION')))
            else targets.push({ topic: row, partition })
          }
        }
        const written = broker.writeTxnMarkers(targets, { producerId: m.producerId, producerEpoch: m.producerEpoch, commit: m.transactionResult, coordinatorEpoch: m.coordinatorEpoch }, 'fsync')
        targets.forEach((tp, i) => outcomes.set(`${tp.topic.name}:${tp.partition}`, written[i]!))
        return {
          producerId: m.producerId,
          topics: m.topics.map((t) => ({
            name: t.name,
            partitions: t.partitionIndexes.map((partitionIndex) => {
              const outcome = outcomes.get(`${t.name}:${partitionIndex}`)
              return { partitionIndex, errorCode: outcome === undefined || outcome.ok ? 0 : outcome.error.code }
            }),
          })),
        }
      }),
    }
  },
})
