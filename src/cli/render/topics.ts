import type { TopicDescription } from '../../broker/types.js'

// kafka-topics output layouts (cli.md §1.2). Fields are TAB-separated exactly as Kafka prints them.

/** Topic line: no leading tab; Configs lists only non-default entries, `k=v` joined by `,`. */
export function topicLine(t: TopicDescription): string {
  const configs = t.configs
    .filter((c) => c.source !== 'DEFAULT_CONFIG')
    .map((c) => `${c.name}=${c.isSensitive ? 'null' : (c.value ?? 'null')}`)
    .join(',')
  const rf = t.partitions[0]?.replicas.length ?? 0
  const id = t.topicId === 'AAAAAAAAAAAAAAAAAAAAAA' ? '' : `\tTopicId: ${t.topicId}`
  return `Topic: ${t.name}${id}\tPartitionCount: ${t.partitions.length}\tReplicationFactor: ${rf}\tConfigs: ${configs}`
}

/** Partition line: leading tab; Elr/LastKnownElr are N/A when the data came from Metadata (a broker without DescribeTopicPartitions). */
export function partitionLines(t: TopicDescription): string[] {
  return t.partitions.map(
    (p) =>
      `\tTopic: ${t.name}\tPartition: ${p.partition}\tLeader: ${p.leader < 0 ? 'none' : p.leader}\tReplicas: ${p.replicas.join(',')}\tIsr: ${p.isr.join(',')}` +
      `\tElr: ${p.elr?.join(',') ?? 'N/A'}\tLastKnownElr: ${p.lastKnownElr?.join(',') ?? 'N/A'}`,
  )
}

export function describeTopics(topics: readonly TopicDescription[], opts: { onlyOverrides: boolean }): string {
  const lines: string[] = []
  for (const t of topics) {
    if (opts.onlyOverrides) {
      if (t.configs.some((c) => c.source !== 'DEFAULT_CONFIG')) lines.push(topicLine(t))
      continue
    }
    lines.push(topicLine(t), ...partitionLines(t))
  }
  return lines.map((l) => `${l}\n`).join('')
}
