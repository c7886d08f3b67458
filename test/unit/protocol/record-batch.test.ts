import { createRequire } from 'node:module'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CODEC_IDS, compress, type CompressionCodec } from '../../../src/protocol/compression.js'
import { crc32c } from '../../../src/protocol/crc32c.js'
import { filterRecords, forEachRecord, validateBatch } from '../../../src/protocol/batch-records.js'
import { RecordBatchError, batchSizeAt, patchBaseOffset, patchPartitionLeaderEpoch, readBatchHeader, splitBatches, stampLogAppendTime, verifyBatchCrc, type RecordHeader } from '../../../src/protocol/record-batch.js'
import { RecordBatchBuilder } from '../../../src/protocol/record-batch-builder.js'
import { BATCH_HEADER_SIZE, BATCH_OVERHEAD } from '../../../src/protocol/record-batch-layout.js'
import * as ref from './fixtures/reference-frames.js'

// protocol.md §8.3: verified with kafka-python's decoder and encoder.
const VECTOR_HEX =
  '0000000000000000' + '0000004a' + 'ffffffff' + '02' + 'be457729' + '0000' + '00000001' +
  '0000018bcfe56800' + '0000018bcfe56805' + 'ffffffffffffffff' + 'ffff' + 'ffffffff' + '00000002' +
  '16' + '00' + '00' + '00' + '01' + '0a' + '68656c6c6f' + '00' +
  '18' + '00' + '0a' + '02' + '02' + '6b' + '02' + '76' + '02' + '02' + '68' + '02' + '78'
const vector = () => Buffer.from(VECTOR_HEX, 'hex')
const SECOND_RECORD_OFFSET_DELTA_AT = BATCH_HEADER_SIZE + 12 + 3

interface PlainRecord {
  offset: number
  timestamp: number
  key: string | null
  value: string | null
  headers: [string, string | null][]
}

function collect(batch: Buffer): PlainRecord[] {
  const out: PlainRecord[] = []
  forEachRecord(batch, (r) => {
    out.push({
      offset: r.offset,
      timestamp: r.timestamp,
      key: r.key()?.toString() ?? null,
      value: r.value()?.toString() ?? null,
      headers: r.headers().map((h) => [h.key.toString(), h.value?.toString() ?? null]),
    })
  })
  return out
}

const VECTOR_RECORDS: PlainRecord[] = [
  { offset: 0, timestamp: 1700000000000, key: null, value: 'hello', headers: [] },
  { offset: 1, timestamp: 1700000000005, key: 'k', value: 'v', headers: [['h', 'x']] },
]

/** Rewrites the CRC after a deliberate edit (crc32c itself is pinned by its check-value test). */
function recrc(batch: Buffer): Buffer {
  batch.writeUInt32BE(crc32c(batch, 21), 17)
  return batch
}

/** The §8.3 header around another records payload, e.g. one compressed by a reference tool. */
function vectorWithRecords(codec: CompressionCodec, payload: Buffer): Buffer {
  const batch = Buffer.concat([vector().subarray(0, BATCH_HEADER_SIZE), payload])
  batch.writeInt32BE(batch.length - BATCH_OVERHEAD, 8)
  batch.writeUInt16BE(CODEC_IDS[codec], 21)
  return recrc(batch)
}

function expectBatchError(fn: () => unknown, kind: RecordBatchError['kind'], message?: RegExp): void {
  let caught: unknown
  try {
    fn()
  } catch (err) {
    caught = err
  }
  expect(caught).toBeInstanceOf(RecordBatchError)
  expect((caught as RecordBatchError).kind).toBe(kind)
  if (message) expect((caught as RecordBatchError).message).toMatch(message)
}

