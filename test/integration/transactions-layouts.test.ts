import { afterEach, describe, expect, it } from 'vitest'

import { RecordBatchBuilder } from '../../src/protocol/record-batch-builder.js'
import { runCli } from '../helpers/cli.js'
import { startTestServer, type TestServer } from '../helpers/server.js'

// `kafka-ts transactions` (kafka-transactions.sh): every sub-command's layout and outcome, with
// --bootstrap-server against a running server and embedded on the same data directory, which shares the
// coordinator's state with it. Kafka's layouts: every cell padded and followed by a TAB. (Command-line
// errors and a real client's transaction: transactions-command.test.ts.)

let server: TestServer | undefined
afterEach(async () => {
  await server?.stop()
  server = undefined
})

/** A server with topic t (1 partition): transactional id 'done-tx' committed, 'open-tx' with a transaction open on t-0. */
async function withTransactions(): Promise<{ s: TestServer; open: { producerId: number; producerEpoch: number }; done: { producerId: number } }> {
  const s = (server = await startTestServer())
  expect(s.broker.createTopics([{ name: 't', numPartitions: 1, replicationFactor: -1, configs: new Map() }])[0]?.ok).toBe(true)
  const topic = s.broker.requireTopic('t')
  const tx = s.broker.transactions
  const run = (id: string, commit: boolean | undefined) => {
    const p = tx.initProducerId(id, 60000, -1, -1)
    expect(tx.addPartitions({ transactionalId: id, ...p }, [{ topic, partition: 0 }], 0)).toBeUndefined()
    const b = new RecordBatchBuilder()
    b.append(Date.now(), null, Buffer.from(id))
    const [r] = s.broker.produce([{ topic, partition: 0, batch: b.build({ producerId: p.producerId, producerEpoch: p.producerEpoch, baseSequence: 0, isTransactional: true }) }], 'commit')
    expect(r?.ok).toBe(true)
    if (commit !== undefined) expect(tx.endTxn({ transactionalId: id, ...p, commit, transactionVersion: 0 }).error).toBeUndefined()
    return p
  }
  const done = run('done-tx', true)
  const open = run('open-tx', undefined)
  return { s, open, done }
}

const cells = (line: string | undefined) => (line ?? '').split('\t').slice(0, -1).map((c) => c.trimEnd())

