import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { randomBytes } from 'node:crypto'

import { Kafka, logLevel, type SASLOptions } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { digest, hmac, saltedPassword, SCRAM_MECHANISM, type ScramMechanismName } from '../../src/broker/scram-credentials.js'
import { ApiKey } from '../../src/protocol/api-keys.js'
import { decodeSaslAuthenticateResponse, encodeSaslAuthenticateRequest } from '../../src/protocol/messages/sasl-authenticate.js'
import { decodeSaslHandshakeResponse, encodeSaslHandshakeRequest } from '../../src/protocol/messages/sasl-handshake.js'
import { requestFrame } from '../../src/protocol/request-header.js'
import { makeTestCerts, skipWithoutOpenssl } from '../helpers/certs.js'
import { runCli, tempDir } from '../helpers/cli.js'
import { RawConnection } from '../helpers/raw-client.js'
import { startTestServer, type TestServer } from '../helpers/server.js'

// SCRAM-SHA-256/512 listeners over credentials stored by `kafka-ts storage format --add-scram` (a real
// CLI run), checked with kafkajs and with raw SaslHandshake v0/v1 exchanges; PLAIN keeps working on
// the same listener; wrong passwords get Kafka's SASL_AUTHENTICATION_FAILED text.

const PLAIN_JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required user_carol="carol-secret";'
const failed = (m: string) => `Authentication failed during authentication due to invalid credentials with SASL mechanism ${m}`

let dir: string
let cleanup: () => void
let dataDir: string

/** Formats a data directory with SCRAM users through the CLI, as Kafka's quickstart does. */
async function formatWithScram(target: string, scram: readonly string[]): Promise<void> {
  const config = path.join(path.dirname(target), `${path.basename(target)}.properties`)
  fs.writeFileSync(config, `process.roles=broker,controller\nnode.id=1\nlog.dirs=${target}\n`)
  const clusterId = (await runCli(['storage', 'random-uuid'])).out.trim()
  const r = await runCli(['storage', 'format', '--standalone', '-t', clusterId, '-c', config, ...scram.flatMap((s) => ['--add-scram', s])])
  expect(r.stderr).toBe('')
  expect(r.code).toBe(0)
}

beforeAll(async () => {
  ;({ dir, cleanup } = tempDir('kafka-ts-scram-'))
  dataDir = path.join(dir, 'data')
  await formatWithScram(dataDir, [
    'SCRAM-SHA-256=[name=alice,password=alice-secret]',
    'SCRAM-SHA-512=[name=alice,password=alice-secret,iterations=8192]',
    'SCRAM-SHA-512=[name=bob,password="bob-secret"]',
  ])
})
afterAll(() => cleanup())

const kafkajs = (bootstrap: string, sasl: SASLOptions, ssl?: { ca: string[] }) =>
  new Kafka({ clientId: 'scram-test', brokers: [bootstrap], sasl, ...(ssl ? { ssl } : {}), logLevel: logLevel.NOTHING, retry: { retries: 0 } })

describe('storage format --add-scram', () => {
  it('stores salted credentials only: the password is nowhere in the data directory', () => {
    for (const f of fs.readdirSync(dataDir)) {
      const bytes = fs.readFileSync(path.join(dataDir, f))
      expect(bytes.includes(Buffer.from('alice-secret')), f).toBe(false)
      expect(bytes.includes(Buffer.from('bob-secret')), f).toBe(false)
    }
  })

  it('refuses a bad --add-scram argument with Kafka text before writing anything', async () => {
    const target = path.join(dir, 'refused')
    const config = path.join(dir, 'refused.properties')
    fs.writeFileSync(config, `process.roles=broker,controller\nnode.id=1\nlog.dirs=${target}\n`)
    const r = await runCli(['storage', 'format', '--standalone', '-t', 'MkU3OEVBNTcwNTJENDM2Qk', '-c', config, '--add-scram', 'SCRAM-SHA-256=[name=alice,password=x,iterations=100]'])
    expect(r.code).toBe(1)
    expect(r.stderr.trim()).toBe("The 'iterations' value must be >= 4096 for add-scram using SCRAM-SHA-256")
    expect(fs.existsSync(target)).toBe(false)
  })
})

