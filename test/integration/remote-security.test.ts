import fs from 'node:fs'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { KEY_PASSWORD, makeTestCerts, skipWithoutOpenssl, STORE_PASSWORD, type TestCerts } from '../helpers/certs.js'
import { runCli, tempDir } from '../helpers/cli.js'
import { startServerProcess, startTestServer, type TestServer } from '../helpers/server.js'

// Remote mode of our own CLI against our own broker with Kafka's client security properties:
// SSL (PEM truststore, PKCS12 and encrypted-PEM client keystores), SASL_SSL + SCRAM-SHA-512 and
// SASL_PLAINTEXT + PLAIN through --command-config (admin tools and the console tools); and the
// failures (bad password, untrusted certificate, host name mismatch) as one line and a non-zero exit.

const skipTls = skipWithoutOpenssl()
const SCRAM_JAAS = 'org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="alice-secret";'
const PLAIN_SERVER_JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret";'

let dir: string
let cleanup: () => void
let certs: TestCerts | undefined

beforeAll(() => {
  ;({ dir, cleanup } = tempDir('kafka-ts-remote-security-'))
  if (!skipTls) certs = makeTestCerts(path.join(dir, 'certs'))
})
afterAll(() => cleanup())

let fileCount = 0
/** A client properties file (Kafka's format). */
function properties(entries: Record<string, string>): string {
  const file = path.join(dir, `client-${++fileCount}.properties`)
  fs.writeFileSync(file, Object.entries(entries).map(([k, v]) => `${k}=${v.replace(/\\/g, '\\\\')}`).join('\n') + '\n')
  return file
}

