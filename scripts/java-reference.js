// `node scripts/java-reference.js [path/to/java]` writes test/fixtures/java/reference.jsonl: Java's own
// answers (test/fixtures/java/JavaReference.java, run by a JDK 19 or later) for the cases below, which
// test/unit/util/java.test.ts checks src/util/java/ against. Run it again when a case is added.
// The cases are fixed: random values come from a seeded generator, so the file only changes with them.

import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)))
const FIXTURES = join(ROOT, 'test', 'fixtures', 'java')
const JAVA = process.argv[2] ?? process.env.JAVA ?? 'java'

// mulberry32: a small seeded generator, so the cases are the same on every run.
let seed = 0x6b61666b
function random() {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
const randomUint32 = () => Math.floor(random() * 2 ** 32)

const doubleBits = (x) => {
  const b = Buffer.alloc(8)
  b.writeDoubleBE(x)
  return b.toString('hex')
}
const floatBits = (x) => {
  const b = Buffer.alloc(4)
  b.writeFloatBE(x)
  return b.toString('hex')
}
const randomDoubleBits = () => randomUint32().toString(16).padStart(8, '0') + randomUint32().toString(16).padStart(8, '0')

const doubles = [
  0, -0, NaN, Infinity, -Infinity, Number.MIN_VALUE, Number.MAX_VALUE, 2.2250738585072014e-308, 1, -1, 0.1, 0.2 + 0.1, 1 / 3, 2 / 3,
  100, 123456789, 9999999, 9999999.999, 1e7, 0.001, 0.00099999, 2e22, 1e23, 5e-324, 1.7976931348623157e308, 0.5, 0.9, 1e-4, 4.35,
  1.005, 2.5, -2.5, 0.125, 1e21, 1e-7, 123.456, 6.02214076e23,
]
for (let e = -12; e <= 25; e++) doubles.push(Number(`1e${e}`), Number(`3e${e}`), Number(`1.5e${e}`))
const doubleCases = doubles.map(doubleBits)
for (let i = 0; i < 300; i++) doubleCases.push(randomDoubleBits())
for (let i = 0; i < 100; i++) doubleCases.push(doubleBits(Math.round(random() * 10 ** (1 + (i % 9))) / 10 ** (i % 6)))

const floats = [0, -0, NaN, Infinity, -Infinity, 1.4e-45, 3.4028235e38, 1.17549435e-38, 0.1, 1.1, 0.3, 1 / 3, 100, 1e7, 1e-3, 16777216, 0.5, 2 ** -10, 2 ** 30, 2 ** 100]
const floatCases = floats.map(floatBits)
for (let i = 0; i < 300; i++) floatCases.push(randomUint32().toString(16).padStart(8, '0'))

const cases = []
const add = (fn, ...args) => cases.push({ fn, args })
for (const bits of doubleCases) add('doubleToString', bits)
for (const bits of floatCases) add('floatToString', bits)
for (const digits of ['0', '2', '3']) {
  for (const x of [...doubles, 1.0049999, 0.0005, 0.0015, 999.9995, 1234567.8915]) add('fixed', doubleBits(x), digits)
  for (let i = 0; i < 40; i++) add('fixed', doubleBits(random() * 10 ** (i % 8)), digits)
}
for (const s of [
  '1', '1.', '.5', '1e5', '1E+5', '1e-5', '1d', '1f', '1.5F', '1D', 'NaN', '-NaN', 'Infinity', '-Infinity', '+Infinity', ' 1 ', '\t2.5\n',
  '0x10', '0x1p3', '1_000', '', ' ', 'abc', '1e', 'e5', '.', '+', '-', 'Infinityx', '  -0.0  ', '00012', '1e400', '1e-400', '4.9e-324',
  '123456789012345678901234567890', '+.5e-3', '5.', '-.', '1.0.0', '١',
]) add('parseDouble', s)
for (const s of [
  '0', '+1', '-1', '-0', '2147483647', '2147483648', '-2147483648', '-2147483649', '007', '', '+', '-', '1 ', ' 1', '1.0', '1e3', '0x1F',
  '9223372036854775807', '9223372036854775808', '-9223372036854775808', '-9223372036854775809', '99999999999999999999', '+-1', '12a',
]) {
  add('parseInt', s)
  add('parseLong', s)
}
for (const s of [
  '', ' ', 'a', ' a ', '\ta\n', '\u0000a\u0000', '\u001fa\u0020', '\u00a0a\u00a0', '\u2003a\u2003', '\u0021a', '  \u0085x\u0085  ', 'a b',
  '\r\n\t\f\u000b', '\u3000x\u3000',
]) add('trim', s)
for (const [text, regex] of [
  ['a,b,,', ','], [',', ','], ['', ','], [',,', ','], ['a', ','], [',a', ','], ['a,,b', ','], ['abc', ''], ['a1b22c333', '\\d+'],
  ['  a  b ', '\\s+'], ['a|b|', '\\|'], ['a.b', '.'], ['key:value:', ':'], ['1,2,3', ','], ['x', 'x'], ['xx', 'x'], ['axbxc', 'x'],
  ['a\tb', '\t'], ['aaa', 'a*'], ['ab', '(?=b)'], ['boo:and:foo', 'o'], ['boo:and:foo', ':'], ['a--b-', '-'],
]) add('split', text, regex)
for (const ms of ['0', '1729512000000', '-1', '951782400000', '4102444799999', '1000000000000']) add('date', ms)
for (const s of [
  '123e4567-e89b-12d3-a456-426614174000', '123E4567-E89B-12D3-A456-426614174000', '1-2-3-4-5', '0-0-0-0-0', 'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '123e4567-e89b-12d3-a456', '123e4567-e89b-12d3-a456-426614174000-1', '123e4567-e89b-12d3-a456-4266141740000', 'g-1-1-1-1', '', '----',
  '1-2-3-4-', '+1-2-3-4-5', '123456789-1-1-1-1',
]) add('uuid', s)

const b64 = (s) => Buffer.from(s, 'utf8').toString('base64')
const input = cases.map((c) => [c.fn, ...c.args.map(b64)].join('\t')).join('\n') + '\n'
const output = execFileSync(JAVA, [join(FIXTURES, 'JavaReference.java')], { input, encoding: 'utf8', maxBuffer: 64 << 20 })
const lines = output.split('\n').slice(0, -1)
if (lines.length !== cases.length) throw new Error(`Java answered ${lines.length} of ${cases.length} cases`)
const records = cases.map((c, i) => {
  const line = lines[i]
  const result = line.startsWith('!') ? { throws: line.slice(1) } : { out: Buffer.from(line, 'base64').toString('utf8') }
  return JSON.stringify({ fn: c.fn, args: c.args, ...result })
})
writeFileSync(join(FIXTURES, 'reference.jsonl'), records.join('\n') + '\n')
process.stdout.write(`wrote ${records.length} cases to test/fixtures/java/reference.jsonl\n`)