describe('the verified 86-byte vector (protocol.md §8.3)', () => {
  function buildVector(builder = new RecordBatchBuilder()): Buffer {
    builder.append(1700000000000, null, Buffer.from('hello'))
    builder.append(1700000000005, Buffer.from('k'), Buffer.from('v'), [{ key: Buffer.from('h'), value: Buffer.from('x') }])
    return builder.build()
  }

  it('RecordBatchBuilder produces exactly those bytes', () => {
    expect(buildVector().toString('hex')).toBe(VECTOR_HEX)
  })

  it('a reused builder produces them again, and reports count and size before build', () => {
    const builder = new RecordBatchBuilder(64)
    expect(buildVector(builder).toString('hex')).toBe(VECTOR_HEX)
    builder.append(1700000000000, null, Buffer.from('hello'))
    expect(builder.count).toBe(1)
    expect(builder.sizeInBytes).toBe(BATCH_HEADER_SIZE + 12)
    builder.reset()
    expect(builder.count).toBe(0)
    expect(builder.sizeInBytes).toBe(BATCH_HEADER_SIZE)
    expect(buildVector(builder).toString('hex')).toBe(VECTOR_HEX)
  })

  it('decodes to its header fields', () => {
    expect(readBatchHeader(vector())).toEqual({
      baseOffset: 0,
      batchLength: 74,
      partitionLeaderEpoch: -1,
      magic: 2,
      crc: 0xbe457729,
      attributes: 0,
      compression: 'none',
      timestampType: 'CreateTime',
      isTransactional: false,
      isControl: false,
      hasDeleteHorizon: false,
      lastOffsetDelta: 1,
      baseTimestamp: 1700000000000,
      maxTimestamp: 1700000000005,
      producerId: -1,
      producerEpoch: -1,
      baseSequence: -1,
      recordCount: 2,
    })
  })

  it('decodes to its two records and passes validation', () => {
    expect(collect(vector())).toEqual(VECTOR_RECORDS)
    expect(validateBatch(vector()).recordCount).toBe(2)
    expect(batchSizeAt(vector(), 0)).toBe(86)
  })

  it('exposes positions into the batch and zero-copy views', () => {
    const batch = vector()
    const seen: { keyLength: number; valueStart: number; valueLength: number; headerCount: number }[] = []
    forEachRecord(batch, (r) => {
      expect(r.data).toBe(batch)
      seen.push({ keyLength: r.keyLength, valueStart: r.valueStart, valueLength: r.valueLength, headerCount: r.headerCount })
      const value = r.value()!
      expect(value.buffer).toBe(batch.buffer)
      expect(r.timestampType).toBe('CreateTime')
    })
    expect(seen).toEqual([
      { keyLength: -1, valueStart: 67, valueLength: 5, headerCount: 0 },
      { keyLength: 1, valueStart: 80, valueLength: 1, headerCount: 1 },
    ])
  })

  it('stops when the visitor returns false', () => {
    let n = 0
    forEachRecord(vector(), () => {
      n++
      return false
    })
    expect(n).toBe(1)
  })
})

describe('broker patches', () => {
  it('base offset and leader epoch change without touching the CRC', () => {
    const batch = vector()
    patchBaseOffset(batch, 2 ** 40 + 7)
    patchPartitionLeaderEpoch(batch, 5)
    expect(batch.subarray(0, 8).toString('hex')).toBe('0000010000000007')
    expect(batch.subarray(12, 16).toString('hex')).toBe('00000005')
    const header = validateBatch(batch)
    expect(header.baseOffset).toBe(2 ** 40 + 7)
    expect(header.partitionLeaderEpoch).toBe(5)
    expect(header.crc).toBe(0xbe457729)
    expect(collect(batch).map((r) => r.offset)).toEqual([2 ** 40 + 7, 2 ** 40 + 8])
  })

  it('stampLogAppendTime sets bit 3 and maxTimestamp, rewrites the CRC, and records take that time', () => {
    const batch = vector()
    stampLogAppendTime(batch, 1800000000000)
    expect(batch.readUInt16BE(21)).toBe(0x08)
    expect(() => verifyBatchCrc(batch)).not.toThrow()
    const header = validateBatch(batch)
    expect(header.timestampType).toBe('LogAppendTime')
    expect(header.maxTimestamp).toBe(1800000000000)
    expect(collect(batch).map((r) => r.timestamp)).toEqual([1800000000000, 1800000000000])
  })
})

