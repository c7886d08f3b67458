import net from 'node:net'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { ApiKey } from '../../src/protocol/api-keys.js'
import { decodeApiVersionsResponse, encodeApiVersionsRequest } from '../../src/protocol/messages/api-versions.js'
import { decodeMetadataResponse, encodeMetadataRequest } from '../../src/protocol/messages/metadata.js'
import { decodeSaslAuthenticateResponse, encodeSaslAuthenticateRequest } from '../../src/protocol/messages/sasl-authenticate.js'
import { decodeSaslHandshakeResponse, encodeSaslHandshakeRequest } from '../../src/protocol/messages/sasl-handshake.js'
import { requestFrame } from '../../src/protocol/request-header.js'
import { parseJaasConfig } from '../../src/util/jaas-config.js'
import { ConnectionClosedError, RawConnection } from '../helpers/raw-client.js'
import { startTestServer, type TestServer } from '../helpers/server.js'

const JAAS =
  'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" user_admin="admin-secret" user_alice="alice-secret";'

const SASL_PROPS = {
  listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
  'sasl.enabled.mechanisms': 'PLAIN',
  'listener.name.sasl_plaintext.plain.sasl.jaas.config': JAAS,
}

const token = (authzid: string, user: string, password: string) => Buffer.from(`${authzid}\u0000${user}\u0000${password}`, 'utf8')

const handshake = (c: RawConnection, version: number, mechanism: string) =>
  c.request(ApiKey.SaslHandshake, version, (w, v) => encodeSaslHandshakeRequest(w, v, { mechanism }), decodeSaslHandshakeResponse)
const authenticate = (c: RawConnection, version: number, authBytes: Buffer) =>
  c.request(ApiKey.SaslAuthenticate, version, (w, v) => encodeSaslAuthenticateRequest(w, v, { authBytes }), decodeSaslAuthenticateResponse)
const metadata = (c: RawConnection) =>
  c.request(ApiKey.Metadata, 1, (w, v) => encodeMetadataRequest(w, v, { topics: [] }), decodeMetadataResponse)

