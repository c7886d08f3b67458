import { describe, expect, it } from 'vitest'

import { cooperativeStickyAssign, cooperativeStickyUserData, type StickyMember } from '../../../../src/broker/groups/cooperative-sticky-assignor.js'

const member = (memberId: string, owned: number[] = [], generationId = -1, topics = ['t']): StickyMember => ({
  memberId,
  groupInstanceId: null,
  topics,
  ownedPartitions: owned.length === 0 ? [] : [{ topic: 't', partitions: owned }],
  generationId,
})
const counts = new Map([['t', 6]])
const partitionsOf = (a: Map<string, readonly { topic: string; partitions: readonly number[] }[]>, id: string) => (a.get(id) ?? []).flatMap((t) => t.partitions)

describe('cooperative-sticky (leader side)', () => {
  it('balances a group that owns nothing: every partition once, two each', () => {
    const a = cooperativeStickyAssign([member('a'), member('b'), member('c')], counts)
    expect(['a', 'b', 'c'].map((id) => partitionsOf(a, id).length)).toEqual([2, 2, 2])
    expect(['a', 'b', 'c'].flatMap((id) => partitionsOf(a, id)).sort()).toEqual([0, 1, 2, 3, 4, 5])
  })

  it('keeps owned partitions within the quota and withholds the ones another member must revoke first', () => {
    const a = cooperativeStickyAssign([member('a', [0, 1, 2, 3], 3), member('b', [4, 5], 3), member('c')], counts)
    expect(partitionsOf(a, 'a')).toEqual([0, 1])
    expect(partitionsOf(a, 'b')).toEqual([4, 5])
    // 2 and 3 move to c, but only after a has given them up (the next rebalance).
    expect(partitionsOf(a, 'c')).toEqual([])
  })

  it('gives a partition claimed twice to the claim of the newer generation', () => {
    const a = cooperativeStickyAssign([member('a', [0], 5), member('b', [0], 4)], new Map([['t', 2]]))
    expect(partitionsOf(a, 'a')).toEqual([0])
    expect(partitionsOf(a, 'b')).toEqual([1])
  })

  it('writes its generation as Java does: one int32', () => {
    expect(cooperativeStickyUserData(7)).toEqual(Buffer.from([0, 0, 0, 7]))
    expect(cooperativeStickyUserData(-1)).toEqual(Buffer.from([0xff, 0xff, 0xff, 0xff]))
  })
})
