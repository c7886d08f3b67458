import kafkajs, { type Admin } from 'kafkajs'
import { afterEach, describe, expect, it } from 'vitest'

import { ApiKey } from '../../src/protocol/api-keys.js'
import { decodeAlterConfigsResponse, encodeAlterConfigsRequest, type AlterConfigsResourceInput } from '../../src/protocol/messages/alter-configs.js'
import { decodeApiVersionsResponse, encodeApiVersionsRequest } from '../../src/protocol/messages/api-versions.js'
import { decodeCreatePartitionsResponse, encodeCreatePartitionsRequest, type CreatePartitionsTopicInput } from '../../src/protocol/messages/create-partitions.js'
import { decodeCreateTopicsResponse, encodeCreateTopicsRequest, type CreatableTopicInput } from '../../src/protocol/messages/create-topics.js'
import { decodeDeleteRecordsResponse, encodeDeleteRecordsRequest } from '../../src/protocol/messages/delete-records.js'
import { decodeDeleteTopicsResponse, encodeDeleteTopicsRequest, type DeleteTopicsRequestInput } from '../../src/protocol/messages/delete-topics.js'
import { decodeDescribeClusterResponse, encodeDescribeClusterRequest } from '../../src/protocol/messages/describe-cluster.js'
import {
  decodeDescribeConfigsResponse,
  encodeDescribeConfigsRequest,
  type DescribeConfigsRequestInput,
  type DescribeConfigsResourceResult,
} from '../../src/protocol/messages/describe-configs.js'
import { decodeFindCoordinatorResponse, encodeFindCoordinatorRequest, type FindCoordinatorRequestInput } from '../../src/protocol/messages/find-coordinator.js'
import {
  decodeIncrementalAlterConfigsResponse,
  encodeIncrementalAlterConfigsRequest,
  type AlterableConfigInput,
} from '../../src/protocol/messages/incremental-alter-configs.js'
import { decodeInitProducerIdResponse, encodeInitProducerIdRequest, type InitProducerIdRequestInput } from '../../src/protocol/messages/init-producer-id.js'
import { ZERO_UUID } from '../../src/protocol/reader.js'
import { RawConnection, rawRequest } from '../helpers/raw-client.js'
import { startTestServer, type TestServer } from '../helpers/server.js'

const { Kafka, logLevel, ConfigResourceTypes } = kafkajs

// The admin APIs end to end: a real broker on a free port, driven by kafkajs where it has the call, and by
// the project's own encoders over a raw socket for the versions and edge cases kafkajs never sends. Expected
// codes and texts are Kafka 3.9's (KRaft controller and ConfigHelper wording).

const TOPIC = 2
const BROKER = 4
const BROKER_LOGGER = 8

let server: TestServer | undefined
let admins: Admin[] = []

afterEach(async () => {
  for (const a of admins) await a.disconnect()
  admins = []
  await server?.stop()
  server = undefined
})

async function start(props: Record<string, string> = {}): Promise<TestServer> {
  server = await startTestServer({ props })
  return server
}

async function kafkajsAdmin(s: TestServer): Promise<Admin> {
  const kafka = new Kafka({ clientId: 'admin-test', brokers: [s.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } })
  const admin = kafka.admin()
  await admin.connect()
  admins.push(admin)
  return admin
}

const topic = (name: string, over: Partial<CreatableTopicInput> = {}): CreatableTopicInput => ({
  name,
  numPartitions: -1,
  replicationFactor: -1,
  assignments: [],
  configs: [],
  ...over,
})

function createTopics(s: TestServer, version: number, topics: CreatableTopicInput[], validateOnly = false) {
  return rawRequest(s.port, ApiKey.CreateTopics, version, (w, v) => encodeCreateTopicsRequest(w, v, { topics, validateOnly: v >= 1 ? validateOnly : undefined }), decodeCreateTopicsResponse)
}

function describeConfigs(s: TestServer, version: number, req: DescribeConfigsRequestInput) {
  return rawRequest(s.port, ApiKey.DescribeConfigs, version, (w, v) => encodeDescribeConfigsRequest(w, v, req), decodeDescribeConfigsResponse)
}

function entry(configs: readonly DescribeConfigsResourceResult[], name: string): DescribeConfigsResourceResult {
  const found = configs.find((c) => c.name === name)
  if (!found) throw new Error(`no config ${name} in [${configs.map((c) => c.name).join(', ')}]`)
  return found
}