const c = (): TestCerts => {
  if (!certs) throw new Error('no certificates')
  return certs
}
const keystore = (name = 'server-keystore.pem') => ({ 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': c().file(name) })
const trustCa = () => ({ 'ssl.truststore.type': 'PEM', 'ssl.truststore.location': c().file('ca.pem') })

async function withServer(props: Record<string, string>, body: (s: TestServer) => Promise<void>, dataDir?: string): Promise<void> {
  const server = await startTestServer({ props, ...(dataDir === undefined ? {} : { dataDir }) })
  try {
    await body(server)
  } finally {
    await server.stop()
  }
}

/** stderr as lines, without the data-directory notice. */
const errorLines = (stderr: string) => stderr.split('\n').filter((l) => l !== '')

describe.skipIf(skipTls)('remote mode over SSL', () => {
  it('topics --list with security.protocol=SSL and a PEM truststore, against server-start', async () => {
    const serverProps = path.join(dir, 'ssl-server.properties')
    fs.writeFileSync(serverProps, `listeners=SSL://127.0.0.1:0\nssl.keystore.type=PEM\nssl.keystore.location=${c().file('server-keystore.pem')}\n`)
    const { child, port } = await startServerProcess([serverProps, '--data-dir', path.join(dir, 'ssl-data')])
    try {
      const config = properties({ 'security.protocol': 'SSL', ...trustCa() })
      const created = await runCli(['topics', '--create', '--topic', 'over-tls', '--bootstrap-server', `127.0.0.1:${port}`, '--command-config', config])
      expect(created.stderr).toBe('')
      expect(created.out).toBe('Created topic over-tls.\n')
      const listed = await runCli(['topics', '--list', '--bootstrap-server', `127.0.0.1:${port}`, '--command-config', config])
      expect({ code: listed.code, out: listed.out, err: listed.stderr }).toEqual({ code: 0, out: 'over-tls\n', err: '' })
    } finally {
      child.kill('SIGTERM')
      await new Promise((resolve) => child.once('exit', resolve))
    }
  })

  it('refuses an untrusted server certificate with one TLS line naming the address', async () => {
    await withServer({ listeners: 'SSL://127.0.0.1:0', ...keystore('rogue-keystore.pem') }, async (server) => {
      const r = await runCli(['topics', '--list', '--bootstrap-server', server.bootstrap, '--command-config', properties({ 'security.protocol': 'SSL', ...trustCa() })])
      expect(r.code).toBe(1)
      expect(r.out).toBe('')
      const lines = errorLines(r.stderr)
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatch(/^TLS handshake with 127\.0\.0\.1:\d+ failed: the server certificate is not trusted \(.+\)/)
      expect(lines[0]).toContain(server.bootstrap)
    })
  })

  it('checks the host name by default and skips the check with ssl.endpoint.identification.algorithm= (empty)', async () => {
    await withServer({ listeners: 'SSL://127.0.0.1:0', ...keystore('other-host-keystore.pem') }, async (server) => {
      const checked = await runCli(['topics', '--list', '--bootstrap-server', server.bootstrap, '--command-config', properties({ 'security.protocol': 'SSL', ...trustCa() })])
      expect(checked.code).toBe(1)
      expect(errorLines(checked.stderr)).toEqual([expect.stringMatching(/^TLS handshake with 127\.0\.0\.1:\d+ failed: the server certificate is not for this host \(.+\)/)])
      const unchecked = await runCli([
        'topics', '--list', '--bootstrap-server', server.bootstrap,
        '--command-config', properties({ 'security.protocol': 'SSL', ...trustCa(), 'ssl.endpoint.identification.algorithm': '' }),
      ])
      expect({ code: unchecked.code, err: unchecked.stderr }).toEqual({ code: 0, err: '' })
    })
  })

  it('presents a client certificate from a PKCS12 or an encrypted PEM keystore (ssl.client.auth=required)', async () => {
    await withServer({ listeners: 'SSL://127.0.0.1:0', ...keystore(), 'ssl.client.auth': 'required', ...trustCa() }, async (server) => {
      const p12 = path.join(c().dir, 'client.p12')
      const { spawnSync } = await import('node:child_process')
      spawnSync('openssl', ['pkcs12', '-export', '-in', c().file('client.pem'), '-inkey', c().file('client.key'), '-out', p12, '-passout', `pass:${STORE_PASSWORD}`])
      const pkcs12 = properties({ 'security.protocol': 'SSL', ...trustCa(), 'ssl.keystore.type': 'PKCS12', 'ssl.keystore.location': p12, 'ssl.keystore.password': STORE_PASSWORD })
      const r1 = await runCli(['topics', '--list', '--bootstrap-server', server.bootstrap, '--command-config', pkcs12])
      expect({ code: r1.code, err: r1.stderr }).toEqual({ code: 0, err: '' })

      spawnSync('openssl', ['pkcs8', '-topk8', '-in', c().file('client.key'), '-out', path.join(c().dir, 'client-enc.key'), '-passout', `pass:${KEY_PASSWORD}`])
      fs.writeFileSync(path.join(c().dir, 'client-enc-keystore.pem'), c().read('client-enc.key') + c().read('client.pem'))
      const pem = properties({ 'security.protocol': 'SSL', ...trustCa(), 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': c().file('client-enc-keystore.pem'), 'ssl.key.password': KEY_PASSWORD })
      const r2 = await runCli(['topics', '--list', '--bootstrap-server', server.bootstrap, '--command-config', pem])
      expect({ code: r2.code, err: r2.stderr }).toEqual({ code: 0, err: '' })

      // Without a client certificate the broker ends the handshake.
      const none = await runCli(['topics', '--list', '--bootstrap-server', server.bootstrap, '--command-config', properties({ 'security.protocol': 'SSL', ...trustCa() })])
      expect(none.code).toBe(1)
      expect(errorLines(none.stderr)).toHaveLength(1)
    })
  })
})

describe.skipIf(skipTls)('remote mode over SASL_SSL with SCRAM-SHA-512', () => {
  it('creates and lists topics with sasl.jaas.config; a wrong password is one line and exit 1', async () => {
    const dataDir = path.join(dir, 'scram-data')
    const config = path.join(dir, 'scram-server.properties')
    fs.writeFileSync(config, `process.roles=broker,controller\nnode.id=1\nlog.dirs=${dataDir}\n`)
    const formatted = await runCli(['storage', 'format', '--standalone', '-t', 'MkU3OEVBNTcwNTJENDM2Qk', '-c', config, '--add-scram', 'SCRAM-SHA-512=[name=alice,password=alice-secret]'])
    expect(formatted.code, formatted.stderr).toBe(0)
    const props = { listeners: 'SASL_SSL://127.0.0.1:0', 'sasl.enabled.mechanisms': 'SCRAM-SHA-512', ...keystore() }
    await withServer(
      props,
      async (server) => {
        const client = (password: string) =>
          properties({
            'security.protocol': 'SASL_SSL',
            'sasl.mechanism': 'SCRAM-SHA-512',
            'sasl.jaas.config': SCRAM_JAAS.replace('alice-secret', password),
            ...trustCa(),
          })
        const created = await runCli(['topics', '--create', '--topic', 'scram-topic', '--bootstrap-server', server.bootstrap, '--command-config', client('alice-secret')])
        expect({ code: created.code, err: created.stderr }).toEqual({ code: 0, err: '' })
        const listed = await runCli(['topics', '--list', '--bootstrap-server', server.bootstrap, '--command-config', client('alice-secret')])
        expect(listed.out).toBe('scram-topic\n')

        const refused = await runCli(['topics', '--list', '--bootstrap-server', server.bootstrap, '--command-config', client('wrong')])
        expect(refused.code).toBe(1)
        expect(errorLines(refused.stderr)).toEqual([
          `Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512 (bootstrap servers: ${server.bootstrap})`,
        ])
      },
      dataDir,
    )
  })
})

describe('remote mode over SASL_PLAINTEXT with PLAIN: console-producer and console-consumer', () => {
  const props = { listeners: 'SASL_PLAINTEXT://127.0.0.1:0', 'sasl.enabled.mechanisms': 'PLAIN', 'listener.name.sasl_plaintext.plain.sasl.jaas.config': PLAIN_SERVER_JAAS, 'num.partitions': '1' }
  const client = (password: string) =>
    properties({
      'security.protocol': 'SASL_PLAINTEXT',
      'sasl.mechanism': 'PLAIN',
      'sasl.jaas.config': `org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="${password}";`,
    })

  it('produces and consumes with --command-config', async () => {
    await withServer(props, async (server) => {
      const produced = await runCli(['console-producer', '--bootstrap-server', server.bootstrap, '--topic', 'sasl-lines', '--command-config', client('alice-secret')], { input: 'one\ntwo\nthree\n' })
      expect({ code: produced.code, err: produced.stderr }).toEqual({ code: 0, err: '' })
      const consumed = await runCli([
        'console-consumer', '--bootstrap-server', server.bootstrap, '--topic', 'sasl-lines', '--from-beginning', '--max-messages', '3',
        '--command-config', client('alice-secret'),
      ])
      expect(consumed.out).toBe('one\ntwo\nthree\n')
      expect(consumed.code).toBe(0)
    })
  })

  it('refuses a wrong password in one line with the broker message, for both tools', async () => {
    await withServer(props, async (server) => {
      const expected = `Authentication failed: Invalid username or password (bootstrap servers: ${server.bootstrap})`
      const produced = await runCli(['console-producer', '--bootstrap-server', server.bootstrap, '--topic', 'nope', '--command-config', client('wrong')], { input: 'x\n' })
      expect(produced.code).not.toBe(0)
      expect(errorLines(produced.stderr)).toEqual([expected])
      const consumed = await runCli(['console-consumer', '--bootstrap-server', server.bootstrap, '--topic', 'nope', '--command-config', client('wrong'), '--timeout-ms', '5000'])
      expect(consumed.code).not.toBe(0)
      expect(errorLines(consumed.stderr)).toEqual([expected])
      expect(server.broker.findTopic('nope')).toBeUndefined()
    })
  })
})
