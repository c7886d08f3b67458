// Leader-side partition assignors of the Java consumer, without rack awareness (protocol.md §10.2):
// `range` (RangeAssignor) and `roundrobin` (RoundRobinAssignor). The broker never runs these — it only
// carries the bytes — but the embedded group consumer does when it is the leader.

export interface AssignorMember {
  readonly memberId: string
  readonly groupInstanceId: string | null
  readonly topics: readonly string[]
}

export interface TopicAssignment {
  readonly topic: string
  readonly partitions: readonly number[]
}

/** Member id → its partitions, grouped by topic (topics sorted, partitions ascending). */
export type GroupAssignment = Map<string, TopicAssignment[]>

export interface Assignor {
  readonly name: string
  /** `partitionCounts`: topic → number of partitions; topics missing from it are not assigned. */
  assign(members: readonly AssignorMember[], partitionCounts: ReadonlyMap<string, number>): GroupAssignment
}

/** Java's MemberInfo order: members with a group.instance.id first (by it), then by member id. */
export function compareMembers(a: AssignorMember, b: AssignorMember): number {
  if (a.groupInstanceId !== null && b.groupInstanceId !== null) return compareStrings(a.groupInstanceId, b.groupInstanceId)
  if (a.groupInstanceId !== null) return -1
  if (b.groupInstanceId !== null) return 1
  return compareStrings(a.memberId, b.memberId)
}

/** Per topic: the subscribed members in order each get a contiguous range, the first `P mod C` one more. */
export const rangeAssignor: Assignor = {
  name: 'range',
  assign(members, partitionCounts) {
    const byMember = emptyAssignment(members)
    const topics = [...new Set(members.flatMap((m) => m.topics))].sort(compareStrings)
    for (const topic of topics) {
      const count = partitionCounts.get(topic)
      if (count === undefined) continue
      const consumers = members.filter((m) => m.topics.includes(topic)).sort(compareMembers)
      const quota = Math.floor(count / consumers.length)
      const extra = count % consumers.length
      consumers.forEach((member, i) => {
        const start = quota * i + Math.min(i, extra)
        const length = quota + (i < extra ? 1 : 0)
        if (length > 0) add(byMember, member.memberId, topic, range(start, length))
      })
    }
    return finish(byMember)
  },
}

/** All partitions sorted by topic then number, dealt around the sorted members, skipping non-subscribers. */
export const roundRobinAssignor: Assignor = {
  name: 'roundrobin',
  assign(members, partitionCounts) {
    const byMember = emptyAssignment(members)
    const ring = [...members].sort(compareMembers)
    if (ring.length === 0) return finish(byMember)
    const topics = [...new Set(members.flatMap((m) => m.topics))].filter((t) => partitionCounts.has(t)).sort(compareStrings)
    let next = 0
    for (const topic of topics) {
      const count = partitionCounts.get(topic) ?? 0
      for (let partition = 0; partition < count; partition++) {
        // Some member subscribes to every topic in `topics`, so this stops within one turn of the ring.
        while (!ring[next % ring.length]!.topics.includes(topic)) next++
        add(byMember, ring[next % ring.length]!.memberId, topic, [partition])
        next++
      }
    }
    return finish(byMember)
  },
}

export const ASSIGNORS: ReadonlyMap<string, Assignor> = new Map([
  [rangeAssignor.name, rangeAssignor],
  [roundRobinAssignor.name, roundRobinAssignor],
])

function emptyAssignment(members: readonly AssignorMember[]): Map<string, Map<string, number[]>> {
  return new Map(members.map((m) => [m.memberId, new Map<string, number[]>()]))
}

function add(byMember: Map<string, Map<string, number[]>>, memberId: string, topic: string, partitions: readonly number[]): void {
  const topics = byMember.get(memberId)
  if (topics === undefined) return
  const list = topics.get(topic)
  if (list === undefined) topics.set(topic, [...partitions])
  else list.push(...partitions)
}

function finish(byMember: Map<string, Map<string, number[]>>): GroupAssignment {
  const out: GroupAssignment = new Map()
  for (const [memberId, topics] of byMember) {
    out.set(
      memberId,
      [...topics.entries()].sort(([a], [b]) => compareStrings(a, b)).map(([topic, partitions]) => ({ topic, partitions: partitions.sort((x, y) => x - y) })),
    )
  }
  return out
}

function range(start: number, length: number): number[] {
  return Array.from({ length }, (_, i) => start + i)
}

// Java's String.compareTo orders by UTF-16 code unit, which is what < on JS strings does.
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
