// Remote mode when the cluster moves under the client (issue 12): a proxy in front of a real broker answers
// a Produce or Fetch with NOT_LEADER_OR_FOLLOWER, or drops the connection with a request out. The client
// must ask Metadata again and retry, reconnect after a drop, and deliver every record exactly once — or,
// when the broker stays unreachable, fail with one line that names it.

import { describe, expect, it } from 'vitest'

import { ApiKey } from '../../src/protocol/api-keys.js'
import { runCli } from '../helpers/cli.js'
import type { FaultProxy, ProxyAction, ProxiedRequest } from '../helpers/fault-proxy.js'
import { lines } from './fixtures/console.js'
import { proxiedServer } from './fixtures/proxied-server.js'

const suite = proxiedServer('faults')
const { freshTopic, withProxy } = suite

/** The first request of `apiKey` gets `action`; everything else is forwarded. */
function onceOn(apiKey: number, action: ProxyAction): (req: ProxiedRequest) => ProxyAction {
  let done = false
  return (req) => {
    if (req.apiKey !== apiKey || done) return 'forward'
    done = true
    return action
  }
}

/** What the topic holds, read straight from the broker (no proxy). */
async function stored(topic: string): Promise<{ values: string[]; end: string }> {
  const consumed = await runCli(['console-consumer', '--topic', topic, '--from-beginning', '--timeout-ms', '3000', '--bootstrap-server', suite.server.bootstrap])
  const offsets = await runCli(['get-offsets', '--topic', topic, '--bootstrap-server', suite.server.bootstrap])
  return { values: lines(consumed.out), end: offsets.out.trim() }
}

/** The API keys the proxy saw after the first request it did not forward. */
function afterFault(proxy: FaultProxy): number[] {
  const at = proxy.log.findIndex((r) => r.action !== 'forward')
  expect(at).toBeGreaterThanOrEqual(0)
  return proxy.log.slice(at + 1).map((r) => r.apiKey)
}

const INPUT = 'one\ntwo\nthree\nfour\nfive\n'
const VALUES = ['one', 'two', 'three', 'four', 'five']

describe('remote mode: leadership moves', () => {
  it('a Produce answered NOT_LEADER_OR_FOLLOWER: metadata is asked again, the batch is retried, every record is stored once', async () => {
    const topic = await freshTopic()
    await withProxy(onceOn(ApiKey.Produce, 'not-leader'), async (proxy) => {
      const r = await runCli(['console-producer', '--topic', topic, '--bootstrap-server', proxy.bootstrap], { input: INPUT })
      expect({ code: r.code, err: r.stderr }).toEqual({ code: 0, err: '' })
      const after = afterFault(proxy)
      expect(after.indexOf(ApiKey.Metadata)).toBeGreaterThanOrEqual(0)
      expect(after.indexOf(ApiKey.Metadata)).toBeLessThan(after.indexOf(ApiKey.Produce))
    })
    expect(await stored(topic)).toEqual({ values: VALUES, end: `${topic}:0:5` })
  })

  it('a Fetch answered NOT_LEADER_OR_FOLLOWER: metadata is asked again and every record is printed once', async () => {
    const topic = await freshTopic()
    expect((await runCli(['console-producer', '--topic', topic, '--bootstrap-server', suite.server.bootstrap], { input: INPUT })).code).toBe(0)
    await withProxy(onceOn(ApiKey.Fetch, 'not-leader'), async (proxy) => {
      const r = await runCli(['console-consumer', '--topic', topic, '--from-beginning', '--max-messages', '5', '--bootstrap-server', proxy.bootstrap])
      expect(r.code, r.stderr).toBe(0)
      expect(lines(r.out)).toEqual(VALUES)
      const after = afterFault(proxy)
      expect(after.indexOf(ApiKey.Metadata)).toBeGreaterThanOrEqual(0)
      expect(after.indexOf(ApiKey.Metadata)).toBeLessThan(after.indexOf(ApiKey.Fetch))
    })
  })
})

describe('remote mode: connections dropped mid-request', () => {
  it('the producer reconnects and sends the batch again; every record is stored once', async () => {
    const topic = await freshTopic()
    await withProxy(onceOn(ApiKey.Produce, 'drop'), async (proxy) => {
      const r = await runCli(['console-producer', '--topic', topic, '--bootstrap-server', proxy.bootstrap], { input: INPUT })
      expect({ code: r.code, err: r.stderr }).toEqual({ code: 0, err: '' })
      expect(proxy.connections).toBeGreaterThanOrEqual(2)
      expect(afterFault(proxy)).toContain(ApiKey.Produce)
    })
    expect(await stored(topic)).toEqual({ values: VALUES, end: `${topic}:0:5` })
  })

  it('the consumer reconnects and goes on reading', async () => {
    const topic = await freshTopic()
    expect((await runCli(['console-producer', '--topic', topic, '--bootstrap-server', suite.server.bootstrap], { input: INPUT })).code).toBe(0)
    await withProxy(onceOn(ApiKey.Fetch, 'drop'), async (proxy) => {
      const r = await runCli(['console-consumer', '--topic', topic, '--from-beginning', '--max-messages', '5', '--bootstrap-server', proxy.bootstrap])
      expect(r.code, r.stderr).toBe(0)
      expect(lines(r.out)).toEqual(VALUES)
      expect(proxy.connections).toBeGreaterThanOrEqual(2)
    })
  })

  it('a broker that drops every Produce: the producer fails in one line per failed send naming the broker, exit 1', async () => {
    const topic = await freshTopic()
    await withProxy(
      (req) => (req.apiKey === ApiKey.Produce ? 'drop' : 'forward'),
      async (proxy) => {
        const r = await runCli(['console-producer', '--topic', topic, '--bootstrap-server', proxy.bootstrap], { input: 'lost\n' })
        expect(r.code).toBe(1)
        const errLines = lines(r.stderr)
        expect(errLines).toHaveLength(1)
        expect(errLines[0]).toMatch(/^Error when sending message to topic faults-\d+ with key: null, value: 4 bytes with error: /)
        expect(errLines[0]).toContain(`The broker at ${proxy.bootstrap} closed the connection`)
        // retries (3 here) more attempts after the first, each on a new connection.
        expect(proxy.log.filter((x) => x.apiKey === ApiKey.Produce)).toHaveLength(4)
      },
    )
    expect((await stored(topic)).values).toEqual([])
  })

  it('a broker that drops every Fetch: the consumer fails in one line naming the broker, exit 1', async () => {
    const topic = await freshTopic()
    expect((await runCli(['console-producer', '--topic', topic, '--bootstrap-server', suite.server.bootstrap], { input: INPUT })).code).toBe(0)
    await withProxy(
      (req) => (req.apiKey === ApiKey.Fetch ? 'drop' : 'forward'),
      async (proxy) => {
        const r = await runCli(['console-consumer', '--topic', topic, '--from-beginning', '--bootstrap-server', proxy.bootstrap])
        expect(r.code).toBe(1)
        expect(r.out).toBe('')
        const errLines = lines(r.stderr.replace(/Processed a total of \d+ messages\n/, ''))
        expect(errLines).toEqual([`The broker at ${proxy.bootstrap} closed the connection (bootstrap servers: ${proxy.bootstrap})`])
      },
    )
  })
})