describe('SASL_PLAINTEXT listener with SCRAM-SHA-256, SCRAM-SHA-512 and PLAIN', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer({
      dataDir,
      props: {
        listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
        'num.partitions': '1',
        'listener.name.sasl_plaintext.sasl.enabled.mechanisms': 'SCRAM-SHA-256,SCRAM-SHA-512,PLAIN',
        'listener.name.sasl_plaintext.plain.sasl.jaas.config': PLAIN_JAAS,
      },
    })
  })
  afterAll(async () => server.stop())

  it('reports the enabled mechanisms in configured order', async () => {
    const c = await RawConnection.open(server.port)
    const res = await c.request(ApiKey.SaslHandshake, 1, (w, v) => encodeSaslHandshakeRequest(w, v, { mechanism: 'GSSAPI' }), decodeSaslHandshakeResponse)
    expect(res).toEqual({ errorCode: 33, mechanisms: ['SCRAM-SHA-256', 'SCRAM-SHA-512', 'PLAIN'] })
  })

  it.each([
    ['scram-sha-256', 'alice', 'alice-secret'],
    ['scram-sha-512', 'alice', 'alice-secret'],
    ['scram-sha-512', 'bob', 'bob-secret'],
    ['plain', 'carol', 'carol-secret'],
  ] as const)('kafkajs %s as %s produces and reads back', async (mechanism, username, password) => {
    const kafka = kafkajs(server.bootstrap, { mechanism, username, password })
    const topic = `scram-${mechanism}-${username}`
    const producer = kafka.producer()
    await producer.connect()
    await producer.send({ topic, messages: [{ value: 'one' }, { value: 'two' }] })
    await producer.disconnect()
    const admin = kafka.admin()
    await admin.connect()
    expect(await admin.fetchTopicOffsets(topic)).toEqual([expect.objectContaining({ partition: 0, high: '2' })])
    await admin.disconnect()
  })

  it.each([
    ['a wrong password', 'scram-sha-256', 'alice', 'wrong', 'SCRAM-SHA-256', 'Invalid client credentials'],
    ['an unknown user', 'scram-sha-256', 'mallory', 'alice-secret', 'SCRAM-SHA-256', 'Authentication failed: Invalid user credentials'],
    ['a mechanism the user has no credential for', 'scram-sha-256', 'bob', 'bob-secret', 'SCRAM-SHA-256', 'Authentication failed: Invalid user credentials'],
    ['a wrong password (SHA-512)', 'scram-sha-512', 'bob', 'alice-secret', 'SCRAM-SHA-512', 'Invalid client credentials'],
  ] as const)('refuses %s with SASL_AUTHENTICATION_FAILED and Kafka text', async (_name, mechanism, username, password, saslName, reason) => {
    const admin = kafkajs(server.bootstrap, { mechanism, username, password }).admin()
    await expect(admin.connect()).rejects.toThrow(failed(saslName))
    await admin.disconnect()
    await expect.poll(() => server.logs.some((l) => l.includes(`Failed authentication with /127.0.0.1 (${failed(saslName)}: ${reason})`))).toBe(true)
  })

  it('runs SCRAM over SaslHandshake v1 + SaslAuthenticate, answering 58 after a bad proof and closing', async () => {
    const c = await RawConnection.open(server.port)
    await c.request(ApiKey.SaslHandshake, 1, (w, v) => encodeSaslHandshakeRequest(w, v, { mechanism: 'SCRAM-SHA-256' }), decodeSaslHandshakeResponse)
    const client = scramClient('SCRAM-SHA-256', 'alice', 'wrong')
    const auth = (authBytes: Buffer) => c.request(ApiKey.SaslAuthenticate, 2, (w, v) => encodeSaslAuthenticateRequest(w, v, { authBytes }), decodeSaslAuthenticateResponse)
    const first = await auth(client.first())
    expect(first.errorCode).toBe(0)
    expect(first.authBytes.toString()).toMatch(/^r=[!-+--~]+,s=[A-Za-z0-9+/=]+,i=4096$/)
    const final = await auth(client.final(first.authBytes))
    expect(final).toMatchObject({ errorCode: 58, errorMessage: failed('SCRAM-SHA-256') })
    await c.waitClosed()
  })

  it('runs SCRAM over SaslHandshake v0 with bare token frames (kafka-python style) and checks the server signature', async () => {
    const s = await frames(server.port)
    s.write(Buffer.concat(requestFrame({ apiKey: 17, apiVersion: 0, correlationId: 1, clientId: 'kp' }, (w) => encodeSaslHandshakeRequest(w, 0, { mechanism: 'SCRAM-SHA-512' }))))
    await s.read()
    const client = scramClient('SCRAM-SHA-512', 'alice', 'alice-secret')
    s.write(sized(client.first()))
    const serverFirst = await s.read()
    expect(serverFirst.toString()).toContain(',i=8192')
    s.write(sized(client.final(serverFirst)))
    const serverFinal = await s.read()
    expect(serverFinal.toString()).toBe(`v=${client.expectedServerSignature().toString('base64')}`)
    s.end()
  })
})

