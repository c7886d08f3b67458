import type { FetchTopicInput, ForgottenTopicInput } from '../../protocol/messages/fetch.js'

// The client's side of a fetch session with one broker (KIP-227; Java's FetchSessionHandler). The first
// Fetch is full, with epoch 0, asking the broker to open a session; once it answers with a session id,
// each Fetch carries that id and the next epoch and names only the partitions whose fetch offset, size
// or leader epoch changed since the last request, plus the ones to forget, and the broker answers only
// the partitions with news. A broker without sessions answers id 0 and every Fetch stays full. A session
// error (FETCH_SESSION_ID_NOT_FOUND, INVALID_FETCH_SESSION_EPOCH, FETCH_SESSION_TOPIC_ID_ERROR) or a
// Fetch that got no answer makes the next one full again, closing the old session (epoch 0 with its id).

const NO_SESSION = 0
const INITIAL_EPOCH = 0
/** Top-level errors that mean "this session is gone or out of step": the next Fetch is full. */
const SESSION_ERRORS: ReadonlySet<number> = new Set([70, 71, 106])

/** A partition the consumer wants to read from this broker: its next offset and the leader epoch it knows. */
export interface WantedPartition {
  readonly topic: string
  readonly topicId: Buffer
  readonly partition: number
  readonly offset: number
  readonly leaderEpoch: number
}

export interface SessionRequest {
  readonly sessionId: number
  readonly sessionEpoch: number
  readonly topics: FetchTopicInput[]
  readonly forgottenTopicsData: ForgottenTopicInput[]
}

/** What the broker's session holds of a partition, as of the last request sent. */
interface Held {
  offset: number
  leaderEpoch: number
  /** The last request that wanted it (the others are forgotten). */
  round: number
  readonly topicId: Buffer
}

type TopicRequest = FetchTopicInput & { partitions: FetchTopicInput['partitions'][number][] }

export class FetchSessionHandler {
  private sessionId = NO_SESSION
  private epoch = INITIAL_EPOCH
  /** By topic, then partition: a consumer of many partitions compares each without building a key. */
  private held = new Map<string, Map<number, Held>>()
  private round = 0

  constructor(private readonly partitionMaxBytes: number) {}

  /** The session fields and the partitions of the next Fetch. */
  next(wanted: readonly WantedPartition[]): SessionRequest {
    // A full Fetch names everything: the broker's session (if it opens one) holds just that.
    if (this.epoch === INITIAL_EPOCH) this.held = new Map()
    const round = ++this.round
    const topics = new Map<string, TopicRequest>()
    for (const w of wanted) {
      let partitions = this.held.get(w.topic)
      if (partitions === undefined) {
        partitions = new Map()
        this.held.set(w.topic, partitions)
      }
      const was = partitions.get(w.partition)
      if (was === undefined) partitions.set(w.partition, { offset: w.offset, leaderEpoch: w.leaderEpoch, round, topicId: w.topicId })
      else {
        was.round = round
        if (was.offset === w.offset && was.leaderEpoch === w.leaderEpoch) continue
        was.offset = w.offset
        was.leaderEpoch = w.leaderEpoch
      }
      let t = topics.get(w.topic)
      if (t === undefined) {
        // Up to v12 a topic goes by name, from v13 by id: the codec writes the one the version has.
        t = { topic: w.topic, topicId: w.topicId, partitions: [] }
        topics.set(w.topic, t)
      }
      t.partitions.push({ partition: w.partition, currentLeaderEpoch: w.leaderEpoch, fetchOffset: w.offset, partitionMaxBytes: this.partitionMaxBytes })
    }
    const forgotten: ForgottenTopicInput[] = []
    for (const [topic, partitions] of this.held) {
      let gone: number[] | undefined
      let topicId: Buffer | undefined
      for (const [partition, h] of partitions) {
        if (h.round === round) continue
        partitions.delete(partition)
        ;(gone ??= []).push(partition)
        topicId = h.topicId
      }
      if (gone !== undefined && topicId !== undefined) forgotten.push({ topic, topicId, partitions: gone })
      if (partitions.size === 0) this.held.delete(topic)
    }
    return { sessionId: this.sessionId, sessionEpoch: this.epoch, topics: [...topics.values()], forgottenTopicsData: forgotten }
  }

  /**
   * After the broker answered the Fetch `next` built: false when the answer is a session error (the
   * caller asks again, in full).
   */
  answered(errorCode: number, sessionId: number): boolean {
    if (SESSION_ERRORS.has(errorCode)) {
      this.failed()
      return false
    }
    if (this.epoch === INITIAL_EPOCH) {
      // A full Fetch: the broker opened a session (its id), or has none for us (0: stay full).
      this.sessionId = sessionId
      this.epoch = sessionId === NO_SESSION ? INITIAL_EPOCH : 1
    } else {
      this.epoch = this.epoch === 0x7fffffff ? 1 : this.epoch + 1
    }
    return true
  }

  /** The Fetch got no answer (connection lost): the broker may or may not have moved on; start over. */
  failed(): void {
    // Epoch 0 with the old id closes that session on the broker and opens a new one.
    this.epoch = INITIAL_EPOCH
  }
}
