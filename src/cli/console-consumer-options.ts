// kafka-console-consumer's options as ConsoleConsumerOptions checks them: which topics, where to start,
// the group and its consumer settings, and the formatter, with Kafka's messages for every conflict.

import type { ConsumeOptions, StartPosition } from '../client/kafka-client.js'
import { UsageError, UserError } from './errors.js'
import { isolationLevelOf, parseGroupConfig } from './group-config.js'
import { formatterConfig, MessageFormatter } from './message-formatter.js'
import { toolProperties } from './properties-file.js'
import { consoleToolRename, renamedOption } from './renamed-options.js'
import { topicRegex } from './topic-regex.js'

const DEFAULT_FORMATTERS = new Set(['kafka.tools.DefaultMessageFormatter', 'org.apache.kafka.tools.consumer.DefaultMessageFormatter'])
const NOOP_FORMATTERS = new Set(['kafka.tools.NoOpMessageFormatter', 'org.apache.kafka.tools.consumer.NoOpMessageFormatter'])

export interface ConsoleConsumerFlags {
  topic?: string | undefined
  include?: string | undefined
  partition?: number | undefined
  offset?: string | undefined
  'from-beginning': boolean
  group?: string | undefined
  'max-messages'?: number | undefined
  'timeout-ms'?: number | undefined
  formatter?: string | undefined
  'formatter-property'?: string[] | undefined
  property?: string[] | undefined
  'formatter-config'?: string | undefined
  'command-property'?: string[] | undefined
  'consumer-property'?: string[] | undefined
  'command-config'?: string | undefined
  'consumer.config'?: string | undefined
  'key-deserializer'?: string | undefined
  'value-deserializer'?: string | undefined
  'isolation-level'?: string | undefined
}

export interface ConsoleConsumerOptions {
  /** One topic by name (checked to exist before consuming) or the topics a pattern matches. */
  readonly topic: { readonly name: string } | { readonly pattern: RegExp }
  readonly consumerProps: ReadonlyMap<string, string>
  readonly clientId: string
  /** The consume options other than the topics and the stop signal. */
  readonly consume: Omit<ConsumeOptions, 'topics' | 'signal'>
  /** undefined: NoOpMessageFormatter (records are counted, nothing printed). */
  readonly formatter: MessageFormatter | undefined
}

/** `askTopic` asks for a topic on a terminal when neither --topic nor --include is given (else Kafka's usage error). */
export async function consoleConsumerOptions(flags: ConsoleConsumerFlags, askTopic: (usage: string) => Promise<string>): Promise<ConsoleConsumerOptions> {
  const include = flags.include
  const exactlyOne = 'Exactly one of the following arguments is required: [topic], [include]'
  // A topic that does not exist is refused before consuming, never created.
  const topic = flags.topic === undefined && include === undefined ? await askTopic(exactlyOne) : flags.topic
  if ((topic === undefined) === (include === undefined)) throw new UsageError(exactlyOne)
  if (flags.partition !== undefined && topic === undefined) throw new UsageError('The topic is required when partition is specified.')
  if (flags.partition !== undefined && flags['from-beginning'] && flags.offset !== undefined) {
    throw new UsageError('Options from-beginning and offset cannot be specified together.')
  }
  if (flags.offset !== undefined && flags.partition === undefined) throw new UsageError('The partition is required when offset is specified.')

  // Kafka announces the renamed options in this order: --consumer-property, --consumer.config, then --property.
  const commandProperties = renamedOption<string[]>(flags, consoleToolRename('consumer', 'consumer-property', 'command-property'))
  const consumerProps = toolProperties(renamedOption<string>(flags, consoleToolRename('consumer', 'consumer.config', 'command-config')), commandProperties)
  const groupIds = [...new Set([flags.group, consumerProps.get('group.id')].filter((g): g is string => g !== undefined))]
  if (groupIds.length > 1) {
    throw new UsageError(
      `The group ids provided in different places (directly using '--group', via '--consumer-property', or via '--consumer.config') do not match. Detected group ids: ${groupIds.map((g) => `'${g}'`).join(', ')}`,
    )
  }
  if (groupIds.length > 0 && flags.partition !== undefined) throw new UsageError('Options group and partition cannot be specified together.')
  const group = groupIds[0] === undefined ? undefined : parseGroupConfig(groupIds[0], consumerProps)
  const reset = consumerProps.get('auto.offset.reset')
  if (flags['from-beginning'] && reset !== undefined && reset !== 'earliest') {
    throw new UserError(`Can't simultaneously specify --from-beginning and 'auto.offset.reset=${reset}', please remove one option`)
  }
  const resetTo = (reset ?? (flags['from-beginning'] ? 'earliest' : 'latest')) as 'earliest' | 'latest' | 'none'
  if (!['earliest', 'latest', 'none'].includes(resetTo)) {
    throw new UsageError(`Invalid value ${resetTo} for configuration auto.offset.reset: String must be one of: latest, earliest, none`)
  }
  // Without --partition the consumer subscribes (in a group of its own when --group is absent) and
  // starts where auto.offset.reset says; --from-beginning is that reset set to earliest.
  const start = flags.partition === undefined && resetTo !== 'none' ? resetTo : parseStart(flags.offset, flags['from-beginning'])
  // --isolation-level goes over the consumer properties, as ConsoleConsumerOptions merges it (maybeMergeOptions).
  if (flags['isolation-level'] !== undefined) consumerProps.set('isolation.level', flags['isolation-level'])
  const isolation = isolationLevelOf(consumerProps)
  const maxMessages = flags['max-messages']
  return {
    topic: topic !== undefined ? { name: topic } : { pattern: topicRegex(include ?? '') },
    consumerProps,
    clientId: consumerProps.get('client.id') ?? 'console-consumer',
    consume: {
      ...(flags.partition === undefined ? {} : { partition: flags.partition }),
      start,
      resetTo,
      isolation,
      // Kafka's -1 means unlimited; any other value below 1 reads nothing.
      ...(maxMessages === undefined || maxMessages === -1 ? {} : { maxMessages }),
      ...(flags['timeout-ms'] === undefined ? {} : { timeoutMs: flags['timeout-ms'] }),
      ...(group === undefined ? {} : { group }),
    },
    formatter: messageFormatter(flags),
  }
}

function parseStart(offset: string | undefined, fromBeginning: boolean): StartPosition {
  if (offset === undefined) return fromBeginning ? 'earliest' : 'latest'
  const v = offset.trim().toLowerCase()
  if (v === 'earliest' || v === 'latest') return v
  if (/^\d+$/.test(v) && Number.isSafeInteger(Number(v))) return Number(v)
  throw new UsageError(`The provided offset value '${offset}' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long.`)
}

function messageFormatter(flags: ConsoleConsumerFlags): MessageFormatter | undefined {
  const formatterClass = flags.formatter ?? 'org.apache.kafka.tools.consumer.DefaultMessageFormatter'
  if (NOOP_FORMATTERS.has(formatterClass)) return undefined
  if (!DEFAULT_FORMATTERS.has(formatterClass)) throw new UserError(`Formatter class ${formatterClass} is not available in kafka-ts.`)
  const props = toolProperties(flags['formatter-config'], renamedOption<string[]>(flags, consoleToolRename('consumer', 'property', 'formatter-property')))
  if (flags['key-deserializer']) props.set('key.deserializer', flags['key-deserializer'])
  if (flags['value-deserializer']) props.set('value.deserializer', flags['value-deserializer'])
  try {
    return new MessageFormatter(formatterConfig(props))
  } catch (err) {
    throw new UserError((err as Error).message)
  }
}
