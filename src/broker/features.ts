// Kafka 4.3's feature versions (server-common MetadataVersion and the *Version features; cli-4.md A.7.2):
// metadata.version levels by release, the production features with the metadata version from which each
// level is the default, and their dependencies. One table for storage format, version-mapping,
// feature-dependencies and the features tool.

export interface MetadataVersion {
  /** e.g. '4.3-IV0'. */
  readonly name: string
  readonly level: number
  /** False for versions Kafka 4.3 ships but does not yet call stable (4.4-IV0). */
  readonly stable: boolean
  /** MetadataVersion.didMetadataChange: a downgrade across this version could lose metadata, so Kafka refuses it. */
  readonly metadataChanged: boolean
}

// [name, level, didMetadataChange] as Kafka 4.3's MetadataVersion enum has them.
const MV: readonly (readonly [string, number, boolean])[] = [
  ['3.3-IV3', 7, true], ['3.4-IV0', 8, true], ['3.5-IV0', 9, false], ['3.5-IV1', 10, false], ['3.5-IV2', 11, true],
  ['3.6-IV0', 12, false], ['3.6-IV1', 13, true], ['3.6-IV2', 14, true], ['3.7-IV0', 15, true], ['3.7-IV1', 16, false],
  ['3.7-IV2', 17, true], ['3.7-IV3', 18, false], ['3.7-IV4', 19, false], ['3.8-IV0', 20, false], ['3.9-IV0', 21, false],
  ['4.0-IV0', 22, false], ['4.0-IV1', 23, true], ['4.0-IV2', 24, false], ['4.0-IV3', 25, false], ['4.1-IV0', 26, false],
  ['4.1-IV1', 27, false], ['4.2-IV0', 28, false], ['4.2-IV1', 29, false], ['4.3-IV0', 30, true], ['4.4-IV0', 31, false],
]

/** Every metadata.version Kafka 4.3 can format a node with, oldest first (3.3-IV3 is the minimum). */
export const METADATA_VERSIONS: readonly MetadataVersion[] = MV.map(([name, level, metadataChanged]) => ({ name, level, stable: level <= 30, metadataChanged }))

export const METADATA_VERSION_FEATURE = 'metadata.version'

/** The latest production metadata.version: what format and version-mapping use by default. */
export const LATEST_PRODUCTION_METADATA_VERSION: MetadataVersion = METADATA_VERSIONS.find((v) => v.name === '4.3-IV0')!

/**
 * MetadataVersion.fromVersionString: `4.3-IV0`, or a release `4.3` meaning its latest version, or a
 * third segment ignored (`3.9.1`). undefined when Kafka would not know it.
 */
export function metadataVersionFromString(text: string): MetadataVersion | undefined {
  const [release = '', iv] = text.split('-', 2)
  const short = release.split('.').slice(0, 2).join('.')
  if (iv !== undefined) return METADATA_VERSIONS.find((v) => v.name === `${short}-${iv}`)
  return [...METADATA_VERSIONS].reverse().find((v) => v.name.startsWith(`${short}-`))
}

export function metadataVersionOfLevel(level: number): MetadataVersion | undefined {
  return METADATA_VERSIONS.find((v) => v.level === level)
}

export interface FeatureLevel {
  readonly level: number
  /** The metadata.version level from which this level is the feature's default. */
  readonly bootstrapMetadataLevel: number
  /** Feature name → the level it needs (metadata.version by its level). */
  readonly dependencies: Readonly<Record<string, number>>
}

export interface ProductionFeature {
  readonly name: string
  /** Levels above 0, lowest first; the last is the latest production level. */
  readonly levels: readonly FeatureLevel[]
}

const level = (n: number, bootstrap: string, dependencies: Record<string, number> = {}): FeatureLevel => ({
  level: n,
  bootstrapMetadataLevel: metadataVersionFromString(bootstrap)!.level,
  dependencies,
})

/** The production features in the order kafka-storage version-mapping prints them. */
export const PRODUCTION_FEATURES: readonly ProductionFeature[] = [
  { name: 'kraft.version', levels: [level(1, '3.9-IV0')] },
  { name: 'transaction.version', levels: [level(1, '4.0-IV2'), level(2, '4.0-IV2')] },
  { name: 'group.version', levels: [level(1, '4.0-IV0')] },
  { name: 'eligible.leader.replicas.version', levels: [level(1, '4.1-IV0', { [METADATA_VERSION_FEATURE]: 23 })] },
  { name: 'share.version', levels: [level(1, '4.2-IV0')] },
  { name: 'streams.version', levels: [level(1, '4.2-IV1')] },
]

