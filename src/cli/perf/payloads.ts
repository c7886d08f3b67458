import fs from 'node:fs'
import path from 'node:path'
import { javaSplit } from '../../util/java/strings.js'

// The three payload sources of kafka-producer-perf-test:
//  --record-size N      N random uppercase letters per record. Kafka refills one array from a seeded
//                       SplittableRandom for every record (26 random draws × N per record). Here one pool
//                       of random letters is generated up front from a seeded generator and each record
//                       is a view of N bytes at a random offset in it: the values still differ record to
//                       record and are deterministic per run, without a million×N draws on the send path.
//  --payload-file F     the file split by --payload-delimiter; each record picks an entry at random.
//  --payload-monotonic  the record index as a decimal string (0, 1, 2, …).

/** Bytes of random letters the --record-size views are cut from (plus one record's length). */
const POOL_BYTES = 1 << 20

export interface PayloadSource {
  /** The value of record `index` (0-based). Buffers may share memory: the producer copies on send. */
  next(index: number): Buffer
}

/** A small seeded generator (SplitMix32-style); Kafka seeds its SplittableRandom with 0 too. */
export class SeededRandom {
  private state: number
  constructor(seed = 0) {
    this.state = seed >>> 0
  }

  /** A uniformly distributed integer in [0, bound). */
  nextInt(bound: number): number {
    this.state = (this.state + 0x9e3779b9) >>> 0
    let z = this.state
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
    z = (z ^ (z >>> 16)) >>> 0
    return Math.floor((z / 0x1_0000_0000) * bound)
  }
}

export function randomLetterPayloads(recordSize: number, random = new SeededRandom(0)): PayloadSource {
  const pool = Buffer.allocUnsafe(POOL_BYTES + recordSize)
  for (let i = 0; i < pool.length; i++) pool[i] = 65 + random.nextInt(26)
  return {
    next: () => {
      const offset = random.nextInt(POOL_BYTES + 1)
      return pool.subarray(offset, offset + recordSize)
    },
  }
}

export function monotonicPayloads(): PayloadSource {
  return { next: (index) => Buffer.from(String(index), 'utf8') }
}

export function listPayloads(entries: readonly Buffer[], random = new SeededRandom(0)): PayloadSource {
  return { next: () => entries[random.nextInt(entries.length)] ?? Buffer.alloc(0) }
}

export class PayloadFileError extends Error {
  override name = 'PayloadFileError'
}

/**
 * Kafka's readPayloadFile: prints where it reads from, refuses a missing or empty file, splits the
 * UTF-8 text with the delimiter as a Java regex (String.split: trailing empty entries dropped) and
 * prints how many entries it found.
 */
export function readPayloadFile(file: string, delimiter: string, print: (line: string) => void): Buffer[] {
  const absolute = path.resolve(file)
  print(`Reading payloads from: ${absolute}`)
  let text: string
  try {
    if (fs.statSync(absolute).size === 0) throw new PayloadFileError('File does not exist or empty file provided.')
    text = fs.readFileSync(absolute, 'utf8')
  } catch (err) {
    if (err instanceof PayloadFileError) throw err
    throw new PayloadFileError('File does not exist or empty file provided.')
  }
  const entries = javaStringSplit(text, delimiter)
  print(`Number of records read: ${entries.length}`)
  return entries.map((e) => Buffer.from(e, 'utf8'))
}

/** Java's String.split(regex) of the payload file (a delimiter that is no valid pattern is taken literally). */
export function javaStringSplit(text: string, regex: string): string[] {
  let pattern: RegExp
  try {
    pattern = new RegExp(regex, 'u')
  } catch {
    return javaSplit(text, regex)
  }
  return javaSplit(text, pattern)
}
