// "Did you mean …?" for a mistyped command: the closest command ids by edit distance (a prefix of an
// id counts as close), as git and Kafka users expect from a CLI with many subcommands.

/** The message for an unknown command `typed` (ids with spaces, as the user types them). */
export function unknownCommandMessage(typed: string, ids: readonly string[]): string {
  const suggestion = suggestCommand(typed, ids)
  return `'${typed}' is not a kafka-ts command.${suggestion ? ` Did you mean ${suggestion}?` : ' See kafka-ts --help.'}`
}

/** The closest id to `typed`, or undefined when none is close enough to be a plausible typo. */
export function suggestCommand(typed: string, ids: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = Infinity
  for (const id of ids) {
    const d = id.startsWith(typed) ? 1 : editDistance(typed, id)
    if (d < bestDistance) {
      best = id
      bestDistance = d
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(typed.length / 3)) ? best : undefined
}

/** Levenshtein distance (insert, delete, substitute each cost 1). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const cur = [i]
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    prev = cur
  }
  return prev[b.length] ?? 0
}
