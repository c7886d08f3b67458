import fs from 'node:fs'
import path from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { runCli, tempDir } from '../helpers/cli.js'

let dir: string
let cleanup: () => void
const topics = (...args: string[]) => runCli(['topics', ...args], { dataDir: dir })

beforeEach(() => {
  ;({ dir, cleanup } = tempDir())
})
afterEach(() => cleanup())

describe('topics --create', () => {
  it('creates a topic and prints Kafka\'s confirmation', async () => {
    const r = await topics('--create', '--topic', 'orders', '--partitions', '3')
    expect(r.stderr).toContain('Initialised a new kafka-ts data directory')
    expect(r.out).toBe('Created topic orders.\n')
    expect(r.code).toBe(0)
    const d = await topics('--describe', '--topic', 'orders')
    expect(d.out.split('\n').filter((l) => l.startsWith('\tTopic: orders'))).toHaveLength(3)
  })

  it('warns before creating a name with a period or underscore', async () => {
    const r = await topics('--create', '--topic', 'my_topic')
    expect(r.out).toBe(
      "WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both.\nCreated topic my_topic.\n",
    )
  })

  it('refuses an existing topic, unless --if-not-exists', async () => {
    await topics('--create', '--topic', 'a')
    const again = await topics('--create', '--topic', 'a')
    expect(again.code).toBe(1)
    expect(again.stderr).toContain("Error while executing topic command : Topic 'a' already exists.")
    const quiet = await topics('--create', '--topic', 'a', '--if-not-exists')
    expect(quiet.code).toBe(0)
    expect(quiet.out).toBe('')
  })

  it('refuses a name that collides after . / _ folding', async () => {
    await topics('--create', '--topic', 'a.b')
    const r = await topics('--create', '--topic', 'a_b')
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("Topic 'a_b' collides with existing topic: a.b")
  })

  it.each([
    ['..', "Topic name is invalid: '..' is not allowed"],
    ['bad name', "Topic name is invalid: 'bad name' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'"],
    ['x'.repeat(250), `Topic name is invalid: the length of '${'x'.repeat(250)}' is longer than the max allowed length 249`],
  ])('refuses the illegal name %#', async (name, message) => {
    const r = await topics('--create', '--topic', name)
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`Error while executing topic command : ${message}`)
    expect((await topics('--list')).out).toBe('\n')
  })

  it('refuses partitions < 1 and replication factors other than 1', async () => {
    const p = await topics('--create', '--topic', 't', '--partitions', '0')
    expect(p.code).toBe(1)
    expect(p.stderr).toContain('The partitions must be greater than 0')
    const rf = await topics('--create', '--topic', 't', '--replication-factor', '3')
    expect(rf.code).toBe(1)
    expect(rf.stderr).toContain(
      'Unable to replicate the partition 3 time(s): The target replication factor of 3 cannot be reached because only 1 broker(s) are registered.',
    )
    expect(rf.stderr).toContain('--bootstrap-server')
    expect((await topics('--list')).out).toBe('\n')
  })

  it('validates --config against Kafka\'s topic configs', async () => {
    const unknown = await topics('--create', '--topic', 't', '--config', 'no.such.config=1')
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain('Unknown topic config name: no.such.config')
    const bad = await topics('--create', '--topic', 't', '--config', 'retention.ms=soon')
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('Invalid value soon for configuration retention.ms')
    const noEq = await topics('--create', '--topic', 't', '--config', 'retention.ms')
    expect(noEq.stderr).toContain('requirement failed: Invalid topic config: all configs to be added must be in the format "key=val".')
    expect((await topics('--list')).out).toBe('\n')
    const good = await topics('--create', '--topic', 't', '--config', 'retention.ms=1000', '--config', 'cleanup.policy=compact')
    expect(good.code).toBe(0)
    const d = await topics('--describe', '--topic', 't')
    const line = d.out.split('\n')[0] ?? ''
    expect(line).toMatch(/Configs: /)
    expect(line.split('Configs: ')[1]?.split(',').sort()).toEqual(['cleanup.policy=compact', 'retention.ms=1000'])
  })
})

