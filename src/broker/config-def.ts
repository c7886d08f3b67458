// Kafka's ConfigDef (clients/.../common/config/ConfigDef.java, ConfigException.java): config types,
// value parsing with Java's rules and validators with ConfigDef's exact texts. Shared by the topic
// configs (topic-config-catalogue.ts) and server.properties (broker-config.ts).

import { javaDoubleToString, parseJavaDouble } from '../util/java/numbers.js'
import { javaTrim } from '../util/java/strings.js'

export type ConfigType = 'boolean' | 'string' | 'int' | 'short' | 'long' | 'double' | 'list' | 'class' | 'password'

export type ConfigSource =
  | 'TOPIC_CONFIG'
  | 'DYNAMIC_BROKER_CONFIG'
  | 'DYNAMIC_DEFAULT_BROKER_CONFIG'
  | 'STATIC_BROKER_CONFIG'
  | 'DEFAULT_CONFIG'
  | 'GROUP_CONFIG'

/** DescribeConfigs `config_source` / synonym `source` ids (v1+). */
export const CONFIG_SOURCE_IDS: Readonly<Record<ConfigSource, number>> = {
  TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  GROUP_CONFIG: 8,
}

/** DescribeConfigs `config_type` ids (v3+). */
export const CONFIG_TYPE_IDS: Readonly<Record<ConfigType, number>> = {
  boolean: 1,
  string: 2,
  int: 3,
  short: 4,
  long: 5,
  double: 6,
  list: 7,
  class: 8,
  password: 9,
}

// ---------------------------------------------------------------------------------------------------------
// ConfigDef: parsing and validators

/** A parsed value, as ConfigDef.parseType would produce it. Integers stay exact as bigint (LONG is 64-bit). */
export type ParsedValue = boolean | string | bigint | number | readonly string[]

/** Checks a parsed value; returns ConfigDef's reason (the part after `Invalid value X for configuration Y: `). */
export interface Validator {
  check(value: ParsedValue): { shown: string; reason: string } | undefined
  /** ConfigDef's `Valid Values` rendering, e.g. `[0,...]` or `[compact, delete]`. */
  readonly describe: string
}

/** One key of a ConfigDef: name, type, default as a string (null = no default value), validator. */
export interface ConfigKeyDef {
  readonly name: string
  readonly type: ConfigType
  readonly defaultValue: string | null
  readonly validator?: Validator
}

export type ParseResult = { ok: true; value: ParsedValue; text: string } | { ok: false; message: string }

const INT_RANGE = [-(2n ** 31n), 2n ** 31n - 1n] as const
const SHORT_RANGE = [-(2n ** 15n), 2n ** 15n - 1n] as const
const LONG_RANGE = [-(2n ** 63n), 2n ** 63n - 1n] as const
const TYPE_NAMES: Readonly<Record<ConfigType, string>> = {
  boolean: 'BOOLEAN',
  string: 'STRING',
  int: 'INT',
  short: 'SHORT',
  long: 'LONG',
  double: 'DOUBLE',
  list: 'LIST',
  class: 'CLASS',
  password: 'PASSWORD',
}

/** ConfigException(name, value, message) text. */
export function invalidValueMessage(name: string, shown: string, reason: string): string {
  return `Invalid value ${shown} for configuration ${name}: ${reason}`
}

/**
 * Parses `raw` as ConfigDef.parseType does, then runs the key's validator. `text` is the canonical string
 * DescribeConfigs reports (ConfigDef.convertToString of the parsed value), e.g. ` 0100 ` → `100`, `1` as a
 * DOUBLE → `1.0`, `compact , delete` → `compact,delete`.
 */
export function parseConfigValue(def: ConfigKeyDef, raw: string): ParseResult {
  const parsed = parseType(def.name, def.type, raw)
  if (!parsed.ok) return parsed
  const problem = def.validator?.check(parsed.value)
  if (problem) return { ok: false, message: invalidValueMessage(def.name, problem.shown, problem.reason) }
  return parsed
}

function parseType(name: string, type: ConfigType, raw: string): ParseResult {
  const trimmed = javaTrim(raw)
  const notNumber = (): ParseResult => ({
    ok: false,
    message: invalidValueMessage(name, raw, `Not a number of type ${TYPE_NAMES[type]}`),
  })
  switch (type) {
    case 'boolean': {
      const lower = trimmed.toLowerCase()
      if (lower === 'true' || lower === 'false') return { ok: true, value: lower === 'true', text: lower }
      return { ok: false, message: invalidValueMessage(name, raw, 'Expected value to be either true or false') }
    }
    case 'string':
    case 'password':
    case 'class':
      // CLASS would be loaded by name in Java; there is nothing to load here, so the name is kept as given.
      return { ok: true, value: trimmed, text: trimmed }
    case 'int':
    case 'short':
    case 'long': {
      const range = type === 'int' ? INT_RANGE : type === 'short' ? SHORT_RANGE : LONG_RANGE
      if (!/^[+-]?[0-9]+$/.test(trimmed)) return notNumber()
      const n = BigInt(trimmed)
      if (n < range[0] || n > range[1]) return notNumber()
      return { ok: true, value: n, text: n.toString() }
    }
    case 'double': {
      const n = parseJavaDouble(trimmed)
      if (n === undefined) return notNumber()
      return { ok: true, value: n, text: javaDoubleToString(n) }
    }
    case 'list': {
      const items = trimmed === '' ? [] : trimmed.split(/\s*,\s*/)
      return { ok: true, value: items, text: items.join(',') }
    }
  }
}




export function shownOf(value: ParsedValue): string {
  if (typeof value === 'number') return javaDoubleToString(value)
  if (isList(value)) return `[${value.join(', ')}]` // java.util.List.toString
  return String(value)
}

// Array.isArray does not narrow a readonly array out of a union.
export function isList(value: ParsedValue): value is readonly string[] {
  return Array.isArray(value)
}

/** ConfigDef.Range: compares as doubles, like Range.ensureValid's Number.doubleValue(). */
export function range(min: number | undefined, max?: number): Validator {
  return {
    describe: min === undefined ? `[...,${max}]` : max === undefined ? `[${min},...]` : `[${min},...,${max}]`,
    check(value) {
      const n = typeof value === 'bigint' ? Number(value) : typeof value === 'number' ? value : Number.NaN
      if (min !== undefined && n < min) return { shown: shownOf(value), reason: `Value must be at least ${min}` }
      if (max !== undefined && n > max) return { shown: shownOf(value), reason: `Value must be no more than ${max}` }
      return undefined
    },
  }
}

export const atLeast = (min: number): Validator => range(min)

/** ConfigDef.ValidString.in: case-sensitive membership. */
export function validString(...allowed: string[]): Validator {
  return {
    describe: `[${allowed.join(', ')}]`,
    check(value) {
      const s = String(value)
      return allowed.includes(s) ? undefined : { shown: s, reason: `String must be one of: ${allowed.join(', ')}` }
    },
  }
}

/** ConfigDef.ValidList.in: every element must be one of `allowed` (an empty list passes in 3.9). */
export function validList(...allowed: string[]): Validator {
  const element = validString(...allowed)
  return {
    describe: element.describe,
    check(value) {
      for (const item of isList(value) ? value : [String(value)]) {
        const problem = element.check(item)
        if (problem) return problem
      }
      return undefined
    },
  }
}
