// The headline: 100 000 keyed lines with headers piped through console-producer and read back
// by console-consumer, byte-exact, for every compression codec. Expected partitions come from the
// partitioner (checked against Kafka's murmur2 vectors in test/unit/broker/partitioner.test.ts);
// expected offsets, keys, values and headers are computed here from the input line numbers.

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { partitionForKey } from '../../src/broker/partitioner.js'
import { tempDir } from '../helpers/cli.js'
import { CODECS, consume, createTopic, produce, storedBatches } from './fixtures/console.js'

const N = 100_000
const KEYS = 1000
const PARTITIONS = 4

const inputLine = (i: number) => `h1:v${i},h2:x${i}\tkey${i % KEYS}\tvalue-${i}`
const INPUT = Buffer.from(Array.from({ length: N }, (_, i) => inputLine(i) + '\n').join(''))

let dir: string
let cleanup: () => void
beforeEach(() => {
  ;({ dir, cleanup } = tempDir())
})
afterEach(() => cleanup())

describe('console-producer | console-consumer', () => {
  it.each(CODECS)('carries %s-compressed keyed lines with headers byte-exact, each once, in partition order', async (codec) => {
    expect((await createTopic(dir, 't', '--partitions', String(PARTITIONS))).code).toBe(0)
    const p = await produce(dir, 't', INPUT, '--compression-codec', codec, '--reader-property', 'parse.key=true', '--reader-property', 'parse.headers=true')
    expect(p.stderr).toBe('')
    expect(p.code).toBe(0)

    const c = await consume(
      dir,
      '--topic', 't', '--from-beginning', '--max-messages', String(N),
      '--formatter-property', 'print.partition=true', '--formatter-property', 'print.offset=true',
      '--formatter-property', 'print.headers=true', '--formatter-property', 'print.key=true',
    )
    expect(c.code).toBe(0)
    expect(c.stderr).toBe(`Processed a total of ${N} messages\n`)

    const seen = new Uint8Array(N)
    const perPartition: { offset: number; i: number }[][] = Array.from({ length: PARTITIONS }, () => [])
    const out = c.out
    expect(out.endsWith('\n')).toBe(true)
    let failures = 0
    for (const line of out.slice(0, -1).split('\n')) {
      const m = /^Partition:(\d+)\tOffset:(\d+)\t(.*)$/s.exec(line)
      if (!m) {
        expect.fail(`unexpected line ${JSON.stringify(line)}`)
      }
      const partition = Number(m[1])
      const offset = Number(m[2])
      const record = m[3] ?? ''
      const i = Number(/\tvalue-(\d+)$/.exec(record)?.[1] ?? -1)
      // Headers, key and value printed with the default separators rebuild the input line exactly.
      if (i < 0 || i >= N || record !== inputLine(i)) {
        if (failures++ < 5) expect.soft(record).toBe(i >= 0 && i < N ? inputLine(i) : '<a line of the input>')
        continue
      }
      seen[i] = (seen[i] ?? 0) + 1
      if (partition !== partitionForKey(Buffer.from(`key${i % KEYS}`), PARTITIONS)) failures++
      perPartition[partition]?.push({ offset, i })
    }
    expect(failures).toBe(0)
    expect(seen.every((n) => n === 1)).toBe(true)
    for (const records of perPartition) {
      // Offsets 0..n-1 in the order printed, and in input order within the partition.
      expect(records.every((r, j) => r.offset === j)).toBe(true)
      expect(records.every((r, j) => j === 0 || (records[j - 1]?.i ?? Infinity) < r.i)).toBe(true)
    }
    expect(perPartition.reduce((n, r) => n + r.length, 0)).toBe(N)

    for (let partition = 0; partition < PARTITIONS; partition++) {
      const batches = storedBatches(dir, 't', partition)
      expect(batches.length).toBeGreaterThan(0)
      expect(new Set(batches.map((b) => b.codec))).toEqual(new Set([codec]))
    }
  })
})
