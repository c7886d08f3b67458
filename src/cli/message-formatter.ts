// Kafka's DefaultMessageFormatter (kafka-console-consumer's default output format) over raw
// record bytes. Source of truth: apache/kafka
// tools/src/main/java/org/apache/kafka/tools/consumer/DefaultMessageFormatter.java (3.9) and the
// org.apache.kafka.common.serialization deserializers; see kafka-reference/cli.md §3.2.
//
// Layout: [timestamp][partition][offset][headers][key][value], each printed field followed by
// key.separator when a later field is printed, else by line.separator. Key/value/header bytes are
// copied unmodified. Kafka quirks kept on purpose:
// - a null key/value/header value is replaced by null.literal *before* the deserializer runs, so
//   IntegerDeserializer prints 1853189228 for a null key ("null" read as an int) and
//   VoidDeserializer always fails;
// - a deserializer failure leaves the fields already written in `out` (Java had already printed
//   them to stdout); callers that prefer whole lines can `out.truncate(mark)`.
// Deliberate differences: an unknown deserializer class is an error (Kafka logs it and prints raw
// bytes); ByteArrayDeserializer prints the bytes (Java would print `[B@<identity hash>`); the
// trunk-only print.delivery/print.epoch (share groups) are not supported.

import { isUtf8 } from 'node:buffer'

import type { FormattableRecord, RecordHeader } from '../client/formattable-record.js'
import { javaDoubleToString, javaFloatToString } from '../util/java/numbers.js'
import { javaTrim } from '../util/java/strings.js'
import { javaUuidFromString } from '../util/java/uuid.js'

export type { FormattableRecord, RecordHeader } from '../client/formattable-record.js'

export interface FormatterConfig {
  printTimestamp: boolean
  printPartition: boolean
  printOffset: boolean
  printHeaders: boolean
  printKey: boolean
  printValue: boolean
  keySeparator: Buffer
  lineSeparator: Buffer
  headersSeparator: Buffer
  nullLiteral: Buffer
  keyDeserializer: JavaDeserializer | null
  valueDeserializer: JavaDeserializer | null
  headersDeserializer: JavaDeserializer | null
}

/** A formatter property Kafka cannot honour (here: an unknown deserializer class). */
export class FormatterConfigError extends Error {
  override readonly name = 'FormatterConfigError'
}

/**
 * What a Java deserializer threw. `name` is the Java exception class, so `String(err)` reads like
 * Java's Throwable.toString(), e.g.
 * `org.apache.kafka.common.errors.SerializationException: Size of data received by IntegerDeserializer is not 4`.
 */
export class DeserializationError extends Error {
  override readonly name: string
  constructor(javaClass: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = javaClass
  }
}

const SERIALIZATION_EXCEPTION = 'org.apache.kafka.common.errors.SerializationException'
const ILLEGAL_ARGUMENT = 'java.lang.IllegalArgumentException'

// ---------------------------------------------------------------------------------------------
// Output buffer

/** A growable byte buffer the formatter appends to. */
export class OutputBuffer {
  private buf: Buffer
  /** Bytes written so far. */
  length = 0

  constructor(initialCapacity = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(Math.max(16, initialCapacity))
  }

  /** A view of the bytes written; valid until the next append after reset()/truncate(). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.length)
  }

  /** Hands over the bytes written (no copy) and continues in fresh memory: safe for async writes. */
  take(): Buffer {
    const out = this.buf.subarray(0, this.length)
    this.buf = Buffer.allocUnsafe(this.buf.length)
    this.length = 0
    return out
  }

  reset(): void {
    this.length = 0
  }

  truncate(length: number): void {
    if (length < this.length) this.length = Math.max(0, length)
  }

  appendRange(src: Buffer, start: number, end: number): void {
    const n = end - start
    if (this.length + n > this.buf.length) this.grow(n)
    src.copy(this.buf, this.length, start, end)
    this.length += n
  }

  appendBytes(src: Buffer): void {
    const n = src.length
    if (this.length + n > this.buf.length) this.grow(n)
    // Separators and labels are a few bytes: a loop beats copy()'s call overhead there.
    if (n <= 16) {
      const buf = this.buf
      let pos = this.length
      for (let i = 0; i < n; i++) buf[pos++] = src[i] as number
    } else {
      src.copy(this.buf, this.length)
    }
    this.length += n
  }

  /** Appends a string whose characters are all below U+0100 (one byte each). */
  appendLatin1(s: string): void {
    if (this.length + s.length > this.buf.length) this.grow(s.length)
    this.length += this.buf.write(s, this.length, 'latin1')
  }

