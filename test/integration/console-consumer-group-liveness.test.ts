// Embedded group members record the pid of their kafka-ts process; the coordinator expires a member
// whose process is gone without waiting for its session timeout. Here with Kafka's DEFAULT session
// timeout (45 s) and heartbeat interval (3 s): after a SIGKILL the survivor must own every partition
// long before 45 s could have passed. The 15 s bound is far from both numbers, so this is not a timing
// assertion: without the liveness check the survivor cannot get the partitions before 45 s at all.

import { describe, expect, it } from 'vitest'

import { createTopic, produce, useCliSandbox } from './fixtures/console.js'
import { KEYED, PRINT_POSITION, assignmentByClient, eventually, groupOverview, keyedLines, parsePrinted } from './fixtures/console-group.js'

const sandbox = useCliSandbox()

const PARTITIONS = 4
const DEFAULT_SESSION_TIMEOUT_MS = 45_000

describe('console-consumer --group: a SIGKILLed member of this machine', () => {
  it('is dropped without waiting for session.timeout.ms: the survivor takes over every partition', async () => {
    const topic = 'work'
    const group = 'workers'
    expect((await createTopic(sandbox.dir, topic, '--partitions', String(PARTITIONS))).code).toBe(0)
    // No session or heartbeat properties: Kafka's defaults (45 s, 3 s).
    const member = (name: string) =>
      sandbox.start(['console-consumer', '--topic', topic, '--group', group, '--from-beginning', ...PRINT_POSITION, '--command-property', `client.id=${name}`])
    const survivor = member('survivor')
    const victim = member('victim')

    const formed = await eventually('two members, Stable', () => {
      const o = groupOverview(sandbox.dir, group)
      return o.state === 'Stable' && o.members.length === 2 ? o : undefined
    })
    expect(formed.members.find((m) => m.clientId === 'survivor')?.assignedPartitions).not.toBeNull()
    const before = assignmentByClient(formed)
    expect(before.get('victim')?.length).toBe(PARTITIONS / 2)
    expect(before.get('survivor')?.length).toBe(PARTITIONS / 2)

    victim.child.kill('SIGKILL')
    await victim.exited

    // Records written after the kill, keyed so the default partitioner spreads them over every partition.
    expect((await produce(sandbox.dir, topic, keyedLines(0, 200), ...KEYED)).code).toBe(0)
    // The bound is the point of the test: a third of the session timeout, which has not run out yet.
    const printedPartitions = await eventually(
      'the survivor printing records of every partition',
      () => {
        const partitions = new Set(parsePrinted(survivor.stdout().toString('utf8')).map((r) => r.partition))
        return partitions.size === PARTITIONS ? partitions : undefined
      },
      DEFAULT_SESSION_TIMEOUT_MS / 3,
    )
    expect([...printedPartitions].sort()).toEqual([0, 1, 2, 3])

    const after = groupOverview(sandbox.dir, group)
    expect(after.state).toBe('Stable')
    expect(after.members.map((m) => m.clientId)).toEqual(['survivor'])
    expect(assignmentByClient(after).get('survivor')).toEqual([0, 1, 2, 3])
    // Every record was printed exactly once, by the survivor.
    const values = await eventually('all 200 records printed', () => {
      const printed = parsePrinted(survivor.stdout().toString('utf8')).map((r) => r.value)
      return printed.length >= 200 ? printed : undefined
    })
    expect(values.sort()).toEqual(Array.from({ length: 200 }, (_, i) => `v-${i}`).sort())
  }, 60_000)
})
