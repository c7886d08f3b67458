import { describe, expect, it } from 'vitest'

import type { ResolvedConfig } from '../../../../src/broker/topic-configs.js'
import type { TopicDescription } from '../../../../src/broker/types.js'
import { describeTopics } from '../../../../src/cli/render/topics.js'

// What remote mode hands the renderer for a replicated topic on a three-broker cluster: the layout is
// Kafka's (TAB-separated, replicas and ISR as the cluster lists them, `none` for a missing leader).

const config = (name: string, value: string, source: ResolvedConfig['source']): ResolvedConfig => ({
  name,
  value,
  source,
  isSensitive: false,
  readOnly: false,
  synonyms: [],
  type: 'string',
})

const replicated: TopicDescription = {
  name: 'orders',
  topicId: 'q0TqRq9sR1CjQFhRfXhR5A',
  isInternal: false,
  partitions: [
    { partition: 0, leader: 2, replicas: [2, 3, 1], isr: [2, 3, 1] },
    { partition: 1, leader: 3, replicas: [3, 1, 2], isr: [3, 2] },
    { partition: 2, leader: -1, replicas: [1, 2, 3], isr: [] },
  ],
  configs: [
    config('min.insync.replicas', '2', 'TOPIC_CONFIG'),
    config('segment.bytes', '1073741824', 'STATIC_BROKER_CONFIG'),
    config('retention.ms', '604800000', 'DEFAULT_CONFIG'),
  ],
}

describe('topics --describe rendering of eligible leader replicas', () => {
  it('prints the lists DescribeTopicPartitions reports, N/A where only Metadata answered', () => {
    const withElr = { ...replicated, partitions: [{ partition: 0, leader: 2, replicas: [2, 3, 1], isr: [2], elr: [3], lastKnownElr: [] }] }
    expect(describeTopics([withElr], { onlyOverrides: false }).split('\n')[1]).toBe('\tTopic: orders\tPartition: 0\tLeader: 2\tReplicas: 2,3,1\tIsr: 2\tElr: 3\tLastKnownElr: ')
  })
})

describe('topics --describe rendering of a multi-broker cluster', () => {
  it('prints leaders, replicas and ISR as the cluster reports them, and non-default configs', () => {
    expect(describeTopics([replicated], { onlyOverrides: false })).toBe(
      'Topic: orders\tTopicId: q0TqRq9sR1CjQFhRfXhR5A\tPartitionCount: 3\tReplicationFactor: 3\tConfigs: min.insync.replicas=2,segment.bytes=1073741824\n' +
        '\tTopic: orders\tPartition: 0\tLeader: 2\tReplicas: 2,3,1\tIsr: 2,3,1\tElr: N/A\tLastKnownElr: N/A\n' +
        '\tTopic: orders\tPartition: 1\tLeader: 3\tReplicas: 3,1,2\tIsr: 3,2\tElr: N/A\tLastKnownElr: N/A\n' +
        '\tTopic: orders\tPartition: 2\tLeader: none\tReplicas: 1,2,3\tIsr: \tElr: N/A\tLastKnownElr: N/A\n',
    )
  })

  it('lists only topics with overrides under --topics-with-overrides', () => {
    const plain: TopicDescription = { ...replicated, name: 'plain', configs: [config('retention.ms', '604800000', 'DEFAULT_CONFIG')] }
    expect(describeTopics([replicated, plain], { onlyOverrides: true })).toBe(
      'Topic: orders\tTopicId: q0TqRq9sR1CjQFhRfXhR5A\tPartitionCount: 3\tReplicationFactor: 3\tConfigs: min.insync.replicas=2,segment.bytes=1073741824\n',
    )
  })
})
