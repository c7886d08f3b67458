import fc from 'fast-check'
import { describe, expect, test } from 'vitest'

import { LineSplitter, type LineSplitterOptions } from '../../../src/cli/line-splitter.js'

/** Feeds the chunks and returns every line as a copy (lines are views into the chunks). */
function split(chunks: readonly Buffer[], options?: LineSplitterOptions): Buffer[] {
  const splitter = new LineSplitter(options)
  const lines: Buffer[] = []
  const onLine = (line: Buffer) => lines.push(Buffer.from(line))
  for (const chunk of chunks) splitter.push(chunk, onLine)
  splitter.end(onLine)
  return lines
}

const text = (lines: Buffer[]) => lines.map((l) => l.toString('latin1'))
const b = (s: string) => Buffer.from(s, 'latin1')

/** java.io.BufferedReader.readLine over a whole input: '\n', '\r' and '\r\n' end a line. */
function javaReadLines(input: Buffer): Buffer[] {
  const lines: Buffer[] = []
  let start = 0
  let i = 0
  while (i < input.length) {
    const c = input[i]
    if (c === 0x0a || c === 0x0d) {
      lines.push(input.subarray(start, i))
      i += c === 0x0d && input[i + 1] === 0x0a ? 2 : 1
      start = i
    } else {
      i++
    }
  }
  if (start < input.length) lines.push(input.subarray(start))
  return lines
}

/** Only '\n' (or the end of input) ends a line; one '\r' right before it is dropped. */
function lfOnlyLines(input: Buffer): Buffer[] {
  const parts: Buffer[] = []
  let start = 0
  for (let i = 0; i < input.length; i++) {
    if (input[i] === 0x0a) {
      parts.push(input.subarray(start, i))
      start = i + 1
    }
  }
  if (start < input.length) parts.push(input.subarray(start))
  // End of input ends the last line like a '\n' does, so its trailing '\r' goes too.
  return parts.map((p) => (p.length > 0 && p[p.length - 1] === 0x0d ? p.subarray(0, p.length - 1) : p))
}

/** Cuts the input at the given (sorted, deduplicated) positions. */
function cut(input: Buffer, positions: number[]): Buffer[] {
  const chunks: Buffer[] = []
  let prev = 0
  for (const p of positions) {
    chunks.push(input.subarray(prev, p))
    prev = p
  }
  chunks.push(input.subarray(prev))
  return chunks
}

