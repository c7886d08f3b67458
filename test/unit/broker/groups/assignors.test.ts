// The range and roundrobin assignors against results worked out by hand from the algorithms in
// protocol.md §10.2 (Java's RangeAssignor / RoundRobinAssignor without racks).

import { describe, expect, it } from 'vitest'
import { ASSIGNORS, rangeAssignor, roundRobinAssignor, type AssignorMember } from '../../../../src/broker/groups/assignors.js'

const member = (memberId: string, topics: string[], groupInstanceId: string | null = null): AssignorMember => ({ memberId, groupInstanceId, topics })
const plain = (m: Map<string, { topic: string; partitions: readonly number[] }[]>) => Object.fromEntries(m)

describe('range', () => {
  it('gives each member a contiguous range per topic, the first P mod C members one extra', () => {
    const result = rangeAssignor.assign([member('m3', ['t']), member('m1', ['t', 'u']), member('m2', ['t', 'u'])], new Map([['t', 7], ['u', 2]]))
    // t: 7 over m1, m2, m3 → 3, 2, 2. u: 2 over m1, m2 → 1, 1.
    expect(plain(result)).toEqual({
      m3: [{ topic: 't', partitions: [5, 6] }],
      m1: [
        { topic: 't', partitions: [0, 1, 2] },
        { topic: 'u', partitions: [0] },
      ],
      m2: [
        { topic: 't', partitions: [3, 4] },
        { topic: 'u', partitions: [1] },
      ],
    })
  })

  it('orders members with a group.instance.id first (by it), then by member id; surplus members get nothing', () => {
    const result = rangeAssignor.assign([member('a', ['t']), member('z', ['t'], 'instance-2'), member('y', ['t'], 'instance-1')], new Map([['t', 2]]))
    expect(plain(result)).toEqual({ y: [{ topic: 't', partitions: [0] }], z: [{ topic: 't', partitions: [1] }], a: [] })
  })

  it('skips topics without partition counts (unknown topics)', () => {
    expect(plain(rangeAssignor.assign([member('m', ['t', 'missing'])], new Map([['t', 1]])))).toEqual({ m: [{ topic: 't', partitions: [0] }] })
  })
})

describe('roundrobin', () => {
  it('deals partitions sorted by topic and number around the sorted members, skipping non-subscribers', () => {
    const result = roundRobinAssignor.assign([member('c', ['u']), member('b', ['t', 'u']), member('a', ['t', 'u'])], new Map([['t', 3], ['u', 2]]))
    // t0→a, t1→b, t2→(c skipped)→a, u0→b, u1→c
    expect(plain(result)).toEqual({
      c: [{ topic: 'u', partitions: [1] }],
      b: [
        { topic: 't', partitions: [1] },
        { topic: 'u', partitions: [0] },
      ],
      a: [{ topic: 't', partitions: [0, 2] }],
    })
  })

  it('has nothing to do without members', () => {
    expect(roundRobinAssignor.assign([], new Map([['t', 3]])).size).toBe(0)
  })
})

it('is found by the protocol names Java uses', () => {
  expect([...ASSIGNORS.keys()]).toEqual(['range', 'roundrobin'])
})