describe('admin APIs through kafkajs', () => {
  it('creates topics with partitions, manual assignments and configs, and validate-only creates nothing', async () => {
    const s = await start()
    const admin = await kafkajsAdmin(s)
    await expect(admin.createTopics({ topics: [{ topic: 'three', numPartitions: 3 }] })).resolves.toBe(true)
    // waitForLeaders would poll Metadata for a topic that validate-only never creates.
    await expect(admin.createTopics({ validateOnly: true, waitForLeaders: false, topics: [{ topic: 'dry', numPartitions: 2 }] })).resolves.toBe(true)
    await expect(
      admin.createTopics({ topics: [{ topic: 'manual', replicaAssignment: [{ partition: 0, replicas: [1] }, { partition: 1, replicas: [1] }] }] }),
    ).resolves.toBe(true)
    await expect(admin.createTopics({ topics: [{ topic: 'compacted', configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] })).resolves.toBe(true)
    // kafkajs reports an existing topic as "not created" rather than as an error.
    await expect(admin.createTopics({ topics: [{ topic: 'three' }] })).resolves.toBe(false)

    expect((await admin.listTopics()).sort()).toEqual(['compacted', 'manual', 'three'])
    const meta = await admin.fetchTopicMetadata({ topics: ['three', 'manual'] })
    // kafkajs answers from its metadata cache, whose topic order is its own.
    expect(meta.topics.map((t) => [t.name, t.partitions.length]).sort()).toEqual([
      ['manual', 2],
      ['three', 3],
    ])
    expect(s.broker.findTopic('dry')).toBeUndefined()
    expect(s.broker.findTopic('compacted')?.configs.get('cleanup.policy')).toBe('compact')
  })

  it('deletes topics and adds partitions (validate-only leaves the count alone)', async () => {
    const s = await start()
    const admin = await kafkajsAdmin(s)
    await admin.createTopics({ topics: [{ topic: 'a' }, { topic: 'b', numPartitions: 2 }] })
    await admin.deleteTopics({ topics: ['a'] })
    expect(await admin.listTopics()).toEqual(['b'])
    await admin.createPartitions({ validateOnly: true, topicPartitions: [{ topic: 'b', count: 4 }] })
    expect(s.broker.findTopic('b')?.partitionCount).toBe(2)
    await admin.createPartitions({ topicPartitions: [{ topic: 'b', count: 4 }] })
    const meta = await admin.fetchTopicMetadata({ topics: ['b'] })
    expect(meta.topics[0]?.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2, 3])
  })

  it('describes topic and broker configs with values and sources, and alterConfigs replaces the overrides', async () => {
    const s = await start({ 'log.retention.ms': '3600000', 'num.partitions': '2' })
    const admin = await kafkajsAdmin(s)
    await admin.createTopics({ topics: [{ topic: 'cfg', configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] })

    const topicConfigs = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'cfg' }] })
    const entries = topicConfigs.resources[0]?.configEntries ?? []
    const byName = (n: string) => entries.find((e) => e.configName === n)
    expect(byName('cleanup.policy')).toMatchObject({ configValue: 'compact', configSource: 1, readOnly: false, isDefault: false })
    expect(byName('retention.ms')).toMatchObject({ configValue: '3600000', configSource: 4 })
    expect(byName('segment.bytes')).toMatchObject({ configValue: '1073741824', configSource: 5, isDefault: true })

    const brokerConfigs = await admin.describeConfigs({
      includeSynonyms: true,
      resources: [{ type: ConfigResourceTypes.BROKER, name: '1', configNames: ['num.partitions', 'log.retention.hours', 'message.max.bytes'] }],
    })
    const b = brokerConfigs.resources[0]?.configEntries ?? []
    expect(b.map((e) => e.configName).sort()).toEqual(['log.retention.hours', 'message.max.bytes', 'num.partitions'])
    expect(b.find((e) => e.configName === 'num.partitions')).toMatchObject({ configValue: '2', configSource: 4, readOnly: true })
    // log.retention.ms is set, but the hours key reports its own (default) value; its synonym list starts at itself.
    expect(b.find((e) => e.configName === 'log.retention.hours')).toMatchObject({
      configValue: '168',
      configSource: 5,
      readOnly: true,
      configSynonyms: [{ configName: 'log.retention.hours', configValue: '168', configSource: 5 }],
    })
    expect(b.find((e) => e.configName === 'message.max.bytes')).toMatchObject({ configValue: '1048588', configSource: 5, readOnly: false })

    await admin.alterConfigs({
      validateOnly: true,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 'cfg', configEntries: [{ name: 'retention.ms', value: '1000' }] }],
    })
    expect(s.broker.findTopic('cfg')?.configs).toEqual(new Map([['cleanup.policy', 'compact']]))
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 'cfg', configEntries: [{ name: 'retention.ms', value: '1000' }] }],
    })
    expect(s.broker.findTopic('cfg')?.configs).toEqual(new Map([['retention.ms', '1000']]))
  })

  it('deletes records up to an offset with an idempotent producer\'s data, seen by fetchTopicOffsets', async () => {
    const s = await start()
    const kafka = new Kafka({ clientId: 'records-test', brokers: [s.bootstrap], logLevel: logLevel.NOTHING })
    const admin = await kafkajsAdmin(s)
    await admin.createTopics({ topics: [{ topic: 'rec' }] })
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
    try {
      await producer.send({ topic: 'rec', messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] })
    } finally {
      await producer.disconnect()
    }
    // fetchTopicOffsets also loads the topic's leaders into kafkajs' metadata, which deleteTopicRecords needs.
    expect(await admin.fetchTopicOffsets('rec')).toEqual([{ partition: 0, offset: '3', high: '3', low: '0' }])
    await admin.deleteTopicRecords({ topic: 'rec', partitions: [{ partition: 0, offset: '2' }] })
    expect(await admin.fetchTopicOffsets('rec')).toEqual([{ partition: 0, offset: '3', high: '3', low: '2' }])
    await admin.deleteTopicRecords({ topic: 'rec', partitions: [{ partition: 0, offset: '-1' }] })
    expect((await admin.fetchTopicOffsets('rec'))[0]?.low).toBe('3')
  })

  it('describes the cluster as this one node', async () => {
    const s = await start()
    const admin = await kafkajsAdmin(s)
    expect(await admin.describeCluster()).toEqual({
      brokers: [{ nodeId: 1, host: '127.0.0.1', port: s.port }],
      controller: 1,
      clusterId: s.broker.clusterId,
    })
  })
})

