import { compareMembers, type GroupAssignment, type TopicAssignment } from './assignors.js'

// The leader side of `cooperative-sticky` (Java's CooperativeStickyAssignor), without rack awareness:
// a balanced assignment that keeps each member's owned partitions where the balance allows, then the
// cooperative rule — a partition still owned by another member is withheld this generation, so its
// owner revokes it and rejoins before anyone else reads it. kafka-ts's own members rebalance eagerly
// (they own nothing when they join), so only cooperative members of other clients exercise the rule.
// It lives here rather than in src/broker/groups/assignors.ts only because that folder was not ours
// to edit.

export interface StickyMember {
  readonly memberId: string
  readonly groupInstanceId: string | null
  readonly topics: readonly string[]
  /** ConsumerProtocolSubscription owned_partitions (v1+). */
  readonly ownedPartitions: readonly TopicAssignment[]
  /** ConsumerProtocolSubscription generation_id (v2+), -1 when unknown. */
  readonly generationId: number
}

export const COOPERATIVE_STICKY = 'cooperative-sticky'

export function cooperativeStickyAssign(members: readonly StickyMember[], partitionCounts: ReadonlyMap<string, number>): GroupAssignment {
  const sorted = [...members].sort(compareMembers)
  const key = (topic: string, partition: number) => `${topic}\u0000${partition}`

  // Who owns what: a partition claimed twice stays with the claim of the newest generation (Java's rule).
  const owner = new Map<string, { memberId: string; generationId: number }>()
  for (const m of sorted) {
    for (const tp of m.ownedPartitions) {
      for (const p of tp.partitions) {
        const k = key(tp.topic, p)
        const prev = owner.get(k)
        if (prev === undefined || m.generationId > prev.generationId) owner.set(k, { memberId: m.memberId, generationId: m.generationId })
      }
    }
  }

  const all: { topic: string; partition: number }[] = []
  for (const topic of [...new Set(sorted.flatMap((m) => m.topics))].sort()) {
    const count = partitionCounts.get(topic)
    if (count !== undefined) for (let p = 0; p < count; p++) all.push({ topic, partition: p })
  }
  const n = sorted.length
  const minQuota = n === 0 ? 0 : Math.floor(all.length / n)
  let extraSlots = n === 0 ? 0 : all.length % n

  const assigned = new Map(sorted.map((m) => [m.memberId, [] as { topic: string; partition: number }[]]))
  const taken = new Set<string>()
  // Sticky pass: each member keeps owned partitions up to its quota (one more while extra slots remain).
  for (const m of sorted) {
    const keep = all.filter((tp) => m.topics.includes(tp.topic) && owner.get(key(tp.topic, tp.partition))?.memberId === m.memberId)
    let quota = minQuota
    if (keep.length > minQuota && extraSlots > 0) {
      quota++
      extraSlots--
    }
    for (const tp of keep.slice(0, quota)) {
      assigned.get(m.memberId)!.push(tp)
      taken.add(key(tp.topic, tp.partition))
    }
  }
  // The rest go, in order, to the least loaded subscribed member.
  for (const tp of all) {
    if (taken.has(key(tp.topic, tp.partition))) continue
    let best: StickyMember | undefined
    for (const m of sorted) {
      if (!m.topics.includes(tp.topic)) continue
      if (best === undefined || assigned.get(m.memberId)!.length < assigned.get(best.memberId)!.length) best = m
    }
    if (best !== undefined) assigned.get(best.memberId)!.push(tp)
  }

  const out: GroupAssignment = new Map()
  for (const m of sorted) {
    const byTopic = new Map<string, number[]>()
    for (const tp of assigned.get(m.memberId)!) {
      const current = owner.get(key(tp.topic, tp.partition))
      // Cooperative: never hand over a partition its previous owner has not revoked yet.
      if (current !== undefined && current.memberId !== m.memberId) continue
      const list = byTopic.get(tp.topic)
      if (list === undefined) byTopic.set(tp.topic, [tp.partition])
      else list.push(tp.partition)
    }
    out.set(
      m.memberId,
      [...byTopic.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([topic, partitions]) => ({ topic, partitions: partitions.sort((x, y) => x - y) })),
    )
  }
  return out
}

/** The subscription user_data Java's CooperativeStickyAssignor sends: its generation as an int32. */
export function cooperativeStickyUserData(generationId: number): Buffer {
  const buf = Buffer.alloc(4)
  buf.writeInt32BE(generationId)
  return buf
}
