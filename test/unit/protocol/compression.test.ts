import { spawnSync } from 'node:child_process'
import { gunzipSync } from 'node:zlib'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  CODEC_IDS,
  codecFromId,
  compress,
  decompress,
  encodeXerialSnappy,
  type CompressionCodec,
} from '../../../src/protocol/compression.js'
import { RecordBatchError } from '../../../src/protocol/protocol-error.js'
import * as ref from './fixtures/reference-frames.js'

const CODECS: CompressionCodec[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd']

function hasTool(name: string): boolean {
  return spawnSync(name, ['--version'], { stdio: 'ignore' }).status === 0
}

describe('codec ids', () => {
  it('match Kafka attribute bits 0–2', () => {
    expect(CODEC_IDS).toEqual({ none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 })
    for (const codec of CODECS) expect(codecFromId(CODEC_IDS[codec])).toBe(codec)
  })

  it.each([5, 6, 7])('rejects unassigned id %d', (id) => {
    expect(() => codecFromId(id)).toThrow(RecordBatchError)
  })
})

describe('round trips', () => {
  const samples = [Buffer.alloc(0), Buffer.from('x'), ref.TEXT, ref.bigPlaintext()]
  it.each(CODECS)('%s round-trips empty, tiny, text and multi-block inputs', (codec) => {
    for (const sample of samples) expect(decompress(codec, compress(codec, sample))).toEqual(sample)
  })

  it.each(CODECS)('%s round-trips arbitrary bytes (property)', (codec) => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (bytes) => {
        const data = Buffer.from(bytes)
        expect(decompress(codec, compress(codec, data))).toEqual(data)
      }),
      { numRuns: 50 },
    )
  })
})

describe('reads what reference implementations wrote', () => {
  it('gzip from GNU gzip', () => {
    expect(decompress('gzip', ref.GZIP_TEXT)).toEqual(ref.TEXT)
  })

  it('zstd from the zstd CLI, with and without a content size in the frame', () => {
    expect(decompress('zstd', ref.ZSTD_TEXT)).toEqual(ref.TEXT)
    expect(decompress('zstd', ref.ZSTD_BIG_STREAMED)).toEqual(ref.bigPlaintext())
  })

  it('lz4 frames from the lz4 CLI: content checksum; linked 64 KiB blocks with block checksums', () => {
    expect(decompress('lz4', ref.LZ4_TEXT)).toEqual(ref.TEXT)
    expect(decompress('lz4', ref.LZ4_BIG_LINKED)).toEqual(ref.bigPlaintext())
  })

  it('snappy in xerial framing (kafka-python vector) and as one raw block', () => {
    expect(decompress('snappy', ref.XERIAL_300)).toEqual(ref.XERIAL_PLAINTEXT)
    expect(decompress('snappy', ref.SNAPPY_RAW_RECORDS)).toEqual(ref.VECTOR_RECORDS)
  })

  it('snappy accepts concatenated xerial streams, as snappy-java does', () => {
    const twice = Buffer.concat([ref.XERIAL_300, ref.XERIAL_300])
    expect(decompress('snappy', twice)).toEqual(Buffer.concat([ref.XERIAL_PLAINTEXT, ref.XERIAL_PLAINTEXT]))
  })
})

