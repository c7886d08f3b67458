// Property tests over every spec × every valid version: random messages built from the spec survive
// encode → decode unchanged, re-encode to the same bytes, and unknown tagged fields in the input are skipped.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeApiVersionsResponse } from '../../../../src/protocol/messages/api-versions.js'
import { Reader } from '../../../../src/protocol/reader.js'
import { Writer } from '../../../../src/protocol/writer.js'
import { loadCodecs, messageArb, SPEC_DIR, SPECS_PRESENT, versionsOf } from './spec-model.js'

/** A Writer that puts unknown tagged fields (random tags and payloads) where the encoder writes an empty section. */
class NoisyWriter extends Writer {
  constructor(private readonly noise: Buffer[]) {
    super()
  }
  private next = 0
  override emptyTaggedFields(): this {
    const payload = this.noise[this.next++ % this.noise.length]!
    // two unknown tags, ascending: 1000 and 1000 + payload length
    this.unsignedVarint(2)
    this.unsignedVarint(1000).unsignedVarint(payload.length).raw(payload)
    this.unsignedVarint(1000 + payload.length).unsignedVarint(0)
    return this
  }
}

function encode(codec: { encode: (w: Writer, v: number, m: unknown) => void }, version: number, msg: unknown, w: Writer = new Writer()): Buffer {
  codec.encode(w, version, msg)
  return w.toBuffer()
}

if (!SPECS_PRESENT) console.log(`messages round-trip tests skipped: spec dir ${SPEC_DIR} not found`)

describe.skipIf(!SPECS_PRESENT)('generated codecs round-trip every message at every version', async () => {
  const codecs = SPECS_PRESENT ? await loadCodecs() : []
  for (const codec of codecs) {
    const { spec } = codec
    const flexible = (v: number) => spec.flexibleVersions !== 'none' && v >= Number(spec.flexibleVersions.replace('+', ''))
    it(`${spec.name} v${versionsOf(spec).join(',')}`, () => {
      for (const version of versionsOf(spec)) {
        fc.assert(
          fc.property(messageArb(spec, version), (msg) => {
            const bytes = encode(codec, version, msg)
            const r = new Reader(bytes)
            const decoded = codec.decode(r, version)
            expect(r.remaining).toBe(0)
            expect(decoded).toEqual(msg)
            expect(encode(codec, version, decoded).equals(bytes)).toBe(true)
          }),
          { numRuns: 25 },
        )
        if (flexible(version)) {
          fc.assert(
            fc.property(messageArb(spec, version), fc.array(fc.uint8Array({ maxLength: 9 }), { minLength: 1, maxLength: 4 }), (msg, noise) => {
              const bytes = encode(codec, version, msg, new NoisyWriter(noise.map((n) => Buffer.from(n))))
              const r = new Reader(bytes)
              expect(codec.decode(r, version)).toEqual(msg)
              expect(r.remaining).toBe(0)
            }),
            { numRuns: 15 },
          )
        }
      }
    })
  }
})

describe('tagged fields next to unknown ones', () => {
  it('reads known tags and skips unknown ones in between (ApiVersionsResponse v3)', () => {
    // error 0, no api keys, throttle 5, tags: 1 FinalizedFeaturesEpoch = 7 (int64), 2 unknown(5) 'ab', 3 ZkMigrationReady = true
    const bytes = Buffer.from('0000' + '01' + '00000005' + '03' + '0108' + '0000000000000007' + '0502' + '6162' + '0301' + '01', 'hex')
    const r = new Reader(bytes)
    const res = decodeApiVersionsResponse(r, 3)
    expect(res).toEqual({
      errorCode: 0,
      apiKeys: [],
      throttleTimeMs: 5,
      supportedFeatures: [],
      finalizedFeaturesEpoch: 7,
      finalizedFeatures: [],
      zkMigrationReady: true,
    })
    expect(r.remaining).toBe(0)
  })

  it('writes tagged fields only when they differ from their default', async () => {
    const { encodeApiVersionsResponse } = await import('../../../../src/protocol/messages/api-versions.js')
    const w = new Writer()
    encodeApiVersionsResponse(w, 3, { errorCode: 0, apiKeys: [], throttleTimeMs: 5, finalizedFeaturesEpoch: -1, zkMigrationReady: true })
    expect(w.toBuffer().toString('hex')).toBe('0000' + '01' + '00000005' + '01' + '0301' + '01')
  })
})
