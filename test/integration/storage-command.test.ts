import fs from 'node:fs'
import path from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { runCli, tempDir } from '../helpers/cli.js'

let dir: string
let cleanup: () => void

beforeEach(() => {
  ;({ dir, cleanup } = tempDir())
})
afterEach(() => cleanup())

function writeConfig(props: Record<string, string>): string {
  const file = path.join(dir, 'server.properties')
  fs.writeFileSync(file, Object.entries(props).map(([k, v]) => `${k}=${v}`).join('\n') + '\n')
  return file
}

describe('storage random-uuid', () => {
  it('prints a 22-character unpadded base64url id of 16 bytes, never starting with "-"', async () => {
    const seen = new Set<string>()
    for (let i = 0; i < 5; i++) {
      const r = await runCli(['storage', 'random-uuid'])
      expect(r.code).toBe(0)
      expect(r.out).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}\n$/)
      const bytes = Buffer.from(r.out.trim(), 'base64url')
      expect(bytes).toHaveLength(16)
      expect(bytes[6]! >> 4).toBe(4) // version-4 UUID, as Java's UUID.randomUUID
      seen.add(r.out)
    }
    expect(seen.size).toBe(5)
  })
})

describe('storage format', () => {
  it('formats the log directory from server.properties and writes meta.properties', async () => {
    const logs = path.join(dir, 'kraft-combined-logs')
    const config = writeConfig({ 'process.roles': 'broker,controller', 'node.id': '1', 'log.dirs': logs })
    const clusterId = (await runCli(['storage', 'random-uuid'])).out.trim()
    const r = await runCli(['storage', 'format', '--standalone', '-t', clusterId, '-c', config])
    expect(r.code).toBe(0)
    expect(r.out).toBe(`Formatting metadata directory ${logs} with metadata.version 3.9-IV0.\n`)
    const meta = fs.readFileSync(path.join(logs, 'meta.properties'), 'utf8')
    expect(meta).toMatch(/^#\n#\w{3} \w{3} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4}\n/)
    expect(meta).toContain(`cluster.id=${clusterId}\n`)
    expect(meta).toContain('node.id=1\n')
    expect(meta).toContain('version=1\n')
    expect(meta).toMatch(/directory\.id=[A-Za-z0-9_-]{22}\n/)

    // The formatted directory is the data directory embedded commands use.
    await runCli(['topics', '--create', '--topic', 'after-format'], { dataDir: logs })
    const info = await runCli(['topics', '--list'], { dataDir: logs })
    expect(info.out).toBe('after-format\n')
    expect(info.stderr).not.toContain('Initialised')
  })

  it('refuses an already formatted directory unless --ignore-formatted', async () => {
    const logs = path.join(dir, 'logs')
    const config = writeConfig({ 'node.id': '3', 'log.dirs': logs })
    expect((await runCli(['storage', 'format', '-t', 'MkU3OEVBNTcwNTJENDM2Qk', '-c', config])).code).toBe(0)
    const before = fs.readFileSync(path.join(logs, 'meta.properties'))
    const again = await runCli(['storage', 'format', '-t', 'MkU3OEVBNTcwNTJENDM2Qk', '-c', config])
    expect(again.code).toBe(1)
    expect(again.stderr).toContain(`Log directory ${logs} is already formatted. Use --ignore-formatted to ignore this directory and format the others.`)
    const ignored = await runCli(['storage', 'format', '-g', '-t', 'MkU3OEVBNTcwNTJENDM2Qk', '-c', config])
    expect(ignored.code).toBe(0)
    expect(ignored.out).toBe('All of the log directories are already formatted.\n')
    expect(fs.readFileSync(path.join(logs, 'meta.properties')).equals(before)).toBe(true)
  })

  it('requires --config and --cluster-id when not on a terminal', async () => {
    const noConfig = await runCli(['storage', 'format', '-t', 'abc'])
    expect(noConfig.code).toBe(1)
    expect(noConfig.stderr).toContain('argument --config/-c is required')
    const config = writeConfig({ 'log.dirs': path.join(dir, 'l') })
    const noId = await runCli(['storage', 'format', '-c', config])
    expect(noId.code).toBe(1)
    expect(noId.stderr).toContain('argument --cluster-id/-t is required')
    expect(fs.existsSync(path.join(dir, 'l'))).toBe(false)
  })

  it('reports a missing config file', async () => {
    const r = await runCli(['storage', 'format', '-t', 'abc', '-c', path.join(dir, 'nope.properties')])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('nope.properties (No such file or directory)')
  })
})

describe('storage info', () => {
  it('describes a formatted directory like Kafka', async () => {
    const logs = path.join(dir, 'logs')
    const config = writeConfig({ 'node.id': '1', 'log.dirs': logs })
    await runCli(['storage', 'format', '-t', 'MkU3OEVBNTcwNTJENDM2Qk', '-c', config])
    const r = await runCli(['storage', 'info', '-c', config])
    expect(r.code).toBe(0)
    const directoryId = /directory\.id=(\S+)/.exec(fs.readFileSync(path.join(logs, 'meta.properties'), 'utf8'))?.[1]
    expect(r.out).toBe(
      `Found log directory:\n  ${logs}\n\nFound metadata: {cluster.id=MkU3OEVBNTcwNTJENDM2Qk, directory.id=${directoryId}, node.id=1, version=1}\n\n`,
    )
  })

  it('reports problems and exits 1', async () => {
    const missing = path.join(dir, 'missing')
    const empty = path.join(dir, 'empty')
    fs.mkdirSync(empty)
    const config = writeConfig({ 'log.dirs': `${missing},${empty}` })
    const r = await runCli(['storage', 'info', '-c', config])
    expect(r.code).toBe(1)
    expect(r.out).toBe(`Found log directory:\n  ${empty}\n\nFound problems:\n  ${empty} is not formatted.\n  ${missing} does not exist\n\n`)
  })
})
