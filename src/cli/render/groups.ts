// kafka-consumer-groups output layouts (cli.md §4.2 as Kafka 4.3 changed them, cli-4.md A.5.2): Java
// `String.format` tables with columns left-justified to fixed or data-dependent widths, one space between
// columns, a blank line before every table, and `-` for a missing value. Rows end with `\n`.

import { csvField } from '../consumer-groups/reset-csv.js'

const pad = (s: string, width: number) => s.padEnd(width, ' ')
const dash = (v: string | number | null | undefined) => (v === null || v === undefined || v === '' ? '-' : String(v))
const widest = (min: number, values: readonly string[]) => values.reduce((w, v) => Math.max(w, v.length), min)

export interface OffsetRow {
  readonly group: string
  readonly topic: string
  readonly partition: number
  readonly currentOffset: number | null
  /** The committed offset's leader epoch (shown with --verbose); null when none. */
  readonly leaderEpoch: number | null
  readonly logEndOffset: number | null
  readonly lag: number | null
  readonly consumerId: string | null
  readonly host: string | null
  readonly clientId: string | null
}

/**
 * `--describe [--offsets]`: GROUP TOPIC PARTITION [LEADER-EPOCH] CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID
 * HOST CLIENT-ID; LEADER-EPOCH with --verbose.
 */
export function renderOffsets(rows: readonly OffsetRow[], verbose = false): string {
  const g = widest(15, rows.map((r) => r.group))
  const t = widest(15, rows.map((r) => r.topic))
  const c = widest(15, rows.map((r) => dash(r.consumerId)))
  const h = widest(15, rows.map((r) => dash(r.host)))
  const line = (cols: string[]) =>
    `${pad(cols[0]!, g)} ${pad(cols[1]!, t)} ${pad(cols[2]!, 10)} ${verbose ? `${pad(cols[3]!, 15)} ` : ''}${pad(cols[4]!, 15)} ${pad(cols[5]!, 15)} ${pad(cols[6]!, 15)} ${pad(cols[7]!, c)} ${pad(cols[8]!, h)} ${cols[9]!}\n`
  let out = `\n${line(['GROUP', 'TOPIC', 'PARTITION', 'LEADER-EPOCH', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID'])}`
  for (const r of rows) {
    out += line([
      r.group, r.topic, String(r.partition), dash(r.leaderEpoch), dash(r.currentOffset), dash(r.logEndOffset), dash(r.lag),
      dash(r.consumerId), dash(r.host), dash(r.clientId),
    ])
  }
  return out
}

export interface MemberRow {
  readonly group: string
  readonly consumerId: string
  readonly groupInstanceId: string | null
  readonly host: string
  readonly clientId: string
  readonly assignment: readonly { readonly topic: string; readonly partitions: readonly number[] }[]
}

/**
 * `--describe --members [--verbose]`; GROUP-INSTANCE-ID only when some member has one. --verbose adds
 * CURRENT-EPOCH, CURRENT-ASSIGNMENT, TARGET-EPOCH and TARGET-ASSIGNMENT: a classic group's members have no
 * epochs and no target assignment (`-`). UPGRADED would follow only in a group mixing classic and
 * consumer-protocol members, which kafka-ts's classic-only coordinator never has.
 */
export function renderMembers(rows: readonly MemberRow[], verbose: boolean): string {
  const withInstance = rows.some((r) => r.groupInstanceId !== null)
  const g = widest(15, rows.map((r) => r.group))
  const c = widest(15, rows.map((r) => r.consumerId))
  const i = widest(17, rows.map((r) => r.groupInstanceId ?? ''))
  const h = widest(15, rows.map((r) => r.host))
  const cl = widest(15, rows.map((r) => r.clientId))
  const current = rows.map((r) => renderAssignment(r.assignment))
  const ca = widest(20, current)
  const ta = 20
  const line = (cols: readonly string[]) =>
    `${pad(cols[0]!, g)} ${pad(cols[1]!, c)} ${withInstance ? `${pad(cols[2]!, i)} ` : ''}${pad(cols[3]!, h)} ${pad(cols[4]!, cl)} ${pad(cols[5]!, 15)} ` +
    (verbose ? `${pad(cols[6]!, 15)} ${pad(cols[7]!, ca)} ${pad(cols[8]!, 15)} ${pad(cols[9]!, ta)} ` : '') +
    '\n'
  let out = `\n${line(['GROUP', 'CONSUMER-ID', 'GROUP-INSTANCE-ID', 'HOST', 'CLIENT-ID', '#PARTITIONS', 'CURRENT-EPOCH', 'CURRENT-ASSIGNMENT', 'TARGET-EPOCH', 'TARGET-ASSIGNMENT'])}`
  rows.forEach((r, n) => {
    const count = r.assignment.reduce((k, a) => k + a.partitions.length, 0)
    // A dynamic member beside static ones has an empty GROUP-INSTANCE-ID, not `-` (Kafka prints orElse("")).
    out += line([r.group, r.consumerId, r.groupInstanceId ?? '', r.host, r.clientId, String(count), '-', current[n]!, '-', '-'])
  })
  return out
}