describe('CreateTopics over the wire', () => {
  it('v7 returns partitions, replication factor, every config with its source, and the stored topic id', async () => {
    const s = await start()
    const res = await createTopics(s, 7, [topic('t7', { configs: [{ name: 'retention.ms', value: '1000' }] })])
    const t = res.topics[0]
    expect(t).toMatchObject({ name: 't7', errorCode: 0, errorMessage: null, numPartitions: 1, replicationFactor: 1 })
    expect(t?.topicId.equals(s.broker.findTopic('t7')?.uuid ?? ZERO_UUID)).toBe(true)
    const configs = t?.configs ?? []
    expect(configs.find((c) => c.name === 'retention.ms')).toEqual({ name: 'retention.ms', value: '1000', readOnly: false, configSource: 1, isSensitive: false })
    expect(configs.find((c) => c.name === 'cleanup.policy')).toEqual({ name: 'cleanup.policy', value: 'delete', readOnly: false, configSource: 5, isSensitive: false })
    expect(configs.map((c) => c.name)).toEqual([...configs.map((c) => c.name)].sort())
  })

  it('v5 has no topic id; validate-only answers as for a creation and creates nothing', async () => {
    const s = await start()
    const v5 = await createTopics(s, 5, [topic('t5', { numPartitions: 4 })], true)
    expect(v5.topics[0]).toMatchObject({ name: 't5', errorCode: 0, numPartitions: 4, replicationFactor: 1 })
    expect(v5.topics[0]?.topicId.equals(ZERO_UUID)).toBe(true)
    const v7 = await createTopics(s, 7, [topic('t5')], true)
    expect(v7.topics[0]?.topicId.equals(ZERO_UUID)).toBe(false)
    expect(s.broker.findTopic('t5')).toBeUndefined()
  })

  it('answers every failure with Kafka\'s code and message, topic by topic', async () => {
    const s = await start()
    s.broker.createTopics([{ name: 'exists', numPartitions: 1, replicationFactor: 1, configs: new Map() }])
    const res = await createTopics(s, 4, [
      topic('exists'),
      topic('a b'),
      topic('zero-partitions', { numPartitions: 0 }),
      topic('zero-rf', { replicationFactor: 0 }),
      topic('rf3', { replicationFactor: 3 }),
      topic('dup'),
      topic('dup'),
      topic('null-config', { configs: [{ name: 'retention.ms', value: null }] }),
      topic('unknown-config', { configs: [{ name: 'foo.bar', value: '1' }] }),
      topic('bad-value', { configs: [{ name: 'retention.ms', value: 'abc' }] }),
      topic('assign-count', { numPartitions: 2, assignments: [{ partitionIndex: 0, brokerIds: [1] }] }),
      topic('assign-rf', { replicationFactor: 1, assignments: [{ partitionIndex: 0, brokerIds: [1] }] }),
      topic('assign-other-broker', { assignments: [{ partitionIndex: 0, brokerIds: [2] }] }),
      topic('assign-twice', { assignments: [{ partitionIndex: 0, brokerIds: [1, 1] }] }),
      topic('assign-empty', { assignments: [{ partitionIndex: 0, brokerIds: [] }] }),
      topic('assign-gap', { assignments: [{ partitionIndex: 0, brokerIds: [1] }, { partitionIndex: 2, brokerIds: [1] }] }),
      topic('assign-repeat', { assignments: [{ partitionIndex: 0, brokerIds: [1] }, { partitionIndex: 0, brokerIds: [1] }] }),
      topic('assigned', { assignments: [{ partitionIndex: 1, brokerIds: [1] }, { partitionIndex: 0, brokerIds: [1] }] }),
    ])
    expect(res.topics.map((t) => [t.name, t.errorCode, t.errorMessage])).toEqual([
      ['exists', 36, "Topic 'exists' already exists."],
      ['a b', 17, "Topic name is invalid: 'a b' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'"],
      ['zero-partitions', 37, 'Number of partitions was set to an invalid non-positive value.'],
      ['zero-rf', 38, 'Replication factor must be larger than 0, or -1 to use the default value.'],
      ['rf3', 38, 'Unable to replicate the partition 3 time(s): The target replication factor of 3 cannot be reached because only 1 broker(s) are registered.'],
      ['dup', 42, 'Duplicate topic name.'],
      ['null-config', 40, 'Null value not supported for topic configs: retention.ms'],
      ['unknown-config', 40, 'Unknown topic config name: foo.bar'],
      ['bad-value', 40, 'Invalid value abc for configuration retention.ms: Not a number of type LONG'],
      ['assign-count', 42, 'A manual partition assignment was specified, but numPartitions was not set to -1.'],
      ['assign-rf', 42, 'A manual partition assignment was specified, but replication factor was not set to -1.'],
      ['assign-other-broker', 39, 'The manual partition assignment includes broker 2, but no such broker is registered.'],
      ['assign-twice', 39, 'The manual partition assignment includes the broker 1 more than once.'],
      ['assign-empty', 39, 'The manual partition assignment includes an empty replica list.'],
      ['assign-gap', 39, 'partitions should be a consecutive 0-based integer sequence'],
      ['assign-repeat', 39, 'Found multiple manual partition assignments for partition 0'],
      ['assigned', 0, null],
    ])
    expect(s.broker.findTopic('assigned')?.partitionCount).toBe(2)
    expect(s.broker.listTopics().map((t) => t.name)).toEqual(['assigned', 'exists'])
    // Name and existence are checked before the assignment.
    const again = await createTopics(s, 4, [topic('exists', { assignments: [{ partitionIndex: 0, brokerIds: [2] }] })])
    expect(again.topics.map((t) => [t.errorCode, t.errorMessage])).toEqual([[36, "Topic 'exists' already exists."]])
  })

  it('v2 (the oldest since Kafka 4.0): -1 means the broker defaults', async () => {
    const s = await start({ 'num.partitions': '3' })
    const res = await createTopics(s, 2, [topic('defaults'), topic('defaults'), topic('bad', { numPartitions: -2 })])
    expect(res.topics.map((t) => [t.name, t.errorCode])).toEqual([
      ['defaults', 42],
      ['bad', 37],
    ])
    const ok = await createTopics(s, 2, [topic('defaults')])
    expect(ok.topics).toEqual([expect.objectContaining({ name: 'defaults', errorCode: 0 })])
    expect(s.broker.findTopic('defaults')?.partitionCount).toBe(3)
  })
})

