// kafka-ts cluster (Kafka 4's kafka-cluster.sh, cli-4.md B.7): cluster-id and list-endpoints embedded and
// against server-start, unregister refused as a node without the API, and the --config rename.

import fs from 'node:fs'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { runCli } from '../helpers/cli.js'
import { startTestServer, type TestServer } from '../helpers/server.js'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server?.stop()
})

const clusterIdOf = (dataDir: string) => /cluster\.id=(\S+)/.exec(fs.readFileSync(path.join(dataDir, 'meta.properties'), 'utf8'))?.[1]

describe('cluster', () => {
  it('cluster-id prints the id of meta.properties, embedded and remote', async () => {
    const id = clusterIdOf(server.dataDir)
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/)
    const [e, r] = await Promise.all([
      runCli(['cluster', 'cluster-id'], { dataDir: server.dataDir }),
      runCli(['cluster', 'cluster-id', '--bootstrap-server', server.bootstrap]),
    ])
    expect(e.out).toBe(`Cluster ID: ${id}\n`)
    expect(r.out).toBe(`Cluster ID: ${id}\n`)
  })

  it('list-endpoints prints Kafka\'s table: the node the server advertises, unfenced, rack null', async () => {
    const r = await runCli(['cluster', 'list-endpoints', '-b', server.bootstrap])
    expect(r.code).toBe(0)
    const host = '127.0.0.1'
    expect(r.out).toBe(
      `${'ID'.padEnd(10)} ${'HOST'.padEnd(host.length)} ${'PORT'.padEnd(10)} ${'RACK'.padEnd(10)} ${'STATE'.padEnd(10)} ${'ENDPOINT_TYPE'.padEnd(15)}\n` +
        `${'1'.padEnd(10)} ${host} ${String(server.port).padEnd(10)} ${'null'.padEnd(10)} ${'unfenced'.padEnd(10)} ${'broker'.padEnd(15)}\n`,
    )
  })

  it('--bootstrap-controller / -C: the node as a controller, without the STATE column; never beside -b', async () => {
    const host = '127.0.0.1'
    const r = await runCli(['cluster', 'list-endpoints', '-C', server.bootstrap])
    expect(r.code).toBe(0)
    expect(r.out).toBe(
      `${'ID'.padEnd(10)} ${'HOST'.padEnd(host.length)} ${'PORT'.padEnd(10)} ${'RACK'.padEnd(10)} ${'ENDPOINT_TYPE'.padEnd(15)}\n` +
        `${'1'.padEnd(10)} ${host} ${String(server.port).padEnd(10)} ${'null'.padEnd(10)} ${'controller'.padEnd(15)}\n`,
    )
    const id = await runCli(['cluster', 'cluster-id', '--bootstrap-controller', server.bootstrap])
    expect(id.out).toBe(`Cluster ID: ${clusterIdOf(server.dataDir)}\n`)
    const fenced = await runCli(['cluster', 'list-endpoints', '-C', server.bootstrap, '--include-fenced-brokers'])
    expect(fenced.code).toBe(1)
    expect(fenced.stderr).toContain('The option --include-fenced-brokers is only supported with --bootstrap-server option')
    const both = await runCli(['cluster', 'cluster-id', '-b', server.bootstrap, '-C', server.bootstrap])
    expect(both.code).toBe(1)
    expect(both.stderr).toContain('kafka-cluster cluster-id: error: argument --bootstrap-controller/-C: not allowed with argument --bootstrap-server/-b')
    const reversed = await runCli(['cluster', 'list-endpoints', '--bootstrap-controller', server.bootstrap, '--bootstrap-server', server.bootstrap])
    expect(reversed.stderr).toContain('kafka-cluster list-endpoints: error: argument --bootstrap-server/-b: not allowed with argument --bootstrap-controller/-C')
  })

  it('unregister: one line, exit 1; --config still works with Kafka\'s warning, and not beside --command-config', async () => {
    const u = await runCli(['cluster', 'unregister', '--id', '1', '--bootstrap-server', server.bootstrap])
    expect(u.code).toBe(1)
    expect(u.stderr).toContain('The target cluster does not support the broker unregistration API.')
    const old = await runCli(['cluster', 'cluster-id', '--bootstrap-server', server.bootstrap, '--config', '/dev/null'])
    expect(old.out.split('\n')[0]).toBe('Option --config has been deprecated and will be removed in a future version. Use --command-config instead.')
    const both = await runCli(['cluster', 'cluster-id', '--bootstrap-server', server.bootstrap, '--config', '/dev/null', '-c', '/dev/null'])
    expect(both.code).toBe(1)
    expect(both.stderr).toContain('kafka-cluster: error: --config and --command-config cannot be specified together.')
  })
})
