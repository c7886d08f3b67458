// Retention and compaction seen by the embedded tools, as real processes over a real data directory:
// console-producer refused keyless records on a compacted topic, and console-consumer in a group whose
// committed offset retention has left behind resets to the new log start.

import { describe, expect, it } from 'vitest'

import { openBroker } from '../../src/broker/open-broker.js'
import { RecordBatchBuilder } from '../../src/protocol/record-batch-builder.js'
import { consume, createTopic, lines, produce, useCliSandbox } from './fixtures/console.js'

const HOUR = 3_600_000
const sandbox = useCliSandbox()

describe('console-producer on a compacted topic', () => {
  it('refuses records without a key with Kafka\'s message and stores keyed ones', async () => {
    expect((await createTopic(sandbox.dir, 'table', '--config', 'cleanup.policy=compact')).code).toBe(0)
    const refused = await produce(sandbox.dir, 'table', 'no key\n')
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(
      "Error when sending message to topic table with key: null, value: 6 bytes with error: One or more records have been rejected due to 1 record errors in total, " +
        "and only showing the first three errors at most: [RecordError(batchIndex=0, message='Compacted topic cannot accept message without key in topic partition table-0.')]",
    )
    const keyed = await produce(sandbox.dir, 'table', 'k\tv\n', '--reader-property', 'parse.key=true')
    expect(keyed.code).toBe(0)
    const read = await consume(sandbox.dir, '--topic', 'table', '--from-beginning', '--timeout-ms', '200', '--formatter-property', 'print.key=true')
    expect(lines(read.out)).toEqual(['k\tv'])
  })
})

describe('console-consumer below the log start offset', () => {
  it('a group whose committed offset was deleted by retention resets to the earliest offset (--from-beginning)', async () => {
    const broker = openBroker({ dataDir: sandbox.dir, initialize: 'auto' })
    try {
      const [created] = broker.createTopics([{ name: 'expiring', numPartitions: 1, replicationFactor: -1, configs: new Map() }])
      expect(created?.ok).toBe(true)
      const topic = broker.requireTopic('expiring')
      const old = new RecordBatchBuilder()
      for (let i = 0; i < 10; i++) old.append(Date.now() - 2 * HOUR, null, Buffer.from(`old-${i}`))
      const fresh = new RecordBatchBuilder()
      for (let i = 0; i < 3; i++) fresh.append(Date.now(), null, Buffer.from(`new-${i}`))
      expect(broker.produce([{ topic, partition: 0, batch: old.build() }, { topic, partition: 0, batch: fresh.build() }], 'fsync').every((r) => r.ok)).toBe(true)
    } finally {
      broker.close()
    }

    const first = await consume(sandbox.dir, '--topic', 'expiring', '--group', 'g', '--from-beginning', '--max-messages', '2')
    expect(lines(first.out)).toEqual(['old-0', 'old-1'])

    const cleaner = openBroker({ dataDir: sandbox.dir, initialize: 'never' })
    try {
      expect(cleaner.incrementalAlterTopicConfigs('expiring', [{ name: 'retention.ms', op: 'SET', value: String(HOUR) }]).ok).toBe(true)
      expect(cleaner.runLogCleaner().batchesDeleted).toBe(1)
    } finally {
      cleaner.close()
    }

    const again = await consume(sandbox.dir, '--topic', 'expiring', '--group', 'g', '--from-beginning', '--max-messages', '3', '--formatter-property', 'print.offset=true')
    expect(again.code).toBe(0)
    expect(lines(again.out)).toEqual(['Offset:10\tnew-0', 'Offset:11\tnew-1', 'Offset:12\tnew-2'])
  })
})