describe('DeleteTopics over the wire', () => {
  const del = (s: TestServer, version: number, req: DeleteTopicsRequestInput) =>
    rawRequest(s.port, ApiKey.DeleteTopics, version, (w, v) => encodeDeleteTopicsRequest(w, v, req), decodeDeleteTopicsResponse)

  it('v6 deletes by topic id and by name, naming what it deleted', async () => {
    const s = await start()
    s.broker.createTopics(['x', 'y'].map((name) => ({ name, numPartitions: 1, replicationFactor: 1, configs: new Map() })))
    const xId = s.broker.findTopic('x')?.uuid ?? ZERO_UUID
    const unknownId = Buffer.alloc(16, 7)
    const res = await del(s, 6, {
      timeoutMs: 1000,
      topics: [{ topicId: xId }, { name: 'y', topicId: ZERO_UUID }, { topicId: unknownId }, { name: 'nope', topicId: ZERO_UUID }],
    })
    expect(res.responses.map((r) => [r.name, r.topicId.toString('hex'), r.errorCode, r.errorMessage])).toEqual([
      ['x', xId.toString('hex'), 0, null],
      ['y', expect.any(String), 0, null],
      [null, unknownId.toString('hex'), 100, 'This server does not host this topic ID.'],
      ['nope', ZERO_UUID.toString('hex'), 3, 'This server does not host this topic-partition.'],
    ])
    expect(s.broker.listTopics()).toEqual([])
  })

  it('refuses ambiguous, empty and repeated entries', async () => {
    const s = await start()
    s.broker.createTopics([{ name: 'z', numPartitions: 1, replicationFactor: 1, configs: new Map() }])
    const id = s.broker.findTopic('z')?.uuid ?? ZERO_UUID
    const res = await del(s, 6, {
      timeoutMs: 1000,
      topics: [{ name: 'z', topicId: id }, { topicId: ZERO_UUID }, { topicId: id }, { topicId: id }, { name: 'w', topicId: ZERO_UUID }, { name: 'w', topicId: ZERO_UUID }],
    })
    expect(res.responses.map((r) => [r.name, r.errorCode, r.errorMessage])).toEqual([
      ['z', 42, 'You may not specify both topic name and topic id.'],
      [null, 42, 'Neither topic name nor id were specified.'],
      [null, 42, 'Duplicate topic id.'],
      ['w', 42, 'Duplicate topic name.'],
    ])
    expect(s.broker.findTopic('z')).toBeDefined()
    const v1 = await del(s, 1, { timeoutMs: 1000, topicNames: ['z', 'z'] })
    expect(v1.responses).toEqual([{ name: 'z', topicId: ZERO_UUID, errorCode: 42, errorMessage: null }])
  })

  it('with delete.topic.enable=false answers TOPIC_DELETION_DISABLED, and INVALID_REQUEST before v3', async () => {
    const s = await start({ 'delete.topic.enable': 'false' })
    s.broker.createTopics([{ name: 'keep', numPartitions: 1, replicationFactor: 1, configs: new Map() }])
    expect((await del(s, 5, { timeoutMs: 1000, topicNames: ['keep'] })).responses).toEqual([
      { name: 'keep', topicId: ZERO_UUID, errorCode: 73, errorMessage: 'Topic deletion is disabled.' },
    ])
    expect((await del(s, 2, { timeoutMs: 1000, topicNames: ['keep'] })).responses[0]?.errorCode).toBe(42)
    expect(s.broker.findTopic('keep')).toBeDefined()
  })
})