describe('topics --describe and --list', () => {
  it('prints Kafka\'s describe layout, tab-separated', async () => {
    await topics('--create', '--topic', 'orders', '--partitions', '2')
    const r = await topics('--describe', '--topic', 'orders')
    const lines = r.out.split('\n')
    expect(lines[0]).toMatch(/^Topic: orders\tTopicId: [A-Za-z0-9_-]{22}\tPartitionCount: 2\tReplicationFactor: 1\tConfigs: $/)
    expect(lines[1]).toBe('\tTopic: orders\tPartition: 0\tLeader: 1\tReplicas: 1\tIsr: 1\tElr: \tLastKnownElr: ')
    expect(lines[2]).toBe('\tTopic: orders\tPartition: 1\tLeader: 1\tReplicas: 1\tIsr: 1\tElr: \tLastKnownElr: ')
    expect(lines.length).toBe(4)
  })

  it('describes by --topic-id; with --if-exists and --topic too, says the id wins, as TopicCommand does', async () => {
    await topics('--create', '--topic', 'by-id')
    const id = /TopicId: (\S+)/.exec((await topics('--describe', '--topic', 'by-id')).out)?.[1] ?? ''
    const byId = await topics('--describe', '--topic-id', id)
    expect(byId.out.split('\n')[0]).toMatch(new RegExp(`^Topic: by-id\tTopicId: ${id}\t`))
    const both = await topics('--describe', '--if-exists', '--topic', 'other', '--topic-id', id)
    expect(both.out.split('\n').slice(0, 2)).toEqual([
      'Only topic id will be used when both --topic and --topic-id are specified and topicId is not Uuid.ZERO_UUID',
      expect.stringMatching(/^Topic: by-id\t/),
    ])
  })

  it('lists names sorted and filters by a whole-name regex', async () => {
    for (const t of ['beta', 'alpha', 'alphabet', 'Zeta']) await topics('--create', '--topic', t)
    expect((await topics('--list')).out).toBe('Zeta\nalpha\nalphabet\nbeta\n')
    expect((await topics('--list', '--topic', 'alpha')).out).toBe('alpha\n')
    expect((await topics('--list', '--topic', 'alpha.*')).out).toBe('alpha\nalphabet\n')
    expect((await topics('--list', '--topic', 'beta,Zeta')).out).toBe('Zeta\nbeta\n')
  })

  it('shows only topics with overrides for --topics-with-overrides', async () => {
    await topics('--create', '--topic', 'plain')
    await topics('--create', '--topic', 'special', '--config', 'retention.ms=5000')
    const r = await topics('--describe', '--topics-with-overrides')
    expect(r.out.split('\n').filter(Boolean)).toHaveLength(1)
    expect(r.out).toMatch(/^Topic: special\t.*Configs: retention.ms=5000\n$/)
  })

  it('fails for a missing topic unless --if-exists', async () => {
    const r = await topics('--describe', '--topic', 'ghost')
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("Topic 'ghost' does not exist as expected")
    const ok = await topics('--describe', '--topic', 'ghost', '--if-exists')
    expect(ok.code).toBe(0)
    expect(ok.out).toBe('')
  })

  it('prints a JSON report with --json', async () => {
    await topics('--create', '--topic', 'j', '--partitions', '2')
    const r = await topics('--describe', '--topic', 'j', '--json')
    const report = JSON.parse(r.out) as { action: string; topics: string[]; descriptions: { partitions: unknown[] }[] }
    expect(report.action).toBe('describe')
    expect(report.topics).toEqual(['j'])
    expect(report.descriptions[0]?.partitions).toHaveLength(2)
  })
})

describe('topics --alter and --delete', () => {
  it('adds partitions and refuses decreases with Kafka\'s messages', async () => {
    await topics('--create', '--topic', 'grow', '--partitions', '2')
    const same = await topics('--alter', '--topic', 'grow', '--partitions', '2')
    expect(same.code).toBe(1)
    expect(same.stderr).toContain('Topic already has 2 partition(s).')
    const down = await topics('--alter', '--topic', 'grow', '--partitions', '1')
    expect(down.stderr).toContain('The topic grow currently has 2 partition(s); 1 would not be an increase.')
    const up = await topics('--alter', '--topic', 'grow', '--partitions', '5')
    expect(up.code).toBe(0)
    expect(up.out).toBe('')
    expect((await topics('--describe', '--topic', 'grow')).out).toContain('PartitionCount: 5')
  })

  it('deletes topics matching the regex, and refuses missing ones unless --if-exists', async () => {
    await topics('--create', '--topic', 'x1')
    await topics('--create', '--topic', 'x2')
    await topics('--create', '--topic', 'y')
    const del = await topics('--delete', '--topic', 'x.*')
    expect(del.code).toBe(0)
    expect((await topics('--list')).out).toBe('y\n')
    const missing = await topics('--delete', '--topic', 'x1')
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain("Topic 'x1' does not exist as expected")
    expect((await topics('--delete', '--topic', 'x1', '--if-exists')).code).toBe(0)
  })

  it('recreates a deleted topic empty', async () => {
    await topics('--create', '--topic', 're')
    await runCli(['console-producer', '--topic', 're'], { dataDir: dir, input: 'one\ntwo\n' })
    await topics('--delete', '--topic', 're')
    await topics('--create', '--topic', 're')
    const r = await runCli(['console-consumer', '--topic', 're', '--from-beginning', '--timeout-ms', '300'], { dataDir: dir })
    expect(r.out).toBe('')
    expect(r.stderr).toContain('Processed a total of 0 messages')
  })
})

