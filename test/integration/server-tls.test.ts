import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import type tls from 'node:tls'

import { Admin } from '@platformatic/kafka'
import { Kafka, logLevel } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { ApiKey } from '../../src/protocol/api-keys.js'
import { decodeMetadataResponse, encodeMetadataRequest } from '../../src/protocol/messages/metadata.js'
import { KEY_PASSWORD, makeTestCerts, skipWithoutOpenssl, STORE_PASSWORD, type TestCerts } from '../helpers/certs.js'
import { runCli, tempDir } from '../helpers/cli.js'
import { RawConnection } from '../helpers/raw-client.js'
import { startServerProcess, startTestServer, type TestServer } from '../helpers/server.js'

// SSL listeners (and SASL_SSL with PLAIN; SCRAM over TLS is in server-scram.test.ts) served from Kafka's
// broker properties, checked with kafkajs, @platformatic/kafka and raw TLS sockets; bad key material
// must stop start-up with an error naming the property.

const skip = skipWithoutOpenssl()
let certs: TestCerts
let cleanup: () => void

beforeAll(() => {
  if (skip) return
  const t = tempDir('kafka-ts-tls-')
  cleanup = t.cleanup
  certs = makeTestCerts(path.join(t.dir, 'certs'))
})
afterAll(() => cleanup?.())

