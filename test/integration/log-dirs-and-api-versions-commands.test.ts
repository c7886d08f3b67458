// kafka-ts log-dirs (kafka-log-dirs.sh, cli-4.md B.9) and broker-api-versions (kafka-broker-api-versions.sh,
// B.8), embedded and against a server on the same data directory: the same report both ways.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { advertisedRange } from '../../src/server/handler.js'
import { HANDLERS } from '../../src/server/registry.js'
import { runCli } from '../helpers/cli.js'
import { startTestServer, type TestServer } from '../helpers/server.js'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
  const created = server.broker.createTopics(
    ['orders', 'payments'].map((name) => ({ name, numPartitions: 2, replicationFactor: -1, configs: new Map() })),
  )
  expect(created.every((c) => c.ok)).toBe(true)
  const lines = Array.from({ length: 500 }, (_, i) => `order-${i}`).join('\n')
  const produced = await runCli(['console-producer', '--topic', 'orders', '--bootstrap-server', server.bootstrap], { input: `${lines}\n` })
  expect(produced.code).toBe(0)
})
afterAll(async () => {
  await server?.stop()
})

describe('log-dirs --describe', () => {
  it('prints Kafka\'s three lines, the same embedded and remote, with the partitions\' sizes on disk', async () => {
    const [embedded, remote] = await Promise.all([
      runCli(['log-dirs', '--describe'], { dataDir: server.dataDir }),
      runCli(['log-dirs', '--describe', '--bootstrap-server', server.bootstrap]),
    ])
    expect(remote.code).toBe(0)
    expect(embedded.out).toBe(remote.out)
    const [querying, received, json, rest] = remote.out.split('\n')
    expect([querying, received, rest]).toEqual(['Querying brokers for log directories information', 'Received log directory information from brokers 1', ''])
    const report = JSON.parse(json!) as { brokers: { broker: number; logDirs: { partitions: { partition: string; size: number }[]; error: null; logDir: string }[] }[]; version: number }
    expect(Object.keys(report)).toEqual(['brokers', 'version'])
    expect(report.version).toBe(1)
    const dir = report.brokers[0]!.logDirs[0]!
    expect(Object.keys(dir)).toEqual(['partitions', 'error', 'logDir'])
    expect(dir.logDir).toBe(server.dataDir)
    expect(dir.error).toBeNull()
    expect(dir.partitions.map((p) => p.partition)).toEqual(['orders-0', 'orders-1', 'payments-0', 'payments-1'])
    expect(Object.keys(dir.partitions[0]!)).toEqual(['partition', 'size', 'offsetLag', 'isFuture'])
    // 500 records went to orders (keyless: one partition per batch); payments has no table yet.
    const size = (name: string) => dir.partitions.find((p) => p.partition === name)!.size
    expect(size('orders-0') + size('orders-1')).toBeGreaterThanOrEqual(4096)
    expect(size('payments-0')).toBe(0)
  })

  it('--topic-list keeps only those topics\' partitions; --broker-list names this node', async () => {
    const r = await runCli(['log-dirs', '--describe', '--topic-list', 'payments,nope', '--broker-list', '1', '--bootstrap-server', server.bootstrap])
    expect(r.code).toBe(0)
    const report = JSON.parse(r.out.split('\n')[2]!) as { brokers: { logDirs: { partitions: { partition: string }[] }[] }[] }
    expect(report.brokers[0]!.logDirs[0]!.partitions.map((p) => p.partition)).toEqual(['payments-0', 'payments-1'])
  })

  it('refuses brokers that do not exist and a missing --describe, as Kafka does', async () => {
    const unknown = await runCli(['log-dirs', '--describe', '--broker-list', '1,7,5', '--bootstrap-server', server.bootstrap])
    expect(unknown.code).toBe(1)
    expect(unknown.out).toBe('')
    expect(unknown.stderr).toBe('ERROR: The given brokers do not exist from --broker-list: 5,7. Current existent brokers: 1\n')
    const noAction = await runCli(['log-dirs'], { dataDir: server.dataDir })
    expect(noAction.code).not.toBe(0)
    expect(noAction.stderr).toContain('Missing required argument "[describe]"')
  })
})

describe('broker-api-versions', () => {
  it('prints the server\'s ranges with what a Kafka 4.3 client can use, and its missing broker APIs as UNSUPPORTED', async () => {
    const [remote, embedded] = await Promise.all([
      runCli(['broker-api-versions', '--bootstrap-server', server.bootstrap]),
      runCli(['broker-api-versions'], { dataDir: server.dataDir }),
    ])
    expect(remote.code).toBe(0)
    const lines = remote.out.split('\n')
    expect(lines[0]).toBe(`127.0.0.1:${server.port} (id: 1 rack: null isFenced: false) -> (`)
    expect(lines.at(-2)).toBe(')')
    expect(lines).toContain('\tMetadata(3): 0 to 13 [usable: 13],')
    expect(lines).toContain('\tProduce(0): 0 to 13 [usable: 13],')
    expect(lines).toContain('\tDescribeTopicPartitions(75): 0 [usable: 0],')
    expect(lines).toContain('\tAddPartitionsToTxn(24): 0 to 5 [usable: 5],')
    expect(lines).toContain('\tWriteTxnMarkers(27): 1 to 2 [usable: 2],')
    expect(lines).toContain('\tAlterClientQuotas(49): UNSUPPORTED,')
    expect(lines.at(-3)).toBe('\tDeleteShareGroupOffsets(92): UNSUPPORTED')
    for (const h of HANDLERS.map((h) => ({ ...h, ...advertisedRange(h) }))) expect(remote.out).toContain(`\t${h.name}(${h.apiKey}): ${h.minVersion === h.maxVersion ? h.minVersion : `${h.minVersion} to ${h.maxVersion}`} [`)
    // Embedded: this node as the data directory's server would advertise itself, the same APIs.
    expect(embedded.code).toBe(0)
    expect(embedded.out.split('\n')[0]).toBe('localhost:9092 (id: 1 rack: null isFenced: false) -> (')
    expect(embedded.out.split('\n').slice(1)).toEqual(lines.slice(1))
  })
})
