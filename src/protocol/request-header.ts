// Request and response headers (protocol.md §4) and whole frames. The header version is not on the wire: it
// follows from the API key and version (api-keys.ts), so a request header is read by peeking at those two first.

import { requestHeaderVersion, responseHeaderVersion } from './api-keys.js'
import { decodeRequestHeader, encodeRequestHeader } from './messages/request-header.js'
import { decodeResponseHeader, encodeResponseHeader } from './messages/response-header.js'
import type { Reader } from './reader.js'
import { Writer } from './writer.js'

export interface RequestHeader {
  apiKey: number
  apiVersion: number
  correlationId: number
  /** As on the wire; Kafka treats a null client id as "". */
  clientId: string | null
  /** 1 for non-flexible request versions, 2 (with tagged fields) for flexible ones. */
  headerVersion: 1 | 2
}

export interface RequestHeaderInput {
  apiKey: number
  apiVersion: number
  correlationId: number
  clientId: string | null
}

/**
 * Reads a request header (v1 or v2, chosen from the API key and version) and leaves `r` at the body. Sets
 * `r.apiKey` / `r.apiVersion` so that later decode errors name the request. For an API key outside the table the
 * header is read as v1 (v1 and v2 share their fields; only the trailing tags differ) so the caller still learns
 * the correlation id before rejecting it.
 */
export function readRequestHeader(r: Reader): RequestHeader {
  const start = r.pos
  const apiKey = r.int16()
  const apiVersion = r.int16()
  r.pos = start
  r.apiKey = apiKey
  r.apiVersion = apiVersion
  const headerVersion = requestHeaderVersion(apiKey, apiVersion)
  const h = decodeRequestHeader(r, headerVersion)
  return { apiKey, apiVersion, correlationId: h.correlationId, clientId: h.clientId, headerVersion }
}

export function writeRequestHeader(w: Writer, header: RequestHeaderInput): void {
  encodeRequestHeader(w, requestHeaderVersion(header.apiKey, header.apiVersion), {
    requestApiKey: header.apiKey,
    requestApiVersion: header.apiVersion,
    correlationId: header.correlationId,
    clientId: header.clientId,
  })
}

/** Response header v0 (correlation id) or v1 (plus tagged fields); always v0 for ApiVersions. */
export function writeResponseHeader(w: Writer, apiKey: number, apiVersion: number, correlationId: number): void {
  encodeResponseHeader(w, responseHeaderVersion(apiKey, apiVersion), { correlationId })
}

/** Reads a response header; the caller knows which request it answers, hence the API key and version. */
export function readResponseHeader(r: Reader, apiKey: number, apiVersion: number): { correlationId: number } {
  return decodeResponseHeader(r, responseHeaderVersion(apiKey, apiVersion))
}

/**
 * A complete response frame (int32 size, header, body) as chunks for the socket; large payloads written by
 * `writeBody` (records) stay by reference.
 */
export function responseFrame(apiKey: number, apiVersion: number, correlationId: number, writeBody: (w: Writer) => void): Buffer[] {
  const w = new Writer()
  const size = w.reserveInt32()
  writeResponseHeader(w, apiKey, apiVersion, correlationId)
  writeBody(w)
  w.setInt32(size, w.length - 4)
  return w.toBuffers()
}

/** A complete request frame (int32 size, header, body), as a client sends it. */
export function requestFrame(header: RequestHeaderInput, writeBody: (w: Writer) => void): Buffer[] {
  const w = new Writer()
  const size = w.reserveInt32()
  writeRequestHeader(w, header)
  writeBody(w)
  w.setInt32(size, w.length - 4)
  return w.toBuffers()
}
