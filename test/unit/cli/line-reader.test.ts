import fc from 'fast-check'
import { describe, expect, test } from 'vitest'

import {
  LineParseError,
  LineReaderConfigError,
  javaBoolean,
  lineReaderConfig,
  parseLine,
  type LineReaderConfig,
  type ParsedLine,
} from '../../../src/cli/line-reader.js'
import { LineSplitter } from '../../../src/cli/line-splitter.js'

const cfgOf = (props: Record<string, string>) => lineReaderConfig(new Map(Object.entries(props)))
/** Kafka's LineMessageReaderTest.defaultTestProps(). */
const KAFKA_TEST_PROPS = { 'parse.key': 'true', 'parse.headers': 'true' }

interface Expected {
  key: string | null
  value: string | null
  headers?: [string, string | null][]
}

const show = (p: ParsedLine): Expected => ({
  key: p.key === null ? null : p.key.toString('utf8'),
  value: p.value === null ? null : p.value.toString('utf8'),
  headers: p.headers.map((h) => [h.key.toString('utf8'), h.value === null ? null : h.value.toString('utf8')]),
})
const rec = (key: string | null, value: string | null, headers: [string, string | null][] = []): Expected => ({
  key,
  value,
  headers,
})

/** Runs input through the splitter and the reader, numbering lines from 1 like Kafka. */
function readAll(input: string, cfg: LineReaderConfig): Expected[] {
  const out: Expected[] = []
  let lineNumber = 0
  const splitter = new LineSplitter()
  const onLine = (line: Buffer) => out.push(show(parseLine(line, ++lineNumber, cfg)))
  splitter.push(Buffer.from(input, 'utf8'), onLine)
  splitter.end(onLine)
  return out
}

function parseError(line: string, lineNumber: number, cfg: LineReaderConfig): LineParseError {
  try {
    parseLine(Buffer.from(line, 'utf8'), lineNumber, cfg)
  } catch (err) {
    expect(err).toBeInstanceOf(LineParseError)
    return err as LineParseError
  }
  throw new Error(`no error for ${JSON.stringify(line)}`)
}

function configError(props: Record<string, string>): string {
  try {
    cfgOf(props)
  } catch (err) {
    expect(err).toBeInstanceOf(LineReaderConfigError)
    return (err as Error).message
  }
  throw new Error('no config error')
}

describe('lineReaderConfig', () => {
  test("defaults per Kafka: no key, no headers, TAB, ',', ':', no null marker", () => {
    const cfg = cfgOf({})
    expect(cfg.parseKey).toBe(false)
    expect(cfg.parseHeaders).toBe(false)
    expect(cfg.ignoreError).toBe(false)
    expect(cfg.keySeparator).toEqual(Buffer.from('\t'))
    expect(cfg.headersDelimiter).toEqual(Buffer.from('\t'))
    expect(cfg.headersKeySeparator).toEqual(Buffer.from(':'))
    expect(cfg.nullMarker).toBeNull()
  })

  test('booleans are trim().equalsIgnoreCase("true") with Java trim (code units <= U+0020 only)', () => {
    for (const yes of ['true', 'TRUE', ' True\t', '\u0000true\u0001']) expect(javaBoolean(yes)).toBe(true)
    for (const no of ['yes', '1', '', 'truee', '\u00a0true', 'true\u3000']) expect(javaBoolean(no)).toBe(false)
    expect(javaBoolean(undefined)).toBe(false)
    expect(cfgOf({ 'parse.key': ' TRUE ', 'parse.headers': 'True', 'ignore.error': 'tRuE' })).toMatchObject({
      parseKey: true,
      parseHeaders: true,
      ignoreError: true,
    })
  })

  test('separators are used as given, without unescaping', () => {
    const cfg = cfgOf({ 'key.separator': '\\t', 'null.marker': 'é' })
    expect(cfg.keySeparator).toEqual(Buffer.from('\\t'))
    expect(cfg.nullMarker).toEqual(Buffer.from([0xc3, 0xa9]))
  })

  test("Kafka's conflict messages (LineMessageReaderTest.testHeaderDemarcationCollision / testInvalidNullMarker)", () => {
    const props = { ...KAFKA_TEST_PROPS, 'headers.delimiter': '\t', 'headers.separator': '\t', 'headers.key.separator': '\t' }
    expect(configError(props)).toBe('headers.delimiter and headers.separator may not be equal')
    expect(configError({ ...props, 'headers.separator': ',' })).toBe(
      'headers.delimiter and headers.key.separator may not be equal',
    )
    expect(configError({ ...props, 'headers.separator': ',', 'headers.key.separator': ',' })).toBe(
      'headers.separator and headers.key.separator may not be equal',
    )
    const np = { ...KAFKA_TEST_PROPS, 'headers.delimiter': '-', 'headers.separator': ':', 'headers.key.separator': '/' }
    expect(configError({ ...np, 'null.marker': '-' })).toBe('null.marker and headers.delimiter may not be equal')
    expect(configError({ ...np, 'null.marker': ':' })).toBe('null.marker and headers.separator may not be equal')
    expect(configError({ ...np, 'null.marker': '/' })).toBe('null.marker and headers.key.separator may not be equal')
    expect(configError({ 'null.marker': '\t' })).toBe('null.marker and key.separator may not be equal')
  })

  test('conflicts are checked even when parse.headers is off; key.separator may equal headers.delimiter', () => {
    expect(configError({ 'headers.separator': ':' })).toBe('headers.separator and headers.key.separator may not be equal')
    expect(() => cfgOf({ 'key.separator': '|', 'headers.delimiter': '|' })).not.toThrow()
  })

  test('an invalid headers.separator regex is reported before conflicts', () => {
    expect(configError({ 'headers.separator': '(', 'headers.delimiter': '(' })).toMatch(
      /^headers\.separator '\(' is not a valid regex/,
    )
  })
})

