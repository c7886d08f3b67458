// CRC-32C (Castagnoli), the checksum of RecordBatch v2 (protocol.md §8.1). @node-rs/crc32 uses the SSE4.2 / ARMv8
// CRC instructions, an order of magnitude faster than a table-driven JS loop on large batches.
import { createRequire } from 'node:module'

import type * as NodeRsCrc32 from '@node-rs/crc32'

// Loaded on first use: the native addon costs ~15 ms at start-up and topics --list never needs it.
const require = createRequire(import.meta.url)
let native: typeof NodeRsCrc32 | undefined
const nativeCrc32c = (input: Buffer, initial?: number) => (native ??= require('@node-rs/crc32') as typeof NodeRsCrc32).crc32c(input, initial)

/** Unsigned 32-bit CRC-32C of `buf[start, end)`. */
export function crc32c(buf: Buffer, start = 0, end: number = buf.length): number {
  const view = start === 0 && end === buf.length ? buf : buf.subarray(start, end)
  return nativeCrc32c(view) >>> 0
}