describe('compressed batches', () => {
  const XERIAL_RECORDS = Buffer.concat([
    Buffer.from('82534e41505059000000000100000001', 'hex'),
    Buffer.from([0, 0, 0, ref.SNAPPY_RAW_RECORDS.length]),
    ref.SNAPPY_RAW_RECORDS,
  ])
  const REFERENCE: [CompressionCodec, string, Buffer][] = [
    ['gzip', 'GNU gzip', ref.GZIP_RECORDS],
    ['zstd', 'zstd CLI', ref.ZSTD_RECORDS],
    ['lz4', 'lz4 CLI', ref.LZ4_RECORDS],
    ['snappy', 'raw snappy', ref.SNAPPY_RAW_RECORDS],
    ['snappy', 'xerial snappy', XERIAL_RECORDS],
  ]

  it.each(REFERENCE)('%s records compressed by %s decode to the vector records', (codec, _tool, payload) => {
    const batch = vectorWithRecords(codec, payload)
    expect(readBatchHeader(batch).compression).toBe(codec)
    expect(collect(batch)).toEqual(VECTOR_RECORDS)
    expect(validateBatch(batch).recordCount).toBe(2)
  })

  it.each(['gzip', 'snappy', 'lz4', 'zstd'] as const)('builder output with %s carries the vector records', (codec) => {
    const builder = new RecordBatchBuilder()
    builder.append(1700000000000, null, Buffer.from('hello'))
    builder.append(1700000000005, Buffer.from('k'), Buffer.from('v'), [{ key: Buffer.from('h'), value: Buffer.from('x') }])
    const batch = builder.build({ compression: codec })
    // everything but the records section, batchLength, attributes and CRC equals the uncompressed vector
    const plain = vector()
    expect(batch.subarray(23, BATCH_HEADER_SIZE)).toEqual(plain.subarray(23, BATCH_HEADER_SIZE))
    expect(batch.readUInt16BE(21)).toBe(CODEC_IDS[codec])
    expect(validateBatch(batch).compression).toBe(codec)
    expect(collect(batch)).toEqual(VECTOR_RECORDS)
  })

  it('a corrupt compressed payload is CORRUPT_MESSAGE: validation always inflates, as Kafka\'s LogValidator does', () => {
    const payload = Buffer.from(ref.GZIP_RECORDS)
    payload[20] = payload[20]! ^ 0xff
    const batch = vectorWithRecords('gzip', payload)
    expectBatchError(() => validateBatch(batch), 'CORRUPT_MESSAGE', /gzip/)
    expectBatchError(() => forEachRecord(batch, () => undefined), 'CORRUPT_MESSAGE')
  })
})

const recordArb = fc.record({
  timestampDelta: fc.integer({ min: -100000, max: 100000 }),
  key: fc.option(fc.uint8Array({ maxLength: 40 }), { nil: null }),
  value: fc.option(fc.uint8Array({ maxLength: 300 }), { nil: null }),
  headers: fc.array(
    fc.record({ key: fc.string({ maxLength: 10 }), value: fc.option(fc.uint8Array({ maxLength: 20 }), { nil: null }) }),
    { maxLength: 3 },
  ),
})

interface DecodedRecord {
  offset: number
  timestamp: number
  key: Buffer | null
  value: Buffer | null
  headers: RecordHeader[]
}

