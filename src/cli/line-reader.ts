// Kafka's LineMessageReader (kafka-console-producer's default reader) over raw line bytes.
// Source of truth: apache/kafka tools/src/main/java/org/apache/kafka/tools/LineMessageReader.java
// (Scala ConsoleProducer.LineMessageReader in 3.9, same behaviour); see kafka-reference/cli.md §2.2.
//
// Java works on the decoded line String and re-encodes the parts as UTF-8. Working on bytes gives
// the same parts for valid UTF-8 (a UTF-8 separator can only match at character boundaries) and,
// where kafka-ts deliberately differs, keeps invalid UTF-8 byte-exact instead of turning it into
// U+FFFD. Error texts quote the line decoded as UTF-8, as Java's would.


import { compileJavaRegex, JavaRegexError } from '../util/java/regex.js'
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
  const headersSeparatorPattern = compileOption(headersSeparator, 'headers.separator')
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
function compileOption(source: string, property: string): RegExp {
  try {
    return compileJavaRegex(source)
  } catch (err) {
    if (err instanceof JavaRegexError) throw new LineReaderConfigError(`${property} '${source}' ${err.message}`)
    throw err
  }
}

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


