import type { BrokerLogDirs } from '../../client/kafka-client.js'

// kafka-log-dirs' one-line JSON (LogDirsCommand, Kafka 4.3; cli-4.md B.9). Jackson writes Java HashMaps,
// whose iteration order for these keys is the one built here: brokers before version; partitions, error,
// logDir; partition, size, offsetLag, isFuture. Partitions come sorted by topic and partition (Kafka's
// order is a HashMap's).

export interface LogDirsReport {
  brokers: { broker: number; logDirs: { partitions: { partition: string; size: number; offsetLag: number; isFuture: boolean }[]; error: string | null; logDir: string }[] }[]
  version: 1
}

/** The report for these brokers, partitions limited to `topics` (empty: every topic). */
export function logDirsReport(brokers: readonly BrokerLogDirs[], topics: ReadonlySet<string>): LogDirsReport {
  return {
    brokers: brokers.map((b) => ({
      broker: b.broker,
      logDirs: b.logDirs.map((dir) => ({
        partitions: dir.replicas
          .filter((r) => topics.size === 0 || topics.has(r.topic))
          .sort((x, y) => (x.topic < y.topic ? -1 : x.topic > y.topic ? 1 : x.partition - y.partition))
          .map((r) => ({ partition: `${r.topic}-${r.partition}`, size: r.sizeBytes, offsetLag: r.offsetLag, isFuture: r.isFuture })),
        error: dir.error,
        logDir: dir.path,
      })),
    })),
    version: 1,
  }
}
