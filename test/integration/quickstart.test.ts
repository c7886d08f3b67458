// Apache Kafka's quickstart (docs/getting-started/quickstart.md, 4.3; cli-4.md A.8), every command verbatim
// with `bin/kafka-X.sh` replaced by `kafka-ts X`, over Kafka 4.3's config/server.properties. The one change:
// the broker listens on a free port instead of 9092, so the test never collides with a Kafka running on
// this machine.

import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { runCli, tempDir } from '../helpers/cli.js'
import { startServerProcess } from '../helpers/server.js'
import { lines, startCli } from './fixtures/console.js'

let dir: string
let cleanup: () => void
beforeEach(() => {
  ;({ dir, cleanup } = tempDir('kafka-ts-quickstart-'))
})
afterEach(() => cleanup())

async function freePort(): Promise<number> {
  const probe = net.createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as net.AddressInfo
  await new Promise((resolve) => probe.close(resolve))
  return port
}

/** Kafka 4.3's config/server.properties (a combined node, dynamic quorum), with our port and log directory. */
function serverProperties(port: number, logs: string): string {
  const file = path.join(dir, 'server.properties')
  fs.writeFileSync(
    file,
    [
      'process.roles=broker,controller',
      'node.id=1',
      'controller.quorum.bootstrap.servers=localhost:9093',
      `listeners=PLAINTEXT://:${port},CONTROLLER://:9093`,
      'inter.broker.listener.name=PLAINTEXT',
      `advertised.listeners=PLAINTEXT://localhost:${port},CONTROLLER://localhost:9093`,
      'controller.listener.names=CONTROLLER',
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL',
      'num.network.threads=3',
      'num.io.threads=8',
      'socket.send.buffer.bytes=102400',
      'socket.receive.buffer.bytes=102400',
      'socket.request.max.bytes=104857600',
      `log.dirs=${logs}`,
      'num.partitions=1',
      'num.recovery.threads.per.data.dir=2',
      'offsets.topic.replication.factor=1',
      'share.coordinator.state.topic.replication.factor=1',
      'share.coordinator.state.topic.min.isr=1',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'log.retention.hours=168',
      'log.segment.bytes=1073741824',
      'log.retention.check.interval.ms=300000',
    ].join('\n') + '\n',
  )
  return file
}

