import type net from 'node:net'

import { ApiKey } from '../protocol/api-keys.js'
import { FrameDecoder } from '../protocol/frame-decoder.js'
import { encodeApiVersionsResponse } from '../protocol/messages/api-versions.js'
import { ProtocolDecodeError } from '../protocol/protocol-error.js'
import { Reader } from '../protocol/reader.js'
import { readRequestHeader, responseFrame } from '../protocol/request-header.js'
import { NO_RESPONSE, type AnyHandler, type Endpoint, type RequestContext } from './handler.js'
import type { Registry } from './registry.js'
import type { ListenerSasl } from './sasl/listener-sasl.js'
import { SaslSession, withSaslSession } from './sasl/sasl-session.js'

// One client connection. Kafka's rules (protocol.md §1): requests are processed one at a time and
// answered strictly in arrival order; Produce with acks=0 gets no answer; a malformed frame, an
// unknown API key or a version outside the served range closes this connection only (logged) — except
// ApiVersions above our range, which is answered at v0 with UNSUPPORTED_VERSION (KIP-511). That is
// Kafka 4.x's one rule for the versions KIP-896 removed too (SocketServer.parseRequestHeader throws,
// the processor closes the channel), Produce v0–2 included although ApiVersions names Produce from v0.

export interface ConnectionOptions {
  readonly registry: Registry
  readonly context: Omit<RequestContext, 'apiVersion' | 'clientId' | 'clientHost' | 'advertised' | 'signal' | 'apis'>
  readonly advertised: Endpoint
  readonly maxFrameSize: number
  /** Set on a SASL listener: requests wait for authentication (protocol.md §11). */
  readonly sasl?: ListenerSasl | undefined
  readonly onClose: (conn: Connection) => void
}

/** Stop reading from a client that pipelines faster than we answer once this much is queued. */
const MAX_QUEUED_BYTES = 64 << 20
const UNSUPPORTED_VERSION = 35
/** Kafka's sasl.server.max.receive.size: the largest frame read before authentication. */
const MAX_UNAUTHENTICATED_FRAME = 524288
const SASL_API_KEYS: ReadonlySet<number> = new Set([ApiKey.SaslHandshake, ApiKey.SaslAuthenticate])

export class Connection {
  private readonly frames: FrameDecoder
  private readonly aborter = new AbortController()
  private processing = false
  private closing = false
  private idle: (() => void) | undefined
  private readonly sasl: SaslSession
  readonly peer: string
  /** Kafka's "/host" form of the client address (socket.remoteAddress is a system call on every read). */
  private readonly clientHost: string
  /** Request contexts by API version (see requestContext). */
  private readonly contexts: (RequestContext | undefined)[] = []

