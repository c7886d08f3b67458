import { RecordBatchError, verifyBatchCrc } from '../broker/records.js'
import type { KafkaError } from '../broker/kafka-error.js'
import { storageCheckHint } from '../broker/log-damage.js'
export { isLogDamage } from '../broker/log-damage.js'
import { javaErrorString } from './java-exception.js'
import { ConsumerFatalError } from './kafka-client.js'

// What a consumer does on damage, in both modes: stop with one line naming the partition and offset,
// after the records before it were handed out. Batches are CRC-checked as Kafka's consumer does with
// check.crcs=true (its default), so a flipped byte in a stored batch is an error, never a quietly
// wrong record; the broker's Fetch path leaves the CRC to the consumers.

/** Throws the consumer's fatal error when `batch` fails its CRC (CompletedFetch.maybeEnsureValid's words). */
export function checkBatchCrc(batch: Buffer, topic: string, partition: number, baseOffset: number, store?: LocalStore): void {
  try {
    verifyBatchCrc(batch)
  } catch (err) {
    if (!(err instanceof RecordBatchError)) throw err
    const hint = localHint(store, 'file')
    throw new ConsumerFatalError(
      `org.apache.kafka.common.errors.CorruptRecordException: Record batch for partition ${topic}-${partition} at offset ${baseOffset} is invalid, cause: ${err.message}`,
      { cause: err, ...(hint === undefined ? {} : { hint }) },
    )
  }
}

/** The consumer's fatal error for a damage error a read of a partition answered (its message names the file). */
export function damagedPartitionError(error: KafkaError, store?: LocalStore): ConsumerFatalError {
  const hint = localHint(store, 'command-only')
  return new ConsumerFatalError(javaErrorString(error), { cause: error, ...(hint === undefined ? {} : { hint }) })
}

/** Where damage was met in a local data directory: its database file, and the command that lists all of it. */
export interface LocalStore {
  readonly dataDir: string
  readonly file: string
}

/** The hint for a damage error met in a local store; with `naming` the file too (when the error itself does not). */
function localHint(store: LocalStore | undefined, naming: 'file' | 'command-only'): string | undefined {
  if (store === undefined) return undefined
  return naming === 'file' ? `in ${store.file}; ${storageCheckHint(store.dataDir)}` : storageCheckHint(store.dataDir)
}
