// The remote client's connection layer (src/client/remote/wire) against a real broker on loopback:
// version negotiation, pipelining, request timeout, a connection lost with requests out, and the
// cluster view's reconnect.

import net from 'node:net'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { API_KEYS, ApiKey } from '../../src/protocol/api-keys.js'
import { decodeApiVersionsResponse, encodeApiVersionsRequest } from '../../src/protocol/messages/api-versions.js'
import { decodeMetadataResponse, encodeMetadataRequest } from '../../src/protocol/messages/metadata.js'
import { connectionSettings } from '../../src/client/remote/client-properties.js'
import { Cluster } from '../../src/client/remote/wire/cluster.js'
import { BrokerConnection } from '../../src/client/remote/wire/connection.js'
import { BrokerIoError } from '../../src/client/remote/wire/wire-errors.js'
import { rawRequest } from '../helpers/raw-client.js'
import { startTestServer, type TestServer } from '../helpers/server.js'

let server: TestServer

beforeAll(async () => {
  server = await startTestServer()
})

afterAll(async () => {
  await server.stop()
})

const settings = (bootstrap: string, props: Record<string, string> = {}) => connectionSettings(bootstrap, new Map(Object.entries(props)), 'wire-test')

const metadata = (conn: BrokerConnection) => conn.request(ApiKey.Metadata, (w, v) => encodeMetadataRequest(w, v, { topics: [] }), decodeMetadataResponse)

describe('wire connection', () => {
  it('agrees on the highest version both the broker and the codec take, per API', async () => {
    const advertised = await rawRequest(server.port, ApiKey.ApiVersions, 3, (w, v) => encodeApiVersionsRequest(w, v, {}), decodeApiVersionsResponse)
    const conn = await BrokerConnection.open({ host: '127.0.0.1', port: server.port }, settings(server.bootstrap))
    try {
      for (const apiKey of [ApiKey.Produce, ApiKey.Fetch, ApiKey.Metadata, ApiKey.JoinGroup, ApiKey.ListOffsets]) {
        const theirs = advertised.apiKeys.find((k) => k.apiKey === apiKey)!
        const ours = API_KEYS.find((k) => k.apiKey === apiKey)!.validVersions[1]
        expect(conn.versionOf(apiKey), String(apiKey)).toBe(Math.min(theirs.maxVersion, ours))
      }
    } finally {
      conn.close()
    }
  })

  it('pipelines requests on one connection and matches every answer to its request', async () => {
    const conn = await BrokerConnection.open({ host: '127.0.0.1', port: server.port }, settings(server.bootstrap))
    try {
      const answers = await Promise.all(Array.from({ length: 20 }, () => metadata(conn)))
      expect(answers.map((a) => a.brokers.map((b) => b.port))).toEqual(Array.from({ length: 20 }, () => [server.port]))
    } finally {
      conn.close()
    }
  })

  it('fails a request the broker does not answer within request.timeout.ms, naming the broker, and closes the connection', async () => {
    // A listener that completes ApiVersions by forwarding to the real broker, then goes silent.
    let forwarded = 0
    const silent = net.createServer((client) => {
      const upstream = net.connect({ host: '127.0.0.1', port: server.port })
      client.on('data', (chunk: Buffer) => {
        if (forwarded++ === 0) upstream.write(chunk)
      })
      upstream.on('data', (chunk: Buffer) => client.write(chunk))
      client.on('close', () => upstream.destroy())
      client.on('error', () => upstream.destroy())
      upstream.on('error', () => client.destroy())
    })
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const port = (silent.address() as net.AddressInfo).port
    try {
      const conn = await BrokerConnection.open({ host: '127.0.0.1', port }, settings(`127.0.0.1:${port}`, { 'request.timeout.ms': '300' }))
      const failure = await metadata(conn).catch((err: unknown) => err)
      expect(failure).toBeInstanceOf(BrokerIoError)
      expect((failure as BrokerIoError).message).toBe(`Timed out after 300 ms waiting for the broker at 127.0.0.1:${port} to answer Metadata`)
      expect((failure as BrokerIoError).retriable).toBe(true)
      expect(conn.isOpen).toBe(false)
    } finally {
      await new Promise<void>((resolve) => silent.close(() => resolve()))
    }
  })

  it('the cluster view opens a new connection after the old one broke', async () => {
    const cluster = new Cluster(settings(server.bootstrap))
    try {
      const first = await cluster.anyBroker()
      first.close()
      const failure = await metadata(first).catch((err: unknown) => err)
      expect(failure).toBeInstanceOf(BrokerIoError)
      const second = await cluster.broker((await cluster.metadata([])).brokers[0]!.nodeId)
      expect(second).not.toBe(first)
      expect((await metadata(second)).brokers).toHaveLength(1)
    } finally {
      cluster.close()
    }
  })
})
