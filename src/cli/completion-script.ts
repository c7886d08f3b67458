// The shell completion script `kafka-ts autocomplete` prints. Static: every command and flag is written
// into the script, so completing costs the shell nothing and never starts kafka-ts. zsh uses the same
// function through bashcompinit.

export interface CompletionCommand {
  /** The command id as typed: ['storage', 'format']. */
  words: string[]
  flags: { name: string; char?: string | undefined; takesValue: boolean }[]
}

export function completionScript(bin: string, shell: 'bash' | 'zsh', commands: readonly CompletionCommand[]): string {
  const fn = `_${bin.replace(/[^A-Za-z0-9]/g, '_')}_complete`
  // Words that may follow each command prefix: subcommands after '', 'storage'; flags after a full id.
  const next = new Map<string, Set<string>>()
  const valued = new Map<string, string[]>()
  for (const c of commands) {
    for (let i = 0; i < c.words.length; i++) {
      const prefix = c.words.slice(0, i).join(' ')
      const set = next.get(prefix) ?? new Set<string>()
      set.add(c.words[i] ?? '')
      next.set(prefix, set)
    }
    const id = c.words.join(' ')
    const set = next.get(id) ?? new Set<string>()
    for (const f of c.flags) set.add(`--${f.name}`)
    set.add('--help')
    set.add('--version')
    next.set(id, set)
    valued.set(id, c.flags.filter((f) => f.takesValue).flatMap((f) => [`--${f.name}`, ...(f.char ? [`-${f.char}`] : [])]))
  }
  // Longer prefixes first: `case` takes the first match.
  const prefixes = [...next.keys()].sort((a, b) => b.length - a.length)
  const cases = prefixes
    .map((p) => {
      const values = valued.get(p) ?? []
      const valueCheck = values.length > 0 ? `\n      case "$prev" in ${values.join('|')}) return ;; esac` : ''
      // A full id also matches with positional arguments after it (`server-start config/server.properties`).
      const pattern = p === '' ? "''" : `${quote(p)}|${quote(p + ' ')}*`
      return `    ${pattern})${valueCheck}\n      words=${quote([...(next.get(p) ?? [])].join(' '))} ;;`
    })
    .join('\n')
  const lines = [
    `# ${bin} completion for ${shell}. Load it with: source <(${bin} autocomplete ${shell})`,
    ...(shell === 'zsh' ? ['autoload -U +X bashcompinit && bashcompinit'] : []),
    `${fn}() {`,
    '  local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" id="" words="" i',
    '  COMPREPLY=()',
    '  # The command id: the words before the first flag.',
    '  for ((i = 1; i < COMP_CWORD; i++)); do',
    '    case "${COMP_WORDS[i]}" in -*) break ;; esac',
    '    id="${id:+$id }${COMP_WORDS[i]}"',
    '  done',
    '  case "$id" in',
    cases,
    '  esac',
    '  COMPREPLY=($(compgen -W "$words" -- "$cur"))',
    '}',
    `complete -o default -F ${fn} ${bin}`,
    '',
  ]
  return lines.join('\n')
}

function quote(s: string): string {
  return `'${s.replaceAll("'", "'\\''")}'`
}