describe('SASL_PLAINTEXT listener with PLAIN', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer({ props: SASL_PROPS })
  })
  afterAll(async () => server.stop())

  it('advertises SaslHandshake v0-1 and SaslAuthenticate v0-2 and answers ApiVersions before authentication', async () => {
    const c = await RawConnection.open(server.port)
    const res = await c.request(ApiKey.ApiVersions, 3, (w, v) => encodeApiVersionsRequest(w, v, { clientSoftwareName: 't', clientSoftwareVersion: '1' }), decodeApiVersionsResponse)
    expect(res.apiKeys.find((k) => k.apiKey === 17)).toMatchObject({ minVersion: 0, maxVersion: 1 })
    expect(res.apiKeys.find((k) => k.apiKey === 36)).toMatchObject({ minVersion: 0, maxVersion: 2 })
    c.close()
  })

  it.each([0, 1, 2])('authenticates with SaslHandshake v1 + SaslAuthenticate v%i, then serves requests', async (v) => {
    const c = await RawConnection.open(server.port)
    expect(await handshake(c, 1, 'PLAIN')).toEqual({ errorCode: 0, mechanisms: ['PLAIN'] })
    const res = await authenticate(c, v, token('', 'alice', 'alice-secret'))
    expect(res).toEqual({ errorCode: 0, errorMessage: null, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0 })
    expect((await metadata(c)).brokers).toHaveLength(1)
    // Authenticated: Kafka's KafkaApis answers both SASL APIs with ILLEGAL_SASL_STATE (34).
    expect(await handshake(c, 1, 'PLAIN')).toEqual({ errorCode: 34, mechanisms: [] })
    expect((await authenticate(c, 1, token('', 'alice', 'alice-secret'))).errorCode).toBe(34)
    c.close()
  })

  it('rejects a wrong password with SASL_AUTHENTICATION_FAILED and Kafka message, then closes', async () => {
    const c = await RawConnection.open(server.port)
    await handshake(c, 1, 'PLAIN')
    const res = await authenticate(c, 1, token('', 'alice', 'wrong'))
    expect(res.errorCode).toBe(58)
    expect(res.errorMessage).toBe('Authentication failed: Invalid username or password')
    await c.waitClosed()
    expect(server.logs.some((l) => l.includes('Failed authentication with /127.0.0.1 (Authentication failed: Invalid username or password)'))).toBe(true)
  })

  it.each([
    ['unknown user', token('', 'mallory', 'alice-secret'), 'Authentication failed: Invalid username or password'],
    ['authzid differs', token('admin', 'alice', 'alice-secret'), 'Authentication failed: Client requested an authorization id that is different from username'],
    ['no NULs', Buffer.from('alice'), 'Invalid SASL/PLAIN response: expected 3 tokens, got 1'],
    ['empty password', token('', 'alice', ''), 'Authentication failed: password not specified'],
  ])('fails PLAIN for %s', async (_name, bytes, message) => {
    const c = await RawConnection.open(server.port)
    await handshake(c, 1, 'PLAIN')
    const res = await authenticate(c, 2, bytes)
    expect(res).toMatchObject({ errorCode: 58, errorMessage: message })
    await c.waitClosed()
  })

  it('answers an unsupported mechanism with 33 and the enabled list, then closes', async () => {
    const c = await RawConnection.open(server.port)
    expect(await handshake(c, 1, 'SCRAM-SHA-256')).toEqual({ errorCode: 33, mechanisms: ['PLAIN'] })
    await c.waitClosed()
  })

  it('closes the connection on any other request before authentication (logged)', async () => {
    const c = await RawConnection.open(server.port)
    await expect(metadata(c)).rejects.toBeInstanceOf(ConnectionClosedError)
    expect(server.logs.some((l) => l.includes('Unexpected Kafka request of type Metadata during SASL handshake'))).toBe(true)
  })

  it('closes on a request other than SaslAuthenticate after SaslHandshake v1', async () => {
    const c = await RawConnection.open(server.port)
    await handshake(c, 1, 'PLAIN')
    await expect(metadata(c)).rejects.toBeInstanceOf(ConnectionClosedError)
  })

  it('closes on SaslAuthenticate before SaslHandshake', async () => {
    const c = await RawConnection.open(server.port)
    await expect(authenticate(c, 1, token('', 'alice', 'alice-secret'))).rejects.toBeInstanceOf(ConnectionClosedError)
  })

  describe('SaslHandshake v0 (raw token frames, kafka-python)', () => {
    it('answers a good token with a zero-length frame, then serves Kafka requests', async () => {
      const s = await rawSocket(server.port)
      s.write(Buffer.concat(requestFrame({ apiKey: 17, apiVersion: 0, correlationId: 1, clientId: 'kp' }, (w) => encodeSaslHandshakeRequest(w, 0, { mechanism: 'PLAIN' }))))
      const hs = await s.read()
      // size 17: correlation id 1, error 0, array of 1, string "PLAIN"
      expect(hs).toEqual(Buffer.from([0, 0, 0, 17, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 5, ...Buffer.from('PLAIN')]))
      const t = token('alice', 'alice', 'alice-secret')
      s.write(Buffer.concat([int32(t.length), t]))
      expect(await s.read()).toEqual(Buffer.from([0, 0, 0, 0]))
      s.write(Buffer.concat(requestFrame({ apiKey: 3, apiVersion: 1, correlationId: 2, clientId: 'kp' }, (w) => encodeMetadataRequest(w, 1, { topics: [] }))))
      const md = await s.read()
      expect(md.readInt32BE(4)).toBe(2)
      s.end()
    })

    it('closes the connection on a bad token without answering', async () => {
      const s = await rawSocket(server.port)
      s.write(Buffer.concat(requestFrame({ apiKey: 17, apiVersion: 0, correlationId: 1, clientId: 'kp' }, (w) => encodeSaslHandshakeRequest(w, 0, { mechanism: 'PLAIN' }))))
      await s.read()
      const t = token('alice', 'alice', 'nope')
      s.write(Buffer.concat([int32(t.length), t]))
      expect(await s.closed()).toEqual(Buffer.alloc(0))
    })
  })
})

describe('PLAINTEXT listener', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(async () => server.stop())

  it('needs no authentication and answers the SASL APIs with ILLEGAL_SASL_STATE as Kafka does', async () => {
    const c = await RawConnection.open(server.port)
    expect((await metadata(c)).brokers).toHaveLength(1)
    expect(await handshake(c, 1, 'PLAIN')).toEqual({ errorCode: 34, mechanisms: [] })
    expect(await authenticate(c, 2, token('', 'a', 'b'))).toEqual({
      errorCode: 34,
      errorMessage: 'SaslAuthenticate request received after successful authentication',
      authBytes: Buffer.alloc(0),
      sessionLifetimeMs: 0,
    })
    c.close()
  })
})

