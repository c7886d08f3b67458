// The rows of `--describe` (ConsumerGroupCommand's collectGroupsOffsets / collectGroupsMembers /
// collectGroupsState) from the coordinator's overview of one group, and the state notes Kafka prints
// before each group's table (shouldPrintMemberState).

import type { GroupState } from '../../broker/groups/types.js'
import type { GroupDescription, GroupOffset } from '../../client/groups-client.js'
import type { MemberRow, OffsetRow, StateRow } from '../render/groups.js'
import type { LogOffsets } from './log-offsets.js'
import { failureText } from './failure.js'

type Assigned = readonly { readonly topic: string; readonly partitions: readonly number[] }[]

const byTopicPartition = (a: { topic: string; partition: number }, b: { topic: string; partition: number }) =>
  a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition

/**
 * `--describe --offsets`: one row per partition assigned to a member (members with more partitions
 * first), then one per committed partition nobody owns (owner columns `-`). LAG = log end − committed.
 */
export function offsetRows(overview: GroupDescription, offsets: readonly GroupOffset[], log: LogOffsets): OffsetRow[] {
  const committed = new Map(offsets.map((o) => [`${o.topic}\u0000${o.partition}`, o]))
  const row = (topic: string, partition: number, owner: { consumerId: string; host: string; clientId: string } | null): OffsetRow => {
    const commit = committed.get(`${topic}\u0000${partition}`)
    const current = commit?.offset ?? null
    const logEndOffset = log.bounds(topic, partition)?.logEndOffset ?? null
    return {
      group: overview.groupId,
      topic,
      partition,
      currentOffset: current,
      leaderEpoch: commit === undefined || commit.leaderEpoch < 0 ? null : commit.leaderEpoch,
      logEndOffset,
      lag: current !== null && current !== -1 && logEndOffset !== null ? logEndOffset - current : null,
      consumerId: owner?.consumerId ?? null,
      host: owner?.host ?? null,
      clientId: owner?.clientId ?? null,
    }
  }
  const count = (a: Assigned | null) => (a ?? []).reduce((n, t) => n + t.partitions.length, 0)
  const owners = overview.members.filter((m) => count(m.assignedPartitions) > 0).sort((a, b) => count(b.assignedPartitions) - count(a.assignedPartitions))
  const owned = new Set<string>()
  const rows: OffsetRow[] = []
  for (const m of owners) {
    const tps = (m.assignedPartitions ?? []).flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition }))).sort(byTopicPartition)
    for (const tp of tps) {
      owned.add(`${tp.topic}\u0000${tp.partition}`)
      rows.push(row(tp.topic, tp.partition, { consumerId: m.memberId, host: m.clientHost, clientId: m.clientId }))
    }
  }
  const unowned = offsets.filter((o) => !owned.has(`${o.topic}\u0000${o.partition}`)).sort(byTopicPartition)
  for (const o of unowned) rows.push(row(o.topic, o.partition, null))
  return rows
}

/** `--describe --members`: one row per member, in the coordinator's order. */
export function memberRows(overview: GroupDescription): MemberRow[] {
  return overview.members.map((m) => ({
    group: overview.groupId,
    consumerId: m.memberId,
    groupInstanceId: m.groupInstanceId,
    host: m.clientHost,
    clientId: m.clientId,
    assignment: m.assignedPartitions ?? [],
  }))
}

/** `--describe --state`. `coordinator` is `host:port  (id)`. */
export function stateRow(overview: GroupDescription, coordinator: string): StateRow {
  return {
    group: overview.groupId,
    coordinator,
    assignmentStrategy: overview.protocolName,
    state: overview.state,
    members: overview.members.length,
  }
}

export interface StateNote {
  /** Printed on stdout (an unknown group is an error there, exit status 0). */
  readonly stdout?: string
  readonly stderr?: string
  /** Whether the group's table follows (given it has rows). */
  readonly printTable: boolean
}

/** What Kafka prints before a group's table, by state (Kafka 4.3: a group the coordinator does not know is GroupIdNotFound). */
export function stateNote(groupId: string, state: GroupState, notFound = false): StateNote {
  if (notFound) return { stdout: failureText(`org.apache.kafka.common.errors.GroupIdNotFoundException: Group ${groupId} not found.`), printTable: false }
  switch (state) {
    case 'Dead':
      return { stdout: `\nError: Consumer group '${groupId}' does not exist.\n`, printTable: false }
    case 'Empty':
      return { stderr: `\nConsumer group '${groupId}' has no active members.\n`, printTable: true }
    case 'PreparingRebalance':
    case 'CompletingRebalance':
      return { stderr: `\nWarning: Consumer group '${groupId}' is rebalancing.\n`, printTable: true }
    case 'Stable':
      return { printTable: true }
  }
}
