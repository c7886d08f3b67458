// src/util/java/ against Java's own answers: test/fixtures/java/reference.jsonl was written by
// scripts/java-reference.js running test/fixtures/java/JavaReference.java on a JDK 25 (Double.toString as
// in JDK 19+). Each case names the Java call, its arguments, and what Java returned or threw.

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { javaDateString } from '../../../src/util/java/dates.js'
import { javaDoubleToString, javaFixed, javaFloatToString, parseJavaDouble, parseJavaInt, parseJavaLong } from '../../../src/util/java/numbers.js'
import { javaSplit, javaTrim } from '../../../src/util/java/strings.js'
import { JavaIllegalArgumentError, javaUuidFromString } from '../../../src/util/java/uuid.js'

interface Case {
  fn: string
  args: string[]
  out?: string
  throws?: string
}

const CASES: Case[] = readFileSync(join(import.meta.dirname, '../../fixtures/java/reference.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line !== '')
  .map((line) => JSON.parse(line) as Case)

const double = (hex: string) => Buffer.from(hex, 'hex').readDoubleBE(0)
const float = (hex: string) => Buffer.from(hex, 'hex').readFloatBE(0)
const doubleBits = (x: number) => {
  const b = Buffer.alloc(8)
  b.writeDoubleBE(x)
  return b.toString('hex').replace(/^0+(?=.)/, '')
}
/** What Java's split case prints: the pieces joined by NUL, then NUL and their count. */
const splitText = (parts: string[]) => `${parts.join('\u0000')}\u0000${parts.length}`

/** Our answer in the form the Java program prints it; `undefined` where Java would throw. */
const OURS: Record<string, (...args: string[]) => string | undefined> = {
  doubleToString: (bits) => javaDoubleToString(double(bits)),
  floatToString: (bits) => javaFloatToString(float(bits)),
  fixed: (bits, digits) => javaFixed(double(bits), Number(digits)),
  parseDouble: (s) => {
    const n = parseJavaDouble(s)
    return n === undefined ? undefined : doubleBits(n)
  },
  parseInt: (s) => parseJavaInt(s)?.toString(),
  parseLong: (s) => parseJavaLong(s)?.toString(),
  trim: (s) => javaTrim(s),
  split: (text, regex) => splitText(javaSplit(text, new RegExp(regex))),
  date: (ms) => javaDateString(new Date(Number(ms))),
  uuid: (s) => {
    try {
      return javaUuidFromString(s)
    } catch (err) {
      if (err instanceof JavaIllegalArgumentError) return undefined
      throw err
    }
  },
}

describe.each(Object.keys(OURS))('%s', (fn) => {
  const cases = CASES.filter((c) => c.fn === fn)
  it(`answers as Java does (${cases.length} cases)`, () => {
    expect(cases.length).toBeGreaterThan(0)
    const wrong = cases.flatMap((c) => {
      const ours = OURS[fn]!(...c.args)
      const expected = c.throws === undefined ? c.out : undefined
      return ours === expected ? [] : [{ args: c.args, java: c.throws ?? c.out, ours }]
    })
    expect(wrong).toEqual([])
  })
})

it('the reference covers every function the module answers for', () => {
  expect(new Set(CASES.map((c) => c.fn))).toEqual(new Set(Object.keys(OURS)))
})

it('splits on a literal string separator as on the same characters quoted as a pattern', () => {
  expect(javaSplit('a.b..', '.')).toEqual(['a', 'b'])
  expect(javaSplit('x|y', '|')).toEqual(['x', 'y'])
})
