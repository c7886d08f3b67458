// kafka-groups --list (cli-4.md B.5): every column max(20, widest value) wide; the header's columns are
// separated by one space, and every row value is followed by one space.

import type { GroupRow } from '../groups/select.js'

export function renderGroupsTable(rows: readonly GroupRow[]): string {
  const w = rows.reduce((n, r) => Math.max(n, r.groupId.length, r.type.length, r.protocol.length), 20)
  const pad = (s: string) => s.padEnd(w, ' ')
  return `${pad('GROUP')} ${pad('TYPE')} ${pad('PROTOCOL')}\n${rows.map((r) => `${pad(r.groupId)} ${pad(r.type)} ${pad(r.protocol)} \n`).join('')}`
}
