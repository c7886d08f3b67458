import { describe, expect, it } from 'vitest'

import { brokerConfigFrom } from '../../../src/broker/broker-config.js'
import { BROKER_CONFIG_KEYS, describeBrokerConfigs } from '../../../src/broker/broker-config-describe.js'
import { TOPIC_SYNONYM_BROKER_KEYS } from '../../../src/broker/topic-config-catalogue.js'

// DescribeConfigs of a broker, following Kafka 3.9's ConfigHelper.createBrokerConfigEntry: value of the key
// itself, synonyms from server.properties (source 4) then defaults (source 5), cut before the key's own name.
const config = (props: Record<string, string>) => brokerConfigFrom(new Map(Object.entries(props)))
const one = (props: Record<string, string>, name: string) => describeBrokerConfigs(config(props), [name])[0]

describe('describeBrokerConfigs', () => {
  it('reports a key set in server.properties as STATIC_BROKER_CONFIG, in canonical form, with its unit synonyms', () => {
    expect(one({ 'log.retention.ms': ' 3600000 ' }, 'log.retention.ms')).toEqual({
      name: 'log.retention.ms',
      value: '3600000',
      source: 'STATIC_BROKER_CONFIG',
      isSensitive: false,
      readOnly: false,
      synonyms: [
        { name: 'log.retention.ms', value: '3600000', source: 'STATIC_BROKER_CONFIG' },
        { name: 'log.retention.hours', value: '168', source: 'DEFAULT_CONFIG' },
      ],
      type: 'long',
    })
  })

  it('drops synonyms ranked above the key itself, and marks only dynamic keys writable', () => {
    expect(one({ 'log.retention.ms': '1000' }, 'log.retention.hours')).toMatchObject({
      value: '168',
      source: 'DEFAULT_CONFIG',
      readOnly: true,
      synonyms: [{ name: 'log.retention.hours', value: '168', source: 'DEFAULT_CONFIG' }],
    })
    expect(one({}, 'log.retention.minutes')).toMatchObject({ value: null, source: 'DEFAULT_CONFIG', synonyms: [] })
    expect(one({}, 'num.partitions')).toMatchObject({ readOnly: true })
    expect(one({}, 'num.io.threads')).toMatchObject({ readOnly: false })
    // Kafka 4.0 removed log.message.format.version.
    expect(one({}, 'log.message.format.version')).toBeUndefined()
  })

  it('fills broker.id from node.id as KafkaConfig does, and hides keys it cannot type', () => {
    expect(one({ 'node.id': '7' }, 'broker.id')).toMatchObject({ value: '7', source: 'STATIC_BROKER_CONFIG' })
    expect(one({ 'sasl.jaas.config': 'secret' }, 'sasl.jaas.config')).toMatchObject({
      value: null,
      isSensitive: true,
      source: 'STATIC_BROKER_CONFIG',
      type: undefined,
      synonyms: [{ name: 'sasl.jaas.config', value: null, source: 'STATIC_BROKER_CONFIG' }],
    })
  })

  it('lists every key it knows, sorted, covering each topic-config broker synonym; null and [] mean all', () => {
    const all = describeBrokerConfigs(config({}), null)
    expect(all.map((e) => e.name)).toEqual([...BROKER_CONFIG_KEYS.keys()].sort())
    for (const s of TOPIC_SYNONYM_BROKER_KEYS) expect(all.some((e) => e.name === s.name)).toBe(true)
    expect(describeBrokerConfigs(config({}), []).length).toBe(all.length)
    expect(describeBrokerConfigs(config({}), ['num.partitions', 'no.such.key']).map((e) => e.name)).toEqual(['num.partitions'])
  })

  it('agrees with brokerConfigFrom on the defaults it reports', () => {
    const defaults = config({})
    const values = new Map(describeBrokerConfigs(defaults, null).map((e) => [e.name, e.value]))
    expect(values.get('num.partitions')).toBe(String(defaults.numPartitions))
    expect(values.get('message.max.bytes')).toBe(String(defaults.messageMaxBytes))
    expect(values.get('socket.request.max.bytes')).toBe(String(defaults.socketRequestMaxBytes))
    expect(values.get('group.max.session.timeout.ms')).toBe(String(defaults.groupMaxSessionTimeoutMs))
    expect(values.get('offsets.topic.num.partitions')).toBe(String(defaults.offsetsTopicNumPartitions))
    expect(values.get('fetch.max.bytes')).toBe(String(defaults.fetchMaxBytes))
  })
})
