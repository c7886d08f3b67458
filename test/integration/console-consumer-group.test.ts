// console-consumer --group in embedded mode: several processes on one data directory, no server, form
// one consumer group through the coordinator state in SQLite. Bounds on waiting only stop a hung test;
// nothing here asserts speed.

import fs from 'node:fs'
import path from 'node:path'

import { beforeEach, describe, expect, it } from 'vitest'

import { consume, createTopic, lines, partitionEnds, produce, useCliSandbox } from './fixtures/console.js'
import {
  FAST_GROUP,
  KEYED,
  PRINT_POSITION,
  assignmentByClient,
  committedOffsets,
  eventually,
  groupOverview,
  keyedLines,
  parsePrinted,
  type PrintedRecord,
} from './fixtures/console-group.js'

const sandbox = useCliSandbox()
const start = (args: string[]) => sandbox.start(args)

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('console-consumer --group: members sharing a topic', () => {
  it('splits the partitions; a SIGKILLed member costs only its uncommitted window; members joining and leaving mid-stream lose and repeat nothing', async () => {
    const topic = 'work'
    const group = 'workers'
    const total = 30_000
    const extra = 3_000
    expect((await createTopic(sandbox.dir, topic, '--partitions', '6')).code).toBe(0)

    const member = (name: string) =>
      start(['console-consumer', '--topic', topic, '--group', group, '--from-beginning', ...PRINT_POSITION, ...FAST_GROUP, '--command-property', `client.id=${name}`])
    const members = new Map([
      ['m1', member('m1')],
      ['m2', member('m2')],
      ['m3', member('m3')],
    ])

    // One generation with the three of them, each holding two partitions (range over 6), none shared.
    const first = await eventually('three members, Stable', () => {
      const o = groupOverview(sandbox.dir, group)
      return o.state === 'Stable' && o.members.length === 3 ? o : undefined
    })
    expect(first.protocolName).toBe('range')
    const firstAssignment = assignmentByClient(first)
    expect([...firstAssignment.values()].map((ps) => ps.length)).toEqual([2, 2, 2])
    expect([...firstAssignment.values()].flat().sort()).toEqual([0, 1, 2, 3, 4, 5])
    for (const m of first.members) {
      expect(m.memberId.startsWith(`${m.clientId}-`)).toBe(true)
      expect(m.clientHost).toBe('/127.0.0.1')
    }

    // A producer writing for several seconds while the members read (keyed lines, spread over the six
    // partitions by the default partitioner).
    const writer = (from: number, to: number) => {
      const producer = start(['console-producer', '--topic', topic, ...KEYED, '--timeout', '5'])
      const state = { written: from }
      const done = (async () => {
        for (const chunk = 150; state.written < to; state.written += chunk) {
          producer.child.stdin.write(keyedLines(state.written, Math.min(to, state.written + chunk)))
          await sleep(40)
        }
        producer.child.stdin.end()
        const { code } = await producer.exited
        if (code !== 0) throw new Error(`console-producer exited ${code}: ${producer.stderr()}`)
      })()
      return { state, done }
    }
    const allValues = (n: number) => {
      const seen = new Set<string>()
      for (const p of members.values()) for (const r of parsePrinted(p.stdout().toString('utf8'))) seen.add(r.value)
      return seen.size >= n ? seen : undefined
    }
    const stream = writer(0, total)

    // SIGKILL one member mid-stream, once it has committed progress of its own (so its uncommitted
    // window is a real tail, not simply everything it printed).
    const victim = members.get('m3')!
    const victimPartitions = firstAssignment.get('m3')!
    await eventually('the victim committed progress', () =>
      victimPartitions.every((p) => (committedOffsets(sandbox.dir, group, topic, 6)[p] ?? 0) > 0) ? true : undefined,
    )
    expect(groupOverview(sandbox.dir, group).generationId).toBe(first.generationId)
    victim.child.kill('SIGKILL')
    await victim.exited
    // The victim's last commits: nobody else commits these partitions before a survivor notices the
    // dead process (its next heartbeat, 0.5 s here), the group rebalances and the new owner's next
    // auto-commit (1 s) — read milliseconds after the victim exited, these are still its commits.
    const victimCommitted = committedOffsets(sandbox.dir, group, topic, 6)
    expect(stream.state.written).toBeLessThan(total) // the kill really was mid-stream

    // A new member joins while records still flow: the survivors commit and give up their partitions
    // (eager rebalance), the victim is expelled as soon as its process is gone, and the three share the six.
    members.set('m4', member('m4'))
    const afterKill = await eventually('m1, m2, m4 Stable over all partitions', () => {
      const o = groupOverview(sandbox.dir, group)
      // m4's process may still be starting when the survivors first settle without m3.
      if (o.state !== 'Stable' || o.members.some((m) => m.clientId === 'm3') || !o.members.some((m) => m.clientId === 'm4')) return undefined
      return o
    })
    expect([...assignmentByClient(afterKill).keys()].sort()).toEqual(['m1', 'm2', 'm4'])
    expect([...assignmentByClient(afterKill).values()].flat().sort()).toEqual([0, 1, 2, 3, 4, 5])
    await stream.done
    await eventually('every record printed by some member', () => allValues(total), 60_000)

    // A member exiting cleanly (SIGTERM) mid-stream commits what it printed and leaves; the others
    // rebalance at once and carry on from its commits.
    const more = writer(total, total + extra)
    await sleep(500)
    const leaving = members.get('m1')!
    leaving.child.kill('SIGTERM')
    expect((await leaving.exited).code, leaving.stderr()).toBe(0)
    await more.done
    await eventually('the extra records printed', () => allValues(total + extra), 30_000)

    // The last members exit too: the group ends Empty, its commits at the log end.
    for (const name of ['m2', 'm4']) members.get(name)!.child.kill('SIGTERM')
    for (const name of ['m1', 'm2', 'm4']) {
      const p = members.get(name)!
      expect((await p.exited).code, p.stderr()).toBe(0)
      expect(p.stderr()).toMatch(/Processed a total of \d+ messages/)
    }
    const end = groupOverview(sandbox.dir, group)
    expect(end.state).toBe('Empty')
    expect(end.members).toEqual([])
    const ends = partitionEnds(sandbox.dir, topic)
    expect(committedOffsets(sandbox.dir, group, topic, 6)).toEqual(ends)

    const printed = new Map([...members].map(([name, p]) => [name, parsePrinted(p.stdout().toString('utf8'))]))
    const expected = new Set(Array.from({ length: total + extra }, (_, i) => `v-${i}`))
    const union = new Set([...printed.values()].flatMap((rs) => rs.map((r) => r.value)))
    expect(union).toEqual(expected)

    // No member prints a record twice.
    for (const rs of printed.values()) expect(new Set(rs.map((r) => r.value)).size).toBe(rs.length)

    // The uncommitted window: a member commits the positions of what it has written to stdout every
    // auto.commit.interval.ms (1 s here), before every rebalance and on a clean exit. A SIGKILLed member
    // therefore leaves uncommitted exactly what it printed after its last commit — at most about one
    // commit interval of its output per partition — and the new owner reprints those records, from the
    // committed offset on. Every duplicate must be such a record: printed by the victim and by one
    // survivor, in a partition the victim held, at or after the victim's last committed offset.
    const key = (r: PrintedRecord) => `${r.partition}:${r.offset}`
    const owners = new Map<string, string[]>()
    for (const [name, rs] of printed) for (const r of rs) owners.set(key(r), [...(owners.get(key(r)) ?? []), name])
    const victimKeys = new Set(printed.get('m3')!.map(key))
    for (const [k, names] of owners) {
      if (names.length === 1) continue
      expect(names.length).toBe(2)
      expect(names).toContain('m3')
      const [partition, offset] = k.split(':').map(Number) as [number, number]
      expect(victimPartitions).toContain(partition)
      expect(offset).toBeGreaterThanOrEqual(victimCommitted[partition]!)
      expect(victimKeys.has(k)).toBe(true)
    }
    // Conversely, everything the victim printed at or after its last commit in those partitions was
    // reprinted (the survivors resumed at the committed offset, not later).
    for (const r of printed.get('m3')!) {
      if (victimPartitions.includes(r.partition) && r.offset >= victimCommitted[r.partition]!) expect(owners.get(key(r))!.length).toBe(2)
    }
    // The survivors took over the victim's partitions.
    const survivors = [...printed.get('m1')!, ...printed.get('m2')!, ...printed.get('m4')!]
    for (const p of victimPartitions) expect(survivors.some((r) => r.partition === p && r.offset >= Math.max(0, victimCommitted[p]!))).toBe(true)
  }, 120_000)
})