export function productionFeature(name: string): ProductionFeature | undefined {
  return PRODUCTION_FEATURES.find((f) => f.name === name)
}

/** Feature.defaultLevel: the highest level whose bootstrap metadata version is at or below `mv`, else 0. */
export function defaultFeatureLevel(feature: ProductionFeature, mv: MetadataVersion): number {
  return feature.levels.filter((l) => l.bootstrapMetadataLevel <= mv.level).reduce((n, l) => Math.max(n, l.level), 0)
}

/** Every production feature's default level at `mv`, kraft.version set by the quorum kind (1: dynamic, 0: static). */
export function defaultFeatureLevels(mv: MetadataVersion, kraftVersion: number): Map<string, number> {
  const levels = new Map(PRODUCTION_FEATURES.map((f) => [f.name, defaultFeatureLevel(f, mv)]))
  levels.set('kraft.version', kraftVersion)
  return levels
}

/** The levels a data directory keeps as finalized: metadata.version and each feature above 0. */
export function finalizedLevels(mv: MetadataVersion, features: ReadonlyMap<string, number>): Map<string, number> {
  const levels = new Map([[METADATA_VERSION_FEATURE, mv.level]])
  for (const [name, level] of features) if (level > 0) levels.set(name, level)
  return levels
}

/** The highest level of a feature kafka-ts supports (= Kafka 4.3's latest production level). */
export function maxFeatureLevel(feature: ProductionFeature): number {
  return feature.levels.reduce((n, l) => Math.max(n, l.level), 0)
}

/** `name=level` lines of `metadata.version=<n> (<v>)` and each production feature at `mv` (version-mapping). */
export function versionMapping(mv: MetadataVersion, given: string): string[] {
  return [`${METADATA_VERSION_FEATURE}=${mv.level} (${given})`, ...PRODUCTION_FEATURES.map((f) => `${f.name}=${defaultFeatureLevel(f, mv)}`)]
}

/** A failure of Kafka's feature checks, with its message. */
export class FeatureError extends Error {
  override readonly name = 'FeatureError'
}

/** `name=level` as Kafka's feature parsing reads it (FeatureCommand / Formatter). */
export function parseFeatureLevel(text: string): { readonly name: string; readonly level: number } {
  const eq = text.indexOf('=')
  if (eq < 0) throw new FeatureError(`Can't parse feature=level string ${text}: equals sign not found.`)
  const name = text.slice(0, eq).trim()
  const raw = text.slice(eq + 1).trim()
  const n = Number(raw)
  if (!/^[+-]?\d+$/.test(raw) || n < -32768 || n > 32767) throw new FeatureError(`Can't parse feature=level string ${text}: unable to parse ${raw} as a short.`)
  return { name, level: n }
}

/** The dependency lines of `kafka-storage feature-dependencies` for one `name=level`. */
export function featureDependencies(text: string): string[] {
  const eq = text.indexOf('=')
  if (eq < 0 || eq === 0 || eq === text.length - 1) throw new FeatureError(`Invalid feature format: ${text}. Expected format: 'feature=version' (e.g. 'group.version=1')`)
  const name = text.slice(0, eq)
  const raw = text.slice(eq + 1)
  if (!/^\d+$/.test(raw) || Number(raw) > 32767) throw new FeatureError(`Invalid version format: ${raw} for feature ${name}`)
  const n = Number(raw)
  if (name === METADATA_VERSION_FEATURE) {
    const mv = metadataVersionOfLevel(n)
    if (mv === undefined) throw new FeatureError(`Unknown metadata.version ${n}`)
    return [`${name}=${n} (${mv.name}) has no dependencies.`]
  }
  const feature = productionFeature(name)
  if (feature === undefined) throw new FeatureError(`Unknown feature: ${name}`)
  const at = feature.levels.find((l) => l.level === n)
  if (at === undefined && n !== 0) throw new FeatureError(`Feature level ${n} is not supported for feature ${name}`)
  const deps = Object.entries(at?.dependencies ?? {})
  if (deps.length === 0) return [`${name}=${n} has no dependencies.`]
  return [
    `${name}=${n} requires:`,
    ...deps.map(([dep, depLevel]) =>
      dep === METADATA_VERSION_FEATURE ? `    ${dep}=${depLevel} (${metadataVersionOfLevel(depLevel)?.name ?? 'UNKNOWN'})` : `    ${dep}=${depLevel}`,
    ),
  ]
}
