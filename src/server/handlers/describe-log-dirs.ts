/**
 * DescribeLogDirs (35), v1–v5 (flexible from v2; Kafka 4.3's range).
 * Behaviour: one log directory, the data directory (absolute path), with every partition asked for that
 * exists (Topics null: all of them; unknown topics and partitions are left out, as Kafka leaves out what a
 * broker does not host). PartitionSize is what SQLite's pages for the partition's log take (dbstat), OffsetLag
 * 0 (one node), IsFutureKey false; v4+ TotalBytes/UsableBytes of the file system holding it (statfs), v5
 * IsCordoned false.
 * Differs from Apache Kafka: sizes count SQLite pages (with their free space), not segment file bytes.
 */
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeDescribeLogDirsRequest,
  encodeDescribeLogDirsResponse,
  type DescribeLogDirsRequest,
  type DescribeLogDirsResponseInput,
} from '../../protocol/messages/describe-log-dirs.js'
import { defineHandler } from '../handler.js'

export const describeLogDirsHandler = defineHandler<DescribeLogDirsRequest, DescribeLogDirsResponseInput>({
  apiKey: ApiKey.DescribeLogDirs,
  name: 'DescribeLogDirs',
  minVersion: 1,
  maxVersion: 5,
  decode: decodeDescribeLogDirsRequest,
  encode: encodeDescribeLogDirsResponse,
  async handle(req, ctx) {
    const dir = await ctx.broker.describeLogDirs(req.topics === null ? null : req.topics.map((t) => ({ topic: t.topic, partitions: t.partitions })))
    const result = {
      errorCode: 0,
      logDir: dir.path,
      topics: dir.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partition, partitionSize: p.sizeBytes, offsetLag: p.offsetLag, isFutureKey: false })),
      })),
      ...(ctx.apiVersion >= 4 ? { totalBytes: dir.totalBytes, usableBytes: dir.usableBytes } : {}),
    }
    return { throttleTimeMs: 0, errorCode: 0, results: [result] }
  },
})