describe("Kafka's quickstart, verbatim", () => {
  it('formats, starts, creates and describes a topic, writes events and reads them back', async () => {
    const port = await freePort()
    const bootstrap = `localhost:${port}`
    const config = serverProperties(port, path.join(dir, 'kraft-combined-logs'))

    // Step 2: KAFKA_CLUSTER_ID="$(bin/kafka-storage.sh random-uuid)"; format --standalone; start.
    const clusterId = (await runCli(['storage', 'random-uuid'])).out.trim()
    expect(clusterId).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/)
    // Kafka 4.3 refuses this sample config without a quorum flag; the quickstart gives --standalone.
    const refused = await runCli(['storage', 'format', '-t', clusterId, '-c', config])
    expect(refused.stderr).toContain('Because controller.quorum.voters is not set on this controller, you must specify one of the following')
    const formatted = await runCli(['storage', 'format', '--standalone', '-t', clusterId, '-c', config])
    expect(formatted.code, formatted.stderr).toBe(0)
    expect(lines(formatted.out)[1]).toBe(`Formatting dynamic metadata voter directory ${path.join(dir, 'kraft-combined-logs')} with metadata.version 4.3-IV0.`)
    const server = await startServerProcess([config])
    try {
      // Step 3: create and describe the topic.
      const created = await runCli(['topics', '--create', '--topic', 'quickstart-events', '--bootstrap-server', bootstrap])
      expect({ code: created.code, out: created.out, err: created.stderr }).toEqual({ code: 0, out: 'Created topic quickstart-events.\n', err: '' })
      const described = await runCli(['topics', '--describe', '--topic', 'quickstart-events', '--bootstrap-server', bootstrap])
      expect(described.code).toBe(0)
      // segment.bytes comes from the server's properties file (STATIC_BROKER_CONFIG), as Kafka shows it.
      // Kafka 4's admin reads partitions with DescribeTopicPartitions: eligible leader replicas are empty lists.
      expect(lines(described.out)).toEqual([
        expect.stringMatching(/^Topic: quickstart-events\tTopicId: [A-Za-z0-9_-]{22}\tPartitionCount: 1\tReplicationFactor: 1\tConfigs: segment\.bytes=1073741824$/),
        '\tTopic: quickstart-events\tPartition: 0\tLeader: 1\tReplicas: 1\tIsr: 1\tElr: \tLastKnownElr: ',
      ])

      // Step 4: write some events (typed lines, then Ctrl-D).
      const produced = await runCli(['console-producer', '--topic', 'quickstart-events', '--bootstrap-server', bootstrap], {
        input: 'This is my first event\nThis is my second event\n',
      })
      expect({ code: produced.code, err: produced.stderr }).toEqual({ code: 0, err: '' })

      // Step 5: read them (the tool follows until Ctrl-C).
      const consumer = startCli(['console-consumer', '--topic', 'quickstart-events', '--from-beginning', '--bootstrap-server', bootstrap], dir)
      await consumer.waitForStdout((out) => lines(out).length >= 2, 20_000)
      consumer.child.kill('SIGINT')
      const { code } = await consumer.exited
      expect(code).toBe(0)
      expect(consumer.stdout().toString()).toBe('This is my first event\nThis is my second event\n')
      expect(consumer.stderr()).toContain('Processed a total of 2 messages')

      // The operations guide's consumer-group commands: a group reads the topic, then is listed and described.
      const listed = await runCli(['topics', '--list', '--bootstrap-server', bootstrap])
      expect(listed.out).toBe('quickstart-events\n')
      const member = await runCli(['console-consumer', '--topic', 'quickstart-events', '--group', 'my-group', '--from-beginning', '--max-messages', '2', '--bootstrap-server', bootstrap])
      expect(member.out).toBe('This is my first event\nThis is my second event\n')
      const groups = await runCli(['consumer-groups', '--bootstrap-server', bootstrap, '--list'])
      expect({ code: groups.code, out: groups.out }).toEqual({ code: 0, out: 'my-group\n' })
      const describedGroup = await runCli(['consumer-groups', '--bootstrap-server', bootstrap, '--describe', '--group', 'my-group'])
      expect(describedGroup.code).toBe(0)
      expect(describedGroup.stderr).toContain("Consumer group 'my-group' has no active members.")
      expect(lines(describedGroup.out).filter((l) => l !== '')).toEqual([
        expect.stringMatching(/^GROUP\s+TOPIC\s+PARTITION\s+CURRENT-OFFSET\s+LOG-END-OFFSET\s+LAG\s+CONSUMER-ID\s+HOST\s+CLIENT-ID$/),
        expect.stringMatching(/^my-group\s+quickstart-events\s+0\s+2\s+2\s+0\s+-\s+-\s+-$/),
      ])
    } finally {
      const exited = new Promise<number | null>((resolve) => server.child.on('exit', (c) => resolve(c)))
      server.child.kill('SIGTERM')
      expect(await exited).toBe(0)
    }
  })
})

