// CRC-32C (Castagnoli), the checksum of RecordBatch v2 (protocol.md §8.1). @node-rs/crc32 uses the SSE4.2 / ARMv8
// CRC instructions, an order of magnitude faster than a table-driven JS loop on large batches.
import { crc32c as nativeCrc32c } from '@node-rs/crc32'

/** Unsigned 32-bit CRC-32C of `buf[start, end)`. */
export function crc32c(buf: Buffer, start = 0, end: number = buf.length): number {
  const view = start === 0 && end === buf.length ? buf : buf.subarray(start, end)
  return nativeCrc32c(view) >>> 0
}
