// Splits a byte stream (stdin chunks) into lines without decoding it, so binary and invalid UTF-8
// pass through untouched. Line ends follow java.io.BufferedReader.readLine, which the console
// producer uses: '\n', '\r\n' and, by default, a lone '\r' all end a line; the terminator is not
// part of the line. A last line without a terminator is delivered by end(); an empty remainder is
// not a line.
//
// Lines are views (subarrays) into the pushed chunks: the caller must not reuse or mutate a chunk's
// memory while its lines are in use. A line spanning chunks is kept as a list of chunk views and
// joined once when it completes, so a very long line costs one copy, not one per chunk.

const LF = 0x0a
const CR = 0x0d

export interface LineSplitterOptions {
  /**
   * A '\r' not followed by '\n' ends a line, as in Java's readLine (default true). When false only
   * '\n' (or the end of input) ends a line and a '\r' right before it is dropped.
   */
  readonly loneCrEndsLine?: boolean
}

export type OnLine = (line: Buffer) => void

export class LineSplitter {
  private readonly loneCrEndsLine: boolean
  /** Pieces of the line still waiting for its terminator (views into earlier chunks). */
  private pending: Buffer[] = []
  private pendingLength = 0
  /** The previous chunk ended with '\r': a '\n' opening the next chunk belongs to that terminator. */
  private skipLf = false

  constructor(options: LineSplitterOptions = {}) {
    this.loneCrEndsLine = options.loneCrEndsLine ?? true
  }

  push(chunk: Buffer, onLine: OnLine): void {
    const n = chunk.length
    if (n === 0) return
    let pos = 0
    if (this.skipLf) {
      this.skipLf = false
      if (chunk[0] === LF) pos = 1
    }
    if (this.loneCrEndsLine) this.pushJava(chunk, pos, n, onLine)
    else this.pushLfOnly(chunk, pos, n, onLine)
  }

  /** Delivers the unterminated last line, if any, and resets the splitter for reuse. */
  end(onLine: OnLine): void {
    this.skipLf = false
    if (this.pending.length === 0) return
    let line = this.takePending()
    if (!this.loneCrEndsLine && line.length > 0 && line[line.length - 1] === CR) line = line.subarray(0, line.length - 1)
    onLine(line)
  }

  private pushJava(chunk: Buffer, start: number, n: number, onLine: OnLine): void {
    let pos = start
    // One scan for '\r' per chunk when there is none: most input never contains it.
    let cr = chunk.indexOf(CR, pos)
    while (pos < n) {
      const lf = chunk.indexOf(LF, pos)
      let end: number
      let next: number
      if (cr !== -1 && (lf === -1 || cr < lf)) {
        end = cr
        if (cr + 1 < n) {
          next = chunk[cr + 1] === LF ? cr + 2 : cr + 1
        } else {
          next = n
          this.skipLf = true
        }
        cr = next < n ? chunk.indexOf(CR, next) : -1
      } else if (lf !== -1) {
        end = lf
        next = lf + 1
      } else {
        this.stash(chunk, pos, n)
        return
      }
      this.emit(chunk, pos, end, onLine)
      pos = next
    }
  }

  private pushLfOnly(chunk: Buffer, start: number, n: number, onLine: OnLine): void {
    let pos = start
    while (pos < n) {
      const lf = chunk.indexOf(LF, pos)
      if (lf === -1) {
        this.stash(chunk, pos, n)
        return
      }
      if (this.pending.length === 0) {
        onLine(chunk.subarray(pos, lf > pos && chunk[lf - 1] === CR ? lf - 1 : lf))
      } else {
        this.stash(chunk, pos, lf)
        const line = this.takePending()
        onLine(line.length > 0 && line[line.length - 1] === CR ? line.subarray(0, line.length - 1) : line)
      }
      pos = lf + 1
    }
  }

  private emit(chunk: Buffer, start: number, end: number, onLine: OnLine): void {
    if (this.pending.length === 0) {
      onLine(chunk.subarray(start, end))
      return
    }
    this.stash(chunk, start, end)
    onLine(this.takePending())
  }

  private stash(chunk: Buffer, start: number, end: number): void {
    // Only non-empty pieces are kept, so "pending is non-empty" means "a line has started".
    if (end <= start) return
    this.pending.push(chunk.subarray(start, end))
    this.pendingLength += end - start
  }

  private takePending(): Buffer {
    const pieces = this.pending
    const line = pieces.length === 1 ? (pieces[0] as Buffer) : Buffer.concat(pieces, this.pendingLength)
    this.pending = []
    this.pendingLength = 0
    return line
  }
}
