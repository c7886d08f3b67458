// The record-level pieces the front ends need (building batches, walking records, choosing
// partitions), re-exported so commands and src/cli depend on the broker, never on src/protocol.
export { forEachRecord, type RecordCursor } from '../protocol/batch-records.js'
export { RecordBatchError, patchBaseSequence, readBatchHeader, splitBatches, verifyBatchCrc, type BatchHeader, type RecordHeader } from '../protocol/record-batch.js'
export { RecordBatchBuilder } from '../protocol/record-batch-builder.js'
export { decompress, type CompressionCodec } from '../protocol/compression.js'
export { partitionForKey } from './partitioner.js'
export type { TopicRow } from '../storage/log-store.js'
