// Several kafka-ts processes on one data directory, the way a user runs them in several shells: a
// tailing consumer and producers started after it, producers writing to one partition at once, and
// producers that die (SIGKILL) or are interrupted (SIGINT) mid-stream. Bounds on waiting are generous
// and only stop a hung test; nothing here asserts speed.

import { once } from 'node:events'

import { describe, expect, it } from 'vitest'

import { consume, createTopic, lines, produce, storedBatches, useCliSandbox, type LiveProcess } from './fixtures/console.js'

const sandbox = useCliSandbox()
const start = (args: string[]) => sandbox.start(args)

const count = (s: string) => lines(s).length

/** The whole log of a single-partition topic, with offsets, read by a fresh consumer process. */
async function readAll(topic: string): Promise<{ offset: number; value: string }[]> {
  const c = await consume(sandbox.dir, '--topic', topic, '--from-beginning', '--timeout-ms', '300', '--formatter-property', 'print.offset=true')
  expect(c.code).toBe(0)
  return lines(c.out).map((l) => {
    const m = /^Offset:(\d+)\t(.*)$/s.exec(l)
    if (!m) throw new Error(`unexpected line ${JSON.stringify(l)}`)
    return { offset: Number(m[1]), value: m[2] ?? '' }
  })
}

/** Batches must tile the offsets 0..n-1 with no gap or overlap. */
function expectContiguousBatches(topic: string, records: number): void {
  let next = 0
  for (const b of storedBatches(sandbox.dir, topic)) {
    expect(b.baseOffset).toBe(next)
    expect(b.lastOffset - b.baseOffset + 1).toBe(b.recordCount)
    next = b.lastOffset + 1
  }
  expect(next).toBe(records)
}

describe('a consumer following the log', () => {
  it('prints records that producer processes write after it started, and stops on SIGINT', async () => {
    expect((await createTopic(sandbox.dir, 'tail')).code).toBe(0)
    const consumer = start(['console-consumer', '--topic', 'tail', '--from-beginning'])

    expect((await produce(sandbox.dir, 'tail', 'one\ntwo\nthree\n')).code).toBe(0)
    await consumer.waitForStdout((out) => out === 'one\ntwo\nthree\n', 5000)

    // A producer that stays open (--sync: each line is sent as it is read).
    const producer = start(['console-producer', '--topic', 'tail', '--sync'])
    for (const word of ['four', 'five']) {
      producer.child.stdin.write(`${word}\n`)
      await consumer.waitForStdout((out) => out.endsWith(`${word}\n`), 5000)
    }
    producer.child.stdin.end()
    expect((await producer.exited).code).toBe(0)

    expect((await produce(sandbox.dir, 'tail', 'six\n', '--compression-codec', 'zstd')).code).toBe(0)
    await consumer.waitForStdout((out) => out.endsWith('six\n'), 5000)
    expect(consumer.child.exitCode).toBeNull()

    consumer.child.kill('SIGINT')
    const exit = await consumer.exited
    expect(exit.code).toBe(0)
    expect(consumer.stdout().toString()).toBe('one\ntwo\nthree\nfour\nfive\nsix\n')
    expect(consumer.stderr()).toContain('Processed a total of 6 messages\n')
  })

  it('picks up a topic matching --include that is created after it started', async () => {
    expect((await createTopic(sandbox.dir, 'feed-a')).code).toBe(0)
    const consumer = start(['console-consumer', '--include', 'feed-.*', '--from-beginning'])
    expect((await produce(sandbox.dir, 'feed-a', 'a1\n')).code).toBe(0)
    await consumer.waitForStdout((out) => out === 'a1\n', 5000)
    expect((await produce(sandbox.dir, 'feed-b', 'b1\n')).code).toBe(0)
    expect((await produce(sandbox.dir, 'other', 'o1\n')).code).toBe(0)
    await consumer.waitForStdout((out) => out === 'a1\nb1\n', 10_000)
    consumer.child.kill('SIGINT')
    expect((await consumer.exited).code).toBe(0)
    expect(consumer.stdout().toString()).toBe('a1\nb1\n')
  })
})

describe('producers writing to one partition at once', () => {
  const PRODUCERS = 3

  it.each([
    ['batched', 20_000, ['--batch-size', '2048', '--timeout', '5']],
    ['--sync', 300, ['--sync', '--request-required-acks', '1']],
  ])('stores every line exactly once with contiguous offsets (%s)', async (_name, perProducer, args) => {
    expect((await createTopic(sandbox.dir, 'shared')).code).toBe(0)
    const inputs = Array.from({ length: PRODUCERS }, (_, w) => Array.from({ length: perProducer }, (_, i) => `p${w}-${i}`))
    // All producers run at once and get their input a slice at a time, round robin, so their
    // commits overlap the way producers in several shells do.
    const producers = inputs.map(() => start(['console-producer', '--topic', 'shared', ...args]))
    // Each producer's first line, seen by a follower, says that producer is up and reading.
    const follower = start(['console-consumer', '--topic', 'shared', '--from-beginning'])
    producers.forEach((p, w) => p.child.stdin.write(`${inputs[w]?.[0]}\n`))
    await follower.waitForStdout((out) => count(out) >= PRODUCERS, 15_000)
    follower.child.kill('SIGINT')
    const ROUNDS = 50
    const per = Math.ceil((perProducer - 1) / ROUNDS)
    for (let round = 0; round < ROUNDS; round++) {
      producers.forEach((p, w) => {
        const slice = inputs[w]?.slice(1 + round * per, 1 + (round + 1) * per) ?? []
        if (slice.length > 0) p.child.stdin.write(slice.join('\n') + '\n')
      })
      await new Promise((r) => setTimeout(r, 10))
    }
    for (const p of producers) p.child.stdin.end()
    for (const p of producers) {
      expect((await p.exited).code).toBe(0)
      expect(p.stderr()).toBe('')
    }

    const records = await readAll('shared')
    expect(records.map((r) => r.offset)).toEqual(records.map((_, i) => i))
    expect(records).toHaveLength(PRODUCERS * perProducer)
    // Each producer's lines appear once each, in the order it read them.
    for (let w = 0; w < PRODUCERS; w++) {
      expect(records.filter((r) => r.value.startsWith(`p${w}-`)).map((r) => r.value)).toEqual(inputs[w])
    }
    // The writes did overlap: the log switches between producers more often than once per producer.
    const switches = records.filter((r, i) => i > 0 && r.value.split('-')[0] !== records[i - 1]?.value.split('-')[0]).length
    expect(switches).toBeGreaterThan(PRODUCERS)
    expectContiguousBatches('shared', PRODUCERS * perProducer)
  })
})

