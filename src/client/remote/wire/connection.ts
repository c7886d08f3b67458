import net from 'node:net'
import tls from 'node:tls'

import { API_KEYS, ApiKey, apiKeyInfo } from '../../../protocol/api-keys.js'
import { ERRORS } from '../../../protocol/error-codes.js'
import { FrameDecoder } from '../../../protocol/frame-decoder.js'
import { decodeApiVersionsResponse, encodeApiVersionsRequest, type ApiVersion, type ApiVersionsResponse } from '../../../protocol/messages/api-versions.js'
import { decodeSaslAuthenticateResponse, encodeSaslAuthenticateRequest } from '../../../protocol/messages/sasl-authenticate.js'
import { decodeSaslHandshakeResponse, encodeSaslHandshakeRequest } from '../../../protocol/messages/sasl-handshake.js'
import { Reader } from '../../../protocol/reader.js'
import { readResponseHeader, requestFrame } from '../../../protocol/request-header.js'
import type { Writer } from '../../../protocol/writer.js'
import { KafkaError, kafkaErrorForCode } from '../../../broker/kafka-error.js'
import type { ConnectionSettings, TlsSettings } from '../client-properties.js'
import { saslExchange } from './sasl-client.js'
import { AuthenticationFailure, BrokerIoError } from './wire-errors.js'

// One connection to one broker, on our generated codec (src/protocol/messages): TCP or TLS, size-prefixed
// frames, correlation ids, any number of requests pipelined (Kafka answers a connection's requests in
// order), request.timeout.ms per request, and the API versions agreed at open: ApiVersions first, then the
// highest version of each API that both the broker and our codec take. With SASL the handshake and the
// authentication exchange run before the connection is handed out.
//
// A connection that breaks (closed by the broker, reset, a request timed out) fails every request still
// out with a retriable BrokerIoError and stays closed; the cluster view opens a new one.

export type EncodeBody = (w: Writer, version: number) => void
export type DecodeBody<T> = (r: Reader, version: number) => T

export interface BrokerAddress {
  readonly host: string
  readonly port: number
}

/** The oldest version of each API that the client code above handles (record batches, the fields it reads). */
const OLDEST_USED: Readonly<Record<number, number>> = {
  [ApiKey.Produce]: 3, // v2 record batches
  [ApiKey.Fetch]: 4, // v2 record batches, isolation level
  [ApiKey.Metadata]: 4, // allow_auto_topic_creation
  [ApiKey.InitProducerId]: 0,
  [ApiKey.SaslAuthenticate]: 0,
  [ApiKey.SaslHandshake]: 1, // v0 sends the tokens without Kafka framing
}

/**
 * The newest version of each API whose fields the client code above fills in: InitProducerId v6 is 2PC
 * (unstable in Kafka 4.3). OffsetCommit / OffsetFetch v10 name topics by id: their callers choose v10 or v9
 * (offset-topic-ids.ts).
 */
const NEWEST_USED: Readonly<Record<number, number>> = {
  [ApiKey.InitProducerId]: 5,
}

/** ApiVersions v3 (KIP-511, Kafka 2.4+): the first flexible version; an older broker is asked again (agreeVersions). */
const API_VERSIONS_VERSION = 3
export const CLIENT_SOFTWARE_NAME = 'kafka-ts'
export const CLIENT_SOFTWARE_VERSION = '1'

interface Pending {
  readonly apiKey: number
  readonly version: number
  readonly resolve: (frame: Buffer) => void
  readonly reject: (err: Error) => void
  readonly timer: NodeJS.Timeout
}

