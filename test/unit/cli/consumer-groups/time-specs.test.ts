import { describe, expect, it } from 'vitest'

import { GroupCommandFailure } from '../../../../src/cli/consumer-groups/failure.js'
import { parseDateTime, parseDuration, timestampBefore } from '../../../../src/cli/consumer-groups/time-specs.js'

const S = 1_000_000_000n

describe('--to-datetime (Utils.getDateTime)', () => {
  it('reads UTC when no zone is given, and honours Z and ±hh:mm', () => {
    expect(parseDateTime('2024-01-01T00:02:30.000')).toBe(Date.UTC(2024, 0, 1, 0, 2, 30))
    expect(parseDateTime('2024-01-01T00:02:30')).toBe(Date.UTC(2024, 0, 1, 0, 2, 30))
    expect(parseDateTime('2024-02-29T23:59:59.999Z')).toBe(Date.UTC(2024, 1, 29, 23, 59, 59, 999))
    expect(parseDateTime('2024-01-01T02:05:00+02:00')).toBe(Date.UTC(2024, 0, 1, 0, 5, 0))
    expect(parseDateTime('2023-12-31T22:00:00.000-03:30')).toBe(Date.UTC(2024, 0, 1, 1, 30, 0))
  })

  it('keeps SimpleDateFormat\'s quirks: `.5` is 5 ms, years below 100 are literal', () => {
    expect(parseDateTime('2024-01-01T00:00:00.5')).toBe(Date.UTC(2024, 0, 1, 0, 0, 0, 5))
    const d = new Date(0)
    d.setUTCFullYear(50, 0, 1)
    expect(parseDateTime('0050-01-01T00:00:00')).toBe(d.getTime())
  })

  it.each([
    ['2024-01-01', "java.text.ParseException: Error parsing timestamp. It does not contain a 'T' according to ISO8601 format: 2024-01-01"],
    ['2024-13-01T00:00:00', 'java.text.ParseException: Unparseable date: "2024-13-01T00:00:00Z"'],
    ['2023-02-29T00:00:00', 'java.text.ParseException: Unparseable date: "2023-02-29T00:00:00Z"'],
    ['2024-01-01T24:00:00', 'java.text.ParseException: Unparseable date: "2024-01-01T24:00:00Z"'],
    ['2024-01-01T00:00:00.1000', 'java.text.ParseException: Unparseable date: "2024-01-01T00:00:00.1000Z"'],
    ['2024-01-01T00:00', 'java.text.ParseException: Unparseable date: "2024-01-01T00:00Z"'],
  ])('refuses %s', (text, message) => {
    expect(() => parseDateTime(text)).toThrow(GroupCommandFailure)
    expect(() => parseDateTime(text)).toThrow(message)
  })
})

describe('--by-duration (java.time.Duration.parse)', () => {
  // The examples of Duration.parse's Javadoc.
  it.each([
    ['PT20.345S', 20n * S + 345_000_000n],
    ['PT15M', 15n * 60n * S],
    ['PT10H', 10n * 3600n * S],
    ['P2D', 2n * 86_400n * S],
    ['P2DT3H4M', (2n * 86_400n + 3n * 3600n + 4n * 60n) * S],
    ['PT-6H3M', (-6n * 3600n + 3n * 60n) * S],
    ['-PT6H3M', -(6n * 3600n + 3n * 60n) * S],
    ['-PT-6H+3M', (6n * 3600n - 3n * 60n) * S],
    ['pt1.5s', 1_500_000_000n],
    ['PT-1.5S', -1_500_000_000n],
  ])('%s', (text, nanos) => {
    expect(parseDuration(text)).toBe(nanos)
  })

  it.each(['', 'P', 'PT', 'P1Y', '3 days', 'P1DT', 'PT1.S1'])('refuses %j', (text) => {
    expect(() => parseDuration(text)).toThrow('Text cannot be parsed to a Duration')
  })

  it('subtracts from now and floors to milliseconds like Instant.toEpochMilli', () => {
    expect(timestampBefore(1_000_000, 'P1D')).toBe(1_000_000 - 86_400_000)
    expect(timestampBefore(0, 'PT0.0005S')).toBe(-1)
    expect(timestampBefore(10, 'PT-0.0005S')).toBe(10)
  })
})
