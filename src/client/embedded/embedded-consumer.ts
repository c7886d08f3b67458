import type { Broker, IsolationLevel } from '../../broker/broker.js'
import { forEachRecord, readBatchHeader, type RecordCursor, type TopicRow } from '../../broker/records.js'
import { AbortedTxnWalk } from '../../protocol/aborted-transactions.js'
import { checkBatchCrc, damagedPartitionError, isLogDamage, type LocalStore } from '../damaged-batches.js'
import type { CommitOffset, ConsumeOptions, PartitionRef, RecordConsumer, StartPosition, StopReason } from '../kafka-client.js'
import { partitionKey, type GroupMember, type PartitionOffset, type TopicPartitions } from './group-member.js'

// The embedded consumer: reads the local store the way a Kafka consumer reads a broker — whole batches
// from each partition's position, records before the position skipped, long-polling (via the broker's
// waiters) when caught up. Partitions are either all those of the topics (manual assignment, as the
// console consumer without a group behaves here) or what a consumer group assigns (`group`).


/** The client's consume options, with the topics resolved to this store's rows and a group member for group mode. */
export type ConsumerOptions = Omit<ConsumeOptions, 'topics' | 'group' | 'clientId'> & {
  /** The topics to read (one for --topic; the regex matches for --include), re-read as topics appear. */
  readonly topics: () => TopicRow[]
  /** Consumer-group mode: partitions come from the group; `start` is then unused. */
  readonly group?: GroupOptions
  /** The store read, named in damage errors. */
  readonly store?: LocalStore
}

export interface GroupOptions {
  readonly member: GroupMember
  /** enable.auto.commit: commit printed positions every interval, before each rebalance and on close. */
  readonly autoCommit: boolean
  readonly autoCommitIntervalMs: number
}


interface Assignment {
  readonly topic: TopicRow
  readonly partition: number
  /** The next record to hand to onRecord. */
  position: number
  /** The next record not yet written out: what a commit may claim as consumed. */
  printed: number
}

/** Bytes read from one partition per round: keeps one read from starving the others or the event loop. */
const MAX_BYTES_PER_READ = 1 << 20
/** How often a caught-up consumer re-checks the topic list (new partitions, --include matches). */
const REFRESH_MS = 1000

export class EmbeddedConsumer implements RecordConsumer {
  private readonly assignments = new Map<string, Assignment>()
  private consumed = 0

  constructor(
    private readonly broker: Broker,
    private readonly opts: ConsumerOptions,
  ) {}

  get count(): number {
    return this.consumed
  }

  /**
   * Runs until max messages, timeout or abort. `onRecord` returns false to stop (e.g. stdout closed);
   * `drain` is awaited after every round so output back-pressure slows the reads.
   */
  async run(onRecord: (r: RecordCursor, topic: string, partition: number) => boolean, drain: () => Promise<boolean>): Promise<StopReason> {
    const { maxMessages, timeoutMs, signal, group } = this.opts
    if (maxMessages !== undefined && maxMessages <= 0) return 'max-messages'
    if (group === undefined) this.refreshAssignments(true)
    let lastRecordAt = Date.now()
    let nextCommitAt = lastRecordAt + (group?.autoCommitIntervalMs ?? 0)
    let nextRefreshAt = lastRecordAt + REFRESH_MS
    for (;;) {
      if (signal.aborted) return 'aborted'
      if (group !== undefined) {
        const now = Date.now()
        if (now >= nextRefreshAt) {
          this.refreshSubscription(group.member)
          nextRefreshAt = now + REFRESH_MS
        }
        if (group.member.needsRejoin) {
          const stopped = await this.rebalance(group, timeoutMs === undefined ? undefined : lastRecordAt + timeoutMs)
          if (stopped) return stopped
        }
        if (group.autoCommit && Date.now() >= nextCommitAt) {
          this.commitPrinted()
          nextCommitAt = Date.now() + group.autoCommitIntervalMs
        }
      }
      let progressed = false
      let stop: StopReason | undefined
      for (const a of this.assignments.values()) {
        const res = this.broker.read(a.topic, a.partition, a.position, MAX_BYTES_PER_READ, { isolation: this.isolation })
        if (!res.ok) {
          if (res.error.errorName === 'OFFSET_OUT_OF_RANGE') this.reset(a)
          else if (isLogDamage(res.error)) throw damagedPartitionError(res.error, this.opts.store)
          continue
        }
        const walk = new AbortedTxnWalk(res.value.abortedTransactions)
        for (const batch of res.value.batches) {
          const header = readBatchHeader(batch)
          checkBatchCrc(batch, a.topic.name, a.partition, header.baseOffset, this.opts.store)
          if (walk.classify(header) === 'data') forEachRecord(batch, (r) => {
            if (r.offset < a.position) return true
            a.position = r.offset + 1
            this.consumed++
            if (!onRecord(r, a.topic.name, a.partition)) {
              stop = 'consumer-stopped'
              return false
            }
            if (maxMessages !== undefined && this.consumed >= maxMessages) {
              stop = 'max-messages'
              return false
            }
            return true
          })
          if (stop) break
          // Control batches, aborted transactions and compaction gaps: the position moves past the whole batch.
          a.position = Math.max(a.position, header.baseOffset + header.lastOffsetDelta + 1)
          progressed = true
        }
        if (stop) break
      }
      if (!(await drain())) return 'consumer-stopped'
      for (const a of this.assignments.values()) a.printed = a.position
      if (stop) return stop
      const now = Date.now()
      if (progressed) {
        lastRecordAt = now
        continue
      }
      let waitMs = REFRESH_MS
      if (timeoutMs !== undefined) {
        const left = lastRecordAt + timeoutMs - now
        if (left <= 0) return 'timeout'
        waitMs = Math.min(waitMs, left)
      }
      const woke = await this.broker.waitForData(
        [...this.assignments.values()].map((a) => ({ topicId: a.topic.id, partition: a.partition })),
        waitMs,
        group === undefined ? signal : AbortSignal.any([signal, group.member.wakeSignal]),
      )
      if (woke === 'aborted' && signal.aborted) return 'aborted'
      if (woke === 'timeout' && group === undefined) this.refreshAssignments(false)
    }
  }

