/**
 * OffsetForLeaderEpoch (23), v2–v4 (flexible from v4; Kafka 4.3's range: KIP-896 removed v0–1).
 * Behaviour: as Kafka's leader-epoch cache answers it, for a partition led at epoch 0 since its creation:
 * epoch 0 ends at the log end offset (librdkafka checks a fetch position against it after a leader change);
 * -1 or an epoch above 0 has no end (-1, -1); CurrentLeaderEpoch other than -1 and 0 is fenced
 * (FENCED_LEADER_EPOCH below, UNKNOWN_LEADER_EPOCH above). Unknown topics and partitions answer
 * UNKNOWN_TOPIC_OR_PARTITION. ReplicaId (v3+) is not looked at: there are no followers.
 */
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeOffsetForLeaderEpochRequest,
  encodeOffsetForLeaderEpochResponse,
  type OffsetForLeaderEpochRequest,
  type OffsetForLeaderEpochResponseInput,
} from '../../protocol/messages/offset-for-leader-epoch.js'
import { defineHandler } from '../handler.js'
import { ofExistingTopic } from '../partition-outcome.js'

export const offsetForLeaderEpochHandler = defineHandler<OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponseInput>({
  apiKey: ApiKey.OffsetForLeaderEpoch,
  name: 'OffsetForLeaderEpoch',
  minVersion: 2,
  maxVersion: 4,
  decode: decodeOffsetForLeaderEpochRequest,
  encode: encodeOffsetForLeaderEpochResponse,
  handle(req, ctx) {
    const { broker } = ctx
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => {
        const row = broker.findTopic(t.topic)
        return {
          topic: t.topic,
          partitions: t.partitions.map((p) => {
            const outcome = ofExistingTopic(row, (r) => broker.endOffsetForEpoch(r, p.partition, p.leaderEpoch, p.currentLeaderEpoch))
            return outcome.ok
              ? { errorCode: 0, partition: p.partition, leaderEpoch: outcome.value.leaderEpoch, endOffset: outcome.value.endOffset }
              : { errorCode: outcome.error.code, partition: p.partition, leaderEpoch: -1, endOffset: -1 }
          }),
        }
      }),
    }
  },
})