// The quickstart's write/read steps and the perf and cluster tools with each option Kafka 4.2 renamed
// (KIP-1147, cli-4.md A.1): the 4.2 names work silently, the 3.9 names work and print Kafka's warning on stdout.
describe("Kafka's quickstart with KIP-1147's option names, new and old", () => {
  it('gives the same records under both names and warns only for the old ones', async () => {
    const port = await freePort()
    const bootstrap = `localhost:${port}`
    const config = serverProperties(port, path.join(dir, 'kraft-combined-logs'))
    const clusterId = (await runCli(['storage', 'random-uuid'])).out.trim()
    expect((await runCli(['storage', 'format', '--standalone', '-t', clusterId, '-c', config])).code).toBe(0)
    const clientConfig = path.join(dir, 'client.properties')
    fs.writeFileSync(clientConfig, 'client.id=quickstart-client\n')
    const server = await startServerProcess([config])
    try {
      expect((await runCli(['topics', '--create', '--topic', 'events', '--bootstrap-server', bootstrap])).code).toBe(0)
      const producer = async (names: 'new' | 'old', input: string) =>
        runCli(
          names === 'new'
            ? ['console-producer', '--topic', 'events', '--bootstrap-server', bootstrap, '--reader-property', 'parse.key=true', '--command-property', 'acks=all', '--command-config', clientConfig]
            : ['console-producer', '--topic', 'events', '--bootstrap-server', bootstrap, '--property', 'parse.key=true', '--producer-property', 'acks=all', '--producer.config', clientConfig],
          { input },
        )
      const fresh = await producer('new', 'k1\tfirst\n')
      expect({ code: fresh.code, out: fresh.out, err: fresh.stderr }).toEqual({ code: 0, out: '', err: '' })
      const old = await producer('old', 'k2\tsecond\n')
      expect({ code: old.code, err: old.stderr }).toEqual({ code: 0, err: '' })
      expect(lines(old.out)).toEqual([
        'Warning: --producer-property is deprecated and will be removed in a future version. Use --command-property instead.',
        'Warning: --producer.config is deprecated and will be removed in a future version. Use --command-config instead.',
        'Warning: --property is deprecated and will be removed in a future version. Use --reader-property instead.',
      ])

      const consumer = (names: 'new' | 'old') =>
        runCli(
          names === 'new'
            ? ['console-consumer', '--topic', 'events', '--bootstrap-server', bootstrap, '--max-messages', '2', '--formatter-property', 'print.key=true', '--command-property', 'auto.offset.reset=earliest', '--command-config', clientConfig]
            : ['console-consumer', '--topic', 'events', '--bootstrap-server', bootstrap, '--max-messages', '2', '--property', 'print.key=true', '--consumer-property', 'auto.offset.reset=earliest', '--consumer.config', clientConfig],
        )
      const readNew = await consumer('new')
      expect({ code: readNew.code, out: readNew.out }).toEqual({ code: 0, out: 'k1\tfirst\nk2\tsecond\n' })
      const readOld = await consumer('old')
      expect(readOld.code).toBe(0)
      expect(lines(readOld.out)).toEqual([
        'Option --consumer-property is deprecated and will be removed in a future version. Use --command-property instead.',
        'Option --consumer.config is deprecated and will be removed in a future version. Use --command-config instead.',
        'Option --property is deprecated and will be removed in a future version. Use --formatter-property instead.',
        'k1\tfirst',
        'k2\tsecond',
      ])

      const producerPerf = (names: 'new' | 'old') =>
        runCli(
          names === 'new'
            ? ['producer-perf-test', '--topic', 'events', '--num-records', '10', '--record-size', '10', '--throughput', '-1', '--bootstrap-server', bootstrap, '--command-property', 'acks=1', '--command-config', clientConfig]
            : ['producer-perf-test', '--topic', 'events', '--num-records', '10', '--record-size', '10', '--throughput', '-1', '--producer-props', `bootstrap.servers=${bootstrap}`, 'acks=1', '--producer.config', clientConfig],
        )
      const perfNew = await producerPerf('new')
      expect(perfNew.code, perfNew.stderr).toBe(0)
      expect(perfNew.out).not.toContain('deprecated')
      expect(lines(perfNew.out).at(-1)).toMatch(/^10 records sent, /)
      const perfOld = await producerPerf('old')
      expect(perfOld.code, perfOld.stderr).toBe(0)
      expect(lines(perfOld.out).slice(0, 2)).toEqual([
        'Option --producer-props has been deprecated and will be removed in a future version. Use --command-property instead.',
        'Option --producer.config has been deprecated and will be removed in a future version. Use --command-config instead.',
      ])
      expect(lines(perfOld.out).at(-1)).toMatch(/^10 records sent, /)

      const consumerPerf = (names: 'new' | 'old') =>
        runCli(
          names === 'new'
            ? ['consumer-perf-test', '--topic', 'events', '--bootstrap-server', bootstrap, '--num-records', '22', '--command-config', clientConfig]
            : ['consumer-perf-test', '--topic', 'events', '--bootstrap-server', bootstrap, '--messages', '22', '--consumer.config', clientConfig],
        )
      const readPerfNew = await consumerPerf('new')
      expect({ code: readPerfNew.code, err: readPerfNew.stderr }).toEqual({ code: 0, err: '' })
      expect(lines(readPerfNew.out)[1]).toMatch(/^[^,]+, [^,]+, [0-9.]+, [0-9.]+, 22, /)
      const readPerfOld = await consumerPerf('old')
      expect(readPerfOld.code).toBe(0)
      expect(readPerfOld.stderr).toBe('')
      expect(lines(readPerfOld.out).slice(0, 2)).toEqual([
        'Warning: --messages is deprecated. Use --num-records instead.',
        'Warning: --consumer.config is deprecated. Use --command-config instead.',
      ])

      const clusterNew = await runCli(['cluster', 'cluster-id', '--bootstrap-server', bootstrap, '--command-config', clientConfig])
      expect({ code: clusterNew.code, out: clusterNew.out }).toEqual({ code: 0, out: `Cluster ID: ${clusterId}\n` })
      const clusterOld = await runCli(['cluster', 'cluster-id', '--bootstrap-server', bootstrap, '--config', clientConfig])
      expect({ code: clusterOld.code, out: clusterOld.out }).toEqual({
        code: 0,
        out: `Option --config has been deprecated and will be removed in a future version. Use --command-config instead.\nCluster ID: ${clusterId}\n`,
      })
    } finally {
      const exited = new Promise<number | null>((resolve) => server.child.on('exit', (c) => resolve(c)))
      server.child.kill('SIGTERM')
      expect(await exited).toBe(0)
    }
  })
})
