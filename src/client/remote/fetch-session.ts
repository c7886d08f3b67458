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

/** A partition the consumer wants to read from this broker, as the next Fetch asks for it. */
export interface WantedPartition {
  readonly topic: string
  readonly topicId: Buffer
  readonly partition: number
  readonly fetchOffset: number
  readonly partitionMaxBytes: number
  readonly currentLeaderEpoch: number
}

export interface SessionRequest {
  readonly sessionId: number
  readonly sessionEpoch: number
  readonly topics: FetchTopicInput[]
  readonly forgottenTopicsData: ForgottenTopicInput[]
}

export class FetchSessionHandler {
  private sessionId = NO_SESSION
  private epoch = INITIAL_EPOCH
  /** What the broker's session holds, by topic:partition (as of the last request sent). */
  private held = new Map<string, WantedPartition>()

  /** The session fields and the partitions of the next Fetch. */
  next(wanted: readonly WantedPartition[]): SessionRequest {
    const full = this.epoch === INITIAL_EPOCH
    const now = new Map<string, WantedPartition>()
    const topics = new Map<string, FetchTopicInput & { partitions: FetchTopicInput['partitions'][number][] }>()
    for (const w of wanted) {
      const key = `${w.topic}:${w.partition}`
      now.set(key, w)
      const was = this.held.get(key)
      if (!full && was !== undefined && was.fetchOffset === w.fetchOffset && was.partitionMaxBytes === w.partitionMaxBytes && was.currentLeaderEpoch === w.currentLeaderEpoch) continue
      let t = topics.get(w.topic)
      if (t === undefined) {
        // Up to v12 a topic goes by name, from v13 by id: the codec writes the one the version has.
        t = { topic: w.topic, topicId: w.topicId, partitions: [] }
        topics.set(w.topic, t)
      }
      t.partitions.push({ partition: w.partition, currentLeaderEpoch: w.currentLeaderEpoch, fetchOffset: w.fetchOffset, partitionMaxBytes: w.partitionMaxBytes })
    }
    const forgotten = new Map<string, ForgottenTopicInput & { partitions: number[] }>()
    if (!full) {
      for (const [key, was] of this.held) {
        if (now.has(key)) continue
        let f = forgotten.get(was.topic)
        if (f === undefined) {
          f = { topic: was.topic, topicId: was.topicId, partitions: [] }
          forgotten.set(was.topic, f)
        }
        f.partitions.push(was.partition)
      }
    }
    this.held = now
    return { sessionId: this.sessionId, sessionEpoch: this.epoch, topics: [...topics.values()], forgottenTopicsData: [...forgotten.values()] }
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
    this.held = new Map()
  }

  get id(): number {
    return this.sessionId
  }
}
