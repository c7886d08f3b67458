import path from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { makeTestCerts, opensslMissing, type TestCerts } from '../helpers/certs.js'
import { runCli, tempDir } from '../helpers/cli.js'
import { startTestServer, type TestServer } from '../helpers/server.js'
import { assertTool, kcatStatus, run, skipWithoutTool, type ToolStatus } from './helpers/tools.js'

// kcat (librdkafka) against SSL, SASL_PLAINTEXT + SCRAM and SASL_SSL + SCRAM listeners: librdkafka
// verifies the broker certificate and its host name (ssl.endpoint.identification.algorithm=https by
// default) and runs its own SCRAM client, so this checks both halves against a second implementation.

const kcat = kcatStatus()
const openssl: ToolStatus = { name: 'openssl', missing: opensslMissing() }
const skip = skipWithoutTool(kcat) || skipWithoutTool(openssl)

let dir: string
let cleanup: () => void
let certs: TestCerts
let dataDir: string

beforeAll(async () => {
  if (skip) return
  assertTool(kcat)
  assertTool(openssl)
  ;({ dir, cleanup } = tempDir('kafka-ts-interop-security-'))
  certs = makeTestCerts(path.join(dir, 'certs'))
  dataDir = path.join(dir, 'data')
  const config = path.join(dir, 'server.properties')
  await import('node:fs').then((fs) => fs.writeFileSync(config, `process.roles=broker,controller\nnode.id=1\nlog.dirs=${dataDir}\n`))
  const formatted = await runCli([
    'storage', 'format', '--standalone', '-t', 'MkU3OEVBNTcwNTJENDM2Qk', '-c', config,
    '--add-scram', 'SCRAM-SHA-256=[name=alice,password=alice-secret]',
    '--add-scram', 'SCRAM-SHA-512=[name=alice,password=alice-secret]',
  ])
  expect(formatted.code, formatted.stderr).toBe(0)
})
afterAll(() => cleanup?.())

const VALUES = ['secure-1', 'secure-2', 'secure-3']

async function withServer(props: Record<string, string>, body: (s: TestServer) => Promise<void>): Promise<void> {
  const server = await startTestServer({ dataDir, props: { 'num.partitions': '1', ...props } })
  try {
    await body(server)
  } finally {
    await server.stop()
  }
}

async function roundTrip(server: TestServer, topic: string, x: readonly string[]): Promise<void> {
  const p = await run('kcat', ['-b', server.bootstrap, ...x, '-P', '-t', topic], { input: VALUES.join('\n') + '\n', timeoutMs: 60_000 })
  expect(p.stderr).toBe('')
  expect(p.code).toBe(0)
  const c = await run('kcat', ['-b', server.bootstrap, ...x, '-C', '-t', topic, '-o', 'beginning', '-e'], { timeoutMs: 60_000 })
  expect(c.code, c.stderr).toBe(0)
  expect(c.stdout.toString().trim().split('\n')).toEqual(VALUES)
}

const xs = (...pairs: string[]) => pairs.flatMap((p) => ['-X', p])

describe.skipIf(skip)('kcat over TLS and SCRAM', () => {
  const keystore = () => ({ 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': certs.file('server-keystore.pem') })

  it('SSL: produces and consumes, trusting the test CA (host name checked)', async () => {
    await withServer({ listeners: 'SSL://127.0.0.1:0', ...keystore() }, async (server) => {
      await roundTrip(server, 'kcat-ssl', xs('security.protocol=ssl', `ssl.ca.location=${certs.file('ca.pem')}`))
    })
  })

  it('SSL: refuses a broker certificate from an untrusted CA', async () => {
    await withServer({ listeners: 'SSL://127.0.0.1:0', 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': certs.file('rogue-keystore.pem') }, async (server) => {
      const r = await run('kcat', ['-b', server.bootstrap, ...xs('security.protocol=ssl', `ssl.ca.location=${certs.file('ca.pem')}`), '-L', '-m', '5'], { timeoutMs: 60_000 })
      expect(r.code).not.toBe(0)
      expect(r.stderr).toMatch(/certificate verify failed|SSL handshake failed/)
    })
  })

  it('SSL with ssl.client.auth=required: kcat presents its certificate', async () => {
    const props = { listeners: 'SSL://127.0.0.1:0', ...keystore(), 'ssl.client.auth': 'required', 'ssl.truststore.type': 'PEM', 'ssl.truststore.location': certs.file('ca.pem') }
    await withServer(props, async (server) => {
      await roundTrip(
        server,
        'kcat-mtls',
        xs('security.protocol=ssl', `ssl.ca.location=${certs.file('ca.pem')}`, `ssl.certificate.location=${certs.file('client.pem')}`, `ssl.key.location=${certs.file('client.key')}`),
      )
    })
  })

  for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512']) {
    it(`SASL_PLAINTEXT ${mechanism}: produces and consumes; a wrong password gets Kafka's text`, async () => {
      await withServer({ listeners: 'SASL_PLAINTEXT://127.0.0.1:0', 'sasl.enabled.mechanisms': mechanism }, async (server) => {
        const sasl = (password: string) => xs('security.protocol=SASL_PLAINTEXT', `sasl.mechanisms=${mechanism}`, 'sasl.username=alice', `sasl.password=${password}`)
        await roundTrip(server, `kcat-${mechanism}`, sasl('alice-secret'))
        const r = await run('kcat', ['-b', server.bootstrap, ...sasl('wrong'), '-L', '-m', '5'], { timeoutMs: 60_000 })
        expect(r.code).not.toBe(0)
        expect(r.stderr).toContain(`Authentication failed during authentication due to invalid credentials with SASL mechanism ${mechanism}`)
      })
    })
  }

  it('SASL_SSL SCRAM-SHA-512: produces and consumes', async () => {
    await withServer({ listeners: 'SASL_SSL://127.0.0.1:0', 'sasl.enabled.mechanisms': 'SCRAM-SHA-512', ...keystore() }, async (server) => {
      await roundTrip(
        server,
        'kcat-sasl-ssl',
        xs('security.protocol=SASL_SSL', `ssl.ca.location=${certs.file('ca.pem')}`, 'sasl.mechanisms=SCRAM-SHA-512', 'sasl.username=alice', 'sasl.password=alice-secret'),
      )
    })
  })
})
