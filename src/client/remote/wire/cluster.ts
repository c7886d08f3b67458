import { setTimeout as delay } from 'node:timers/promises'

import { ApiKey } from '../../../protocol/api-keys.js'
import { decodeFindCoordinatorResponse, encodeFindCoordinatorRequest } from '../../../protocol/messages/find-coordinator.js'
import { decodeMetadataResponse, encodeMetadataRequest, type MetadataResponse } from '../../../protocol/messages/metadata.js'
import { KafkaError, kafkaErrorForCode } from '../../../broker/kafka-error.js'
import type { ConnectionSettings } from '../client-properties.js'
import { addressText, BrokerConnection, type BrokerAddress } from './connection.js'
import { BrokerIoError } from './wire-errors.js'

// The cluster as the client sees it: the bootstrap servers, the brokers Metadata names, one connection
// per broker (opened on first use, opened again after it breaks), and each topic's partition leaders.
// Routes are cached until someone reports them stale (NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION,
// FENCED_LEADER_EPOCH, a lost connection) or they are older than metadata.max.age.ms; the next use asks
// Metadata again. `retrying` is the one retry loop: retries and
// retry.backoff.ms from the settings, backoff doubling up to Java's retry.backoff.max.ms default (1 s).

/** FindCoordinator's key types: a consumer group, a transactional id. */
export type CoordinatorKind = 'group' | 'transaction'
const COORDINATOR_KEY_TYPES: Readonly<Record<CoordinatorKind, number>> = { group: 0, transaction: 1 }

/** Kafka's errors that mean "your idea of the leaders is out of date" (Java's InvalidMetadataException family). */
export const STALE_METADATA = new Set<string>([
  'NOT_LEADER_OR_FOLLOWER',
  'LEADER_NOT_AVAILABLE',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'UNKNOWN_TOPIC_ID',
  'FENCED_LEADER_EPOCH',
  'UNKNOWN_LEADER_EPOCH',
  'KAFKA_STORAGE_ERROR',
])

const RETRY_BACKOFF_MAX_MS = 1000

export interface CoordinatorNode extends BrokerAddress {
  readonly nodeId: number
}

export interface TopicRoute {
  readonly name: string
  /** The topic's id (zeros from a broker older than Metadata v10). */
  readonly topicId: Buffer
  /** Leader node id per partition; -1 when a partition has none. */
  readonly leaders: readonly number[]
  /** The leader's epoch per partition (Metadata v7+), sent back as current_leader_epoch; -1 when unknown. */
  readonly leaderEpochs: readonly number[]
}

interface CachedRoute {
  readonly route: Promise<TopicRoute>
  readonly fetchedAtMs: number
}

/** `host:port` or `[v6]:port` from bootstrap.servers (already validated by client-properties.ts). */
function parseAddress(text: string): BrokerAddress {
  const colon = text.lastIndexOf(':')
  const host = text.slice(0, colon).replace(/^\[(.*)\]$/, '$1')
  return { host, port: Number(text.slice(colon + 1)) }
}

/** Whether another attempt may succeed: a broken connection, or a Kafka error marked retriable. */
export function isRetriable(err: unknown): boolean {
  if (err instanceof BrokerIoError) return err.retriable
  return err instanceof KafkaError && err.retriable
}

export class Cluster {
  private readonly connections = new Map<string, Promise<BrokerConnection>>()
  private readonly brokers = new Map<number, BrokerAddress>()
  private readonly routes = new Map<string, CachedRoute>()
  private readonly coordinators = new Map<string, CoordinatorNode>()
  private readonly bootstrap: readonly BrokerAddress[]
  private closed = false

  constructor(readonly settings: ConnectionSettings) {
    this.bootstrap = settings.bootstrap.map(parseAddress)
  }