describe('console-consumer --group: committed offsets', () => {
  const topic = 'orders'
  const groupArgs = (group: string, ...more: string[]) => ['--topic', topic, '--group', group, ...PRINT_POSITION, ...FAST_GROUP, ...more]

  it('commits exactly what was printed on exit, resumes there, and honours --from-beginning only without commits', async () => {
    expect((await createTopic(sandbox.dir, topic, '--partitions', '3')).code).toBe(0)
    expect((await produce(sandbox.dir, topic, keyedLines(0, 300), ...KEYED)).code).toBe(0)

    // --max-messages: the member stops mid-partition; the commit must be the first unprinted record.
    const first = await consume(sandbox.dir, ...groupArgs('g', '--from-beginning', '--max-messages', '100'))
    expect(first.code).toBe(0)
    expect(first.stderr).toContain('Processed a total of 100 messages')
    const firstRecords = parsePrinted(first.out)
    expect(firstRecords.length).toBe(100)
    const overview = groupOverview(sandbox.dir, 'g')
    expect(overview.state).toBe('Empty')
    expect(overview.members).toEqual([])
    // Every partition started at 0 (earliest), so the committed offset is one past its last printed record.
    const committed = committedOffsets(sandbox.dir, 'g', topic, 3)
    for (let p = 0; p < 3; p++) {
      const offsets = firstRecords.filter((r) => r.partition === p).map((r) => r.offset)
      expect(committed[p]).toBe(offsets.length === 0 ? 0 : Math.max(...offsets) + 1)
      expect(offsets).toEqual(Array.from({ length: offsets.length }, (_, i) => i))
    }

    // A restarted member resumes at the committed offsets: the other 200, none of the first 100.
    const second = await consume(sandbox.dir, ...groupArgs('g', '--from-beginning', '--max-messages', '200'))
    expect(second.code).toBe(0)
    const secondValues = parsePrinted(second.out).map((r) => r.value)
    expect(new Set([...firstRecords.map((r) => r.value), ...secondValues]).size).toBe(300)
    expect(committedOffsets(sandbox.dir, 'g', topic, 3)).toEqual(partitionEnds(sandbox.dir, topic))

    // With commits in place --from-beginning changes nothing (Kafka: it only sets auto.offset.reset).
    expect((await produce(sandbox.dir, topic, keyedLines(300, 310), ...KEYED)).code).toBe(0)
    const third = await consume(sandbox.dir, ...groupArgs('g', '--from-beginning', '--max-messages', '10'))
    expect(third.code).toBe(0)
    expect(new Set(parsePrinted(third.out).map((r) => r.value))).toEqual(new Set(Array.from({ length: 10 }, (_, i) => `v-${300 + i}`)))

    // A group without commits does start at the beginning with it.
    const fresh = await consume(sandbox.dir, ...groupArgs('other', '--from-beginning', '--max-messages', '310'))
    expect(fresh.code).toBe(0)
    expect(new Set(parsePrinted(fresh.out).map((r) => r.value)).size).toBe(310)
  }, 90_000)

  it('starts at the log end without --from-beginning and takes the group id from --command-config', async () => {
    expect((await createTopic(sandbox.dir, topic, '--partitions', '2')).code).toBe(0)
    expect((await produce(sandbox.dir, topic, keyedLines(0, 50), ...KEYED)).code).toBe(0)
    const config = path.join(sandbox.dir, 'consumer.properties')
    fs.writeFileSync(config, 'group.id=latest-group\nsession.timeout.ms=6000\nheartbeat.interval.ms=500\nauto.commit.interval.ms=200\n')
    const member = start(['console-consumer', '--topic', topic, '--command-config', config, ...PRINT_POSITION])
    // Its first auto-commit shows where it starts: the log end (auto.offset.reset=latest).
    const ends = partitionEnds(sandbox.dir, topic)
    await eventually('positions committed', () => (committedOffsets(sandbox.dir, 'latest-group', topic, 2).every((o, p) => o === ends[p]) ? true : undefined))
    expect((await produce(sandbox.dir, topic, keyedLines(50, 60), ...KEYED)).code).toBe(0)
    await member.waitForStdout((out) => lines(out).length >= 10, 20_000)
    member.child.kill('SIGINT')
    expect((await member.exited).code).toBe(0)
    expect(new Set(parsePrinted(member.stdout().toString('utf8')).map((r) => r.value))).toEqual(new Set(Array.from({ length: 10 }, (_, i) => `v-${50 + i}`)))
    expect(committedOffsets(sandbox.dir, 'latest-group', topic, 2)).toEqual(partitionEnds(sandbox.dir, topic))
    expect(groupOverview(sandbox.dir, 'latest-group').state).toBe('Empty')
  }, 60_000)

  it('follows --include matches and assigns with roundrobin when configured', async () => {
    expect((await createTopic(sandbox.dir, 'inc-a', '--partitions', '2')).code).toBe(0)
    expect((await createTopic(sandbox.dir, 'inc-b', '--partitions', '1')).code).toBe(0)
    expect((await produce(sandbox.dir, 'inc-a', keyedLines(0, 20), ...KEYED)).code).toBe(0)
    expect((await produce(sandbox.dir, 'inc-b', keyedLines(20, 30), ...KEYED)).code).toBe(0)
    const strategy = ['--command-property', 'partition.assignment.strategy=org.apache.kafka.clients.consumer.RoundRobinAssignor']
    const member = start(['console-consumer', '--include', 'inc-.*', '--group', 'rr', '--from-beginning', ...FAST_GROUP, ...strategy])
    await member.waitForStdout((out) => lines(out).length >= 30, 20_000)
    const o = groupOverview(sandbox.dir, 'rr')
    expect(o.protocolName).toBe('roundrobin')
    expect(o.members[0]?.assignedPartitions).toEqual([
      { topic: 'inc-a', partitions: [0, 1] },
      { topic: 'inc-b', partitions: [0] },
    ])
    member.child.kill('SIGTERM')
    expect((await member.exited).code).toBe(0)
    expect(new Set(lines(member.stdout().toString('utf8')))).toEqual(new Set(Array.from({ length: 30 }, (_, i) => `v-${i}`)))
  }, 60_000)
})

