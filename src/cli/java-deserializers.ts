// Kafka's deserializers as the console consumer's formatter applies them: Java's
// `deserializer.deserialize(topic, headers, bytes).toString()`, written as UTF-8 into the output.

import { isUtf8 } from 'node:buffer'

import { javaDoubleToString, javaFloatToString } from '../util/java/numbers.js'
import { javaUuidFromString } from '../util/java/uuid.js'
import type { OutputBuffer } from './output-buffer.js'

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

export const DESERIALIZERS: ReadonlyMap<string, JavaDeserializer> = new Map(deserializers.map((d) => [d.className, d]))

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
