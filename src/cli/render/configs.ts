// kafka-configs (ConfigCommand.scala, Kafka 4.3; cli.md §5, cli-4.md A.6): how --add-config is read and how --describe
// prints. Pure functions over the client's ConfigEntry shape.

import type { ConfigEntry } from '../../broker/topic-configs.js'
import type { ConfigSource } from '../../broker/config-def.js'
import { javaSplit } from '../../util/java/strings.js'

export type EntityType = 'topics' | 'brokers' | 'groups'

/** ConfigEntry.ConfigSource names as the Java admin client prints them (TOPIC_CONFIG is DYNAMIC_TOPIC_CONFIG). */
const SOURCE_NAMES: Readonly<Record<ConfigSource, string>> = {
  TOPIC_CONFIG: 'DYNAMIC_TOPIC_CONFIG',
  DYNAMIC_BROKER_CONFIG: 'DYNAMIC_BROKER_CONFIG',
  DYNAMIC_DEFAULT_BROKER_CONFIG: 'DYNAMIC_DEFAULT_BROKER_CONFIG',
  STATIC_BROKER_CONFIG: 'STATIC_BROKER_CONFIG',
  DEFAULT_CONFIG: 'DEFAULT_CONFIG',
  GROUP_CONFIG: 'DYNAMIC_GROUP_CONFIG',
}

/** A failure Kafka's tool reports as its bare message (IllegalArgumentException, InvalidConfigurationException). */
export class ConfigArgumentError extends Error {
  override name = 'ConfigArgumentError'
}

// Split at commas (resp. `=`) that are not inside [...]: ConfigCommand's `(?=[^\]]*(?:\[|$))`.
const OUTSIDE_BRACKETS = '(?=[^\\]]*(?:\\[|$))'
const ITEM_SEPARATOR = new RegExp(`,${OUTSIDE_BRACKETS}`)
const KEY_VALUE_SEPARATOR = new RegExp(`\\s*=\\s*${OUTSIDE_BRACKETS}`)
// Kafka 4 also allows `$` (logger names of inner classes).
const VALID_KEY = /^[$a-zA-Z0-9._-]*$/

/**
 * `--add-config k1=v1,k2=[a,b]` as parseConfigsToBeAdded reads it: items split at commas outside brackets,
 * each split once at `=` (more than one `=` outside brackets is an error), brackets dropped, key and value
 * trimmed. Later keys win.
 */
export function parseAddConfig(text: string): Map<string, string> {
  const props = new Map<string, string>()
  const items = javaSplit(text, ITEM_SEPARATOR).map((item) => item.split(KEY_VALUE_SEPARATOR))
  if (!items.every((pair) => pair.length === 2)) {
    // Kafka 4.3's text, two spaces before the second quote included.
    throw new ConfigArgumentError(
      'requirement failed: Invalid entity config: all configs to be added must be in the format "key=val" or  "key=[val1,val2]" to group values which contain commas.',
    )
  }
  for (const [key = '', value = ''] of items) props.set(key.trim(), value.replace(/[[\]]/g, '').trim())
  return props
}

/** validatePropsKey: every key must match `[a-zA-Z0-9._-]*`. */
export function validateConfigKeys(props: ReadonlyMap<string, string>): void {
  for (const key of props.keys()) {
    if (!VALID_KEY.test(key)) throw new ConfigArgumentError(`Invalid character found for config key: ${key}`)
  }
}

/** `--delete-config k1,k2` (repeatable): values split at commas and trimmed. */
export function parseDeleteConfig(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((k) => k.trim())
}

/** The heading printed before an entity's configs. */
export function describeHeading(entityType: EntityType, name: string, all: boolean): string {
  if (name === '') return `Default configs for ${entityType} in the cluster are:`
  return `${all ? 'All' : 'Dynamic'} configs for ${entityType.slice(0, -1)} ${name} are:`
}

/** The source an entity's own dynamic configs have (getResourceConfig's filter without --all). */
export function dynamicSource(entityType: EntityType, name: string): ConfigSource {
  if (entityType === 'groups') return 'GROUP_CONFIG'
  return entityType === 'topics' ? 'TOPIC_CONFIG' : name === '' ? 'DYNAMIC_DEFAULT_BROKER_CONFIG' : 'DYNAMIC_BROKER_CONFIG'
}

/** The entries describe prints: the entity's dynamic ones unless --all, sorted by name. */
export function selectEntries(entries: readonly ConfigEntry[], entityType: EntityType, name: string, all: boolean): ConfigEntry[] {
  const source = dynamicSource(entityType, name)
  return entries.filter((e) => all || e.source === source).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

/** `  name=value sensitive=false synonyms={SOURCE:name=value, …}`. */
export function configLine(entry: ConfigEntry): string {
  const synonyms = entry.synonyms.map((s) => `${SOURCE_NAMES[s.source]}:${s.name}=${String(s.value)}`).join(', ')
  return `  ${entry.name}=${String(entry.value)} sensitive=${String(entry.isSensitive)} synonyms={${synonyms}}`
}

/** `Completed updating config for topic t.` / `… default config for brokers in the cluster.` */
export function alterCompleted(entityType: EntityType, name: string): string {
  return name === '' ? `Completed updating default config for ${entityType} in the cluster.` : `Completed updating config for ${entityType.slice(0, -1)} ${name}.`
}

