import { describe, expect, test } from 'vitest'

import { DeserializationError } from '../../../src/cli/java-deserializers.js'
import {
  FormatterConfigError,
  MessageFormatter,
  formatterConfig,
  type FormattableRecord,
  type RecordHeader,
} from '../../../src/cli/message-formatter.js'
import { OutputBuffer } from '../../../src/cli/output-buffer.js'

interface RecordSpec {
  key?: Buffer | string | null
  value?: Buffer | string | null
  headers?: [string | Buffer, Buffer | string | null][]
  offset?: number
  timestamp?: number
  timestampType?: FormattableRecord['timestampType']
}

const bytes = (b: Buffer | string) => (typeof b === 'string' ? Buffer.from(b, 'utf8') : b)

/** Lays key and value out in one buffer with padding around them, as a record batch would. */
function record(spec: RecordSpec): FormattableRecord {
  const key = spec.key === undefined || spec.key === null ? null : bytes(spec.key)
  const value = spec.value === undefined ? bytes('value') : spec.value === null ? null : bytes(spec.value)
  const pad = Buffer.from('##')
  const data = Buffer.concat([pad, key ?? Buffer.alloc(0), pad, value ?? Buffer.alloc(0), pad])
  const headers: RecordHeader[] = (spec.headers ?? []).map(([k, v]) => ({ key: bytes(k), value: v === null ? null : bytes(v) }))
  return {
    data,
    offset: spec.offset ?? 123,
    timestamp: spec.timestamp ?? 123,
    timestampType: spec.timestampType ?? 'CreateTime',
    keyStart: 2,
    keyLength: key === null ? -1 : key.length,
    valueStart: 4 + (key?.length ?? 0),
    valueLength: value === null ? -1 : value.length,
    headerCount: headers.length,
    headers: () => headers,
  }
}

function format(props: Record<string, string>, rec: FormattableRecord, partition = 0): Buffer {
  const out = new OutputBuffer(16)
  new MessageFormatter(formatterConfig(new Map(Object.entries(props)))).format(rec, partition, out)
  return Buffer.from(out.bytes())
}
const formatText = (props: Record<string, string>, rec: FormattableRecord, partition = 0) =>
  format(props, rec, partition).toString('utf8')

function deserializationError(props: Record<string, string>, rec: FormattableRecord): DeserializationError {
  try {
    format(props, rec)
  } catch (err) {
    expect(err).toBeInstanceOf(DeserializationError)
    return err as DeserializationError
  }
  throw new Error('no deserialization error')
}

describe('formatterConfig', () => {
  test("Kafka's defaults: value only, TAB, newline, ',' and 'null'", () => {
    expect(formatterConfig(new Map())).toEqual({
      printTimestamp: false,
      printPartition: false,
      printOffset: false,
      printDelivery: false,
      printEpoch: false,
      printHeaders: false,
      printKey: false,
      printValue: true,
      keySeparator: Buffer.from('\t'),
      lineSeparator: Buffer.from('\n'),
      headersSeparator: Buffer.from(','),
      nullLiteral: Buffer.from('null'),
      keyDeserializer: null,
      valueDeserializer: null,
      headersDeserializer: null,
    })
  })

  test('booleans are trim().equalsIgnoreCase("true"); anything else is false, even for print.value', () => {
    const cfg = formatterConfig(new Map([['print.key', ' TRUE\t'], ['print.value', 'yes'], ['print.offset', '\u00a0true']]))
    expect(cfg.printKey).toBe(true)
    expect(cfg.printValue).toBe(false)
    expect(cfg.printOffset).toBe(false)
  })

  test('an unknown deserializer class is an error naming it', () => {
    for (const name of ['com.example.MyDeserializer', 'StringDeserializer', 'org.apache.kafka.common.serialization.ListDeserializer']) {
      expect(() => formatterConfig(new Map([['value.deserializer', name]]))).toThrow(FormatterConfigError)
      expect(() => formatterConfig(new Map([['value.deserializer', name]]))).toThrow(
        `Unable to instantiate a deserializer from ${name} for value.deserializer: class not found`,
      )
    }
  })
})

