import fs from 'node:fs'

import { parseJavaProperties } from '../util/java-properties.js'
import { UserError } from './errors.js'

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
