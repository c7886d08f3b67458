import type { LogStore, TopicRow } from '../storage/log-store.js'

// DescribeLogDirs' view of this node: one log directory (the data directory), and each partition's log
// with the bytes SQLite's pages take for it. A single node has no future logs and no follower lag.

export interface LogDirPartition {
  readonly partition: number
  readonly sizeBytes: number
  /** Log end offset minus high watermark: always 0 on one node. */
  readonly offsetLag: number
}

export interface LogDirTopic {
  readonly name: string
  readonly partitions: readonly LogDirPartition[]
}

export interface LogDirDescription {
  /** The data directory, absolute. */
  readonly path: string
  readonly totalBytes: number
  readonly usableBytes: number
  readonly topics: readonly LogDirTopic[]
}

/** Partitions asked for by topic name; null = every partition of every topic. */
export type LogDirSelection = readonly { readonly topic: string; readonly partitions: readonly number[] }[] | null

/**
 * The data directory and the partitions of `selection` this node has (as Kafka's ReplicaManager, the
 * topics and partitions it does not host are left out), topics by name.
 */
export async function describeLogDir(store: LogStore, topics: readonly TopicRow[], selection: LogDirSelection): Promise<LogDirDescription> {
  const wanted = selection === null ? null : new Map<string, Set<number>>()
  for (const s of selection ?? []) wanted!.set(s.topic, new Set([...(wanted!.get(s.topic) ?? []), ...s.partitions]))
  const chosen = topics
    .map((row) => {
      const only = wanted?.get(row.name)
      const all = Array.from({ length: row.partitionCount }, (_, p) => p)
      return { row, partitions: wanted === null ? all : only === undefined ? [] : all.filter((p) => only.has(p)) }
    })
    .filter((t) => t.partitions.length > 0)
  const sizes = await store.partitionDiskBytes(chosen.flatMap((t) => t.partitions.map((partition) => ({ topicId: t.row.id, partition }))))
  let i = 0
  const described = chosen.map((t) => ({
    name: t.row.name,
    partitions: t.partitions.map((partition) => ({ partition, sizeBytes: sizes[i++] ?? 0, offsetLag: 0 })),
  }))
  return { ...store.logDir(), topics: described }
}
