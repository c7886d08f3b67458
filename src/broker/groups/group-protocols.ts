// What a classic group's members' protocols say: which protocol the group can run, which one it
// picks (Kafka's ClassicGroup.selectProtocol vote), each member's metadata for it, and the topics
// consumer-protocol members subscribe to.

import { CONSUMER_PROTOCOL_TYPE, subscribedTopicsOf } from '../../protocol/consumer-protocol.js'
import type { Member } from './group-rows.js'

const EMPTY = Buffer.alloc(0)

/** The member's metadata for the group's protocol (empty before one is chosen). */
export function metadataFor(member: Member, protocolName: string | null): Buffer {
  if (protocolName === null) return EMPTY
  return member.protocols.find((p) => p.name === protocolName)?.metadata ?? EMPTY
}

/** How many members offer the protocol. */
export function supportCount(members: ReadonlyMap<string, Member>, name: string): number {
  let n = 0
  for (const m of members.values()) if (m.protocols.some((p) => p.name === name)) n++
  return n
}

/** Kafka's selectProtocol: each member votes for its first protocol supported by all; most votes wins. */
export function selectProtocol(members: ReadonlyMap<string, Member>): string | null {
  const list = [...members.values()]
  const candidates = new Set(list[0]?.protocols.map((p) => p.name).filter((n) => supportCount(members, n) === list.length))
  const votes = new Map<string, number>()
  for (const m of list) {
    const vote = m.protocols.find((p) => candidates.has(p.name))?.name
    if (vote !== undefined) votes.set(vote, (votes.get(vote) ?? 0) + 1)
  }
  let best: string | null = null
  let bestVotes = 0
  for (const [name, count] of votes) {
    if (count > bestVotes) {
      best = name
      bestVotes = count
    }
  }
  return best
}

/**
 * Topics the members subscribe to (consumer protocol only), or undefined when unknown: another
 * protocol type, no protocol chosen yet, or metadata that does not parse (Kafka's computeSubscribedTopics).
 */
export function subscribedTopics(members: ReadonlyMap<string, Member>, protocolType: string | null, protocolName: string | null): Set<string> | undefined {
  if (protocolType !== CONSUMER_PROTOCOL_TYPE) return undefined
  if (members.size === 0) return new Set()
  if (protocolName === null) return undefined
  const topics = new Set<string>()
  for (const m of members.values()) {
    const subscribed = subscribedTopicsOf(metadataFor(m, protocolName))
    if (subscribed === undefined) return undefined
    for (const t of subscribed) topics.add(t)
  }
  return topics
}
