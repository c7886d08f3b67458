// java.lang.String's trim and split, which Kafka's tools apply to their input and options and which
// differ from JavaScript's: trim strips every code unit up to U+0020 (and nothing else), split drops
// trailing empty strings and never yields a leading empty string for a zero-width match at the start.

/** String.trim(): strips code units <= U+0020 at both ends (JS trim() strips a different set). */
export function javaTrim(s: string): string {
  let start = 0
  let end = s.length
  while (start < end && s.charCodeAt(start) <= 0x20) start++
  while (end > start && s.charCodeAt(end - 1) <= 0x20) end--
  return s.slice(start, end)
}

/**
 * Pattern.split(input) (limit 0) as [start, end, start, end, …] offsets into `input`: no empty leading
 * piece for a zero-width match at 0, trailing empty pieces dropped (all of them when every piece is
 * empty), and the whole input when nothing matches. Offsets, not strings, so a caller splitting a
 * latin1 view of bytes can slice the bytes.
 */
export function javaSplitBounds(pattern: RegExp, input: string): number[] {
  const re = pattern.global ? pattern : new RegExp(pattern.source, pattern.flags + 'g')
  re.lastIndex = 0
  const bounds: number[] = []
  let index = 0
  let matched = false
  for (let m = re.exec(input); m !== null; m = re.exec(input)) {
    const start = m.index
    const end = start + m[0].length
    // Java resumes one character after an empty match, exactly like this.
    if (end === start) re.lastIndex = end + 1
    if (index === 0 && start === 0 && end === 0) continue
    bounds.push(index, start)
    index = end
    matched = true
    if (re.lastIndex > input.length) break
  }
  if (!matched) return [0, input.length]
  bounds.push(index, input.length)
  let size = bounds.length
  while (size > 0 && bounds[size - 1] === bounds[size - 2]) size -= 2
  bounds.length = size
  return bounds
}

const REGEX_SPECIALS = /[.*+?^${}()|[\]\\/-]/g

/** String.split(regex): a string separator is taken literally (the separators Kafka's tools split on). */
export function javaSplit(text: string, separator: RegExp | string): string[] {
  const pattern = typeof separator === 'string' ? new RegExp(separator.replace(REGEX_SPECIALS, '\\$&'), 'g') : separator
  const bounds = javaSplitBounds(pattern, text)
  const parts: string[] = []
  for (let i = 0; i < bounds.length; i += 2) parts.push(text.slice(bounds[i], bounds[i + 1]))
  return parts
}

/** String.hashCode(): s[0]*31^(n-1) + … + s[n-1] over UTF-16 code units, in 32-bit arithmetic. */
export function javaStringHashCode(s: string): number {
  let h = 0
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0
  return h
}
