import { describe, expect, it } from 'vitest'

import { FetchSessionHandler, type WantedPartition } from '../../../src/client/remote/fetch-session.js'

// The remote consumer's side of a fetch session (KIP-227), as Java's FetchSessionHandler builds requests:
// full first, then only what changed and what is forgotten; a session error or a lost answer starts over.
// The exchange with a real broker is in test/integration/remote-metadata.test.ts and server-fetch-versions.

const A = Buffer.alloc(16, 1)
const B = Buffer.alloc(16, 2)
const at = (topic: string, topicId: Buffer, partition: number, offset: number, leaderEpoch = 0): WantedPartition => ({ topic, topicId, partition, offset, leaderEpoch })
const named = (req: ReturnType<FetchSessionHandler['next']>) => req.topics.flatMap((t) => t.partitions.map((p) => `${t.topic}-${p.partition}@${p.fetchOffset}/${p.currentLeaderEpoch}`))
const forgotten = (req: ReturnType<FetchSessionHandler['next']>) => req.forgottenTopicsData.flatMap((t) => t.partitions.map((p) => `${t.topic}-${p}`))

describe('FetchSessionHandler', () => {
  it('asks in full first, then names only the partitions whose offset or leader epoch moved, and forgets the ones no longer wanted', () => {
    const s = new FetchSessionHandler(1024)
    let req = s.next([at('a', A, 0, 5), at('a', A, 1, 7), at('b', B, 0, 0)])
    expect([req.sessionId, req.sessionEpoch]).toEqual([0, 0])
    expect(named(req)).toEqual(['a-0@5/0', 'a-1@7/0', 'b-0@0/0'])
    expect(req.topics[0]?.partitions[0]?.partitionMaxBytes).toBe(1024)
    expect(s.answered(0, 42)).toBe(true)

    req = s.next([at('a', A, 0, 6), at('a', A, 1, 7), at('b', B, 0, 0, 3)])
    expect([req.sessionId, req.sessionEpoch]).toEqual([42, 1])
    expect(named(req)).toEqual(['a-0@6/0', 'b-0@0/3'])
    expect(forgotten(req)).toEqual([])
    s.answered(0, 42)

    req = s.next([at('a', A, 0, 6)])
    expect(req.sessionEpoch).toBe(2)
    expect(named(req)).toEqual([])
    expect(forgotten(req)).toEqual(['a-1', 'b-0'])
    expect(req.forgottenTopicsData.map((t) => t.topicId)).toEqual([A, B])
    s.answered(0, 42)

    // Wanted again after being forgotten: named again.
    req = s.next([at('a', A, 0, 6), at('a', A, 1, 9)])
    expect([req.sessionEpoch, ...named(req)]).toEqual([3, 'a-1@9/0'])
  })

  /** A handler in session 42 whose last Fetch (at `offset`) is still out. */
  function inSession(offset: number): FetchSessionHandler {
    const s = new FetchSessionHandler(1024)
    s.next([at('a', A, 0, 5)])
    s.answered(0, 42)
    s.next([at('a', A, 0, offset)])
    return s
  }

  it.each([70, 71, 106])('after session error %i, the next Fetch is full again, closing the old session', (code) => {
    const s = inSession(5)
    expect(s.answered(code, 0)).toBe(false)
    const req = s.next([at('a', A, 0, 5)])
    expect([req.sessionId, req.sessionEpoch, ...named(req)]).toEqual([42, 0, 'a-0@5/0'])
  })

  it('after a Fetch that got no answer, the next one is full again', () => {
    const s = inSession(6)
    s.failed()
    const req = s.next([at('a', A, 0, 6)])
    expect([req.sessionId, req.sessionEpoch, ...named(req)]).toEqual([42, 0, 'a-0@6/0'])
  })

  it('stays full against a broker that opens no session (id 0)', () => {
    const s = new FetchSessionHandler(1024)
    s.next([at('a', A, 0, 5)])
    s.answered(0, 0)
    const req = s.next([at('a', A, 0, 5)])
    expect([req.sessionId, req.sessionEpoch, ...named(req)]).toEqual([0, 0, 'a-0@5/0'])
  })
})