/** `topic:p,p;topic2:p`: topics and partitions sorted; `-` when nothing is assigned (Kafka 4.3's form). */
export function renderAssignment(assignment: MemberRow['assignment']): string {
  const topics = assignment.filter((a) => a.partitions.length > 0).sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0))
  if (topics.length === 0) return '-'
  return topics.map((a) => `${a.topic}:${[...a.partitions].sort((x, y) => x - y).join(',')}`).join(';')
}

export interface StateRow {
  readonly group: string
  /** `host:port  (id)`, two spaces before the parenthesis. */
  readonly coordinator: string
  readonly assignmentStrategy: string
  readonly state: string
  readonly members: number
}

/**
 * `--describe --state [--verbose]`: GROUP max(15, id), COORDINATOR (ID) max(25, …), ASSIGNMENT-STRATEGY 20
 * (`-` when none), STATE 20, #MEMBERS; --verbose puts GROUP-EPOCH (15) and TARGET-ASSIGNMENT-EPOCH (25)
 * before #MEMBERS, `-` for a classic group.
 */
export function renderState(rows: readonly StateRow[], verbose = false): string {
  const g = widest(15, rows.map((r) => r.group))
  const w = widest(25, rows.map((r) => r.coordinator))
  const line = (cols: readonly string[]) =>
    `${pad(cols[0]!, g)} ${pad(cols[1]!, w)} ${pad(cols[2]!, 20)} ${pad(cols[3]!, 20)} ${verbose ? `${pad(cols[4]!, 15)} ${pad(cols[5]!, 25)} ` : ''}${cols[6]!}\n`
  let out = `\n${line(['GROUP', 'COORDINATOR (ID)', 'ASSIGNMENT-STRATEGY', 'STATE', 'GROUP-EPOCH', 'TARGET-ASSIGNMENT-EPOCH', '#MEMBERS'])}`
  for (const r of rows) out += line([r.group, r.coordinator, dash(r.assignmentStrategy), r.state, '-', '-', String(r.members)])
  return out
}

export interface ListedGroup {
  readonly groupId: string
  readonly state: string
  readonly type: string
}

/** `--list`: ids one per line; with `--state`/`--type` a table (GROUP width max(15, longest)+10, TYPE/STATE 20). */
export function renderList(groups: readonly ListedGroup[], opts: { state: boolean; type: boolean }): string {
  if (!opts.state && !opts.type) return groups.map((g) => `${g.groupId}\n`).join('')
  const w = widest(15, groups.map((g) => g.groupId)) + 10
  const line = (id: string, type: string, state: string) => `${pad(id, w)}${opts.type ? ` ${pad(type, 20)}` : ''}${opts.state ? ` ${pad(state, 20)}` : ''}\n`
  return line('GROUP', 'TYPE', 'STATE') + groups.map((g) => line(g.groupId, g.type, g.state)).join('')
}

export interface ResetRow {
  readonly group: string
  readonly topic: string
  readonly partition: number
  readonly newOffset: number
}

/** `--reset-offsets` plan/result table: GROUP max(15, longest), TOPIC max(15, longest), PARTITION 10, NEW-OFFSET. */
export function renderReset(rows: readonly ResetRow[]): string {
  const g = widest(15, rows.map((r) => r.group))
  const t = widest(15, rows.map((r) => r.topic))
  const line = (a: string, b: string, c: string, d: string) => `${pad(a, g)} ${pad(b, t)} ${pad(c, 10)} ${d}\n`
  return `\n${line('GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET')}${rows.map((r) => line(r.group, r.topic, String(r.partition), String(r.newOffset))).join('')}`
}

/** `--reset-offsets --export`: `topic,partition,offset`, or with several groups `group,topic,partition,offset`. */
export function renderResetCsv(rows: readonly ResetRow[], withGroup: boolean): string {
  return rows.map((r) => `${withGroup ? `${csvField(r.group)},` : ''}${csvField(r.topic)},${r.partition},${r.newOffset}\n`).join('')
}

export interface DeleteOffsetsRow {
  readonly topic: string
  /** -1 for a topic-level error (printed `-`). */
  readonly partition: number
  /** null = Successful; else the text after `Error: `. */
  readonly error: string | null
}

/**
 * `--delete-offsets` result table: TOPIC max(15, longest), PARTITION 10, STATUS 15, rows sorted as Kafka
 * sorts them: by topic + partition as one string.
 */
export function renderDeleteOffsets(rows: readonly DeleteOffsetsRow[]): string {
  const t = widest(15, rows.map((r) => r.topic))
  const line = (a: string, b: string, c: string) => `${pad(a, t)} ${pad(b, 10)} ${pad(c, 15)}\n`
  const sortKey = (r: DeleteOffsetsRow) => `${r.topic}${r.partition >= 0 ? r.partition : ''}`
  const sorted = [...rows].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0))
  return `\n${line('TOPIC', 'PARTITION', 'STATUS')}${sorted
    .map((r) => line(r.topic, r.partition >= 0 ? String(r.partition) : '-', r.error === null ? 'Successful' : `Error: ${r.error}`))
    .join('')}`
}