describe('MessageFormatter layout — DefaultMessageFormatterTest', () => {
  test('the sequence of DefaultMessageFormatterTest.testDefaultMessageFormatter (3.9 fields)', () => {
    const noTs = record({ key: 'key', value: 'value', timestampType: 'NoTimestampType', timestamp: -1 })
    const props: Record<string, string> = {}
    expect(formatText(props, noTs)).toBe('value\n')
    props['print.key'] = 'true'
    expect(formatText(props, noTs)).toBe('key\tvalue\n')
    props['print.partition'] = 'true'
    expect(formatText(props, noTs)).toBe('Partition:0\tkey\tvalue\n')
    props['print.timestamp'] = 'true'
    expect(formatText(props, noTs)).toBe('NO_TIMESTAMP\tPartition:0\tkey\tvalue\n')
    props['print.offset'] = 'true'
    expect(formatText(props, noTs)).toBe('NO_TIMESTAMP\tPartition:0\tOffset:123\tkey\tvalue\n')
    props['print.headers'] = 'true'
    expect(formatText(props, noTs)).toBe('NO_TIMESTAMP\tPartition:0\tOffset:123\tNO_HEADERS\tkey\tvalue\n')

    const withHeaders = record({
      key: 'key',
      value: 'value',
      timestamp: 123,
      headers: [
        ['h1', 'v1'],
        ['h2', 'v2'],
      ],
    })
    expect(formatText(props, withHeaders)).toBe('CreateTime:123\tPartition:0\tOffset:123\th1:v1,h2:v2\tkey\tvalue\n')
    props['print.value'] = 'false'
    expect(formatText(props, withHeaders)).toBe('CreateTime:123\tPartition:0\tOffset:123\th1:v1,h2:v2\tkey\n')
    props['key.separator'] = '<sep>'
    expect(formatText(props, withHeaders)).toBe('CreateTime:123<sep>Partition:0<sep>Offset:123<sep>h1:v1,h2:v2<sep>key\n')
    props['line.separator'] = '<end>'
    expect(formatText(props, withHeaders)).toBe('CreateTime:123<sep>Partition:0<sep>Offset:123<sep>h1:v1,h2:v2<sep>key<end>')
    props['headers.separator'] = '|'
    expect(formatText(props, withHeaders)).toBe('CreateTime:123<sep>Partition:0<sep>Offset:123<sep>h1:v1|h2:v2<sep>key<end>')

    const nullValue = record({ key: 'key', value: null, headers: [['h1', 'v1']] })
    props['print.value'] = 'true'
    props['null.literal'] = '<null>'
    expect(formatText(props, nullValue)).toBe('CreateTime:123<sep>Partition:0<sep>Offset:123<sep>h1:v1<sep>key<sep><null><end>')
  })

  test('the cli.md §3.2 example line', () => {
    const rec = record({ key: 'k', value: 'v', offset: 1, timestamp: 1700000000005, headers: [['h', 'x']] })
    const props = {
      'print.timestamp': 'true',
      'print.partition': 'true',
      'print.offset': 'true',
      'print.headers': 'true',
      'print.key': 'true',
    }
    expect(format(props, rec)).toEqual(Buffer.from('CreateTime:1700000000005\tPartition:0\tOffset:1\th:x\tk\tv\n'))
  })

  test('the cli-4.md A.4 example line (print.epoch)', () => {
    const props = { 'print.partition': 'true', 'print.offset': 'true', 'print.epoch': 'true', 'print.key': 'true' }
    expect(formatText(props, record({ key: 'k', value: 'v', offset: 5 }))).toBe('Partition:0\tOffset:5\tEpoch:NOT_PRESENT\tk\tv\n')
  })

  test('LogAppendTime, a -1 CreateTime, and large partitions and offsets', () => {
    const props = { 'print.timestamp': 'true', 'print.partition': 'true', 'print.offset': 'true', 'print.value': 'false' }
    expect(formatText(props, record({ timestampType: 'LogAppendTime', timestamp: 1, offset: 0 }), 7)).toBe(
      'LogAppendTime:1\tPartition:7\tOffset:0\n',
    )
    expect(formatText(props, record({ timestamp: -1, offset: 2 ** 53 - 1 }), 2147483647)).toBe(
      'CreateTime:-1\tPartition:2147483647\tOffset:9007199254740991\n',
    )
  })

  test('every combination of the eight print.* flags: fields joined by key.separator, then line.separator', () => {
    const rec = record({ key: 'K', value: 'V', offset: 42, timestamp: 99, headers: [['a', '1'], ['b', null]] })
    const fields: [string, string][] = [
      ['print.timestamp', 'CreateTime:99'],
      ['print.partition', 'Partition:3'],
      ['print.offset', 'Offset:42'],
      // Kafka 4.3's console consumer has no delivery count and drops the leader epoch (cli-4.md A.4).
      ['print.delivery', 'Delivery:NOT_PRESENT'],
      ['print.epoch', 'Epoch:NOT_PRESENT'],
      ['print.headers', 'a:1;b:NIL'],
      ['print.key', 'K'],
      ['print.value', 'V'],
    ]
    for (let mask = 0; mask < 256; mask++) {
      const props: Record<string, string> = { 'key.separator': ' | ', 'line.separator': '\r\n', 'headers.separator': ';', 'null.literal': 'NIL' }
      const printed: string[] = []
      fields.forEach(([prop, text], i) => {
        const on = (mask & (1 << i)) !== 0
        props[prop] = on ? 'true' : 'false'
        if (on) printed.push(text)
      })
      const expected = printed.length === 0 ? '' : printed.join(' | ') + '\r\n'
      expect(formatText(props, rec, 3), `mask ${mask}`).toBe(expected)
    }
  })

  test('null key, null value and null header value print null.literal', () => {
    const rec = record({ key: null, value: null, headers: [['h', null]] })
    expect(formatText({ 'print.key': 'true', 'print.headers': 'true' }, rec)).toBe('h:null\tnull\tnull\n')
    expect(formatText({ 'print.key': 'true', 'null.literal': '∅' }, rec)).toBe('∅\t∅\n')
    expect(formatText({}, rec)).toBe('null\n')
  })

  test('empty key and value are empty, not null', () => {
    expect(formatText({ 'print.key': 'true' }, record({ key: '', value: '' }))).toBe('\t\n')
  })

  test('key, value and header value bytes are copied unmodified (binary, invalid UTF-8)', () => {
    const odd = Buffer.from([0x00, 0xff, 0xfe, 0x0a, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0x5c])
    const rec = record({ key: odd, value: Buffer.concat([odd, odd]), headers: [['h', odd]] })
    const out = format({ 'print.key': 'true', 'print.headers': 'true' }, rec)
    expect(out).toEqual(Buffer.concat([Buffer.from('h:'), odd, Buffer.from('\t'), odd, Buffer.from('\t'), odd, odd, Buffer.from('\n')]))
    expect(format({}, rec)).toEqual(Buffer.concat([odd, odd, Buffer.from('\n')]))
  })

  test('header keys are Java Strings: invalid UTF-8 in a key prints as U+FFFD, valid UTF-8 as is', () => {
    const rec = record({ headers: [[Buffer.from([0x6b, 0xff]), 'v'], ['ключ', 'x']] })
    expect(format({ 'print.headers': 'true', 'print.value': 'false' }, rec)).toEqual(
      Buffer.from('k\ufffd:v,ключ:x\n', 'utf8'),
    )
  })

  test('separators are raw UTF-8 of the property, no unescaping', () => {
    expect(formatText({ 'print.key': 'true', 'key.separator': '\\t', 'line.separator': '¶' }, record({ key: 'k' }))).toBe(
      'k\\tvalue¶',
    )
  })

  test('appends: several records go one after the other into one buffer that grows', () => {
    const f = new MessageFormatter(formatterConfig(new Map([['print.offset', 'true']])))
    const out = new OutputBuffer(16)
    const expected: string[] = []
    for (let i = 0; i < 500; i++) {
      const v = 'x'.repeat(i % 37)
      f.format(record({ value: v, offset: i }), 0, out)
      expected.push(`Offset:${i}\t${v}\n`)
    }
    expect(out.bytes().toString()).toBe(expected.join(''))
  })
})