describe('CreatePartitions over the wire', () => {
  it('checks counts and assignments with Kafka\'s messages (v3, flexible)', async () => {
    const s = await start()
    s.broker.createTopics([{ name: 'p', numPartitions: 3, replicationFactor: 1, configs: new Map() }])
    const t = (name: string, count: number, assignments: number[][] | null = null): CreatePartitionsTopicInput => ({
      name,
      count,
      assignments: assignments && assignments.map((brokerIds) => ({ brokerIds })),
    })
    const res = await rawRequest(
      s.port,
      ApiKey.CreatePartitions,
      3,
      (w, v) =>
        encodeCreatePartitionsRequest(w, v, {
          timeoutMs: 1000,
          validateOnly: false,
          topics: [t('p', 3), t('p2', 2), t('missing', 4), t('p', 2)],
        }),
      decodeCreatePartitionsResponse,
    )
    expect(res.results.map((r) => [r.name, r.errorCode, r.errorMessage])).toEqual([
      ['p', 42, 'Duplicate topic name.'],
      ['p2', 3, 'This server does not host this topic-partition.'],
      ['missing', 3, 'This server does not host this topic-partition.'],
    ])
    const conn = await RawConnection.open(s.port)
    try {
      const send = (topics: CreatePartitionsTopicInput[], validateOnly = false) =>
        conn.request(ApiKey.CreatePartitions, 3, (w, v) => encodeCreatePartitionsRequest(w, v, { timeoutMs: 1000, validateOnly, topics }), decodeCreatePartitionsResponse)
      const outcome = async (topics: CreatePartitionsTopicInput[], validateOnly = false) =>
        (await send(topics, validateOnly)).results.map((r) => [r.errorCode, r.errorMessage])
      expect(await outcome([t('p', 3)])).toEqual([[37, 'Topic already has 3 partition(s).']])
      expect(await outcome([t('p', 2)])).toEqual([[37, 'The topic p currently has 3 partition(s); 2 would not be an increase.']])
      expect(await outcome([t('p', 5, [[1]])])).toEqual([[39, 'Attempted to add 2 additional partition(s), but only 1 assignment(s) were specified.']])
      expect(await outcome([t('p', 4, [[5]])])).toEqual([[39, 'The manual partition assignment includes broker 5, but no such broker is registered.']])
      expect(await outcome([t('p', 4, [[1, 1]])])).toEqual([[39, 'The manual partition assignment includes the broker 1 more than once.']])
      expect(await outcome([t('p', 6)], true)).toEqual([[0, null]])
      expect(s.broker.findTopic('p')?.partitionCount).toBe(3)
      expect(await outcome([t('p', 5, [[1], [1]])])).toEqual([[0, null]])
      expect(s.broker.findTopic('p')?.partitionCount).toBe(5)
    } finally {
      conn.close()
    }
    // v0 (what kafkajs and librdkafka send) reads the same way.
    const v0 = await rawRequest(s.port, ApiKey.CreatePartitions, 0, (w, v) => encodeCreatePartitionsRequest(w, v, { timeoutMs: 1000, validateOnly: false, topics: [t('p', 6)] }), decodeCreatePartitionsResponse)
    expect(v0.results).toEqual([{ name: 'p', errorCode: 0, errorMessage: null }])
  })
})

describe('DescribeConfigs over the wire', () => {
  it('v4 (flexible) reports sources, synonyms, types and documentation; keys filter the list', async () => {
    const s = await start({ 'log.cleanup.policy': 'delete' })
    s.broker.createTopics([{ name: 'd', numPartitions: 1, replicationFactor: 1, configs: new Map([['cleanup.policy', 'compact']]) }])
    const res = await describeConfigs(s, 4, {
      resources: [{ resourceType: TOPIC, resourceName: 'd', configurationKeys: ['cleanup.policy', 'retention.ms', 'no.such.key'] }],
      includeSynonyms: true,
      includeDocumentation: true,
    })
    const r = res.results[0]
    expect(r).toMatchObject({ errorCode: 0, errorMessage: null, resourceType: TOPIC, resourceName: 'd' })
    expect(r?.configs.map((c) => c.name)).toEqual(['cleanup.policy', 'retention.ms'])
    expect(entry(r?.configs ?? [], 'cleanup.policy')).toEqual({
      name: 'cleanup.policy',
      value: 'compact',
      readOnly: false,
      configSource: 1,
      isSensitive: false,
      synonyms: [
        { name: 'cleanup.policy', value: 'compact', source: 1 },
        { name: 'log.cleanup.policy', value: 'delete', source: 4 },
        { name: 'log.cleanup.policy', value: 'delete', source: 5 },
      ],
      configType: 7,
      documentation: null,
    })
    // log.retention.ms (the first synonym) is unset, so Kafka's dropWhile leaves no synonyms at all.
    expect(entry(r?.configs ?? [], 'retention.ms')).toMatchObject({ value: '604800000', configSource: 5, synonyms: [], configType: 5 })
  })

  it('v1 (the oldest since Kafka 4.0) without include_synonyms sends none; empty key list means all', async () => {
    const s = await start()
    s.broker.createTopics([{ name: 'd0', numPartitions: 1, replicationFactor: 1, configs: new Map([['retention.ms', '5000']]) }])
    const v1 = await describeConfigs(s, 1, { resources: [{ resourceType: TOPIC, resourceName: 'd0', configurationKeys: [] }], includeSynonyms: false })
    expect(v1.results[0]?.configs.length).toBe(34)
    expect(entry(v1.results[0]?.configs ?? [], 'retention.ms')).toMatchObject({ value: '5000', configSource: 1, synonyms: [] })
    expect(entry(v1.results[0]?.configs ?? [], 'segment.bytes')).toMatchObject({ value: '1073741824', configSource: 5, synonyms: [] })
  })

  it('answers each resource on its own: unknown and illegal topics, broker ids, loggers, other types', async () => {
    const s = await start({ 'my.secret.key': 'hunter2' })
    const res = await describeConfigs(s, 3, {
      resources: [
        { resourceType: TOPIC, resourceName: 'missing', configurationKeys: null },
        { resourceType: TOPIC, resourceName: 'a b', configurationKeys: null },
        { resourceType: BROKER, resourceName: '', configurationKeys: null },
        { resourceType: BROKER, resourceName: '2', configurationKeys: null },
        { resourceType: BROKER, resourceName: 'x', configurationKeys: null },
        { resourceType: BROKER_LOGGER, resourceName: '1', configurationKeys: null },
        { resourceType: BROKER_LOGGER, resourceName: '', configurationKeys: null },
        { resourceType: 16, resourceName: 'm', configurationKeys: null },
        { resourceType: BROKER, resourceName: '1', configurationKeys: ['node.id', 'listeners', 'log.retention.ms', 'my.secret.key', 'not.a.key'] },
      ],
    })
    expect(res.results.slice(0, 8).map((r) => [r.resourceName, r.errorCode, r.errorMessage, r.configs.length])).toEqual([
      ['missing', 3, null, 0],
      ['a b', 17, 'Topic name "a b" is illegal, it contains a character other than ASCII alphanumerics, \'.\', \'_\' and \'-\'', 0],
      ['', 0, null, 0],
      ['2', 42, 'Unexpected broker id, expected 1 or empty string, but received 2', 0],
      ['x', 42, 'Broker id must be an integer, but it is: x', 0],
      ['1', 0, null, 0],
      ['', 42, 'Broker id must not be empty', 0],
      ['m', 42, 'Unsupported resource type: CLIENT_METRICS', 0],
    ])
    const broker = res.results[8]?.configs ?? []
    expect(broker.map((c) => c.name)).toEqual(['listeners', 'log.retention.ms', 'my.secret.key', 'node.id'])
    expect(entry(broker, 'node.id')).toMatchObject({ value: '1', configSource: 4, readOnly: true, isSensitive: false, configType: 3 })
    expect(entry(broker, 'listeners')).toMatchObject({ value: 'PLAINTEXT://127.0.0.1:0', configSource: 4, readOnly: false, configType: 2 })
    expect(entry(broker, 'log.retention.ms')).toMatchObject({ value: null, configSource: 5, readOnly: false, configType: 5 })
    expect(entry(broker, 'my.secret.key')).toMatchObject({ value: null, configSource: 4, readOnly: true, isSensitive: true, configType: 0 })
  })
})