  constructor(
    private readonly socket: net.Socket,
    private readonly opts: ConnectionOptions,
  ) {
    this.frames = new FrameDecoder({ maxFrameSize: opts.maxFrameSize })
    this.peer = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`
    this.clientHost = `/${socket.remoteAddress?.replace(/^::ffff:/, '') ?? ''}`
    this.sasl = new SaslSession(opts.sasl)
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('error', () => this.destroy())
    socket.on('close', () => this.destroy())
  }

  /** Stops reading, lets the request in progress finish and its response go out, then closes. */
  async drainAndClose(): Promise<void> {
    this.closing = true
    this.socket.pause()
    if (this.processing) await new Promise<void>((resolve) => (this.idle = resolve))
    this.socket.end()
    this.destroy()
  }

  destroy(): void {
    if (this.aborter.signal.aborted) return
    this.aborter.abort()
    this.socket.destroy()
    this.opts.onClose(this)
  }

  private onData(chunk: Buffer): void {
    if (this.closing) return
    this.frames.push(chunk)
    if (this.frames.bufferedBytes > MAX_QUEUED_BYTES) this.socket.pause()
    void this.pump()
  }

  private async pump(): Promise<void> {
    if (this.processing) return
    this.processing = true
    try {
      // Produce requests already waiting behind each other are started together, so they join one
      // group commit instead of paying a commit (and an event-loop turn) each; their responses still
      // go out one by one in arrival order. Any other request waits until they are answered.
      let produces: Promise<boolean> | undefined
      for (;;) {
        if (this.aborter.signal.aborted) return
        let frame: Buffer | undefined
        try {
          frame = this.frames.next()
        } catch (err) {
          if (produces !== undefined && !(await produces)) return
          this.fail(err)
          return
        }
        if (frame !== undefined && this.pipelinable(frame)) {
          produces = this.handleFrame(frame, produces)
          continue
        }
        if (produces !== undefined) {
          const ok = await produces
          produces = undefined
          if (!ok) return
          if (frame === undefined) continue // more may have arrived meanwhile
        }
        if (!frame) break
        if (!(await this.handleFrame(frame))) return
      }
      if (!this.closing && this.socket.isPaused()) this.socket.resume()
    } finally {
      this.processing = false
      const idle = this.idle
      this.idle = undefined
      idle?.()
    }
  }

  /** A Produce request on an authenticated connection (the request header starts with the API key). */
  private pipelinable(frame: Buffer): boolean {
    return frame.length >= 2 && frame.readInt16BE(0) === ApiKey.Produce && this.sasl.state === 'authenticated'
  }

  /**
   * Handles one request; false when the connection was closed because of it. With `after` (the
   * requests started before this one), the handler is started at once but nothing is sent, and the
   * connection is not closed, before those have been answered.
   */
  private async handleFrame(frame: Buffer, after?: Promise<boolean>): Promise<boolean> {
    const previousDone = async () => after === undefined || (await after)
    if (this.sasl.state !== 'authenticated' && frame.length > MAX_UNAUTHENTICATED_FRAME) {
      if (!(await previousDone())) return false
      this.opts.context.log(`Closing connection from ${this.peer}: ${frame.length} byte request before SASL authentication (larger than ${MAX_UNAUTHENTICATED_FRAME})`)
      this.destroy()
      return false
    }
    if (this.sasl.state === 'raw-token') return this.handleRawSaslToken(frame)
    const r = new Reader(frame)
    let header
    try {
      header = readRequestHeader(r)
    } catch (err) {
      if (!(await previousDone())) return false
      this.fail(err)
      return false
    }
    const { apiKey, apiVersion, correlationId } = header
    const handler = this.opts.registry.get(apiKey)
    if (!this.sasl.allows(apiKey)) {
      if (!(await previousDone())) return false
      this.opts.context.log(`Closing connection from ${this.peer}: ${this.sasl.refusal(handler?.name ?? `API key ${apiKey}`)} (client ${header.clientId ?? ''})`)
      this.destroy()
      return false
    }
    if (apiKey === ApiKey.ApiVersions && handler && apiVersion > handler.maxVersion) {
      if (!(await previousDone())) return false
      // Don't parse a body of unknown layout: answer at v0 so the client retries with a version we know.
      await this.send(
        responseFrame(apiKey, 0, correlationId, (w) =>
          encodeApiVersionsResponse(w, 0, {
            errorCode: UNSUPPORTED_VERSION,
            apiKeys: [{ apiKey: handler.apiKey, minVersion: handler.minVersion, maxVersion: handler.maxVersion }],
          }),
        ),
      )
      return true
    }
    if (!handler || apiVersion < handler.minVersion || apiVersion > handler.maxVersion) {
      if (!(await previousDone())) return false
      this.opts.context.log(
        `Closing connection from ${this.peer}: ${handler ? `unsupported ${handler.name} version ${apiVersion}` : `unknown API key ${apiKey}`} (correlation id ${correlationId}, client ${header.clientId ?? ''})`,
      )
      this.destroy()
      return false
    }
    let request: unknown
    try {
      request = handler.decode(r, apiVersion)
    } catch (err) {
      if (!(await previousDone())) return false
      this.fail(err, handler)
      return false
    }
    let response: unknown
    try {
      const ctx = this.requestContext(apiVersion, header.clientId ?? '')
      response = await handler.handle(request, SASL_API_KEYS.has(apiKey) ? withSaslSession(ctx, this.sasl) : ctx)
    } catch (err) {
      if (!(await previousDone())) return false
      this.opts.context.log(`Unexpected error handling ${handler.name} v${apiVersion} from ${this.peer}: ${errorText(err)}`)
      this.destroy()
      return false
    }
    if (!(await previousDone())) return false
    if (response === NO_RESPONSE) return true
    if (this.aborter.signal.aborted) return false
    let frameOut: Buffer[]
    try {
      frameOut = responseFrame(apiKey, apiVersion, correlationId, (w) => handler.encode(w, apiVersion, response))
    } catch (err) {
      // A bug in a handler's response must cost this client its connection, never the broker.
      this.opts.context.log(`Cannot encode ${handler.name} v${apiVersion} response for ${this.peer}: ${errorText(err)}`)
      this.destroy()
      return false
    }
    await this.send(frameOut)
    if (this.sasl.closeAfterResponse) {
      this.closeAfterSaslFailure()
      return false
    }
    return true
  }

  /** SaslHandshake v0 flow: this frame is the bare SASL token; an empty frame answers success. */
  private async handleRawSaslToken(token: Buffer): Promise<boolean> {
    const answer = this.sasl.authenticateRaw(token)
    if (answer === undefined) {
      this.closeAfterSaslFailure()
      return false
    }
    const size = Buffer.alloc(4)
    size.writeInt32BE(answer.length)
    await this.send(answer.length === 0 ? [size] : [size, answer])
    return true
  }

  /** Kafka sends the failure response (if any) and then closes; let the response reach the client first. */
  private closeAfterSaslFailure(): void {
    this.opts.context.log(`Failed authentication with /${this.socket.remoteAddress?.replace(/^::ffff:/, '') ?? ''} (${this.sasl.failure ?? 'unknown reason'})`)
    this.closing = true
    this.socket.pause()
    this.socket.once('finish', () => this.destroy())
    this.socket.end()
  }

  /**
   * The context of a request. A client sends each API at one version and with one client id, so contexts are
   * kept by version and reused while the client id matches (they are read-only): building one per request, by spreading the listener's
   * context, was the broker's largest allocation per request (~1.5 KB, measured with V8's sampling heap
   * profiler), and young-generation collections were a fifth of its CPU at 1 000 records/s.
   */
  private requestContext(apiVersion: number, clientId: string): RequestContext {
    const known = this.contexts[apiVersion]
    if (known !== undefined && known.clientId === clientId) return known
    const { broker, config, fetchSessions, log } = this.opts.context
    const ctx: RequestContext = {
      broker,
      config,
      fetchSessions,
      log,
      apiVersion,
      clientId,
      clientHost: this.clientHost,
      advertised: this.opts.advertised,
      signal: this.aborter.signal,
      apis: this.opts.registry.handlers,
    }
    this.contexts[apiVersion] = ctx
    return ctx
  }

  private async send(chunks: Buffer[]): Promise<void> {
    if (this.aborter.signal.aborted) return
    this.socket.cork()
    let ok = true
    for (const c of chunks) ok = this.socket.write(c)
    this.socket.uncork()
    if (!ok && !this.aborter.signal.aborted) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.socket.off('drain', done)
          this.socket.off('close', done)
          resolve()
        }
        this.socket.on('drain', done)
        this.socket.on('close', done)
      })
    }
  }

  private fail(err: unknown, handler?: AnyHandler): void {
    if (err instanceof ProtocolDecodeError) {
      this.opts.context.log(`Closing connection from ${this.peer}: malformed ${handler ? `${handler.name} ` : ''}request: ${err.message}`)
    } else {
      this.opts.context.log(`Closing connection from ${this.peer}: ${errorText(err)}`)
    }
    this.destroy()
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err)
}
