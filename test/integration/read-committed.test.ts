// Reading transactional data: the console consumer (embedded and remote) with read_committed and
// read_uncommitted, and the server's Fetch and ListOffsets with isolation_level 1 over the wire, on a
// partition holding committed, aborted and open transactions (test/helpers/transactions.ts).

import { afterEach, describe, expect, it } from 'vitest'

import { openBroker } from '../../src/broker/open-broker.js'
import { ApiKey } from '../../src/protocol/api-keys.js'
import { forEachRecord } from '../../src/protocol/batch-records.js'
import { decodeFetchResponse, encodeFetchRequest, type FetchResponse } from '../../src/protocol/messages/fetch.js'
import { decodeListOffsetsResponse, encodeListOffsetsRequest } from '../../src/protocol/messages/list-offsets.js'
import { readBatchHeader, splitBatches } from '../../src/protocol/record-batch.js'
import { tempDir } from '../helpers/cli.js'
import { RawConnection } from '../helpers/raw-client.js'
import { startTestServer, type TestServer } from '../helpers/server.js'
import { TXN_HISTORY, writeTxnHistory } from '../helpers/transactions.js'
import { consume, lines } from './fixtures/console.js'

let cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanups.reverse()) await c()
  cleanups = []
})

function historyDir(): string {
  const { dir, cleanup } = tempDir()
  cleanups.push(cleanup)
  const broker = openBroker({ dataDir: dir, initialize: 'auto' })
  try {
    writeTxnHistory(broker, 'tx')
  } finally {
    broker.close()
  }
  return dir
}

/** A server over a partition with TXN_HISTORY, and the history's producer ids. */
async function server(): Promise<TestServer & { producerIds: number[] }> {
  const s = await startTestServer()
  cleanups.push(() => s.stop())
  return Object.assign(s, { producerIds: writeTxnHistory(s.broker, 'tx') })
}

describe('console-consumer on transactional data (embedded)', () => {
  it.each([
    [['--isolation-level', 'read_committed'], TXN_HISTORY.committed],
    [['--command-property', 'isolation.level=read_committed'], TXN_HISTORY.committed],
    [['--isolation-level', 'read_uncommitted'], TXN_HISTORY.uncommitted],
    [[], TXN_HISTORY.uncommitted],
    // The flag goes over the property, as Kafka merges it.
    [['--command-property', 'isolation.level=read_committed', '--isolation-level', 'read_uncommitted'], TXN_HISTORY.uncommitted],
  ])('%j prints only what the isolation level lets through, never a control record', async (args, expected) => {
    const dir = historyDir()
    const c = await consume(dir, '--topic', 'tx', '--from-beginning', ...args, '--timeout-ms', '300')
    expect(c.code).toBe(0)
    expect(lines(c.out)).toEqual(expected)
    expect(c.stderr).toContain(`Processed a total of ${expected.length} messages\n`)
  })

  it('refuses an isolation level Kafka does not know, in one line', async () => {
    const dir = historyDir()
    const c = await consume(dir, '--topic', 'tx', '--isolation-level', 'READ_COMMITTED', '--timeout-ms', '100')
    expect(c.code).toBe(1)
    expect(c.stderr).toContain('Invalid value READ_COMMITTED for configuration isolation.level: String must be one of: read_committed, read_uncommitted')
  })
})

describe('console-consumer on transactional data (remote)', () => {
  it.each([
    ['read_committed', TXN_HISTORY.committed],
    ['read_uncommitted', TXN_HISTORY.uncommitted],
  ])('--bootstrap-server with --isolation-level %s', async (level, expected) => {
    const s = await server()
    const c = await consume(s.dataDir, '--bootstrap-server', s.bootstrap, '--topic', 'tx', '--from-beginning', '--isolation-level', level, '--timeout-ms', '1500')
    expect(c.code).toBe(0)
    expect(lines(c.out)).toEqual(expected)
  })
})