describe('AlterConfigs and IncrementalAlterConfigs over the wire', () => {
  it('AlterConfigs v0: null values, unknown topics, bad values and read-only broker keys fail; broker configs are stored; validate-only changes nothing', async () => {
    const s = await start()
    s.broker.createTopics([{ name: 'ac', numPartitions: 1, replicationFactor: 1, configs: new Map([['cleanup.policy', 'compact']]) }])
    const resource = (resourceType: number, resourceName: string, configs: { name: string; value: string | null }[]): AlterConfigsResourceInput => ({
      resourceType,
      resourceName,
      configs,
    })
    const res = await rawRequest(
      s.port,
      ApiKey.AlterConfigs,
      0,
      (w, v) =>
        encodeAlterConfigsRequest(w, v, {
          validateOnly: false,
          resources: [
            resource(TOPIC, 'ac', [{ name: 'retention.ms', value: null }]),
            resource(TOPIC, 'missing', [{ name: 'retention.ms', value: '1' }]),
            resource(TOPIC, 'ac', [{ name: 'retention.ms', value: 'soon' }]),
            resource(BROKER, '1', [{ name: 'num.io.threads', value: '4' }]),
            resource(BROKER, '', [{ name: 'log.dirs', value: '/x' }]),
            resource(BROKER, '2', [{ name: 'num.io.threads', value: '4' }]),
            resource(TOPIC, 'ac', [{ name: 'segment.ms', value: '60000' }]),
          ],
        }),
      decodeAlterConfigsResponse,
    )
    expect(res.responses.map((r) => [r.resourceName, r.errorCode, r.errorMessage])).toEqual([
      ['ac', 40, 'Null value not supported for topic configs: retention.ms'],
      ['missing', 3, 'This server does not host this topic-partition.'],
      ['ac', 40, 'Invalid value soon for configuration retention.ms: Not a number of type LONG'],
      ['1', 0, null],
      ['', 42, 'Cannot update these configs dynamically: Set(log.dirs)'],
      ['2', 42, 'Unexpected broker id, expected 1, but received 2'],
      ['ac', 0, null],
    ])
    expect(s.broker.dynamicBrokerConfigs()).toEqual({ broker: new Map([['num.io.threads', '4']]) })
    expect(s.broker.findTopic('ac')?.configs).toEqual(new Map([['segment.ms', '60000']]))
    const dry = await rawRequest(
      s.port,
      ApiKey.AlterConfigs,
      2,
      (w, v) => encodeAlterConfigsRequest(w, v, { validateOnly: true, resources: [resource(TOPIC, 'ac', [])] }),
      decodeAlterConfigsResponse,
    )
    expect(dry.responses[0]?.errorCode).toBe(0)
    expect(s.broker.findTopic('ac')?.configs).toEqual(new Map([['segment.ms', '60000']]))
  })

  it('IncrementalAlterConfigs v1: SET, DELETE, APPEND and SUBTRACT, with Kafka\'s refusals', async () => {
    const s = await start()
    s.broker.createTopics([{ name: 'inc', numPartitions: 1, replicationFactor: 1, configs: new Map() }])
    const conn = await RawConnection.open(s.port)
    const alter = async (configs: AlterableConfigInput[], opts: { validateOnly?: boolean; resourceType?: number; name?: string } = {}) => {
      const res = await conn.request(
        ApiKey.IncrementalAlterConfigs,
        1,
        (w, v) =>
          encodeIncrementalAlterConfigsRequest(w, v, {
            validateOnly: opts.validateOnly ?? false,
            resources: [{ resourceType: opts.resourceType ?? TOPIC, resourceName: opts.name ?? 'inc', configs }],
          }),
        decodeIncrementalAlterConfigsResponse,
      )
      const r = res.responses[0]
      return [r?.errorCode, r?.errorMessage]
    }
    const SET = 0
    const DELETE = 1
    const APPEND = 2
    const SUBTRACT = 3
    try {
      expect(await alter([{ name: 'cleanup.policy', configOperation: APPEND, value: 'compact' }])).toEqual([0, null])
      expect(s.broker.findTopic('inc')?.configs.get('cleanup.policy')).toBe('delete,compact')
      expect(await alter([{ name: 'cleanup.policy', configOperation: SUBTRACT, value: 'delete' }])).toEqual([0, null])
      expect(s.broker.findTopic('inc')?.configs.get('cleanup.policy')).toBe('compact')
      expect(await alter([{ name: 'retention.ms', configOperation: SET, value: '1000' }], { validateOnly: true })).toEqual([0, null])
      expect(s.broker.findTopic('inc')?.configs.has('retention.ms')).toBe(false)
      expect(await alter([{ name: 'retention.ms', configOperation: SET, value: '1000' }])).toEqual([0, null])
      expect(await alter([{ name: 'cleanup.policy', configOperation: DELETE, value: null }])).toEqual([0, null])
      expect(s.broker.findTopic('inc')?.configs).toEqual(new Map([['retention.ms', '1000']]))

      expect(await alter([{ name: 'retention.ms', configOperation: APPEND, value: '1' }])).toEqual([40, 'Config value append is not allowed for config key: retention.ms'])
      expect(await alter([{ name: 'retention.ms', configOperation: SET, value: null }])).toEqual([42, 'Null value not supported for : retention.ms'])
      expect(await alter([{ name: 'retention.ms', configOperation: 9, value: '1' }])).toEqual([42, 'Unknown alter config operation type 9 for config retention.ms'])
      expect(await alter([{ name: 'nope', configOperation: SET, value: '1' }])).toEqual([40, 'Unknown topic config name: nope'])
      expect(await alter([{ name: 'retention.ms', configOperation: SET, value: '1' }], { name: 'missing' })).toEqual([3, 'This server does not host this topic-partition.'])
      expect(await alter([{ name: 'log.retention.ms', configOperation: SET, value: '1000' }], { resourceType: BROKER, name: '' })).toEqual([0, null])
      expect(await alter([{ name: 'log.cleanup.policy', configOperation: APPEND, value: 'compact' }], { resourceType: BROKER, name: '1' })).toEqual([0, null])
      expect(await alter([{ name: 'log.retention.hours', configOperation: SET, value: '1' }], { resourceType: BROKER, name: '1' })).toEqual([
        42,
        'Cannot update these configs dynamically: Set(log.retention.hours)',
      ])
      expect(s.broker.dynamicBrokerConfigs()).toEqual({
        broker: new Map([['log.cleanup.policy', 'delete,compact']]),
        clusterDefault: new Map([['log.retention.ms', '1000']]),
      })
      expect(await alter([{ name: 'log.retention.ms', configOperation: DELETE, value: null }], { resourceType: BROKER, name: '' })).toEqual([0, null])
      expect(s.broker.dynamicBrokerConfigs().clusterDefault).toBeUndefined()
      expect(s.broker.findTopic('inc')?.configs).toEqual(new Map([['retention.ms', '1000']]))
    } finally {
      conn.close()
    }
  })
})

