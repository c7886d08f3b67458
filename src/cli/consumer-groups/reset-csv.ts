// The CSV of `--reset-offsets --export` and `--from-file` (Kafka's CsvUtils over Jackson's CSV mapper):
// `topic,partition,offset` when exactly one --group is given, else `group,topic,partition,offset`; no
// header. A file is read in the single-group form only if one --group was given and its first line
// parses as one.

import { GroupCommandFailure } from './failure.js'
import { javaSplit } from '../../util/java/strings.js'

/** Jackson's CSV quoting: a value with any character below '-' (separator, quote, space, controls) is quoted. */
export function csvField(value: string): string {
  for (let i = 0; i < value.length; i++) {
    if (value.charCodeAt(i) < 0x2d) return `"${value.replace(/"/g, '""')}"`
  }
  return value
}

export interface PlannedOffset {
  readonly topic: string
  readonly partition: number
  readonly offset: number
}

/** Group id → the offsets the file asks for (a later line for the same partition wins). */
export type ResetPlanFile = ReadonlyMap<string, readonly PlannedOffset[]>

/**
 * Parses a reset plan. `singleGroup` is the one --group given (undefined with several groups or
 * --all-groups). Throws GroupCommandFailure on a malformed line; nothing is applied then.
 */
export function parseResetPlan(text: string, singleGroup: string | undefined): ResetPlanFile {
  const lines = javaSplit(text, '\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l))
  const first = lines[0]
  const noGroup = singleGroup !== undefined && first !== undefined && recordOf(splitCsvLine(first), false) !== undefined
  const plan = new Map<string, Map<string, PlannedOffset>>()
  lines.forEach((line, i) => {
    const fields = splitCsvLine(line)
    const rec = fields === undefined ? undefined : recordOf(fields, !noGroup)
    if (rec === undefined) {
      throw new GroupCommandFailure(
        `Invalid reset plan line ${i + 1}: '${line}' (expected ${noGroup ? 'topic,partition,offset' : 'group,topic,partition,offset'})`,
      )
    }
    const group = noGroup ? singleGroup : rec.group
    let entries = plan.get(group)
    if (entries === undefined) plan.set(group, (entries = new Map<string, PlannedOffset>()))
    entries.set(`${rec.topic}\u0000${rec.partition}`, { topic: rec.topic, partition: rec.partition, offset: rec.offset })
  })
  return new Map([...plan].map(([g, entries]) => [g, [...entries.values()]]))
}

function recordOf(fields: string[] | undefined, withGroup: boolean): (PlannedOffset & { group: string }) | undefined {
  if (fields === undefined || fields.length !== (withGroup ? 4 : 3)) return undefined
  const [group, topic, partition, offset] = withGroup ? fields : ['', ...fields]
  if (!/^[+-]?\d+$/.test(partition!) || !/^[+-]?\d+$/.test(offset!)) return undefined
  const p = Number(partition)
  const o = Number(offset)
  if (p < -2147483648 || p > 2147483647 || !Number.isSafeInteger(o)) return undefined
  return { group: group!, topic: topic!, partition: p, offset: o }
}

/** Splits one CSV line (RFC 4180 quoting); undefined when a quote is left open or stray. */
export function splitCsvLine(line: string): string[] | undefined {
  const fields: string[] = []
  let i = 0
  for (;;) {
    let field = ''
    if (line[i] === '"') {
      i++
      for (;;) {
        if (i >= line.length) return undefined
        const c = line[i]!
        if (c === '"') {
          if (line[i + 1] === '"') {
            field += '"'
            i += 2
            continue
          }
          i++
          break
        }
        field += c
        i++
      }
      if (i < line.length && line[i] !== ',') return undefined
    } else {
      const end = line.indexOf(',', i)
      field = line.slice(i, end < 0 ? line.length : end)
      i = end < 0 ? line.length : end
    }
    fields.push(field)
    if (i >= line.length) return fields
    i++ // the comma
  }
}
