import { describe, expect, it } from 'vitest'

import { renderList, renderMembers, renderOffsets, renderReset, renderResetCsv, renderState } from '../../../../src/cli/render/groups.js'

// Expected layouts are kafka-consumer-groups' (cli.md §4.2 examples as Kafka 4.3 changed them, cli-4.md
// A.5.2), byte for byte.
const member = 'rdkafka-2b8b7c1e-6a55-4a43-9a53-2f0f4b1b7a11'

describe('consumer-groups tables', () => {
  it('renders --describe offsets with data-dependent widths and dashes', () => {
    const out = renderOffsets([
      { group: 'my-group', topic: 'orders', partition: 0, currentOffset: 5, leaderEpoch: 0, logEndOffset: 7, lag: 2, consumerId: member, host: '/127.0.0.1', clientId: 'rdkafka' },
      { group: 'my-group', topic: 'orders', partition: 1, currentOffset: null, leaderEpoch: null, logEndOffset: 3, lag: null, consumerId: member, host: '/127.0.0.1', clientId: 'rdkafka' },
    ])
    expect(out).toBe(
      '\n' +
        'GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID                                  HOST            CLIENT-ID\n' +
        `my-group        orders          0          5               7               2               ${member} /127.0.0.1      rdkafka\n` +
        `my-group        orders          1          -               3               -               ${member} /127.0.0.1      rdkafka\n`,
    )
  })

  it('adds LEADER-EPOCH after PARTITION with --verbose', () => {
    const out = renderOffsets(
      [{ group: 'my-group', topic: 'orders', partition: 0, currentOffset: 5, leaderEpoch: 0, logEndOffset: 7, lag: 2, consumerId: 'c-1-3f', host: '/127.0.0.1', clientId: 'c-1' }],
      true,
    )
    expect(out).toBe(
      '\n' +
        'GROUP           TOPIC           PARTITION  LEADER-EPOCH    CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID     HOST            CLIENT-ID\n' +
        'my-group        orders          0          0               5               7               2               c-1-3f          /127.0.0.1      c-1\n',
    )
  })

  it('renders --members --verbose with epochs and topic:p,p;topic:p assignments (a classic group has no epochs or target)', () => {
    const out = renderMembers(
      [{ group: 'my-group', consumerId: '5YgcYB3TQjqp1m5b1Bw0Kg', groupInstanceId: null, host: '/127.0.0.1', clientId: 'c-1', assignment: [{ topic: 'orders', partitions: [1, 0] }, { topic: 'audit', partitions: [2] }] }],
      true,
    )
    expect(out).toBe(
      '\n' +
        'GROUP           CONSUMER-ID            HOST            CLIENT-ID       #PARTITIONS     CURRENT-EPOCH   CURRENT-ASSIGNMENT   TARGET-EPOCH    TARGET-ASSIGNMENT    \n' +
        'my-group        5YgcYB3TQjqp1m5b1Bw0Kg /127.0.0.1      c-1             3               -               audit:2;orders:0,1   -               -                    \n',
    )
  })

  it('adds GROUP-INSTANCE-ID only when a member is static, and ends non-verbose rows after #PARTITIONS', () => {
    const out = renderMembers([{ group: 'g', consumerId: 'c-1', groupInstanceId: 'i-1', host: '/10.0.0.1', clientId: 'c', assignment: [] }], false)
    expect(out).toBe('\nGROUP           CONSUMER-ID     GROUP-INSTANCE-ID HOST            CLIENT-ID       #PARTITIONS     \ng               c-1             i-1               /10.0.0.1       c               0               \n')
  })

  it('renders --describe --state, and its --verbose epochs', () => {
    const row = { group: 'my-group', coordinator: 'localhost:9092  (1)', assignmentStrategy: 'range', state: 'Stable', members: 1 }
    expect(renderState([row])).toBe(
      '\nGROUP           COORDINATOR (ID)          ASSIGNMENT-STRATEGY  STATE                #MEMBERS\nmy-group        localhost:9092  (1)       range                Stable               1\n',
    )
    expect(renderState([{ ...row, assignmentStrategy: '', state: 'Empty', members: 0 }], true)).toBe(
      '\nGROUP           COORDINATOR (ID)          ASSIGNMENT-STRATEGY  STATE                GROUP-EPOCH     TARGET-ASSIGNMENT-EPOCH   #MEMBERS\n' +
        'my-group        localhost:9092  (1)       -                    Empty                -               -                         0\n',
    )
  })

  it('renders --list plain and with --state', () => {
    const groups = [{ groupId: 'my-group', state: 'Stable', type: 'Classic' }]
    expect(renderList(groups, { state: false, type: false })).toBe('my-group\n')
    expect(renderList(groups, { state: true, type: false })).toBe('GROUP                     STATE               \nmy-group                  Stable              \n')
    expect(renderList(groups, { state: true, type: true })).toBe(
      'GROUP                     TYPE                 STATE               \nmy-group                  Classic              Stable              \n',
    )
  })

  it('renders --reset-offsets as a table and as CSV', () => {
    const rows = [{ group: 'my-group', topic: 'orders', partition: 0, newOffset: 0 }]
    expect(renderReset(rows)).toBe('\nGROUP           TOPIC           PARTITION  NEW-OFFSET\nmy-group        orders          0          0\n')
    expect(renderResetCsv(rows, false)).toBe('orders,0,0\n')
    expect(renderResetCsv(rows, true)).toBe('my-group,orders,0,0\n')
  })
})
