// java.text.SimpleDateFormat's formatting side, for --date-format (kafka-consumer-perf-test): pattern
// letters with Java's count rules (numbers zero-padded to the letter count, text long from 4 letters),
// 'quoted text' with '' for a quote, the JVM's default zone (here the process's local zone) and the
// English locale. Unknown ASCII letters are refused with Java's message.

export class DateFormatError extends Error {
  override name = 'DateFormatError'
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']

type Piece = { readonly text: string } | { readonly letter: string; readonly count: number }

export class SimpleDateFormat {
  private readonly pieces: Piece[]

  constructor(readonly pattern: string) {
    this.pieces = compile(pattern)
  }

  format(epochMs: number): string {
    const d = new Date(epochMs)
    let out = ''
    for (const p of this.pieces) out += 'text' in p ? p.text : field(d, p.letter, p.count)
    return out
  }
}

function compile(pattern: string): Piece[] {
  const pieces: Piece[] = []
  let i = 0
  while (i < pattern.length) {
    const c = pattern.charAt(i)
    if (c === "'") {
      if (pattern.charAt(i + 1) === "'") {
        pieces.push({ text: "'" })
        i += 2
        continue
      }
      let text = ''
      let j = i + 1
      // Inside quotes '' is a literal quote too.
      for (;;) {
        const close = pattern.indexOf("'", j)
        if (close < 0) throw new DateFormatError('Unterminated quote')
        text += pattern.slice(j, close)
        if (pattern.charAt(close + 1) === "'") {
          text += "'"
          j = close + 2
          continue
        }
        i = close + 1
        break
      }
      pieces.push({ text })
      continue
    }
    if (/[A-Za-z]/.test(c)) {
      if (!'GyYMLwWDdFEuaHkKhmsSzZX'.includes(c)) throw new DateFormatError(`Illegal pattern character '${c}'`)
      let count = 1
      while (pattern.charAt(i + count) === c) count++
      pieces.push({ letter: c, count })
      i += count
      continue
    }
    pieces.push({ text: c })
    i++
  }
  return pieces
}

const pad = (n: number, width: number) => String(Math.abs(n)).padStart(width, '0')

function field(d: Date, letter: string, count: number): string {
  switch (letter) {
    case 'G':
      return d.getFullYear() > 0 ? 'AD' : 'BC'
    case 'y':
    case 'Y':
    case 'u': {
      if (letter === 'u') return pad(d.getDay() === 0 ? 7 : d.getDay(), count)
      const year = d.getFullYear()
      return count === 2 ? pad(year % 100, 2) : pad(year, count)
    }
    case 'M':
    case 'L': {
      const m = d.getMonth()
      if (count >= 4) return MONTHS[m] ?? ''
      if (count === 3) return (MONTHS[m] ?? '').slice(0, 3)
      return pad(m + 1, count)
    }
    case 'w':
      return pad(weekOfYear(d), count)
    case 'W':
      return pad(Math.floor((d.getDate() - 1 + new Date(d.getFullYear(), d.getMonth(), 1).getDay()) / 7) + 1, count)
    case 'D':
      return pad(dayOfYear(d), count)
    case 'd':
      return pad(d.getDate(), count)
    case 'F':
      return pad(Math.floor((d.getDate() - 1) / 7) + 1, count)
    case 'E':
      return count >= 4 ? (DAYS[d.getDay()] ?? '') : (DAYS[d.getDay()] ?? '').slice(0, 3)
    case 'a':
      return d.getHours() < 12 ? 'AM' : 'PM'
    case 'H':
      return pad(d.getHours(), count)
    case 'k':
      return pad(d.getHours() === 0 ? 24 : d.getHours(), count)
    case 'K':
      return pad(d.getHours() % 12, count)
    case 'h':
      return pad(d.getHours() % 12 === 0 ? 12 : d.getHours() % 12, count)
    case 'm':
      return pad(d.getMinutes(), count)
    case 's':
      return pad(d.getSeconds(), count)
    case 'S':
      return pad(d.getMilliseconds(), count)
    case 'z':
      return zoneName(d, count >= 4)
    case 'Z':
      return offset(d, '')
    case 'X':
      return d.getTimezoneOffset() === 0 ? 'Z' : count === 1 ? offset(d, '').slice(0, 3) : offset(d, count >= 3 ? ':' : '')
    default:
      return ''
  }
}

function offset(d: Date, sep: string): string {
  const minutes = -d.getTimezoneOffset()
  const sign = minutes < 0 ? '-' : '+'
  return `${sign}${pad(Math.floor(Math.abs(minutes) / 60), 2)}${sep}${pad(Math.abs(minutes) % 60, 2)}`
}

function zoneName(d: Date, long: boolean): string {
  const part = new Intl.DateTimeFormat('en-US', { timeZoneName: long ? 'long' : 'short' }).formatToParts(d).find((p) => p.type === 'timeZoneName')
  return part?.value ?? `GMT${offset(d, ':')}`
}

function dayOfYear(d: Date): number {
  const start = new Date(d.getFullYear(), 0, 1)
  return Math.round((new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime() - start.getTime()) / 86_400_000) + 1
}

/** Week of year with the US rules of Java's default English locale (weeks start on Sunday, week 1 holds Jan 1). */
function weekOfYear(d: Date): number {
  const jan1 = new Date(d.getFullYear(), 0, 1).getDay()
  return Math.floor((dayOfYear(d) - 1 + jan1) / 7) + 1
}