  appendUtf8(s: string): void {
    const n = Buffer.byteLength(s, 'utf8')
    if (this.length + n > this.buf.length) this.grow(n)
    this.length += this.buf.write(s, this.length, 'utf8')
  }

  /** Appends an integer (|n| < 2^53) in decimal, without building a string. */
  appendInt(n: number): void {
    if (this.length + 17 > this.buf.length) this.grow(17)
    let pos = this.length
    if (n < 0) {
      this.buf[pos++] = 0x2d
      n = -n
    }
    // Integer (int32) arithmetic is several times faster than float division: split a
    // millisecond timestamp into two parts that each fit.
    if (n < 1e8) {
      pos = this.writeDigits(n, pos, 0)
    } else {
      const high = Math.floor(n / 1e8)
      pos = this.writeDigits(high, pos, 0)
      pos = this.writeDigits(n - high * 1e8, pos, 8)
    }
    this.length = pos
  }

  /** Writes 0 <= n < 2^31 at pos, left-padded with zeros to minDigits; returns the end. */
  private writeDigits(n: number, pos: number, minDigits: number): number {
    let digits = 1
    for (let t = n; t >= 10; t = (t / 10) | 0) digits++
    if (digits < minDigits) digits = minDigits
    const buf = this.buf
    for (let p = pos + digits - 1; p >= pos; p--) {
      const q = (n / 10) | 0
      buf[p] = 0x30 + n - q * 10
      n = q
    }
    return pos + digits
  }

  private grow(needed: number): void {
    let capacity = this.buf.length * 2
    while (capacity < this.length + needed) capacity *= 2
    const next = Buffer.allocUnsafe(capacity)
    this.buf.copy(next, 0, 0, this.length)
    this.buf = next
  }
}

// ---------------------------------------------------------------------------------------------
// Configuration


function boolProperty(props: ReadonlyMap<string, string>, key: string, fallback: boolean): boolean {
  const value = props.get(key)
  return value === undefined ? fallback : javaTrim(value).toLowerCase() === 'true'
}

function bytesProperty(props: ReadonlyMap<string, string>, key: string, fallback: string): Buffer {
  return Buffer.from(props.get(key) ?? fallback, 'utf8')
}

function deserializerProperty(props: ReadonlyMap<string, string>, key: string): JavaDeserializer | null {
  const name = props.get(key)
  if (name === undefined) return null
  const deserializer = DESERIALIZERS.get(name)
  if (deserializer === undefined) {
    throw new FormatterConfigError(
      `Unable to instantiate a deserializer from ${name} for ${key}: class not found ` +
        `(kafka-ts knows ${[...DESERIALIZERS.keys()].map((n) => n.slice(n.lastIndexOf('.') + 1)).join(', ')} ` +
        `in org.apache.kafka.common.serialization)`,
    )
  }
  return deserializer
}

/** Formatter properties (`--property k=v`) with Kafka's defaults. */
export function formatterConfig(props: ReadonlyMap<string, string>): FormatterConfig {
  return {
    printTimestamp: boolProperty(props, 'print.timestamp', false),
    printPartition: boolProperty(props, 'print.partition', false),
    printOffset: boolProperty(props, 'print.offset', false),
    printHeaders: boolProperty(props, 'print.headers', false),
    printKey: boolProperty(props, 'print.key', false),
    printValue: boolProperty(props, 'print.value', true),
    keySeparator: bytesProperty(props, 'key.separator', '\t'),
    lineSeparator: bytesProperty(props, 'line.separator', '\n'),
    headersSeparator: bytesProperty(props, 'headers.separator', ','),
    nullLiteral: bytesProperty(props, 'null.literal', 'null'),
    keyDeserializer: deserializerProperty(props, 'key.deserializer'),
    valueDeserializer: deserializerProperty(props, 'value.deserializer'),
    headersDeserializer: deserializerProperty(props, 'headers.deserializer'),
  }
}

// ---------------------------------------------------------------------------------------------
// Formatter

export class MessageFormatter {
  private readonly cfg: FormatterConfig
  // The separator after each field is fixed by which later fields are enabled.
  private readonly afterTimestamp: Buffer
  private readonly afterPartition: Buffer
  private readonly afterOffset: Buffer
  private readonly afterHeaders: Buffer
  private readonly afterKey: Buffer
  private readonly valueOnly: boolean