describe('topics --replica-assignment', () => {
  it('places partitions on this node and refuses other brokers, duplicates and short alter lists', async () => {
    const ok = await topics('--create', '--topic', 'ra', '--replica-assignment', '1,1,1')
    expect(ok.out).toBe('Created topic ra.\n')
    expect((await topics('--describe', '--topic', 'ra')).out).toContain('PartitionCount: 3\tReplicationFactor: 1')
    const other = await topics('--create', '--topic', 'rb', '--replica-assignment', '1,2')
    expect(other.code).toBe(1)
    expect(other.stderr).toContain('The manual partition assignment includes broker 2, but no such broker is registered.')
    const dup = await topics('--create', '--topic', 'rc', '--replica-assignment', '1:1')
    expect(dup.stderr).toContain('Partition replica lists may not contain duplicate entries: 1,1')
    const withPartitions = await topics('--create', '--topic', 'rd', '--replica-assignment', '1', '--partitions', '2')
    expect(withPartitions.stderr).toContain('Option "[replica-assignment]" can\'t be used with option "[partitions]"')
    const short = await topics('--alter', '--topic', 'ra', '--partitions', '5', '--replica-assignment', '1,1,1,1')
    expect(short.stderr).toContain('Attempted to add 2 additional partition(s), but only 1 assignment(s) were specified.')
    expect((await topics('--alter', '--topic', 'ra', '--partitions', '5', '--replica-assignment', '1,1,1,1,1')).code).toBe(0)
    expect((await topics('--describe', '--topic', 'ra')).out).toContain('PartitionCount: 5')
    expect((await topics('--list')).out).toBe('ra\n')
  })
})

describe('topics option rules', () => {
  it.each([
    [[], 'Command must include exactly one action: --list, --describe, --create, --alter or --delete'],
    [['--list', '--describe'], 'Command must include exactly one action: --list, --describe, --create, --alter or --delete'],
    [['--describe', '--partitions', '3'], 'Option "[partitions]" can\'t be used with option "[describe]"'],
    [['--list', '--if-not-exists'], 'Option "[if-not-exists]" can\'t be used with option "[list]"'],
    [['--create'], 'Missing required argument "[topic]"'],
    [['--alter', '--topic', 'x'], 'Missing required argument "[partitions]"'],
    [['--describe', '--if-exists'], '--topic or --topic-id is required to describe a topic'],
    [
      ['--alter', '--topic', 'x', '--partitions', '2', '--config', 'retention.ms=1'],
      'Option combination "[[bootstrap-server], [config]]" can\'t be used with option "[alter]" (To alter topic configurations, the kafka-configs tool can be used.)',
    ],
    // Kafka 4.0 removed these topic configs and raised segment.bytes' minimum to 1 MiB.
    [['--create', '--topic', 'x', '--config', 'message.format.version=3.0'], 'Unknown topic config name: message.format.version'],
    [['--create', '--topic', 'x', '--config', 'message.timestamp.difference.max.ms=1'], 'Unknown topic config name: message.timestamp.difference.max.ms'],
    [['--create', '--topic', 'x', '--config', 'segment.bytes=1048575'], 'Invalid value 1048575 for configuration segment.bytes: Value must be at least 1048576'],
  ])('rejects %j', async (args, message) => {
    const r = await topics(...args)
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(message)
  })

  it('rejects unknown flags with jopt\'s words, exit 1', async () => {
    const r = await topics('--list', '--no-such-flag')
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('no-such-flag is not a recognized option')
  })

  it('announces --delete-config as ignored (Kafka 4.0) and goes on', async () => {
    const r = await topics('--create', '--topic', 'kept', '--delete-config', 'retention.ms')
    expect(r.code).toBe(0)
    expect(r.stderr).toContain('delete-config option is no longer supported and deprecated since version 4.0. The config will be fully removed in future releases.')
    expect(r.out).toBe('Created topic kept.\n')
  })
})

describe('data directory', () => {
  it('refuses a non-empty directory that is not a store and leaves it untouched', async () => {
    const foreign = path.join(dir, 'foreign')
    fs.mkdirSync(foreign)
    fs.writeFileSync(path.join(foreign, 'notes.txt'), 'mine')
    const r = await runCli(['topics', '--list'], { dataDir: foreign })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('is not a kafka-ts data directory')
    expect(fs.readdirSync(foreign)).toEqual(['notes.txt'])
  })

  it('refuses a corrupt database file and leaves it untouched', async () => {
    await topics('--list')
    const db = path.join(dir, 'kafka-ts.db')
    for (const f of fs.readdirSync(dir)) if (f.startsWith('kafka-ts.db-')) fs.rmSync(path.join(dir, f))
    const garbage = Buffer.alloc(8192, 0x5a)
    fs.writeFileSync(db, garbage)
    const r = await topics('--list')
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(db)
    expect(fs.readFileSync(db).equals(garbage)).toBe(true)
  })

  it('initialises only once and keeps the cluster id', async () => {
    const first = await topics('--list')
    expect(first.stderr).toContain('Initialised')
    const second = await topics('--list')
    expect(second.stderr).not.toContain('Initialised')
    const meta = fs.readFileSync(path.join(dir, 'meta.properties'), 'utf8')
    expect(first.stderr).toContain(/cluster.id=(\S+)/.exec(meta)?.[1] ?? 'missing')
  })
})
