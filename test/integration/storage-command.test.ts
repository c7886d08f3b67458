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
    // Kafka 4.3: the bootstrap metadata first (metadata.version 4.3-IV0 = level 30 and the production
    // features at their defaults, kraft.version left out), then the directory, a voter with --standalone.
    const levels = ['eligible.leader.replicas.version=1', 'group.version=1', 'share.version=1', 'streams.version=1', 'transaction.version=2']
    const record = (name: string, level: string) => `ApiMessageAndVersion(FeatureLevelRecord(name='${name}', featureLevel=${level}) at version 0)`
    expect(r.out).toBe(
      `Bootstrap metadata: BootstrapMetadata(records=[${[record('metadata.version', '30'), ...levels.map((l) => record(...(l.split('=') as [string, string])))].join(', ')}], metadataVersionLevel=30, source=format command)\n` +
        `Formatting dynamic metadata voter directory ${logs} with metadata.version 4.3-IV0.\n`,
    )
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

  it('applies --release-version and --feature, and refuses what Kafka 4.3 refuses, writing nothing', async () => {
    const logs = path.join(dir, 'older')
    const config = writeConfig({ 'node.id': '1', 'log.dirs': logs })
    const older = await runCli(['storage', 'format', '-t', 'MkU3OEVBNTcwNTJENDM2Qk', '-c', config, '-r', '4.0-IV1', '-f', 'group.version=0'])
    expect(older.code).toBe(0)
    expect(older.out).toBe(
      "Bootstrap metadata: BootstrapMetadata(records=[ApiMessageAndVersion(FeatureLevelRecord(name='metadata.version', featureLevel=23) at version 0)], metadataVersionLevel=23, source=format command)\n" +
        `Formatting metadata directory ${logs} with metadata.version 4.0-IV1.\n`,
    )
    const controller = writeConfig({ 'process.roles': 'broker,controller', 'node.id': '1', 'log.dirs': path.join(dir, 'refused') })
    for (const [args, message] of [
      [[], 'Because controller.quorum.voters is not set on this controller, you must specify one of the following: --standalone, --initial-controllers, or --no-initial-controllers.'],
      [['-s', '-f', 'fancy.version=1'], 'Unsupported feature: fancy.version. Supported features are: eligible.leader.replicas.version, group.version, kraft.version, share.version, streams.version, transaction.version'],
      [['-s', '-r', '4.3', '-f', 'metadata.version=30'], 'Use --release-version instead of --feature metadata.version=X to avoid ambiguity.'],
      [['-s', '-f', 'group.version'], "Can't parse feature=level string group.version: equals sign not found."],
      [['-s', '-r', '4.4-IV0'], 'metadata.version 4.4-IV0 is not yet stable.'],
      [['-s', '-f', 'kraft.version=0'], 'Cannot set kraft.version to 0 if controller.quorum.voters is empty and one of the flags --standalone, --initial-controllers, or --no-initial-controllers is used.'],
    ] as const) {
      const r = await runCli(['storage', 'format', '-t', 'MkU3OEVBNTcwNTJENDM2Qk', '-c', controller, ...args])
      expect(r.code, message).toBe(1)
      expect(r.stderr).toContain(message)
    }
    expect(fs.existsSync(path.join(dir, 'refused'))).toBe(false)
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

  it("refuses a config Kafka would refuse with Kafka's one line, formatting nothing", async () => {
    const logs = path.join(dir, 'logs')
    const config = writeConfig({ 'process.roles': 'broker,controller', 'node.id': '1', 'log.dirs': logs, listeners: 'PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093' })
    const r = await runCli(['storage', 'format', '-t', 'q1Sh-9_ISia_9Zhv9D1TxA', '-c', config, '--standalone'])
    expect(r.code).toBe(1)
    expect(r.stderr).toBe("Error creating broker listeners from 'PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093': No security protocol defined for listener CONTROLLER\n")
    expect(fs.existsSync(logs)).toBe(false)
  })
})

describe('storage version-mapping and feature-dependencies (Kafka 4.3)', () => {
  it('maps a release version to its feature levels', async () => {
    expect((await runCli(['storage', 'version-mapping'])).out).toBe(
      'metadata.version=30 (4.3-IV0)\nkraft.version=1\ntransaction.version=2\ngroup.version=1\neligible.leader.replicas.version=1\nshare.version=1\nstreams.version=1\n',
    )
    expect((await runCli(['storage', 'version-mapping', '-r', '4.0'])).out).toBe(
      'metadata.version=25 (4.0)\nkraft.version=1\ntransaction.version=2\ngroup.version=1\neligible.leader.replicas.version=0\nshare.version=0\nstreams.version=0\n',
    )
  })

  it('prints what a feature level depends on', async () => {
    const r = await runCli(['storage', 'feature-dependencies', '-f', 'eligible.leader.replicas.version=1', '-f', 'metadata.version=21', '-f', 'group.version=1'])
    expect(r.out).toBe('eligible.leader.replicas.version=1 requires:\n    metadata.version=23 (4.0-IV1)\nmetadata.version=21 (3.9-IV0) has no dependencies.\ngroup.version=1 has no dependencies.\n')
    const bad = await runCli(['storage', 'feature-dependencies', '-f', 'group.version=7'])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('Feature level 7 is not supported for feature group.version')
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