export function addressText(a: BrokerAddress): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`
}

export class BrokerConnection {
  readonly address: string
  private readonly frames = new FrameDecoder()
  private readonly pending = new Map<number, Pending>()
  private nextCorrelationId = 1
  private failure: BrokerIoError | undefined
  private versions = new Map<number, ApiVersion>()
  /** Every API the broker listed in its ApiVersions answer, ours or not (kafka-broker-api-versions). */
  private listed: readonly ApiVersion[] = []

  private constructor(
    private readonly socket: net.Socket,
    target: BrokerAddress,
    private readonly clientId: string,
    private readonly requestTimeoutMs: number,
  ) {
    this.address = addressText(target)
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('error', (err: NodeJS.ErrnoException) =>
      this.fail(new BrokerIoError(`Connection to ${this.address} failed: ${err.message}`, this.address, !isTlsRefusal(err), { cause: err })),
    )
    socket.on('close', () => this.fail(new BrokerIoError(`The broker at ${this.address} closed the connection`, this.address, true)))
  }

  /** Connects, agrees API versions and authenticates; rejects with a BrokerIoError naming the address. */
  static async open(target: BrokerAddress, settings: ConnectionSettings): Promise<BrokerConnection> {
    const socket = await connect(target, settings.tls, settings.connectTimeoutMs)
    const conn = new BrokerConnection(socket, target, settings.clientId, settings.requestTimeoutMs)
    try {
      await conn.agreeVersions()
      if (settings.sasl !== undefined) await conn.authenticate(settings.sasl.mechanism, settings.sasl.username, settings.sasl.password)
      return conn
    } catch (err) {
      conn.close()
      throw err
    }
  }

  get isOpen(): boolean {
    return this.failure === undefined
  }

  /** The highest version of `apiKey` both sides take; an UNSUPPORTED_VERSION KafkaError when there is none. */
  versionOf(apiKey: number): number {
    const version = this.agreedVersion(apiKey)
    if (version === undefined) {
      const name = apiKeyInfo(apiKey)?.name ?? `API ${apiKey}`
      const theirs = this.versions.get(apiKey)
      const range = theirs === undefined ? 'does not take it at all' : `takes v${theirs.minVersion}-${theirs.maxVersion}`
      throw new KafkaError('UNSUPPORTED_VERSION', `The broker at ${this.address} ${range}; kafka-ts speaks ${name} v${OLDEST_USED[apiKey] ?? 0}-${apiKeyInfo(apiKey)?.validVersions[1] ?? 0}.`)
    }
    return version
  }

  /** The broker's ApiVersions answer as it came: every API it listed, with its version range. */
  get advertisedApis(): readonly ApiVersion[] {
    return this.listed
  }

  /** Whether the broker takes `apiKey` in a version we speak. */
  takes(apiKey: number): boolean {
    return this.agreedVersion(apiKey) !== undefined
  }

  /**
   * Sends one request in the agreed version (or `opts.version`) and decodes the answer. Requests may be
   * issued without waiting: they are pipelined on the socket. `opts.timeoutMs` replaces request.timeout.ms
   * for requests the broker may hold longer (JoinGroup waits for the whole group).
   */
  async request<T>(apiKey: number, encode: EncodeBody, decode: DecodeBody<T>, opts: { version?: number; timeoutMs?: number } = {}): Promise<T> {
    const version = opts.version ?? this.versionOf(apiKey)
    const frame = await this.send(apiKey, version, encode, true, opts.timeoutMs ?? this.requestTimeoutMs)
    const r = new Reader(frame)
    readResponseHeader(r, apiKey, version)
    return decode(r, version)
  }

  /** Sends a request the broker does not answer (Produce with acks=0); resolves once it is written. */
  async requestWithoutAnswer(apiKey: number, encode: EncodeBody, version: number = this.versionOf(apiKey)): Promise<void> {
    await this.send(apiKey, version, encode, false, this.requestTimeoutMs)
  }

  close(): void {
    this.fail(new BrokerIoError(`The connection to ${this.address} was closed`, this.address, true))
  }

  private send(apiKey: number, version: number, encode: EncodeBody, answered: boolean, timeoutMs: number): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure)
    const correlationId = this.nextCorrelationId
    this.nextCorrelationId = correlationId === 0x7fffffff ? 1 : correlationId + 1
    const chunks = requestFrame({ apiKey, apiVersion: version, correlationId, clientId: this.clientId }, (w) => encode(w, version))
    if (!answered) {
      return new Promise((resolve, reject) => {
        this.socket.cork()
        for (let i = 0; i < chunks.length; i++) {
          if (i < chunks.length - 1) this.socket.write(chunks[i]!)
          else this.socket.write(chunks[i]!, (err) => (err ? reject(this.failure ?? err) : resolve(Buffer.alloc(0))))
        }
        this.socket.uncork()
      })
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const name = apiKeyInfo(apiKey)?.name ?? `API ${apiKey}`
        // The answer may still come, after later ones: the stream cannot be trusted any more (Java closes it too).
        this.fail(new BrokerIoError(`Timed out after ${timeoutMs} ms waiting for the broker at ${this.address} to answer ${name}`, this.address, true))
      }, timeoutMs)
      this.pending.set(correlationId, { apiKey, version, resolve, reject, timer })
      this.socket.cork()
      for (const c of chunks) this.socket.write(c)
      this.socket.uncork()
    })
  }

  private onData(chunk: Buffer): void {
    this.frames.push(chunk)
    for (;;) {
      let frame: Buffer | undefined
      try {
        frame = this.frames.next()
      } catch (err) {
        this.fail(new BrokerIoError(`The broker at ${this.address} sent a malformed frame (${(err as Error).message}); is it a Kafka broker, and does its listener use this security protocol?`, this.address, false, { cause: err }))
        return
      }
      if (frame === undefined) return
      const correlationId = frame.length >= 4 ? frame.readInt32BE(0) : -1
      const waiting = this.pending.get(correlationId)
      if (waiting === undefined) {
        this.fail(new BrokerIoError(`The broker at ${this.address} answered a request it was not asked (correlation id ${correlationId})`, this.address, true))
        return
      }
      this.pending.delete(correlationId)
      clearTimeout(waiting.timer)
      waiting.resolve(frame)
    }
  }

  private fail(err: BrokerIoError): void {
    if (this.failure === undefined) this.failure = err
    for (const p of this.pending.values()) {
      clearTimeout(p.timer)
      p.reject(this.failure)
    }
    this.pending.clear()
    this.socket.destroy()
  }

  private agreedVersion(apiKey: number): number | undefined {
    const theirs = this.versions.get(apiKey)
    const ours = apiKeyInfo(apiKey)?.validVersions
    if (theirs === undefined || ours === undefined) return undefined
    const low = Math.max(theirs.minVersion, OLDEST_USED[apiKey] ?? ours[0])
    const high = Math.min(theirs.maxVersion, NEWEST_USED[apiKey] ?? ours[1])
    return high >= low ? high : undefined
  }

  /**
   * ApiVersions at v3; a broker older than that answers UNSUPPORTED_VERSION in a v0 body naming the
   * ApiVersions versions it takes, and is asked again at its highest (v0 when it names none), as Kafka's
   * NetworkClient does.
   */
  private async agreeVersions(): Promise<void> {
    let version = API_VERSIONS_VERSION
    let answer = await this.apiVersions(version)
    if (answer.errorCode === ERRORS.UNSUPPORTED_VERSION.code) {
      const theirs = answer.apiKeys.find((k) => k.apiKey === ApiKey.ApiVersions)
      version = theirs === undefined ? 0 : Math.min(theirs.maxVersion, API_VERSIONS_VERSION)
      answer = await this.apiVersions(version)
    }
    if (answer.errorCode !== 0) throw kafkaErrorForCode(answer.errorCode, `The broker at ${this.address} refused ApiVersions v${version}`)
    this.listed = answer.apiKeys
    const known = new Set(API_KEYS.map((k) => k.apiKey))
    this.versions = new Map(answer.apiKeys.filter((k) => known.has(k.apiKey)).map((k) => [k.apiKey, k]))
  }

  private apiVersions(version: number): Promise<ApiVersionsResponse> {
    return this.request(
      ApiKey.ApiVersions,
      (w, v) => encodeApiVersionsRequest(w, v, { clientSoftwareName: CLIENT_SOFTWARE_NAME, clientSoftwareVersion: CLIENT_SOFTWARE_VERSION }),
      decodeApiVersionsAnswer,
      { version },
    )
  }

  private async authenticate(mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512', username: string, password: string): Promise<void> {
    const handshake = await this.request(ApiKey.SaslHandshake, (w, v) => encodeSaslHandshakeRequest(w, v, { mechanism }), decodeSaslHandshakeResponse)
    if (handshake.errorCode !== 0) {
      throw new AuthenticationFailure(
        `Authentication failed: the broker at ${this.address} does not enable SASL mechanism ${mechanism} (it offers ${handshake.mechanisms.join(', ') || 'none'})`,
        this.address,
      )
    }
    const exchange = saslExchange(mechanism, username, password)
    let challenge: Buffer = Buffer.alloc(0)
    for (;;) {
      let bytes: Buffer | null
      try {
        bytes = exchange.next(challenge)
      } catch (err) {
        throw new AuthenticationFailure(`Authentication failed: ${(err as Error).message}`, this.address, { cause: err })
      }
      if (bytes === null) return
      const answer = await this.request(ApiKey.SaslAuthenticate, (w, v) => encodeSaslAuthenticateRequest(w, v, { authBytes: bytes }), decodeSaslAuthenticateResponse)
      if (answer.errorCode !== 0) {
        throw new AuthenticationFailure(answer.errorMessage ?? `Authentication failed: ${kafkaErrorForCode(answer.errorCode).message}`, this.address)
      }
      challenge = answer.authBytes
    }
  }
}

/**
 * An ApiVersions answer in the version asked, or else in v0: a broker that does not take the version
 * asked answers UNSUPPORTED_VERSION in a v0 body (its header is v0 whatever the version).
 */
function decodeApiVersionsAnswer(r: Reader, version: number): ApiVersionsResponse {
  const start = r.pos
  try {
    const answer = decodeApiVersionsResponse(r, version)
    if (r.remaining === 0 || version === 0) return answer
  } catch (err) {
    if (version === 0) throw err
  }
  r.pos = start
  return decodeApiVersionsResponse(r, 0)
}

/** A certificate refused by either side stays refused: only network failures are worth another try. */
function isTlsRefusal(err: NodeJS.ErrnoException): boolean {
  return /CERT|TLS|SSL|SIGNED|ALTNAME|EPROTO/.test(err.code ?? '')
}

function connect(target: BrokerAddress, settings: TlsSettings | undefined, timeoutMs: number): Promise<net.Socket> {
  const address = addressText(target)
  return new Promise((resolve, reject) => {
    const socket =
      settings === undefined
        ? net.connect({ host: target.host, port: target.port })
        : tls.connect({
            host: target.host,
            port: target.port,
            ...(net.isIP(target.host) === 0 ? { servername: target.host } : {}),
            ...(settings.ca === undefined ? {} : { ca: settings.ca }),
            ...(settings.cert === undefined ? {} : { cert: settings.cert }),
            ...(settings.key === undefined ? {} : { key: settings.key }),
            ...(settings.pfx === undefined ? {} : { pfx: settings.pfx }),
            ...(settings.passphrase === undefined ? {} : { passphrase: settings.passphrase }),
            rejectUnauthorized: true,
            ...(settings.checkHostname ? {} : { checkServerIdentity: () => undefined }),
          })
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new BrokerIoError(`Connection to ${address} failed: timed out after ${timeoutMs} ms`, address, true))
    }, timeoutMs)
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      socket.destroy()
      // The library's wording ("Connection to host:port failed"), which remote-errors.ts reads the address from.
      reject(new BrokerIoError(`Connection to ${address} failed: ${err.message}`, address, !isTlsRefusal(err), { cause: err }))
    })
    socket.once(settings === undefined ? 'connect' : 'secureConnect', () => {
      clearTimeout(timer)
      socket.removeAllListeners('error')
      socket.setNoDelay(true)
      resolve(socket)
    })
  })
}
