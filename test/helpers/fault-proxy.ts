import net from 'node:net'

import { ApiKey } from '../../src/protocol/api-keys.js'
import { FrameDecoder } from '../../src/protocol/frame-decoder.js'
import { decodeFetchRequest, encodeFetchResponse } from '../../src/protocol/messages/fetch.js'
import { decodeMetadataResponse, encodeMetadataResponse } from '../../src/protocol/messages/metadata.js'
import { decodeProduceRequest, encodeProduceResponse } from '../../src/protocol/messages/produce.js'
import { Reader } from '../../src/protocol/reader.js'
import { readRequestHeader, readResponseHeader, responseFrame } from '../../src/protocol/request-header.js'

// A TCP proxy in front of a broker that plays a cluster whose leadership moves or whose network breaks:
// for each request it asks `decide` whether to forward it, answer it itself with NOT_LEADER_OR_FOLLOWER
// (Produce and Fetch: every partition of the request), or drop the client's connection with the request
// unanswered. Metadata answers are rewritten so that every broker is this proxy — a client that follows
// the leaders keeps coming back through it. Frames are read with the project's own codec.

export type ProxyAction = 'forward' | 'not-leader' | 'drop'

export interface ProxiedRequest {
  readonly apiKey: number
  readonly apiVersion: number
  /** Which client connection (1, 2, …) sent it. */
  readonly connection: number
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

function sized(frame: Buffer): Buffer[] {
  const size = Buffer.alloc(4)
  size.writeInt32BE(frame.length, 0)
  return [size, frame]
}

/** A not-leader answer to a Produce or Fetch request, naming every partition it asked for. */
function notLeaderAnswer(apiKey: number, version: number, correlationId: number, body: Reader): Buffer[] {
  if (apiKey === ApiKey.Produce) {
    const req = decodeProduceRequest(body, version)
    return responseFrame(apiKey, version, correlationId, (w) =>
      encodeProduceResponse(w, version, {
        responses: req.topicData.map((t) => ({
          name: t.name,
          partitionResponses: t.partitionData.map((p) => ({ index: p.index, errorCode: NOT_LEADER_OR_FOLLOWER, baseOffset: -1 })),
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
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partition, errorCode: NOT_LEADER_OR_FOLLOWER, highWatermark: -1, abortedTransactions: null, records: null })),
      })),
    }),
  )
}

export async function startFaultProxy(targetPort: number, decide: (req: ProxiedRequest) => ProxyAction): Promise<FaultProxy> {
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
        const req = { apiKey: header.apiKey, apiVersion: header.apiVersion, connection }
        const action = decide(req)
        log.push({ ...req, action })
        if (action === 'drop') {
          closeBoth()
          return
        }
        if (action === 'not-leader' && (header.apiKey === ApiKey.Produce || header.apiKey === ApiKey.Fetch)) {
          for (const c of notLeaderAnswer(header.apiKey, header.apiVersion, header.correlationId, r)) client.write(c)
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
        if (req?.apiKey !== ApiKey.Metadata) {
          for (const c of sized(frame)) client.write(c)
          continue
        }
        const r = new Reader(frame)
        readResponseHeader(r, req.apiKey, req.apiVersion)
        const answer = decodeMetadataResponse(r, req.apiVersion)
        const rewritten = { ...answer, brokers: answer.brokers.map((b) => ({ ...b, host: '127.0.0.1', port })) }
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
