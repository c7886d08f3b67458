import fs from 'node:fs'

import { parseJavaProperties } from '../util/java-properties.js'
import { UserError } from './errors.js'
import { parseKeyValues } from './flags.js'

/** Reads a Java properties file (server.properties, --producer.config, --command-config). */
export function readPropertiesFile(file: string): Map<string, string> {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new UserError(code === 'ENOENT' ? `${file} (No such file or directory)` : `Cannot read ${file}: ${(err as Error).message}`)
  }
  return parseJavaProperties(text)
}

/**
 * A tool's settings of one kind as Kafka's tools gather them: the properties file (`--producer.config`,
 * `--consumer.config`, `--reader-config`, …) first, then each `key=value` of the repeatable flag over it.
 */
export function toolProperties(file: string | undefined, keyValues: readonly string[] | undefined): Map<string, string> {
  const props = file === undefined || file === '' ? new Map<string, string>() : readPropertiesFile(file)
  for (const [key, value] of parseKeyValues(keyValues)) props.set(key, value)
  return props
}
