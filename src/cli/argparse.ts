// The command lines of Kafka's argparse4j tools (kafka-producer-perf-test, kafka-verifiable-producer,
// kafka-verifiable-consumer): long options with unique-prefix abbreviations, `--name value` or
// `--name=value`, list options taking one or more values, an optional "exactly one of" group, Java's
// number conversions and choices, and argparse4j's error texts, usage block and help layout. Each tool
// declares its options once; readArgs gives Kafka's exits: no arguments → the help on stdout, exit 0;
// -h → the help, exit 1; an error → `<usage>\n<prog>: error: <message>` on stderr, exit 1.

import { ExitRequest } from './errors.js'

export class ArgparseError extends Error {
  override name = 'ArgparseError'
}

/** -h or --help: the tool prints its help (Kafka then exits 1, as for any argparse4j exception). */
export class ArgparseHelpRequest extends Error {
  override name = 'ArgparseHelpRequest'
}

export type ArgKind = 'string' | 'long' | 'int' | 'double' | 'flag' | 'list'

export interface ArgSpec {
  /** With its dashes: `--topic`. */
  readonly name: string
  readonly kind: ArgKind
  readonly metavar?: string
  readonly required?: boolean
  readonly help: string
  /** Allowed values, as argparse4j's choices(). */
  readonly choices?: readonly string[]
}

export interface ArgparseProgram {
  readonly prog: string
  readonly description: string
  readonly options: readonly ArgSpec[]
  /** A required mutually exclusive group (names), shown last in the usage and the help. */
  readonly oneOf?: readonly string[]
  /** The line the help prints above the group's options. */
  readonly oneOfDescription?: string
}

/** The values given, by option name: a string, the items of a list option, or true for a flag. */
export class ParsedArgs {
  constructor(
    private readonly program: ArgparseProgram,
    private readonly values: ReadonlyMap<string, string | string[] | true>,
  ) {}

  has(name: string): boolean {
    return this.values.has(name)
  }

  str(name: string): string | undefined {
    const v = this.values.get(name)
    return typeof v === 'string' ? v : undefined
  }

  list(name: string): string[] | undefined {
    const v = this.values.get(name)
    return Array.isArray(v) ? v : undefined
  }

  flag(name: string): boolean {
    return this.values.get(name) === true
  }

  /** A number option's value (already checked when parsed). */
  num(name: string): number | undefined {
    const v = this.str(name)
    return v === undefined ? undefined : convert(lookup(this.program, name), v)
  }
}

const JAVA_TYPE: Partial<Record<ArgKind, string>> = { long: 'Long', int: 'Integer', double: 'Double' }
const INT_MAX = 2 ** 31 - 1
const LONG_MAX = 2n ** 63n - 1n

export function parseArgparse(program: ArgparseProgram, argv: readonly string[]): ParsedArgs {
  const values = new Map<string, string | string[] | true>()
  const oneOf = program.oneOf ?? []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    if (arg === '-h' || arg === '--help') throw new ArgparseHelpRequest()
    if (!arg.startsWith('--') || arg === '--') throw new ArgparseError(`unrecognized arguments: '${argv.slice(i).join(' ')}'`)
    const eq = arg.indexOf('=')
    const spec = lookup(program, eq < 0 ? arg : arg.slice(0, eq))
    const inline = eq < 0 ? undefined : arg.slice(eq + 1)
    if (oneOf.includes(spec.name)) {
      const other = oneOf.find((g) => g !== spec.name && values.has(g))
      if (other !== undefined) throw new ArgparseError(`argument ${spec.name}: not allowed with argument ${other}`)
    }
    if (spec.kind === 'flag') {
      if (inline !== undefined) throw new ArgparseError(`argument ${spec.name}: ignored explicit argument '${inline}'`)
      values.set(spec.name, true)
      continue
    }
    if (spec.kind === 'list') {
      const items: string[] = inline === undefined ? [] : [inline]
      while (i + 1 < argv.length && !(argv[i + 1] ?? '').startsWith('--')) items.push(argv[++i] ?? '')
      if (items.length === 0) throw new ArgparseError(`argument ${spec.name}: expected at least one argument`)
      values.set(spec.name, items)
      continue
    }
    let value = inline
    if (value === undefined) {
      const next = argv[i + 1]
      // argparse4j takes a following "-1" as a value (it looks like a negative number, not an option).
      if (next === undefined || (next.startsWith('-') && !/^-\d/.test(next))) throw new ArgparseError(`argument ${spec.name}: expected one argument`)
      value = next
      i++
    }
    convert(spec, value)
    if (spec.choices !== undefined && !spec.choices.includes(value)) {
      throw new ArgparseError(`argument ${spec.name}: invalid choice: '${value}' (choose from {${spec.choices.join(',')}})`)
    }
    values.set(spec.name, value)
  }
  for (const spec of program.options) {
    if (spec.required === true && !values.has(spec.name)) throw new ArgparseError(`argument ${spec.name} is required`)
  }
  if (oneOf.length > 0 && !oneOf.some((g) => values.has(g))) throw new ArgparseError(`one of the arguments ${oneOf.join(' ')} is required`)
  return new ParsedArgs(program, values)
}

