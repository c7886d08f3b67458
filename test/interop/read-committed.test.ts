// Real consumers with isolation.level=read_committed against the broker, over a partition holding
// committed, aborted and open transactions (test/helpers/transactions.ts): librdkafka through kcat and
// through python3-confluent-kafka. They hand out only committed records, stop at the last stable
// offset, and never show a transaction marker; read_uncommitted sees every data record.

import { afterEach, beforeAll, describe, expect, it } from 'vitest'

import { startTestServer, type TestServer } from '../helpers/server.js'
import { TXN_HISTORY, writeTxnHistory } from '../helpers/transactions.js'
import { assertTool, kcatStatus, pythonModuleStatus, run, runPython, skipWithoutTool } from './helpers/tools.js'

const kcat = kcatStatus()
const confluent = pythonModuleStatus('confluent_kafka', 'python3-confluent-kafka')

let server: TestServer | undefined
afterEach(async () => {
  await server?.stop()
  server = undefined
})

async function start(): Promise<TestServer> {
  server = await startTestServer()
  writeTxnHistory(server.broker, 'tx')
  return server
}

describe.skipIf(skipWithoutTool(kcat))('kcat (librdkafka)', () => {
  beforeAll(() => assertTool(kcat))

  it.each([
    ['read_committed', TXN_HISTORY.committed],
    ['read_uncommitted', TXN_HISTORY.uncommitted],
  ])('-X isolation.level=%s', async (level, expected) => {
    const s = await start()
    const r = await run('kcat', ['-C', '-b', s.bootstrap, '-t', 'tx', '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%s\\n', '-X', `isolation.level=${level}`], { timeoutMs: 60_000 })
    expect(r.code).toBe(0)
    expect(r.stdout.toString().split('\n').filter((l) => l !== '')).toEqual(expected)
  })
})

describe.skipIf(skipWithoutTool(confluent))('confluent-kafka (librdkafka)', () => {
  beforeAll(() => assertTool(confluent))

  it.each([
    ['read_committed', TXN_HISTORY.committed, TXN_HISTORY.lastStableOffset],
    ['read_uncommitted', TXN_HISTORY.uncommitted, TXN_HISTORY.highWatermark],
  ])('isolation.level=%s: the records, the end of the partition and the end offset librdkafka lists', async (level, expected, end) => {
    const s = await start()
    const r = await runPython('read_committed.py', [s.bootstrap, 'tx', level], { timeoutMs: 60_000 })
    expect(r.code, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout.toString()) as { values: string[]; eof: boolean; position: number; low: number; high: number }
    expect(out.values).toEqual(expected)
    expect(out.eof).toBe(true)
    // librdkafka stops at the end it was told, and lists it with its isolation level (ListOffsets): the last
    // stable offset for read_committed.
    expect(out.position).toBe(end)
    expect([out.low, out.high]).toEqual([0, end])
  })
})
