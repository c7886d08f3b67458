import { prng } from './tools.js'

// Keyed test messages as kcat's `-K '\t'` line format takes them, and a parser for kcat's
// length-prefixed consume format, so a round trip can be checked byte for byte.

export interface KeyedMessage {
  readonly key: Buffer
  readonly value: Buffer
}

/**
 * Bytes a value is drawn from: control bytes, NUL, CR, invalid UTF-8 and multi-byte UTF-8 fragments — but not
 * kcat's delimiters ('\n' between messages, '\t' after the key). Sixteen symbols keep values compressible:
 * librdkafka sends a batch uncompressed when compression does not shrink it, which would hide the codec path.
 */
const ALPHABET = Buffer.from([0x00, 0x01, 0x0d, 0x20, 0x22, 0x25, 0x2c, 0x30, 0x41, 0x5c, 0x61, 0x7f, 0x80, 0xc3, 0xa9, 0xff])

/**
 * `count` messages over `distinctKeys` keys. Every value starts with "v<index>-" so a consumer's output can be
 * matched back to its input position; the rest is random bytes (including non-UTF-8).
 */
export function keyedMessages(count: number, opts: { seed?: number; distinctKeys?: number; maxValueBytes?: number } = {}): KeyedMessage[] {
  const rand = prng(opts.seed ?? 1)
  const distinct = opts.distinctKeys ?? 1000
  const maxValue = opts.maxValueBytes ?? 80
  const out: KeyedMessage[] = new Array<KeyedMessage>(count)
  for (let i = 0; i < count; i++) {
    const prefix = Buffer.from(`v${i}-`, 'latin1')
    const extra = Math.floor(rand() * maxValue)
    const value = Buffer.allocUnsafe(prefix.length + extra)
    prefix.copy(value, 0)
    for (let j = prefix.length; j < value.length; j++) value[j] = ALPHABET[Math.floor(rand() * ALPHABET.length)]!
    out[i] = { key: Buffer.from(`key-${Math.floor(rand() * distinct)}`, 'latin1'), value }
  }
  return out
}

/** The messages as kcat -P -K '\t' input: key TAB value NL. */
export function kcatInput(messages: readonly KeyedMessage[]): Buffer {
  const parts: Buffer[] = []
  const tab = Buffer.from('\t')
  const nl = Buffer.from('\n')
  for (const m of messages) parts.push(m.key, tab, m.value, nl)
  return Buffer.concat(parts)
}

/** kcat -C format whose fields carry their own lengths, so any byte in a key or value parses unambiguously. */
export const KCAT_CONSUME_FORMAT = '%p %o %K %S %k%s\n'

export interface ConsumedMessage {
  readonly partition: number
  readonly offset: number
  readonly key: Buffer | null
  readonly value: Buffer | null
}

/** Parses output written with KCAT_CONSUME_FORMAT. */
export function parseKcatOutput(out: Buffer): ConsumedMessage[] {
  const messages: ConsumedMessage[] = []
  let at = 0
  const field = (): number => {
    const space = out.indexOf(0x20, at)
    if (space < 0) throw new Error(`kcat output truncated at byte ${at}`)
    const n = Number(out.toString('latin1', at, space))
    if (!Number.isInteger(n)) throw new Error(`bad number in kcat output at byte ${at}: ${out.toString('latin1', at, space)}`)
    at = space + 1
    return n
  }
  const take = (len: number): Buffer | null => {
    if (len < 0) return null
    const b = out.subarray(at, at + len)
    at += len
    return b
  }
  while (at < out.length) {
    const partition = field()
    const offset = field()
    const keyLength = field()
    // %S is the last field before the key: it ends at a space, then key and value follow with no separator.
    const valueLength = field()
    const key = take(keyLength)
    const value = take(valueLength)
    if (out[at] !== 0x0a) throw new Error(`expected newline after message at offset ${offset} of partition ${partition}`)
    at += 1
    messages.push({ partition, offset, key, value })
  }
  return messages
}

/** Index encoded in a value by keyedMessages ("v<index>-…"). */
export function indexOfValue(value: Buffer): number {
  const dash = value.indexOf(0x2d)
  return Number(value.toString('latin1', 1, dash))
}

/**
 * Checks that `consumed` holds every message exactly once, byte-exact, with contiguous offsets from 0 in each
 * partition, input order kept within each partition, and each key in one partition. Returns a list of problems
 * (empty when all is well), capped so a failure prints readably.
 */
export function roundTripProblems(sent: readonly KeyedMessage[], consumed: readonly ConsumedMessage[]): string[] {
  const problems: string[] = []
  const add = (p: string) => {
    if (problems.length < 20) problems.push(p)
  }
  if (consumed.length !== sent.length) add(`consumed ${consumed.length} messages, sent ${sent.length}`)
  const seen = new Uint8Array(sent.length)
  const lastIndex = new Map<number, number>()
  const nextOffset = new Map<number, number>()
  const partitionOfKey = new Map<string, number>()
  for (const m of consumed) {
    if (m.value === null) {
      add(`null value at ${m.partition}/${m.offset}`)
      continue
    }
    const i = indexOfValue(m.value)
    const expected = sent[i]
    if (expected === undefined) {
      add(`unexpected value at ${m.partition}/${m.offset}`)
      continue
    }
    if (seen[i]) add(`message ${i} consumed twice (again at ${m.partition}/${m.offset})`)
    seen[i] = 1
    if (!expected.value.equals(m.value)) add(`message ${i}: value differs`)
    if (m.key === null || !expected.key.equals(m.key)) add(`message ${i}: key differs`)
    const wantOffset = nextOffset.get(m.partition) ?? 0
    if (m.offset !== wantOffset) add(`partition ${m.partition}: offset ${m.offset} where ${wantOffset} was next`)
    nextOffset.set(m.partition, m.offset + 1)
    const last = lastIndex.get(m.partition) ?? -1
    if (i <= last) add(`partition ${m.partition}: message ${i} after ${last} (order lost)`)
    lastIndex.set(m.partition, i)
    const keyText = expected.key.toString('latin1')
    const p = partitionOfKey.get(keyText)
    if (p === undefined) partitionOfKey.set(keyText, m.partition)
    else if (p !== m.partition) add(`key ${keyText} in partitions ${p} and ${m.partition}`)
  }
  const missing = seen.indexOf(0)
  if (missing >= 0) add(`message ${missing} never consumed`)
  return problems
}
