// Feature levels as a single KRaft node keeps them (Kafka 4.3's FeatureControlManager, cli-4.md B.6): the
// ranges this node supports, the finalized levels stored with the data directory, and UpdateFeatures with
// Kafka's checks and messages. This node is the whole quorum, so "every broker and controller supports it"
// is "this node supports it". The levels are recorded and reported; the features they gate arrive with
// their own issues (transactions, KIP-848 and share groups).

import type { LogStore } from '../storage/log-store.js'
import {
  LATEST_PRODUCTION_METADATA_VERSION,
  METADATA_VERSIONS,
  METADATA_VERSION_FEATURE,
  PRODUCTION_FEATURES,
  defaultFeatureLevels,
  finalizedLevels,
  maxFeatureLevel,
  metadataVersionOfLevel,
  productionFeature,
} from './features.js'
import { KafkaError, fail, ok, type Outcome } from './kafka-error.js'

export interface SupportedFeatureRange {
  readonly name: string
  readonly minLevel: number
  readonly maxLevel: number
}

export interface FeatureLevels {
  /** The epoch of the last change (0 for a data directory that has never changed its levels). */
  readonly epoch: number
  /** metadata.version and every feature finalized above 0. */
  readonly finalized: ReadonlyMap<string, number>
}

/** UpdateFeatures' FeatureUpdateKey.UpgradeType: 1 upgrade, 2 safe downgrade, 3 unsafe downgrade. */
export type UpgradeType = 'upgrade' | 'safe-downgrade' | 'unsafe-downgrade'

export interface FeatureUpdate {
  readonly name: string
  readonly level: number
  readonly type: UpgradeType
}

const MINIMUM_METADATA_LEVEL = METADATA_VERSIONS[0]!.level

export class FeatureAdmin {
  constructor(
    private readonly store: LogStore,
    private readonly nodeId: number,
    private readonly unstableVersionsEnabled: boolean,
  ) {}

  /** BrokerFeatures.defaultSupportedFeatures: metadata.version from 3.3-IV3, every production feature from 0. */
  supported(): SupportedFeatureRange[] {
    const newestMetadata = this.unstableVersionsEnabled ? METADATA_VERSIONS.at(-1)! : LATEST_PRODUCTION_METADATA_VERSION
    return [
      { name: METADATA_VERSION_FEATURE, minLevel: MINIMUM_METADATA_LEVEL, maxLevel: newestMetadata.level },
      ...PRODUCTION_FEATURES.map((f) => ({ name: f.name, minLevel: 0, maxLevel: maxFeatureLevel(f) })),
    ].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  }

  /**
   * What is stored, or — for a directory created before levels were kept, or by an embedded command
   * without `storage format` — what `storage format` would have written: the latest production levels
   * with a static quorum (kraft.version 0).
   */
  levels(): FeatureLevels {
    const stored = this.store.finalizedFeatures()
    if (stored !== undefined) return { epoch: stored.epoch, finalized: stored.levels }
    const mv = LATEST_PRODUCTION_METADATA_VERSION
    return { epoch: 0, finalized: finalizedLevels(mv, defaultFeatureLevels(mv, 0)) }
  }

  /**
   * QuorumController.updateFeatures: the updates are checked in the order given and the first failure
   * fails them all (nothing is written); with `validateOnly` nothing is written either way.
   */
  update(updates: readonly FeatureUpdate[], validateOnly: boolean): Outcome<null> {
    const current = this.levels().finalized
    const proposed = new Map(current)
    for (const u of updates) proposed.set(u.name, u.level)
    for (const u of updates) {
      const failure = this.check(u, current.get(u.name) ?? 0, proposed)
      if (failure !== undefined) return fail(new KafkaError('INVALID_UPDATE_VERSION', failure))
    }
    if (!validateOnly && updates.length > 0) {
      const changes = new Map<string, number>()
      // A store that never kept its levels keeps what it reported until now, plus the change.
      if (this.store.finalizedFeatures() === undefined) for (const [name, level] of current) changes.set(name, level)
      for (const u of updates) changes.set(u.name, u.level)
      this.store.updateFinalizedFeatures(changes)
    }
    return ok(null)
  }

  private check(u: FeatureUpdate, currentLevel: number, proposed: ReadonlyMap<string, number>): string | undefined {
    const invalid = (reason: string) => `Invalid update version ${u.level} for feature ${u.name}. ${reason}`
    if (u.level < 0) return invalid('A feature version cannot be less than 0.')
    // QuorumFeatures.reasonNotSupported; a feature this node does not know has the range 0-0.
    const range = this.supported().find((f) => f.name === u.name) ?? { name: u.name, minLevel: 0, maxLevel: 0 }
    if (u.level < range.minLevel || u.level > range.maxLevel) {
      if (range.maxLevel === 0) return invalid(`Local controller ${this.nodeId} does not support this feature.`)
      const versions = range.minLevel === range.maxLevel ? `${range.minLevel}` : `${range.minLevel}-${range.maxLevel}`
      return invalid(`Local controller ${this.nodeId} only supports versions ${versions}`)
    }
    if (u.level < currentLevel && u.type === 'upgrade') {
      return invalid("Can't downgrade the version of this feature without setting the upgrade type to either safe or unsafe downgrade.")
    }
    if (u.level > currentLevel && u.type !== 'upgrade') return invalid("Can't downgrade to a newer version.")
    if (u.name === METADATA_VERSION_FEATURE) return this.checkMetadataVersion(u, currentLevel)
    const level = productionFeature(u.name)?.levels.find((l) => l.level === u.level)
    for (const [dependency, needed] of Object.entries(level?.dependencies ?? {})) {
      if ((proposed.get(dependency) ?? 0) < needed) return invalid(`${u.name} could not be set to ${u.level} because it depends on ${dependency} level ${needed}`)
    }
    return undefined
  }

  private checkMetadataVersion(u: FeatureUpdate, currentLevel: number): string | undefined {
    const invalid = (reason: string) => `Invalid metadata.version ${u.level}. ${reason}`
    if (metadataVersionOfLevel(u.level) === undefined) return invalid('Unknown metadata.version.')
    if (u.level >= currentLevel) return undefined
    // MetadataVersion.checkIfMetadataChanged: any version above the target, up to the current one, that changed the metadata.
    const crossesChange = METADATA_VERSIONS.some((v) => v.level > u.level && v.level <= currentLevel && v.metadataChanged)
    if (!crossesChange) return undefined
    if (u.type === 'unsafe-downgrade') return invalid('Unsafe metadata downgrade is not supported in this version.')
    return invalid('Refusing to perform the requested downgrade because it might delete metadata information.')
  }
}
