import net from 'node:net'

import { ApiKey } from '../../src/protocol/api-keys.js'
import { FrameDecoder } from '../../src/protocol/frame-decoder.js'
import { decodeApiVersionsResponse, encodeApiVersionsResponse } from '../../src/protocol/messages/api-versions.js'
import { decodeFetchRequest, encodeFetchResponse } from '../../src/protocol/messages/fetch.js'
import { decodeFindCoordinatorResponse, encodeFindCoordinatorResponse } from '../../src/protocol/messages/find-coordinator.js'
import { decodeListOffsetsRequest, encodeListOffsetsResponse } from '../../src/protocol/messages/list-offsets.js'
import { decodeMetadataResponse, encodeMetadataResponse, type MetadataResponse } from '../../src/protocol/messages/metadata.js'
import { decodeProduceRequest, encodeProduceResponse } from '../../src/protocol/messages/produce.js'
import { Reader } from '../../src/protocol/reader.js'
import { readRequestHeader, readResponseHeader, responseFrame } from '../../src/protocol/request-header.js'

// A TCP proxy in front of a broker that plays a cluster whose leadership moves or whose network breaks:
// for each request it asks `decide` whether to forward it, answer it itself with an error (Produce, Fetch
// and ListOffsets: every partition of the request; 'not-leader' is NOT_LEADER_OR_FOLLOWER), play a broker
// too old for the ApiVersions version asked, or drop the client's connection with the request unanswered.
// Metadata answers are rewritten so that every broker is this proxy — a client that follows the leaders
// keeps coming back through it — and then by `rewriteMetadata` when given; FindCoordinator answers name
// this proxy as the coordinator, and ApiVersions answers are capped by `maxVersions` when given. Frames are read with the
// project's own codec.

export type ProxyAction =
  | 'forward'
  | 'not-leader'
  | 'drop'
  /** Produce, Fetch or ListOffsets: this error code for every partition asked. */
  | { readonly partitionError: number }
  /**
   * ApiVersions: UNSUPPORTED_VERSION in a v0 body, as a broker older than the version asked answers,
   * naming ApiVersions v0..`apiVersionsMax` (null: naming no API, as some brokers do).
   */
  | { readonly apiVersionsMax: number | null }

export interface ProxiedRequest {
  readonly apiKey: number
  readonly apiVersion: number
  /** Which client connection (1, 2, …) sent it. */
  readonly connection: number
  /** The request frame (header and body, without the size prefix), for tests that read what was sent. */
  readonly frame: Buffer
}

export interface FaultProxyOptions {
  /** Applied to every Metadata answer after its brokers were pointed at the proxy. */
  readonly rewriteMetadata?: (answer: MetadataResponse) => MetadataResponse
  /** Caps these APIs' versions in ApiVersions answers: a broker that serves only up to them. */
  readonly maxVersions?: Readonly<Record<number, number>>
}

export interface FaultProxy {
  readonly port: number
  readonly bootstrap: string
  /** Every request seen, in arrival order, with what was done to it. */
  readonly log: (ProxiedRequest & { readonly action: ProxyAction })[]
  /** Client connections accepted so far. */
  readonly connections: number
  stop(): Promise<void>
}

const NOT_LEADER_OR_FOLLOWER = 6
const UNSUPPORTED_VERSION = 35

function sized(frame: Buffer): Buffer[] {
  const size = Buffer.alloc(4)
  size.writeInt32BE(frame.length, 0)
  return [size, frame]
}

/** `errorCode` for every partition of a Produce, Fetch or ListOffsets request. */
function partitionErrorAnswer(apiKey: number, version: number, correlationId: number, body: Reader, errorCode: number): Buffer[] {
  if (apiKey === ApiKey.ListOffsets) {
    const req = decodeListOffsetsRequest(body, version)
    return responseFrame(apiKey, version, correlationId, (w) =>
      encodeListOffsetsResponse(w, version, {
        topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) })),
      }),
    )
  }
  if (apiKey === ApiKey.Produce) {
    const req = decodeProduceRequest(body, version)
    return responseFrame(apiKey, version, correlationId, (w) =>
      encodeProduceResponse(w, version, {
        responses: req.topicData.map((t) => ({
          name: t.name,
          partitionResponses: t.partitionData.map((p) => ({ index: p.index, errorCode, baseOffset: -1 })),
        })),
      }),
    )
  }
  const req = decodeFetchRequest(body, version)
  return responseFrame(apiKey, version, correlationId, (w) =>
    encodeFetchResponse(w, version, {
      throttleTimeMs: 0,
      responses: req.topics.map((t) => ({
        topic: t.topic,
        topicId: t.topicId,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partition, errorCode, highWatermark: -1, abortedTransactions: null, records: null })),
      })),
    }),
  )
}

/** UNSUPPORTED_VERSION in a v0 body (the header of an ApiVersions answer is v0 whatever the version). */
function tooOldAnswer(correlationId: number, apiVersionsMax: number | null): Buffer[] {
  const apiKeys = apiVersionsMax === null ? [] : [{ apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: apiVersionsMax }]
  return responseFrame(ApiKey.ApiVersions, 0, correlationId, (w) => encodeApiVersionsResponse(w, 0, { errorCode: UNSUPPORTED_VERSION, apiKeys }))
}

