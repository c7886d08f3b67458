// Standard input as lines for the producing tools: each chunk's lines are handed over before the next
// chunk is read, so the consumer of the lines (a producer's buffer.memory, --sync) holds stdin back;
// Ctrl-C or SIGTERM ends the reading with what was read handed over.

import fs from 'node:fs'

import { LineSplitter } from './line-splitter.js'
import { onTermination } from './termination.js'

export interface LineHandlers {
  /** One line; no waiting here (back-pressure happens in afterChunk). */
  onLine(line: Buffer): void
  /** After the lines of each chunk (and of the end of input). */
  afterChunk(): Promise<void>
  /** Instead of onLine + afterChunk: each line waited on before the next (Kafka's --sync). */
  syncLine?: (line: Buffer) => Promise<void>
  /** True when a handler failed: reading stops. */
  failed(): boolean
}

export class StdinLines {
  private finish: (() => void) | undefined
  private stopRequested = false
  /** Set when SIGINT or SIGTERM ended the reading. */
  interrupted = false

  /** Ends the reading (from a handler or a callback): what was handed over stays handed over. */
  stop(): void {
    this.stopRequested = true
    this.finish?.()
  }

  /**
   * Reads stdin to its end (or until stop(), a failed handler or a signal). `prompt` writes Kafka's `>`
   * before each read on a terminal. Lines end at \n (a \r before it is dropped, as Java's readLine does);
   * a lone \r stays in the line, so binary values pass through byte-exact.
   */
  async read(handlers: LineHandlers, prompt: boolean): Promise<void> {
    const input = stdinStream()
    const splitter = new LineSplitter({ loneCrEndsLine: false })
    // Lines go straight from the splitter to onLine; only --sync collects a chunk's lines to wait on each.
    const handOver = async (feed: (onLine: (line: Buffer) => void) => void) => {
      const { syncLine } = handlers
      if (syncLine === undefined) {
        feed((line) => handlers.onLine(line))
        await handlers.afterChunk()
        return
      }
      const lines: Buffer[] = []
      feed((line) => lines.push(line))
      for (const line of lines) {
        await syncLine(line)
        if (handlers.failed()) return
      }
    }
    try {
      await new Promise<void>((resolve, reject) => {
        let finished = false
        const done = () => {
          if (finished) return
          finished = true
          input.off('data', onData)
          stopSignals()
          resolve()
        }
        const fail = (err: unknown) => {
          finished = true
          stopSignals()
          reject(err instanceof Error ? err : new Error(String(err)))
        }
        this.finish = () => {
          input.pause()
          done()
        }
        const stopSignals = onTermination(() => {
          this.interrupted = true
          this.finish?.()
        })
        // 'end' can fire while a chunk is still being handed over (a paused stream still ends once its
        // buffer is empty), so the steps are chained.
        let chain = Promise.resolve()
        const onData = (chunk: Buffer) => {
          input.pause()
          chain = chain.then(async () => {
            if (finished || handlers.failed()) return
            await handOver((onLine) => splitter.push(chunk, onLine))
            if (finished) return
            if (handlers.failed()) done()
            else {
              if (prompt) process.stdout.write('>')
              input.resume()
            }
          })
          chain.catch(fail)
        }
        if (this.stopRequested) return done()
        if (prompt) process.stdout.write('>')
        input.on('data', onData)
        // A prompt for a missing flag (inquirer) leaves stdin paused, and a 'data' listener does not
        // restart a stream paused explicitly.
        input.resume()
        input.once('end', () => {
          chain = chain.then(async () => {
            if (finished) return
            if (!handlers.failed()) await handOver((onLine) => splitter.end(onLine))
            done()
          })
          chain.catch(fail)
        })
        input.once('error', fail)
      })
    } finally {
      this.finish = undefined
      input.destroy()
    }
  }
}

/** stdin; a regular file (`< file`) is read in 1 MiB chunks, which halves the per-chunk overhead of 64 KiB reads. */
function stdinStream(): NodeJS.ReadableStream & { destroy(): void; pause(): unknown } {
  try {
    if (fs.fstatSync(0).isFile()) return fs.createReadStream('', { fd: 0, highWaterMark: 1 << 20, autoClose: false })
  } catch {
    // fall back to process.stdin
  }
  return process.stdin
}
