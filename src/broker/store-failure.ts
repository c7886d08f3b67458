import { NotAStoreError, StoreAccessError, StoreBusyError, StoreFullError, StoreIoError } from '../storage/log-store.js'

// The store's failures as the layers above see them: the typed errors the storage layer throws when
// the disk, the file system or a lock refuses (each carries its path), and how to find one behind a
// Kafka outcome (a KAFKA_STORAGE_ERROR keeps it as its cause).

export { NotAStoreError, StoreAccessError, StoreBusyError, StoreFullError, StoreIoError }

/** The store failure behind `err`: itself, or one of its causes. */
export function storeFailureOf(err: unknown): StoreIoError | NotAStoreError | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof StoreIoError || e instanceof NotAStoreError) return e
  }
  return undefined
}
