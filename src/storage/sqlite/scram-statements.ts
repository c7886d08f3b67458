// Statements on scram_credentials (migration 'SCRAM credentials'), kept apart from the topic and
// group statements so the SCRAM store stays one self-contained piece.

import type { Database } from 'better-sqlite3'

import type { ScramCredentialRow } from '../log-store.js'


export function prepareScramStatements(db: Database) {
  const byKey = db.prepare<[string, string], ScramCredentialRow>(
    'SELECT mechanism, name, salt, iterations, stored_key AS storedKey, server_key AS serverKey FROM scram_credentials WHERE mechanism = ? AND name = ?',
  )
  const upsert = db.prepare<[string, string, Buffer, number, Buffer, Buffer]>(
    `INSERT INTO scram_credentials (mechanism, name, salt, iterations, stored_key, server_key) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (mechanism, name) DO UPDATE SET salt = excluded.salt, iterations = excluded.iterations,
       stored_key = excluded.stored_key, server_key = excluded.server_key`,
  )
  return {
    get(mechanism: string, name: string): ScramCredentialRow | undefined {
      const r = byKey.get(mechanism, name)
      return r === undefined ? undefined : { ...r }
    },
    put(row: ScramCredentialRow): void {
      upsert.run(row.mechanism, row.name, row.salt, row.iterations, row.storedKey, row.serverKey)
    },
  }
}

export type ScramStatements = ReturnType<typeof prepareScramStatements>
