// configs (kafka-configs.sh) as a real process, embedded and against a server on the same data directory: the
// two must print the same bytes. Expected texts are ConfigCommand's (Kafka 4.3, cli.md §5, cli-4.md A.6) and, for refused
// values, the broker's (ConfigDef, DynamicBrokerConfig).

import fs from 'node:fs'
import path from 'node:path'

import { afterEach, describe, expect, it } from 'vitest'

import { runCli, tempDir, type CliResult } from '../helpers/cli.js'
import { startTestServer, type TestServer } from '../helpers/server.js'

let server: TestServer | undefined
afterEach(async () => {
  await server?.stop()
  server = undefined
})

async function start(): Promise<TestServer> {
  server = await startTestServer()
  return server
}

const embedded = (s: TestServer, args: readonly string[]) => runCli(['configs', ...args], { dataDir: s.dataDir })
const remote = (s: TestServer, args: readonly string[]) => runCli(['configs', '--bootstrap-server', s.bootstrap, ...args], { env: { KAFKA_TS_DATA_DIR: '' } })

/** Runs the command both ways and checks that stdout, stderr (minus the echoed args) and the exit code agree. */
async function both(s: TestServer, args: readonly string[]): Promise<CliResult> {
  const e = await embedded(s, args)
  const r = await remote(s, args)
  expect(r.out).toBe(e.out)
  expect(r.stderr.replace(`--bootstrap-server ${s.bootstrap} `, '')).toBe(e.stderr)
  expect(r.code).toBe(e.code)
  return e
}

async function createTopic(s: TestServer, ...args: string[]): Promise<void> {
  const r = await runCli(['topics', '--create', ...args], { dataDir: s.dataDir })
  expect(r.code).toBe(0)
}

