import { spawn } from 'node:child_process'

import { afterEach, describe, expect, it } from 'vitest'

import { BIN, runCli } from '../helpers/cli.js'
import { startTestServer, type TestServer } from '../helpers/server.js'
import { kcatStatus, skipWithoutTool } from './helpers/tools.js'

// Issue 4: with a server running on the same data directory, embedded members (console-consumer
// --group, no server involved) and protocol members (here librdkafka via kcat -G) of one group join
// through the same coordinator state, so no partition is owned by both. Issue 12: the same with a
// remote console-consumer --group (our own wire group member) beside librdkafka's.

const kcat = kcatStatus()
let server: TestServer | undefined
afterEach(async () => {
  await server?.stop()
  server = undefined
})

describe.skipIf(skipWithoutTool(kcat))('one group of embedded and wire-protocol members', () => {
  it.each(['embedded', 'remote'] as const)('splits the partitions between a kcat -G member and a console-consumer --group (%s)', async (mode) => {
    server = await startTestServer()
    const dataDir = server.dataDir
    expect((await runCli(['topics', '--create', '--topic', 'mixed', '--partitions', '4'], { dataDir })).code).toBe(0)
    const lines = Array.from({ length: 400 }, (_, i) => `k${i}\tv${i}`)
    expect((await runCli(['console-producer', '--topic', 'mixed', '--reader-property', 'parse.key=true'], { dataDir, input: `${lines.join('\n')}\n` })).code).toBe(0)

    const common = ['--command-property', 'session.timeout.ms=6000', '--command-property', 'heartbeat.interval.ms=500', '--command-property', 'auto.commit.interval.ms=500']
    const where = mode === 'remote' ? ['--bootstrap-server', server.bootstrap] : []
    const embedded = spawn(process.execPath, [BIN, 'console-consumer', '--topic', 'mixed', '--group', 'mix', '--from-beginning', '--formatter-property', 'print.partition=true', ...common, ...where], {
      env: { ...process.env, ...(mode === 'remote' ? {} : { KAFKA_TS_DATA_DIR: dataDir }), NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const kcatMember = spawn(
      'kcat',
      ['-u', '-b', server.bootstrap, '-G', 'mix', 'mixed', '-o', 'beginning', '-f', 'Partition:%p\t%s\n', '-X', 'auto.offset.reset=earliest', '-X', 'session.timeout.ms=6000', '-X', 'heartbeat.interval.ms=500', '-q'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let embeddedOut = ''
    let kcatOut = ''
    embedded.stdout.on('data', (c: Buffer) => (embeddedOut += c.toString()))
    kcatMember.stdout.on('data', (c: Buffer) => (kcatOut += c.toString()))

    // Wait until every record has been printed by someone (bounded), then stop both members.
    const deadline = Date.now() + 40_000
    const count = () => embeddedOut.split('\n').filter(Boolean).length + kcatOut.split('\n').filter(Boolean).length
    while (Date.now() < deadline && count() < lines.length) await new Promise((r) => setTimeout(r, 200))
    // Give a rebalance that may still be settling a moment to print anything else it would.
    await new Promise((r) => setTimeout(r, 1500))
    embedded.kill('SIGINT')
    kcatMember.kill('SIGINT')
    await Promise.all([new Promise((r) => embedded.on('close', r)), new Promise((r) => kcatMember.on('close', r))])

    const parse = (out: string) => out.split('\n').filter(Boolean).map((l) => ({ partition: Number(/^Partition:(\d+)/.exec(l)?.[1]), value: l.split('\t')[1] }))
    const fromEmbedded = parse(embeddedOut)
    const fromKcat = parse(kcatOut)
    // Every record printed, by exactly one of the two kinds of member.
    expect([...fromEmbedded, ...fromKcat].map((r) => r.value).sort()).toEqual(lines.map((l) => l.split('\t')[1]).sort())
    // Both kinds took part, and no partition was read by both.
    const embeddedPartitions = new Set(fromEmbedded.map((r) => r.partition))
    const kcatPartitions = new Set(fromKcat.map((r) => r.partition))
    expect(embeddedPartitions.size).toBeGreaterThan(0)
    expect(kcatPartitions.size).toBeGreaterThan(0)
    expect([...embeddedPartitions].filter((p) => kcatPartitions.has(p))).toEqual([])
  })
})
