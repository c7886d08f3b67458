import { KafkaError } from './kafka-error.js'

// A single node is the leader of every partition from its creation on and never changes: its leader epoch
// is 0 for ever, and the leader-epoch cache Kafka keeps per partition holds one entry (epoch 0 from the
// log start offset). OffsetForLeaderEpoch is answered from that cache as Kafka's LeaderEpochFileCache does.

/** The leader epoch of every partition: what Metadata reports and what is stamped into stored batches. */
export const LEADER_EPOCH = 0

/** Kafka's RecordBatch.NO_PARTITION_LEADER_EPOCH: "no epoch" in requests and answers. */
const NO_EPOCH = -1

export interface EpochEndOffset {
  readonly leaderEpoch: number
  readonly endOffset: number
}

/**
 * Kafka's Partition.checkCurrentLeaderEpoch: a request's current_leader_epoch (-1: not given) newer than
 * ours is UNKNOWN_LEADER_EPOCH (the caller saw metadata we have not), older is FENCED_LEADER_EPOCH (the
 * caller's metadata is stale); Fetch, ListOffsets and OffsetForLeaderEpoch answer it per partition.
 */
export function leaderEpochError(currentLeaderEpoch: number): KafkaError | undefined {
  if (currentLeaderEpoch === NO_EPOCH || currentLeaderEpoch === LEADER_EPOCH) return undefined
  return new KafkaError(currentLeaderEpoch > LEADER_EPOCH ? 'UNKNOWN_LEADER_EPOCH' : 'FENCED_LEADER_EPOCH')
}

/**
 * The end offset of `requestedEpoch` (Kafka's Partition.lastOffsetForLeaderEpoch): the current epoch ends at
 * the log end offset; an unknown later epoch, or none asked (-1), has no end (-1, -1); an epoch older than
 * any known ends where the first known one starts. `currentLeaderEpoch` (-1: not given) fences a caller whose
 * metadata is older or newer than ours.
 */
export function endOffsetForEpoch(
  offsets: { readonly logStartOffset: number; readonly highWatermark: number },
  requestedEpoch: number,
  currentLeaderEpoch: number,
): EpochEndOffset {
  const fenced = leaderEpochError(currentLeaderEpoch)
  if (fenced !== undefined) throw fenced
  if (requestedEpoch === NO_EPOCH) return { leaderEpoch: NO_EPOCH, endOffset: -1 }
  if (requestedEpoch === LEADER_EPOCH) return { leaderEpoch: LEADER_EPOCH, endOffset: offsets.highWatermark }
  if (requestedEpoch > LEADER_EPOCH) return { leaderEpoch: NO_EPOCH, endOffset: -1 }
  return { leaderEpoch: requestedEpoch, endOffset: offsets.logStartOffset }
}