describe('parseLine — LineMessageReaderTest vectors', () => {
  test('testLineReader: key and value', () => {
    const cfg = cfgOf({ ...KAFKA_TEST_PROPS, 'parse.headers': 'false' })
    expect(readAll('key0\tvalue0\nkey1\tvalue1', cfg)).toEqual([rec('key0', 'value0'), rec('key1', 'value1')])
  })

  test('testLineReaderHeader', () => {
    expect(readAll('headerKey0:headerValue0,headerKey1:headerValue1\tkey0\tvalue0\n', cfgOf(KAFKA_TEST_PROPS))).toEqual([
      rec('key0', 'value0', [
        ['headerKey0', 'headerValue0'],
        ['headerKey1', 'headerValue1'],
      ]),
    ])
  })

  test('testMinimalValidInputWithHeaderKeyAndValue', () => {
    expect(readAll(':\t\t', cfgOf(KAFKA_TEST_PROPS))).toEqual([rec('', '', [['', '']])])
  })

  test('testKeyMissingValue', () => {
    expect(readAll('key\t', cfgOf({ ...KAFKA_TEST_PROPS, 'parse.headers': 'false' }))).toEqual([rec('key', '')])
  })

  test('testDemarcationsLongerThanOne', () => {
    const cfg = cfgOf({
      ...KAFKA_TEST_PROPS,
      'key.separator': '\t\t',
      'headers.delimiter': '\t\t',
      'headers.separator': '---',
      'headers.key.separator': '::::',
    })
    expect(readAll('headerKey0.0::::headerValue0.0---headerKey1.0::::\t\tkey\t\tvalue', cfg)).toEqual([
      rec('key', 'value', [
        ['headerKey0.0', 'headerValue0.0'],
        ['headerKey1.0', ''],
      ]),
    ])
  })

  test('testLineReaderHeaderNoKey and testLineReaderOnlyValue', () => {
    expect(readAll('headerKey:headerValue\tvalue\n', cfgOf({ ...KAFKA_TEST_PROPS, 'parse.key': 'false' }))).toEqual([
      rec(null, 'value', [['headerKey', 'headerValue']]),
    ])
    expect(readAll('value\n', cfgOf({}))).toEqual([rec(null, 'value')])
  })

  test('testParseHeaderEnabledWithCustomDelimiterAndVaryingNumberOfKeyValueHeaderPairs', () => {
    const cfg = cfgOf({
      ...KAFKA_TEST_PROPS,
      'key.separator': '#',
      'headers.delimiter': '!',
      'headers.separator': '&',
      'headers.key.separator': ':',
    })
    const input =
      'headerKey0.0:headerValue0.0&headerKey0.1:headerValue0.1!key0#value0\n' + 'headerKey1.0:headerValue1.0!key1#value1'
    expect(readAll(input, cfg)).toEqual([
      rec('key0', 'value0', [
        ['headerKey0.0', 'headerValue0.0'],
        ['headerKey0.1', 'headerValue0.1'],
      ]),
      rec('key1', 'value1', [['headerKey1.0', 'headerValue1.0']]),
    ])
  })

  test('testMissingKeySeparator: message names the line number and quotes the line', () => {
    const cfg = cfgOf(KAFKA_TEST_PROPS)
    const err = parseError('headerKey1.0:headerValue1.0\tkey1[MISSING-DELIMITER]value1', 2, cfg)
    expect(err.message).toBe(
      "No key separator found on line number 2: 'headerKey1.0:headerValue1.0\tkey1[MISSING-DELIMITER]value1'",
    )
    expect(err.lineNumber).toBe(2)
    expect(parseError('abc', 3, cfgOf({ 'parse.key': 'true' })).message).toBe(
      "No key separator found on line number 3: 'abc'",
    )
  })

  test('testMissingHeaderKeySeparator', () => {
    expect(parseError('key[MISSING-DELIMITER]val\tkey0\tvalue0', 1, cfgOf(KAFKA_TEST_PROPS)).message).toBe(
      "No header key separator found in pair 'key[MISSING-DELIMITER]val' on line number 1",
    )
  })

  test('missing headers delimiter', () => {
    expect(parseError('h:v', 7, cfgOf({ 'parse.headers': 'true' })).message).toBe(
      "No headers delimiter found on line number 7: 'h:v'",
    )
  })

  test('error texts quote the line decoded as UTF-8', () => {
    const line = Buffer.from([0x61, 0xff, 0x62])
    expect(() => parseLine(line, 1, cfgOf({ 'parse.key': 'true' }))).toThrow(
      "No key separator found on line number 1: 'a\ufffdb'",
    )
  })

  test('testIgnoreErrorInInput', () => {
    const input =
      'headerKey0.0:headerValue0.0\tkey0\tvalue0\n' +
      'headerKey1.0:headerValue1.0,headerKey1.1:headerValue1.1[MISSING-HEADER-DELIMITER]key1\tvalue1\n' +
      'headerKey2.0:headerValue2.0\tkey2[MISSING-KEY-DELIMITER]value2\n' +
      'headerKey3.0:headerValue3.0[MISSING-HEADER-DELIMITER]key3[MISSING-KEY-DELIMITER]value3\n'
    expect(readAll(input, cfgOf({ ...KAFKA_TEST_PROPS, 'ignore.error': 'true' }))).toEqual([
      rec('key0', 'value0', [['headerKey0.0', 'headerValue0.0']]),
      rec(null, 'value1', [
        ['headerKey1.0', 'headerValue1.0'],
        ['headerKey1.1', 'headerValue1.1[MISSING-HEADER-DELIMITER]key1'],
      ]),
      rec(null, 'key2[MISSING-KEY-DELIMITER]value2', [['headerKey2.0', 'headerValue2.0']]),
      rec(null, 'headerKey3.0:headerValue3.0[MISSING-HEADER-DELIMITER]key3[MISSING-KEY-DELIMITER]value3'),
    ])
  })

  test('testMalformedHeaderIgnoreError: the whole pair becomes the key, value null', () => {
    expect(readAll('key-val\tkey0\tvalue0\n', cfgOf({ ...KAFKA_TEST_PROPS, 'ignore.error': 'true' }))).toEqual([
      rec('key0', 'value0', [['key-val', null]]),
    ])
  })

  test('testNullMarker (and the same input without a marker)', () => {
    const input = 'key\t\nkey\t<NULL>\nkey\t<NULL>value\n<NULL>\tvalue\n<NULL>\t<NULL>'
    const props = { ...KAFKA_TEST_PROPS, 'parse.headers': 'false' }
    expect(readAll(input, cfgOf({ ...props, 'null.marker': '<NULL>' }))).toEqual([
      rec('key', ''),
      rec('key', null),
      rec('key', '<NULL>value'),
      rec(null, 'value'),
      rec(null, null),
    ])
    expect(readAll(input, cfgOf(props))).toEqual([
      rec('key', ''),
      rec('key', '<NULL>'),
      rec('key', '<NULL>value'),
      rec('<NULL>', 'value'),
      rec('<NULL>', '<NULL>'),
    ])
  })

  test('testNullMarkerWithHeaders', () => {
    const lines = [
      'h0:v0,h1:v1\t<NULL>\tvalue',
      '<NULL>\tkey\t<NULL>',
      'h0:,h1:v1\t<NULL>\t<NULL>',
      'h0:<NULL>,h1:v1\tkey\t<NULL>',
      'h0:<NULL>,h1:<NULL>value\tkey\t<NULL>',
    ]
    const withMarker = cfgOf({ ...KAFKA_TEST_PROPS, 'null.marker': '<NULL>' })
    expect(readAll(lines.join('\n') + '\n', withMarker)).toEqual([
      rec(null, 'value', [
        ['h0', 'v0'],
        ['h1', 'v1'],
      ]),
      rec('key', null),
      rec(null, null, [
        ['h0', ''],
        ['h1', 'v1'],
      ]),
      rec('key', null, [
        ['h0', null],
        ['h1', 'v1'],
      ]),
      rec('key', null, [
        ['h0', null],
        ['h1', '<NULL>value'],
      ]),
    ])
    const without = cfgOf(KAFKA_TEST_PROPS)
    expect(show(parseLine(Buffer.from(lines[0]!), 1, without))).toEqual(
      rec('<NULL>', 'value', [
        ['h0', 'v0'],
        ['h1', 'v1'],
      ]),
    )
    expect(parseError(lines[1]!, 2, without).message).toBe(
      "No header key separator found in pair '<NULL>' on line number 2",
    )
    expect(show(parseLine(Buffer.from(lines[3]!), 4, without))).toEqual(
      rec('key', '<NULL>', [
        ['h0', '<NULL>'],
        ['h1', 'v1'],
      ]),
    )
  })

  test('testNullMarkerHeaderKeyThrows — also with ignore.error', () => {
    const line = '<NULL>:v0,h1:v1\tkey\tvalue'
    const msg = "Header keys should not be equal to the null marker '<NULL>' as they can't be null"
    expect(parseError(line, 1, cfgOf({ ...KAFKA_TEST_PROPS, 'null.marker': '<NULL>' })).message).toBe(msg)
    expect(parseError(line, 1, cfgOf({ ...KAFKA_TEST_PROPS, 'null.marker': '<NULL>', 'ignore.error': 'true' })).message).toBe(
      msg,
    )
    expect(show(parseLine(Buffer.from(line), 1, cfgOf(KAFKA_TEST_PROPS)))).toEqual(
      rec('key', 'value', [
        ['<NULL>', 'v0'],
        ['h1', 'v1'],
      ]),
    )
  })

  test('null.marker on the value alone (no parse.key / parse.headers)', () => {
    const cfg = cfgOf({ 'null.marker': 'NULL' })
    expect(parseLine(Buffer.from('NULL'), 1, cfg).value).toBeNull()
    expect(parseLine(Buffer.from('NULL '), 1, cfg).value).toEqual(Buffer.from('NULL '))
  })

  test('a headers section that splits into nothing gives no headers; an empty section is one bad pair', () => {
    const cfg = cfgOf(KAFKA_TEST_PROPS)
    expect(show(parseLine(Buffer.from(',,\tk\tv'), 1, cfg))).toEqual(rec('k', 'v'))
    expect(parseError('\tk\tv', 5, cfg).message).toBe("No header key separator found in pair '' on line number 5")
    // Trailing empty pieces are dropped (Pattern.split with limit 0), inner ones are not.
    expect(show(parseLine(Buffer.from('a:1,b:2,,\tk\tv'), 1, cfg)).headers).toEqual([
      ['a', '1'],
      ['b', '2'],
    ])
    expect(parseError('a:1,,b:2\tk\tv', 1, cfg).message).toBe("No header key separator found in pair '' on line number 1")
  })
})