  /** A connection to some broker: one already open, else the bootstrap servers in turn. */
  async anyBroker(): Promise<BrokerConnection> {
    for (const pending of this.connections.values()) {
      const conn = await pending.catch(() => undefined)
      if (conn?.isOpen) return conn
    }
    let first: Error | undefined
    for (const address of this.bootstrap) {
      try {
        return await this.connectionTo(address)
      } catch (err) {
        first ??= err instanceof Error ? err : new Error(String(err))
      }
    }
    throw first ?? new Error('no bootstrap servers')
  }

  /** The connection to broker `nodeId` as the last Metadata named it. */
  async broker(nodeId: number): Promise<BrokerConnection> {
    let address = this.brokers.get(nodeId)
    if (address === undefined) {
      await this.metadata([])
      address = this.brokers.get(nodeId)
    }
    if (address === undefined) throw new KafkaError('LEADER_NOT_AVAILABLE', `Broker ${nodeId} is not in the cluster's metadata`)
    return this.connectionTo(address)
  }

  connectionTo(address: BrokerAddress): Promise<BrokerConnection> {
    if (this.closed) return Promise.reject(new BrokerIoError('The client is closed', addressText(address), false))
    const key = addressText(address)
    const existing = this.connections.get(key)
    if (existing !== undefined) {
      return existing.then(
        (conn) => (conn.isOpen ? conn : this.reconnect(key, address, existing)),
        () => this.reconnect(key, address, existing),
      )
    }
    return this.reconnect(key, address, undefined)
  }

  private reconnect(key: string, address: BrokerAddress, stale: Promise<BrokerConnection> | undefined): Promise<BrokerConnection> {
    const current = this.connections.get(key)
    if (current !== undefined && current !== stale) return current
    const opening = BrokerConnection.open(address, this.settings)
    this.connections.set(key, opening)
    // A failed open is forgotten at once, so the next caller tries again rather than reading the old failure.
    opening.catch(() => {
      if (this.connections.get(key) === opening) this.connections.delete(key)
    })
    return opening
  }

  /**
   * Metadata for `topics` (null: every topic); remembers brokers and the routes of the topics it names.
   * `allowAutoCreate` lets a broker with auto.create.topics.enable create the topics it does not have.
   */
  async metadata(topics: readonly string[] | null, allowAutoCreate = false): Promise<MetadataResponse> {
    const conn = await this.anyBroker()
    const answer = await conn.request(
      ApiKey.Metadata,
      (w, v) => encodeMetadataRequest(w, v, { topics: topics === null ? null : topics.map((name) => ({ name })), allowAutoTopicCreation: allowAutoCreate }),
      decodeMetadataResponse,
    )
    // v13+: a top-level error (REBOOTSTRAP_REQUIRED, KIP-1102) means the answer holds nothing to use.
    if (answer.errorCode !== 0) throw kafkaErrorForCode(answer.errorCode, `The broker at ${conn.address} answered Metadata with error ${answer.errorCode}`)
    for (const b of answer.brokers) this.brokers.set(b.nodeId, { host: b.host, port: b.port })
    for (const t of answer.topics) {
      if (t.name === null || t.errorCode !== 0) continue
      const leaders: number[] = []
      const leaderEpochs: number[] = []
      for (const p of t.partitions) {
        leaders[p.partitionIndex] = p.leaderId
        leaderEpochs[p.partitionIndex] = p.leaderEpoch
      }
      for (let i = 0; i < leaders.length; i++) {
        leaders[i] ??= -1
        leaderEpochs[i] ??= -1
      }
      this.routes.set(t.name, { route: Promise.resolve({ name: t.name, topicId: t.topicId, leaders, leaderEpochs }), fetchedAtMs: Date.now() })
    }
    return answer
  }