  /**
   * Commits what was printed, leaves the group, stops heartbeats. Kafka's console consumer does the
   * same on every exit: it seeks back to the first unprinted record, then close() commits and leaves.
   */
  async close(): Promise<void> {
    const group = this.opts.group
    if (group === undefined) return
    try {
      if (group.autoCommit && this.assignments.size > 0) this.commitPrinted()
    } finally {
      group.member.leave()
    }
  }

  async commit(offsets: readonly CommitOffset[]): Promise<boolean> {
    return this.opts.group?.member.commit(offsets) ?? false
  }

  private commitPrinted(): void {
    const member = this.opts.group?.member
    if (member === undefined) return
    const offsets: PartitionOffset[] = []
    for (const a of this.assignments.values()) offsets.push({ topic: a.topic.name, partition: a.partition, offset: a.printed })
    member.commit(offsets)
  }

  /** Subscription for --include follows the topics that match; the leader also watches partition counts. */
  private refreshSubscription(member: GroupMember): void {
    member.subscribe(this.opts.topics().map((t) => t.name))
    member.checkPartitionCounts()
  }

  /**
   * Eager rebalance: commit what was printed, give up every partition, rejoin, then start each newly
   * assigned partition at its committed offset (auto.offset.reset without one).
   */
  private async rebalance(group: GroupOptions, deadlineMs: number | undefined): Promise<StopReason | undefined> {
    if (group.autoCommit) this.commitPrinted()
    if (this.assignments.size > 0) this.opts.onRebalance?.('revoked', this.assigned())
    this.assignments.clear()
    const { signal } = this.opts
    group.member.subscribe(this.opts.topics().map((t) => t.name))
    // --timeout-ms bounds a poll, and in Kafka a poll includes the rebalance.
    const timeout = deadlineMs === undefined ? undefined : AbortSignal.timeout(Math.max(0, deadlineMs - Date.now()))
    let assigned: TopicPartitions[]
    try {
      assigned = await group.member.join(timeout === undefined ? signal : AbortSignal.any([signal, timeout]))
    } catch (err) {
      if (signal.aborted) return 'aborted'
      if (timeout?.aborted === true) return 'timeout'
      throw err
    }
    const committed = group.member.committed(assigned)
    for (const tp of assigned) {
      const topic = this.broker.findTopic(tp.topic)
      if (topic === undefined) continue
      for (const partition of tp.partitions) {
        if (partition >= topic.partitionCount) continue
        const a: Assignment = { topic, partition, position: 0, printed: 0 }
        const offset = committed.get(partitionKey(tp.topic, partition)) ?? -1
        if (offset >= 0) this.seek(a, offset)
        else if (this.opts.resetTo === 'none') throw new Error(`Undefined offset with no reset policy for partitions: [${tp.topic}-${partition}]`)
        else this.seek(a, this.opts.resetTo)
        a.printed = a.position
        this.assignments.set(`${topic.id}:${partition}`, a)
      }
    }
    this.opts.onRebalance?.('assigned', this.assigned())
    return undefined
  }

  private assigned(): PartitionRef[] {
    return [...this.assignments.values()].map((a) => ({ topic: a.topic.name, partition: a.partition }))
  }

  private refreshAssignments(initial: boolean): void {
    for (const topic of this.opts.topics()) {
      const partitions = this.opts.partition === undefined ? range(topic.partitionCount) : [this.opts.partition]
      for (const partition of partitions) {
        const key = `${topic.id}:${partition}`
        if (this.assignments.has(key) || partition >= topic.partitionCount) continue
        // Partitions that appear later (new topic, --alter) are read from their beginning.
        const a: Assignment = { topic, partition, position: 0, printed: 0 }
        this.seek(a, initial ? this.opts.start : 'earliest')
        this.assignments.set(key, a)
      }
    }
  }

  private get isolation(): IsolationLevel {
    return this.opts.isolation ?? 'read_uncommitted'
  }

  private seek(a: Assignment, start: StartPosition): void {
    const offsets = this.broker.stableOffsets(a.topic, a.partition)
    if (!offsets.ok) return
    if (start === 'earliest') a.position = offsets.value.logStartOffset
    // Kafka's consumer asks ListOffsets with its isolation level: read_committed starts at the last stable offset.
    else if (start === 'latest') a.position = this.isolation === 'read_committed' ? offsets.value.lastStableOffset : offsets.value.highWatermark
    else if (start < offsets.value.logStartOffset || start > offsets.value.highWatermark) this.reset(a)
    else a.position = start
  }

  private reset(a: Assignment): void {
    if (this.opts.resetTo === 'none') {
      throw new Error(`Offset ${a.position} is out of range for partition ${a.topic.name}-${a.partition} and auto.offset.reset is none`)
    }
    this.seek(a, this.opts.resetTo)
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i)
}
