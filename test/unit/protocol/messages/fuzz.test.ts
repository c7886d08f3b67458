// Decoders fed random, truncated and mutated bytes may succeed or throw ProtocolDecodeError — nothing else
// (no RangeError from Buffer, no TypeError, no runaway allocation).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ProtocolDecodeError } from '../../../../src/protocol/protocol-error.js'
import { Reader } from '../../../../src/protocol/reader.js'
import { Writer } from '../../../../src/protocol/writer.js'
import { type Codec, loadCodecs, messageArb, SPEC_DIR, SPECS_PRESENT, versionsOf } from './spec-model.js'

function decodeOutcome(codec: Codec, version: number, bytes: Buffer): 'ok' | 'decode-error' {
  try {
    codec.decode(new Reader(bytes), version)
    return 'ok'
  } catch (e) {
    if (e instanceof ProtocolDecodeError) return 'decode-error'
    throw new Error(`${codec.spec.name} v${version} threw ${String(e)} for ${bytes.toString('hex')}`, { cause: e })
  }
}

if (!SPECS_PRESENT) console.log(`decoder fuzz tests skipped: spec dir ${SPEC_DIR} not found`)

describe.skipIf(!SPECS_PRESENT)('decoders under hostile input', async () => {
  const codecs = SPECS_PRESENT ? await loadCodecs() : []
  for (const codec of codecs) {
    it(`${codec.spec.name}`, () => {
      for (const version of versionsOf(codec.spec)) {
        // random bytes
        fc.assert(
          fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
            decodeOutcome(codec, version, Buffer.from(bytes))
          }),
          { numRuns: 40 },
        )
        fc.assert(
          fc.property(
            messageArb(codec.spec, version),
            fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
            (msg, flips) => {
              const w = new Writer()
              codec.encode(w, version, msg)
              const valid = w.toBuffer()
              // every strict prefix is missing bytes the decoder needs
              for (let cut = 0; cut < valid.length; cut++) {
                expect(decodeOutcome(codec, version, valid.subarray(0, cut))).toBe('decode-error')
              }
              if (valid.length === 0) return
              const mutated = Buffer.from(valid)
              for (const [at, value] of flips) mutated[at % mutated.length] = value
              decodeOutcome(codec, version, mutated)
            },
          ),
          { numRuns: 8 },
        )
      }
    })
  }

  it('versions outside validVersions are refused by decoders', () => {
    for (const codec of codecs) {
      const versions = versionsOf(codec.spec)
      expect(decodeOutcome(codec, versions[versions.length - 1]! + 1, Buffer.alloc(64))).toBe('decode-error')
      expect(decodeOutcome(codec, -1, Buffer.alloc(64))).toBe('decode-error')
    }
  })
})
