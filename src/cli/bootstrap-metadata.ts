// What kafka-storage format (Kafka 4.3, cli-4.md A.7.1) decides before writing anything: the metadata
// version, the feature levels (defaults for that version, then --feature), and the `Bootstrap metadata:`
// line it prints, with Kafka's texts for every refusal.

import {
  LATEST_PRODUCTION_METADATA_VERSION,
  METADATA_VERSION_FEATURE,
  PRODUCTION_FEATURES,
  defaultFeatureLevels,
  maxFeatureLevel,
  metadataVersionFromString,
  parseFeatureLevel,
  productionFeature,
  type MetadataVersion,
} from '../broker/features.js'
import type { ScramCredential, ScramMechanismName } from '../broker/scram-credentials.js'
import { UserError } from './errors.js'
import { featureArgument } from './features/feature-errors.js'

export interface BootstrapMetadata {
  readonly metadataVersion: MetadataVersion
  /** Every production feature's level, kraft.version included. */
  readonly features: ReadonlyMap<string, number>
}

export interface BootstrapInput {
  readonly releaseVersion: string | undefined
  readonly features: readonly string[]
  /** --standalone, --initial-controllers or --no-initial-controllers given (a dynamic quorum). */
  readonly dynamicQuorum: boolean
  readonly unstableVersionsEnabled: boolean
  readonly scram: boolean
}

const MIN_SCRAM_METADATA_LEVEL = 11 // 3.5-IV2
/** org.apache.kafka.common.security.scram.internals.ScramMechanism's type bytes. */
const SCRAM_TYPE: Readonly<Record<ScramMechanismName, number>> = { 'SCRAM-SHA-256': 1, 'SCRAM-SHA-512': 2 }

export function bootstrapMetadata(input: BootstrapInput): BootstrapMetadata {
  const mv = input.releaseVersion === undefined ? LATEST_PRODUCTION_METADATA_VERSION : metadataVersionFromString(input.releaseVersion)
  if (mv === undefined) throw new UserError(`Unknown metadata.version ${input.releaseVersion ?? ''}.`)
  if (!mv.stable && !input.unstableVersionsEnabled) throw new UserError(`metadata.version ${mv.name} is not yet stable.`)
  if (input.scram && mv.level < MIN_SCRAM_METADATA_LEVEL) throw new UserError('SCRAM is only supported in metadata.version 3.5-IV2 or later.')

  const levels = defaultFeatureLevels(mv, input.dynamicQuorum ? 1 : 0)
  const given = new Set<string>()
  for (const text of input.features) {
    const parsed = featureArgument(() => parseFeatureLevel(text))
    if (parsed.name === METADATA_VERSION_FEATURE) {
      if (input.releaseVersion !== undefined) throw new UserError('Use --release-version instead of --feature metadata.version=X to avoid ambiguity.')
      throw new UserError('Use --release-version instead of --feature metadata.version=X.')
    }
    const feature = productionFeature(parsed.name)
    if (feature === undefined) {
      const names = PRODUCTION_FEATURES.map((f) => f.name).sort()
      throw new UserError(`Unsupported feature: ${parsed.name}. Supported features are: ${names.join(', ')}`)
    }
    if (given.has(parsed.name)) throw new UserError(`Feature ${parsed.name} was specified more than once.`)
    given.add(parsed.name)
    if (parsed.level < 0 || parsed.level > maxFeatureLevel(feature)) throw new UserError(`No feature:${parsed.name} with feature level ${parsed.level}`)
    levels.set(parsed.name, parsed.level)
  }
  if (given.has('kraft.version')) {
    const kraft = levels.get('kraft.version')
    if (input.dynamicQuorum && kraft === 0) {
      throw new UserError(
        'Cannot set kraft.version to 0 if controller.quorum.voters is empty and one of the flags --standalone, --initial-controllers, or --no-initial-controllers is used. For dynamic controllers support, try removing the --feature flag for kraft.version.',
      )
    }
    if (!input.dynamicQuorum && kraft === 1) {
      throw new UserError(
        'Cannot set kraft.version to 1 unless controller.quorum.voters is empty and one of the flags --standalone, --initial-controllers, or --no-initial-controllers is used. For dynamic controllers support, try using one of --standalone, --initial-controllers, or --no-initial-controllers.',
      )
    }
  }
  for (const feature of PRODUCTION_FEATURES) {
    const at = feature.levels.find((l) => l.level === levels.get(feature.name))
    for (const [dep, needed] of Object.entries(at?.dependencies ?? {})) {
      const have = dep === METADATA_VERSION_FEATURE ? mv.level : (levels.get(dep) ?? 0)
      if (have < needed) throw new UserError(`${feature.name} level ${at?.level ?? 0} requires ${dep} level ${needed} or higher, but ${dep} is at level ${have}.`)
    }
  }
  return { metadataVersion: mv, features: levels }
}

/** The `Bootstrap metadata:` line: metadata.version, the other features above 0 by name (not kraft.version), then the SCRAM records. */
export function bootstrapMetadataLine(meta: BootstrapMetadata, scram: readonly ScramCredential[]): string {
  const record = (inner: string) => `ApiMessageAndVersion(${inner} at version 0)`
  const level = (name: string, n: number) => record(`FeatureLevelRecord(name='${name}', featureLevel=${n})`)
  const records = [
    level(METADATA_VERSION_FEATURE, meta.metadataVersion.level),
    ...[...meta.features]
      .filter(([name, n]) => n > 0 && name !== 'kraft.version')
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, n]) => level(name, n)),
    ...scram.map((c) =>
      record(
        `UserScramCredentialRecord(name='${c.name}', mechanism=${SCRAM_TYPE[c.mechanism]}, salt=${javaBytes(c.salt)}, ` +
          `storedKey=${javaBytes(c.storedKey)}, serverKey=${javaBytes(c.serverKey)}, iterations=${c.iterations})`,
      ),
    ),
  ]
  return `Bootstrap metadata: BootstrapMetadata(records=[${records.join(', ')}], metadataVersionLevel=${meta.metadataVersion.level}, source=format command)`
}

/** Arrays.toString(byte[]): signed bytes. */
function javaBytes(bytes: Buffer): string {
  return `[${[...bytes].map((b) => (b > 127 ? b - 256 : b)).join(', ')}]`
}