/** The proxy's own answer for a request, or undefined to forward it. */
function answerFor(action: ProxyAction, apiKey: number, version: number, correlationId: number, body: Reader): Buffer[] | undefined {
  if (action === 'forward' || action === 'drop') return undefined
  if (action === 'not-leader') return answerFor({ partitionError: NOT_LEADER_OR_FOLLOWER }, apiKey, version, correlationId, body)
  if ('apiVersionsMax' in action) return apiKey === ApiKey.ApiVersions ? tooOldAnswer(correlationId, action.apiVersionsMax) : undefined
  const partitioned = apiKey === ApiKey.Produce || apiKey === ApiKey.Fetch || apiKey === ApiKey.ListOffsets
  return partitioned ? partitionErrorAnswer(apiKey, version, correlationId, body, action.partitionError) : undefined
}

export async function startFaultProxy(targetPort: number, decide: (req: ProxiedRequest) => ProxyAction, options: FaultProxyOptions = {}): Promise<FaultProxy> {
  const log: FaultProxy['log'] = []
  const sockets = new Set<net.Socket>()
  let connections = 0
  let port = 0
  const server = net.createServer((client) => {
    const connection = ++connections
    const upstream = net.connect({ host: '127.0.0.1', port: targetPort })
    sockets.add(client)
    sockets.add(upstream)
    const fromClient = new FrameDecoder()
    const fromBroker = new FrameDecoder()
    const asked = new Map<number, { apiKey: number; apiVersion: number }>()
    const closeBoth = () => {
      client.destroy()
      upstream.destroy()
    }
    client.on('error', closeBoth)
    upstream.on('error', closeBoth)
    client.on('close', closeBoth)
    upstream.on('close', closeBoth)
    client.on('data', (chunk: Buffer) => {
      fromClient.push(chunk)
      for (let frame = fromClient.next(); frame !== undefined; frame = fromClient.next()) {
        const r = new Reader(frame)
        const header = readRequestHeader(r)
        const req = { apiKey: header.apiKey, apiVersion: header.apiVersion, connection, frame: Buffer.from(frame) }
        const action = decide(req)
        log.push({ ...req, action })
        if (action === 'drop') {
          closeBoth()
          return
        }
        const answer = answerFor(action, header.apiKey, header.apiVersion, header.correlationId, r)
        if (answer !== undefined) {
          for (const c of answer) client.write(c)
          continue
        }
        asked.set(header.correlationId, { apiKey: header.apiKey, apiVersion: header.apiVersion })
        for (const c of sized(frame)) upstream.write(c)
      }
    })
    upstream.on('data', (chunk: Buffer) => {
      fromBroker.push(chunk)
      for (let frame = fromBroker.next(); frame !== undefined; frame = fromBroker.next()) {
        const correlationId = frame.readInt32BE(0)
        const req = asked.get(correlationId)
        asked.delete(correlationId)
        const caps = options.maxVersions
        if (req?.apiKey === ApiKey.ApiVersions && caps !== undefined) {
          const r = new Reader(frame)
          readResponseHeader(r, req.apiKey, req.apiVersion)
          const answer = decodeApiVersionsResponse(r, req.apiVersion)
          const apiKeys = answer.apiKeys.map((a) => ({ ...a, maxVersion: Math.min(a.maxVersion, caps[a.apiKey] ?? a.maxVersion) }))
          for (const c of responseFrame(req.apiKey, req.apiVersion, correlationId, (w) => encodeApiVersionsResponse(w, req.apiVersion, { ...answer, apiKeys }))) client.write(c)
          continue
        }
        if (req?.apiKey === ApiKey.FindCoordinator) {
          // The coordinator is this proxy too, so group traffic comes through it.
          const r = new Reader(frame)
          readResponseHeader(r, req.apiKey, req.apiVersion)
          const answer = decodeFindCoordinatorResponse(r, req.apiVersion)
          // Up to v3 the coordinator is at the top level, from v4 one per key.
          const pointed =
            req.apiVersion <= 3 ? { ...answer, host: '127.0.0.1', port } : { ...answer, coordinators: answer.coordinators.map((c) => ({ ...c, host: '127.0.0.1', port })) }
          for (const c of responseFrame(req.apiKey, req.apiVersion, correlationId, (w) => encodeFindCoordinatorResponse(w, req.apiVersion, pointed))) client.write(c)
          continue
        }
        if (req?.apiKey !== ApiKey.Metadata) {
          for (const c of sized(frame)) client.write(c)
          continue
        }
        const r = new Reader(frame)
        readResponseHeader(r, req.apiKey, req.apiVersion)
        const answer = decodeMetadataResponse(r, req.apiVersion)
        const pointed = { ...answer, brokers: answer.brokers.map((b) => ({ ...b, host: '127.0.0.1', port })) }
        const rewritten = options.rewriteMetadata?.(pointed) ?? pointed
        for (const c of responseFrame(req.apiKey, req.apiVersion, correlationId, (w) => encodeMetadataResponse(w, req.apiVersion, rewritten))) client.write(c)
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as net.AddressInfo).port
  return {
    port,
    bootstrap: `127.0.0.1:${port}`,
    log,
    get connections() {
      return connections
    },
    async stop() {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
