// Kafka's LineMessageReader (kafka-console-producer's default reader) over raw line bytes.
// Source of truth: apache/kafka tools/src/main/java/org/apache/kafka/tools/LineMessageReader.java
// (Scala ConsoleProducer.LineMessageReader in 3.9, same behaviour); see kafka-reference/cli.md §2.2.
//
// Java works on the decoded line String and re-encodes the parts as UTF-8. Working on bytes gives
// the same parts for valid UTF-8 (a UTF-8 separator can only match at character boundaries) and,
// where kafka-ts deliberately differs, keeps invalid UTF-8 byte-exact instead of turning it into
// U+FFFD. Error texts quote the line decoded as UTF-8, as Java's would.


import { javaSplitBounds, javaTrim } from '../util/java/strings.js'
/** A record header; the same shape as the protocol module's RecordHeader. */
export interface RecordHeader {
  key: Buffer
  value: Buffer | null
}

export interface LineReaderConfig {
  parseKey: boolean
  keySeparator: Buffer
  parseHeaders: boolean
  headersDelimiter: Buffer
  /** headers.separator, a Java regex compiled for a latin1 view of the bytes; global flag set. */
  headersSeparator: RegExp
  headersKeySeparator: Buffer
  nullMarker: Buffer | null
  ignoreError: boolean
}

export interface ParsedLine {
  /** Views into the line. */
  key: Buffer | null
  value: Buffer | null
  /** Empty when the line has no headers (shared frozen array: do not mutate). */
  headers: readonly RecordHeader[]
}

/** A reader property combination Kafka refuses at start-up (KafkaException in Java). */
export class LineReaderConfigError extends Error {
  override readonly name = 'LineReaderConfigError'
}

/** A line Kafka's reader refuses (KafkaException in Java; ends the producer unless ignore.error). */
export class LineParseError extends Error {
  override readonly name = 'LineParseError'
  constructor(
    message: string,
    readonly lineNumber: number,
  ) {
    super(message)
  }
}

const NO_HEADERS: readonly RecordHeader[] = Object.freeze([])


/** `value.trim().equalsIgnoreCase("true")`, Kafka's reading of every boolean tool property. */
export function javaBoolean(value: string | undefined): boolean {
  return value !== undefined && javaTrim(value).toLowerCase() === 'true'
}

export function lineReaderConfig(props: ReadonlyMap<string, string>): LineReaderConfig {
  const parseKey = javaBoolean(props.get('parse.key'))
  const keySeparator = props.get('key.separator') ?? '\t'
  const parseHeaders = javaBoolean(props.get('parse.headers'))
  const headersDelimiter = props.get('headers.delimiter') ?? '\t'
  const headersSeparator = props.get('headers.separator') ?? ','
  // Java compiles the pattern before checking for conflicts, so a bad regex is reported first.
  const headersSeparatorPattern = compileJavaRegex(headersSeparator, 'headers.separator')
  const headersKeySeparator = props.get('headers.key.separator') ?? ':'
  const ignoreError = javaBoolean(props.get('ignore.error'))
  if (headersDelimiter === headersSeparator)
    throw new LineReaderConfigError('headers.delimiter and headers.separator may not be equal')
  if (headersDelimiter === headersKeySeparator)
    throw new LineReaderConfigError('headers.delimiter and headers.key.separator may not be equal')
  if (headersSeparator === headersKeySeparator)
    throw new LineReaderConfigError('headers.separator and headers.key.separator may not be equal')
  const nullMarker = props.get('null.marker') ?? null
  if (keySeparator === nullMarker) throw new LineReaderConfigError('null.marker and key.separator may not be equal')
  if (headersSeparator === nullMarker)
    throw new LineReaderConfigError('null.marker and headers.separator may not be equal')
  if (headersDelimiter === nullMarker)
    throw new LineReaderConfigError('null.marker and headers.delimiter may not be equal')
  if (headersKeySeparator === nullMarker)
    throw new LineReaderConfigError('null.marker and headers.key.separator may not be equal')
  return {
    parseKey,
    keySeparator: Buffer.from(keySeparator, 'utf8'),
    parseHeaders,
    headersDelimiter: Buffer.from(headersDelimiter, 'utf8'),
    headersSeparator: headersSeparatorPattern,
    headersKeySeparator: Buffer.from(headersKeySeparator, 'utf8'),
    nullMarker: nullMarker === null ? null : Buffer.from(nullMarker, 'utf8'),
    ignoreError,
  }
}