describe('parseLine — bytes', () => {
  test('the common case returns the line itself as the value, with no key and no headers', () => {
    const line = Buffer.from('plain value')
    const parsed = parseLine(line, 1, cfgOf({}))
    expect(parsed.value).toBe(line)
    expect(parsed.key).toBeNull()
    expect(parsed.headers).toHaveLength(0)
  })

  test('key, value and headers are views into the line', () => {
    const line = Buffer.from('h:v\tkey\tvalue')
    const parsed = parseLine(line, 1, cfgOf(KAFKA_TEST_PROPS))
    for (const part of [parsed.key!, parsed.value!, parsed.headers[0]!.key, parsed.headers[0]!.value!]) {
      expect(part.buffer).toBe(line.buffer)
    }
    expect(parsed.value!.byteOffset - line.byteOffset).toBe(8)
  })

  test('invalid UTF-8 and binary bytes pass through byte-exact in key, value and headers', () => {
    const odd = Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28, 0x80, 0xed, 0xa0, 0x80])
    const line = Buffer.concat([
      Buffer.from('hk:'),
      odd,
      Buffer.from(','),
      odd,
      Buffer.from(':x\t'),
      odd,
      Buffer.from('\t'),
      odd,
      odd,
    ])
    const parsed = parseLine(line, 1, cfgOf(KAFKA_TEST_PROPS))
    expect(parsed.key!.equals(odd)).toBe(true)
    expect(parsed.value!.equals(Buffer.concat([odd, odd]))).toBe(true)
    expect(parsed.headers[0]!.key.equals(Buffer.from('hk'))).toBe(true)
    expect(parsed.headers[0]!.value!.equals(odd)).toBe(true)
    expect(parsed.headers[1]!.key.equals(odd)).toBe(true)
    expect(parsed.headers[1]!.value!.equals(Buffer.from('x'))).toBe(true)
  })

  test('multi-byte UTF-8 separators', () => {
    const cfg = cfgOf({ 'parse.key': 'true', 'key.separator': '→', 'parse.headers': 'true', 'headers.delimiter': '¦', 'headers.separator': 'é' })
    expect(show(parseLine(Buffer.from('a:1éb:2¦ключ→значение'), 1, cfg))).toEqual(
      rec('ключ', 'значение', [
        ['a', '1'],
        ['b', '2'],
      ]),
    )
  })

  test('an empty key.separator splits at the start: empty key, whole rest is the value (Java indexOf(""))', () => {
    expect(show(parseLine(Buffer.from('abc'), 1, cfgOf({ 'parse.key': 'true', 'key.separator': '' })))).toEqual(rec('', 'abc'))
  })

  test('property: key + separator + value (without separator bytes in the key) round-trips', () => {
    const cfg = cfgOf({ 'parse.key': 'true', 'key.separator': '::' })
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }), (k, v) => {
        const key = Buffer.from(k)
        fc.pre(!Buffer.concat([key, Buffer.from(':')]).includes('::'))
        const parsed = parseLine(Buffer.concat([key, Buffer.from('::'), Buffer.from(v)]), 1, cfg)
        expect(parsed.key!.equals(key)).toBe(true)
        expect(parsed.value!.equals(Buffer.from(v))).toBe(true)
      }),
    )
  })
})

