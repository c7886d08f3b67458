// kafka-ts features (Kafka 4.3's kafka-features.sh, cli-4.md B.6): the levels `storage format` wrote, described
// and changed embedded and through server-start over one data directory, with Kafka's checks and texts.

import fs from 'node:fs'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { runCli, tempDir } from '../helpers/cli.js'
import { startTestServer, type TestServer } from '../helpers/server.js'

let dir: string
let cleanup: () => void
let server: TestServer

/** A data directory formatted by `storage format --release-version <release>`. */
async function formatted(name: string, release: string): Promise<string> {
  const logs = path.join(dir, name)
  const config = path.join(dir, `${name}.properties`)
  fs.writeFileSync(config, `node.id=1\nlog.dirs=${logs}\n`)
  const clusterId = (await runCli(['storage', 'random-uuid'])).out.trim()
  const r = await runCli(['storage', 'format', '-t', clusterId, '-c', config, '--release-version', release])
  expect(r.code, r.stderr).toBe(0)
  return logs
}

const line = (feature: string, min: string, max: string, finalized: string, epoch: number) =>
  `Feature: ${feature.padEnd(40)}  SupportedMinVersion: ${min.padEnd(15)}  SupportedMaxVersion: ${max.padEnd(15)}  FinalizedVersionLevel: ${finalized.padEnd(15)}  Epoch: ${epoch}`

beforeAll(async () => {
  ;({ dir, cleanup } = tempDir('kafka-ts-features-'))
  server = await startTestServer({ dataDir: await formatted('shared', '4.0') })
})
afterAll(async () => {
  await server?.stop()
  cleanup?.()
})

