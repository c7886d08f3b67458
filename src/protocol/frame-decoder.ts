// Splits a TCP byte stream into Kafka frames (int32 size + that many bytes). Pure: the connection pushes socket
// chunks in and pulls frame bodies out. Chunks are kept as received; a frame that lies inside one chunk is
// returned as a view of it, one spread over several chunks is assembled once — no byte is copied twice, however
// the stream is cut.

import { ProtocolDecodeError } from './protocol-error.js'

/** Kafka's socket.request.max.bytes default (100 MiB). */
export const DEFAULT_MAX_FRAME_SIZE = 104_857_600

export interface FrameDecoderOptions {
  /** Largest frame body accepted; a larger announced size is refused before its bytes arrive. */
  maxFrameSize?: number
}

export class FrameDecoder {
  readonly maxFrameSize: number
  private readonly chunks: Buffer[] = []
  /** Index of the first unconsumed chunk, and the offset of the first unconsumed byte in it. */
  private first = 0
  private offset = 0
  private buffered = 0
  /** Size of the frame whose 4-byte prefix has been consumed, or −1 while waiting for a prefix. */
  private pending = -1
  /** Stream position of the next unconsumed byte, for error offsets. */
  private consumed = 0

  constructor(options: FrameDecoderOptions = {}) {
    this.maxFrameSize = options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE
  }

  /** Bytes received but not yet returned as part of a frame (size prefixes included). */
  get bufferedBytes(): number {
    return this.buffered
  }

  /** True while part of a frame (or of its size prefix) has been received: a disconnect now is mid-request. */
  get inFrame(): boolean {
    return this.pending >= 0 || this.buffered > 0
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return
    this.chunks.push(chunk)
    this.buffered += chunk.length
  }

  /**
   * The next complete frame body (without its size prefix), or undefined until more bytes arrive. Throws a
   * ProtocolDecodeError for a negative size or one above maxFrameSize; the stream cannot be resynchronised
   * after that, so the connection should be closed.
   */
  next(): Buffer | undefined {
    if (this.pending < 0) {
      if (this.buffered < 4) return undefined
      const at = this.consumed
      const size = this.take(4).readInt32BE(0)
      if (size < 0) throw new ProtocolDecodeError(`invalid frame size ${size}`, { offset: at })
      if (size > this.maxFrameSize) {
        throw new ProtocolDecodeError(`frame of ${size} bytes is larger than the maximum of ${this.maxFrameSize}`, { offset: at })
      }
      this.pending = size
    }
    if (this.buffered < this.pending) return undefined
    const frame = this.take(this.pending)
    this.pending = -1
    return frame
  }

  /** Consumes n ≤ buffered bytes: a view when they lie in one chunk, else one assembled copy. */
  private take(n: number): Buffer {
    this.buffered -= n
    this.consumed += n
    const head = this.chunks[this.first]
    if (n === 0) return Buffer.alloc(0)
    if (head !== undefined && head.length - this.offset >= n) {
      const view = head.subarray(this.offset, this.offset + n)
      this.offset += n
      if (this.offset === head.length) this.advance()
      return view
    }
    const out = Buffer.allocUnsafe(n)
    let filled = 0
    while (filled < n) {
      const chunk = this.chunks[this.first]!
      const count = Math.min(chunk.length - this.offset, n - filled)
      chunk.copy(out, filled, this.offset, this.offset + count)
      filled += count
      this.offset += count
      if (this.offset === chunk.length) this.advance()
    }
    return out
  }

  private advance(): void {
    this.first++
    this.offset = 0
    // Drop consumed chunks in batches so the array neither grows without bound nor shifts per chunk.
    if (this.first >= 64 || this.first === this.chunks.length) {
      this.chunks.splice(0, this.first)
      this.first = 0
    }
  }
}