describe('headers.separator is a Java regex', () => {
  const headersOf = (section: string, separator: string) =>
    show(parseLine(Buffer.from(`${section}\tv`), 1, cfgOf({ 'parse.headers': 'true', 'headers.separator': separator }))).headers

  test("'\\|' splits at a pipe", () => {
    expect(headersOf('a:1|b:2', '\\|')).toEqual([
      ['a', '1'],
      ['b', '2'],
    ])
  })

  test("an unescaped '|' is an empty alternation: it splits between every character", () => {
    expect(() => headersOf('a:1|b:2', '|')).toThrow("No header key separator found in pair 'a' on line number 1")
  })

  test("'.' matches every character, so every piece is empty and there are no headers", () => {
    expect(headersOf('a:1.b:2', '.')).toEqual([])
  })

  test('classes, quantifiers, \\Q…\\E quoting and \\s', () => {
    expect(headersOf('a:1;b:2,c:3', '[,;]')).toEqual([
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
    ])
    expect(headersOf('a:1,,,b:2', ',+')).toEqual([
      ['a', '1'],
      ['b', '2'],
    ])
    expect(headersOf('a:1.*b:2', '\\Q.*\\E')).toEqual([
      ['a', '1'],
      ['b', '2'],
    ])
    expect(headersOf('a:1 \u000bb:2', '\\s+')).toEqual([
      ['a', '1'],
      ['b', '2'],
    ])
  })

  test('\\s does not match the 0xA0 byte inside a UTF-8 character (à = C3 A0)', () => {
    expect(headersOf('a:à b:2', '\\s')).toEqual([
      ['a', 'à'],
      ['b', '2'],
    ])
  })

  test('a zero-width match at the start yields no leading empty piece', () => {
    expect(headersOf('a:1', '(?=a)')).toEqual([['a', '1']])
  })

  test('non-ASCII literals match their UTF-8 bytes', () => {
    expect(headersOf('a:1∙b:2', '∙')).toEqual([
      ['a', '1'],
      ['b', '2'],
    ])
    expect(headersOf('a:1∙∙b:2', '∙+')).toEqual([
      ['a', '1'],
      ['b', '2'],
    ])
  })

  test('Java constructs JavaScript would read differently are rejected at configuration', () => {
    for (const bad of ['\\p{L}', 'a++', '(?i)x', '(?>a)', '[a&&b]', '[[a]]', '\\R', '\\x{41}', '[é]']) {
      expect(() => lineReaderConfig(new Map([['parse.headers', 'true'], ['headers.separator', bad]])), bad).toThrow(
        `headers.separator '${bad}' uses `,
      )
    }
  })
})
