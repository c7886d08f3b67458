import type { Broker } from '../broker/broker.js'
import type { BrokerConfig } from '../broker/broker-config.js'
import type { Reader } from '../protocol/reader.js'
import type { FetchSessionCache } from './fetch-sessions.js'
import type { Writer } from '../protocol/writer.js'

// The contract between the connection layer and the per-API handlers. A handler works on the
// version-independent request/response types of the generated codec; the registry lists the
// handlers once, and both dispatch and ApiVersions are derived from that list.

/** Returned by a handler when Kafka sends no response (Produce with acks=0). */
export const NO_RESPONSE: unique symbol = Symbol('no-response')

export interface Endpoint {
  readonly host: string
  readonly port: number
}

export interface RequestContext {
  readonly broker: Broker
  readonly config: BrokerConfig
  /** The server's fetch sessions (KIP-227), shared by its connections. */
  readonly fetchSessions: FetchSessionCache
  readonly apiVersion: number
  readonly clientId: string
  /** The peer as Kafka reports it to tools: "/" + IP address. */
  readonly clientHost: string
  /** The advertised address of the listener this connection came in on (what Metadata returns). */
  readonly advertised: Endpoint
  /** Aborted when the connection closes or the server shuts down; long polls end early. */
  readonly signal: AbortSignal
  readonly log: (line: string) => void
  /** The APIs and version ranges this server serves (from the registry), for ApiVersions. */
  readonly apis: readonly ApiRange[]
}

export interface ApiRange {
  readonly apiKey: number
  /** The oldest version served; older ones close the connection (Kafka's SocketServer, KIP-896). */
  readonly minVersion: number
  /** The oldest version ApiVersions names, when it differs from minVersion (Produce: 0, KAFKA-18659). */
  readonly advertisedMinVersion?: number
  readonly maxVersion: number
}

/** An API's range as ApiVersions names it (what server-start advertises). */
export function advertisedRange({ apiKey, minVersion, advertisedMinVersion, maxVersion }: ApiRange): { apiKey: number; minVersion: number; maxVersion: number } {
  return { apiKey, minVersion: advertisedMinVersion ?? minVersion, maxVersion }
}

export interface ApiHandler<Req, Res> extends ApiRange {
  readonly name: string
  decode(r: Reader, version: number): Req
  encode(w: Writer, version: number, res: Res): void
  handle(req: Req, ctx: RequestContext): Res | typeof NO_RESPONSE | Promise<Res | typeof NO_RESPONSE>
}

// Handlers are stored type-erased; defineHandler checks each one's types where it is written.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyHandler = ApiHandler<any, any>

export function defineHandler<Req, Res>(handler: ApiHandler<Req, Res>): AnyHandler {
  return handler
}
