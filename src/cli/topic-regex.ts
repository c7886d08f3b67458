// Topic patterns as kafka-topics and the console consumer take them: a Java regex, comma meaning "or".

import { UserError } from './errors.js'

/** Kafka's topic regex: commas mean alternation, spaces are removed, surrounding quotes stripped; whole-name match. */
export function topicRegex(pattern: string): RegExp {
  const cleaned = pattern.trim().replace(/^["']|["']$/g, '').replace(/\s+/g, '').replace(/,/g, '|')
  try {
    return new RegExp(`^(?:${cleaned})$`, 'u')
  } catch {
    throw new UserError(`Error while executing topic command : Invalid regular expression: ${pattern}`)
  }
}
