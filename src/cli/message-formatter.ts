// Kafka's DefaultMessageFormatter (kafka-console-consumer's default output format) over raw
// record bytes. Source of truth: apache/kafka
// tools/src/main/java/org/apache/kafka/tools/consumer/DefaultMessageFormatter.java (4.3) and the
// org.apache.kafka.common.serialization deserializers; see kafka-reference/cli.md §3.2 and cli-4.md A.4.
//
// Layout: [timestamp][partition][offset][delivery][epoch][headers][key][value], each printed field followed by
// key.separator when a later field is printed, else by line.separator. Key/value/header bytes are
// copied unmodified. Kafka quirks kept on purpose:
// - a null key/value/header value is replaced by null.literal *before* the deserializer runs, so
//   IntegerDeserializer prints 1853189228 for a null key ("null" read as an int) and
//   VoidDeserializer always fails;
// - a deserializer failure leaves the fields already written in `out` (Java had already printed
//   them to stdout); callers that prefer whole lines can `out.truncate(mark)`.
// Deliberate differences: an unknown deserializer class is an error (Kafka logs it and prints raw
// bytes); ByteArrayDeserializer prints the bytes (Java would print `[B@<identity hash>`).
// print.delivery and print.epoch print NOT_PRESENT, as Kafka 4.3's console consumer always does: a record
// it formats has no delivery count (share groups only) and was rebuilt without its leader epoch.

import { isUtf8 } from 'node:buffer'

import type { FormattableRecord, RecordHeader } from '../client/formattable-record.js'
import { javaTrim } from '../util/java/strings.js'
import { DESERIALIZERS, type JavaDeserializer } from './java-deserializers.js'
import { type OutputBuffer } from './output-buffer.js'

export type { FormattableRecord, RecordHeader } from '../client/formattable-record.js'

export interface FormatterConfig {
  printTimestamp: boolean
  printPartition: boolean
  printOffset: boolean
  printDelivery: boolean
  printEpoch: boolean
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
    printDelivery: boolProperty(props, 'print.delivery', false),
    printEpoch: boolProperty(props, 'print.epoch', false),
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
  private readonly afterDelivery: Buffer
  private readonly afterEpoch: Buffer
  private readonly afterHeaders: Buffer
  private readonly afterKey: Buffer
  private readonly valueOnly: boolean

  constructor(cfg: FormatterConfig) {
    this.cfg = cfg
    const fields = [cfg.printTimestamp, cfg.printPartition, cfg.printOffset, cfg.printDelivery, cfg.printEpoch, cfg.printHeaders, cfg.printKey, cfg.printValue]
    // After field i: key.separator when a later field is printed, else line.separator.
    const after = (i: number): Buffer => (fields.slice(i + 1).some(Boolean) ? cfg.keySeparator : cfg.lineSeparator)
    this.afterTimestamp = after(0)
    this.afterPartition = after(1)
    this.afterOffset = after(2)
    this.afterDelivery = after(3)
    this.afterEpoch = after(4)
    this.afterHeaders = after(5)
    this.afterKey = after(6)
    this.valueOnly = cfg.printValue && !fields.slice(0, 7).some(Boolean) && cfg.valueDeserializer === null
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
    if (cfg.printDelivery) {
      out.appendBytes(DELIVERY_NOT_PRESENT)
      out.appendBytes(this.afterDelivery)
    }
    if (cfg.printEpoch) {
      out.appendBytes(EPOCH_NOT_PRESENT)
      out.appendBytes(this.afterEpoch)
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
const DELIVERY_NOT_PRESENT = Buffer.from('Delivery:NOT_PRESENT')
const EPOCH_NOT_PRESENT = Buffer.from('Epoch:NOT_PRESENT')

function writeField(src: Buffer, start: number, end: number, deserializer: JavaDeserializer | null, out: OutputBuffer) {
  if (deserializer === null) out.appendRange(src, start, end)
  else deserializer.write(src, start, end, out)
}

/** Java holds header keys as Strings: invalid UTF-8 in a key comes out as U+FFFD. */
function writeHeaderKey(key: Buffer, out: OutputBuffer): void {
  if (isUtf8(key)) out.appendBytes(key)
  else out.appendUtf8(key.toString('utf8'))
}