describe('builder ⇄ cursor round trips (property)', () => {
  it.each(['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const)('%s', (codec) => {
    fc.assert(
      fc.property(fc.array(recordArb, { minLength: 1, maxLength: 40 }), fc.integer({ min: 0, max: 2 ** 42 }), (records, base) => {
        const builder = new RecordBatchBuilder(128) // small, so append has to grow the buffer
        const expected = records.map((r, i): DecodedRecord => {
          const headers: RecordHeader[] = r.headers.map((h) => ({
            key: Buffer.from(h.key),
            value: h.value && Buffer.from(h.value),
          }))
          const timestamp = base + r.timestampDelta
          builder.append(timestamp, r.key && Buffer.from(r.key), r.value && Buffer.from(r.value), headers)
          return {
            offset: i,
            timestamp,
            key: r.key && Buffer.from(r.key),
            value: r.value && Buffer.from(r.value),
            headers,
          }
        })
        const timestamps = expected.map((e) => e.timestamp)
        const batch = builder.build({ compression: codec })
        const header = validateBatch(batch)
        expect(header.recordCount).toBe(records.length)
        expect(header.baseTimestamp).toBe(timestamps[0])
        expect(header.maxTimestamp).toBe(Math.max(...timestamps))
        const decoded: DecodedRecord[] = []
        forEachRecord(batch, (r) => {
          decoded.push({ offset: r.offset, timestamp: r.timestamp, key: r.key(), value: r.value(), headers: r.headers() })
        })
        expect(decoded).toEqual(expected)
      }),
      { numRuns: codec === 'none' ? 200 : 40 },
    )
  })

  it('writes producer fields and flags from the build options', () => {
    const builder = new RecordBatchBuilder()
    builder.append(5, Buffer.from('a'), Buffer.from('b'))
    const batch = builder.build({
      producerId: 2 ** 33 + 1,
      producerEpoch: 7,
      baseSequence: 42,
      isTransactional: true,
      timestampType: 'LogAppendTime',
    })
    const h = validateBatch(batch)
    expect([h.producerId, h.producerEpoch, h.baseSequence]).toEqual([2 ** 33 + 1, 7, 42])
    expect([h.isTransactional, h.timestampType, h.partitionLeaderEpoch, h.baseOffset]).toEqual([true, 'LogAppendTime', -1, 0])
  })
})

// kafkajs 2.x ships its own RecordBatch v2 encoder/decoder in plain JS: an independent implementation to check
// both directions against (it supports none and gzip natively).
const require = createRequire(import.meta.url)
interface KafkajsRecordsModule {
  RecordBatch(opts: Record<string, unknown>): Promise<{ buffer: Buffer }>
}
const kafkajsBatch = require('kafkajs/src/protocol/recordBatch/v0/index.js') as KafkajsRecordsModule
const kafkajsRecord = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (r: Record<string, unknown>) => unknown
const kafkajsDecode = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (d: unknown) => Promise<{
  records: { offset: string; timestamp: string; key: Buffer | null; value: Buffer | null; headers: Record<string, Buffer> }[]
}>
const KafkajsDecoder = require('kafkajs/src/protocol/decoder.js') as new (b: Buffer) => unknown

describe('interoperates with kafkajs’ RecordBatch codec', () => {
  const records = [
    { key: null, value: 'first', headers: {} },
    { key: 'k2', value: null, headers: { trace: 'abc' } },
    { key: 'k3', value: 'x'.repeat(300), headers: { a: '1', b: '2' } },
  ]

  it.each([
    ['none', 0],
    ['gzip', 1],
  ] as const)('reads a kafkajs-encoded %s batch', async (_name, compression) => {
    const { buffer } = await kafkajsBatch.RecordBatch({
      compression,
      firstTimestamp: 1700000000000,
      maxTimestamp: 1700000000020,
      lastOffsetDelta: 2,
      partitionLeaderEpoch: -1,
      records: records.map((r, i) =>
        kafkajsRecord({
          offsetDelta: i,
          timestampDelta: i * 10,
          key: r.key === null ? null : Buffer.from(r.key),
          value: r.value === null ? null : Buffer.from(r.value),
          headers: r.headers,
        }),
      ),
    })
    const header = validateBatch(buffer)
    expect(header.compression).toBe(compression === 0 ? 'none' : 'gzip')
    expect(collect(buffer)).toEqual(
      records.map((r, i) => ({
        offset: i,
        timestamp: 1700000000000 + i * 10,
        key: r.key,
        value: r.value,
        headers: Object.entries(r.headers),
      })),
    )
  })

  it.each(['none', 'gzip'] as const)('kafkajs reads a %s batch from RecordBatchBuilder', async (compression) => {
    const builder = new RecordBatchBuilder()
    records.forEach((r, i) =>
      builder.append(
        1700000000000 + i * 10,
        r.key === null ? null : Buffer.from(r.key),
        r.value === null ? null : Buffer.from(r.value),
        Object.entries(r.headers).map(([key, value]) => ({ key: Buffer.from(key), value: Buffer.from(value) })),
      ),
    )
    const batch = builder.build({ compression })
    patchBaseOffset(batch, 1000)
    const decoded = await kafkajsDecode(new KafkajsDecoder(batch))
    expect(
      decoded.records.map((r) => ({
        offset: r.offset,
        timestamp: r.timestamp,
        key: r.key?.toString() ?? null,
        value: r.value?.toString() ?? null,
        headers: Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, v.toString()])),
      })),
    ).toEqual(
      records.map((r, i) => ({
        offset: String(1000 + i),
        timestamp: String(1700000000000 + i * 10),
        key: r.key,
        value: r.value,
        headers: r.headers,
      })),
    )
  })
})