describe('writes what other implementations read', () => {
  it('gzip output is an RFC 1952 stream node:zlib reads', () => {
    const out = compress('gzip', ref.TEXT)
    expect(out.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]))
    expect(gunzipSync(out)).toEqual(ref.TEXT)
  })

  it('snappy output is byte-identical to kafka-python / C++ snappy with the same block size', () => {
    expect(encodeXerialSnappy(ref.XERIAL_PLAINTEXT, 300)).toEqual(ref.XERIAL_300)
  })

  it('snappy output uses the xerial header and 32 KiB blocks like snappy-java', () => {
    const big = ref.bigPlaintext()
    const out = compress('snappy', big)
    expect(out.subarray(0, 16)).toEqual(Buffer.from('82534e41505059000000000100000001', 'hex'))
    let pos = 16
    let blocks = 0
    while (pos < out.length) {
      const length = out.readInt32BE(pos)
      // a raw snappy block starts with its uncompressed length as a varint: 32768 = 80 80 02
      if (pos + 4 + length < out.length) expect(out.subarray(pos + 4, pos + 7)).toEqual(Buffer.from([0x80, 0x80, 0x02]))
      pos += 4 + length
      blocks++
    }
    expect(pos).toBe(out.length)
    expect(blocks).toBe(Math.ceil(big.length / 32768))
  })

  it('lz4 output is a frame with independent blocks (what Kafka’s Java reader requires)', () => {
    const out = compress('lz4', ref.bigPlaintext())
    expect(out.readUInt32LE(0)).toBe(0x184d2204)
    const flg = out[4]!
    expect(flg >> 6).toBe(1) // frame version 01
    expect(flg & 0x20).toBe(0x20) // block independence
  })

  it('zstd output starts with the zstd frame magic', () => {
    expect(compress('zstd', ref.TEXT).readUInt32LE(0)).toBe(0xfd2fb528)
  })

  const tools: [CompressionCodec, string][] = [
    ['gzip', 'gzip'],
    ['lz4', 'lz4'],
    ['zstd', 'zstd'],
  ]
  for (const [codec, tool] of tools) {
    it.skipIf(!hasTool(tool))(`${codec} output decodes with the ${tool} CLI`, () => {
      const big = ref.bigPlaintext()
      const result = spawnSync(tool, ['-d', '-c'], { input: compress(codec, big), maxBuffer: 1 << 24 })
      expect(result.status).toBe(0)
      expect(result.stdout).toEqual(big)
    })
  }
})

describe('corrupt input', () => {
  it.each(['gzip', 'snappy', 'lz4', 'zstd'] as const)('%s: truncated frames throw CORRUPT_MESSAGE', (codec) => {
    const frame = compress(codec, ref.bigPlaintext())
    for (const cut of [0, 1, 10, frame.length >> 1, frame.length - 1]) {
      expect(() => decompress(codec, frame.subarray(0, cut))).toThrow(
        expect.objectContaining({ name: 'RecordBatchError', kind: 'CORRUPT_MESSAGE' }),
      )
    }
  })

  it('zstd streamed frames: truncation is detected too', () => {
    const cut = ref.ZSTD_BIG_STREAMED.subarray(0, ref.ZSTD_BIG_STREAMED.length - 10)
    expect(() => decompress('zstd', cut)).toThrow(RecordBatchError)
  })

  it.each(['gzip', 'snappy', 'zstd'] as const)('%s: output is bounded by maxBytes', (codec) => {
    const frame = compress(codec, Buffer.alloc(100_000))
    expect(() => decompress(codec, frame, 50_000)).toThrow(/limit/)
    expect(decompress(codec, frame, 100_000)).toHaveLength(100_000)
  })

  it('snappy: a block declaring far more output than its size allows is rejected before allocation', () => {
    // varint 0x7fffffff then two literal bytes
    const bogus = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x07, 0x04, 0x61])
    expect(() => decompress('snappy', bogus)).toThrow(RecordBatchError)
  })

  it.each(['gzip', 'snappy', 'lz4', 'zstd'] as const)('%s: random bytes only ever throw RecordBatchError', (codec) => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          decompress(codec, Buffer.from(bytes))
        } catch (err) {
          expect(err).toBeInstanceOf(RecordBatchError)
        }
      }),
      { numRuns: 300 },
    )
  })

  it.each(['gzip', 'snappy', 'lz4', 'zstd'] as const)('%s: mutated frames only ever throw RecordBatchError', (codec) => {
    const frame = compress(codec, ref.TEXT)
    fc.assert(
      fc.property(fc.nat(frame.length - 1), fc.integer({ min: 1, max: 255 }), (at, xor) => {
        const mutated = Buffer.from(frame)
        mutated[at] = mutated[at]! ^ xor
        try {
          decompress(codec, mutated)
        } catch (err) {
          expect(err).toBeInstanceOf(RecordBatchError)
        }
      }),
      { numRuns: 300 },
    )
  })
})
