// What the parts of the SQLite store share: the connection, its fixed-table statements, the per-partition
// statement cache, and the transactions every read and write runs in.

import type { Database, Transaction } from 'better-sqlite3'
import type { Durability } from '../log-store.js'
import { asDamage } from './damage.js'
import type { PartitionStatementCache } from './partition-tables.js'
import type { StoreStatements } from './statements.js'
import type { WalCheckpointer } from './wal-checkpointer.js'

export interface StoreContext {
  readonly db: Database
  readonly sql: StoreStatements
  readonly logs: PartitionStatementCache
  readonly tx: StoreTransactions
}

export class StoreTransactions {
  private readonly transaction: Transaction<(work: () => unknown) => unknown>
  private synchronous: Durability = 'commit' // applyConnectionPragmas leaves NORMAL
  private writes = 0
  private writing = false

  constructor(
    private readonly db: Database,
    private readonly sql: StoreStatements,
    private readonly checkpoints: WalCheckpointer,
  ) {
    this.transaction = db.transaction((work: () => unknown) => work())
  }

  /** `work` in one BEGIN IMMEDIATE transaction (or in the caller's, when one is open). */
  atomically<T>(work: () => T, durability: Durability = 'fsync'): T {
    if (this.db.inTransaction) return work()
    if (durability !== this.synchronous) {
      // A connection-wide setting: switched before BEGIN, and only when it differs from the last one.
      ;(durability === 'fsync' ? this.sql.synchronousFull : this.sql.synchronousNormal).run()
      this.synchronous = durability
    }
    this.checkpoints.beforeWrite()
    let result: T
    this.writes++
    this.writing = true
    try {
      result = this.transaction.immediate(work) as T
    } catch (err) {
      // A write that met a damaged page: name the file.
      throw asDamage(err, this.db.name)
    } finally {
      this.writing = false
    }
    this.checkpoints.committed()
    return result
  }

  /**
   * Which write transaction (atomically's BEGIN IMMEDIATE) is open, a number no other one had; undefined
   * outside one. What was read inside it stays true until it ends, but for what it writes itself.
   */
  get writeTransaction(): number | undefined {
    return this.writing ? this.writes : undefined
  }

  /** Several reads that must see one snapshot (e.g. a partition row and its log table). */
  inReadTransaction<T>(work: () => T): T {
    if (this.db.inTransaction) return work()
    return this.transaction.deferred(work) as T
  }
}
