// kafka-features' outputs (FeatureCommand, Kafka 4.3; cli-4.md B.6).

import type { FeatureUpdate } from '../../broker/feature-admin.js'
import { METADATA_VERSION_FEATURE, metadataVersionOfLevel } from '../../broker/features.js'
import type { KafkaError } from '../../broker/kafka-error.js'
import type { FeatureMetadata } from '../../client/features-client.js'
import type { FeatureOperation } from '../features/feature-updates.js'

/** metadata.version levels print as version strings; other features as numbers. */
function levelText(feature: string, level: number): string {
  if (feature !== METADATA_VERSION_FEATURE) return String(level)
  return metadataVersionOfLevel(level)?.name ?? `UNKNOWN ${level}`
}

/** One line per supported feature, by name; a feature not finalized shows level 0. */
export function renderFeatureDescription(metadata: FeatureMetadata): string[] {
  return [...metadata.supported]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map(
      (f) =>
        `Feature: ${f.name.padEnd(40)}  SupportedMinVersion: ${levelText(f.name, f.minLevel).padEnd(15)}  ` +
        `SupportedMaxVersion: ${levelText(f.name, f.maxLevel).padEnd(15)}  ` +
        `FinalizedVersionLevel: ${levelText(f.name, metadata.finalized.get(f.name) ?? 0).padEnd(15)}  Epoch: ${metadata.epoch ?? '-'}`,
    )
}

/** The result lines, by feature name, and how many failed. */
export function renderFeatureResults(
  op: FeatureOperation,
  updates: readonly FeatureUpdate[],
  results: ReadonlyMap<string, KafkaError | null>,
  dryRun: boolean,
): { lines: string[]; failures: number } {
  const lines: string[] = []
  let failures = 0
  for (const u of [...updates].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const error = results.get(u.name) ?? null
    if (error !== null) {
      failures++
      const what = op === 'disable' ? `disable ${u.name}` : `${op} ${u.name} to ${u.level}`
      lines.push(`${dryRun ? 'Can not ' : 'Could not '}${what}. ${error.message}`)
    } else {
      lines.push(`${u.name}${dryRun ? ' can be ' : ' was '}${op === 'disable' ? 'disabled.' : `${op}d to ${u.level}.`}`)
    }
  }
  return { lines, failures }
}
