// The benchmark's input file: `count` lines whose content (without the newline) is exactly
// `valueBytes` long, so every record value is that size. A 10-digit sequence number leads each line
// (makes lost or reordered records visible with a diff); the rest is deterministic pseudo-random
// lowercase text, so a compression codec run on the same file sees realistic, not trivial, data.

import { closeSync, openSync, writeSync } from 'node:fs'

const CHUNK_LINES = 8192

/** Writes the file and returns its size in bytes. */
export function writeLinesFile(path, count, valueBytes) {
  if (valueBytes < 10) throw new RangeError('valueBytes must leave room for the 10-digit sequence number')
  const lineBytes = valueBytes + 1
  const chunk = Buffer.allocUnsafe(CHUNK_LINES * lineBytes)
  let seed = 0x2545f491
  const fd = openSync(path, 'w')
  try {
    for (let first = 0; first < count; first += CHUNK_LINES) {
      const lines = Math.min(CHUNK_LINES, count - first)
      for (let i = 0; i < lines; i++) {
        const at = i * lineBytes
        chunk.write(String(first + i).padStart(10, '0'), at, 'latin1')
        for (let j = 10; j < valueBytes; j++) {
          seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
          chunk[at + j] = 97 + ((seed >>> 16) % 26)
        }
        chunk[at + valueBytes] = 0x0a
      }
      writeSync(fd, chunk, 0, lines * lineBytes)
    }
  } finally {
    closeSync(fd)
  }
  return count * lineBytes
}
