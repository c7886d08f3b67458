// java.util.regex patterns that Kafka's tools take from their options, compiled for JavaScript where
// the meaning is the same and refused where it would differ.

/** A pattern that cannot be compiled with Java's meaning; the message reads after the pattern ("uses …"). */
export class JavaRegexError extends Error {
  override readonly name = 'JavaRegexError'
}

/** Java's \s: ASCII whitespace only. */
const JAVA_SPACE = ' \\t\\n\\x0b\\f\\r'

/**
 * Compiles a Java regex for matching a latin1 view of UTF-8 bytes (one char per byte). Handles the
 * Java-only syntax that has a safe equivalent (\Q…\E quoting, \e, \a, \A, \z, \Z, non-ASCII
 * literals → their UTF-8 byte sequence) and rejects constructs that would silently mean something
 * else in JavaScript (\p{…}, possessive quantifiers, atomic groups, inline flags, class
 * intersections, …).
 */
export function compileJavaRegex(source: string): RegExp {
  const unsupported = (what: string): never => {
    throw new JavaRegexError(`uses ${what}, a Java regex feature kafka-ts does not support; escape it or use a plainer pattern`)
  }
  let out = ''
  let inClass = false
  let i = 0
  const literal = (ch: string): string => {
    const code = ch.codePointAt(0) as number
    if (code < 0x80) return /[\\^$.*+?()[\]{}|/-]/.test(ch) ? '\\' + ch : ch
    if (inClass) unsupported(`a non-ASCII character inside a character class ('${ch}')`)
    const bytes = Buffer.from(ch, 'utf8')
    let seq = ''
    for (const b of bytes) seq += '\\x' + b.toString(16).padStart(2, '0')
    return `(?:${seq})`
  }
  while (i < source.length) {
    const ch = source[i] as string
    if (ch === '\\') {
      const next = source[i + 1]
      if (next === undefined) return unsupported('a trailing backslash')
      if (next === 'Q') {
        const endQuote = source.indexOf('\\E', i + 2)
        const quoted = source.slice(i + 2, endQuote === -1 ? source.length : endQuote)
        for (const c of quoted) out += literal(c)
        i = endQuote === -1 ? source.length : endQuote + 2
        continue
      }
      switch (next) {
        case 'e':
          out += '\\x1b'
          break
        case 'a':
          out += '\\x07'
          break
        case 'A':
          if (inClass) unsupported('\\A inside a class')
          out += '^'
          break
        case 'z':
        case 'Z':
          if (inClass) unsupported(`\\${next} inside a class`)
          out += '$'
          break
        case 'p':
        case 'P':
        case 'h':
        case 'H':
        case 'R':
        case 'X':
        case 'G':
        case 'N':
        case 'k':
          unsupported(`\\${next}`)
          break
        case 'x': {
          const hex = source.slice(i + 2, i + 4)
          if (!/^[0-9a-fA-F]{2}$/.test(hex)) unsupported('a \\x escape other than \\xhh')
          out += literal(String.fromCharCode(parseInt(hex, 16)))
          i += 4
          continue
        }
        case 's':
          // JavaScript's \s also matches U+00A0, which on the latin1 view is a UTF-8 continuation byte.
          out += inClass ? JAVA_SPACE : `[${JAVA_SPACE}]`
          break
        case 'S':
          if (inClass) unsupported('\\S inside a class')
          out += `[^${JAVA_SPACE}]`
          break
        case 'u':
          if (!/^[0-9a-fA-F]{4}$/.test(source.slice(i + 2, i + 6))) unsupported('a malformed \\u escape')
          out += literal(String.fromCharCode(parseInt(source.slice(i + 2, i + 6), 16)))
          i += 6
          continue
        case '0':
          unsupported('an octal escape')
          break
        default: {
          if (next.charCodeAt(0) >= 0x80) out += literal(next)
          else out += '\\' + next
        }
      }
      i += 2
      continue
    }
    if (inClass) {
      if (ch === '[') unsupported('a nested character class')
      if (ch === '&' && source[i + 1] === '&') unsupported('a class intersection (&&)')
      if (ch === ']') inClass = false
      out += ch.codePointAt(0)! >= 0x80 ? literal(ch) : ch
      i++
      continue
    }
    if (ch === '[') {
      inClass = true
      out += ch
      i++
      // A ']' right after '[' or '[^' is a literal in Java (and an empty class in JavaScript).
      if (source[i] === '^') {
        out += '^'
        i++
      }
      if (source[i] === ']') {
        out += '\\]'
        i++
      }
      continue
    }
    if (ch === '(' && source[i + 1] === '?') {
      const rest = source.slice(i + 2)
      if (!/^(?::|=|!|<=|<!|<[A-Za-z][A-Za-z0-9]*>)/.test(rest)) unsupported('an inline flag or atomic group')
    }
    if ((ch === '+' || ch === '*' || ch === '?' || ch === '}') && source[i + 1] === '+') {
      unsupported('a possessive quantifier')
    }
    if (ch.codePointAt(0)! >= 0x80) {
      const cp = source.codePointAt(i) as number
      const c = String.fromCodePoint(cp)
      out += literal(c)
      i += c.length
      continue
    }
    out += ch
    i++
  }
  if (inClass) unsupported('an unclosed character class')
  try {
    return new RegExp(out, 'g')
  } catch (err) {
    throw new JavaRegexError(`is not a valid regex: ${(err as Error).message}`)
  }
}
