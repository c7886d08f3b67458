import net from 'node:net'
import tls from 'node:tls'

import { FrameDecoder } from '../../src/protocol/frame-decoder.js'
import { Reader } from '../../src/protocol/reader.js'
import { readResponseHeader, requestFrame } from '../../src/protocol/request-header.js'
import type { Writer } from '../../src/protocol/writer.js'

// A minimal Kafka client over a raw socket, built from the project's own generated codec: tests use it
// to send exact versions and edge cases that the real client libraries never produce.
//
//   const res = await rawRequest(port, ApiKey.CreateTopics, 7,
//     (w, v) => encodeCreateTopicsRequest(w, v, { topics: [...] }), decodeCreateTopicsResponse)
//
// Encoders and decoders take (writer|reader, version), so the generated functions fit directly.

export type EncodeBody = (w: Writer, version: number) => void
export type DecodeBody<T> = (r: Reader, version: number) => T

/** Thrown when the broker closes the connection instead of answering (what Kafka does to bad requests). */
export class ConnectionClosedError extends Error {
  override readonly name = 'ConnectionClosedError'
}

interface Pending {
  readonly apiKey: number
  readonly version: number
  readonly correlationId: number
  readonly resolve: (frame: Buffer) => void
  readonly reject: (err: Error) => void
}

/** One persistent connection; requests may be pipelined and are answered in order, as Kafka does. */
export class RawConnection {
  private readonly frames = new FrameDecoder()
  private readonly pending: Pending[] = []
  private nextCorrelationId = 1
  private closedError: Error | undefined

  private constructor(
    private readonly socket: net.Socket,
    readonly clientId: string,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('error', (err) => this.fail(err))
    socket.on('close', () => this.fail(new ConnectionClosedError('connection closed by the broker')))
  }

  /** With `tls`, the connection is TLS (an SSL or SASL_SSL listener) with those client options. */
  static open(port: number, opts: { host?: string; clientId?: string; tls?: tls.ConnectionOptions } = {}): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const host = opts.host ?? '127.0.0.1'
      const socket = opts.tls === undefined ? net.connect({ port, host }) : tls.connect({ port, host, ...opts.tls })
      socket.once('error', reject)
      socket.once(opts.tls === undefined ? 'connect' : 'secureConnect', () => {
        socket.off('error', reject)
        socket.setNoDelay(true)
        resolve(new RawConnection(socket, opts.clientId ?? 'raw-client'))
      })
    })
  }

  /** Sends one request and decodes its response body; rejects with ConnectionClosedError if the broker hangs up. */
  async request<T>(apiKey: number, version: number, encodeBody: EncodeBody, decodeBody: DecodeBody<T>): Promise<T> {
    const frame = await this.send(apiKey, version, encodeBody)
    const r = new Reader(frame)
    readResponseHeader(r, apiKey, version)
    const body = decodeBody(r, version)
    if (r.remaining !== 0) throw new Error(`response to API ${apiKey} v${version} has ${r.remaining} unread trailing bytes`)
    return body
  }

  /** Sends a request and returns the raw response frame (header included), for byte-level assertions. */
  send(apiKey: number, version: number, encodeBody: EncodeBody): Promise<Buffer> {
    if (this.closedError) return Promise.reject(this.closedError)
    const correlationId = this.nextCorrelationId++
    const chunks = requestFrame({ apiKey, apiVersion: version, correlationId, clientId: this.clientId }, (w) => encodeBody(w, version))
    return new Promise((resolve, reject) => {
      this.pending.push({ apiKey, version, correlationId, resolve, reject })
      for (const c of chunks) this.socket.write(c)
    })
  }

  /** Runs `sends` with the socket corked, so the requests it sends reach the broker in one write. */
  pipelined<T>(sends: () => T): T {
    this.socket.cork()
    try {
      return sends()
    } finally {
      this.socket.uncork()
    }
  }

  /** Writes bytes as they are (malformed frames, partial frames). */
  writeRaw(bytes: Buffer): void {
    this.socket.write(bytes)
  }

  /** Resolves once the broker has closed this connection. */
  waitClosed(): Promise<void> {
    if (this.socket.destroyed || this.closedError) return Promise.resolve()
    return new Promise((resolve) => this.socket.once('close', () => resolve()))
  }

  close(): void {
    this.socket.destroy()
  }

  private onData(chunk: Buffer): void {
    this.frames.push(chunk)
    for (;;) {
      const frame = this.frames.next()
      if (!frame) return
      const waiting = this.pending.shift()
      if (!waiting) {
        this.fail(new Error('unsolicited response frame'))
        return
      }
      const correlationId = frame.readInt32BE(0)
      if (correlationId !== waiting.correlationId) {
        waiting.reject(new Error(`correlation id ${correlationId}, expected ${waiting.correlationId}`))
        continue
      }
      waiting.resolve(frame)
    }
  }

  private fail(err: Error): void {
    this.closedError ??= err
    for (const p of this.pending.splice(0)) p.reject(this.closedError)
    this.socket.destroy()
  }
}

/** One request on a fresh connection, closed afterwards. */
export async function rawRequest<T>(
  port: number,
  apiKey: number,
  version: number,
  encodeBody: EncodeBody,
  decodeBody: DecodeBody<T>,
  opts: { host?: string; clientId?: string } = {},
): Promise<T> {
  const conn = await RawConnection.open(port, opts)
  try {
    return await conn.request(apiKey, version, encodeBody, decodeBody)
  } finally {
    conn.close()
  }
}
