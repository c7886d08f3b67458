import type { Broker } from '../../broker/broker.js'
import type { FeatureUpdate } from '../../broker/feature-admin.js'
import type { KafkaError } from '../../broker/kafka-error.js'
import type { FeatureMetadata, FeaturesClient } from '../features-client.js'

/** Feature levels of the data directory, through the broker core in this process. */
export class EmbeddedFeatures implements FeaturesClient {
  constructor(private readonly broker: Broker) {}

  async describeFeatures(): Promise<FeatureMetadata> {
    const { epoch, finalized } = this.broker.features.levels()
    return { supported: this.broker.features.supported(), finalized, epoch }
  }

  async updateFeatures(updates: readonly FeatureUpdate[], validateOnly: boolean): Promise<Map<string, KafkaError | null>> {
    // As the controller answers: one outcome for the whole request, reported against every feature in it.
    const outcome = this.broker.features.update(updates, validateOnly)
    return new Map(updates.map((u) => [u.name, outcome.ok ? null : outcome.error]))
  }
}
