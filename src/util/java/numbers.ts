// java.lang's number texts as Kafka's tools print and parse them: Double.toString / Float.toString
// (the JDK 19+ shortest-decimal algorithm, which Kafka 4.3's Java 17/21/25 runtimes differ on only
// for 17 — the JDKs users run Kafka 4 on today are 21 and 25), `%.Nf`, and Integer/Long/Double parsing.
// test/unit/util/java.test.ts checks each against Java's own answers (scripts/java-reference.js).

import { javaTrim } from './strings.js'

const INT_MIN = -(2 ** 31)
const INT_MAX = 2 ** 31 - 1
const LONG_MIN = -(2n ** 63n)
const LONG_MAX = 2n ** 63n - 1n

/** Integer.parseInt: an optional sign and ASCII digits within int32, else undefined (NumberFormatException). */
export function parseJavaInt(s: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined
  const n = Number(s)
  return n >= INT_MIN && n <= INT_MAX ? n + 0 : undefined
}

/** Long.parseLong: an optional sign and ASCII digits within int64, else undefined (NumberFormatException). */
export function parseJavaLong(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined
  const n = BigInt(s)
  return n >= LONG_MIN && n <= LONG_MAX ? n : undefined
}

// Double.parseDouble's grammar after trimming (FloatingDecimal.readJavaFormatString): decimal with an
// optional exponent and type suffix, NaN and Infinity with a sign, and hexadecimal significands with a
// binary exponent (0x1.8p1).
const DECIMAL = /^[+-]?(?:NaN|Infinity|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[fFdD]?)$/
const HEXADECIMAL = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?[0-9]+)[fFdD]?$/

/** Double.parseDouble: the value, or undefined where Java throws NumberFormatException. */
export function parseJavaDouble(text: string): number | undefined {
  const s = javaTrim(text)
  if (DECIMAL.test(s)) {
    const body = s.replace(/[fFdD]$/, '')
    return body.endsWith('NaN') ? Number.NaN : Number(body)
  }
  const hex = HEXADECIMAL.exec(s)
  if (hex === null) return undefined
  const [, sign, whole = '', fraction = '', exponent = '0'] = hex
  if (whole === '' && fraction === '') return undefined
  // The significand is exact as a BigInt; Number() rounds it once, and scaling by a power of two is
  // exact until the result leaves the normal range.
  let value = Number(BigInt('0x' + (whole + fraction || '0')))
  let scale = Number(exponent) - 4 * fraction.length
  while (scale > 0 && value !== Infinity) {
    const step = Math.min(scale, 1000)
    value *= 2 ** step
    scale -= step
  }
  while (scale < 0 && value !== 0) {
    const step = Math.max(scale, -1000)
    value *= 2 ** step
    scale -= step
  }
  return sign === '-' ? -value : value
}

// ---------------------------------------------------------------------------------------------
// Double.toString / Float.toString (JDK 19+ shortest-decimal algorithm)

/**
 * Java's layout for a decimal d1.d2d3… × 10^exp: plain between 10^-3 and 10^7, else computerized
 * scientific notation; always at least one digit after the point.
 */
function javaLayout(negative: boolean, digits: string, exp: number): string {
  let s: string
  if (exp >= -3 && exp < 7) {
    if (exp >= 0) {
      const intLen = exp + 1
      s =
        digits.length <= intLen
          ? digits + '0'.repeat(intLen - digits.length) + '.0'
          : digits.slice(0, intLen) + '.' + digits.slice(intLen)
    } else {
      s = '0.' + '0'.repeat(-exp - 1) + digits
    }
  } else {
    s = (digits[0] as string) + '.' + (digits.length > 1 ? digits.slice(1) : '0') + 'E' + String(exp)
  }
  return negative ? '-' + s : s
}

/** Splits JavaScript's exponential form "d.ddde±n" into significant digits (no trailing zeros) and exponent. */
function splitExponential(s: string): [string, number] {
  const e = s.indexOf('e')
  const digits = s.slice(0, e).replace('.', '').replace(/0+$/, '')
  return [digits === '' ? '0' : digits, Number(s.slice(e + 1))]
}

function special(x: number): string | null {
  if (Number.isNaN(x)) return 'NaN'
  if (x === Infinity) return 'Infinity'
  if (x === -Infinity) return '-Infinity'
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0'
  return null
}

