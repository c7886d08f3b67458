// The two time arguments of --reset-offsets, parsed as Kafka parses them:
// --to-datetime with org.apache.kafka.common.utils.Utils.getDateTime (a strict SimpleDateFormat,
// UTC when no zone is given) and --by-duration with java.time.Duration.parse. Failures carry the
// text Kafka's tool prints after "Executing consumer group command failed due to".

import { GroupCommandFailure } from './failure.js'
import { javaSplit } from '../../util/java/strings.js'

const WITH_MILLIS = /^(\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+)\.(\d+)(Z|[+-]\d\d:\d\d)/
const WITHOUT_MILLIS = /^(\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+)(Z|[+-]\d\d:\d\d)/

/**
 * `YYYY-MM-DDTHH:mm:SS.sss` (milliseconds optional, zone `Z` or `±hh:mm`, default UTC) to epoch ms.
 * SimpleDateFormat quirks kept on purpose: the `.sss` digits are a millisecond count (`.5` is 5 ms),
 * fields are range-checked (non-lenient), and text after the zone is ignored.
 */
export function parseDateTime(text: string): number {
  const parts = javaSplit(text, 'T')
  if (parts.length < 2) {
    throw new GroupCommandFailure(`java.text.ParseException: Error parsing timestamp. It does not contain a 'T' according to ISO8601 format: ${text}`)
  }
  const time = parts[1]!
  const full = time.includes('+') || time.includes('-') || time.includes('Z') ? text : `${text}Z`
  const value = fromMatch(WITH_MILLIS.exec(full), true) ?? fromMatch(WITHOUT_MILLIS.exec(full), false)
  if (value === undefined) throw new GroupCommandFailure(`java.text.ParseException: Unparseable date: "${full}"`)
  return value
}

function fromMatch(m: RegExpExecArray | null, withMillis: boolean): number | undefined {
  if (m === null) return undefined
  const num = (i: number) => Number(m[i])
  const [year, month, day, hour, minute, second] = [num(1), num(2), num(3), num(4), num(5), num(6)]
  const millis = withMillis ? num(7) : 0
  const zone = m[withMillis ? 8 : 7]!
  const zoneHours = zone === 'Z' ? 0 : Number(zone.slice(1, 3))
  const zoneMinutes = zone === 'Z' ? 0 : Number(zone.slice(4, 6))
  if (
    year < 1 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > monthLength(year, month) ||
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    millis > 999 ||
    zoneHours > 23 ||
    zoneMinutes > 59
  ) {
    return undefined
  }
  const d = new Date(0)
  d.setUTCFullYear(year, month - 1, day)
  d.setUTCHours(hour, minute, second, millis)
  const sign = zone.startsWith('-') ? -1 : 1
  return d.getTime() - sign * (zoneHours * 60 + zoneMinutes) * 60_000
}

function monthLength(year: number, month: number): number {
  const d = new Date(0)
  d.setUTCFullYear(year, month, 0) // day 0 of the next month = last day of this one
  return d.getUTCDate()
}

const DURATION = /^([-+]?)P(?:([-+]?[0-9]+)D)?(T(?:([-+]?[0-9]+)H)?(?:([-+]?[0-9]+)M)?(?:([-+]?[0-9]+)(?:[.,]([0-9]{0,9}))?S)?)?$/i

/** java.time.Duration.parse (`PnDTnHnMn.nS`, signs allowed per part) as nanoseconds. */
export function parseDuration(text: string): bigint {
  const m = DURATION.exec(text)
  if (m !== null && m[3] !== 'T' && (m[2] ?? m[4] ?? m[5] ?? m[6]) !== undefined) {
    const part = (i: number, nanos: bigint) => (m[i] === undefined ? 0n : BigInt(m[i]) * nanos)
    let total = part(2, 86_400_000_000_000n) + part(4, 3_600_000_000_000n) + part(5, 60_000_000_000n) + part(6, 1_000_000_000n)
    const fraction = m[7]
    if (fraction !== undefined && fraction !== '') {
      const nanos = BigInt(fraction.padEnd(9, '0'))
      total += m[6]!.startsWith('-') ? -nanos : nanos
    }
    return m[1] === '-' ? -total : total
  }
  throw new GroupCommandFailure('Text cannot be parsed to a Duration')
}

/** `Instant.now().minus(duration).toEpochMilli()`: the timestamp --by-duration resets to. */
export function timestampBefore(nowMs: number, text: string): number {
  const nanos = BigInt(nowMs) * 1_000_000n - parseDuration(text)
  const ms = nanos / 1_000_000n
  // BigInt division truncates toward zero; toEpochMilli floors.
  return Number(nanos < 0n && ms * 1_000_000n !== nanos ? ms - 1n : ms)
}
