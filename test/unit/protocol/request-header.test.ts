import { describe, expect, it } from 'vitest'
import { ApiKey, API_KEYS, apiKeyInfo, requestHeaderVersion, responseHeaderVersion } from '../../../src/protocol/api-keys.js'
import {
  decodeApiVersionsRequest,
  decodeApiVersionsResponse,
  encodeApiVersionsRequest,
  encodeApiVersionsResponse,
} from '../../../src/protocol/messages/api-versions.js'
import { ProtocolDecodeError } from '../../../src/protocol/protocol-error.js'
import { Reader } from '../../../src/protocol/reader.js'
import {
  readRequestHeader,
  readResponseHeader,
  requestFrame,
  responseFrame,
  writeRequestHeader,
  writeResponseHeader,
} from '../../../src/protocol/request-header.js'
import { Writer } from '../../../src/protocol/writer.js'

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex')
const concat = (parts: Buffer[]) => Buffer.concat(parts)

// protocol.md §4.3: the bytes librdkafka sends and the answer a broker advertising Produce 3–8 and ApiVersions 0–3
// gives; and the v0 fallback to an ApiVersions v5 request.
const V3_REQUEST = hex(`
  00000024
  0012 0003 00000001
  0007 72646b61666b61
  00
  0b 6c696272646b61666b61
  06 322e302e32
  00`)
const V3_RESPONSE = hex(`
  0000001a 00000001
  0000
  03
  0000 0003 0008 00
  0012 0000 0003 00
  00000000
  00`)
const UNSUPPORTED_V0_REPLY = hex('00000010 00000007 0023 00000001 0012 0000 0003')

describe('ApiVersions v3 exchange from protocol.md §4.3', () => {
  it('decodes the request frame: header v2 with an int16-length client id, then the flexible body', () => {
    const r = new Reader(V3_REQUEST)
    expect(r.int32()).toBe(V3_REQUEST.length - 4)
    const header = readRequestHeader(r)
    expect(header).toEqual({ apiKey: 18, apiVersion: 3, correlationId: 1, clientId: 'rdkafka', headerVersion: 2 })
    const body = decodeApiVersionsRequest(r, header.apiVersion)
    expect(body).toEqual({ clientSoftwareName: 'librdkafka', clientSoftwareVersion: '2.0.2' })
    expect(r.remaining).toBe(0)
  })

  it('encodes the same request frame byte for byte', () => {
    const frame = requestFrame({ apiKey: 18, apiVersion: 3, correlationId: 1, clientId: 'rdkafka' }, (w) =>
      encodeApiVersionsRequest(w, 3, { clientSoftwareName: 'librdkafka', clientSoftwareVersion: '2.0.2' }),
    )
    expect(concat(frame).toString('hex')).toBe(V3_REQUEST.toString('hex'))
  })

  it('encodes the response with a v0 header (no tags) byte for byte', () => {
    const frame = responseFrame(18, 3, 1, (w) =>
      encodeApiVersionsResponse(w, 3, {
        errorCode: 0,
        apiKeys: [
          { apiKey: 0, minVersion: 3, maxVersion: 8 },
          { apiKey: 18, minVersion: 0, maxVersion: 3 },
        ],
        throttleTimeMs: 0,
      }),
    )
    expect(concat(frame).toString('hex')).toBe(V3_RESPONSE.toString('hex'))
  })

  it('decodes the response', () => {
    const r = new Reader(V3_RESPONSE, 4)
    expect(readResponseHeader(r, 18, 3)).toEqual({ correlationId: 1 })
    const res = decodeApiVersionsResponse(r, 3)
    expect(res.errorCode).toBe(0)
    expect(res.apiKeys).toEqual([
      { apiKey: 0, minVersion: 3, maxVersion: 8 },
      { apiKey: 18, minVersion: 0, maxVersion: 3 },
    ])
    expect(res.throttleTimeMs).toBe(0)
    expect(res.finalizedFeaturesEpoch).toBe(-1)
    expect(res.supportedFeatures).toEqual([])
    expect(r.remaining).toBe(0)
  })

  it('encodes and decodes the unsupported-version reply (v0 body, v0 header)', () => {
    const frame = responseFrame(18, 0, 7, (w) =>
      encodeApiVersionsResponse(w, 0, { errorCode: 35, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 3 }] }),
    )
    expect(concat(frame).toString('hex')).toBe(UNSUPPORTED_V0_REPLY.toString('hex'))
    const r = new Reader(UNSUPPORTED_V0_REPLY, 4)
    expect(readResponseHeader(r, 18, 0).correlationId).toBe(7)
    expect(decodeApiVersionsResponse(r, 0)).toMatchObject({ errorCode: 35, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 3 }], throttleTimeMs: 0 })
  })

  it('reads the header of an ApiVersions request of a version newer than any spec (v5) as flexible', () => {
    const buf = hex('0012 0005 00000007 0003 616263 00 ffff')
    const r = new Reader(buf)
    expect(readRequestHeader(r)).toEqual({ apiKey: 18, apiVersion: 5, correlationId: 7, clientId: 'abc', headerVersion: 2 })
    expect(r.pos).toBe(buf.length - 2)
  })
})

