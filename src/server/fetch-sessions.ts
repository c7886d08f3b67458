import { KafkaError } from '../broker/kafka-error.js'
import type { FetchRequest } from '../protocol/messages/fetch.js'

// Fetch sessions (KIP-227), as Kafka's FetchManager keeps them (core/.../server/FetchSession.scala): a
// full fetch with session_epoch 0 opens a session holding the partitions it named; later fetches carry
// the session id and the next epoch and name only the partitions whose fetch offset, size or leader
// epoch changed (forgotten_topics_data drops some), and their answers name only the partitions that
// have records, an error, or a high watermark or log start offset the client has not been told. A
// consumer of many partitions then sends and parses a few bytes per round instead of every partition.
// Epoch -1 is sessionless (and closes the session named); epoch 0 with a session id closes that session
// and opens another. An unknown id → FETCH_SESSION_ID_NOT_FOUND, a wrong epoch →
// INVALID_FETCH_SESSION_EPOCH, a session opened by id (v13+) used by name or the reverse →
// FETCH_SESSION_TOPIC_ID_ERROR. Sessions are broker-wide (a client may come back on a new connection),
// at most max.incremental.fetch.session.cache.slots of them (1000; 0 keeps none); when full, a new session takes the
// slot of the least recently used one if that one has been idle for 2 minutes (Kafka's eviction of
// unprivileged sessions), else the fetch is served without a session (session id 0). Some clients ask
// for a new session at every Fetch and never use it (@platformatic/kafka sends id 0, epoch 0): the
// sessions together also hold at most 100 000 partitions, so such a client fills the cache with small
// sessions, not with copies of a 10 000-partition list (Kafka's JVM would hold them; our RSS target is
// 200 MB).

/** FetchMetadata.INITIAL_EPOCH and FINAL_EPOCH. */
const INITIAL_EPOCH = 0
const FINAL_EPOCH = -1
const NO_SESSION = 0
/** How long a session must have been idle before a new one may take its slot (Kafka's eviction time). */
const EVICTABLE_AFTER_MS = 120_000
/** The partitions all sessions may hold together. */
const DEFAULT_MAX_PARTITIONS = 100_000

/** One partition a fetch reads: named in this request, or kept by its session. */
export interface SessionPartition {
  readonly partition: number
  fetchOffset: number
  partitionMaxBytes: number
  currentLeaderEpoch: number
  /** What the session's last answer told the client (-1 before any, or after an error, so it is told again). */
  highWatermark: number
  logStartOffset: number
}

export interface SessionTopic {
  /** The name (fetches before v13) or '' (by id). */
  readonly topic: string
  /** The id (v13+) or zeros. */
  readonly topicId: Buffer
  readonly partitions: readonly SessionPartition[]
}

/** What a Fetch reads and how its answer is shaped: a session error, or the partitions to read. */
export type FetchContext =
  | { readonly ok: false; readonly error: KafkaError }
  | {
      readonly ok: true
      /** The id the answer carries (0: no session). */
      readonly sessionId: number
      /** An incremental answer leaves out the partitions with nothing new for the client. */
      readonly incremental: boolean
      readonly topics: readonly SessionTopic[]
    }

interface KeptTopic {
  readonly topic: string
  readonly topicId: Buffer
  readonly partitions: Map<number, SessionPartition>
}

class FetchSession {
  /** The epoch the next request of this session must carry. */
  epoch = 1
  readonly topics = new Map<string, KeptTopic>()

  constructor(
    readonly id: number,
    readonly byId: boolean,
    public lastUsedMs: number,
  ) {}

  /** How many partitions the session holds. */
  size = 0

  /** Adds or updates the partitions a request names, drops the ones it forgets; returns the change in size. */
  update(req: FetchRequest): number {
    const before = this.size
    for (const t of req.topics) {
      const key = this.keyOf(t)
      let kept = this.topics.get(key)
      if (kept === undefined) {
        kept = { topic: t.topic, topicId: t.topicId, partitions: new Map() }
        this.topics.set(key, kept)
      }
      for (const p of t.partitions) {
        const known = kept.partitions.get(p.partition)
        if (known === undefined) {
          kept.partitions.set(p.partition, partitionOf(p))
          this.size++
        } else {
          known.fetchOffset = p.fetchOffset
          known.partitionMaxBytes = p.partitionMaxBytes
          known.currentLeaderEpoch = p.currentLeaderEpoch
        }
      }
    }
    for (const f of req.forgottenTopicsData) {
      const key = this.keyOf(f)
      const kept = this.topics.get(key)
      if (kept === undefined) continue
      for (const partition of f.partitions) if (kept.partitions.delete(partition)) this.size--
      if (kept.partitions.size === 0) this.topics.delete(key)
    }
    return this.size - before
  }

