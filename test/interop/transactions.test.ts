import { spawn } from 'node:child_process'
import path from 'node:path'

import { afterEach, beforeAll, describe, expect, it } from 'vitest'

import { RecordBatchBuilder } from '../../src/protocol/record-batch-builder.js'
import { startTestServer, type TestServer } from '../helpers/server.js'
import { HELPERS_DIR, PYTHON, assertTool, pythonModuleStatus, runPython, skipWithoutTool } from './helpers/tools.js'

// confluent-kafka's transactional producer (librdkafka 2.x: transaction protocol 1 — AddPartitionsToTxn,
// AddOffsetsToTxn, TxnOffsetCommit, EndTxn) and its read_committed / read_uncommitted consumers against the
// broker: commit and abort, a zombie fenced, a transaction left open aborted after its timeout, and a
// consume-transform-produce loop with send_offsets_to_transaction SIGKILLed mid-way and restarted.

const confluent = pythonModuleStatus('confluent_kafka', 'python3-confluent-kafka')

let server: TestServer | undefined
afterEach(async () => {
  await server?.stop()
  server = undefined
})

async function start(topics: Record<string, number>, props: Record<string, string> = {}): Promise<TestServer> {
  server = await startTestServer({ props: { 'group.initial.rebalance.delay.ms': '0', ...props } })
  const created = server.broker.createTopics(Object.entries(topics).map(([name, numPartitions]) => ({ name, numPartitions, replicationFactor: -1, configs: new Map() })))
  expect(created.every((c) => c.ok)).toBe(true)
  return server
}

async function scenario<T>(mode: string, s: TestServer, topic: string): Promise<T> {
  const r = await runPython('confluent_transactions.py', [mode, s.bootstrap, topic])
  expect(r.code, r.stderr).toBe(0)
  return JSON.parse(r.stdout.toString('utf8')) as T
}

interface TxnError {
  name: string
  fatal: boolean
  abortable: boolean
}

describe.skipIf(skipWithoutTool(confluent))('confluent-kafka (librdkafka) transactions', () => {
  beforeAll(() => assertTool(confluent))

  it('commit and abort: read_committed sees only committed records, read_uncommitted sees both', async () => {
    const s = await start({ orders: 1 })
    expect(await scenario('commit-abort', s, 'orders')).toEqual({ committed: ['c1', 'c2', 'c3'], uncommitted: ['c1', 'c2', 'a1', 'c3'] })
  })

  it('a zombie producer is fenced when a new producer initializes the same transactional.id', async () => {
    const s = await start({ fenced: 1 })
    const out = await scenario<{ zombieCommit: TxnError | null; committed: string[]; uncommitted: string[] }>('zombie', s, 'fenced')
    expect(out.zombieCommit).toMatchObject({ fatal: true })
    expect(out.zombieCommit?.name).toMatch(/_FENCED|INVALID_PRODUCER_EPOCH/)
    expect(out.committed).toEqual(['fresh'])
    expect(out.uncommitted).toEqual(['zombie', 'fresh'])
  })

  it('a transaction left open is aborted after transaction.timeout.ms; the late commit fails', async () => {
    const s = await start({ stuck: 1 }, { 'transaction.abort.timed.out.transaction.cleanup.interval.ms': '100' })
    const out = await scenario<{ committed: string[]; lateCommit: TxnError | null }>('timeout', s, 'stuck')
    expect(out.committed).toEqual(['after'])
    expect(out.lateCommit).not.toBeNull()
    expect(s.logs.some((l) => l.includes('Completed rollback of ongoing transaction for transactionalId py-stuck-tx'))).toBe(true)
  })

  it('send_offsets_to_transaction in a consume-transform-produce loop SIGKILLed mid-way and restarted: each output once, offsets at the end', async () => {
    const s = await start({ in: 2, out: 1 })
    const inputs = Array.from({ length: 16 }, (_, i) => `v${i}`)
    const row = s.broker.requireTopic('in')
    for (const [i, v] of inputs.entries()) {
      const b = new RecordBatchBuilder()
      b.append(Date.now(), Buffer.from(`k${i}`), Buffer.from(v))
      const [r] = s.broker.produce([{ topic: row, partition: i % 2, batch: b.build() }], 'commit')
      expect(r?.ok).toBe(true)
    }
    const loop = (killAt?: string) =>
      new Promise<{ signal: NodeJS.Signals | null; code: number | null; out: string }>((resolve) => {
        const child = spawn(PYTHON, [path.join(HELPERS_DIR, 'confluent_transactions.py'), 'transform', s.bootstrap, 'in', 'out', 'py-eos-tx', 'py-eos-group'], {
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
        })
        let out = ''
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString()
          if (killAt !== undefined && out.split('\n').includes(killAt)) child.kill('SIGKILL')
        })
        child.stderr.on('data', (c: Buffer) => (out += c.toString()))
        child.on('exit', (code, signal) => resolve({ code, signal, out }))
      })
    expect((await loop('sent 3')).signal).toBe('SIGKILL')
    const second = await loop()
    expect(second.code, second.out).toBe(0)
    expect(second.out).toContain('done')

    const outputs = await scenario<string[]>('read-committed', s, 'out')
    expect([...outputs].sort()).toEqual(inputs.map((v) => `${v}!`).sort())
    const committed = s.broker.groups.fetchOffsets({ groupId: 'py-eos-group', topics: [{ name: 'in', partitions: [0, 1] }] })
    expect(committed.topics[0]?.partitions.map((p) => p.offset)).toEqual([8, 8])
  }, 90_000)
})
