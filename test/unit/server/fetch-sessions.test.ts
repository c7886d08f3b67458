import { describe, expect, it } from 'vitest'

import { FetchSessionCache } from '../../../src/server/fetch-sessions.js'
import type { FetchRequest } from '../../../src/protocol/messages/fetch.js'

// The server's fetch-session cache (KIP-227) on its own: slots, the 2-minute eviction of the least
// recently used session, and the cap on the partitions all sessions hold. Fetch over the wire is in
// test/integration/server-fetch-versions.test.ts.

const FETCH_SESSION_ID_NOT_FOUND = 70

function request(sessionId: number, sessionEpoch: number, partitions: number[]): FetchRequest {
  return {
    clusterId: null,
    replicaId: -1,
    replicaState: { replicaId: -1, replicaEpoch: -1 },
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    sessionId,
    sessionEpoch,
    topics: [
      {
        topic: 't',
        topicId: Buffer.alloc(16),
        partitions: partitions.map((partition) => ({
          partition,
          currentLeaderEpoch: -1,
          fetchOffset: 0,
          lastFetchedEpoch: -1,
          logStartOffset: -1,
          partitionMaxBytes: 1024,
          replicaDirectoryId: Buffer.alloc(16),
          highWatermark: -1,
        })),
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  }
}

/** Opens a session of these partitions; its id (0: none was opened). */
function open(cache: FetchSessionCache, partitions: number[]): number {
  const ctx = cache.context(request(0, 0, partitions), false)
  if (!ctx.ok) throw ctx.error
  return ctx.sessionId
}

const alive = (cache: FetchSessionCache, id: number) => {
  const ctx = cache.context(request(id, 1, []), false)
  return ctx.ok || ctx.error.code !== FETCH_SESSION_ID_NOT_FOUND
}

describe('FetchSessionCache', () => {
  it('with 0 slots keeps no session: every fetch is served without one', () => {
    const cache = new FetchSessionCache(0)
    expect(open(cache, [0])).toBe(0)
    expect(cache.size).toBe(0)
  })

  it('when full, a new session takes the slot of the least recently used one only once it has been idle for 2 minutes', () => {
    let now = 0
    const cache = new FetchSessionCache(2, () => now)
    const a = open(cache, [0])
    now = 1000
    const b = open(cache, [1])
    expect([a, b].every((id) => id > 0)).toBe(true)
    now = 100_000
    expect(open(cache, [2])).toBe(0) // both used in the last 2 minutes
    now = 120_000 // a is idle for 2 minutes, b not quite
    const c = open(cache, [3])
    expect(c).toBeGreaterThan(0)
    expect(alive(cache, a)).toBe(false)
    expect(alive(cache, b)).toBe(true)
    expect(cache.size).toBe(2)
  })

  it('holds at most maxPartitions partitions in all sessions together', () => {
    let now = 0
    const cache = new FetchSessionCache(10, () => now, 5)
    expect(open(cache, [0, 1, 2, 3, 4, 5])).toBe(0) // larger than the whole cache
    const a = open(cache, [0, 1, 2])
    expect(open(cache, [0, 1, 2])).toBe(0) // 6 > 5, and a was just used
    now = 120_000
    expect(open(cache, [0, 1, 2])).toBeGreaterThan(0) // a, idle, gave its partitions up
    expect(alive(cache, a)).toBe(false)
  })

  it('an incremental fetch that forgets every partition closes its session', () => {
    const cache = new FetchSessionCache(10)
    const id = open(cache, [0, 1])
    const req = { ...request(id, 1, []), forgottenTopicsData: [{ topic: 't', topicId: Buffer.alloc(16), partitions: [0, 1] }] }
    const ctx = cache.context(req, false)
    expect(ctx.ok && ctx.sessionId).toBe(0)
    expect(cache.size).toBe(0)
  })
})
