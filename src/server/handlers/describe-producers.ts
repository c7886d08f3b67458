/**
 * DescribeProducers (61), v0 (flexible).
 * Behaviour: per requested partition, the idempotent producers whose batches the partition's producer
 * state holds (rebuilt from the log tail on first use, then kept up to date by every append of this
 * process): producer id, epoch, the sequence of its last record, its last batch's max timestamp and the
 * first offset of its open transaction in the partition (-1 when none), the coordinator epoch of its last
 * transaction marker (-1 when none). Unknown topics and partitions answer UNKNOWN_TOPIC_OR_PARTITION.
 * Differs from Apache Kafka: producers do not expire after producer.id.expiration.ms while their batches
 * are in the state.
 */
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeDescribeProducersRequest,
  encodeDescribeProducersResponse,
  type DescribeProducersRequest,
  type DescribeProducersResponseInput,
} from '../../protocol/messages/describe-producers.js'
import { defineHandler } from '../handler.js'
import { ofExistingTopic } from '../partition-outcome.js'

export const describeProducersHandler = defineHandler<DescribeProducersRequest, DescribeProducersResponseInput>({
  apiKey: ApiKey.DescribeProducers,
  name: 'DescribeProducers',
  minVersion: 0,
  maxVersion: 0,
  decode: decodeDescribeProducersRequest,
  encode: encodeDescribeProducersResponse,
  handle(req, ctx) {
    const { broker } = ctx
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => {
        const row = broker.findTopic(t.name)
        return {
          name: t.name,
          partitions: t.partitionIndexes.map((partitionIndex) => {
            const outcome = ofExistingTopic(row, (r) => broker.activeProducers(r, partitionIndex))
            if (!outcome.ok) return { partitionIndex, errorCode: outcome.error.code, errorMessage: null, activeProducers: [] }
            const activeProducers = outcome.value
            return { partitionIndex, errorCode: 0, errorMessage: null, activeProducers }
          }),
        }
      }),
    }
  },
})
