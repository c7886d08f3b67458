// kafka-ts groups (Kafka 4's kafka-groups.sh, cli-4.md B.5): every group with its type and protocol,
// embedded and through server-start over the same data directory, the filters and Kafka's option errors.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { runCli } from '../helpers/cli.js'
import { startTestServer, type TestServer } from '../helpers/server.js'

let server: TestServer
const embedded = (...args: string[]) => runCli(['groups', ...args], { dataDir: server.dataDir })
const remote = (...args: string[]) => runCli(['groups', ...args, '--bootstrap-server', server.bootstrap])

beforeAll(async () => {
  server = await startTestServer()
  expect((await runCli(['console-producer', '--topic', 't', '--bootstrap-server', server.bootstrap], { input: 'a\n' })).code).toBe(0)
  // A consumer group that joined (protocol consumer) and one that only holds committed offsets (protocol '').
  const joined = await runCli(['console-consumer', '--topic', 't', '--group', 'readers', '--from-beginning', '--max-messages', '1', '--bootstrap-server', server.bootstrap])
  expect(joined.code).toBe(0)
  expect((await runCli(['consumer-groups', '--reset-offsets', '--group', 'parked', '--topic', 't', '--to-earliest', '--execute'], { dataDir: server.dataDir })).code).toBe(0)
}, 60_000)

afterAll(async () => {
  await server?.stop()
})

const table = (rows: [string, string, string][]) =>
  `${'GROUP'.padEnd(20)} ${'TYPE'.padEnd(20)} ${'PROTOCOL'.padEnd(20)}\n` + rows.map((r) => r.map((v) => `${v.padEnd(20)} `).join('') + '\n').join('')

describe('groups --list', () => {
  it('lists every group with its type and protocol, the same embedded and remote', async () => {
    const [e, r] = await Promise.all([embedded('--list'), remote('--list')])
    expect(e.code).toBe(0)
    const lines = e.out.split('\n')
    expect(lines[0]).toBe(`${'GROUP'.padEnd(20)} ${'TYPE'.padEnd(20)} ${'PROTOCOL'.padEnd(20)}`)
    expect(lines.slice(1, -1).sort()).toEqual([`${'parked'.padEnd(20)} ${'Classic'.padEnd(20)} ${''.padEnd(20)} `, `${'readers'.padEnd(20)} ${'Classic'.padEnd(20)} ${'consumer'.padEnd(20)} `])
    expect({ code: r.code, rows: r.out.split('\n').sort() }).toEqual({ code: 0, rows: e.out.split('\n').sort() })
  })

  it('filters by type and protocol on the client side, as Kafka\'s tool does', async () => {
    expect((await embedded('--list', '--protocol', 'consumer')).out).toBe(table([['readers', 'Classic', 'consumer']]))
    expect((await embedded('--list', '--group-type', 'CLASSIC', '--protocol', '')).out).toBe(table([['parked', 'Classic', '']]))
    expect((await embedded('--list', '--share')).out).toBe(table([]))
    expect((await embedded('--list', '--consumer')).out.split('\n')).toHaveLength(4)
  })

  it.each([
    [[], 'Command must include exactly one action: --list.'],
    [['--list', '--consumer', '--share'], 'Option "[consumer]" can\'t be used with option "[share]"'],
    [['--list', '--streams', '--group-type', 'classic'], 'Option "[streams]" can\'t be used with option "[group-type]"'],
    [['--list', '--group-type', 'fancy'], '--group-type must be a valid group type.'],
  ])('refuses %j', async (args, message) => {
    const r = await embedded(...args)
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(message)
    expect(r.out).toBe('')
  })
})