describe('request header', () => {
  it('v1 for non-flexible versions: no tagged fields; null client id stays null', () => {
    // Metadata v1, correlation 42, client id null, then a body byte
    const buf = hex('0003 0001 0000002a ffff 7f')
    const r = new Reader(buf)
    expect(readRequestHeader(r)).toEqual({ apiKey: 3, apiVersion: 1, correlationId: 42, clientId: null, headerVersion: 1 })
    expect(r.int8()).toBe(0x7f)
    const w = new Writer()
    writeRequestHeader(w, { apiKey: 3, apiVersion: 1, correlationId: 42, clientId: null })
    expect(w.toBuffer().toString('hex')).toBe('00030001' + '0000002a' + 'ffff')
  })

  it('v2 for flexible versions skips unknown header tags', () => {
    // Metadata v9 (flexible from 9), client id "k", header tags: one unknown tag 7 with 2 bytes
    const r = new Reader(hex('0003 0009 00000001 0001 6b 01 07 02 abcd 55'))
    expect(readRequestHeader(r).headerVersion).toBe(2)
    expect(r.int8()).toBe(0x55)
    const w = new Writer()
    writeRequestHeader(w, { apiKey: 3, apiVersion: 9, correlationId: 1, clientId: 'k' })
    expect(w.toBuffer().toString('hex')).toBe('00030009' + '00000001' + '00016b' + '00')
  })

  it('a truncated header is a ProtocolDecodeError naming the request', () => {
    for (const bytes of ['', '00', '0003 00', '0003 0001 0000', '0003 0001 00000001 0005 6162']) {
      let err: unknown
      try {
        readRequestHeader(new Reader(hex(bytes)))
      } catch (e) {
        err = e
      }
      expect(err).toBeInstanceOf(ProtocolDecodeError)
    }
  })

  it('unknown API keys are read as header v1 so the caller can answer or close', () => {
    const r = new Reader(hex('03e7 0000 00000005 0000'))
    expect(readRequestHeader(r)).toMatchObject({ apiKey: 999, correlationId: 5, headerVersion: 1 })
  })
})

describe('response header', () => {
  it('v1 (with tags) for flexible versions, v0 otherwise, v0 always for ApiVersions', () => {
    const enc = (apiKey: number, version: number) => {
      const w = new Writer()
      writeResponseHeader(w, apiKey, version, 9)
      return w.toBuffer().toString('hex')
    }
    expect(enc(ApiKey.Metadata, 8)).toBe('00000009')
    expect(enc(ApiKey.Metadata, 9)).toBe('0000000900')
    expect(enc(ApiKey.ApiVersions, 3)).toBe('00000009')
    expect(enc(ApiKey.ApiVersions, 4)).toBe('00000009')
    const r = new Reader(hex('00000009 01 00 01 ee 77'))
    expect(readResponseHeader(r, ApiKey.Fetch, 12)).toEqual({ correlationId: 9 })
    expect(r.int8()).toBe(0x77)
  })
})

