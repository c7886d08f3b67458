import { describe, expect, it } from 'vitest'

import { renderDeleteOffsets, renderMembers, renderResetCsv } from '../../../../src/cli/render/groups.js'

// Layouts of ConsumerGroupCommand (4.3, cli-4.md A.5.2): printMembers and deleteOffsets' TOPIC/PARTITION/STATUS.
describe('consumer-groups layouts', () => {
  it('leaves GROUP-INSTANCE-ID empty (not `-`) for a dynamic member beside a static one', () => {
    const out = renderMembers(
      [
        { group: 'g', consumerId: 'c-1', groupInstanceId: null, host: '/10.0.0.1', clientId: 'c', assignment: [] },
        { group: 'g', consumerId: 'c-2', groupInstanceId: 'i-2', host: '/10.0.0.2', clientId: 'c', assignment: [{ topic: 't', partitions: [0] }] },
      ],
      true,
    )
    expect(out).toBe(
      '\nGROUP           CONSUMER-ID     GROUP-INSTANCE-ID HOST            CLIENT-ID       #PARTITIONS     CURRENT-EPOCH   CURRENT-ASSIGNMENT   TARGET-EPOCH    TARGET-ASSIGNMENT    \n' +
        'g               c-1                               /10.0.0.1       c               0               -               -                    -               -                    \n' +
        'g               c-2             i-2               /10.0.0.2       c               1               -               t:0                  -               -                    \n',
    )
  })

  it('renders the --delete-offsets table sorted by topic and partition as one string, `-` for topic errors', () => {
    const out = renderDeleteOffsets([
      { topic: 't', partition: 2, error: null },
      { topic: 't', partition: 10, error: 'org.apache.kafka.common.errors.GroupSubscribedToTopicException: x' },
      { topic: 'missing', partition: -1, error: 'org.apache.kafka.common.errors.UnknownTopicOrPartitionException: y' },
    ])
    expect(out).toBe(
      '\nTOPIC           PARTITION  STATUS         \n' +
        'missing         -          Error: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: y\n' +
        't               10         Error: org.apache.kafka.common.errors.GroupSubscribedToTopicException: x\n' +
        't               2          Successful     \n',
    )
  })

  it('quotes a group id in the exported CSV when it must', () => {
    expect(renderResetCsv([{ group: 'my group', topic: 't', partition: 0, newOffset: 1 }], true)).toBe('"my group",t,0,1\n')
  })
})
