// Formatted records on their way to stdout: written in large chunks, with the pipe's back-pressure
// honoured between rounds, and a closed pipe (`| head`) noticed instead of thrown.

import { once } from 'node:events'

import { OutputBuffer } from './output-buffer.js'

/** Flush formatted output once this much is buffered. */
const FLUSH_BYTES = 256 << 10

export class StdoutSink {
  readonly out = new OutputBuffer()
  private broken = false
  private readonly onError = () => {
    this.broken = true
  }

  constructor() {
    process.stdout.on('error', this.onError)
  }

  /** True once stdout can take nothing more (the reader went away). */
  get closed(): boolean {
    return this.broken
  }

  /** Hands a full buffer to stdout without waiting (memory stays flat; back-pressure waits for drain()). */
  flushIfFull(): void {
    if (this.out.length < FLUSH_BYTES || this.broken) return
    process.stdout.write(Buffer.from(this.out.bytes()))
    this.out.reset()
  }

  /** Writes what is buffered and waits until stdout takes more; false once stdout is closed. */
  async drain(): Promise<boolean> {
    if (this.broken) return false
    if (this.out.length === 0) return true
    const chunk = Buffer.from(this.out.bytes())
    this.out.reset()
    if (!process.stdout.write(chunk)) {
      // One signal removes the listeners of the two events that did not fire (they used to pile up).
      const settled = new AbortController()
      const { signal } = settled
      await Promise.race([once(process.stdout, 'drain', { signal }), once(process.stdout, 'close', { signal }), once(process.stdout, 'error', { signal })]).catch(() => undefined)
      settled.abort()
    }
    return !this.broken
  }
}