describe('FindCoordinator, DescribeCluster, InitProducerId and DeleteRecords over the wire', () => {
  it('FindCoordinator names this node for groups and transactions, v0 to v4, and refuses other key types', async () => {
    const s = await start()
    const find = (version: number, req: FindCoordinatorRequestInput) =>
      rawRequest(s.port, ApiKey.FindCoordinator, version, (w, v) => encodeFindCoordinatorRequest(w, v, req), decodeFindCoordinatorResponse)
    expect(await find(0, { key: 'g' })).toMatchObject({ errorCode: 0, nodeId: 1, host: '127.0.0.1', port: s.port })
    expect(await find(1, { key: 'tx', keyType: 1 })).toMatchObject({ errorCode: 0, errorMessage: null, nodeId: 1, host: '127.0.0.1', port: s.port })
    expect(await find(3, { key: 'g', keyType: 5 })).toMatchObject({
      errorCode: 42,
      errorMessage: 'Unknown coordinator type received: 5',
      nodeId: -1,
      host: '',
      port: -1,
    })
    const v4 = await find(4, { keyType: 0, coordinatorKeys: ['g1', 'g2'] })
    expect(v4.coordinators).toEqual([
      { key: 'g1', nodeId: 1, host: '127.0.0.1', port: s.port, errorCode: 0, errorMessage: null },
      { key: 'g2', nodeId: 1, host: '127.0.0.1', port: s.port, errorCode: 0, errorMessage: null },
    ])
    const bad = await find(4, { keyType: 2, coordinatorKeys: ['k'] })
    expect(bad.coordinators).toEqual([{ key: 'k', nodeId: -1, host: '', port: -1, errorCode: 42, errorMessage: 'Unknown coordinator type received: 2' }])
  })

  it('DescribeCluster v0/v1 describes this node; controller endpoints are refused', async () => {
    const s = await start()
    const describe = (version: number, endpointType?: number) =>
      rawRequest(
        s.port,
        ApiKey.DescribeCluster,
        version,
        (w, v) => encodeDescribeClusterRequest(w, v, { includeClusterAuthorizedOperations: false, endpointType }),
        decodeDescribeClusterResponse,
      )
    const expected = {
      errorCode: 0,
      errorMessage: null,
      endpointType: 1,
      clusterId: s.broker.clusterId,
      controllerId: 1,
      brokers: [{ brokerId: 1, host: '127.0.0.1', port: s.port, rack: null }],
      clusterAuthorizedOperations: -2147483648,
    }
    expect(await describe(0)).toMatchObject(expected)
    expect(await describe(1, 1)).toMatchObject(expected)
    // v2: is_fenced, never true for this node.
    expect(await describe(2, 1)).toMatchObject({ ...expected, brokers: [{ ...expected.brokers[0], isFenced: false }] })
    // Kafka 4.3's AuthHelper texts.
    expect(await describe(1, 2)).toMatchObject({
      errorCode: 114,
      errorMessage: 'The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER',
      brokers: [],
    })
    expect(await describe(1, 3)).toMatchObject({ errorCode: 115, errorMessage: 'Unsupported endpoint type 3', brokers: [] })
  })

  it('InitProducerId hands out a new producer id with epoch 0 at every version; a transactional id keeps its id and bumps its epoch', async () => {
    const s = await start()
    const conn = await RawConnection.open(s.port)
    try {
      const init = (version: number, req: InitProducerIdRequestInput) =>
        conn.request(ApiKey.InitProducerId, version, (w, v) => encodeInitProducerIdRequest(w, v, req), decodeInitProducerIdResponse)
      const ids: number[] = []
      for (const version of [0, 1, 2, 3, 4]) {
        const res = await init(version, { transactionalId: null, transactionTimeoutMs: 60000, ...(version >= 3 ? { producerId: ids.at(-1) ?? -1, producerEpoch: 0 } : {}) })
        expect(res).toMatchObject({ errorCode: 0, producerEpoch: 0 })
        ids.push(res.producerId)
      }
      expect(new Set(ids).size).toBe(5)
      expect(ids).toEqual([...ids].sort((a, b) => a - b))
      const first = await init(1, { transactionalId: 'tx-1', transactionTimeoutMs: 60000 })
      expect(first).toMatchObject({ errorCode: 0, producerEpoch: 0 })
      expect(first.producerId).toBeGreaterThan(ids.at(-1)!)
      expect(await init(4, { transactionalId: 'tx-1', transactionTimeoutMs: 60000 })).toEqual({ ...first, producerEpoch: 1 })
    } finally {
      conn.close()
    }
  })

  it('DeleteRecords moves the low watermark up only, with per-partition errors', async () => {
    const s = await start()
    const admin = await kafkajsAdmin(s)
    await admin.createTopics({ topics: [{ topic: 'dr', numPartitions: 2 }, { topic: 'compact', configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] })
    const kafka = new Kafka({ clientId: 'dr', brokers: [s.bootstrap], logLevel: logLevel.NOTHING })
    const producer = kafka.producer()
    await producer.connect()
    try {
      await producer.send({ topic: 'dr', messages: Array.from({ length: 5 }, (_, i) => ({ value: `v${i}`, partition: 0 })) })
    } finally {
      await producer.disconnect()
    }
    const deleteRecords = (version: number, topics: { name: string; partitions: { partitionIndex: number; offset: number }[] }[]) =>
      rawRequest(s.port, ApiKey.DeleteRecords, version, (w, v) => encodeDeleteRecordsRequest(w, v, { timeoutMs: 1000, topics }), decodeDeleteRecordsResponse)
    const res = await deleteRecords(2, [
      { name: 'dr', partitions: [{ partitionIndex: 0, offset: 3 }, { partitionIndex: 1, offset: 1 }, { partitionIndex: 7, offset: 0 }] },
      { name: 'compact', partitions: [{ partitionIndex: 0, offset: 0 }] },
      { name: 'missing', partitions: [{ partitionIndex: 0, offset: 0 }] },
    ])
    expect(res.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.errorCode, p.lowWatermark])])).toEqual([
      ['dr', [[0, 0, 3], [1, 1, -1], [7, 3, -1]]],
      ['compact', [[0, 44, -1]]],
      ['missing', [[0, 3, -1]]],
    ])
    const again = await deleteRecords(0, [{ name: 'dr', partitions: [{ partitionIndex: 0, offset: 1 }] }])
    expect(again.topics[0]?.partitions[0]).toEqual({ partitionIndex: 0, errorCode: 0, lowWatermark: 3 })
    const all = await deleteRecords(1, [{ name: 'dr', partitions: [{ partitionIndex: 0, offset: -1 }, { partitionIndex: 1, offset: -1 }] }])
    expect(all.topics[0]?.partitions.map((p) => [p.errorCode, p.lowWatermark])).toEqual([
      [0, 5],
      [0, 0],
    ])
  })

  it('ApiVersions advertises the admin APIs with the ranges served', async () => {
    const s = await start()
    const res = await rawRequest(s.port, ApiKey.ApiVersions, 3, (w, v) => encodeApiVersionsRequest(w, v, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' }), decodeApiVersionsResponse)
    const ranges = new Map(res.apiKeys.map((k) => [k.apiKey, [k.minVersion, k.maxVersion]]))
    expect(Object.fromEntries([10, 19, 20, 21, 22, 32, 33, 37, 44, 60].map((k) => [k, ranges.get(k)]))).toEqual({
      10: [0, 6],
      19: [2, 7],
      20: [1, 6],
      21: [0, 2],
      22: [0, 5],
      32: [1, 4],
      33: [0, 2],
      37: [0, 3],
      44: [0, 1],
      60: [0, 2],
    })
  })
})