describe('a producer that dies mid-stream', () => {
  /** Feeds numbered lines until `stop()`; returns how many were written. */
  function feed(p: LiveProcess, prefix: string): { stop: () => Promise<number> } {
    let stopped = false
    let written = 0
    const done = (async () => {
      const stdin = p.child.stdin
      while (!stopped && !stdin.destroyed) {
        let chunk = ''
        for (let i = 0; i < 100; i++) chunk += `${prefix}-${written++}\n`
        // After the kill, writes fail with EPIPE: that ends the feed, it is not a test failure.
        const settled = (e: Promise<unknown>) => e.catch(() => undefined)
        if (!stdin.write(chunk)) await Promise.race([settled(once(stdin, 'drain')), settled(once(stdin, 'close')), p.exited])
      }
      return written
    })()
    return {
      stop: async () => {
        stopped = true
        return done
      },
    }
  }

  it('keeps every acknowledged record and a clean contiguous prefix after SIGKILL (--sync, acks -1)', async () => {
    expect((await createTopic(sandbox.dir, 'crash')).code).toBe(0)
    const follower = start(['console-consumer', '--topic', 'crash', '--from-beginning'])
    const producer = start(['console-producer', '--topic', 'crash', '--sync', '--request-required-acks', '-1'])
    const feeder = feed(producer, 'line')
    // Records the follower printed were committed: they must survive the kill.
    await follower.waitForStdout((out) => count(out) >= 200, 30_000)
    producer.child.kill('SIGKILL')
    expect((await producer.exited).signal).toBe('SIGKILL')
    await feeder.stop()
    const acknowledged = count(follower.stdout().toString())
    follower.child.kill('SIGINT')
    expect((await follower.exited).code).toBe(0)

    const records = await readAll('crash')
    expect(records.length).toBeGreaterThanOrEqual(acknowledged)
    expect(records.map((r) => r.value)).toEqual(records.map((_, i) => `line-${i}`))
    expect(records.map((r) => r.offset)).toEqual(records.map((_, i) => i))
    expectContiguousBatches('crash', records.length)

    // The store still takes writes, continuing the offsets.
    expect((await produce(sandbox.dir, 'crash', 'after\n')).code).toBe(0)
    const again = await readAll('crash')
    expect(again.at(-1)).toEqual({ offset: records.length, value: 'after' })
  })

  it('leaves a readable store with a contiguous prefix after SIGKILL of a batching, compressing producer', async () => {
    expect((await createTopic(sandbox.dir, 'crash')).code).toBe(0)
    const follower = start(['console-consumer', '--topic', 'crash', '--from-beginning'])
    const producer = start(['console-producer', '--topic', 'crash', '--compression-codec', 'lz4', '--batch-size', '4096', '--request-required-acks', '1'])
    const feeder = feed(producer, 'rec')
    await follower.waitForStdout((out) => count(out) >= 5000, 30_000)
    producer.child.kill('SIGKILL')
    await producer.exited
    await feeder.stop()
    follower.child.kill('SIGINT')
    await follower.exited

    const records = await readAll('crash')
    expect(records.length).toBeGreaterThanOrEqual(5000)
    expect(records.map((r) => r.value)).toEqual(records.map((_, i) => `rec-${i}`))
    expectContiguousBatches('crash', records.length)
  })
})

describe('a producer interrupted with SIGINT', () => {
  it('flushes the lines it has read, then exits', async () => {
    // A fresh directory: the producer announces on stderr that it opened the store, right before it
    // starts reading stdin. The long linger means only the interrupt can send these lines.
    const producer = start(['console-producer', '--topic', 'intr', '--timeout', '600000', '--batch-size', '1000000'])
    await producer.waitForStderr((err) => err.includes('Initialised a new kafka-ts data directory'), 10_000)
    producer.child.stdin.write('alpha\nbeta\ngamma\n')
    // Let the lines reach the process before the interrupt does (no assertion rests on this wait's length).
    await new Promise((r) => setTimeout(r, 1000))
    producer.child.kill('SIGINT')
    const exit = await producer.exited
    expect(exit.code).toBe(130)
    expect((await readAll('intr')).map((r) => r.value)).toEqual(['alpha', 'beta', 'gamma'])
  })
})