  /**
   * The topic's partition leaders, cached for metadata.max.age.ms; an UNKNOWN_TOPIC_OR_PARTITION
   * KafkaError when it does not exist.
   */
  route(topic: string): Promise<TopicRoute> {
    const cached = this.routes.get(topic)
    if (cached !== undefined && Date.now() - cached.fetchedAtMs < this.settings.metadataMaxAgeMs) return cached.route
    const route = this.metadata([topic]).then((answer) => {
      const t = answer.topics.find((x) => x.name === topic)
      if (t === undefined || t.errorCode !== 0) throw t === undefined ? new KafkaError('UNKNOWN_TOPIC_OR_PARTITION') : kafkaErrorForCode(t.errorCode)
      const found = this.routes.get(topic)
      if (found === undefined) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION')
      return found.route
    })
    const entry = { route, fetchedAtMs: Date.now() }
    this.routes.set(topic, entry)
    route.catch(() => {
      if (this.routes.get(topic) === entry) this.routes.delete(topic)
    })
    return route
  }

  /**
   * The connection to the coordinator of a group (or, with kind 'transaction', of a transactional id):
   * FindCoordinator, remembered until forgetCoordinator. A coordinator-level error (COORDINATOR_NOT_AVAILABLE
   * while the group is loading…) throws its KafkaError.
   */
  async coordinator(key: string, kind: CoordinatorKind = 'group'): Promise<BrokerConnection> {
    return this.connectionTo(await this.coordinatorNode(key, kind))
  }

  /** The coordinator as FindCoordinator names it (remembered until forgetCoordinator). */
  async coordinatorNode(key: string, kind: CoordinatorKind = 'group'): Promise<CoordinatorNode> {
    const cacheKey = `${kind}:${key}`
    let address = this.coordinators.get(cacheKey)
    if (address === undefined) {
      const conn = await this.anyBroker()
      const batched = conn.versionOf(ApiKey.FindCoordinator) >= 4
      const keyType = COORDINATOR_KEY_TYPES[kind]
      const answer = await conn.request(
        ApiKey.FindCoordinator,
        (w, v) => encodeFindCoordinatorRequest(w, v, batched ? { keyType, coordinatorKeys: [key] } : { keyType, key }),
        decodeFindCoordinatorResponse,
      )
      // v4+ answers per key; older versions at the top level.
      const found = batched ? answer.coordinators.find((c) => c.key === key) : answer
      if (found === undefined) throw new KafkaError('COORDINATOR_NOT_AVAILABLE')
      if (found.errorCode !== 0) throw kafkaErrorForCode(found.errorCode, found.errorMessage)
      address = { nodeId: found.nodeId, host: found.host, port: found.port }
      this.coordinators.set(cacheKey, address)
    }
    return address
  }

  /** After NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE or a lost connection: ask FindCoordinator again next time. */
  forgetCoordinator(key: string, kind: CoordinatorKind = 'group'): void {
    this.coordinators.delete(`${kind}:${key}`)
  }

  /** Forgets the topic's leaders (after a stale-metadata error or a lost connection): the next route() asks again. */
  forget(topic: string): void {
    this.routes.delete(topic)
  }

  /**
   * Runs `attempt` until it succeeds, fails with something not retriable, or `retries` more attempts have
   * failed; waits retry.backoff.ms (doubling) between attempts. `onRetry` hears each retriable failure
   * first (to forget routes).
   */
  async retrying<T>(attempt: () => Promise<T>, onRetry?: (err: unknown) => void): Promise<T> {
    for (let n = 0; ; n++) {
      try {
        return await attempt()
      } catch (err) {
        if (!isRetriable(err) || n >= this.settings.retries || this.closed) throw err
        onRetry?.(err)
        await delay(this.backoffMs(n))
      }
    }
  }

  /** retry.backoff.ms doubling per attempt, up to 1 s. */
  backoffMs(attempt: number): number {
    return Math.min(this.settings.retryBackoffMs * 2 ** attempt, Math.max(this.settings.retryBackoffMs, RETRY_BACKOFF_MAX_MS))
  }

  close(): void {
    this.closed = true
    for (const pending of this.connections.values()) pending.then((c) => c.close()).catch(() => undefined)
    this.connections.clear()
  }
}