describe('configs --describe / --alter for topics', () => {
  it('adds, describes and deletes topic overrides; embedded and remote print the same', async () => {
    const s = await start()
    await createTopic(s, '--topic', 't1')
    expect((await both(s, ['--describe', '--entity-type', 'topics', '--entity-name', 't1'])).out).toBe('Dynamic configs for topic t1 are:\n')

    const added = await embedded(s, ['--alter', '--entity-type', 'topics', '--entity-name', 't1', '--add-config', 'retention.ms=1000,cleanup.policy=[compact,delete]'])
    expect(added.stderr).toBe('')
    expect(added.out).toBe('Completed updating config for topic t1.\n')

    const d = await both(s, ['--describe', '--topic', 't1'])
    expect(d.out).toBe(
      'Dynamic configs for topic t1 are:\n' +
        '  cleanup.policy=compact,delete sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:cleanup.policy=compact,delete, DEFAULT_CONFIG:log.cleanup.policy=delete}\n' +
        '  retention.ms=1000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=1000}\n',
    )

    // Remote alter, then the embedded side sees it (and the other way round above).
    const deleted = await remote(s, ['--alter', '--topic', 't1', '--delete-config', 'cleanup.policy'])
    expect(deleted.out).toBe('Completed updating config for topic t1.\n')
    expect((await both(s, ['--describe', '--topic', 't1'])).out).toBe(
      'Dynamic configs for topic t1 are:\n  retention.ms=1000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=1000}\n',
    )
    expect(s.broker.findTopic('t1')?.configs).toEqual(new Map([['retention.ms', '1000']]))
  })

  it('--all lists every topic config with its source; --add-config-file reads a properties file', async () => {
    const s = await start()
    await createTopic(s, '--topic', 'all')
    const dir = tempDir()
    try {
      const file = path.join(dir.dir, 'add.properties')
      fs.writeFileSync(file, '# overrides\nmax.message.bytes=5000\nsegment.ms = 3600000\n')
      expect((await remote(s, ['--alter', '--topic', 'all', '--add-config-file', file])).code).toBe(0)
    } finally {
      dir.cleanup()
    }
    const d = await both(s, ['--describe', '--topic', 'all', '--all'])
    const lines = d.out.split('\n')
    expect(lines[0]).toBe('All configs for topic all are:')
    expect(lines).toContain('  max.message.bytes=5000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:max.message.bytes=5000, DEFAULT_CONFIG:message.max.bytes=1048588}')
    expect(lines).toContain('  segment.ms=3600000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:segment.ms=3600000}')
    expect(lines).toContain('  retention.ms=604800000 sensitive=false synonyms={}')
    expect(lines).toContain('  min.insync.replicas=1 sensitive=false synonyms={DEFAULT_CONFIG:min.insync.replicas=1}')
    expect(lines.filter((l) => l.startsWith('  '))).toHaveLength(34)
  })

  it('describes every topic when no name is given', async () => {
    const s = await start()
    await createTopic(s, '--topic', 'b')
    await createTopic(s, '--topic', 'a', '--config', 'retention.bytes=100')
    expect((await both(s, ['--describe', '--entity-type', 'topics'])).out).toBe(
      'Dynamic configs for topic a are:\n  retention.bytes=100 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.bytes=100, DEFAULT_CONFIG:log.retention.bytes=-1}\n' +
        'Dynamic configs for topic b are:\n',
    )
  })

  it('refuses unknown names and bad values, changing nothing; deleting what is not set is a no-op (Kafka 4.3)', async () => {
    const s = await start()
    await createTopic(s, '--topic', 't', '--config', 'retention.ms=1000')
    const unknown = await both(s, ['--alter', '--topic', 't', '--add-config', 'foo=1,retention.ms=5'])
    expect(unknown.code).toBe(1)
    expect(unknown.out).toBe('')
    expect(unknown.stderr).toBe(
      "Error while executing config command with args '--alter --topic t --add-config foo=1,retention.ms=5'\n" +
        'java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.InvalidConfigurationException: Unknown topic config name: foo\n',
    )
    const bad = await both(s, ['--alter', '--topic', 't', '--add-config', 'retention.ms=-5'])
    expect(bad.stderr).toContain('org.apache.kafka.common.errors.InvalidConfigurationException: Invalid value -5 for configuration retention.ms: Value must be at least -1\n')
    expect(s.broker.findTopic('t')?.configs).toEqual(new Map([['retention.ms', '1000']]))
    const notSet = await remote(s, ['--alter', '--topic', 't', '--delete-config', 'segment.ms,retention.ms'])
    expect({ code: notSet.code, err: notSet.stderr }).toEqual({ code: 0, err: '' })
    expect(s.broker.findTopic('t')?.configs).toEqual(new Map())
  })

  it('refuses --force, which Kafka 4.0 removed', async () => {
    const s = await start()
    const r = await embedded(s, ['--describe', '--topic', 't', '--force'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('force is not a recognized option')
  })

  it('describes a missing topic as Kafka 4.3 does (exit 0); altering it fails with UnknownTopicOrPartitionException', async () => {
    const s = await start()
    const d = await both(s, ['--describe', '--topic', 'nope'])
    expect({ code: d.code, out: d.out, err: d.stderr }).toEqual({ code: 0, out: "The topic 'nope' doesn't exist and doesn't have dynamic config.\n", err: '' })
    const a = await both(s, ['--alter', '--topic', 'nope', '--add-config', 'retention.ms=1'])
    expect(a.code).toBe(1)
    expect(a.stderr).toContain('UnknownTopicOrPartitionException: This server does not host this topic-partition.')
  })
})

describe('configs for brokers', () => {
  it('cluster default and per-broker configs: stored, described with their sources, resolved into topic configs', async () => {
    const s = await start()
    await createTopic(s, '--topic', 't')
    const setDefault = await embedded(s, ['--alter', '--entity-type', 'brokers', '--entity-default', '--add-config', 'log.retention.ms=5000,message.max.bytes=2000000'])
    expect(setDefault.stderr).toBe('')
    expect(setDefault.out).toBe('Completed updating default config for brokers in the cluster.\n')
    const setBroker = await remote(s, ['--alter', '--broker', '1', '--add-config', 'log.retention.ms=7000'])
    expect(setBroker.stderr).toBe('')
    expect(setBroker.out).toBe('Completed updating config for broker 1.\n')

    expect((await both(s, ['--describe', '--broker-defaults'])).out).toBe(
      'Default configs for brokers in the cluster are:\n' +
        '  log.retention.ms=5000 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=5000, DEFAULT_CONFIG:log.retention.hours=168}\n' +
        '  message.max.bytes=2000000 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:message.max.bytes=2000000, DEFAULT_CONFIG:message.max.bytes=1048588}\n',
    )
    expect((await both(s, ['--describe', '--entity-type', 'brokers', '--entity-name', '1'])).out).toBe(
      'Dynamic configs for broker 1 are:\n' +
        '  log.retention.ms=7000 sensitive=false synonyms={DYNAMIC_BROKER_CONFIG:log.retention.ms=7000, DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=5000, DEFAULT_CONFIG:log.retention.hours=168}\n',
    )
    // Without a name: every broker, then the default entity.
    const all = await both(s, ['--describe', '--entity-type', 'brokers'])
    expect(all.out.split('\n').filter((l) => !l.startsWith('  '))).toEqual(['Dynamic configs for broker 1 are:', 'Default configs for brokers in the cluster are:', ''])

    // --all for a broker includes its static configs: the server's server.properties (here node.id=1 and a
    // listener) are not known to an embedded command, which has no server.properties. So only remote here.
    const brokerAll = (await remote(s, ['--describe', '--broker', '1', '--all'])).out.split('\n')
    expect(brokerAll[0]).toBe('All configs for broker 1 are:')
    expect(brokerAll).toContain(
      '  message.max.bytes=2000000 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:message.max.bytes=2000000, DEFAULT_CONFIG:message.max.bytes=1048588}',
    )
    expect(brokerAll).toContain('  node.id=1 sensitive=false synonyms={STATIC_BROKER_CONFIG:node.id=1, DEFAULT_CONFIG:node.id=-1}')

    // Topic defaults resolve through the dynamic broker configs (per-broker before cluster default).
    const topicAll = (await both(s, ['--describe', '--topic', 't', '--all'])).out.split('\n')
    expect(topicAll).toContain(
      '  retention.ms=7000 sensitive=false synonyms={DYNAMIC_BROKER_CONFIG:log.retention.ms=7000, DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=5000, DEFAULT_CONFIG:log.retention.hours=168}',
    )
    expect(topicAll).toContain(
      '  max.message.bytes=2000000 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:message.max.bytes=2000000, DEFAULT_CONFIG:message.max.bytes=1048588}',
    )

    const del = await both(s, ['--alter', '--broker-defaults', '--delete-config', 'nothing.set'])
    expect({ code: del.code, err: del.stderr }).toEqual({ code: 0, err: '' })
    const deleted = await remote(s, ['--alter', '--broker-defaults', '--delete-config', 'message.max.bytes'])
    expect(deleted.code).toBe(0)
    expect(s.broker.dynamicBrokerConfigs().clusterDefault).toEqual(new Map([['log.retention.ms', '5000']]))
  })

  it('applies message.max.bytes at once: the running server refuses a batch above a lowered limit', async () => {
    const s = await start()
    await createTopic(s, '--topic', 'big')
    const line = `${'x'.repeat(3000)}\n`
    const before = await runCli(['console-producer', '--bootstrap-server', s.bootstrap, '--topic', 'big'], { input: line })
    expect(before.code).toBe(0)
    expect((await embedded(s, ['--alter', '--broker-defaults', '--add-config', 'message.max.bytes=1000'])).code).toBe(0)
    const after = await runCli(['console-producer', '--bootstrap-server', s.bootstrap, '--topic', 'big'], { input: line })
    expect(after.stderr).toMatch(/exceeds the maximum configured value of 1000\./)
  })

  it("refuses read-only keys and bad values with Kafka's messages, changing nothing", async () => {
    const s = await start()
    const readOnly = await both(s, ['--alter', '--entity-type', 'brokers', '--entity-default', '--add-config', 'log.dirs=/x,node.id=3'])
    expect(readOnly.code).toBe(1)
    expect(readOnly.stderr).toBe(
      "Error while executing config command with args '--alter --entity-type brokers --entity-default --add-config log.dirs=/x,node.id=3'\n" +
        'java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.InvalidRequestException: Cannot update these configs dynamically: Set(log.dirs, node.id)\n',
    )
    const badValue = await both(s, ['--alter', '--broker', '1', '--add-config', 'log.retention.ms=abc'])
    expect(badValue.stderr).toContain('InvalidRequestException: Invalid value abc for configuration log.retention.ms: Not a number of type LONG\n')
    const range = await both(s, ['--alter', '--broker', '1', '--add-config', 'log.segment.bytes=1'])
    expect(range.stderr).toContain('InvalidRequestException: Invalid value 1 for configuration log.segment.bytes: Value must be at least 1048576\n')
    // Kafka 4.3's consumer- and share-group broker keys are static: a group's own settings are its group configs.
    const groupKey = await both(s, ['--alter', '--entity-type', 'brokers', '--entity-default', '--add-config', 'group.consumer.session.timeout.ms=50000'])
    expect(groupKey.code).toBe(1)
    expect(groupKey.stderr).toContain('InvalidRequestException: Cannot update these configs dynamically: Set(group.consumer.session.timeout.ms)\n')
    const otherBroker = await both(s, ['--describe', '--broker', '2'])
    expect({ code: otherBroker.code, out: otherBroker.out }).toEqual({ code: 0, out: "The broker '2' doesn't exist and doesn't have dynamic config.\n" })
    expect(s.broker.dynamicBrokerConfigs()).toEqual({})
  })
})

describe('configs for groups (Kafka 4)', () => {
  it('sets, describes and deletes group configs, embedded and remote alike; a group is known by its members or its configs', async () => {
    const s = await start()
    expect((await both(s, ['--describe', '--group', 'g1'])).out).toBe("The group 'g1' doesn't exist and doesn't have dynamic config.\n")
    const added = await remote(s, ['--alter', '--group', 'g1', '--add-config', 'consumer.session.timeout.ms=50000,share.auto.offset.reset=by_duration:PT1H'])
    expect({ code: added.code, out: added.out, err: added.stderr }).toEqual({ code: 0, out: 'Completed updating config for group g1.\n', err: '' })
    const dynamic = await both(s, ['--describe', '--entity-type', 'groups', '--entity-name', 'g1'])
    expect(dynamic.out).toBe(
      [
        'Dynamic configs for group g1 are:',
        '  consumer.session.timeout.ms=50000 sensitive=false synonyms={DYNAMIC_GROUP_CONFIG:consumer.session.timeout.ms=50000}',
        '  share.auto.offset.reset=by_duration:PT1H sensitive=false synonyms={DYNAMIC_GROUP_CONFIG:share.auto.offset.reset=by_duration:PT1H}',
        '',
      ].join('\n'),
    )
    const all = await both(s, ['--describe', '--group', 'g1', '--all'])
    expect(all.out.split('\n')).toContain('  consumer.heartbeat.interval.ms=5000 sensitive=false synonyms={DEFAULT_CONFIG:consumer.heartbeat.interval.ms=5000}')
    // Without a name: the groups ListGroups knows and those with configs.
    await createTopic(s, '--topic', 't')
    expect((await runCli(['console-consumer', '--topic', 't', '--group', 'g0', '--timeout-ms', '100'], { dataDir: s.dataDir })).code).toBe(0)
    const every = await both(s, ['--describe', '--entity-type', 'groups'])
    expect(every.out.split('\n').filter((l) => l.startsWith('Dynamic'))).toEqual(['Dynamic configs for group g0 are:', 'Dynamic configs for group g1 are:'])
    const deleted = await embedded(s, ['--alter', '--group', 'g1', '--delete-config', 'consumer.session.timeout.ms,share.auto.offset.reset'])
    expect(deleted.code).toBe(0)
    expect((await both(s, ['--describe', '--group', 'g1'])).out).toBe("The group 'g1' doesn't exist and doesn't have dynamic config.\n")
  })

  it('takes --bootstrap-controller as the address of this broker-and-controller node, not beside --bootstrap-server', async () => {
    const s = await start()
    const viaController = await runCli(['configs', '--bootstrap-controller', s.bootstrap, '--describe', '--group', 'g9'], { env: { KAFKA_TS_DATA_DIR: '' } })
    expect({ code: viaController.code, out: viaController.out }).toEqual({ code: 0, out: "The group 'g9' doesn't exist and doesn't have dynamic config.\n" })
    const both = await runCli(['configs', '--bootstrap-controller', s.bootstrap, '--bootstrap-server', s.bootstrap, '--describe', '--group', 'g9'])
    expect({ code: both.code, err: both.stderr }).toEqual({ code: 1, err: 'Only one of --bootstrap-server or --bootstrap-controller can be specified\n' })
  })

  it("refuses unknown keys and values outside the broker's bounds, with Kafka's messages", async () => {
    const s = await start()
    const cases: [string, string][] = [
      ['consumer.session.timeout.ms=70000', 'consumer.session.timeout.ms must be less than or equal to group.consumer.max.session.timeout.ms'],
      ['consumer.heartbeat.interval.ms=1000', 'consumer.heartbeat.interval.ms must be greater than or equal to group.consumer.min.heartbeat.interval.ms'],
      ['share.isolation.level=dirty', 'Invalid value dirty for configuration share.isolation.level: String must be one of: read_committed, read_uncommitted'],
      ['share.delivery.count.limit=1', 'Invalid value 1 for configuration share.delivery.count.limit: Value must be at least 2'],
      ['no.such.key=1', 'Unknown group config name: no.such.key'],
    ]
    for (const [config, message] of cases) {
      const r = await both(s, ['--alter', '--group', 'g', '--add-config', config])
      expect(r.code).toBe(1)
      expect(r.stderr).toContain(`org.apache.kafka.common.errors.InvalidConfigurationException: ${message}\n`)
    }
    expect((await embedded(s, ['--describe', '--entity-type', 'groups'])).out).toBe('')
  })
})

describe('configs argument errors', () => {
  const cases: [string[], string][] = [
    [['--topic', 't'], 'Command must include exactly one action: --describe, --alter'],
    [['--describe', '--alter', '--topic', 't'], 'Command must include exactly one action: --describe, --alter'],
    [['--describe', '--topic', 't', '--add-config', 'a=1'], 'Option "[describe]" can\'t be used with option "[add-config]"'],
    [['--alter', '--topic', 't'], 'At least one of --add-config, --add-config-file, or --delete-config must be specified with --alter'],
    [['--alter', '--topic', 't', '--add-config', 'a=1', '--add-config-file', 'x'], 'Only one of --add-config or --add-config-file must be specified'],
    [['--alter', '--entity-type', 'topics', '--add-config', 'a=1'], 'An entity name must be specified with --alter of topics'],
    [['--alter', '--entity-type', 'brokers', '--add-config', 'a=1'], 'An entity-name or default entity must be specified with --alter of users, clients, brokers or ips'],
    [['--describe', '--entity-type', 'brokers', '--entity-name', 'x'], 'The entity name for brokers must be a valid integer broker id, but it is: x'],
    [['--describe', '--entity-type', 'topics', '--topic', 't'], 'Duplicate entity type(s) specified: topics'],
    [['--describe', '--entity-name', 't', '--broker', '1'], '--entity-{type,name,default} should not be used in conjunction with specific entity flags'],
    [['--describe'], 'At least one entity type must be specified'],
    [['--alter', '--topic', 't', '--add-config', 'retention.ms'], 'requirement failed: Invalid entity config: all configs to be added must be in the format "key=val" or  "key=[val1,val2]" to group values which contain commas.'],
    [['--alter', '--topic', 't', '--add-config', 'a b=1'], 'Invalid character found for config key: a b'],
    [
      ['--describe', '--entity-type', 'queues'],
      'Invalid entity type queues, the entity type must be one of topics, clients, users, brokers, ips, client-metrics, groups, broker-loggers with a --bootstrap-server or --bootstrap-controller argument',
    ],
    [['--describe', '--entity-type', 'groups', '--entity-default'], '--entity-default must not be specified with --describe of groups'],
    [['--alter', '--entity-type', 'groups', '--add-config', 'a=1'], 'An entity name must be specified with --alter of groups'],
    [['--describe', '--client-metrics', 'm'], 'kafka-ts configs supports --entity-type topics, brokers and groups; client-metrics are not supported.'],
  ]
  it.each(cases)('%j → %s', async (args, message) => {
    const dir = tempDir()
    try {
      const r = await runCli(['configs', ...args], { dataDir: path.join(dir.dir, 'data') })
      expect(r.code).toBe(1)
      expect(r.out).toBe('')
      expect(r.stderr.split('\n').filter((l) => !l.startsWith('Initialised'))[0]).toBe(message)
    } finally {
      dir.cleanup()
    }
  })
})