  list(): SessionTopic[] {
    const out: SessionTopic[] = []
    for (const t of this.topics.values()) out.push({ topic: t.topic, topicId: t.topicId, partitions: [...t.partitions.values()] })
    return out
  }

  private keyOf(t: { readonly topic: string; readonly topicId: Buffer }): string {
    return this.byId ? t.topicId.toString('hex') : t.topic
  }
}

export class FetchSessionCache {
  /** In order of last use: the first is the least recently used. */
  private readonly sessions = new Map<number, FetchSession>()
  /** Partitions held by all sessions. */
  private partitions = 0

  constructor(
    /** max.incremental.fetch.session.cache.slots */
    private readonly slots: number,
    private readonly now: () => number = Date.now,
    private readonly maxPartitions = DEFAULT_MAX_PARTITIONS,
  ) {}

  get size(): number {
    return this.sessions.size
  }

  /** Kafka's FetchManager.newContext: what this request reads, in which session. */
  context(req: FetchRequest, byId: boolean): FetchContext {
    const { sessionId, sessionEpoch } = req
    if (sessionEpoch === INITIAL_EPOCH || sessionEpoch === FINAL_EPOCH) {
      // Any session a full fetch names is closed.
      if (sessionId !== NO_SESSION) this.close(sessionId)
      const session = sessionEpoch === INITIAL_EPOCH ? this.open(byId, countPartitions(req)) : undefined
      if (session === undefined) return { ok: true, sessionId: NO_SESSION, incremental: false, topics: sessionless(req) }
      this.partitions += session.update(req)
      if (session.size === 0) {
        this.close(session.id)
        return { ok: true, sessionId: NO_SESSION, incremental: false, topics: sessionless(req) }
      }
      return { ok: true, sessionId: session.id, incremental: false, topics: session.list() }
    }
    const session = this.sessions.get(sessionId)
    if (session === undefined) return { ok: false, error: new KafkaError('FETCH_SESSION_ID_NOT_FOUND') }
    if (session.epoch !== sessionEpoch) return { ok: false, error: new KafkaError('INVALID_FETCH_SESSION_EPOCH') }
    if (session.byId !== byId) return { ok: false, error: new KafkaError('FETCH_SESSION_TOPIC_ID_ERROR') }
    this.partitions += session.update(req)
    if (session.size === 0) {
      this.close(sessionId)
      return { ok: true, sessionId: NO_SESSION, incremental: false, topics: sessionless(req) }
    }
    this.sessions.delete(sessionId)
    session.epoch = nextEpoch(session.epoch)
    session.lastUsedMs = this.now()
    this.sessions.set(sessionId, session)
    return { ok: true, sessionId, incremental: true, topics: session.list() }
  }

  /**
   * A new session for `size` partitions, or none when there is no room for it and the least recently used
   * sessions that would make room were used in the last two minutes.
   */
  private open(byId: boolean, size: number): FetchSession | undefined {
    const now = this.now()
    if (this.slots <= 0 || size > this.maxPartitions) return undefined
    while (this.sessions.size >= this.slots || this.partitions + size > this.maxPartitions) {
      const oldest = this.sessions.values().next().value
      if (oldest === undefined || now - oldest.lastUsedMs < EVICTABLE_AFTER_MS) return undefined
      this.close(oldest.id)
    }
    let id: number
    do id = 1 + Math.floor(Math.random() * 0x7ffffffe)
    while (this.sessions.has(id))
    const session = new FetchSession(id, byId, now)
    this.sessions.set(id, session)
    return session
  }

  private close(id: number): void {
    const session = this.sessions.get(id)
    if (session === undefined) return
    this.sessions.delete(id)
    this.partitions -= session.size
  }
}

function countPartitions(req: FetchRequest): number {
  let n = 0
  for (const t of req.topics) n += t.partitions.length
  return n
}

/** FetchMetadata.nextEpoch: after the largest int32 comes 1 (0 opens sessions, -1 closes them). */
function nextEpoch(epoch: number): number {
  return epoch === 0x7fffffff ? 1 : epoch + 1
}

function partitionOf(p: FetchRequest['topics'][number]['partitions'][number]): SessionPartition {
  return {
    partition: p.partition,
    fetchOffset: p.fetchOffset,
    partitionMaxBytes: p.partitionMaxBytes,
    currentLeaderEpoch: p.currentLeaderEpoch,
    highWatermark: -1,
    logStartOffset: -1,
  }
}

/** A fetch outside any session reads what it names. */
function sessionless(req: FetchRequest): SessionTopic[] {
  return req.topics.map((t) => ({ topic: t.topic, topicId: t.topicId, partitions: t.partitions.map(partitionOf) }))
}
