// The JAAS configuration text Kafka accepts in `sasl.jaas.config` properties, parsed the way Kafka's
// JaasConfig does (a java.io.StreamTokenizer: words, double-quoted strings with backslash escapes,
// `=`, `;`, and // or /* */ comments):
//
//   <LoginModuleClass> <required|requisite|sufficient|optional> (<key>=<value>)* ;
//
// Error texts are Kafka's, so a broken config reads the same as it would on a Java broker.

export interface JaasEntry {
  readonly loginModule: string
  readonly controlFlag: 'required' | 'requisite' | 'sufficient' | 'optional'
  readonly options: ReadonlyMap<string, string>
}

export class JaasConfigError extends Error {
  override readonly name = 'JaasConfigError'
}

type Token = { kind: 'word'; value: string } | { kind: '=' } | { kind: ';' }

const CONTROL_FLAGS = new Set(['required', 'requisite', 'sufficient', 'optional'])

export function parseJaasConfig(text: string): JaasEntry[] {
  const tokens = tokenize(text)
  const entries: JaasEntry[] = []
  let i = 0
  while (i < tokens.length) {
    const module = tokens[i++]
    if (module?.kind !== 'word') throw new JaasConfigError(`Unexpected '${module?.kind ?? ''}' in JAAS config`)
    const flag = tokens[i++]
    if (flag === undefined) throw new JaasConfigError('Login module control flag not specified in JAAS config')
    const flagText = flag.kind === 'word' ? flag.value : flag.kind
    if (!CONTROL_FLAGS.has(flagText.toLowerCase())) {
      throw new JaasConfigError(`Invalid login module control flag '${flagText}' in JAAS config`)
    }
    const options = new Map<string, string>()
    let terminated = false
    while (i < tokens.length) {
      const t = tokens[i++]!
      if (t.kind === ';') {
        terminated = true
        break
      }
      const key = t.kind === 'word' ? t.value : t.kind
      const eq = tokens[i++]
      const value = tokens[i++]
      if (eq?.kind !== '=' || value?.kind !== 'word') throw new JaasConfigError(`Value not specified for key '${key}' in JAAS config`)
      options.set(key, value.value)
    }
    if (!terminated) throw new JaasConfigError('JAAS config entry not terminated by semi-colon')
    entries.push({ loginModule: module.value, controlFlag: flagText.toLowerCase() as JaasEntry['controlFlag'], options })
  }
  if (entries.length === 0) throw new JaasConfigError('JAAS config property does not contain any login modules')
  return entries
}

const ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', a: '\x07', v: '\v' }

function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < text.length) {
    const c = text[i]!
    if (/\s/.test(c)) {
      i++
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2)
      i = end < 0 ? text.length : end + 2
    } else if (c === '=' || c === ';') {
      tokens.push({ kind: c })
      i++
    } else if (c === '"' || c === "'") {
      // StreamTokenizer's quote handling: a backslash escapes, an unclosed quote ends at the line end.
      let value = ''
      i++
      while (i < text.length && text[i] !== c && text[i] !== '\n') {
        let ch = text[i++]!
        if (ch === '\\' && i < text.length) {
          ch = text[i++]!
          if (/[0-7]/.test(ch)) {
            let octal = ch
            while (octal.length < 3 && /[0-7]/.test(text[i] ?? '')) octal += text[i++]!
            ch = String.fromCharCode(parseInt(octal, 8) & 0xff)
          } else {
            ch = ESCAPES[ch] ?? ch
          }
        }
        value += ch
      }
      if (text[i] === c) i++
      tokens.push({ kind: 'word', value })
    } else {
      let end = i
      while (end < text.length && !/[\s=;"']/.test(text[end]!) && !text.startsWith('//', end) && !text.startsWith('/*', end)) end++
      tokens.push({ kind: 'word', value: text.slice(i, end) })
      i = end
    }
  }
  return tokens
}
