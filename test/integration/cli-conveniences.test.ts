import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { runCli, tempDir } from '../helpers/cli.js'

// What users reach for first: --version anywhere, -h, `help <command>`, a suggestion for a typo, a root
// help that lists every command, and shell completion.

let dir: string
let cleanup: () => void
beforeAll(() => {
  ;({ dir, cleanup } = tempDir())
})
afterAll(() => cleanup())
const cli = (...args: string[]) => runCli(args, { dataDir: dir })

describe('--version', () => {
  it('is accepted by every command and prints what kafka-ts --version prints', async () => {
    const root = await cli('--version')
    expect(root.code).toBe(0)
    expect(root.out).toMatch(/^kafka-ts-toolkit\/\d+\.\d+\.\d+ /)
    for (const args of [['topics', '--version'], ['console-producer', '--topic', 't', '--version'], ['storage', 'info', '--version']]) {
      const r = await cli(...args)
      expect(r.code, args.join(' ')).toBe(0)
      expect(r.out).toBe(root.out)
      expect(r.stderr).toBe('')
    }
  })

  it('gives way to --help / -h, as Kafka\'s tools do', async () => {
    const help = await cli('topics', '--help')
    expect((await cli('topics', '--version', '--help')).out).toBe(help.out)
    expect((await cli('topics', '-h', '--version')).out).toBe(help.out)
  })
})

describe('help', () => {
  it('-h is --help', async () => {
    const h = await cli('topics', '-h')
    const help = await cli('topics', '--help')
    expect(h.code).toBe(0)
    expect(h.out).toContain('$ kafka-ts topics')
    expect(h.out).toBe(help.out)
  })

  it('`help <command>` prints that command\'s help', async () => {
    expect((await cli('help', 'topics')).out).toBe((await cli('topics', '--help')).out)
    const nested = await cli('help', 'storage', 'format')
    expect(nested.code).toBe(0)
    expect(nested.out).toContain('$ kafka-ts storage format')
  })

  it('`help <typo>` suggests the command', async () => {
    const r = await cli('help', 'topic')
    expect(r.code).toBe(2)
    expect(r.stderr).toBe("'topic' is not a kafka-ts command. Did you mean topics?\n")
  })

  it('the root help lists every command under one heading, without oclif\'s TOPICS', async () => {
    const r = await cli('--help')
    expect(r.code).toBe(0)
    expect(r.out).not.toContain('TOPICS')
    expect(r.out).toContain('COMMANDS')
    for (const id of ['topics', 'console-consumer', 'storage format', 'storage info', 'storage random-uuid', 'help', 'autocomplete']) {
      expect(r.out).toMatch(new RegExp(`^  ${id} `, 'm'))
    }
  })
})

describe('a mistyped command', () => {
  it('gets one line with a suggestion and a non-zero exit', async () => {
    const r = await cli('topic', '--list')
    expect(r.code).toBe(2)
    expect(r.out).toBe('')
    expect(r.stderr).toBe("'topic' is not a kafka-ts command. Did you mean topics?\n")
  })

  it('under a topic too', async () => {
    const r = await cli('storage', 'formt')
    expect(r.code).toBe(2)
    expect(r.stderr).toBe("'storage formt' is not a kafka-ts command. Did you mean storage format?\n")
  })
})

describe('autocomplete', () => {
  /** Completes `words` (the last one being typed) with the printed script in a real bash. */
  function complete(script: string, words: string[]): string[] {
    const file = path.join(dir, 'completion.bash')
    fs.writeFileSync(file, script)
    const quoted = words.map((w) => `'${w}'`).join(' ')
    const r = spawnSync('bash', ['-c', `source ${file}; COMP_WORDS=(kafka-ts ${quoted}); COMP_CWORD=${words.length}; _kafka_ts_complete; printf '%s\\n' "\${COMPREPLY[@]}"`], {
      encoding: 'utf8',
    })
    expect(r.stderr).toBe('')
    return r.stdout.split('\n').filter((l) => l !== '')
  }

  it('prints a bash script that completes commands, subcommands and flags', async () => {
    const r = await cli('autocomplete', 'bash')
    expect(r.code).toBe(0)
    expect(r.out).toContain('complete -o default -F _kafka_ts_complete kafka-ts')
    expect(complete(r.out, ['top'])).toEqual(['topics'])
    expect(complete(r.out, ['console-'])).toEqual(['console-consumer', 'console-producer'])
    expect(complete(r.out, ['storage', 'fo'])).toEqual(['format'])
    expect(complete(r.out, ['topics', '--li'])).toEqual(['--list'])
    expect(complete(r.out, ['topics', '--list', '--bootstrap-server', 'localhost:9092', '--exclude-'])).toEqual(['--exclude-internal'])
    // A flag's value: nothing offered, so bash falls back to file names.
    expect(complete(r.out, ['topics', '--topic', ''])).toEqual([])
  })

  it('prints a zsh script (the bash function through bashcompinit)', async () => {
    const r = await cli('autocomplete', 'zsh')
    expect(r.code).toBe(0)
    expect(r.out.split('\n')[1]).toBe('autoload -U +X bashcompinit && bashcompinit')
    expect(r.out).toContain('_kafka_ts_complete()')
  })

  it('refuses another shell', async () => {
    const r = await cli('autocomplete', 'fish')
    expect(r.code).not.toBe(0)
    expect(r.stderr).toContain('fish')
  })
})