describe('splitBatches / batchSizeAt', () => {
  it('splits concatenated batches into zero-copy views and reports a partial tail', () => {
    const b1 = vector()
    const builder = new RecordBatchBuilder()
    builder.append(1, null, Buffer.alloc(1000, 1))
    const b2 = builder.build({ compression: 'zstd' })
    const whole = Buffer.concat([b1, b2, b1])
    for (let cut = 0; cut <= whole.length; cut++) {
      const records = whole.subarray(0, cut)
      const { batches, partialTail } = splitBatches(records)
      const complete = [b1.length, b1.length + b2.length, whole.length].filter((end) => end <= cut)
      expect(batches).toHaveLength(complete.length)
      expect(partialTail).toBe(cut - (complete.at(-1) ?? 0))
      for (const batch of batches) expect(batch.buffer).toBe(whole.buffer)
    }
    expect(splitBatches(whole).batches.map((b) => b.length)).toEqual([b1.length, b2.length, b1.length])
  })

  it('batchSizeAt: -1 before the 12-byte prefix is complete, 12 + batchLength after', () => {
    const b = vector()
    for (let n = 0; n < BATCH_OVERHEAD; n++) expect(batchSizeAt(b.subarray(0, n), 0)).toBe(-1)
    expect(batchSizeAt(b.subarray(0, 12), 0)).toBe(86)
    expect(batchSizeAt(Buffer.concat([Buffer.alloc(3), b]), 3)).toBe(86)
  })

  it('rejects a batchLength that cannot hold a v2 header', () => {
    const b = vector()
    b.writeInt32BE(48, 8)
    expectBatchError(() => batchSizeAt(b, 0), 'CORRUPT_MESSAGE', /batchLength 48/)
    b.writeInt32BE(-1, 8)
    expectBatchError(() => splitBatches(b), 'CORRUPT_MESSAGE')
  })
})

