// The console consumer's output: bytes appended in place and written to stdout in large chunks.

/** A growable byte buffer the formatter appends to. */
export class OutputBuffer {
  private buf: Buffer
  /** Bytes written so far. */
  length = 0

  constructor(initialCapacity = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(Math.max(16, initialCapacity))
  }

  /** A view of the bytes written; valid until the next append after reset()/truncate(). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.length)
  }

  /** Hands over the bytes written (no copy) and continues in fresh memory: safe for async writes. */
  take(): Buffer {
    const out = this.buf.subarray(0, this.length)
    this.buf = Buffer.allocUnsafe(this.buf.length)
    this.length = 0
    return out
  }

  reset(): void {
    this.length = 0
  }

  truncate(length: number): void {
    if (length < this.length) this.length = Math.max(0, length)
  }

  appendRange(src: Buffer, start: number, end: number): void {
    const n = end - start
    if (this.length + n > this.buf.length) this.grow(n)
    src.copy(this.buf, this.length, start, end)
    this.length += n
  }

  appendBytes(src: Buffer): void {
    const n = src.length
    if (this.length + n > this.buf.length) this.grow(n)
    // Separators and labels are a few bytes: a loop beats copy()'s call overhead there.
    if (n <= 16) {
      const buf = this.buf
      let pos = this.length
      for (let i = 0; i < n; i++) buf[pos++] = src[i] as number
    } else {
      src.copy(this.buf, this.length)
    }
    this.length += n
  }

  /** Appends a string whose characters are all below U+0100 (one byte each). */
  appendLatin1(s: string): void {
    if (this.length + s.length > this.buf.length) this.grow(s.length)
    this.length += this.buf.write(s, this.length, 'latin1')
  }

  appendUtf8(s: string): void {
    const n = Buffer.byteLength(s, 'utf8')
    if (this.length + n > this.buf.length) this.grow(n)
    this.length += this.buf.write(s, this.length, 'utf8')
  }

  /** Appends an integer (|n| < 2^53) in decimal, without building a string. */
  appendInt(n: number): void {
    if (this.length + 17 > this.buf.length) this.grow(17)
    let pos = this.length
    if (n < 0) {
      this.buf[pos++] = 0x2d
      n = -n
    }
    // Integer (int32) arithmetic is several times faster than float division: split a
    // millisecond timestamp into two parts that each fit.
    if (n < 1e8) {
      pos = this.writeDigits(n, pos, 0)
    } else {
      const high = Math.floor(n / 1e8)
      pos = this.writeDigits(high, pos, 0)
      pos = this.writeDigits(n - high * 1e8, pos, 8)
    }
    this.length = pos
  }

  /** Writes 0 <= n < 2^31 at pos, left-padded with zeros to minDigits; returns the end. */
  private writeDigits(n: number, pos: number, minDigits: number): number {
    let digits = 1
    for (let t = n; t >= 10; t = (t / 10) | 0) digits++
    if (digits < minDigits) digits = minDigits
    const buf = this.buf
    for (let p = pos + digits - 1; p >= pos; p--) {
      const q = (n / 10) | 0
      buf[p] = 0x30 + n - q * 10
      n = q
    }
    return pos + digits
  }

  private grow(needed: number): void {
    let capacity = this.buf.length * 2
    while (capacity < this.length + needed) capacity *= 2
    const next = Buffer.allocUnsafe(capacity)
    this.buf.copy(next, 0, 0, this.length)
    this.buf = next
  }
}

