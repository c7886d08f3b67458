import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DEFAULT_MAX_FRAME_SIZE, FrameDecoder } from '../../../src/protocol/frame-decoder.js'
import { ProtocolDecodeError } from '../../../src/protocol/protocol-error.js'

function frame(body: Buffer): Buffer {
  const size = Buffer.alloc(4)
  size.writeInt32BE(body.length)
  return Buffer.concat([size, body])
}

function drain(d: FrameDecoder): Buffer[] {
  const out: Buffer[] = []
  for (let f = d.next(); f !== undefined; f = d.next()) out.push(f)
  return out
}

describe('FrameDecoder', () => {
  it('yields frames cut at any chunk boundaries, in order and intact', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 20 }),
        (bodies, cuts) => {
          const stream = Buffer.concat(bodies.map((b) => frame(Buffer.from(b))))
          const d = new FrameDecoder()
          const got: Buffer[] = []
          let at = 0
          for (let i = 0; at < stream.length; i++) {
            const n = cuts[i % cuts.length]!
            d.push(stream.subarray(at, at + n))
            at += n
            got.push(...drain(d))
          }
          expect(got.map((b) => b.toString('hex'))).toEqual(bodies.map((b) => Buffer.from(b).toString('hex')))
          expect(d.bufferedBytes).toBe(0)
          expect(d.inFrame).toBe(false)
        },
      ),
    )
  })

  it('returns a frame inside one chunk as a view of that chunk', () => {
    const chunk = Buffer.concat([frame(Buffer.from('hello')), frame(Buffer.from('kafka'))])
    const d = new FrameDecoder()
    d.push(chunk)
    const [a, b] = drain(d)
    expect(a?.toString()).toBe('hello')
    expect(b?.toString()).toBe('kafka')
    expect(a?.buffer).toBe(chunk.buffer)
    expect(b?.byteOffset).toBe(chunk.byteOffset + 13)
  })

  it('assembles a frame split over many chunks once, and waits for the rest', () => {
    const body = Buffer.alloc(10_000, 3)
    const stream = frame(body)
    const d = new FrameDecoder()
    for (let i = 0; i < stream.length - 1; i += 100) {
      d.push(stream.subarray(i, Math.min(i + 100, stream.length - 1)))
      expect(d.next()).toBeUndefined()
    }
    expect(d.inFrame).toBe(true)
    d.push(stream.subarray(stream.length - 1))
    expect(d.next()?.equals(body)).toBe(true)
  })

  it('accepts an empty frame', () => {
    const d = new FrameDecoder()
    d.push(Buffer.from('00000000', 'hex'))
    expect(d.next()?.length).toBe(0)
  })

  it('refuses a negative size as soon as the prefix is complete', () => {
    const d = new FrameDecoder()
    d.push(Buffer.from('ffff', 'hex'))
    expect(d.next()).toBeUndefined()
    d.push(Buffer.from('fffe', 'hex'))
    expect(() => d.next()).toThrow(ProtocolDecodeError)
  })

  it('refuses sizes above the configured maximum before the body arrives', () => {
    const d = new FrameDecoder({ maxFrameSize: 1000 })
    const ok = frame(Buffer.alloc(1000))
    d.push(ok)
    expect(d.next()?.length).toBe(1000)
    d.push(Buffer.from('000003e9', 'hex'))
    let err: unknown
    try {
      d.next()
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(ProtocolDecodeError)
    expect((err as ProtocolDecodeError).offset).toBe(1004)
    expect(new FrameDecoder().maxFrameSize).toBe(DEFAULT_MAX_FRAME_SIZE)
    expect(DEFAULT_MAX_FRAME_SIZE).toBe(104857600)
  })
})