export function javaDoubleToString(x: number): string {
  const sp = special(x)
  if (sp !== null) return sp
  const a = Math.abs(x)
  // JavaScript's shortest round-trip digits pick the closest candidate, like Java. Java also
  // considers 2-digit decimals when 1 digit would do and picks the closer (4.9E-324, not 5e-324).
  let [digits, exp] = splitExponential(a.toExponential())
  if (digits.length === 1) {
    const two = a.toExponential(1)
    if (Number(two) === a) [digits, exp] = splitExponential(two)
  }
  return javaLayout(x < 0, digits, exp)
}

export function javaFloatToString(x: number): string {
  const sp = special(x)
  if (sp !== null) return sp
  const f = Math.abs(Math.fround(x))
  const roundTrips = (s: string): boolean => Math.fround(Number(s)) === f
  for (let p = 1; p <= 9; p++) {
    const closest = f.toExponential(p - 1)
    let chosen: string | null = roundTrips(closest) ? closest : null
    if (chosen === null) {
      // At a power of two the interval below f is half as wide: the closest p-digit decimal can
      // miss it while its upper neighbour still rounds to f.
      const e = closest.indexOf('e')
      const mantissa = Number(closest.slice(0, e).replace('.', ''))
      const scale = Number(closest.slice(e + 1)) - (p - 1)
      let best = Infinity
      for (const m of [mantissa - 1, mantissa + 1]) {
        if (m < 10 ** (p - 1) || m >= 10 ** p) continue
        const candidate = `${m}e${scale}`
        const distance = Math.abs(Number(candidate) - f)
        if (roundTrips(candidate) && distance < best) {
          best = distance
          chosen = Number(candidate).toExponential(p - 1)
        }
      }
    }
    if (chosen !== null) {
      if (p === 1) {
        const two = f.toExponential(1)
        if (roundTrips(two)) chosen = two
      }
      const [digits, exp] = splitExponential(chosen)
      return javaLayout(x < 0, digits, exp)
    }
  }
  // Unreachable: 9 significant digits always identify a float.
  const [digits, exp] = splitExponential(f.toExponential(8))
  return javaLayout(x < 0, digits, exp)
}

// ---------------------------------------------------------------------------------------------
// Formatter's %.Nf

/**
 * Java's `%.Nf`: HALF_UP rounding of the shortest decimal form of the double (toFixed rounds the
 * binary value instead: 0.125 is exact in binary, but 1.005 gives "1.00" there and "1.01" in Java).
 * NaN and the infinities are spelled as Java spells them.
 */
export function javaFixed(value: number, digits: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity'
  const text = roundHalfUp(Math.abs(value), digits)
  // Java keeps the sign of -0.0 ("-0.00"), as it does for negatives that round to zero.
  return value < 0 || Object.is(value, -0) ? `-${text}` : text
}

function roundHalfUp(abs: number, digits: number): string {
  // Shortest round-trip decimal digits of the double, as Java's Formatter starts from (Double.toString).
  const [mantissa = '0', expPart] = abs.toExponential().split('e')
  const exp = Number(expPart ?? 0)
  const allDigits = mantissa.replace('.', '')
  // Position of the decimal point within allDigits.
  const point = exp + 1
  let intPart: string
  let frac: string
  if (point <= 0) {
    intPart = '0'
    frac = '0'.repeat(-point) + allDigits
  } else if (point >= allDigits.length) {
    intPart = allDigits + '0'.repeat(point - allDigits.length)
    frac = ''
  } else {
    intPart = allDigits.slice(0, point)
    frac = allDigits.slice(point)
  }
  if (frac.length <= digits) return digits === 0 ? intPart : `${intPart}.${frac.padEnd(digits, '0')}`
  const roundUp = frac.charCodeAt(digits) - 48 >= 5
  let kept = intPart + frac.slice(0, digits)
  if (roundUp) kept = incrementDecimalString(kept)
  const cut = kept.length - digits
  const i = kept.slice(0, cut) || '0'
  return digits === 0 ? i : `${i}.${kept.slice(cut)}`
}

function incrementDecimalString(s: string): string {
  const chars = s.split('')
  let i = chars.length - 1
  for (; i >= 0; i--) {
    if (chars[i] === '9') chars[i] = '0'
    else {
      chars[i] = String.fromCharCode((chars[i] ?? '0').charCodeAt(0) + 1)
      break
    }
  }
  return i < 0 ? `1${chars.join('')}` : chars.join('')
}
