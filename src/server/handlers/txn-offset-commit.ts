/**
 * TxnOffsetCommit (28), v0–v5.
 * Behaviour: offsets committed inside a transaction wait in it: they become the group's committed offsets
 * when the transaction commits and vanish when it aborts (OffsetFetch never shows them before). Errors per
 * partition in request order: UNKNOWN_TOPIC_OR_PARTITION for a partition that does not exist; for the
 * others the transaction's outcome (INVALID_PRODUCER_ID_MAPPING, PRODUCER_FENCED, CONCURRENT_TRANSACTIONS;
 * a group not added with AddOffsetsToTxn → INVALID_TXN_STATE, TRANSACTION_ABORTABLE from v4), then the
 * group's (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID when a generation or member is given),
 * then OFFSET_METADATA_TOO_LARGE.
 * Version notes: v2 committed leader epoch; v3 generation, member and instance ids, flexible; v5 under
 * transaction.version 2 adds the group to the transaction implicitly (KIP-890).
 */
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeTxnOffsetCommitRequest,
  encodeTxnOffsetCommitResponse,
  type TxnOffsetCommitRequest,
  type TxnOffsetCommitResponseInput,
} from '../../protocol/messages/txn-offset-commit.js'
import { defineHandler } from '../handler.js'

export const txnOffsetCommitHandler = defineHandler<TxnOffsetCommitRequest, TxnOffsetCommitResponseInput>({
  apiKey: ApiKey.TxnOffsetCommit,
  name: 'TxnOffsetCommit',
  minVersion: 0,
  maxVersion: 5,
  decode: decodeTxnOffsetCommitRequest,
  encode: encodeTxnOffsetCommitResponse,
  handle(req, ctx) {
    const results = ctx.broker.transactions.txnOffsetCommit(
      {
        transactionalId: req.transactionalId,
        producerId: req.producerId,
        producerEpoch: req.producerEpoch,
        groupId: req.groupId,
        generationId: req.generationId,
        memberId: req.memberId,
        groupInstanceId: req.groupInstanceId,
        topics: req.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({
            partition: p.partitionIndex,
            offset: p.committedOffset,
            leaderEpoch: p.committedLeaderEpoch,
            metadata: p.committedMetadata,
          })),
        })),
      },
      ctx.apiVersion,
    )
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t, i) => ({
        name: t.name,
        partitions: t.partitions.map((p, j) => ({ partitionIndex: p.partitionIndex, errorCode: results[i]?.[j]?.code ?? 0 })),
      })),
    }
  },
})