describe.each([
  ['remote', (s: TestServer) => ['--bootstrap-server', s.bootstrap]],
  ['embedded', (s: TestServer) => ['--data-dir', s.dataDir]],
])('transactions (%s)', (_mode, connection) => {
  it('list: one row per transactional id with the node that answered, padded cells each followed by a TAB', async () => {
    const { s, open, done } = await withTransactions()
    const r = await runCli(['transactions', ...connection(s), 'list'])
    expect(r.code, r.stderr).toBe(0)
    const lines = r.out.replace(/\n$/, '').split('\n')
    expect(lines[0]).toBe('TransactionalId\tCoordinator\tProducerId\tTransactionState\t')
    expect(lines.slice(1).map(cells).sort()).toEqual(
      [
        ['done-tx', String(s.broker.nodeId), String(done.producerId), 'CompleteCommit'],
        ['open-tx', String(s.broker.nodeId), String(open.producerId), 'Ongoing'],
      ].sort(),
    )
    expect(lines.every((l) => l.endsWith('\t') && l.split('\t').length === 5)).toBe(true)
    const filtered = await runCli(['transactions', ...connection(s), 'list', '--transactional-id-pattern', 'open-.*'])
    expect(filtered.out.replace(/\n$/, '').split('\n').slice(1).map(cells)).toEqual([['open-tx', String(s.broker.nodeId), String(open.producerId), 'Ongoing']])
  })

  it('describe: the open transaction with its partitions; an unknown id fails with Kafka\'s line', async () => {
    const { s, open } = await withTransactions()
    const r = await runCli(['transactions', ...connection(s), 'describe', '--transactional-id', 'open-tx'])
    expect(r.code, r.stderr).toBe(0)
    const [header, row] = r.out.replace(/\n$/, '').split('\n')
    expect(cells(header)).toEqual([
      'CoordinatorId',
      'TransactionalId',
      'ProducerId',
      'ProducerEpoch',
      'TransactionState',
      'TransactionTimeoutMs',
      'CurrentTransactionStartTimeMs',
      'TransactionDurationMs',
      'TopicPartitions',
    ])
    const values = cells(row)
    expect(values.slice(0, 6)).toEqual([String(s.broker.nodeId), 'open-tx', String(open.producerId), String(open.producerEpoch), 'Ongoing', '60000'])
    expect(Number(values[6])).toBeGreaterThan(0)
    expect(Number(values[7])).toBeGreaterThanOrEqual(0)
    expect(values[8]).toBe('t-0')
    const done = await runCli(['transactions', ...connection(s), 'describe', '--transactional-id', 'done-tx'])
    expect(cells(done.out.replace(/\n$/, '').split('\n')[1]).slice(4)).toEqual(['CompleteCommit', '60000', 'None', 'None', ''])
    const missing = await runCli(['transactions', ...connection(s), 'describe', '--transactional-id', 'nobody'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toBe(
      'Failed to describe transaction state of transactional-id `nobody`: The transactionalId could not be found.. Enable debug logging for additional detail.\n',
    )
  })

  it('describe-producers: the partition\'s producers with the open transaction\'s start offset', async () => {
    const { s, open, done } = await withTransactions()
    const r = await runCli(['transactions', ...connection(s), 'describe-producers', '--topic', 't', '--partition', '0'])
    expect(r.code, r.stderr).toBe(0)
    const lines = r.out.replace(/\n$/, '').split('\n')
    expect(cells(lines[0])).toEqual(['ProducerId', 'ProducerEpoch', 'LatestCoordinatorEpoch', 'LastSequence', 'LastTimestamp', 'CurrentTransactionStartOffset'])
    const rows = new Map(lines.slice(1).map(cells).map((c) => [c[0], c]))
    expect(rows.get(String(done.producerId))?.[5]).toBe('None')
    expect(rows.get(String(open.producerId))?.slice(1, 4)).toEqual([String(open.producerEpoch), '-1', '0'])
    expect(rows.get(String(open.producerId))?.[5]).toBe('2') // after done-tx's record and COMMIT marker
    const missing = await runCli(['transactions', ...connection(s), 'describe-producers', '--topic', 'nope', '--partition', '0'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/^Failed to describe producers for partition nope-0 on leader: .*\. Enable debug logging for additional detail\.\n$/)
  })

  it('abort --start-offset: the hanging transaction gets its ABORT marker and the LSO moves on; bad identifications fail with Kafka\'s lines', async () => {
    const { s } = await withTransactions()
    const row = s.broker.requireTopic('t')
    const lso = () => {
      const r = s.broker.stableOffsets(row, 0)
      return r.ok ? r.value : undefined
    }
    expect(lso()).toMatchObject({ lastStableOffset: 2, highWatermark: 3 })
    const none = await runCli(['transactions', ...connection(s), 'abort', '--topic', 't', '--partition', '0'])
    expect(none.code).toBe(1)
    expect(none.stderr).toBe(
      'The transaction to abort must be identified either with --start-offset (for brokers on 3.0 or above) or with --producer-id, --producer-epoch, and --coordinator-epoch (for older brokers)\n',
    )
    const noEpoch = await runCli(['transactions', ...connection(s), 'abort', '--topic', 't', '--partition', '0', '--producer-id', '5'])
    expect(noEpoch.stderr).toBe('Missing required argument --producer-epoch\n')
    const wrong = await runCli(['transactions', ...connection(s), 'abort', '--topic', 't', '--partition', '0', '--start-offset', '1'])
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toBe('Could not find any open transactions starting at offset 1 on partition t-0\n')
    expect(lso()).toMatchObject({ lastStableOffset: 2, highWatermark: 3 })
    const r = await runCli(['transactions', ...connection(s), 'abort', '--topic', 't', '--partition', '0', '--start-offset', '2'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.out).toBe('')
    expect(lso()).toMatchObject({ lastStableOffset: 4, highWatermark: 4 })
  })

  it('find-hanging: an open transaction no coordinator knows is listed; one the coordinator tracks is not', async () => {
    const { s, open } = await withTransactions()
    const row = s.broker.requireTopic('t')
    // A producer that wrote transactionally with no coordinator involved, 20 minutes ago (its batch timestamp).
    const stray = s.broker.initProducerId().producerId
    const b = new RecordBatchBuilder()
    const then = Date.now() - 20 * 60_000
    b.append(then, null, Buffer.from('stray'))
    const [r] = s.broker.produce([{ topic: row, partition: 0, batch: b.build({ producerId: stray, producerEpoch: 0, baseSequence: 0, isTransactional: true }) }], 'commit')
    expect(r?.ok).toBe(true)
    const none = await runCli(['transactions', ...connection(s), 'find-hanging'])
    expect(none.code).toBe(1)
    expect(none.stderr).toBe('The `find-hanging` command requires either --topic or --broker-id to limit the scope of the search\n')
    const found = await runCli(['transactions', ...connection(s), 'find-hanging', '--topic', 't', '--max-transaction-timeout', '0'])
    expect(found.code, found.stderr).toBe(0)
    const lines = found.out.replace(/\n$/, '').split('\n')
    expect(cells(lines[0])).toEqual(['Topic', 'Partition', 'ProducerId', 'ProducerEpoch', 'CoordinatorEpoch', 'StartOffset', 'LastTimestamp', 'Duration(min)'])
    expect(lines.slice(1).map(cells)).toEqual([['t', '0', String(stray), '0', '-1', '3', String(then), '20']])
    expect(lines.slice(1).map((l) => cells(l)[2])).not.toContain(String(open.producerId))
    const byBroker = await runCli(['transactions', ...connection(s), 'find-hanging', '--broker-id', String(s.broker.nodeId)])
    expect(byBroker.out.replace(/\n$/, '').split('\n').slice(1).map(cells)).toEqual([['t', '0', String(stray), '0', '-1', '3', String(then), '20']])
  })

  it('forceTerminateTransaction: the open transaction is aborted and its producer fenced', async () => {
    const { s, open } = await withTransactions()
    const r = await runCli(['transactions', ...connection(s), 'forceTerminateTransaction', '--transactionalId', 'open-tx'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.out).toBe('')
    expect(s.broker.transactions.describe('open-tx')).toMatchObject({ state: 'Empty', producerId: open.producerId, producerEpoch: open.producerEpoch + 2 })
    const stable = s.broker.stableOffsets(s.broker.requireTopic('t'), 0)
    expect(stable.ok && stable.value).toMatchObject({ lastStableOffset: 4, highWatermark: 4 })
    const missing = await runCli(['transactions', ...connection(s), 'forceTerminateTransaction'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('kafka-transactions.sh forceTerminateTransaction: error: argument --transactionalId is required\n')
  })
})
