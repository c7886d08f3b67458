// SCRAM credentials in the store: written by format (storage format --add-scram) in the same
// transaction as the store identity, read back by mechanism and name, and a store written before the
// SCRAM migration gains the (empty) table on open.

import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { credentialFromPassword, SCRAM_MECHANISM } from '../../src/broker/scram-credentials.js'
import { DB_FILE_NAME, formatDataDir, STORE_FORMAT_VERSION } from '../../src/storage/sqlite/data-dir.js'
import { openSqliteLogStore } from '../../src/storage/sqlite/sqlite-log-store.js'
import { makeTempDir } from './store-fixtures.js'

let temp: ReturnType<typeof makeTempDir>
let dir: string

beforeEach(() => {
  temp = makeTempDir()
  dir = join(temp.path, 'data')
})
afterEach(() => temp.remove())

const alice256 = credentialFromPassword(SCRAM_MECHANISM['SCRAM-SHA-256'], 'alice', 'alice-secret')
const alice512 = credentialFromPassword(SCRAM_MECHANISM['SCRAM-SHA-512'], 'alice', 'alice-secret', { iterations: 8192 })

describe('SCRAM credentials', () => {
  it('are stored at format time and read back per mechanism and user', () => {
    formatDataDir(dir, { clusterId: 'scram-cluster', nodeId: 1, scramCredentials: [alice256, alice512] })
    const store = openSqliteLogStore(dir)
    try {
      expect(store.scramCredential('SCRAM-SHA-256', 'alice')).toEqual(alice256)
      expect(store.scramCredential('SCRAM-SHA-512', 'alice')).toEqual(alice512)
      expect(store.scramCredential('SCRAM-SHA-512', 'bob')).toBeUndefined()
    } finally {
      store.close()
    }
  })

  /** The schema step that added scram_credentials. */
  const SCRAM_STEP = 6
  it('a store from before the SCRAM migration is migrated on open and has no credentials', () => {
    formatDataDir(dir, { clusterId: 'scram-cluster', nodeId: 1 })
    const raw = new Database(join(dir, DB_FILE_NAME))
    raw.exec('DROP TABLE scram_credentials')
    raw.pragma(`user_version = ${SCRAM_STEP - 1}`)
    raw.prepare('UPDATE meta SET value = ? WHERE key = ?').run(String(SCRAM_STEP - 1), 'format.version')
    raw.close()
    const store = openSqliteLogStore(dir)
    try {
      expect(store.meta().formatVersion).toBe(STORE_FORMAT_VERSION)
      expect(store.scramCredential('SCRAM-SHA-256', 'alice')).toBeUndefined()
    } finally {
      store.close()
    }
  })
})