describe('features', () => {
  it('describes the levels format wrote, the same embedded and remote; an upgrade through the server is seen embedded', async () => {
    const before = [
      line('eligible.leader.replicas.version', '0', '1', '0', 1),
      line('group.version', '0', '1', '1', 1),
      line('kraft.version', '0', '1', '0', 1),
      line('metadata.version', '3.3-IV3', '4.3-IV0', '4.0-IV3', 1),
      line('share.version', '0', '1', '0', 1),
      line('streams.version', '0', '1', '0', 1),
      line('transaction.version', '0', '2', '2', 1),
    ].join('\n') + '\n'
    const [embedded, remote] = await Promise.all([
      runCli(['features', 'describe'], { dataDir: server.dataDir }),
      runCli(['features', '--bootstrap-server', server.bootstrap, 'describe']),
    ])
    expect({ code: embedded.code, out: embedded.out }).toEqual({ code: 0, out: before })
    expect({ code: remote.code, out: remote.out }).toEqual({ code: 0, out: before })

    const upgraded = await runCli(['features', '--bootstrap-server', server.bootstrap, 'upgrade', '--release-version', '4.3'])
    expect({ code: upgraded.code, err: upgraded.stderr }).toEqual({ code: 0, err: '' })
    expect(upgraded.out).toBe(
      [
        'eligible.leader.replicas.version was upgraded to 1.',
        'group.version was upgraded to 1.',
        'kraft.version was upgraded to 1.',
        'metadata.version was upgraded to 30.',
        'share.version was upgraded to 1.',
        'streams.version was upgraded to 1.',
        'transaction.version was upgraded to 2.',
      ].join('\n') + '\n',
    )
    const after = await runCli(['features', 'describe'], { dataDir: server.dataDir })
    expect(after.out.split('\n').filter((l) => /metadata\.version|share\.version/.test(l))).toEqual([
      line('metadata.version', '3.3-IV3', '4.3-IV0', '4.3-IV0', 2),
      line('share.version', '0', '1', '1', 2),
    ])
  })

  it('refuses a metadata downgrade that could lose metadata, and a dry run changes nothing', async () => {
    const refused = await runCli(['features', 'downgrade', '--metadata', '4.2'], { dataDir: server.dataDir })
    expect(refused.code).toBe(1)
    expect(refused.out).toBe(
      ' `metadata` flag is deprecated and may be removed in a future release.\n' +
        'Could not downgrade metadata.version to 29. Invalid metadata.version 29. Refusing to perform the requested downgrade because it might delete metadata information.\n',
    )
    expect(refused.stderr).toBe('1 out of 1 operation(s) failed.\n')
    const dry = await runCli(['features', '--bootstrap-server', server.bootstrap, 'disable', '--feature', 'share.version', '--dry-run'])
    expect({ code: dry.code, out: dry.out }).toEqual({ code: 0, out: 'share.version can be disabled.\n' })
    const still = await runCli(['features', 'describe'], { dataDir: server.dataDir })
    expect(still.out).toContain(line('share.version', '0', '1', '1', 2))
  })

  it('checks levels against what this node supports and what they depend on', async () => {
    const old = await formatted('old', '3.9')
    const tooHigh = await runCli(['features', 'upgrade', '--feature', 'group.version=5'], { dataDir: old })
    expect(tooHigh.out).toBe('Could not upgrade group.version to 5. Invalid update version 5 for feature group.version. Local controller 1 only supports versions 0-1\n')
    const dependent = await runCli(['features', 'upgrade', '--feature', 'eligible.leader.replicas.version=1'], { dataDir: old })
    expect(dependent.out).toBe(
      'Could not upgrade eligible.leader.replicas.version to 1. Invalid update version 1 for feature eligible.leader.replicas.version. ' +
        'eligible.leader.replicas.version could not be set to 1 because it depends on metadata.version level 23\n',
    )
    const downward = await runCli(['features', 'upgrade', '--feature', 'transaction.version=0'], { dataDir: server.dataDir })
    expect(downward.out).toContain("Can't downgrade the version of this feature without setting the upgrade type to either safe or unsafe downgrade.")
    for (const r of [tooHigh, dependent, downward]) expect({ code: r.code, err: r.stderr }).toEqual({ code: 1, err: '1 out of 1 operation(s) failed.\n' })
  })

  it("answers bad arguments with FeatureCommand's texts", async () => {
    const cases: [string[], string][] = [
      [['upgrade', '--release-version', '4.3', '--feature', 'group.version=1'], 'Can not specify `release-version` with other feature flags.\n'],
      [['upgrade'], 'You must specify at least one feature to upgrade\n'],
      [['upgrade', '--feature', 'group.version'], "Can't parse feature=level string group.version: equals sign not found.\n"],
      [['upgrade', '--feature', 'group.version=1', '--feature', 'group.version=0'], 'Feature group.version was specified more than once.\n'],
      [['upgrade', '--release-version', '2.8'], expect.stringMatching(/^Unknown metadata\.version 2\.8\. Supported metadata\.version are 3\.3-IV3, 3\.4-IV0, .*, 4\.3-IV0\n$/) ],
      [['describe', '--node-id', '-1'], 'Invalid node id -1: must be non-negative.\n'],
      [['frobnicate'], "Command line error: argument command: invalid choice: 'frobnicate' (choose from 'describe', 'upgrade', 'downgrade', 'disable', 'version-mapping', 'feature-dependencies'). Type --help for help."],
      [['--bootstrap-server', 'a:1', '--bootstrap-controller', 'b:2', 'describe'], 'Command line error: argument --bootstrap-controller: not allowed with argument --bootstrap-server. Type --help for help.'],
    ]
    for (const [args, err] of cases) {
      const r = await runCli(['features', ...args], { dataDir: server.dataDir })
      expect({ args, code: r.code, err: r.stderr }).toEqual({ args, code: 1, err })
    }
  })

  it('version-mapping and feature-dependencies need no data directory', async () => {
    const mapping = await runCli(['features', 'version-mapping', '--release-version', '4.1'], { dataDir: path.join(dir, 'never-created') })
    expect(mapping.out.split('\n')[0]).toBe('metadata.version=27 (4.1)')
    const deps = await runCli(['features', 'feature-dependencies', '--feature', 'eligible.leader.replicas.version=1'], { dataDir: path.join(dir, 'never-created') })
    expect(deps.out).toBe('eligible.leader.replicas.version=1 requires:\n    metadata.version=23 (4.0-IV1)\n')
    expect(fs.existsSync(path.join(dir, 'never-created'))).toBe(false)
  })
})
