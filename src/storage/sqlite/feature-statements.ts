// The finalized feature levels (metadata.version and the features above level 0) live in `meta` beside the
// store's identity: a handful of rows that `storage format` writes and UpdateFeatures replaces, read by
// every process that shares the store. The epoch counts the changes, as the metadata log's offset of the
// last feature record does in Kafka.

import type { Database } from 'better-sqlite3'

import type { FinalizedFeatures } from '../log-store.js'

const LEVEL_PREFIX = 'feature.'
const EPOCH_KEY = 'features.epoch'

export function prepareFeatureStatements(db: Database) {
  const all = db.prepare<[], { key: string; value: string }>(`SELECT key, value FROM meta WHERE key = '${EPOCH_KEY}' OR key LIKE '${LEVEL_PREFIX}%'`)
  const upsert = db.prepare<[string, string]>('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value')
  const remove = db.prepare<[string]>('DELETE FROM meta WHERE key = ?')
  const read = (): FinalizedFeatures | undefined => {
    const rows = all.all()
    const epoch = rows.find((r) => r.key === EPOCH_KEY)
    if (epoch === undefined) return undefined
    const levels = new Map(rows.filter((r) => r.key !== EPOCH_KEY).map((r) => [r.key.slice(LEVEL_PREFIX.length), Number(r.value)] as const))
    return { epoch: Number(epoch.value), levels }
  }
  return {
    read,
    /** Applies `changes` (level 0 removes the feature) and moves the epoch on; runs inside the caller's transaction. */
    write(changes: ReadonlyMap<string, number>): number {
      const epoch = (read()?.epoch ?? 0) + 1
      for (const [name, level] of changes) {
        if (level === 0) remove.run(LEVEL_PREFIX + name)
        else upsert.run(LEVEL_PREFIX + name, String(level))
      }
      upsert.run(EPOCH_KEY, String(epoch))
      return epoch
    },
  }
}

export type FeatureStatements = ReturnType<typeof prepareFeatureStatements>
