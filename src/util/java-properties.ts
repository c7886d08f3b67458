// Java properties-file format (java.util.Properties.load/store), as Kafka reads
// server.properties, producer.config and meta.properties. src/util/ imports nothing of the project,
// so every layer may use it.


import { javaDateString } from './java/dates.js'
/** Parses properties text. Later keys win, as in Java. Order of first appearance is kept. */
export function parseJavaProperties(text: string): Map<string, string> {
  const out = new Map<string, string>()
  const lines = text.split(/\r\n|\r|\n/)
  for (let i = 0; i < lines.length; i++) {
    let line = (lines[i] ?? '').replace(/^[ \t\f]+/, '')
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue
    // A line ending in an odd number of backslashes continues on the next line.
    while (endsWithOddBackslashes(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + (lines[++i] ?? '').replace(/^[ \t\f]+/, '')
    }
    if (endsWithOddBackslashes(line)) line = line.slice(0, -1)
    const { key, value } = splitKeyValue(line)
    out.set(unescape(key), unescape(value))
  }
  return out
}

/** Formats properties the way Properties.store does: a comment, a date line, then key=value lines. */
export function formatJavaProperties(entries: Iterable<readonly [string, string]>, now = new Date()): string {
  let text = `#\n#${javaDateString(now)}\n`
  for (const [key, value] of entries) text += `${escape(key, true)}=${escape(value, false)}\n`
  return text
}

function endsWithOddBackslashes(line: string): boolean {
  let n = 0
  for (let i = line.length - 1; i >= 0 && line[i] === '\\'; i--) n++
  return n % 2 === 1
}

function splitKeyValue(line: string): { key: string; value: string } {
  let i = 0
  while (i < line.length) {
    const c = line[i]
    if (c === '\\') {
      i += 2
      continue
    }
    if (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f') break
    i++
  }
  const key = line.slice(0, i)
  let j = i
  while (j < line.length && (line[j] === ' ' || line[j] === '\t' || line[j] === '\f')) j++
  if (j < line.length && (line[j] === '=' || line[j] === ':')) j++
  while (j < line.length && (line[j] === ' ' || line[j] === '\t' || line[j] === '\f')) j++
  return { key, value: line.slice(j) }
}

function unescape(s: string): string {
  if (!s.includes('\\')) return s
  let out = ''
  for (let i = 0; i < s.length; i++) {
    const c = s[i]
    if (c !== '\\') {
      out += c
      continue
    }
    const n = s[++i]
    if (n === undefined) break
    if (n === 't') out += '\t'
    else if (n === 'n') out += '\n'
    else if (n === 'r') out += '\r'
    else if (n === 'f') out += '\f'
    else if (n === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(i + 1, i + 5))) {
      out += String.fromCharCode(parseInt(s.slice(i + 1, i + 5), 16))
      i += 4
    } else out += n
  }
  return out
}

function escape(s: string, isKey: boolean): string {
  let out = ''
  for (let i = 0; i < s.length; i++) {
    const c = s[i] ?? ''
    if (c === ' ' && (isKey || i === 0)) out += '\\ '
    else if (c === '\\') out += '\\\\'
    else if (c === '\t') out += '\\t'
    else if (c === '\n') out += '\\n'
    else if (c === '\r') out += '\\r'
    else if (c === '\f') out += '\\f'
    else if (c === '=' || c === ':' || c === '#' || c === '!') out += `\\${c}`
    else out += c
  }
  return out
}