describe('Fetch and ListOffsets with isolation_level 1 over the wire', () => {
  async function fetch(conn: RawConnection, s: TestServer, version: number, isolationLevel: number, fetchOffset = 0, maxWaitMs = 0): Promise<FetchResponse> {
    const topic = version >= 13 ? { topicId: s.broker.requireTopic('tx').uuid } : { topic: 'tx' }
    return conn.request(
      ApiKey.Fetch,
      version,
      (w, v) =>
        encodeFetchRequest(w, v, {
          maxWaitMs,
          minBytes: 1,
          maxBytes: 1 << 20,
          isolationLevel,
          topics: [{ ...topic, partitions: [{ partition: 0, fetchOffset, partitionMaxBytes: 1 << 20 }] }],
        }),
      decodeFetchResponse,
    )
  }

  /** The values of the data records in a records section, and a '<marker>' for each control batch. */
  function values(records: Buffer | null): string[] {
    const out: string[] = []
    if (records === null) return out
    for (const b of splitBatches(records).batches) {
      if (readBatchHeader(b).isControl) out.push('<marker>')
      else forEachRecord(b, (r) => void out.push(r.value()?.toString() ?? ''))
    }
    return out
  }

  it.each([4, 11, 13, 17])('Fetch v%i: read_committed stops at the last stable offset and lists the aborted transaction; read_uncommitted does not', async (version) => {
    const s = await server()
    const conn = await RawConnection.open(s.port)
    cleanups.push(() => conn.close())
    const p2 = s.producerIds[1]
    const committed = (await fetch(conn, s, version, 1)).responses[0]?.partitions[0]
    expect(committed).toMatchObject({ errorCode: 0, highWatermark: TXN_HISTORY.highWatermark, lastStableOffset: TXN_HISTORY.lastStableOffset })
    expect(committed?.abortedTransactions).toEqual([{ producerId: p2, firstOffset: TXN_HISTORY.abortedFirstOffset }])
    // The records section holds whole batches below the LSO, markers and aborted batches included: the client filters.
    expect(values(committed?.records ?? null)).toEqual(['p0', 'c1', 'c2', 'a1', '<marker>', 'a2', '<marker>', 'p1'])
    const uncommitted = (await fetch(conn, s, version, 0)).responses[0]?.partitions[0]
    expect(uncommitted).toMatchObject({ errorCode: 0, highWatermark: TXN_HISTORY.highWatermark, lastStableOffset: TXN_HISTORY.lastStableOffset, abortedTransactions: null })
    // Past the aborted transaction's marker nothing is listed.
    const later = (await fetch(conn, s, version, 1, 7)).responses[0]?.partitions[0]
    expect(later?.abortedTransactions).toEqual([])
    expect(values(later?.records ?? null)).toEqual(['p1'])
  })

  it('ListOffsets v2+ with isolation_level 1 answers latest with the last stable offset', async () => {
    const s = await server()
    const conn = await RawConnection.open(s.port)
    cleanups.push(() => conn.close())
    const latest = async (isolationLevel: number) => {
      const res = await conn.request(
        ApiKey.ListOffsets,
        7,
        (w, v) => encodeListOffsetsRequest(w, v, { replicaId: -1, isolationLevel, topics: [{ name: 'tx', partitions: [{ partitionIndex: 0, timestamp: -1 }] }] }),
        decodeListOffsetsResponse,
      )
      return res.topics[0]?.partitions[0]?.offset
    }
    expect(await latest(1)).toBe(TXN_HISTORY.lastStableOffset)
    expect(await latest(0)).toBe(TXN_HISTORY.highWatermark)
  })

  it('a read_committed long poll at the last stable offset wakes when the open transaction is committed', async () => {
    const s = await server()
    const conn = await RawConnection.open(s.port)
    cleanups.push(() => conn.close())
    const row = s.broker.requireTopic('tx')
    const open = s.broker.openTxns(row, 0)
    if (!open.ok) throw open.error
    const producerId = open.value[0]?.producerId ?? -1
    // Data past the LSO exists already: only the marker can satisfy this fetch before its 60 s wait.
    const waiting = fetch(conn, s, 12, 1, TXN_HISTORY.lastStableOffset, 60_000)
    setImmediate(() => s.broker.writeTxnMarkers([{ topic: row, partition: 0 }], { producerId, producerEpoch: 0, commit: true, coordinatorEpoch: 0 }, 'commit'))
    const answer = (await waiting).responses[0]?.partitions[0]
    expect(answer).toMatchObject({ errorCode: 0, highWatermark: TXN_HISTORY.highWatermark + 1, lastStableOffset: TXN_HISTORY.highWatermark + 1, abortedTransactions: [] })
    expect(values(answer?.records ?? null)).toContain('open1')
  })
})
