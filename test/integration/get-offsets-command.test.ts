// get-offsets as a real process over a real data directory. Topics and records with chosen timestamps are
// made in-process through the broker API (and once through console-producer), then the broker is closed
// and the CLI run. Expected texts are kafka-get-offsets' (cli.md §6, GetOffsetShell); expected offsets
// follow from the records written (n records → latest n; timestamps T0 + i·s → first offset at or after).

import fs from 'node:fs'
import path from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import type { Broker } from '../../src/broker/broker.js'
import { openBroker } from '../../src/broker/open-broker.js'
import { RecordBatchBuilder } from '../../src/broker/records.js'
import { runCli, tempDir } from '../helpers/cli.js'

let root: string
let dir: string
let cleanup: () => void
beforeEach(() => {
  ;({ dir: root, cleanup } = tempDir())
  dir = path.join(root, 'data')
})
afterEach(() => cleanup())

const offsets = (...args: string[]) => runCli(['get-offsets', ...args], { dataDir: dir })
const T0 = Date.parse('2024-01-01T00:00:00.000Z')
const S = 1000
const MALFORMED =
  'Please use -1 or latest / -2 or earliest / -3 or max-timestamp / -4 or earliest-local / -5 or latest-tiered / -6 or earliest-pending-upload, or a specified long format timestamp'

function withBroker<T>(fn: (b: Broker) => T): T {
  const b = openBroker({ dataDir: dir, initialize: 'auto' })
  try {
    return fn(b)
  } finally {
    b.close()
  }
}

function topic(b: Broker, name: string, partitions: number): void {
  const [o] = b.createTopics([{ name, numPartitions: partitions, replicationFactor: -1, configs: new Map() }])
  expect(o?.ok).toBe(true)
}

/** One record per timestamp, in one batch. */
function produce(b: Broker, name: string, partition: number, timestamps: readonly number[]): void {
  const builder = new RecordBatchBuilder()
  timestamps.forEach((ts, i) => builder.append(ts, null, Buffer.from(`v${i}`)))
  const [r] = b.produce([{ topic: b.requireTopic(name), partition, batch: builder.build() }], 'commit')
  expect(r?.ok).toBe(true)
}

const times = (n: number, from = T0) => Array.from({ length: n }, (_, i) => from + i * S)

async function expectFailure(args: string[], message: string): Promise<void> {
  const r = await offsets(...args)
  expect(r.stderr).toBe(`Error occurred: ${message}\n`)
  expect(r.out).toBe('')
  expect(r.code).toBe(1)
}

describe('get-offsets: selection and output', () => {
  beforeEach(() =>
    withBroker((b) => {
      topic(b, 'orders', 11)
      topic(b, 'audit', 1)
      produce(b, 'orders', 2, times(3))
      produce(b, 'orders', 10, times(5))
      produce(b, 'audit', 0, times(1))
    }),
  )

  it('prints every partition of every topic at latest, sorted by the string topic-partition (orders-10 before orders-2)', async () => {
    const r = await offsets()
    expect(r.code).toBe(0)
    expect(r.stderr).toBe('')
    expect(r.out).toBe(
      [
        'audit:0:1',
        'orders:0:0',
        'orders:1:0',
        'orders:10:5',
        'orders:2:3',
        'orders:3:0',
        'orders:4:0',
        'orders:5:0',
        'orders:6:0',
        'orders:7:0',
        'orders:8:0',
        'orders:9:0',
        '',
      ].join('\n'),
    )
  })

  it('--topic is a regex matching whole names; --partitions picks ids', async () => {
    expect((await offsets('--topic', 'ord', '--partitions', '2')).stderr).toBe(
      'Error occurred: Could not match any topic-partitions with the specified filters\n',
    )
    const r = await offsets('--topic', 'ord.*', '--partitions', '2,10,0')
    expect(r.code).toBe(0)
    expect(r.out).toBe('orders:0:0\norders:10:5\norders:2:3\n')
    expect((await offsets('--topic', 'audit,orders', '--partitions', '0')).out).toBe('audit:0:1\norders:0:0\n')
  })

  it('--topic-partitions takes Kafka rule specs: N, N-M (M exclusive), N-, -M, bare regex, :N for all topics', async () => {
    expect((await offsets('--topic-partitions', 'orders:2')).out).toBe('orders:2:3\n')
    expect((await offsets('--topic-partitions', 'orders:1-3')).out).toBe('orders:1:0\norders:2:3\n')
    expect((await offsets('--topic-partitions', 'orders:9-')).out).toBe('orders:10:5\norders:9:0\n')
    expect((await offsets('--topic-partitions', 'orders:-2')).out).toBe('orders:0:0\norders:1:0\n')
    expect((await offsets('--topic-partitions', 'aud.*')).out).toBe('audit:0:1\n')
    expect((await offsets('--topic-partitions', ':0')).out).toBe('audit:0:1\norders:0:0\n')
    expect((await offsets('--topic-partitions', 'audit,orders:10,:2')).out).toBe('audit:0:1\norders:10:5\norders:2:3\n')
  })

  it('--exclude-internal-topics leaves internal topics out', async () => {
    withBroker((b) => topic(b, '__consumer_offsets', 1))
    expect((await offsets('--topic', '__.*')).out).toBe('__consumer_offsets:0:0\n')
    await expectFailure(['--topic', '__.*', '--exclude-internal-topics'], 'Could not match any topic-partitions with the specified filters')
    expect((await offsets('--topic-partitions', ':0', '--exclude-internal-topics')).out).toBe('audit:0:1\norders:0:0\n')
  })

  it('accepts --command-config; an unreachable --bootstrap-server fails in one line naming the address', async () => {
    const props = path.join(root, 'client.properties')
    fs.writeFileSync(props, 'client.id=x\n')
    expect((await offsets('--topic', 'audit', '--command-config', props)).out).toBe('audit:0:1\n')
    // Port 1 on loopback: nothing listens there.
    const r = await runCli(['get-offsets', '--bootstrap-server', '127.0.0.1:1'])
    expect(r.code).toBe(1)
    expect(r.stderr.trim().split('\n')).toEqual(['Connection refused: no broker listening at 127.0.0.1:1 (bootstrap servers: 127.0.0.1:1)'])
  })
})

