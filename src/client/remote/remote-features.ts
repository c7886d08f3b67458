import type { FeatureUpdate, UpgradeType } from '../../broker/feature-admin.js'
import { kafkaErrorForCode, type KafkaError } from '../../broker/kafka-error.js'
import { ApiKey } from '../../protocol/api-keys.js'
import { decodeApiVersionsResponse, encodeApiVersionsRequest } from '../../protocol/messages/api-versions.js'
import { decodeUpdateFeaturesResponse, encodeUpdateFeaturesRequest } from '../../protocol/messages/update-features.js'
import type { FeatureMetadata, FeaturesClient } from '../features-client.js'
import type { RemoteClient } from './remote-client.js'
import { CLIENT_SOFTWARE_NAME, CLIENT_SOFTWARE_VERSION } from './wire/connection.js'

// Kafka's Admin.describeFeatures (ApiVersions' feature fields from any node) and updateFeatures
// (UpdateFeatures, which a broker forwards to the active controller).

const UPGRADE_TYPE: Readonly<Record<UpgradeType, number>> = { upgrade: 1, 'safe-downgrade': 2, 'unsafe-downgrade': 3 }
/** The admin client's default.api.timeout.ms: the controller may take that long to apply the change. */
const UPDATE_TIMEOUT_MS = 60_000

export class RemoteFeatures implements FeaturesClient {
  constructor(private readonly client: RemoteClient) {}

  async describeFeatures(): Promise<FeatureMetadata> {
    const answer = await this.client.wire(async (cluster) => {
      const conn = await cluster.anyBroker()
      return conn.request(ApiKey.ApiVersions, (w, v) => encodeApiVersionsRequest(w, v, { clientSoftwareName: CLIENT_SOFTWARE_NAME, clientSoftwareVersion: CLIENT_SOFTWARE_VERSION }), decodeApiVersionsResponse)
    })
    if (answer.errorCode !== 0) throw kafkaErrorForCode(answer.errorCode)
    return {
      supported: answer.supportedFeatures.map((f) => ({ name: f.name, minLevel: f.minVersion, maxLevel: f.maxVersion })),
      finalized: new Map(answer.finalizedFeatures.map((f) => [f.name, f.maxVersionLevel])),
      epoch: answer.finalizedFeaturesEpoch < 0 ? undefined : answer.finalizedFeaturesEpoch,
    }
  }

  async updateFeatures(updates: readonly FeatureUpdate[], validateOnly: boolean): Promise<Map<string, KafkaError | null>> {
    const answer = await this.client.wire(async (cluster) => {
      const conn = await cluster.anyBroker()
      return conn.request(
        ApiKey.UpdateFeatures,
        (w, v) =>
          encodeUpdateFeaturesRequest(w, v, {
            timeoutMs: UPDATE_TIMEOUT_MS,
            featureUpdates: updates.map((u) =>
              v === 0 ? { feature: u.name, maxVersionLevel: u.level, allowDowngrade: u.type !== 'upgrade' } : { feature: u.name, maxVersionLevel: u.level, upgradeType: UPGRADE_TYPE[u.type] },
            ),
            validateOnly,
          }),
        decodeUpdateFeaturesResponse,
        { timeoutMs: UPDATE_TIMEOUT_MS },
      )
    })
    // v2 answers with the top-level error only; v0–v1 add one result per feature.
    const topLevel = answer.errorCode === 0 ? null : kafkaErrorForCode(answer.errorCode, answer.errorMessage)
    const perFeature = new Map(answer.results.map((r) => [r.feature, r.errorCode === 0 ? null : kafkaErrorForCode(r.errorCode, r.errorMessage)]))
    return new Map(updates.map((u) => [u.name, topLevel ?? perFeature.get(u.name) ?? null]))
  }
}
