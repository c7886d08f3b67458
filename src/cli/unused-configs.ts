import { CONFIG_CLASS, unusedConfigs, unusedConfigsMessage, type ClientKind } from '../client/client-configs.js'
import { log4j } from './log4j.js'

/**
 * AbstractConfig.logUnused, which every Java client calls once it is built: the supplied keys its config
 * class does not define. Kafka logs this at INFO (hidden by the tools' WARN level); kafka-ts shows it, as
 * the one sign that a key was not taken.
 */
export function logUnusedConfigs(kind: ClientKind, props: ReadonlyMap<string, string>): void {
  const unused = unusedConfigs(kind, props)
  if (unused.length > 0) log4j('INFO', unusedConfigsMessage(unused), CONFIG_CLASS[kind])
}
