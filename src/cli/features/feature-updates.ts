// kafka-features' upgrade / downgrade / disable arguments turned into UpdateFeatures entries (FeatureCommand,
// Kafka 4.3; cli-4.md B.6), with the tool's texts for every refusal.

import type { FeatureUpdate, UpgradeType } from '../../broker/feature-admin.js'
import {
  LATEST_PRODUCTION_METADATA_VERSION,
  METADATA_VERSIONS,
  METADATA_VERSION_FEATURE,
  PRODUCTION_FEATURES,
  defaultFeatureLevel,
  metadataVersionFromString,
  parseFeatureLevel,
  type MetadataVersion,
} from '../../broker/features.js'
import { UserError } from '../errors.js'
import { featureArgument } from './feature-errors.js'

export type FeatureOperation = 'upgrade' | 'downgrade' | 'disable'

export interface FeatureUpdateArgs {
  readonly releaseVersion?: string | undefined
  readonly metadata?: string | undefined
  readonly features?: readonly string[] | undefined
  readonly unsafe?: boolean | undefined
}

/** The entries to send, in the order given, plus what the tool prints before sending (the --metadata warning). */
export function featureUpdates(op: FeatureOperation, args: FeatureUpdateArgs): { updates: FeatureUpdate[]; notices: string[] } {
  const type: UpgradeType = op === 'upgrade' ? 'upgrade' : args.unsafe === true ? 'unsafe-downgrade' : 'safe-downgrade'
  const updates = new Map<string, FeatureUpdate>()
  const notices: string[] = []
  const add = (name: string, level: number) => {
    if (updates.has(name)) throw new UserError(`Feature ${name} was specified more than once.`)
    updates.set(name, { name, level, type })
  }
  if (op === 'disable') {
    for (const name of args.features ?? []) add(name, 0)
  } else if (args.releaseVersion !== undefined) {
    if (args.metadata !== undefined || args.features !== undefined) throw new UserError('Can not specify `release-version` with other feature flags.')
    const mv = knownMetadataVersion(args.releaseVersion)
    add(METADATA_VERSION_FEATURE, mv.level)
    for (const feature of PRODUCTION_FEATURES) {
      const level = defaultFeatureLevel(feature, mv)
      // An upgrade never asks for level 0; a downgrade does (it disables what the release did not have).
      if (type !== 'upgrade' || level > 0) add(feature.name, level)
    }
  } else {
    if (args.metadata !== undefined) {
      notices.push(' `metadata` flag is deprecated and may be removed in a future release.')
      add(METADATA_VERSION_FEATURE, knownMetadataVersion(args.metadata).level)
    }
    for (const text of args.features ?? []) {
      const parsed = featureArgument(() => parseFeatureLevel(text))
      add(parsed.name, parsed.level)
    }
  }
  if (updates.size === 0) throw new UserError(`You must specify at least one feature to ${op}`)
  return { updates: [...updates.values()], notices }
}

function knownMetadataVersion(text: string): MetadataVersion {
  const mv = metadataVersionFromString(text)
  if (mv !== undefined && mv.stable) return mv
  const supported = METADATA_VERSIONS.filter((v) => v.level <= LATEST_PRODUCTION_METADATA_VERSION.level).map((v) => v.name)
  throw new UserError(`Unknown metadata.version ${text}. Supported metadata.version are ${supported.join(', ')}`)
}