  constructor(cfg: FormatterConfig) {
    this.cfg = cfg
    const sep = (laterFieldPrinted: boolean): Buffer => (laterFieldPrinted ? cfg.keySeparator : cfg.lineSeparator)
    this.afterKey = sep(cfg.printValue)
    this.afterHeaders = sep(cfg.printKey || cfg.printValue)
    this.afterOffset = sep(cfg.printHeaders || cfg.printKey || cfg.printValue)
    this.afterPartition = sep(cfg.printOffset || cfg.printHeaders || cfg.printKey || cfg.printValue)
    this.afterTimestamp = sep(cfg.printPartition || cfg.printOffset || cfg.printHeaders || cfg.printKey || cfg.printValue)
    this.valueOnly =
      cfg.printValue &&
      !cfg.printTimestamp &&
      !cfg.printPartition &&
      !cfg.printOffset &&
      !cfg.printHeaders &&
      !cfg.printKey &&
      cfg.valueDeserializer === null
  }

  /**
   * Appends the formatted record to `out`. Throws DeserializationError when a configured
   * deserializer rejects the bytes (what --skip-message-on-error skips); fields written before the
   * failing one stay in `out`, as on Kafka's stdout.
   */
  format(rec: FormattableRecord, partition: number, out: OutputBuffer): void {
    const cfg = this.cfg
    if (this.valueOnly) {
      const n = rec.valueLength
      if (n < 0) out.appendBytes(cfg.nullLiteral)
      else out.appendRange(rec.data, rec.valueStart, rec.valueStart + n)
      out.appendBytes(cfg.lineSeparator)
      return
    }
    if (cfg.printTimestamp) {
      if (rec.timestampType === 'NoTimestampType') {
        out.appendBytes(NO_TIMESTAMP)
      } else {
        out.appendBytes(rec.timestampType === 'CreateTime' ? CREATE_TIME : LOG_APPEND_TIME)
        out.appendInt(rec.timestamp)
      }
      out.appendBytes(this.afterTimestamp)
    }
    if (cfg.printPartition) {
      out.appendBytes(PARTITION)
      out.appendInt(partition)
      out.appendBytes(this.afterPartition)
    }
    if (cfg.printOffset) {
      out.appendBytes(OFFSET)
      out.appendInt(rec.offset)
      out.appendBytes(this.afterOffset)
    }
    if (cfg.printHeaders) {
      if (rec.headerCount === 0) {
        out.appendBytes(NO_HEADERS)
      } else {
        const headers = rec.headers()
        for (let i = 0; i < headers.length; i++) {
          const header = headers[i] as RecordHeader
          writeHeaderKey(header.key, out)
          out.appendBytes(COLON)
          const value = header.value ?? cfg.nullLiteral
          writeField(value, 0, value.length, cfg.headersDeserializer, out)
          if (i + 1 < headers.length) out.appendBytes(cfg.headersSeparator)
        }
      }
      out.appendBytes(this.afterHeaders)
    }
    if (cfg.printKey) {
      if (rec.keyLength < 0) writeField(cfg.nullLiteral, 0, cfg.nullLiteral.length, cfg.keyDeserializer, out)
      else writeField(rec.data, rec.keyStart, rec.keyStart + rec.keyLength, cfg.keyDeserializer, out)
      out.appendBytes(this.afterKey)
    }
    if (cfg.printValue) {
      if (rec.valueLength < 0) writeField(cfg.nullLiteral, 0, cfg.nullLiteral.length, cfg.valueDeserializer, out)
      else writeField(rec.data, rec.valueStart, rec.valueStart + rec.valueLength, cfg.valueDeserializer, out)
      out.appendBytes(cfg.lineSeparator)
    }
  }
}

const COLON = Buffer.from(':')
const NO_TIMESTAMP = Buffer.from('NO_TIMESTAMP')
const CREATE_TIME = Buffer.from('CreateTime:')
const LOG_APPEND_TIME = Buffer.from('LogAppendTime:')
const PARTITION = Buffer.from('Partition:')
const OFFSET = Buffer.from('Offset:')
const NO_HEADERS = Buffer.from('NO_HEADERS')

function writeField(src: Buffer, start: number, end: number, deserializer: JavaDeserializer | null, out: OutputBuffer) {
  if (deserializer === null) out.appendRange(src, start, end)
  else deserializer.write(src, start, end, out)
}

/** Java holds header keys as Strings: invalid UTF-8 in a key comes out as U+FFFD. */
function writeHeaderKey(key: Buffer, out: OutputBuffer): void {
  if (isUtf8(key)) out.appendBytes(key)
  else out.appendUtf8(key.toString('utf8'))
}

// ---------------------------------------------------------------------------------------------
// Deserializers: Java's `deserializer.deserialize(topic, headers, bytes).toString()` as UTF-8.

