import type { FeatureUpdate, SupportedFeatureRange } from '../broker/feature-admin.js'
import type { KafkaError } from '../broker/kafka-error.js'

// What the features tool asks of a cluster (Kafka's Admin.describeFeatures / updateFeatures). Embedded: the
// broker core's FeatureAdmin over the data directory; remote: ApiVersions' feature fields and UpdateFeatures.

export interface FeatureMetadata {
  /** Sorted by name. */
  readonly supported: readonly SupportedFeatureRange[]
  /** metadata.version and every feature finalized above 0. */
  readonly finalized: ReadonlyMap<string, number>
  /** undefined when the broker reports none (Kafka prints '-'). */
  readonly epoch: number | undefined
}

export interface FeaturesClient {
  describeFeatures(): Promise<FeatureMetadata>
  /** One result per feature named in `updates`: null when it succeeded (or would, with validateOnly). */
  updateFeatures(updates: readonly FeatureUpdate[], validateOnly: boolean): Promise<Map<string, KafkaError | null>>
}
