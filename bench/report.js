// Plain-text tables for the benchmark output (no colours: the output is meant to be pasted into notes).

const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })

export const fmtInt = (n) => (n === null || n === undefined || !Number.isFinite(n) ? '—' : int.format(n))
export const fmtFixed = (n, digits) => (n === null || n === undefined || !Number.isFinite(n) ? '—' : n.toFixed(digits))
export const fmtPct = (ratio) => (Number.isFinite(ratio) ? `${(ratio * 100).toFixed(0)}%` : '—')

/** Renders rows (arrays of strings) under a header; columns after the first are right-aligned. */
export function table(header, rows) {
  const all = [header, ...rows]
  const widths = header.map((_, c) => Math.max(...all.map((r) => String(r[c] ?? '').length)))
  const line = (r) =>
    r
      .map((cell, c) => (c === 0 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c])))
      .join('  ')
      .trimEnd()
  const rule = widths.map((w) => '-'.repeat(w)).join('  ')
  return [line(header), rule, ...rows.map(line)].join('\n')
}
