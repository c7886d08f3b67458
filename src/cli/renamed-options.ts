// Options that Kafka 4.2 renamed (KIP-1147, cli-4.md A.1). The old name keeps working until Kafka 5.0 but
// prints the tool's deprecation warning on stdout — Kafka's tools print it there, in the same stream as
// the records — and giving both names is a usage error. Each tool words both texts its own way, so a rename
// carries them.

import { UsageError } from './errors.js'
import { isSet } from './flags.js'

export interface RenamedOption {
  /** The 3.9 name, without dashes. */
  readonly old: string
  /** The 4.2 name, without dashes. */
  readonly current: string
  /** What the tool prints (stdout) when the old name is used. */
  readonly warning: string
  /** The usage error when both are given. */
  readonly conflict: string
}

/** The value given under either name (the old one announced by its warning); both names → the tool's usage error. */
export function renamedOption<T>(flags: object, rename: RenamedOption): T | undefined {
  const given = flags as Readonly<Record<string, unknown>>
  const old = given[rename.old] as T | undefined
  const current = given[rename.current] as T | undefined
  if (isSet(old) && isSet(current)) throw new UsageError(rename.conflict)
  if (!isSet(old)) return current
  process.stdout.write(`${rename.warning}\n`)
  return old
}

/** The console producer's and console consumer's wording (ConsoleProducerOptions / ConsoleConsumerOptions). */
export function consoleToolRename(tool: 'producer' | 'consumer', old: string, current: string): RenamedOption {
  const deprecated = `--${old} is deprecated and will be removed in a future version. Use --${current} instead.`
  return tool === 'producer'
    ? { old, current, warning: `Warning: ${deprecated}`, conflict: `Options --${current} and --${old} cannot be specified together.` }
    : { old, current, warning: `Option ${deprecated}`, conflict: `Options --${old} and --${current} cannot be specified together.` }
}