export interface JavaDeserializer {
  /** The fully qualified Java class name it stands for. */
  readonly className: string
  /** Appends what Java would print for data[start, end); throws DeserializationError like Java. */
  write(data: Buffer, start: number, end: number, out: OutputBuffer): void
}

const PACKAGE = 'org.apache.kafka.common.serialization.'

function sizeCheck(start: number, end: number, expected: number, who: string): void {
  if (end - start !== expected) {
    throw new DeserializationError(SERIALIZATION_EXCEPTION, `Size of data received by ${who} is not ${expected}`)
  }
}

const deserializers: JavaDeserializer[] = [
  {
    className: PACKAGE + 'StringDeserializer',
    write(data, start, end, out) {
      const bytes = data.subarray(start, end)
      if (isUtf8(bytes)) out.appendBytes(bytes)
      else out.appendUtf8(bytes.toString('utf8'))
    },
  },
  {
    // Deliberate difference: Java prints byte[].toString(), i.e. "[B@" + identity hash.
    className: PACKAGE + 'ByteArrayDeserializer',
    write(data, start, end, out) {
      out.appendRange(data, start, end)
    },
  },
  {
    className: PACKAGE + 'ByteBufferDeserializer',
    write(_data, start, end, out) {
      const n = end - start
      out.appendLatin1(`java.nio.HeapByteBuffer[pos=0 lim=${n} cap=${n}]`)
    },
  },
  {
    className: PACKAGE + 'BytesDeserializer',
    write(data, start, end, out) {
      out.appendLatin1(kafkaBytesToString(data, start, end))
    },
  },
  {
    className: PACKAGE + 'ShortDeserializer',
    write(data, start, end, out) {
      sizeCheck(start, end, 2, 'ShortDeserializer')
      out.appendInt(data.readInt16BE(start))
    },
  },
  {
    className: PACKAGE + 'IntegerDeserializer',
    write(data, start, end, out) {
      sizeCheck(start, end, 4, 'IntegerDeserializer')
      out.appendInt(data.readInt32BE(start))
    },
  },
  {
    className: PACKAGE + 'LongDeserializer',
    write(data, start, end, out) {
      sizeCheck(start, end, 8, 'LongDeserializer')
      out.appendLatin1(data.readBigInt64BE(start).toString())
    },
  },
  {
    // The byte[] overload Kafka's formatter calls names no class in its message.
    className: PACKAGE + 'FloatDeserializer',
    write(data, start, end, out) {
      sizeCheck(start, end, 4, 'Deserializer')
      out.appendLatin1(javaFloatToString(data.readFloatBE(start)))
    },
  },
  {
    className: PACKAGE + 'DoubleDeserializer',
    write(data, start, end, out) {
      sizeCheck(start, end, 8, 'Deserializer')
      out.appendLatin1(javaDoubleToString(data.readDoubleBE(start)))
    },
  },
  {
    className: PACKAGE + 'BooleanDeserializer',
    write(data, start, end, out) {
      sizeCheck(start, end, 1, 'BooleanDeserializer')
      const b = data[start] as number
      if (b > 1) {
        const signed = (b << 24) >> 24
        throw new DeserializationError(SERIALIZATION_EXCEPTION, `Unexpected byte received by BooleanDeserializer: ${signed}`)
      }
      out.appendLatin1(b === 1 ? 'true' : 'false')
    },
  },
  {
    className: PACKAGE + 'UUIDDeserializer',
    write(data, start, end, out) {
      const text = data.toString('utf8', start, end)
      let uuid: string
      try {
        uuid = javaUuidFromString(text)
      } catch (cause) {
        throw new DeserializationError(SERIALIZATION_EXCEPTION, 'Error parsing data into UUID', { cause })
      }
      out.appendLatin1(uuid)
    },
  },
  {
    // The formatter substitutes null.literal for null, so this always fails, as in Kafka.
    className: PACKAGE + 'VoidDeserializer',
    write() {
      throw new DeserializationError(ILLEGAL_ARGUMENT, 'Data should be null for a VoidDeserializer.')
    },
  },
]

const DESERIALIZERS: ReadonlyMap<string, JavaDeserializer> = new Map(deserializers.map((d) => [d.className, d]))

/** org.apache.kafka.common.utils.Bytes.toString: printable ASCII except '\' as is, else \xNN. */
export function kafkaBytesToString(data: Buffer, start: number, end: number): string {
  let s = ''
  for (let i = start; i < end; i++) {
    const ch = data[i] as number
    if (ch >= 0x20 && ch <= 0x7e && ch !== 0x5c) s += String.fromCharCode(ch)
    else s += '\\x' + HEX[ch >> 4] + HEX[ch & 15]
  }
  return s
}

const HEX = '0123456789ABCDEF'
