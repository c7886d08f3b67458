// Remote mode keeping its view of the cluster current (issue 12): ApiVersions falls back when a broker is
// older than v3, routes are asked again once older than metadata.max.age.ms, and requests carry the
// leader epoch Metadata named, so a leader that has moved on fences them and the client refreshes and
// retries. A fault proxy in front of our own server plays the older or moved broker.

import { describe, expect, it } from 'vitest'

import { connectionSettings } from '../../src/client/remote/client-properties.js'
import { Cluster } from '../../src/client/remote/wire/cluster.js'
import { ApiKey } from '../../src/protocol/api-keys.js'
import { decodeFetchRequest, type FetchRequest } from '../../src/protocol/messages/fetch.js'
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

// The remote consumer's Fetch: the leader epoch from Metadata in current_leader_epoch (our server fences a
// wrong one itself, as Kafka's Partition.checkCurrentLeaderEpoch does), in a fetch session (KIP-227) that
// names a partition only when its offset or epoch changed.
describe('remote consumer: Fetch leader epochs and fetch sessions', () => {
  const STALE_EPOCH = 7

  function decodedFetch(req: ProxiedRequest): FetchRequest {
    const r = new Reader(req.frame)
    readRequestHeader(r)
    return decodeFetchRequest(r, req.apiVersion)
  }

  const namedEpochs = (f: FetchRequest) => f.topics.flatMap((t) => t.partitions.map((p) => p.currentLeaderEpoch))

  /** Runs a console consumer for 4 records through a proxy; the 4th is produced once `ready` resolves. */
  async function consumeFourth(topic: string, proxy: FaultProxy, ready: Promise<void>) {
    const consumer = runCli(['console-consumer', '--topic', topic, '--from-beginning', '--max-messages', '4', '--bootstrap-server', proxy.bootstrap])
    await ready
    const produced = await runCli(['console-producer', '--topic', topic, '--bootstrap-server', suite.server.bootstrap], { input: 'd\n' })
    expect(produced.code, produced.stderr).toBe(0)
    return consumer
  }

  it('a Fetch with a leader epoch the broker does not have is fenced by the broker; metadata is asked again and reading goes on', async () => {
    const topic = await topicWithRecords()
    let stale = false
    let fencedFetchSeen = false
    let recovered!: () => void
    const ready = new Promise<void>((resolve) => (recovered = resolve))
    const decide = (req: ProxiedRequest): ProxyAction => {
      if (req.apiKey !== ApiKey.Fetch) return 'forward'
      const epochs = namedEpochs(decodedFetch(req))
      if (epochs.includes(STALE_EPOCH)) {
        // Forwarded as it is: our server answers UNKNOWN_LEADER_EPOCH; the next Metadata tells the truth.
        fencedFetchSeen = true
        stale = false
      } else if (fencedFetchSeen && epochs.includes(0)) recovered()
      else if (!fencedFetchSeen) stale = true // the consumer's next metadata refresh names an epoch the broker never had
      return 'forward'
    }
    const options: FaultProxyOptions = {
      rewriteMetadata: (answer) =>
        stale ? { ...answer, topics: answer.topics.map((t) => ({ ...t, partitions: t.partitions.map((p) => ({ ...p, leaderEpoch: STALE_EPOCH })) })) } : answer,
    }
    await withProxy(
      decide,
      async (proxy) => {
        const r = await consumeFourth(topic, proxy, ready)
        expect({ code: r.code, out: r.out, err: r.stderr }).toEqual({ code: 0, out: 'a\nb\nc\nd\n', err: 'Processed a total of 4 messages\n' })
        const keys = proxy.log.map((req) => req.apiKey)
        const fencedAt = proxy.log.findIndex((req) => req.apiKey === ApiKey.Fetch && namedEpochs(decodedFetch(req)).includes(STALE_EPOCH))
        expect(fencedAt).toBeGreaterThan(0)
        expect(keys.indexOf(ApiKey.Metadata, fencedAt)).toBeGreaterThan(fencedAt)
      },
      options,
    )
  })

  it('after a full first Fetch, each Fetch is incremental and names only what changed', async () => {
    const topic = await topicWithRecords()
    let fetches = 0
    let idle!: () => void
    const ready = new Promise<void>((resolve) => (idle = resolve))
    const decide = (req: ProxiedRequest): ProxyAction => {
      // The third Fetch finds the consumer caught up with nothing changed: time for the 4th record.
      if (req.apiKey === ApiKey.Fetch && ++fetches === 3) idle()
      return 'forward'
    }
    await withProxy(decide, async (proxy) => {
      const r = await consumeFourth(topic, proxy, ready)
      expect({ code: r.code, out: r.out }).toEqual({ code: 0, out: 'a\nb\nc\nd\n' })
      const sent = proxy.log.filter((req) => req.apiKey === ApiKey.Fetch).map(decodedFetch)
      const [first, second, third] = sent
      // Full, asking for a session; then the session's epochs 1, 2, … with only the moved offset named.
      expect(first).toMatchObject({ sessionId: 0, sessionEpoch: 0 })
      expect(first?.topics.flatMap((t) => t.partitions.map((p) => [p.partition, p.fetchOffset, p.currentLeaderEpoch]))).toEqual([[0, 0, 0]])
      expect(second?.sessionId).toBeGreaterThan(0)
      expect(second?.sessionEpoch).toBe(1)
      expect(second?.topics.flatMap((t) => t.partitions.map((p) => [p.partition, p.fetchOffset]))).toEqual([[0, 3]])
      expect(third).toMatchObject({ sessionId: second?.sessionId, sessionEpoch: 2, topics: [], forgottenTopicsData: [] })
      expect(sent.map((f) => f.sessionEpoch)).toEqual(sent.map((_, i) => i))
    })
  })
})
