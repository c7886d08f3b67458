// Test-side reading of Kafka's message specs: which generated module and functions belong to each spec, and
// fast-check arbitraries that build random messages of one version straight from the spec's field list. The
// defaults here are re-derived from protocol.md §3, independently of the generator's own code.

import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import fc from 'fast-check'
import type { Reader } from '../../../../src/protocol/reader.js'
import type { Writer } from '../../../../src/protocol/writer.js'

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..')
export const SPEC_DIR = path.resolve(REPO_ROOT, '../shared/kafka-reference/kafka-4/messages')
export const SPECS_PRESENT = fs.existsSync(SPEC_DIR)

export interface SpecField {
  name: string
  type: string
  versions: string
  nullableVersions?: string
  taggedVersions?: string
  tag?: number
  default?: string | number
  fields?: SpecField[]
}

export interface Spec {
  file: string
  name: string
  type: 'request' | 'response' | 'header' | 'data'
  apiKey?: number
  validVersions: string
  flexibleVersions: string
  fields: SpecField[]
  commonStructs?: { name: string; fields: SpecField[] }[]
}

export interface Codec {
  spec: Spec
  decode: (r: Reader, version: number) => Record<string, unknown>
  encode: (w: Writer, version: number, msg: unknown) => void
}

/** The generator's own spec loader (plain JS, loaded at runtime so the test type-checks without declarations). */
export interface GeneratorModule {
  loadSpecs(dir: string): Spec[]
  generate(dir: string): Map<string, string>
  DEFAULT_SPEC_DIR: string
}

export async function loadGenerator(): Promise<GeneratorModule> {
  return (await import(pathToFileURL(path.join(REPO_ROOT, 'scripts/generate-protocol.js')).href)) as GeneratorModule
}

const kebab = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()

export async function loadCodecs(): Promise<Codec[]> {
  const gen = await loadGenerator()
  const codecs: Codec[] = []
  for (const spec of gen.loadSpecs(SPEC_DIR)) {
    const base = spec.type === 'request' || spec.type === 'response' ? spec.name.replace(/(Request|Response)$/, '') : spec.name
    const mod = (await import(pathToFileURL(path.join(REPO_ROOT, `src/protocol/messages/${kebab(base)}.ts`)).href)) as Record<string, unknown>
    const decode = mod[`decode${spec.name}`]
    const encode = mod[`encode${spec.name}`]
    if (typeof decode !== 'function' || typeof encode !== 'function') throw new Error(`no codec functions for ${spec.name}`)
    codecs.push({ spec, decode: decode as Codec['decode'], encode: encode as Codec['encode'] })
  }
  return codecs
}

export function inRange(range: string | undefined, v: number): boolean {
  if (range === undefined || range === 'none') return false
  if (range.endsWith('+')) return v >= Number(range.slice(0, -1))
  const [lo, hi] = range.split('-')
  return v >= Number(lo) && v <= Number(hi ?? lo)
}

export function versionsOf(spec: Spec): number[] {
  const [lo, hi] = spec.validVersions.split('-').map(Number)
  const out: number[] = []
  for (let v = lo!; v <= (hi ?? lo!); v++) out.push(v)
  return out
}

const camel = (s: string) => s.charAt(0).toLowerCase() + s.slice(1)

function structFields(spec: Spec, f: SpecField): SpecField[] {
  if (f.fields) return f.fields
  const base = f.type.replace(/^\[\]/, '')
  const common = spec.commonStructs?.find((c) => c.name === base)
  if (!common) throw new Error(`unknown struct ${base}`)
  return common.fields
}

const PRIMS = new Set(['int8', 'int16', 'int32', 'int64', 'uint16', 'uint32', 'float64', 'bool', 'string', 'bytes', 'uuid', 'records'])

/** The value a decoder must produce for a field absent from the wire (protocol.md §3). */
export function defaultValue(spec: Spec, f: SpecField): unknown {
  if (f.default === 'null') return null
  if (f.type.startsWith('[]')) return []
  if (!PRIMS.has(f.type)) return Object.fromEntries(structFields(spec, f).map((sf) => [camel(sf.name), defaultValue(spec, sf)]))
  switch (f.type) {
    case 'bool':
      return f.default === 'true'
    case 'string':
      return f.default === undefined ? '' : String(f.default)
    case 'uuid':
      return Buffer.alloc(16)
    case 'bytes':
      return Buffer.alloc(0)
    case 'records':
      return f.nullableVersions ? null : Buffer.alloc(0)
    default:
      return f.default === undefined ? 0 : Number(f.default)
  }
}

const bytesArb = fc.uint8Array({ maxLength: 24 }).map((a) => Buffer.from(a))

function primitiveArb(type: string): fc.Arbitrary<unknown> {
  switch (type) {
    case 'int8':
      return fc.integer({ min: -128, max: 127 })
    case 'int16':
      return fc.integer({ min: -32768, max: 32767 })
    case 'int32':
      return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })
    case 'int64':
      return fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.maxSafeInteger(), fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER))
    case 'uint16':
      return fc.integer({ min: 0, max: 65535 })
    case 'uint32':
      return fc.integer({ min: 0, max: 2 ** 32 - 1 })
    case 'float64':
      return fc.double()
    case 'bool':
      return fc.boolean()
    case 'string':
      return fc.string({ unit: 'binary', maxLength: 12 })
    case 'bytes':
    case 'records':
      return bytesArb
    case 'uuid':
      return fc.uint8Array({ minLength: 16, maxLength: 16 }).map((a) => Buffer.from(a))
    default:
      throw new Error(`no arbitrary for ${type}`)
  }
}

/** Random message of one version: fields on the wire in that version random, all others at their default. */
export function messageArb(spec: Spec, version: number, fields: SpecField[] = spec.fields): fc.Arbitrary<Record<string, unknown>> {
  const entries: Record<string, fc.Arbitrary<unknown>> = {}
  for (const f of fields) {
    const key = camel(f.name)
    if (!inRange(f.versions, version)) {
      entries[key] = fc.constant(defaultValue(spec, f))
      continue
    }
    let arb: fc.Arbitrary<unknown>
    if (f.type.startsWith('[]')) {
      const elem = f.type.slice(2)
      const elemArb = PRIMS.has(elem) ? primitiveArb(elem) : messageArb(spec, version, structFields(spec, f))
      arb = fc.array(elemArb, { maxLength: 3 })
    } else if (PRIMS.has(f.type)) {
      arb = primitiveArb(f.type)
    } else {
      arb = messageArb(spec, version, structFields(spec, f))
    }
    if (inRange(f.nullableVersions, version)) arb = fc.option(arb, { nil: null, freq: 4 })
    entries[key] = arb
  }
  return fc.record(entries)
}
