// Transaction markers: the control batch a COMMIT or ABORT leaves in each partition of a transaction.
// Kafka's EndTransactionMarker / ControlRecordType (clients/.../record): a magic-2 batch with the control
// and transactional attributes, the producer's id and epoch, base sequence -1 and one record whose
//   key   = ControlRecordType v0: int16 version (0), int16 type (0 = ABORT, 1 = COMMIT)
//   value = EndTxnMarker v0:      int16 version (0), int32 coordinatorEpoch
// Other control types (KRaft's LEADER_CHANGE, snapshots) never appear in a partition log here.

import { forEachRecord } from './batch-records.js'
import { RecordBatchBuilder } from './record-batch-builder.js'

const CONTROL_VERSION = 0
const ABORT = 0
const COMMIT = 1

export interface TxnMarker {
  readonly producerId: number
  readonly producerEpoch: number
  readonly commit: boolean
  readonly coordinatorEpoch: number
}

/** One marker batch with base offset 0 (the log patches the real one) and `timestampMs` as its record's timestamp. */
export function buildTxnMarkerBatch(marker: TxnMarker, timestampMs: number): Buffer {
  const key = Buffer.alloc(4)
  key.writeInt16BE(CONTROL_VERSION, 0)
  key.writeInt16BE(marker.commit ? COMMIT : ABORT, 2)
  const value = Buffer.alloc(6)
  value.writeInt16BE(CONTROL_VERSION, 0)
  value.writeInt32BE(marker.coordinatorEpoch, 2)
  const builder = new RecordBatchBuilder(128)
  builder.append(timestampMs, key, value)
  return builder.build({
    producerId: marker.producerId,
    producerEpoch: marker.producerEpoch,
    baseSequence: -1,
    isTransactional: true,
    isControl: true,
  })
}

/** The COMMIT/ABORT of a control batch (commit, coordinator epoch), or undefined for another control type. */
export function readTxnMarker(batch: Buffer): { readonly commit: boolean; readonly coordinatorEpoch: number } | undefined {
  let found: { commit: boolean; coordinatorEpoch: number } | undefined
  forEachRecord(batch, (r) => {
    const key = r.key()
    const value = r.value()
    if (key !== null && key.length >= 4 && value !== null && value.length >= 6) {
      const type = key.readInt16BE(2)
      if (type === ABORT || type === COMMIT) found = { commit: type === COMMIT, coordinatorEpoch: value.readInt32BE(2) }
    }
    return false
  })
  return found
}
