// The Java consumer's fetch settings as kafka-ts's consuming tools read them from consumer properties
// (after each tool has put its own over them): ConsumerConfig's keys, defaults and ConfigDef messages.

import { atLeast } from '../broker/config-def.js'
import { ClientConfig } from '../client/client-configs.js'
import { DEFAULT_FETCH_SETTINGS, type FetchSettings } from '../client/kafka-client.js'

export function fetchSettings(props: ReadonlyMap<string, string>): FetchSettings {
  const config = new ClientConfig(props)
  const d = DEFAULT_FETCH_SETTINGS
  return {
    minBytes: config.int('fetch.min.bytes', d.minBytes, atLeast(0)),
    maxBytes: config.int('fetch.max.bytes', d.maxBytes, atLeast(0)),
    partitionMaxBytes: config.int('max.partition.fetch.bytes', d.partitionMaxBytes, atLeast(0)),
    maxWaitMs: config.int('fetch.max.wait.ms', d.maxWaitMs, atLeast(0)),
    maxPollRecords: config.int('max.poll.records', d.maxPollRecords, atLeast(1)),
  }
}
