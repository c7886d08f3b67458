#!/usr/bin/env node
// Cold start matters: `kafka-ts topics --list` is a shell tool, run dozens of times in a script.
// `--version` (alone, or on any command as Kafka's tools accept it) is answered here without loading
// oclif; everything else goes to oclif, bundled in dist/ (scripts/bundle-commands.js) and loaded through
// V8's code cache (bin/code-cache.js).
import { createRequire } from 'node:module'

// node:fs by require, not import: the ES module facade of a builtin reads every export, and fs's lazy
// ReadStream/WriteStream getters then load the stream modules (~3 ms of a start).
const { readFileSync } = createRequire(import.meta.url)('node:fs')

const argv = process.argv.slice(2)
const end = argv.indexOf('--')
const own = end === -1 ? argv : argv.slice(0, end)
// Help wins over --version, as in Kafka's CommandLineUtils.maybePrintHelpOrVersion.
const wantsHelp = own.includes('--help') || own.includes('-h')
if (own.includes('--version') && !wantsHelp && (own[0] === '--version' || isCommand(own))) {
  const pjson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  // oclif's user agent, which `kafka-ts --version` printed before this shortcut.
  process.stdout.write(`${pjson.name}/${pjson.version} ${process.platform}-${process.arch} node-${process.version}\n`)
} else {
  // oclif's engine check loads semver; package.json's `engines` already says which Node kafka-ts needs.
  process.env.OCLIF_DISABLE_ENGINE_WARNING ??= '1'
  // dist/ is what runs, always: without this, NODE_ENV=development or test makes oclif look for the
  // TypeScript sources through tsconfig.json, loading the typescript package (+0.3 s of CPU a command).
  globalThis.oclif = { ...globalThis.oclif, enableAutoTranspile: false }
  const { requireWithCodeCache } = await import('./code-cache.js')
  const { execute } = requireWithCodeCache(createRequire(import.meta.url).resolve('../dist/cli.cjs'))
  await execute({ dir: import.meta.url })
}

/** Whether the words before the first flag start with a command (`topics`, `storage format`). */
function isCommand(args) {
  const words = []
  for (const a of args) {
    if (a.startsWith('-')) break
    words.push(a)
  }
  if (words.length === 0) return false
  const { commands } = JSON.parse(readFileSync(new URL('../oclif.manifest.json', import.meta.url), 'utf8'))
  return words.some((_, i) => Object.hasOwn(commands, words.slice(0, i + 1).join(':')))
}
