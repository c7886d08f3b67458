// OffsetCommit / OffsetFetch v10 (KIP-848: topics by id) from the remote group member, as Kafka 4.3's
// consumer sends them: v10 when the broker takes it and every topic id is known, v9 by name otherwise
// (a proxy in front of a real broker plays one that serves them up to v9). Either way the committed
// offsets are where the next member of the group starts.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { ApiKey } from '../../src/protocol/api-keys.js'
import { runCli } from '../helpers/cli.js'
import { startFaultProxy, type FaultProxy, type FaultProxyOptions } from '../helpers/fault-proxy.js'
import { startTestServer, type TestServer } from '../helpers/server.js'
import { lines } from './fixtures/console.js'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer({ props: { 'num.partitions': '1', 'group.initial.rebalance.delay.ms': '0' } })
})
afterAll(async () => {
  await server?.stop()
})

async function withProxy<T>(work: (proxy: FaultProxy) => Promise<T>, options?: FaultProxyOptions): Promise<T> {
  const proxy = await startFaultProxy(server.port, () => 'forward', options)
  try {
    return await work(proxy)
  } finally {
    await proxy.stop()
  }
}

const versionsOf = (proxy: FaultProxy, apiKey: number) => [...new Set(proxy.log.filter((r) => r.apiKey === apiKey).map((r) => r.apiVersion))]

async function produce(topic: string, input: string): Promise<void> {
  const r = await runCli(['console-producer', '--topic', topic, '--bootstrap-server', server.bootstrap], { input })
  expect(r.code, r.stderr).toBe(0)
}

/** A group member through the proxy that reads `count` records from the group's position and commits them. */
function consumeInGroup(proxy: FaultProxy, topic: string, group: string, count: number) {
  return runCli(['console-consumer', '--topic', topic, '--group', group, '--from-beginning', '--max-messages', String(count), '--bootstrap-server', proxy.bootstrap])
}

describe('remote group offsets', () => {
  it.each([
    ['v10 by topic id when the ids are known', {}, [10]],
    ['v9 by name from a broker that serves them up to v9', { maxVersions: { [ApiKey.OffsetCommit]: 9, [ApiKey.OffsetFetch]: 9 } } satisfies FaultProxyOptions, [9]],
  ] as const)('commits and fetches %s; the next member starts after what was committed', async (_, options, versions) => {
    const topic = `offsets-${versions[0]}`
    const group = `members-${versions[0]}`
    expect((await runCli(['topics', '--create', '--topic', topic, '--bootstrap-server', server.bootstrap])).code).toBe(0)
    await produce(topic, 'a\nb\nc\n')
    await withProxy(async (proxy) => {
      const first = await consumeInGroup(proxy, topic, group, 2)
      expect(lines(first.out)).toEqual(['a', 'b'])
      const second = await consumeInGroup(proxy, topic, group, 1)
      expect(lines(second.out)).toEqual(['c'])
      expect(versionsOf(proxy, ApiKey.OffsetCommit)).toEqual(versions)
      expect(versionsOf(proxy, ApiKey.OffsetFetch)).toEqual(versions)
    }, options)
    // The group's offsets as the admin path reads them (by name).
    const described = await runCli(['consumer-groups', '--describe', '--group', group, '--bootstrap-server', server.bootstrap])
    expect(described.out).toMatch(new RegExp(`${group}\\s+${topic}\\s+0\\s+3\\s+3\\s+0`))
  })
})
