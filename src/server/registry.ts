import type { AnyHandler } from './handler.js'
import { addOffsetsToTxnHandler } from './handlers/add-offsets-to-txn.js'
import { addPartitionsToTxnHandler } from './handlers/add-partitions-to-txn.js'
import { alterConfigsHandler } from './handlers/alter-configs.js'
import { apiVersionsHandler } from './handlers/api-versions.js'
import { createPartitionsHandler } from './handlers/create-partitions.js'
import { createTopicsHandler } from './handlers/create-topics.js'
import { deleteGroupsHandler } from './handlers/delete-groups.js'
import { deleteRecordsHandler } from './handlers/delete-records.js'
import { deleteTopicsHandler } from './handlers/delete-topics.js'
import { describeClusterHandler } from './handlers/describe-cluster.js'
import { describeConfigsHandler } from './handlers/describe-configs.js'
import { describeGroupsHandler } from './handlers/describe-groups.js'
import { describeLogDirsHandler } from './handlers/describe-log-dirs.js'
import { describeProducersHandler } from './handlers/describe-producers.js'
import { writeTxnMarkersHandler } from './handlers/write-txn-markers.js'
import { describeTopicPartitionsHandler } from './handlers/describe-topic-partitions.js'
import { describeTransactionsHandler } from './handlers/describe-transactions.js'
import { endTxnHandler } from './handlers/end-txn.js'
import { fetchHandler } from './handlers/fetch.js'
import { findCoordinatorHandler } from './handlers/find-coordinator.js'
import { getTelemetrySubscriptionsHandler } from './handlers/get-telemetry-subscriptions.js'
import { heartbeatHandler } from './handlers/heartbeat.js'
import { incrementalAlterConfigsHandler } from './handlers/incremental-alter-configs.js'
import { initProducerIdHandler } from './handlers/init-producer-id.js'
import { joinGroupHandler } from './handlers/join-group.js'
import { leaveGroupHandler } from './handlers/leave-group.js'
import { listConfigResourcesHandler } from './handlers/list-config-resources.js'
import { listGroupsHandler } from './handlers/list-groups.js'
import { listOffsetsHandler } from './handlers/list-offsets.js'
import { listTransactionsHandler } from './handlers/list-transactions.js'
import { metadataHandler } from './handlers/metadata.js'
import { offsetCommitHandler } from './handlers/offset-commit.js'
import { offsetDeleteHandler } from './handlers/offset-delete.js'
import { offsetFetchHandler } from './handlers/offset-fetch.js'
import { offsetForLeaderEpochHandler } from './handlers/offset-for-leader-epoch.js'
import { produceHandler } from './handlers/produce.js'
import { pushTelemetryHandler } from './handlers/push-telemetry.js'
import { saslAuthenticateHandler } from './handlers/sasl-authenticate.js'
import { saslHandshakeHandler } from './handlers/sasl-handshake.js'
import { syncGroupHandler } from './handlers/sync-group.js'
import { txnOffsetCommitHandler } from './handlers/txn-offset-commit.js'
import { updateFeaturesHandler } from './handlers/update-features.js'

// The one list of APIs this broker serves. Dispatch and the ApiVersions response are both derived
// from it, so they cannot disagree (style.md pitfall 7).

export const HANDLERS: readonly AnyHandler[] = [
  produceHandler,
  fetchHandler,
  listOffsetsHandler,
  metadataHandler,
  findCoordinatorHandler,
  apiVersionsHandler,
  createTopicsHandler,
  deleteTopicsHandler,
  deleteRecordsHandler,
  initProducerIdHandler,
  describeConfigsHandler,
  alterConfigsHandler,
  createPartitionsHandler,
  incrementalAlterConfigsHandler,
  describeClusterHandler,
  offsetCommitHandler,
  offsetFetchHandler,
  joinGroupHandler,
  heartbeatHandler,
  leaveGroupHandler,
  syncGroupHandler,
  describeGroupsHandler,
  listGroupsHandler,
  deleteGroupsHandler,
  offsetDeleteHandler,
  saslHandshakeHandler,
  saslAuthenticateHandler,
  updateFeaturesHandler,
  listConfigResourcesHandler,
  getTelemetrySubscriptionsHandler,
  pushTelemetryHandler,
  offsetForLeaderEpochHandler,
  describeLogDirsHandler,
  describeProducersHandler,
  describeTopicPartitionsHandler,
  addPartitionsToTxnHandler,
  addOffsetsToTxnHandler,
  endTxnHandler,
  txnOffsetCommitHandler,
  describeTransactionsHandler,
  listTransactionsHandler,
  writeTxnMarkersHandler,
].sort((a, b) => a.apiKey - b.apiKey)

export interface Registry {
  get(apiKey: number): AnyHandler | undefined
  readonly handlers: readonly AnyHandler[]
}

export function createRegistry(handlers: readonly AnyHandler[] = HANDLERS): Registry {
  const byKey = new Map(handlers.map((h) => [h.apiKey, h]))
  return { get: (apiKey) => byKey.get(apiKey), handlers }
}
