import { Kafka, logLevel } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { startTestServer, type TestServer } from '../helpers/server.js'
import { assertTool, kcatStatus, pythonModuleStatus, run, runPython, skipWithoutTool } from './helpers/tools.js'

// Real clients against a SASL_PLAINTEXT listener with PLAIN: kcat and confluent-kafka (librdkafka,
// SaslHandshake v1 + SaslAuthenticate), kafka-python 2.0.2 (SaslHandshake v0 + bare token frame)
// and kafkajs (SaslHandshake v1 + SaslAuthenticate v0/v1) — each with a good and a wrong password.

const JAAS =
  'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" user_admin="admin-secret" user_alice="alice-secret";'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer({
    props: {
      listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
      'sasl.enabled.mechanisms': 'PLAIN',
      'listener.name.sasl_plaintext.plain.sasl.jaas.config': JAAS,
      'num.partitions': '1',
    },
  })
})
afterAll(async () => server.stop())

const VALUES = ['sasl-1', 'sasl-2', 'sasl-3']

const kcat = kcatStatus()
describe.skipIf(skipWithoutTool(kcat))('kcat with SASL/PLAIN', () => {
  beforeAll(() => assertTool(kcat))
  const sasl = (password: string) => ['-X', 'security.protocol=SASL_PLAINTEXT', '-X', 'sasl.mechanisms=PLAIN', '-X', 'sasl.username=alice', '-X', `sasl.password=${password}`]

  it('produces and consumes with the right password', async () => {
    const p = await run('kcat', ['-b', server.bootstrap, ...sasl('alice-secret'), '-P', '-t', 'kcat-sasl'], { input: VALUES.join('\n') + '\n', timeoutMs: 60_000 })
    expect(p.stderr).toBe('')
    expect(p.code).toBe(0)
    const c = await run('kcat', ['-b', server.bootstrap, ...sasl('alice-secret'), '-C', '-t', 'kcat-sasl', '-o', 'beginning', '-e'], { timeoutMs: 60_000 })
    expect(c.code).toBe(0)
    expect(c.stdout.toString().trim().split('\n')).toEqual(VALUES)
  })

  it('fails with a wrong password, reporting the broker message', async () => {
    const r = await run('kcat', ['-b', server.bootstrap, ...sasl('wrong'), '-L', '-m', '5'], { timeoutMs: 60_000 })
    expect(r.code).not.toBe(0)
    expect(r.stderr).toContain('Authentication failed: Invalid username or password')
  })
})

for (const [mode, module, pkg] of [
  ['kafka-python', 'kafka', 'python3-kafka'],
  ['confluent', 'confluent_kafka', 'python3-confluent-kafka'],
] as const) {
  const status = pythonModuleStatus(module, pkg)
  describe.skipIf(skipWithoutTool(status))(`${mode} with SASL/PLAIN`, () => {
    beforeAll(() => assertTool(status))

    it('produces and consumes with the right password', async () => {
      const r = await runPython('sasl_clients.py', [mode, server.bootstrap, `${mode}-sasl`, 'alice', 'alice-secret'], { timeoutMs: 90_000 })
      expect(JSON.parse(r.stdout.toString()), r.stderr).toEqual({ values: VALUES })
    })

    it('fails with a wrong password', async () => {
      const r = await runPython('sasl_clients.py', [mode, server.bootstrap, `${mode}-sasl-bad`, 'alice', 'wrong'], { timeoutMs: 90_000 })
      const out = JSON.parse(r.stdout.toString()) as { error?: string }
      expect(out.error, r.stderr).toBeDefined()
      // Nothing got past authentication: the topic the client would have auto-created does not exist.
      expect(server.broker.findTopic(`${mode}-sasl-bad`)).toBeUndefined()
    })
  })
}

describe('kafkajs with SASL/PLAIN', () => {
  const kafka = (password: string) =>
    new Kafka({
      clientId: 'kafka-ts-sasl',
      brokers: [server.bootstrap],
      sasl: { mechanism: 'plain', username: 'alice', password },
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    })

  it('produces and reads metadata with the right password', async () => {
    const producer = kafka('alice-secret').producer()
    await producer.connect()
    await producer.send({ topic: 'kafkajs-sasl', messages: VALUES.map((value) => ({ value })) })
    await producer.disconnect()
    const admin = kafka('alice-secret').admin()
    await admin.connect()
    const offsets = await admin.fetchTopicOffsets('kafkajs-sasl')
    await admin.disconnect()
    expect(offsets).toEqual([expect.objectContaining({ partition: 0, low: '0', high: '3' })])
  })

  it('rejects a wrong password with the broker message', async () => {
    const admin = kafka('wrong').admin()
    await expect(admin.connect()).rejects.toThrow(/Authentication failed: Invalid username or password/)
    await admin.disconnect()
  })
})
