import type { ChalkInstance } from 'chalk'

// Terminal discipline shared by every command: colour only on a TTY and never with NO_COLOR;
// spinners and prompts only when a human is watching (TTY, not CI, not --json).

export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env['CI']
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false'
}

export function colorsEnabled(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false
  if (env['FORCE_COLOR'] !== undefined) return env['FORCE_COLOR'] !== '0'
  return stream.isTTY === true
}

let chalkFor: ChalkInstance | undefined

/** chalk, loaded on first use (keeps cold start small for commands that never colour anything). */
export async function stderrChalk(): Promise<ChalkInstance> {
  if (!chalkFor) {
    const { Chalk } = await import('chalk')
    chalkFor = new Chalk({ level: colorsEnabled(process.stderr) ? 1 : 0 })
  }
  return chalkFor
}

export function canPrompt(): boolean {
  return process.stdin.isTTY === true && process.stdout.isTTY === true && !isCi()
}

export function canSpin(): boolean {
  return process.stderr.isTTY === true && !isCi()
}
