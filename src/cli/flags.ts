import { Flags } from '@oclif/core'

import { parseJavaLong } from '../util/java/numbers.js'
import { UsageError } from './errors.js'

// Flag factories and Kafka's option-combination rules (jopt-simple wording, cli.md §0.1).

/** Repeatable `key=value` flag (`--property`, `--config`, `--producer-property`, …). */
export const keyValues = (summary: string) => Flags.string({ summary, multiple: true })

/** Splits `key=value` items at the first `=`; a missing `=` gives the empty value (Kafka's rule). */
export function parseKeyValues(items: readonly string[] | undefined): Map<string, string> {
  const out = new Map<string, string>()
  for (const item of items ?? []) {
    const eq = item.indexOf('=')
    if (eq < 0) out.set(item, '')
    else out.set(item.slice(0, eq), item.slice(eq + 1))
  }
  return out
}

/** `Option "[a]" can't be used with option "[b]"` when both are present. */
export function forbidTogether(flags: Record<string, unknown>, option: string, withOption: string): void {
  if (isSet(flags[option]) && isSet(flags[withOption])) {
    throw new UsageError(`Option "[${option}]" can't be used with option "[${withOption}]"`)
  }
}

/** `Missing required argument "[name]"`. */
export function missingArgument(name: string): string {
  return `Missing required argument "[${name}]"`
}

export function isSet(v: unknown): boolean {
  if (v === undefined || v === false) return false
  if (Array.isArray(v)) return v.length > 0
  return true
}

/** Picks the single action flag that is set, or fails with the tool's own message. */
export function pickAction<A extends string>(flags: Record<string, unknown>, actions: readonly A[], message: string): A {
  const set = actions.filter((a) => isSet(flags[a]))
  const [only] = set
  if (set.length !== 1 || only === undefined) throw new UsageError(message)
  return only
}

/** jopt-simple's Long conversion, with its message. */
export function parseLongOption(value: string, option: string): number {
  const n = parseJavaLong(value)
  if (n === undefined) throw new UsageError(`Cannot parse argument '${value}' of option ${option}`)
  return Number(n)
}

/**
 * ToolsUtils.validateBootstrapServer, which the console producer and get-offsets run on --bootstrap-server before
 * connecting (the other tools leave the address to the client): every comma-separated entry needs a port.
 */
export function validateBootstrapServer(value: string | undefined): void {
  if (value === undefined) return
  if (value.trim() === '') throw new UsageError('Error while validating the bootstrap address')
  if (!value.split(',').every((hostPort) => /:[0-9]+$/.test(hostPort))) throw new UsageError('Please provide valid host:port like host1:9091,host2:9092')
}
