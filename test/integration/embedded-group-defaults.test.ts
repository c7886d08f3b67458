// Embedded commands run with Kafka's quickstart group.initial.rebalance.delay.ms=0 (not the broker
// default of 3 s): a lone `console-consumer --group` completes its first join without a delay phase.

import { afterEach, beforeEach, expect, it } from 'vitest'

import { runCli, tempDir } from '../helpers/cli.js'
import { openSqliteLogStore } from '../../src/storage/sqlite/sqlite-log-store.js'

let dir: string
let cleanup: () => void
beforeEach(() => {
  ;({ dir, cleanup } = tempDir())
})
afterEach(() => cleanup())

it('the embedded broker reports group.initial.rebalance.delay.ms=0, as a quickstart broker does', async () => {
  const r = await runCli(['configs', '--describe', '--entity-type', 'brokers', '--entity-name', '1', '--all'], { dataDir: dir })
  expect(r.code, r.stderr).toBe(0)
  expect(r.out).toContain(
    '  group.initial.rebalance.delay.ms=0 sensitive=false synonyms={STATIC_BROKER_CONFIG:group.initial.rebalance.delay.ms=0, DEFAULT_CONFIG:group.initial.rebalance.delay.ms=3000}\n',
  )
})

it('an embedded console-consumer --group joins its new group with no initial delay', async () => {
  expect((await runCli(['topics', '--create', '--topic', 't'], { dataDir: dir })).code).toBe(0)
  expect((await runCli(['console-producer', '--topic', 't'], { dataDir: dir, input: 'hello\n' })).code).toBe(0)
  const r = await runCli(['console-consumer', '--topic', 't', '--group', 'g', '--from-beginning', '--max-messages', '1'], { dataDir: dir })
  expect(r.code, r.stderr).toBe(0)
  expect(r.out).toBe('hello\n')
  // The coordinator's state as it stored it: the delay its first join phase was given (3000 before).
  const store = openSqliteLogStore(dir)
  try {
    const group = store.groups.group('g')
    expect(group?.initialDelayMs).toBe(0)
  } finally {
    store.close()
  }
})
