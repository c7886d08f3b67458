// Planning over a real broker in a temp directory (log bounds and timestamps from real batches).

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import type { Broker } from '../../../../src/broker/broker.js'
import { openBroker } from '../../../../src/broker/open-broker.js'
import { RecordBatchBuilder } from '../../../../src/broker/records.js'
import { GroupCommandFailure } from '../../../../src/cli/consumer-groups/failure.js'
import { brokerLogOffsets, type LogOffsets } from '../../../../src/cli/consumer-groups/log-offsets.js'
import type { ResetScenario } from '../../../../src/cli/consumer-groups/options.js'
import { partitionsToReset, planReset, type ResetContext } from '../../../../src/cli/consumer-groups/reset-plan.js'
import { UsageError } from '../../../../src/cli/errors.js'
import { tempDir } from '../../../helpers/cli.js'

let broker: Broker
let log: LogOffsets
let cleanup: () => void

beforeEach(() => {
  const t = tempDir()
  cleanup = t.cleanup
  broker = openBroker({ dataDir: t.dir, initialize: 'auto' })
  broker.createTopics([{ name: 't', numPartitions: 3, replicationFactor: -1, configs: new Map() }])
  const b = new RecordBatchBuilder()
  for (let i = 0; i < 6; i++) b.append(1000 * i, null, Buffer.from('v'))
  expect(broker.produce([{ topic: broker.requireTopic('t'), partition: 1, batch: b.build() }], 'commit')[0]?.ok).toBe(true)
  expect(broker.deleteRecords([{ topic: 't', partition: 1, offset: 2 }])[0]?.ok).toBe(true)
  log = brokerLogOffsets(broker)
})
afterEach(() => {
  broker.close()
  cleanup()
})

function ctx(overrides: Partial<ResetContext> = {}): ResetContext & { warnings: string[]; printed: string[] } {
  const warnings: string[] = []
  const printed: string[] = []
  return {
    groupId: 'g',
    committed: [{ topic: 't', partition: 1, offset: 4 }],
    log,
    nowMs: 10_000,
    plan: () => new Map(),
    warn: (m) => warnings.push(m),
    print: (m) => printed.push(m),
    warnings,
    printed,
    ...overrides,
  }
}

describe('partitionsToReset', () => {
  it('expands topics, keeps named partitions once, and follows --all-topics', () => {
    const scope = { allTopics: false, topics: ['t:2,1', 't'], fromFile: false }
    expect(partitionsToReset(scope, [], log)).toEqual([
      { topic: 't', partition: 2 },
      { topic: 't', partition: 1 },
      { topic: 't', partition: 0 },
    ])
    expect(partitionsToReset({ allTopics: true, topics: ['t'], fromFile: false }, ctx().committed, log)).toEqual([{ topic: 't', partition: 1 }])
    expect(partitionsToReset({ allTopics: false, topics: [], fromFile: true }, [], log)).toEqual([])
    expect(() => partitionsToReset({ allTopics: false, topics: [], fromFile: false }, [], log)).toThrow(UsageError)
    expect(() => partitionsToReset({ allTopics: false, topics: ['nope'], fromFile: false }, [], log)).toThrow(GroupCommandFailure)
  })
})

describe('planReset', () => {
  const all = [{ topic: 't', partition: 1 }, { topic: 't', partition: 0 }]
  const plan = (scenario: ResetScenario, c = ctx()) => planReset(scenario, all, c)

  it('reads earliest and latest from the log (partition 1 starts at 2 after DeleteRecords)', () => {
    expect(plan({ kind: 'to-earliest' })).toEqual([{ topic: 't', partition: 0, offset: 0 }, { topic: 't', partition: 1, offset: 2 }])
    expect(plan({ kind: 'to-latest' })).toEqual([{ topic: 't', partition: 0, offset: 0 }, { topic: 't', partition: 1, offset: 6 }])
  })

  it('clamps requested offsets with one WARN per clamped partition', () => {
    const c = ctx()
    expect(plan({ kind: 'to-offset', offset: 1 }, c)).toEqual([{ topic: 't', partition: 0, offset: 0 }, { topic: 't', partition: 1, offset: 2 }])
    expect(c.warnings).toEqual([
      'New offset (1) is higher than latest offset for topic partition t-0. Value will be set to 0',
      'New offset (1) is lower than earliest offset for topic partition t-1. Value will be set to 2',
    ])
  })

  it('finds offsets by timestamp, falling back to the log end for an empty answer', () => {
    const c = ctx()
    expect(planReset({ kind: 'to-datetime', text: '1970-01-01T00:00:03.500' }, all, c)).toEqual([
      { topic: 't', partition: 0, offset: 0 },
      { topic: 't', partition: 1, offset: 4 },
    ])
    expect(c.printed).toEqual(['\nWarn: Partition 0 from topic t is empty. Falling back to latest known offset.\n'])
    expect(planReset({ kind: 'by-duration', text: 'PT9S' }, [{ topic: 't', partition: 1 }], ctx())).toEqual([{ topic: 't', partition: 1, offset: 2 }])
  })

  it('refuses --shift-by without a committed offset and a partition that does not exist', () => {
    expect(() => plan({ kind: 'shift-by', shift: 1 })).toThrow('Cannot shift offset for partition t-0 since there is no current committed offset')
    expect(() => planReset({ kind: 'to-earliest' }, [{ topic: 't', partition: 3 }], ctx())).toThrow(
      'java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host this topic-partition.',
    )
  })

  it('uses only the file\'s partitions for --from-file, and reports a group the file does not name', () => {
    const file = new Map([['g', [{ topic: 't', partition: 1, offset: 9 }]]])
    const c = ctx({ plan: () => file })
    expect(plan({ kind: 'from-file', path: 'x' }, c)).toEqual([{ topic: 't', partition: 1, offset: 6 }])
    const other = ctx({ groupId: 'h', plan: () => file })
    expect(plan({ kind: 'from-file', path: 'x' }, other)).toEqual([])
    expect(other.printed).toEqual(['\nError: No reset plan for group h found\n'])
  })
})
