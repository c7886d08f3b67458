import fs from 'node:fs'
import path from 'node:path'

import { Kafka, logLevel } from 'kafkajs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { runCli, tempDir } from '../helpers/cli.js'
import { startServerProcess } from '../helpers/server.js'

let dir: string
let cleanup: () => void
beforeEach(() => {
  ;({ dir, cleanup } = tempDir())
})
afterEach(() => cleanup())

function writeConfig(logs: string): string {
  const file = path.join(dir, 'server.properties')
  fs.writeFileSync(
    file,
    [
      'process.roles=broker,controller',
      'node.id=1',
      'controller.quorum.voters=1@localhost:9093',
      'listeners=PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:9093',
      'controller.listener.names=CONTROLLER',
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      `log.dirs=${logs}`,
      'num.partitions=3',
    ].join('\n') + '\n',
  )
  return file
}

describe('server-start', () => {
  it('refuses an unformatted log.dirs with Kafka\'s hint and changes nothing', async () => {
    const logs = path.join(dir, 'logs')
    const r = await runCli(['server-start', writeConfig(logs)])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`No \`meta.properties\` found in ${logs} (have you run \`kafka-ts storage format\` to format the directory?)`)
    expect(fs.existsSync(logs)).toBe(false)
  })

  it('runs Kafka\'s quickstart: random-uuid, format, start; serves clients; stops cleanly on SIGTERM', async () => {
    const logs = path.join(dir, 'kraft-combined-logs')
    const config = writeConfig(logs)
    const clusterId = (await runCli(['storage', 'random-uuid'])).out.trim()
    expect((await runCli(['storage', 'format', '-t', clusterId, '-c', config])).code).toBe(0)
    const { child, port, stderr } = await startServerProcess([config])
    try {
      expect(stderr()).toMatch(new RegExp(`listening on PLAINTEXT://127\\.0\\.0\\.1:${port}, cluster id ${clusterId}`))
      // The controller listener of Kafka's sample config is not bound (one node is its own quorum).
      expect(stderr()).not.toContain('9093')
      const kafka = new Kafka({ clientId: 'quickstart', brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING })
      const admin = kafka.admin()
      await admin.connect()
      await admin.createTopics({ topics: [{ topic: 'quickstart-events' }] })
      const meta = await admin.fetchTopicMetadata({ topics: ['quickstart-events'] })
      expect(meta.topics[0]?.partitions).toHaveLength(3) // num.partitions from server.properties
      const cluster = await admin.describeCluster()
      expect(cluster.clusterId).toBe(clusterId)
      await admin.disconnect()
    } finally {
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
      child.kill('SIGTERM')
      expect(await exited).toBe(0)
    }
    expect(stderr()).toContain('shut down completed')
    // The embedded commands see what the server created.
    expect((await runCli(['topics', '--list'], { dataDir: logs })).out).toBe('quickstart-events\n')
  })

  it('applies --override and rejects stray arguments', async () => {
    const stray = await runCli(['server-start', '--override', 'listeners=PLAINTEXT://127.0.0.1:0', 'a.properties', 'extra'], { dataDir: dir })
    expect(stray.code).not.toBe(0)
    expect(stray.stderr).toContain('Found non argument parameters: extra')
    const bad = await runCli(['server-start', '--override', 'nonsense'], { dataDir: dir })
    expect(bad.code).not.toBe(0)
    expect(bad.stderr).toContain("Invalid override 'nonsense'")
  })
})