describe('SCRAM configuration', () => {
  it('a SCRAM-only listener needs no JAAS entry', async () => {
    const server = await startTestServer({ dataDir: path.join(dir, 'no-jaas'), props: { listeners: 'SASL_PLAINTEXT://127.0.0.1:0', 'sasl.enabled.mechanisms': 'SCRAM-SHA-512' } })
    try {
      const admin = kafkajs(server.bootstrap, { mechanism: 'scram-sha-512', username: 'nobody', password: 'x' }).admin()
      // The directory has no users: every login fails, but the listener runs.
      await expect(admin.connect()).rejects.toThrow(failed('SCRAM-SHA-512'))
      await admin.disconnect()
    } finally {
      await server.stop()
    }
  })
})

const skipTls = skipWithoutOpenssl()
describe.skipIf(skipTls)('SASL_SSL listener with SCRAM-SHA-512', () => {
  it('authenticates inside TLS (kafkajs) and refuses a wrong password', async () => {
    const certs = makeTestCerts(path.join(dir, 'certs'))
    const server = await startTestServer({
      dataDir,
      props: {
        listeners: 'SASL_SSL://127.0.0.1:0',
        'listener.name.sasl_ssl.sasl.enabled.mechanisms': 'SCRAM-SHA-512',
        'listener.name.sasl_ssl.ssl.keystore.type': 'PEM',
        'listener.name.sasl_ssl.ssl.keystore.location': certs.file('server-keystore.pem'),
      },
    })
    try {
      const ssl = { ca: [certs.read('ca.pem')] }
      const admin = kafkajs(server.bootstrap, { mechanism: 'scram-sha-512', username: 'alice', password: 'alice-secret' }, ssl).admin()
      await admin.connect()
      await admin.createTopics({ topics: [{ topic: 'sasl-ssl-scram' }] })
      expect(await admin.listTopics()).toContain('sasl-ssl-scram')
      await admin.disconnect()
      const bad = kafkajs(server.bootstrap, { mechanism: 'scram-sha-512', username: 'alice', password: 'nope' }, ssl).admin()
      await expect(bad.connect()).rejects.toThrow(failed('SCRAM-SHA-512'))
      await bad.disconnect()
    } finally {
      await server.stop()
    }
  })
})

/** The client half of SCRAM (RFC 5802), for the raw exchanges above. */
function scramClient(name: ScramMechanismName, user: string, password: string) {
  const mechanism = SCRAM_MECHANISM[name]
  const nonce = randomBytes(12).toString('base64url')
  const bare = `n=${user},r=${nonce}`
  let authMessage = ''
  let salted: Buffer = Buffer.alloc(0)
  return {
    first: () => Buffer.from(`n,,${bare}`),
    final(serverFirst: Buffer): Buffer {
      const text = serverFirst.toString()
      const fields = new Map(text.split(',').map((p) => [p.slice(0, 1), p.slice(2)]))
      salted = saltedPassword(mechanism, password, Buffer.from(fields.get('s') ?? '', 'base64'), Number(fields.get('i')))
      const withoutProof = `c=biws,r=${fields.get('r') ?? ''}`
      authMessage = `${bare},${text},${withoutProof}`
      const clientKey = hmac(mechanism, salted, 'Client Key')
      const signature = hmac(mechanism, digest(mechanism, clientKey), authMessage)
      const proof = Buffer.from(clientKey.map((b, i) => b ^ (signature[i] ?? 0)))
      return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`)
    },
    expectedServerSignature: () => hmac(mechanism, hmac(mechanism, salted, 'Server Key'), authMessage),
  }
}

function sized(b: Buffer): Buffer {
  const size = Buffer.alloc(4)
  size.writeInt32BE(b.length)
  return Buffer.concat([size, b])
}

/** A socket reading whole size-prefixed frames, returning their bodies. */
async function frames(port: number) {
  const socket = net.connect({ port, host: '127.0.0.1' })
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject))
  let buf = Buffer.alloc(0)
  const waiters: (() => void)[] = []
  socket.on('data', (c: Buffer) => {
    buf = Buffer.concat([buf, c])
    waiters.splice(0).forEach((w) => w())
  })
  socket.on('close', () => waiters.splice(0).forEach((w) => w()))
  return {
    write: (b: Buffer) => socket.write(b),
    end: () => socket.end(),
    async read(): Promise<Buffer> {
      for (;;) {
        if (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
          const body = buf.subarray(4, 4 + buf.readInt32BE(0))
          buf = buf.subarray(4 + body.length)
          return body
        }
        if (socket.destroyed) throw new Error('closed')
        await new Promise<void>((resolve) => waiters.push(resolve))
      }
    },
  }
}