describe('api-keys table', () => {
  // flexible-from column of kafka-4/README.md's API table (Kafka 4.3.1)
  const FLEXIBLE_FROM: Record<string, number | null> = {
    Produce: 9, Fetch: 12, ListOffsets: 6, Metadata: 9, OffsetCommit: 8, OffsetFetch: 6, FindCoordinator: 3,
    JoinGroup: 6, Heartbeat: 4, LeaveGroup: 4, SyncGroup: 4, DescribeGroups: 5, ListGroups: 3, SaslHandshake: null,
    ApiVersions: 3, CreateTopics: 5, DeleteTopics: 4, DeleteRecords: 2, InitProducerId: 2, DescribeConfigs: 4,
    AlterConfigs: 2, SaslAuthenticate: 2, CreatePartitions: 2, DeleteGroups: 2, IncrementalAlterConfigs: 1,
    OffsetDelete: null, DescribeCluster: 0, GetTelemetrySubscriptions: 0, PushTelemetry: 0, UpdateFeatures: 0, ListConfigResources: 0,
    // Kafka 4.3.1's specs (kafka-4/README.md)
    OffsetForLeaderEpoch: 4, DescribeLogDirs: 2, DescribeProducers: 0, DescribeTopicPartitions: 0,
    // Transactions (issue 14)
    AddPartitionsToTxn: 3, AddOffsetsToTxn: 3, EndTxn: 3, WriteTxnMarkers: 1, TxnOffsetCommit: 3, DescribeTransactions: 0, ListTransactions: 0,
  }

  it('matches kafka-4/README.md keys, ranges and flexible versions', () => {
    expect(API_KEYS.map((k) => k.name).sort()).toEqual(Object.keys(FLEXIBLE_FROM).sort())
    for (const info of API_KEYS) {
      expect(info.flexibleFrom, info.name).toBe(FLEXIBLE_FROM[info.name])
      expect(ApiKey[info.name as keyof typeof ApiKey]).toBe(info.apiKey)
    }
    expect(apiKeyInfo(0)).toEqual({ apiKey: 0, name: 'Produce', validVersions: [3, 13], flexibleFrom: 9 })
    expect(apiKeyInfo(1)?.validVersions).toEqual([4, 18])
    expect(apiKeyInfo(3)?.validVersions).toEqual([0, 13])
    expect(apiKeyInfo(60)?.validVersions).toEqual([0, 2])
    expect(apiKeyInfo(7)).toBeUndefined()
    expect(API_KEYS.map((k) => k.apiKey)).toEqual([...API_KEYS.map((k) => k.apiKey)].sort((a, b) => a - b))
  })

  it('derives header versions from the flexible threshold', () => {
    expect(requestHeaderVersion(ApiKey.Produce, 8)).toBe(1)
    expect(requestHeaderVersion(ApiKey.Produce, 9)).toBe(2)
    expect(requestHeaderVersion(ApiKey.SaslHandshake, 1)).toBe(1)
    expect(requestHeaderVersion(ApiKey.DescribeCluster, 0)).toBe(2)
    expect(responseHeaderVersion(ApiKey.DescribeCluster, 0)).toBe(1)
    expect(responseHeaderVersion(ApiKey.Fetch, 11)).toBe(0)
    expect(responseHeaderVersion(ApiKey.Fetch, 12)).toBe(1)
    expect(responseHeaderVersion(ApiKey.ApiVersions, 3)).toBe(0)
  })
})
