// Topics, their partitions' rows and configs, and dynamic broker configs: the store's catalogue. A
// partition's log table is created by its first append and dropped with its topic.

import { TopicExistsError, TopicNotFoundError } from '../log-store.js'
import type { BrokerConfigRow, NewTopicRow, TopicId, TopicRow } from '../log-store.js'
import { dropPartitionTable } from './partition-tables.js'
import type { StoreContext } from './store-context.js'
import type { ConfigRecord, TopicRecord } from './statements.js'

export class TopicTables {
  constructor(private readonly ctx: StoreContext) {}

  createTopic(topic: NewTopicRow): TopicRow {
    const { sql, tx } = this.ctx
    checkCount(topic.partitionCount, 'partition count')
    if (topic.uuid.length !== 16) throw new RangeError(`topic uuid must be 16 bytes, got ${topic.uuid.length}`)
    return tx.atomically(() => {
      if (sql.topicByName.get(topic.name) !== undefined) throw new TopicExistsError(topic.name)
      const createdAtMs = Date.now()
      const id = sql.insertTopic.get(topic.name, topic.uuid, topic.partitionCount, createdAtMs)
      if (id === undefined) throw new Error('INSERT … RETURNING id returned no row')
      for (const [key, value] of topic.configs) sql.upsertConfig.run(id, key, value)
      for (let partition = 0; partition < topic.partitionCount; partition++) sql.insertPartition.run(id, partition)
      return {
        id,
        name: topic.name,
        uuid: Buffer.from(topic.uuid),
        partitionCount: topic.partitionCount,
        configs: new Map(topic.configs),
        createdAtMs,
      }
    })
  }

  deleteTopic(id: TopicId): void {
    const { db, sql, logs, tx } = this.ctx
    tx.atomically(() => {
      if (sql.topicById.get(id) === undefined) throw new TopicNotFoundError(id)
      for (const partition of sql.partitionNumbersOfTopic.all(id)) {
        logs.evict(id, partition)
        dropPartitionTable(db, id, partition)
      }
      sql.deleteTopic.run(id) // configs and partitions go with it (ON DELETE CASCADE)
    })
  }

  addPartitions(id: TopicId, newCount: number): void {
    const { sql, tx } = this.ctx
    checkCount(newCount, 'partition count')
    tx.atomically(() => {
      const topic = sql.topicById.get(id)
      if (topic === undefined) throw new TopicNotFoundError(id)
      if (newCount < topic.partitionCount) {
        throw new RangeError(`topic id ${id} has ${topic.partitionCount} partitions; cannot reduce to ${newCount}`)
      }
      for (let partition = topic.partitionCount; partition < newCount; partition++) sql.insertPartition.run(id, partition)
      sql.setPartitionCount.run(newCount, id)
    })
  }

  findTopic(name: string): TopicRow | undefined {
    const { sql, tx } = this.ctx
    return tx.inReadTransaction(() => {
      const record = sql.topicByName.get(name)
      return record === undefined ? undefined : toTopicRow(record, sql.configsOfTopic.all(record.id))
    })
  }

  findTopicById(id: TopicId): TopicRow | undefined {
    const { sql, tx } = this.ctx
    return tx.inReadTransaction(() => {
      const record = sql.topicById.get(id)
      return record === undefined ? undefined : toTopicRow(record, sql.configsOfTopic.all(id))
    })
  }

  listTopics(): TopicRow[] {
    const { sql, tx } = this.ctx
    return tx.inReadTransaction(() => {
      const configsByTopic = new Map<number, ConfigRecord[]>()
      for (const config of sql.allConfigs.all()) {
        const list = configsByTopic.get(config.topicId)
        if (list === undefined) configsByTopic.set(config.topicId, [config])
        else list.push(config)
      }
      return sql.allTopics.all().map((record) => toTopicRow(record, configsByTopic.get(record.id) ?? []))
    })
  }

  setTopicConfigs(id: TopicId, changes: ReadonlyMap<string, string | null>): void {
    const { sql, tx } = this.ctx
    tx.atomically(() => {
      if (sql.topicById.get(id) === undefined) throw new TopicNotFoundError(id)
      for (const [key, value] of changes) {
        if (value === null) sql.deleteConfig.run(id, key)
        else sql.upsertConfig.run(id, key, value)
      }
    })
  }

  brokerConfigs(): BrokerConfigRow[] {
    return this.ctx.sql.allBrokerConfigs.all().map((r) => ({ entity: r.entity, key: r.key, value: r.value }))
  }

  setBrokerConfigs(entity: string, changes: ReadonlyMap<string, string | null>): void {
    const { sql, tx } = this.ctx
    tx.atomically(() => {
      for (const [key, value] of changes) {
        if (value === null) sql.deleteBrokerConfig.run(entity, key)
        else sql.upsertBrokerConfig.run(entity, key, value)
      }
    })
  }
}

function toTopicRow(record: TopicRecord, configs: readonly ConfigRecord[]): TopicRow {
  return {
    id: record.id,
    name: record.name,
    uuid: record.uuid,
    partitionCount: record.partitionCount,
    configs: new Map(configs.map((config) => [config.key, config.value])),
    createdAtMs: record.createdAtMs,
  }
}

function checkCount(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} must be a non-negative integer, got ${n}`)
}
