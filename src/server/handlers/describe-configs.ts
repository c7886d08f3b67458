/**
 * DescribeConfigs (32), v1–v4 (v0 closes the connection since Kafka 4.0, KIP-896).
 * Behaviour: per resource, as Kafka's ConfigHelper. TOPIC (2): every topic config with its effective value
 * and source (topic override, else a dynamic broker config, else a server.properties synonym, else default);
 * an illegal name → INVALID_TOPIC_EXCEPTION with Topic.validate's text; unknown topic →
 * UNKNOWN_TOPIC_OR_PARTITION (no message, as Kafka). BROKER (4): name = this node's id → the broker configs
 * (source DYNAMIC_BROKER_CONFIG, DYNAMIC_DEFAULT_BROKER_CONFIG, STATIC_BROKER_CONFIG for keys set in
 * server.properties, else DEFAULT_CONFIG; read_only unless Kafka can change the key at run time); "" → the
 * cluster-wide dynamic defaults set with kafka-configs --entity-default; another id → INVALID_REQUEST
 * `Unexpected broker id, expected <n> or empty string, but received <x>`. BROKER_LOGGER (8): this node's id →
 * an empty list. configuration_keys null or empty = all. config_source and, with
 * include_synonyms, the synonyms; v3+ config_type, documentation null.
 * Differs from Apache Kafka: a broker lists the keys kafka-ts reads and the broker synonyms of topic configs
 * (Kafka lists all of KafkaConfig); other server.properties keys appear as Kafka shows keys of unknown type
 * (sensitive, value null). No logger levels; CLIENT_METRICS and GROUP resources → INVALID_REQUEST.
 */
import { ApiKey } from '../../protocol/api-keys.js'
import {
  decodeDescribeConfigsRequest,
  encodeDescribeConfigsResponse,
  type DescribeConfigsRequest,
  type DescribeConfigsResource,
  type DescribeConfigsResourceResultInput,
  type DescribeConfigsResponseInput,
  type DescribeConfigsResultInput,
} from '../../protocol/messages/describe-configs.js'
import { KafkaError } from '../../broker/kafka-error.js'
import { CONFIG_SOURCE_IDS, CONFIG_TYPE_IDS } from '../../broker/config-def.js'
import { type ConfigEntry } from '../../broker/topic-configs.js'
import { topicValidateMessage } from '../../broker/topic-names.js'
import { defineHandler, type RequestContext } from '../handler.js'

/** ConfigResource.Type ids. */
export const RESOURCE_TYPE = { TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8, CLIENT_METRICS: 16, GROUP: 32 } as const

/** What both topic and broker descriptions hand to the encoder. */
type ConfigView = ConfigEntry

export const describeConfigsHandler = defineHandler<DescribeConfigsRequest, DescribeConfigsResponseInput>({
  apiKey: ApiKey.DescribeConfigs,
  name: 'DescribeConfigs',
  minVersion: 1,
  maxVersion: 4,
  decode: decodeDescribeConfigsRequest,
  encode: encodeDescribeConfigsResponse,
  handle(req, ctx) {
    return {
      throttleTimeMs: 0,
      results: req.resources.map((resource) => {
        const base = { resourceType: resource.resourceType, resourceName: resource.resourceName }
        const described = describe(resource, ctx)
        if (described instanceof KafkaError || described === 'unknown-topic') {
          const error = described instanceof KafkaError ? described : new KafkaError('UNKNOWN_TOPIC_OR_PARTITION')
          return { ...base, errorCode: error.code, errorMessage: described instanceof KafkaError ? error.message : null, configs: [] }
        }
        const result: DescribeConfigsResultInput = {
          ...base,
          errorCode: 0,
          errorMessage: null,
          configs: described.map((c) => toEntry(c, ctx.apiVersion, req.includeSynonyms)),
        }
        return result
      }),
    }
  },
})

function describe(resource: DescribeConfigsResource, ctx: RequestContext): readonly ConfigView[] | KafkaError | 'unknown-topic' {
  const { broker } = ctx
  const name = resource.resourceName
  const keys = resource.configurationKeys === null || resource.configurationKeys.length === 0 ? null : resource.configurationKeys
  switch (resource.resourceType) {
    case RESOURCE_TYPE.TOPIC: {
      const invalid = topicValidateMessage(name)
      if (invalid) return new KafkaError('INVALID_TOPIC_EXCEPTION', invalid)
      const outcome = broker.describeTopicConfigs(name, keys)
      if (outcome.ok) return outcome.value
      return outcome.error.errorName === 'UNKNOWN_TOPIC_OR_PARTITION' ? 'unknown-topic' : outcome.error
    }
    case RESOURCE_TYPE.BROKER: {
      const outcome = broker.describeBrokerConfigs(name, keys)
      return outcome.ok ? outcome.value : outcome.error
    }
    case RESOURCE_TYPE.BROKER_LOGGER: {
      if (name === '') return new KafkaError('INVALID_REQUEST', 'Broker id must not be empty')
      const id = brokerId(name)
      if (id instanceof KafkaError) return id
      if (id !== broker.nodeId) return new KafkaError('INVALID_REQUEST', `Unexpected broker id, expected ${broker.nodeId} but received ${name}`)
      return []
    }
    case RESOURCE_TYPE.GROUP: {
      const outcome = broker.groupConfigs.describe(name, keys)
      return outcome.ok ? outcome.value : outcome.error
    }
    default:
      return new KafkaError('INVALID_REQUEST', `Unsupported resource type: ${resourceTypeName(resource.resourceType)}`)
  }
}

function toEntry(c: ConfigView, version: number, includeSynonyms: boolean): DescribeConfigsResourceResultInput {
  const entry: DescribeConfigsResourceResultInput = {
    name: c.name,
    value: c.isSensitive ? null : c.value,
    readOnly: c.readOnly,
    configSource: CONFIG_SOURCE_IDS[c.source],
    isSensitive: c.isSensitive,
    synonyms: includeSynonyms ? c.synonyms.map((s) => ({ name: s.name, value: s.value, source: CONFIG_SOURCE_IDS[s.source] })) : [],
  }
  if (version >= 3) {
    entry.configType = c.type === undefined ? 0 : CONFIG_TYPE_IDS[c.type]
    entry.documentation = null
  }
  return entry
}

/** Integer.parseInt of a broker resource name, or Kafka's INVALID_REQUEST. */
export function brokerId(name: string): number | KafkaError {
  const n = /^[+-]?[0-9]+$/.test(name) ? Number(name) : Number.NaN
  if (!Number.isInteger(n) || n < -(2 ** 31) || n > 2 ** 31 - 1) {
    return new KafkaError('INVALID_REQUEST', `Broker id must be an integer, but it is: ${name}`)
  }
  return n
}

export function resourceTypeName(type: number): string {
  const entry = Object.entries(RESOURCE_TYPE).find(([, id]) => id === type)
  return entry ? entry[0] : 'UNKNOWN'
}