describe('validateBatch rejections', () => {
  it('bad CRC → CORRUPT_MESSAGE', () => {
    const b = vector()
    b[70] = b[70]! ^ 1
    expectBatchError(() => validateBatch(b), 'CORRUPT_MESSAGE', /Record is corrupt \(stored crc = 3192223529, computed crc = \d+\)/)
  })

  it('unknown magic → CORRUPT_MESSAGE; legacy magic 0/1 → INVALID_RECORD', () => {
    const b = vector()
    b[16] = 3
    expectBatchError(() => validateBatch(b), 'CORRUPT_MESSAGE', /magic/)
    b[16] = 1
    expectBatchError(() => validateBatch(b), 'INVALID_RECORD', /magic version 2/)
  })

  it('truncated batch or short header → CORRUPT_MESSAGE', () => {
    expectBatchError(() => validateBatch(vector().subarray(0, 85)), 'CORRUPT_MESSAGE', /truncated/)
    expectBatchError(() => validateBatch(vector().subarray(0, 60)), 'CORRUPT_MESSAGE', /shorter/)
    expectBatchError(() => validateBatch(Buffer.alloc(0)), 'CORRUPT_MESSAGE')
    expectBatchError(() => readBatchHeader(vector().subarray(0, 60)), 'CORRUPT_MESSAGE')
  })

  it('more bytes than batchLength (a second batch) → INVALID_RECORD', () => {
    expectBatchError(() => validateBatch(Buffer.concat([vector(), vector()])), 'INVALID_RECORD', /one batch/)
  })

  it('recordCount ≠ lastOffsetDelta + 1 → INVALID_RECORD', () => {
    const b = vector()
    b.writeInt32BE(3, 57)
    expectBatchError(() => validateBatch(recrc(b)), 'INVALID_RECORD', /Inconsistent batch offset range \[0, 1\] and count of records 3/)
  })

  it('an empty batch → INVALID_RECORD', () => {
    const b = vector()
    b.writeInt32BE(-1, 23)
    b.writeInt32BE(0, 57)
    expectBatchError(() => validateBatch(recrc(b)), 'INVALID_RECORD', /invalid offset range/)
  })

  it('offset delta gap (0, 2) → INVALID_RECORD', () => {
    const b = vector()
    expect(b[SECOND_RECORD_OFFSET_DELTA_AT]).toBe(0x02) // zig-zag 1
    b[SECOND_RECORD_OFFSET_DELTA_AT] = 0x04 // zig-zag 2
    expectBatchError(() => validateBatch(recrc(b)), 'INVALID_RECORD', /offset delta 2; expected 1/)
  })

  it('records that do not end at the batch end → INVALID_RECORD', () => {
    // claim one record while two are present
    const b = vector()
    b.writeInt32BE(0, 23)
    b.writeInt32BE(1, 57)
    expectBatchError(() => validateBatch(recrc(b)), 'INVALID_RECORD', /remain after/)
    // claim three with only two present
    const c = vector()
    c.writeInt32BE(2, 23)
    c.writeInt32BE(3, 57)
    expectBatchError(() => validateBatch(recrc(c)), 'INVALID_RECORD', /holds only 2/)
  })

  it('a record whose length overruns the batch, or whose header count lies → INVALID_RECORD', () => {
    const b = vector()
    b[BATCH_HEADER_SIZE] = 0x7e // length 63
    expectBatchError(() => validateBatch(recrc(b)), 'INVALID_RECORD', /record 0/)
    const c = vector()
    c[BATCH_HEADER_SIZE + 11] = 0x02 // first record: 1 header, but no bytes left for it
    expectBatchError(() => validateBatch(recrc(c)), 'INVALID_RECORD', /header/)
  })

  it('a record with bytes left over after its headers → INVALID_RECORD', () => {
    const b = Buffer.concat([vector(), Buffer.from([0])])
    b.writeInt32BE(b.length - 12, 8)
    b[BATCH_HEADER_SIZE + 12] = 0x1a // second record: length 13, one byte more than its fields use
    expectBatchError(() => validateBatch(recrc(b)), 'INVALID_RECORD', /Invalid record size/)
  })

  // Control batches are the broker's to refuse (a client may not write them; the format allows them).
  it('idempotent batches without a sequence → INVALID_RECORD', () => {
    const c = vector()
    c.writeInt32BE(0, 43)
    c.writeInt32BE(9, 47) // producerId 9, baseSequence still -1
    expectBatchError(() => validateBatch(recrc(c)), 'INVALID_RECORD', /Invalid sequence number -1/)
  })

  it('compression ids 5–7 → CORRUPT_MESSAGE', () => {
    const b = vector()
    b.writeUInt16BE(5, 21)
    expectBatchError(() => validateBatch(recrc(b)), 'CORRUPT_MESSAGE', /codec id 5/)
  })
})

describe('fuzz: decoders only ever throw RecordBatchError', () => {
  function onlyBatchErrors(bytes: Buffer): void {
    const attempts: (() => unknown)[] = [
      () => readBatchHeader(bytes),
      () => validateBatch(bytes),
      () => splitBatches(bytes),
      () =>
        forEachRecord(bytes, (r) => {
          r.key()
          r.value()
          r.headers()
        }),
    ]
    for (const attempt of attempts) {
      try {
        attempt()
      } catch (err) {
        if (!(err instanceof RecordBatchError)) throw err
      }
    }
  }

  it('random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => onlyBatchErrors(Buffer.from(bytes))), {
      numRuns: 2000,
    })
  })

  it('random bytes behind a plausible v2 prefix', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 49, maxLength: 200 }), fc.nat(7), (bytes, codec) => {
        const b = Buffer.concat([Buffer.alloc(12), Buffer.from(bytes)])
        b.writeInt32BE(b.length - 12, 8)
        b[16] = 2
        b.writeUInt16BE(codec, 21)
        onlyBatchErrors(recrc(b))
      }),
      { numRuns: 2000 },
    )
  })

  const seeds: Buffer[] = [vector()]
  for (const codec of ['gzip', 'snappy', 'lz4', 'zstd'] as const) {
    seeds.push(vectorWithRecords(codec, compress(codec, ref.VECTOR_RECORDS)))
  }

  it('mutated valid batches (with and without the CRC fixed up)', () => {
    fc.assert(
      fc.property(
        fc.nat(seeds.length - 1),
        fc.array(fc.tuple(fc.nat(400), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        fc.nat(120),
        (seed, edits, fixCrc, cut) => {
          const b = Buffer.from(seeds[seed]!)
          for (const [at, xor] of edits) {
            // keep most edits past the prefix so they reach the record decoder
            const i = BATCH_OVERHEAD + (at % (b.length - BATCH_OVERHEAD))
            b[i] = b[i]! ^ xor
          }
          if (fixCrc && b.length >= BATCH_HEADER_SIZE) recrc(b)
          onlyBatchErrors(b)
          onlyBatchErrors(b.subarray(0, Math.max(0, b.length - cut)))
        },
      ),
      { numRuns: 3000 },
    )
  })
})