describe('deserializers', () => {
  const val = (b: Buffer) => record({ value: b })
  const withValue = (cls: string) => ({ 'value.deserializer': `org.apache.kafka.common.serialization.${cls}` })
  const i32 = (n: number) => {
    const b = Buffer.alloc(4)
    b.writeInt32BE(n)
    return b
  }

  test('Integer, Short and Long print the big-endian number', () => {
    expect(formatText(withValue('IntegerDeserializer'), val(i32(-123456789)))).toBe('-123456789\n')
    expect(formatText(withValue('IntegerDeserializer'), val(i32(2147483647)))).toBe('2147483647\n')
    const s = Buffer.alloc(2)
    s.writeInt16BE(-2)
    expect(formatText(withValue('ShortDeserializer'), val(s))).toBe('-2\n')
    const l = Buffer.alloc(8)
    l.writeBigInt64BE(-9007199254740993n)
    expect(formatText(withValue('LongDeserializer'), val(l))).toBe('-9007199254740993\n')
    l.writeBigInt64BE(9223372036854775807n)
    expect(formatText(withValue('LongDeserializer'), val(l))).toBe('9223372036854775807\n')
  })

  test("Double and Float print Java's toString (published values of Java's constants)", () => {
    const d = (x: number) => {
      const b = Buffer.alloc(8)
      b.writeDoubleBE(x)
      return formatText(withValue('DoubleDeserializer'), val(b)).slice(0, -1)
    }
    expect(d(Number.MIN_VALUE)).toBe('4.9E-324')
    expect(d(Number.MAX_VALUE)).toBe('1.7976931348623157E308')
    expect(d(1)).toBe('1.0')
    expect(d(0.1)).toBe('0.1')
    expect(d(-0)).toBe('-0.0')
    expect(d(NaN)).toBe('NaN')
    expect(d(-Infinity)).toBe('-Infinity')
    const fbits = (bits: number) => formatText(withValue('FloatDeserializer'), val(i32(bits))).slice(0, -1)
    expect(fbits(0x00000001)).toBe('1.4E-45') // Float.MIN_VALUE
    expect(fbits(0x7f7fffff)).toBe('3.4028235E38') // Float.MAX_VALUE
    expect(fbits(0x3f800000)).toBe('1.0')
    expect(fbits(0x7fc00000)).toBe('NaN')
  })

  test('wrong sizes throw SerializationException with Kafka texts', () => {
    const cases: [string, number, string][] = [
      ['IntegerDeserializer', 3, 'Size of data received by IntegerDeserializer is not 4'],
      ['ShortDeserializer', 4, 'Size of data received by ShortDeserializer is not 2'],
      ['LongDeserializer', 4, 'Size of data received by LongDeserializer is not 8'],
      ['FloatDeserializer', 8, 'Size of data received by Deserializer is not 4'],
      ['DoubleDeserializer', 4, 'Size of data received by Deserializer is not 8'],
      ['BooleanDeserializer', 2, 'Size of data received by BooleanDeserializer is not 1'],
    ]
    for (const [cls, size, message] of cases) {
      const err = deserializationError(withValue(cls), val(Buffer.alloc(size)))
      expect(err.message).toBe(message)
      expect(err.name).toBe('org.apache.kafka.common.errors.SerializationException')
      expect(String(err)).toBe(`org.apache.kafka.common.errors.SerializationException: ${message}`)
    }
  })

  test('a null value goes through the deserializer as null.literal, as in Kafka', () => {
    // "null" read as a big-endian int, computed independently of the formatter.
    expect(() => format(withValue('IntegerDeserializer'), val(Buffer.alloc(0)))).toThrow('is not 4')
    expect(formatText(withValue('IntegerDeserializer'), record({ value: null }))).toBe(`${Buffer.from('null').readInt32BE(0)}\n`)
    expect(deserializationError(withValue('LongDeserializer'), record({ value: null })).message).toBe(
      'Size of data received by LongDeserializer is not 8',
    )
  })

  test('Boolean: 1 → true, 0 → false, anything else names the signed byte', () => {
    expect(formatText(withValue('BooleanDeserializer'), val(Buffer.from([1])))).toBe('true\n')
    expect(formatText(withValue('BooleanDeserializer'), val(Buffer.from([0])))).toBe('false\n')
    expect(deserializationError(withValue('BooleanDeserializer'), val(Buffer.from([5]))).message).toBe(
      'Unexpected byte received by BooleanDeserializer: 5',
    )
    expect(deserializationError(withValue('BooleanDeserializer'), val(Buffer.from([0xff]))).message).toBe(
      'Unexpected byte received by BooleanDeserializer: -1',
    )
  })

  test("UUID: canonical lower case; Java's lenient field parsing; errors as SerializationException", () => {
    expect(formatText(withValue('UUIDDeserializer'), val(Buffer.from('123E4567-E89B-12D3-A456-426614174000')))).toBe(
      '123e4567-e89b-12d3-a456-426614174000\n',
    )
    expect(formatText(withValue('UUIDDeserializer'), val(Buffer.from('1-2-3-4-5')))).toBe(
      '00000001-0002-0003-0004-000000000005\n',
    )
    for (const bad of ['not-a-uuid', '123e4567e89b12d3a456426614174000', '1-2-3-4-5-6', 'g-0-0-0-0', '0-0-0-0-', 'x'.repeat(37)]) {
      const err = deserializationError(withValue('UUIDDeserializer'), val(Buffer.from(bad)))
      expect(err.message, bad).toBe('Error parsing data into UUID')
      expect(String(err)).toBe('org.apache.kafka.common.errors.SerializationException: Error parsing data into UUID')
      expect((err.cause as Error).name).toBe('java.lang.IllegalArgumentException')
    }
  })

  test('Void always fails (the formatter never passes null)', () => {
    const err = deserializationError(withValue('VoidDeserializer'), record({ value: null }))
    expect(String(err)).toBe('java.lang.IllegalArgumentException: Data should be null for a VoidDeserializer.')
  })

  test('String: valid UTF-8 as is, invalid sequences become U+FFFD (Java new String(bytes, UTF_8))', () => {
    expect(format(withValue('StringDeserializer'), val(Buffer.from('héllo')))).toEqual(Buffer.from('héllo\n'))
    expect(format(withValue('StringDeserializer'), val(Buffer.from([0x61, 0xff, 0x62])))).toEqual(
      Buffer.from([0x61, 0xef, 0xbf, 0xbd, 0x62, 0x0a]),
    )
  })

  test('ByteArray copies the bytes; ByteBuffer prints HeapByteBuffer; Bytes escapes', () => {
    const raw = Buffer.from([0x00, 0x41, 0x5c, 0x7e, 0x7f, 0xc3, 0xa9, 0x20])
    expect(format(withValue('ByteArrayDeserializer'), val(raw))).toEqual(Buffer.concat([raw, Buffer.from('\n')]))
    expect(formatText(withValue('ByteBufferDeserializer'), val(raw))).toBe('java.nio.HeapByteBuffer[pos=0 lim=8 cap=8]\n')
    expect(formatText(withValue('BytesDeserializer'), val(raw))).toBe('\\x00A\\x5C~\\x7F\\xC3\\xA9 \n')
  })

  test('key.deserializer and headers.deserializer apply to their fields only', () => {
    const rec = record({ key: i32(7), value: 'v', headers: [['h', i32(-1)], ['n', null]] })
    const props = {
      'print.key': 'true',
      'print.headers': 'true',
      'key.deserializer': 'org.apache.kafka.common.serialization.IntegerDeserializer',
      'headers.deserializer': 'org.apache.kafka.common.serialization.IntegerDeserializer',
    }
    expect(formatText(props, rec)).toBe(`h:-1,n:${Buffer.from('null').readInt32BE(0)}\t7\tv\n`)
  })

  test('a failure leaves the fields already written, as on Kafka stdout; truncate() can drop them', () => {
    const f = new MessageFormatter(
      formatterConfig(
        new Map([
          ['print.timestamp', 'true'],
          ['print.key', 'true'],
          ['key.deserializer', 'org.apache.kafka.common.serialization.IntegerDeserializer'],
        ]),
      ),
    )
    const out = new OutputBuffer()
    out.appendLatin1('before\n')
    const mark = out.length
    expect(() => f.format(record({ key: 'abc', timestamp: 5 }), 0, out)).toThrow(DeserializationError)
    expect(out.bytes().toString()).toBe('before\nCreateTime:5\t')
    out.truncate(mark)
    expect(out.bytes().toString()).toBe('before\n')
  })
})

describe('OutputBuffer', () => {
  test('appendInt writes decimal integers across the int32 / split boundary', () => {
    const out = new OutputBuffer(16)
    const values = [0, 7, -1, 9, 10, 99999999, 100000000, 100000007, 1700000000005, -1700000000005, 2 ** 31, 2 ** 53 - 1, -(2 ** 53 - 1)]
    for (const v of values) {
      out.appendInt(v)
      out.appendLatin1(' ')
    }
    expect(out.bytes().toString()).toBe(values.map((v) => `${v} `).join(''))
  })

  test('take() hands over the bytes and keeps writing elsewhere; reset() rewinds', () => {
    const out = new OutputBuffer(16)
    out.appendUtf8('héllo')
    const first = out.take()
    out.appendLatin1('xyz')
    expect(first.toString()).toBe('héllo')
    expect(out.bytes().toString()).toBe('xyz')
    out.reset()
    expect(out.length).toBe(0)
    out.appendBytes(Buffer.alloc(100, 0x61))
    expect(out.bytes()).toEqual(Buffer.alloc(100, 0x61))
  })
})