/**
 * Turns one line (without its terminator) into key, value and headers. `lineNumber` counts from 1
 * and only appears in error messages. Throws LineParseError with Kafka's message.
 */
export function parseLine(line: Buffer, lineNumber: number, cfg: LineReaderConfig): ParsedLine {
  const nullMarker = cfg.nullMarker
  if (!cfg.parseHeaders && !cfg.parseKey) {
    // The common case: the whole line is the value.
    return { key: null, value: nullMarker !== null && line.equals(nullMarker) ? null : line, headers: NO_HEADERS }
  }

  let headersEnd = -1
  let restStart = 0
  if (cfg.parseHeaders) {
    const at = line.indexOf(cfg.headersDelimiter, 0)
    if (at !== -1) {
      headersEnd = at
      restStart = at + cfg.headersDelimiter.length
    } else if (!cfg.ignoreError) {
      throw new LineParseError(
        `No headers delimiter found on line number ${lineNumber}: '${line.toString('utf8')}'`,
        lineNumber,
      )
    }
  }

  let key: Buffer | null = null
  let valueStart = restStart
  if (cfg.parseKey) {
    const at = line.indexOf(cfg.keySeparator, restStart)
    if (at !== -1) {
      key = line.subarray(restStart, at)
      valueStart = at + cfg.keySeparator.length
      if (nullMarker !== null && key.equals(nullMarker)) key = null
    } else if (!cfg.ignoreError) {
      throw new LineParseError(`No key separator found on line number ${lineNumber}: '${line.toString('utf8')}'`, lineNumber)
    }
  }

  let value: Buffer | null = line.subarray(valueStart)
  if (nullMarker !== null && value.equals(nullMarker)) value = null

  let headers = NO_HEADERS
  if (headersEnd !== -1) {
    const section = line.subarray(0, headersEnd)
    if (nullMarker === null || !section.equals(nullMarker)) headers = splitHeaders(section, lineNumber, cfg)
  }
  return { key, value, headers }
}

function splitHeaders(section: Buffer, lineNumber: number, cfg: LineReaderConfig): RecordHeader[] {
  const pairs = javaSplitBounds(cfg.headersSeparator, section.toString('latin1'))
  const headers: RecordHeader[] = []
  const keySep = cfg.headersKeySeparator
  const nullMarker = cfg.nullMarker
  for (let i = 0; i < pairs.length; i += 2) {
    const pair = section.subarray(pairs[i], pairs[i + 1])
    const at = pair.indexOf(keySep)
    if (at === -1) {
      if (cfg.ignoreError) {
        headers.push({ key: pair, value: null })
        continue
      }
      throw new LineParseError(
        `No header key separator found in pair '${pair.toString('utf8')}' on line number ${lineNumber}`,
        lineNumber,
      )
    }
    const key = pair.subarray(0, at)
    if (nullMarker !== null && key.equals(nullMarker)) {
      // Java throws this even with ignore.error.
      throw new LineParseError(
        `Header keys should not be equal to the null marker '${nullMarker.toString('utf8')}' as they can't be null`,
        lineNumber,
      )
    }
    const value = pair.subarray(at + keySep.length)
    headers.push({ key, value: nullMarker !== null && value.equals(nullMarker) ? null : value })
  }
  return headers
}


/** Java's \s: ASCII whitespace only. */
const JAVA_SPACE = ' \\t\\n\\x0b\\f\\r'

/**
 * Compiles a Java regex for matching a latin1 view of UTF-8 bytes (one char per byte). Handles the
 * Java-only syntax that has a safe equivalent (\Q…\E quoting, \e, \a, \A, \z, \Z, non-ASCII
 * literals → their UTF-8 byte sequence) and rejects constructs that would silently mean something
 * else in JavaScript (\p{…}, possessive quantifiers, atomic groups, inline flags, class
 * intersections, …).
 */
