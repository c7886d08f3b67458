// delete-records as a real process over a real data directory. Records come from console-producer (and
// in-process through the broker API for a compacted topic); the effect is read back with
// `get-offsets --time -2` (the log start offset) and console-consumer --from-beginning. Expected texts are
// kafka-delete-records' (cli.md §7, DeleteRecordsCommand).

import fs from 'node:fs'
import path from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { openBroker } from '../../src/broker/open-broker.js'
import { runCli, tempDir } from '../helpers/cli.js'

let root: string
let dir: string
let cleanup: () => void
beforeEach(() => {
  ;({ dir: root, cleanup } = tempDir())
  dir = path.join(root, 'data')
})
afterEach(() => cleanup())

const HEADER = 'Executing records delete operation\nRecords delete operation completed:\n'

async function deleteWith(json: string) {
  const file = path.join(root, 'offsets.json')
  fs.writeFileSync(file, json)
  return runCli(['delete-records', '--offset-json-file', file], { dataDir: dir })
}

async function produceLines(topicName: string, lines: readonly string[]): Promise<void> {
  const r = await runCli(['console-producer', '--topic', topicName], { dataDir: dir, input: lines.map((l) => `${l}\n`).join('') })
  expect(r.code).toBe(0)
}

async function createTopic(...args: string[]): Promise<void> {
  const r = await runCli(['topics', '--create', ...args], { dataDir: dir })
  expect(r.code).toBe(0)
}

const earliest = async (topicName: string) => (await runCli(['get-offsets', '--topic', topicName, '--time', '-2'], { dataDir: dir })).out
const consumeAll = async (topicName: string, count: number) =>
  (await runCli(['console-consumer', '--topic', topicName, '--from-beginning', '--max-messages', String(count)], { dataDir: dir })).out

describe('delete-records', () => {
  it('moves the log start offset: low_watermark printed, get-offsets -2 and console-consumer agree', async () => {
    await produceLines('events', ['r0', 'r1', 'r2', 'r3', 'r4'])
    const r = await deleteWith('{"partitions": [{"topic": "events", "partition": 0, "offset": 3}], "version": 1}')
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.out).toBe(`${HEADER}partition: events-0\tlow_watermark: 3\n`)
    expect(await earliest('events')).toBe('events:0:3\n')
    expect(await consumeAll('events', 2)).toBe('r3\nr4\n')
  })

  it('version is optional; offset -1 deletes up to the high watermark; a lower offset keeps the current start', async () => {
    await produceLines('events', ['r0', 'r1', 'r2'])
    await produceLines('other', ['o0', 'o1', 'o2', 'o3'])
    const r = await deleteWith('{"partitions": [{"topic": "events", "partition": 0, "offset": -1}, {"topic": "other", "partition": 0, "offset": 1}]}')
    expect(r.code).toBe(0)
    expect(r.out).toBe(`${HEADER}partition: events-0\tlow_watermark: 3\npartition: other-0\tlow_watermark: 1\n`)
    expect(await earliest('events')).toBe('events:0:3\n')
    expect(await earliest('other')).toBe('other:0:1\n')

    const again = await deleteWith('{"partitions": [{"topic": "other", "partition": 0, "offset": 0}], "version": 1}')
    expect(again.out).toBe(`${HEADER}partition: other-0\tlow_watermark: 1\n`)
    expect(await consumeAll('other', 3)).toBe('o1\no2\no3\n')
  })

  it('per-partition errors print Kafka exception classes and still exit 0', async () => {
    await createTopic('--topic', 'events', '--partitions', '2')
    await produceLines('events', ['r0', 'r1'])
    await createTopic('--topic', 'compacted', '--config', 'cleanup.policy=compact')
    const hw = Number((await runCli(['get-offsets', '--topic', 'events', '--partitions', '0'], { dataDir: dir })).out.trim().split(':')[2])
    const r = await deleteWith(
      JSON.stringify({
        partitions: [
          { topic: 'events', partition: 0, offset: hw + 1 },
          { topic: 'events', partition: 7, offset: 0 },
          { topic: 'missing', partition: 0, offset: 0 },
          { topic: 'compacted', partition: 0, offset: 0 },
          { topic: 'events', partition: 1, offset: 0 },
        ],
      }),
    )
    expect(r.code).toBe(0)
    expect(r.stderr).toBe('')
    const unknown = 'error: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host this topic-partition.'
    expect(r.out).toBe(
      HEADER +
        // DeleteRecords answers carry no message: Kafka's tool prints the error code's standard text.
        'partition: events-0\terror: org.apache.kafka.common.errors.OffsetOutOfRangeException: The requested offset is not within the range of offsets maintained by the server.\n' +
        `partition: events-7\t${unknown}\n` +
        `partition: missing-0\t${unknown}\n` +
        'partition: compacted-0\terror: org.apache.kafka.common.errors.PolicyViolationException: Request parameters do not satisfy the configured policy.\n' +
        'partition: events-1\tlow_watermark: 0\n',
    )
    expect(await earliest('events')).toBe('events:0:0\nevents:1:0\n')
  })

  it('an empty partitions list prints the two header lines', async () => {
    const r = await deleteWith('{"partitions": []}')
    expect(r.code).toBe(0)
    expect(r.out).toBe(HEADER)
  })
})

describe('delete-records: offset file errors (exit 1, nothing deleted)', () => {
  beforeEach(() => {
    const b = openBroker({ dataDir: dir, initialize: 'auto' })
    b.close()
  })

  async function expectFileError(json: string, message: string): Promise<void> {
    const r = await deleteWith(json)
    expect(r.stderr).toBe(`${message}\n`)
    expect(r.out).toBe('')
    expect(r.code).toBe(1)
  }

  it("Kafka's texts for invalid JSON, a missing partitions field, an unsupported version, duplicates", async () => {
    await expectFileError('{"partitions": [', 'The input string is not a valid JSON')
    await expectFileError('{"version": 1}', 'Missing partitions field')
    await expectFileError('{"version": 2, "partitions": []}', 'Not supported version field value 2')
    await expectFileError(
      JSON.stringify({
        partitions: [
          { topic: 'a', partition: 0, offset: 1 },
          { topic: 'b', partition: 1, offset: 1 },
          { topic: 'a', partition: 0, offset: 2 },
          { topic: 'b', partition: 1, offset: 3 },
          { topic: 'b', partition: 2, offset: 3 },
        ],
      }),
      'Offset json file contains duplicate topic partitions: a-0,b-1',
    )
  })

  it('a duplicate is refused before anything is deleted', async () => {
    await produceLines('events', ['r0', 'r1'])
    const r = await deleteWith(
      '{"partitions": [{"topic": "events", "partition": 0, "offset": 1}, {"topic": "events", "partition": 0, "offset": 2}]}',
    )
    expect(r.code).toBe(1)
    expect(r.stderr).toBe('Offset json file contains duplicate topic partitions: events-0\n')
    expect(await earliest('events')).toBe('events:0:0\n')
  })

  it('a missing --offset-json-file or an unreadable file', async () => {
    const none = await runCli(['delete-records'], { dataDir: dir })
    expect(none.code).toBe(1)
    expect(none.stderr).toBe('Missing required argument "[offset-json-file]"\n')
    const missing = path.join(root, 'nope.json')
    const r = await runCli(['delete-records', '--offset-json-file', missing], { dataDir: dir })
    expect(r.code).toBe(1)
    expect(r.stderr).toBe(`Cannot read offset json file ${missing}: ENOENT\n`)
  })
})