describe('SASL configuration', () => {
  it('refuses to start without the mechanism-prefixed JAAS property, warning about a bare sasl.jaas.config', async () => {
    await expect(
      startTestServer({ props: { listeners: 'SASL_PLAINTEXT://127.0.0.1:0', 'sasl.enabled.mechanisms': 'PLAIN', 'sasl.jaas.config': JAAS } }),
    ).rejects.toThrow(/Could not find a 'KafkaServer' or 'sasl_plaintext.KafkaServer' entry in the JAAS configuration/)
  })

  it('refuses mechanisms other than PLAIN and SCRAM-SHA-256/512 (Kafka default GSSAPI included)', async () => {
    await expect(startTestServer({ props: { listeners: 'SASL_PLAINTEXT://127.0.0.1:0', 'listener.name.sasl_plaintext.plain.sasl.jaas.config': JAAS } })).rejects.toThrow(
      /supports the PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 mechanisms \(not GSSAPI\)/,
    )
  })

  it('uses listener.name.<l>.sasl.enabled.mechanisms over sasl.enabled.mechanisms', async () => {
    const server = await startTestServer({
      props: { ...SASL_PROPS, 'sasl.enabled.mechanisms': 'GSSAPI', 'listener.name.sasl_plaintext.sasl.enabled.mechanisms': 'PLAIN' },
    })
    try {
      const c = await RawConnection.open(server.port)
      expect(await handshake(c, 1, 'PLAIN')).toEqual({ errorCode: 0, mechanisms: ['PLAIN'] })
      expect((await authenticate(c, 1, token('', 'admin', 'admin-secret'))).errorCode).toBe(0)
      c.close()
    } finally {
      await server.stop()
    }
  })
})

describe('JAAS config text (Kafka JaasConfig rules)', () => {
  it('reads quoted and bare values, escapes and comments', () => {
    const [entry, ...rest] = parseJaasConfig(
      'org.apache.kafka.common.security.plain.PlainLoginModule required /* c */ user_bob="p\\"w;=d" user_eve=bare // tail\n ;',
    )
    expect(rest).toEqual([])
    expect(entry?.controlFlag).toBe('required')
    expect([...(entry?.options ?? [])]).toEqual([
      ['user_bob', 'p"w;=d'],
      ['user_eve', 'bare'],
    ])
  })

  it.each([
    ['M required a="b"', 'JAAS config entry not terminated by semi-colon'],
    ['M', 'Login module control flag not specified in JAAS config'],
    ['M always;', "Invalid login module control flag 'always' in JAAS config"],
    ['M required a;', "Value not specified for key 'a' in JAAS config"],
    ['  ', 'JAAS config property does not contain any login modules'],
  ])('rejects %j with Kafka message', (text, message) => {
    expect(() => parseJaasConfig(text)).toThrow(message)
  })
})

function int32(n: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeInt32BE(n)
  return b
}

/** A bare socket reading whole length-prefixed frames (length included), for the v0 flow. */
async function rawSocket(port: number) {
  const socket = net.connect({ port, host: '127.0.0.1' })
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject))
  let buf = Buffer.alloc(0)
  let ended = false
  const waiters: (() => void)[] = []
  socket.on('data', (c: Buffer) => {
    buf = Buffer.concat([buf, c])
    waiters.splice(0).forEach((w) => w())
  })
  socket.on('close', () => {
    ended = true
    waiters.splice(0).forEach((w) => w())
  })
  socket.on('error', () => undefined)
  const wait = () => new Promise<void>((resolve) => waiters.push(resolve))
  return {
    write: (b: Buffer) => socket.write(b),
    end: () => socket.end(),
    async read(): Promise<Buffer> {
      for (;;) {
        if (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
          const frame = buf.subarray(0, 4 + buf.readInt32BE(0))
          buf = buf.subarray(frame.length)
          return frame
        }
        if (ended) throw new Error('closed')
        await wait()
      }
    },
    /** Resolves with whatever arrived before the broker closed the socket. */
    async closed(): Promise<Buffer> {
      while (!ended) await wait()
      return buf
    },
  }
}