describe('LineSplitter (Java readLine line ends)', () => {
  test('splits at \\n and keeps empty lines', () => {
    expect(text(split([b('a\n\nbc\n')]))).toEqual(['a', '', 'bc'])
    expect(text(split([b('\n')]))).toEqual([''])
    expect(text(split([b('\n\n')]))).toEqual(['', ''])
  })

  test('delivers an unterminated last line at end(), but no empty one', () => {
    expect(text(split([b('a\nlast')]))).toEqual(['a', 'last'])
    expect(text(split([b('a\n')]))).toEqual(['a'])
    expect(split([])).toEqual([])
    expect(split([Buffer.alloc(0)])).toEqual([])
  })

  test('strips \\r before \\n and ends a line at a lone \\r, as BufferedReader.readLine does', () => {
    expect(text(split([b('a\r\nb\r\n')]))).toEqual(['a', 'b'])
    expect(text(split([b('a\rb\n')]))).toEqual(['a', 'b'])
    expect(text(split([b('a\r\r\nb')]))).toEqual(['a', '', 'b'])
    expect(text(split([b('a\r')]))).toEqual(['a'])
    expect(text(split([b('\r\n\r\n')]))).toEqual(['', ''])
  })

  test('a \\r\\n split across chunks is one terminator', () => {
    expect(text(split([b('a\r'), b('\nb')]))).toEqual(['a', 'b'])
    expect(text(split([b('a\r'), Buffer.alloc(0), b('\nb')]))).toEqual(['a', 'b'])
    expect(text(split([b('a\r'), b('b')]))).toEqual(['a', 'b'])
    expect(text(split([b('a\r'), b('\r'), b('\n')]))).toEqual(['a', ''])
  })

  test('loneCrEndsLine: false keeps a lone \\r and strips only \\r\\n', () => {
    const opts = { loneCrEndsLine: false }
    expect(text(split([b('a\rb\n')], opts))).toEqual(['a\rb'])
    expect(text(split([b('a\r\nb\r\n')], opts))).toEqual(['a', 'b'])
    expect(text(split([b('a\r'), b('\nb')], opts))).toEqual(['a', 'b'])
    expect(text(split([b('x'), b('\r'), b('\n')], opts))).toEqual(['x'])
    expect(text(split([b('\r\n')], opts))).toEqual([''])
  })

  test('passes every byte value except the terminators through unchanged', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i).filter((i) => i !== 0x0a && i !== 0x0d))
    const invalidUtf8 = Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xe2, 0x82, 0x00, 0x80])
    const lines = split([Buffer.concat([all, Buffer.from('\n'), invalidUtf8, Buffer.from('\n')])])
    expect(lines).toHaveLength(2)
    expect(lines[0]!.equals(all)).toBe(true)
    expect(lines[1]!.equals(invalidUtf8)).toBe(true)
  })

  test('joins a line that spans many one-byte chunks', () => {
    const long = Buffer.alloc(10_000, 0x61)
    const input = Buffer.concat([long, b('\nz')])
    const chunks = Array.from(input, (byte) => Buffer.from([byte]))
    const lines = split(chunks)
    expect(lines).toHaveLength(2)
    expect(lines[0]!.equals(long)).toBe(true)
    expect(text([lines[1]!])).toEqual(['z'])
  })

  test('lines are views into the pushed chunk when the line lies inside it', () => {
    const chunk = b('abc\ndef\n')
    const seen: Buffer[] = []
    new LineSplitter().push(chunk, (l) => seen.push(l))
    expect(seen[1]!.buffer).toBe(chunk.buffer)
    expect(seen[1]!.byteOffset).toBe(chunk.byteOffset + 4)
  })

  test('can be reused after end()', () => {
    const s = new LineSplitter()
    const lines: string[] = []
    const on = (l: Buffer) => lines.push(l.toString())
    s.push(b('a\r'), on)
    s.end(on)
    s.push(b('\nb'), on)
    s.end(on)
    expect(lines).toEqual(['a', '', 'b'])
  })

  const sample = b('k1\tv1\r\n\nhé\xff\x00llo\rworld\r\r\nend\n\r\nlast\r')
  test.each([
    ['Java', {}, javaReadLines],
    ['LF only', { loneCrEndsLine: false }, lfOnlyLines],
  ] as const)('%s: the same lines whatever single position the input is cut at', (_name, opts, reference) => {
    const expected = text(reference(sample))
    for (let i = 0; i <= sample.length; i++) {
      expect(text(split(cut(sample, [i]), opts)), `cut at ${i}`).toEqual(expected)
    }
    for (let i = 0; i <= sample.length; i++) {
      for (let j = i; j <= sample.length; j++) {
        expect(text(split(cut(sample, [i, j]), opts)), `cut at ${i},${j}`).toEqual(expected)
      }
    }
  })

  const bytesWithTerminators = fc.array(
    fc.oneof(fc.constant(0x0a), fc.constant(0x0d), fc.constant(0x61), fc.integer({ min: 0, max: 255 })),
    { maxLength: 200 },
  )
  const inputAndCuts = bytesWithTerminators.chain((bytes) =>
    fc.tuple(
      fc.constant(Buffer.from(bytes)),
      fc.uniqueArray(fc.integer({ min: 0, max: bytes.length }), { maxLength: 20 }).map((p) => p.sort((x, y) => x - y)),
    ),
  )

  test('property: Java mode equals readLine over the whole input for any chunking', () => {
    fc.assert(
      fc.property(inputAndCuts, ([input, cuts]) => {
        expect(text(split(cut(input, cuts)))).toEqual(text(javaReadLines(input)))
      }),
      { numRuns: 2000 },
    )
  })

  test('property: LF-only mode equals a split at \\n for any chunking', () => {
    fc.assert(
      fc.property(inputAndCuts, ([input, cuts]) => {
        expect(text(split(cut(input, cuts), { loneCrEndsLine: false }))).toEqual(text(lfOnlyLines(input)))
      }),
      { numRuns: 2000 },
    )
  })
})
