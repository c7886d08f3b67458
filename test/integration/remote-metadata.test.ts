// Remote mode keeping its view of the cluster current (issue 12): ApiVersions falls back when a broker is
// older than v3, routes are asked again once older than metadata.max.age.ms, and requests carry the
// leader epoch Metadata named, so a leader that has moved on fences them and the client refreshes and
// retries. A fault proxy in front of our own server plays the older or moved broker.

import { describe, expect, it } from 'vitest'

import { connectionSettings } from '../../src/client/remote/client-properties.js'
import { Cluster } from '../../src/client/remote/wire/cluster.js'
import { ApiKey } from '../../src/protocol/api-keys.js'
import { decodeListOffsetsRequest } from '../../src/protocol/messages/list-offsets.js'
import { Reader } from '../../src/protocol/reader.js'
import { readRequestHeader } from '../../src/protocol/request-header.js'
import { runCli } from '../helpers/cli.js'
import type { FaultProxy, FaultProxyOptions, ProxyAction, ProxiedRequest } from '../helpers/fault-proxy.js'
import { proxiedServer } from './fixtures/proxied-server.js'

const suite = proxiedServer('metadata')
const { freshTopic, withProxy } = suite

async function topicWithRecords(): Promise<string> {
  const topic = await freshTopic()
  const produced = await runCli(['console-producer', '--topic', topic, '--bootstrap-server', suite.server.bootstrap], { input: 'a\nb\nc\n' })
  expect(produced.code, produced.stderr).toBe(0)
  return topic
}

const versionsAsked = (proxy: FaultProxy, apiKey: number) => proxy.log.filter((r) => r.apiKey === apiKey).map((r) => r.apiVersion)

describe('remote mode: ApiVersions on an older broker', () => {
  it('UNSUPPORTED_VERSION naming ApiVersions v0-v2: asked again at v2, and the command works', async () => {
    const tooOld = (req: ProxiedRequest): ProxyAction => (req.apiKey === ApiKey.ApiVersions && req.apiVersion > 2 ? { apiVersionsMax: 2 } : 'forward')
    await withProxy(tooOld, async (proxy) => {
      const r = await runCli(['topics', '--list', '--bootstrap-server', proxy.bootstrap])
      expect({ code: r.code, err: r.stderr }).toEqual({ code: 0, err: '' })
      expect(versionsAsked(proxy, ApiKey.ApiVersions)).toEqual([3, 2])
    })
  })

  it('UNSUPPORTED_VERSION naming no versions: asked again at v0, and the command works', async () => {
    const tooOld = (req: ProxiedRequest): ProxyAction => (req.apiKey === ApiKey.ApiVersions && req.apiVersion > 0 ? { apiVersionsMax: null } : 'forward')
    await withProxy(tooOld, async (proxy) => {
      const r = await runCli(['topics', '--list', '--bootstrap-server', proxy.bootstrap])
      expect({ code: r.code, err: r.stderr }).toEqual({ code: 0, err: '' })
      expect(versionsAsked(proxy, ApiKey.ApiVersions)).toEqual([3, 0])
    })
  })
})

describe('remote mode: metadata.max.age.ms', () => {
  async function metadataRequestsForTwoRoutes(props: Record<string, string>): Promise<number> {
    const topic = await topicWithRecords()
    return withProxy(
      () => 'forward',
      async (proxy) => {
        const cluster = new Cluster(connectionSettings(proxy.bootstrap, new Map(Object.entries(props)), 'test'))
        try {
          await cluster.route(topic)
          await cluster.route(topic)
        } finally {
          cluster.close()
        }
        return versionsAsked(proxy, ApiKey.Metadata).length
      },
    )
  }

  it('routes younger than metadata.max.age.ms (default 5 minutes) are not asked again', async () => {
    expect(await metadataRequestsForTwoRoutes({})).toBe(1)
  })

  it('routes older than metadata.max.age.ms are asked again at their next use', async () => {
    expect(await metadataRequestsForTwoRoutes({ 'metadata.max.age.ms': '0' })).toBe(2)
  })

  it('a malformed metadata.max.age.ms is refused in one line naming it', async () => {
    const r = await runCli(['console-consumer', '--topic', 'x', '--bootstrap-server', suite.server.bootstrap, '--command-property', 'metadata.max.age.ms=soon'])
    expect({ code: r.code, err: r.stderr.trim() }).toEqual({ code: 1, err: 'Invalid value soon for configuration metadata.max.age.ms: Not a number of type LONG' })
  })
})

describe('remote mode: leader epochs', () => {
  const FENCED_LEADER_EPOCH = 74
  const UNKNOWN_LEADER_EPOCH = 75
  const STALE_EPOCH = 7

  /** Leader epochs of the ListOffsets requests the proxy saw, in order. */
  function listOffsetsEpochs(proxy: FaultProxy): number[] {
    return proxy.log
      .filter((req) => req.apiKey === ApiKey.ListOffsets)
      .map((req) => {
        const r = new Reader(req.frame)
        readRequestHeader(r)
        return decodeListOffsetsRequest(r, req.apiVersion).topics[0]!.partitions[0]!.currentLeaderEpoch
      })
  }

  it.each([
    ['FENCED_LEADER_EPOCH', FENCED_LEADER_EPOCH],
    ['UNKNOWN_LEADER_EPOCH', UNKNOWN_LEADER_EPOCH],
  ])('ListOffsets carries the leader epoch Metadata named; answered %s, metadata is asked again and the request retried', async (_name, errorCode) => {
    const topic = await topicWithRecords()
    // The first Metadata answer names an epoch the leader has left; the first ListOffsets is fenced.
    let metadataAnswers = 0
    const staleFirst: FaultProxyOptions = {
      rewriteMetadata: (answer) =>
        ++metadataAnswers > 1 ? answer : { ...answer, topics: answer.topics.map((t) => ({ ...t, partitions: t.partitions.map((p) => ({ ...p, leaderEpoch: STALE_EPOCH })) })) },
    }
    let fenced = false
    const fenceFirst = (req: ProxiedRequest): ProxyAction => {
      if (req.apiKey !== ApiKey.ListOffsets || fenced) return 'forward'
      fenced = true
      return { partitionError: errorCode }
    }
    await withProxy(
      fenceFirst,
      async (proxy) => {
        const r = await runCli(['get-offsets', '--topic', topic, '--bootstrap-server', proxy.bootstrap])
        expect({ code: r.code, out: r.out.trim(), err: r.stderr }).toEqual({ code: 0, out: `${topic}:0:3`, err: '' })
        expect(listOffsetsEpochs(proxy)).toEqual([STALE_EPOCH, 0])
        const keys = proxy.log.map((req) => req.apiKey)
        const fencedAt = keys.indexOf(ApiKey.ListOffsets)
        expect(keys.indexOf(ApiKey.Metadata, fencedAt)).toBeGreaterThan(fencedAt)
      },
      staleFirst,
    )
  })
})