export function compileJavaRegex(source: string, property: string): RegExp {
  const unsupported = (what: string): never => {
    throw new LineReaderConfigError(
      `${property} '${source}' uses ${what}, a Java regex feature kafka-ts does not support; escape it or use a plainer pattern`,
    )
  }
  let out = ''
  let inClass = false
  let i = 0
  const literal = (ch: string): string => {
    const code = ch.codePointAt(0) as number
    if (code < 0x80) return /[\\^$.*+?()[\]{}|/-]/.test(ch) ? '\\' + ch : ch
    if (inClass) unsupported(`a non-ASCII character inside a character class ('${ch}')`)
    const bytes = Buffer.from(ch, 'utf8')
    let seq = ''
    for (const b of bytes) seq += '\\x' + b.toString(16).padStart(2, '0')
    return `(?:${seq})`
  }
  while (i < source.length) {
    const ch = source[i] as string
    if (ch === '\\') {
      const next = source[i + 1]
      if (next === undefined) return unsupported('a trailing backslash')
      if (next === 'Q') {
        const endQuote = source.indexOf('\\E', i + 2)
        const quoted = source.slice(i + 2, endQuote === -1 ? source.length : endQuote)
        for (const c of quoted) out += literal(c)
        i = endQuote === -1 ? source.length : endQuote + 2
        continue
      }
      switch (next) {
        case 'e':
          out += '\\x1b'
          break
        case 'a':
          out += '\\x07'
          break
        case 'A':
          if (inClass) unsupported('\\A inside a class')
          out += '^'
          break
        case 'z':
        case 'Z':
          if (inClass) unsupported(`\\${next} inside a class`)
          out += '$'
          break
        case 'p':
        case 'P':
        case 'h':
        case 'H':
        case 'R':
        case 'X':
        case 'G':
        case 'N':
        case 'k':
          unsupported(`\\${next}`)
          break
        case 'x': {
          const hex = source.slice(i + 2, i + 4)
          if (!/^[0-9a-fA-F]{2}$/.test(hex)) unsupported('a \\x escape other than \\xhh')
          out += literal(String.fromCharCode(parseInt(hex, 16)))
          i += 4
          continue
        }
        case 's':
          // JavaScript's \s also matches U+00A0, which on the latin1 view is a UTF-8 continuation byte.
          out += inClass ? JAVA_SPACE : `[${JAVA_SPACE}]`
          break
        case 'S':
          if (inClass) unsupported('\\S inside a class')
          out += `[^${JAVA_SPACE}]`
          break
        case 'u':
          if (!/^[0-9a-fA-F]{4}$/.test(source.slice(i + 2, i + 6))) unsupported('a malformed \\u escape')
          out += literal(String.fromCharCode(parseInt(source.slice(i + 2, i + 6), 16)))
          i += 6
          continue
        case '0':
          unsupported('an octal escape')
          break
        default: {
          if (next.charCodeAt(0) >= 0x80) out += literal(next)
          else out += '\\' + next
        }
      }
      i += 2
      continue
    }
    if (inClass) {
      if (ch === '[') unsupported('a nested character class')
      if (ch === '&' && source[i + 1] === '&') unsupported('a class intersection (&&)')
      if (ch === ']') inClass = false
      out += ch.codePointAt(0)! >= 0x80 ? literal(ch) : ch
      i++
      continue
    }
    if (ch === '[') {
      inClass = true
      out += ch
      i++
      // A ']' right after '[' or '[^' is a literal in Java (and an empty class in JavaScript).
      if (source[i] === '^') {
        out += '^'
        i++
      }
      if (source[i] === ']') {
        out += '\\]'
        i++
      }
      continue
    }
    if (ch === '(' && source[i + 1] === '?') {
      const rest = source.slice(i + 2)
      if (!/^(?::|=|!|<=|<!|<[A-Za-z][A-Za-z0-9]*>)/.test(rest)) unsupported('an inline flag or atomic group')
    }
    if ((ch === '+' || ch === '*' || ch === '?' || ch === '}') && source[i + 1] === '+') {
      unsupported('a possessive quantifier')
    }
    if (ch.codePointAt(0)! >= 0x80) {
      const cp = source.codePointAt(i) as number
      const c = String.fromCodePoint(cp)
      out += literal(c)
      i += c.length
      continue
    }
    out += ch
    i++
  }
  if (inClass) unsupported('an unclosed character class')
  try {
    return new RegExp(out, 'g')
  } catch (err) {
    throw new LineReaderConfigError(`${property} '${source}' is not a valid regex: ${(err as Error).message}`)
  }
}