const sslListener = (props: Record<string, string>) => ({ listeners: 'SSL://127.0.0.1:0', 'num.partitions': '1', ...props })
const pemKeystore = () => ({ 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': certs.file('server-keystore.pem') })

/** Metadata over a raw TLS connection: the broker count (1) when the listener served us. */
async function metadataOverTls(port: number, options: tls.ConnectionOptions): Promise<number> {
  const c = await RawConnection.open(port, { tls: options })
  try {
    const res = await c.request(ApiKey.Metadata, 1, (w, v) => encodeMetadataRequest(w, v, { topics: [] }), decodeMetadataResponse)
    return res.brokers.length
  } finally {
    c.close()
  }
}

async function withServer(props: Record<string, string>, body: (s: TestServer) => Promise<void>): Promise<void> {
  const server = await startTestServer({ props })
  try {
    await body(server)
  } finally {
    await server.stop()
  }
}

describe.skipIf(skip)('SSL listener keystores', () => {
  it('serves TLS from a PEM keystore file (key + chain); kafkajs produces and reads offsets', async () => {
    await withServer(sslListener(pemKeystore()), async (server) => {
      const kafka = new Kafka({ brokers: [server.bootstrap], ssl: { ca: [certs.read('ca.pem')] }, logLevel: logLevel.NOTHING, retry: { retries: 0 } })
      const producer = kafka.producer()
      await producer.connect()
      await producer.send({ topic: 'tls-kafkajs', messages: [{ value: 'a' }, { value: 'b' }] })
      await producer.disconnect()
      const admin = kafka.admin()
      await admin.connect()
      expect(await admin.fetchTopicOffsets('tls-kafkajs')).toEqual([expect.objectContaining({ partition: 0, high: '2' })])
      await admin.disconnect()
    })
  })

  it('serves @platformatic/kafka over TLS', async () => {
    await withServer(sslListener(pemKeystore()), async (server) => {
      const admin = new Admin({ clientId: 't', bootstrapBrokers: [server.bootstrap], tls: { ca: certs.read('ca.pem') }, retries: 0 })
      try {
        await admin.createTopics({ topics: ['tls-platformatic'], partitions: 2, replicas: 1 })
        expect(await admin.listTopics()).toContain('tls-platformatic')
      } finally {
        await admin.close()
      }
    })
  })

  it('reads inline ssl.keystore.certificate.chain + an encrypted ssl.keystore.key with ssl.key.password', async () => {
    const props = sslListener({
      'ssl.keystore.type': 'PEM',
      // Kafka's docs show inline PEM values on one line: line breaks are optional.
      'ssl.keystore.certificate.chain': certs.read('server.pem').replace(/\n/g, ' '),
      'ssl.keystore.key': certs.read('server-enc.key'),
      'ssl.key.password': KEY_PASSWORD,
    })
    await withServer(props, async (server) => {
      expect(await metadataOverTls(server.port, { ca: certs.read('ca.pem') })).toBe(1)
    })
  })

  it('reads a PKCS12 keystore with ssl.keystore.password, under listener.name.<l>. prefixes', async () => {
    const props = sslListener({
      // Unprefixed values that would not work: the listener-prefixed ones win, as in Kafka.
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.location': '/nonexistent.pem',
      'listener.name.ssl.ssl.keystore.type': 'PKCS12',
      'listener.name.ssl.ssl.keystore.location': certs.file('server.p12'),
      'listener.name.ssl.ssl.keystore.password': STORE_PASSWORD,
    })
    await withServer(props, async (server) => {
      expect(await metadataOverTls(server.port, { ca: certs.read('ca.pem') })).toBe(1)
    })
  })

  it('stops promptly while a client sits in its TLS handshake', async () => {
    const server = await startTestServer({ props: sslListener(pemKeystore()) })
    const idle = net.connect({ port: server.port, host: '127.0.0.1' })
    idle.on('error', () => undefined)
    await new Promise((resolve) => idle.once('connect', resolve))
    const started = Date.now()
    await server.stop()
    // A hang bound, not a timing check: Node's handshake timeout is 120 s.
    expect(Date.now() - started).toBeLessThan(10_000)
    idle.destroy()
  })

  it('refuses a plaintext client (the TLS handshake fails and is logged)', async () => {
    await withServer(sslListener(pemKeystore()), async (server) => {
      const c = await RawConnection.open(server.port)
      await expect(c.request(ApiKey.Metadata, 1, (w, v) => encodeMetadataRequest(w, v, { topics: [] }), decodeMetadataResponse)).rejects.toThrow()
      await expect.poll(() => server.logs.some((l) => /Failed authentication with \/127\.0\.0\.1 \(SSL handshake failed/.test(l))).toBe(true)
    })
  })
})

describe.skipIf(skip)('ssl.client.auth', () => {
  const withTruststore = (clientAuth: string) =>
    sslListener({ ...pemKeystore(), 'ssl.client.auth': clientAuth, 'ssl.truststore.type': 'PEM', 'ssl.truststore.location': certs.file('ca.pem') })

  it('required: a client certificate from the truststore is accepted, none is refused', async () => {
    await withServer(withTruststore('required'), async (server) => {
      expect(await metadataOverTls(server.port, { ca: certs.read('ca.pem'), cert: certs.read('client.pem'), key: certs.read('client.key') })).toBe(1)
      await expect(metadataOverTls(server.port, { ca: certs.read('ca.pem') })).rejects.toThrow()
      // kafkajs with a client certificate (Kafka's mutual TLS set-up).
      const kafka = new Kafka({
        brokers: [server.bootstrap],
        ssl: { ca: [certs.read('ca.pem')], cert: certs.read('client.pem'), key: certs.read('client.key') },
        logLevel: logLevel.NOTHING,
        retry: { retries: 0 },
      })
      const admin = kafka.admin()
      await admin.connect()
      expect(await admin.listTopics()).toEqual([])
      await admin.disconnect()
    })
  })

  it('required: a certificate from another CA is refused', async () => {
    await withServer(withTruststore('required'), async (server) => {
      await expect(metadataOverTls(server.port, { ca: certs.read('ca.pem'), cert: certs.read('rogue-server.pem'), key: certs.read('rogue-server.key') })).rejects.toThrow()
    })
  })

  it('requested: no certificate is fine, an untrusted one is not', async () => {
    await withServer(withTruststore('requested'), async (server) => {
      expect(await metadataOverTls(server.port, { ca: certs.read('ca.pem') })).toBe(1)
      expect(await metadataOverTls(server.port, { ca: certs.read('ca.pem'), cert: certs.read('client.pem'), key: certs.read('client.key') })).toBe(1)
      await expect(metadataOverTls(server.port, { ca: certs.read('ca.pem'), cert: certs.read('rogue-server.pem'), key: certs.read('rogue-server.key') })).rejects.toThrow()
    })
  })
})

describe.skipIf(skip)('SASL_SSL with PLAIN', () => {
  it('authenticates inside TLS (kafkajs)', async () => {
    const props = {
      listeners: 'SASL_SSL://127.0.0.1:0',
      'sasl.enabled.mechanisms': 'PLAIN',
      'listener.name.sasl_ssl.plain.sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret";',
      ...pemKeystore(),
    }
    await withServer(props, async (server) => {
      const kafka = (password: string) =>
        new Kafka({ brokers: [server.bootstrap], ssl: { ca: [certs.read('ca.pem')] }, sasl: { mechanism: 'plain', username: 'alice', password }, logLevel: logLevel.NOTHING, retry: { retries: 0 } })
      const admin = kafka('alice-secret').admin()
      await admin.connect()
      expect(await admin.listTopics()).toEqual([])
      await admin.disconnect()
      const bad = kafka('wrong').admin()
      await expect(bad.connect()).rejects.toThrow(/Authentication failed: Invalid username or password/)
      await bad.disconnect()
    })
  })
})

describe.skipIf(skip)('start-up errors name the property', () => {
  it.each([
    ['a missing keystore file', () => ({ 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': '/nonexistent/keystore.pem' }), /Failed to load SSL keystore \/nonexistent\/keystore\.pem of type PEM \(ssl\.keystore\.location\): ENOENT/],
    ['no keystore at all', () => ({}), /Listener SSL: an SSL listener needs a keystore/],
    ['a PEM keystore without a key', () => ({ 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': certs.file('server.pem') }), /ssl\.keystore\.location: expected one PEM private key, found 0/],
    [
      'an encrypted key without ssl.key.password',
      () => ({ 'ssl.keystore.type': 'PEM', 'ssl.keystore.certificate.chain': certs.read('server.pem'), 'ssl.keystore.key': certs.read('server-enc.key') }),
      /ssl\.keystore\.key: the private key is encrypted and ssl\.key\.password is not set/,
    ],
    [
      'a wrong ssl.key.password',
      () => ({ 'ssl.keystore.type': 'PEM', 'ssl.keystore.certificate.chain': certs.read('server.pem'), 'ssl.keystore.key': certs.read('server-enc.key'), 'ssl.key.password': 'nope' }),
      /ssl\.keystore\.key: cannot read the private key with ssl\.key\.password/,
    ],
    [
      'a wrong PKCS12 password',
      () => ({ 'ssl.keystore.type': 'PKCS12', 'ssl.keystore.location': certs.file('server.p12'), 'ssl.keystore.password': 'nope' }),
      /Invalid SSL keystore \(ssl\.keystore\.location\)/,
    ],
    ['a PEM keystore with ssl.keystore.password', () => ({ ...pemKeystore(), 'ssl.keystore.password': 'x' }), /SSL key store password cannot be specified with PEM format/],
    ['a JKS truststore', () => ({ ...pemKeystore(), 'ssl.truststore.location': certs.file('ca.pem') }), /ssl\.truststore\.type JKS \(the default\) is not supported by kafka-ts/],
    ['a bad ssl.client.auth', () => ({ ...pemKeystore(), 'listener.name.ssl.ssl.client.auth': 'maybe' }), /Invalid value maybe for configuration listener\.name\.ssl\.ssl\.client\.auth/],
  ])('%s', async (_name, props, message) => {
    await expect(startTestServer({ props: sslListener(props()) })).rejects.toThrow(message)
  })

  it('refuses a key that does not belong to the certificate', async () => {
    const mixed = certs.file('mixed-keystore.pem')
    fs.writeFileSync(mixed, certs.read('other-host.key') + certs.read('server.pem'))
    await expect(startTestServer({ props: sslListener({ 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': mixed }) })).rejects.toThrow(
      /Listener SSL: Invalid SSL keystore \(ssl\.keystore\.location\): .*key values mismatch/,
    )
  })

  it('refuses a real JKS keystore (Kafka default type) with a clear error', async () => {
    const jks = certs.file('fake.jks')
    fs.writeFileSync(jks, Buffer.from([0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2]))
    await expect(startTestServer({ props: sslListener({ 'ssl.keystore.location': jks }) })).rejects.toThrow(
      /is a JKS keystore \(ssl\.keystore\.type defaults to JKS\); kafka-ts cannot read JKS\. Convert it to PKCS12/,
    )
  })

  it('server-start prints one line naming the property and exits 1', async () => {
    const { dir, cleanup: done } = tempDir('kafka-ts-tls-start-')
    try {
      const r = await runCli(['server-start', '--data-dir', dir, '--override', 'listeners=SSL://127.0.0.1:0', '--override', 'ssl.keystore.type=PEM', '--override', 'ssl.keystore.location=/nonexistent/k.pem'])
      expect(r.code).toBe(1)
      expect(r.stderr.trim().split('\n').filter((l) => !l.startsWith('Initialised'))).toEqual([
        'Listener SSL: Failed to load SSL keystore /nonexistent/k.pem of type PEM (ssl.keystore.location): ENOENT',
      ])
    } finally {
      done()
    }
  })

  it('server-start serves an SSL listener from a server.properties file', async () => {
    const { dir, cleanup: done } = tempDir('kafka-ts-tls-start-')
    const props = path.join(dir, 'server.properties')
    fs.writeFileSync(props, `listeners=SSL://127.0.0.1:0\nssl.keystore.type=PEM\nssl.keystore.location=${certs.file('server-keystore.pem')}\n`)
    const { child, port } = await startServerProcess([props, '--data-dir', path.join(dir, 'data')])
    try {
      expect(await metadataOverTls(port, { ca: certs.read('ca.pem') })).toBe(1)
    } finally {
      child.kill('SIGTERM')
      await new Promise((resolve) => child.once('exit', resolve))
      done()
    }
  })
})