/** An option by its full name or a unique prefix of it (argparse4j's abbreviations). */
function lookup(program: ArgparseProgram, typed: string): ArgSpec {
  const exact = program.options.find((o) => o.name === typed)
  if (exact) return exact
  const candidates = program.options.filter((o) => o.name.startsWith(typed))
  const [only] = candidates
  if (candidates.length === 1 && only !== undefined) return only
  if (candidates.length > 1) throw new ArgparseError(`ambiguous option: ${typed} could match ${candidates.map((c) => c.name).join(', ')}`)
  throw new ArgparseError(`unrecognized arguments: '${typed}'`)
}

/** The value as Java's Long/Integer/Double.valueOf reads it, or argparse4j's conversion error. */
function convert(spec: ArgSpec, value: string): number | undefined {
  const type = JAVA_TYPE[spec.kind]
  if (type === undefined) return undefined
  const fail = () => new ArgparseError(`argument ${spec.name}: could not convert '${value}' to ${type} (For input string: "${value}")`)
  if (spec.kind === 'double') {
    const trimmed = value.trim()
    if (!/^[+-]?(NaN|Infinity|((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)[fFdD]?)$/.test(trimmed)) throw fail()
    return Number(trimmed.replace(/[fFdD]$/, ''))
  }
  if (!/^[+-]?\d+$/.test(value)) throw fail()
  const big = BigInt(value)
  const max = spec.kind === 'int' ? BigInt(INT_MAX) : LONG_MAX
  if (big > max || big < -max - 1n) throw fail()
  return Number(big)
}

function usagePart(spec: ArgSpec): string {
  const shown = spec.metavar === undefined ? spec.name : spec.kind === 'list' ? `${spec.name} ${spec.metavar} [${spec.metavar} ...]` : `${spec.name} ${spec.metavar}`
  return spec.required === true ? shown : `[${shown}]`
}

/** argparse4j's usage block, wrapped at 80 columns under the program name. */
export function argparseUsage(program: ArgparseProgram): string {
  const oneOf = program.oneOf ?? []
  const parts = ['[-h]', ...program.options.filter((o) => !oneOf.includes(o.name)).map(usagePart)]
  if (oneOf.length > 0) {
    const group = oneOf.map((name) => usagePart({ ...lookup(program, name), required: true }))
    parts.push(`(${group.join(' | ')})`)
  }
  const head = `usage: ${program.prog} `
  const lines: string[] = []
  let line = head
  for (const part of parts) {
    if (line.length + part.length > 80 && line.trim() !== head.trim()) {
      lines.push(line.trimEnd())
      line = ' '.repeat(head.length)
    }
    line += `${part} `
  }
  lines.push(line.trimEnd())
  return lines.join('\n')
}

/** argparse4j's help: usage, description, the named arguments, then the group's. */
export function argparseHelp(program: ArgparseProgram): string {
  const oneOf = program.oneOf ?? []
  const out = [argparseUsage(program), '', program.description, '', 'named arguments:', '  -h, --help             show this help message and exit']
  const describe = (spec: ArgSpec) => {
    const left = `  ${spec.name}${spec.metavar === undefined ? '' : spec.kind === 'list' ? ` ${spec.metavar} [${spec.metavar} ...]` : ` ${spec.metavar}`}`
    out.push(left.length < 24 ? `${left.padEnd(25)}${spec.help}` : `${left}\n${' '.repeat(25)}${spec.help}`)
  }
  for (const spec of program.options) if (!oneOf.includes(spec.name)) describe(spec)
  if (oneOf.length > 0) {
    out.push('', `  ${program.oneOfDescription ?? ''}`, '')
    for (const name of oneOf) describe(lookup(program, name))
  }
  return `${out.join('\n')}\n`
}

/** argparse4j's handleError: the usage, then `<prog>: error: <message>` on stderr, exit 1. */
export function argparseFail(program: ArgparseProgram, message: string): never {
  process.stderr.write(`${argparseUsage(program)}\n${program.prog}: error: ${message}\n`)
  throw new ExitRequest(1)
}

/** The tool's command line parsed, or its help or error printed and an ExitRequest thrown. */
export function readArgs(program: ArgparseProgram, argv: readonly string[]): ParsedArgs {
  if (argv.length === 0) {
    process.stdout.write(argparseHelp(program))
    throw new ExitRequest(0)
  }
  try {
    return parseArgparse(program, argv)
  } catch (err) {
    if (err instanceof ArgparseHelpRequest) {
      process.stdout.write(argparseHelp(program))
      throw new ExitRequest(1)
    }
    if (err instanceof ArgparseError) argparseFail(program, err.message)
    throw err
  }
}