describe('get-offsets --time', () => {
  beforeEach(() =>
    withBroker((b) => {
      topic(b, 't', 2)
      // Partition 0: offsets 0..4 at T0, T0+1s, … T0+4s; partition 1: offsets 0..2 with the maximum in the middle.
      produce(b, 't', 0, times(5))
      produce(b, 't', 1, [T0, T0 + 9 * S, T0 + 2 * S])
    }),
  )

  it('latest / -1 is the high watermark (also the default)', async () => {
    for (const time of ['latest', '-1']) expect((await offsets('--topic', 't', '--time', time)).out).toBe('t:0:5\nt:1:3\n')
  })

  it('earliest / -2 and earliest-local / -4 are the log start', async () => {
    for (const time of ['earliest', '-2', 'earliest-local', '-4']) expect((await offsets('--topic', 't', '--time', time)).out).toBe('t:0:0\nt:1:0\n')
  })

  it('max-timestamp / -3 is the offset of the record with the largest timestamp', async () => {
    for (const time of ['max-timestamp', '-3']) expect((await offsets('--topic', 't', '--time', time)).out).toBe('t:0:4\nt:1:1\n')
  })

  it('a timestamp gives the first offset at or after it; partitions with no such record are omitted', async () => {
    expect((await offsets('--topic', 't', '--time', String(T0 + 1500))).out).toBe('t:0:2\nt:1:1\n')
    expect((await offsets('--topic', 't', '--time', String(T0 + 4 * S))).out).toBe('t:0:4\nt:1:1\n')
    expect((await offsets('--topic', 't', '--time', String(T0 + 5 * S))).out).toBe('t:1:1\n')
    const r = await offsets('--topic', 't', '--time', String(T0 + 10 * S))
    expect(r.code).toBe(0)
    expect(r.out).toBe('')
  })

  it('latest-tiered / -5 and earliest-pending-upload / -6 have no answer without tiered storage: nothing printed, exit 0', async () => {
    for (const time of ['latest-tiered', '-5', 'earliest-pending-upload', '-6']) {
      const r = await offsets('--topic', 't', '--time', time)
      expect(r.code).toBe(0)
      expect(r.out).toBe('')
      expect(r.stderr).toBe('')
    }
  })

  it('counts records written by console-producer', async () => {
    const p = await runCli(['console-producer', '--topic', 'lines'], { dataDir: dir, input: 'a\nb\nc\nd\n' })
    expect(p.code).toBe(0)
    expect((await offsets('--topic', 'lines')).out).toBe('lines:0:4\n')
    expect((await offsets('--topic', 'lines', '--time', 'earliest')).out).toBe('lines:0:0\n')
  })
})

describe('get-offsets errors', () => {
  beforeEach(() => withBroker((b) => topic(b, 't', 1)))

  it('--topic-partitions with --topic or --partitions', async () => {
    const message = '--topic-partitions cannot be used with --topic or --partitions'
    await expectFailure(['--topic-partitions', 't:0', '--topic', 't'], message)
    await expectFailure(['--topic-partitions', 't:0', '--partitions', '0'], message)
  })

  it('no matching topic or partition', async () => {
    const message = 'Could not match any topic-partitions with the specified filters'
    await expectFailure(['--topic', 'nope'], message)
    await expectFailure(['--topic', 't', '--partitions', '5'], message)
    await expectFailure(['--topic-partitions', 't:1-'], message)
  })

  it('malformed --time', async () => {
    await expectFailure(['--time', 'yesterday'], `Malformed time argument yesterday. ${MALFORMED}`)
    await expectFailure(['--time', '1.5'], `Malformed time argument 1.5. ${MALFORMED}`)
    await expectFailure(['--time', '9223372036854775808'], `Malformed time argument 9223372036854775808. ${MALFORMED}`)
  })

  it('malformed --partitions', async () => {
    await expectFailure(['--partitions', '0,x'], '--partitions expects a comma separated list of numeric partition ids, but received: 0,x')
    await expectFailure(['--partitions', '0-2'], '--partitions expects a comma separated list of numeric partition ids, but received: 0-2')
  })

  it('invalid rule specification', async () => {
    await expectFailure(['--topic-partitions', 't:x'], 'Invalid rule specification: t:x')
    await expectFailure(['--topic-partitions', 't:0,t:1:2'], 'Invalid rule specification: t:1:2')
  })

  it('unrecognized options', async () => {
    // NODE_ENV=test (set by vitest) makes oclif add a development warning after a failed parse.
    const r = await runCli(['get-offsets', '--topics', 't'], { dataDir: dir, env: { NODE_ENV: 'production' } })
    expect(r.stderr).toBe('Error occurred: topics is not a recognized option\n')
    expect(r.out).toBe('')
    expect(r.code).toBe(1)
  })
})
