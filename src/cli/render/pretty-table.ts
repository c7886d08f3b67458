// Kafka's ToolsUtils.prettyPrintTable (kafka-transactions.sh and others): every cell padded to its column's
// widest value (header included) and followed by a TAB, one line per row after the header line.

export function prettyTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => rows.reduce((w, row) => Math.max(w, row[i]?.length ?? 0), h.length))
  const line = (cells: readonly string[]) => `${cells.map((c, i) => `${c.padEnd(widths[i] ?? 0, ' ')}\t`).join('')}\n`
  return line(headers) + rows.map(line).join('')
}
