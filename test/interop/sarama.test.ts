import path from 'node:path'

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'

import { tempDir } from '../helpers/cli.js'
import { startTestServer, type TestServer } from '../helpers/server.js'
import { assertTool, GO_ENV, HELPERS_DIR, run, saramaStatus, skipWithoutTool } from './helpers/tools.js'

// Debian's Go client, Shopify sarama 1.22.1, against the broker. At its default `Version` (0.8.2) sarama
// produces with Produce v0, which Kafka 4 removed (KIP-896): the broker closes the connection, as a 4.3
// broker does, and the client sees EOF. Told it talks to 0.11 or later, the same client produces with
// record batches and works. The README names this; the probe (helpers/sarama-probe) sends one record.

const sarama = saramaStatus()

let server: TestServer | undefined
afterEach(async () => {
  await server?.stop()
  server = undefined
})

describe.skipIf(skipWithoutTool(sarama))('sarama 1.22 (Go)', () => {
  let build: { dir: string; cleanup: () => void }
  let probe: string
  beforeAll(async () => {
    assertTool(sarama)
    build = tempDir('kafka-ts-sarama-')
    probe = path.join(build.dir, 'probe')
    const built = await run('go', ['build', '-o', probe, '.'], { env: { ...GO_ENV, GOCACHE: path.join(build.dir, 'cache') }, timeoutMs: 300_000, cwd: path.join(HELPERS_DIR, 'sarama-probe') })
    expect(built.code, built.stderr).toBe(0)
  }, 320_000)
  afterAll(() => build?.cleanup())

  it('at its default Version is shut out as Kafka 4 shuts it out (Produce v0 closes the connection); at 0.11 it produces', async () => {
    server = await startTestServer()
    const created = server.broker.createTopics([{ name: 'go', numPartitions: 1, replicationFactor: 1, configs: new Map() }])
    expect(created.every((c) => c.ok)).toBe(true)

    const old = await run(probe, [server.bootstrap, 'go'], { timeoutMs: 60_000 })
    expect(old.code).toBe(3)
    expect(old.stdout.toString()).toContain('send error: EOF')
    expect(server.logs.some((l) => l.includes('unsupported Produce version 0') && l.includes('client sarama'))).toBe(true)

    const current = await run(probe, [server.bootstrap, 'go', '0.11.0.0'], { timeoutMs: 60_000 })
    expect(current.code, current.stdout.toString() + current.stderr).toBe(0)
    expect(current.stdout.toString()).toBe('sent 0 0\n')
    const row = server.broker.requireTopic('go')
    const read = server.broker.read(row, 0, 0, 1 << 20)
    expect(read.ok && read.value.highWatermark).toBe(1)
  })
})