describe('console-consumer --group: option checks', () => {
  beforeEach(async () => {
    expect((await createTopic(sandbox.dir, 't')).code).toBe(0)
  })

  it.each([
    [['--topic', 't', '--command-property', 'group.id=g', '--partition', '0'], 'Options group and partition cannot be specified together.'],
    [['--topic', 't', '--group', 'g', '--command-property', 'heartbeat.interval.ms=6000', '--command-property', 'session.timeout.ms=6000'], 'Heartbeat must be set lower than the session timeout'],
    [['--topic', 't', '--group', 'g', '--command-property', 'session.timeout.ms=abc'], 'Invalid value abc for configuration session.timeout.ms: Not a number of type INT'],
    [['--topic', 't', '--group', 'g', '--command-property', 'partition.assignment.strategy=com.example.Mine'], 'Invalid value com.example.Mine for configuration partition.assignment.strategy'],
    [['--topic', 'missing', '--group', 'g'], "Topic 'missing' does not exist."],
    [['--topic', 't', '--group', 'g', '--command-property', 'group.protocol=consumer'], 'group.protocol=consumer (KIP-848) is not supported yet; kafka-ts consumers use the classic group protocol.'],
    [['--topic', 't', '--group', 'g', '--command-property', 'group.protocol=modern'], 'Invalid value modern for configuration group.protocol: String must be one of (case insensitive): CLASSIC, CONSUMER'],
  ])('refuses %j', async (args, message) => {
    const c = await consume(sandbox.dir, ...args)
    expect(c.code).not.toBe(0)
    expect(c.code).not.toBeNull()
    expect(c.stderr).toContain(message)
    expect(c.out).toBe('')
  })

  it('refuses a session timeout outside the broker window with Kafka\'s error', async () => {
    const c = await consume(sandbox.dir, '--topic', 't', '--group', 'g', '--command-property', 'session.timeout.ms=1000', '--command-property', 'heartbeat.interval.ms=100')
    expect(c.code).toBe(1)
    expect(c.stderr).toContain('org.apache.kafka.common.errors.InvalidSessionTimeoutException')
    expect(c.out).toBe('')
  })

  it('refuses a mismatched group id given by a --command-config file', async () => {
    const config = path.join(sandbox.dir, 'c.properties')
    fs.writeFileSync(config, 'group.id=b\n')
    const c = await consume(sandbox.dir, '--topic', 't', '--group', 'a', '--command-config', config)
    expect(c.code).not.toBe(0)
    expect(c.stderr).toContain("Detected group ids: 'a', 'b'")
  })
})