describe('filterRecords (the log cleaner\'s rewrite)', () => {
  function build(codec: CompressionCodec = 'none', logAppendTime = false): Buffer {
    const b = new RecordBatchBuilder()
    for (let i = 0; i < 6; i++) b.append(1000 + i * 10, Buffer.from(`k${i % 3}`), i === 4 ? null : Buffer.from(`v${i}`), [{ key: Buffer.from('h'), value: Buffer.from([i]) }])
    const out = b.build({ compression: codec, producerId: 42, producerEpoch: 3, baseSequence: 7, timestampType: logAppendTime ? 'LogAppendTime' : 'CreateTime' })
    patchBaseOffset(out, 100)
    return out
  }
  const walk = (batch: Buffer) => {
    const out: [number, number, string | null, string | null, number][] = []
    forEachRecord(batch, (r) => void out.push([r.offset, r.timestamp, r.key()?.toString() ?? null, r.value()?.toString() ?? null, r.headers()[0]?.value?.[0] ?? -1]))
    return out
  }

  it('answers unchanged when every record stays', () => {
    expect(filterRecords(build(), () => true)).toEqual({ kind: 'unchanged' })
  })

  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const) {
    it(`keeps offsets, timestamps, headers and the header fields; recompresses with ${codec}`, () => {
      const original = build(codec)
      const result = filterRecords(original, (r) => r.offset === 101 || r.offset >= 104)
      if (result.kind !== 'rewritten') throw new Error('expected a rewrite')
      expect(walk(result.bytes)).toEqual(walk(original).filter(([offset]) => offset === 101 || offset >= 104))
      expect(result).toMatchObject({ recordCount: 3, maxTimestamp: 1050 })
      const before = readBatchHeader(original)
      const after = readBatchHeader(result.bytes)
      expect(after).toEqual({ ...before, batchLength: result.bytes.length - BATCH_OVERHEAD, crc: after.crc, recordCount: 3, maxTimestamp: 1050 })
      expect(() => verifyBatchCrc(result.bytes)).not.toThrow()
    })
  }

  it('LogAppendTime batches keep their max timestamp', () => {
    const original = build('none', true)
    stampLogAppendTime(original, 5000)
    const result = filterRecords(original, (r) => r.offset === 100)
    expect(result.kind === 'rewritten' && [result.maxTimestamp, readBatchHeader(result.bytes).maxTimestamp]).toEqual([5000, 5000])
  })

  it('with nothing retained gives Kafka\'s empty batch: header only, no codec, producer fields kept', () => {
    const result = filterRecords(build('gzip'), () => false)
    if (result.kind !== 'rewritten') throw new Error('expected a rewrite')
    expect(result.bytes.length).toBe(BATCH_HEADER_SIZE)
    const h = readBatchHeader(result.bytes)
    expect(h).toMatchObject({ baseOffset: 100, lastOffsetDelta: 5, recordCount: 0, compression: 'none', producerId: 42, producerEpoch: 3, baseSequence: 7, baseTimestamp: 1050, maxTimestamp: 1050 })
    expect(() => verifyBatchCrc(result.bytes)).not.toThrow()
    expect(walk(result.bytes)).toEqual([])
  })
})
