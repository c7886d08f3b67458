import { setTimeout as delay } from 'node:timers/promises'

import { ApiKey } from '../../protocol/api-keys.js'
import { decodeFetchResponse, encodeFetchRequest, type FetchTopicInput } from '../../protocol/messages/fetch.js'
import { KafkaError, kafkaErrorForCode } from '../../broker/kafka-error.js'
import { forEachRecord, readBatchHeader, splitBatches, type RecordCursor } from '../../broker/records.js'
import { javaErrorString } from '../java-exception.js'
import { AbortedTxnWalk, type AbortedTxnRef } from '../../protocol/aborted-transactions.js'
import { checkBatchCrc, damagedPartitionError, isLogDamage } from '../damaged-batches.js'
import { GroupMemberError } from '../group-protocol.js'
import {
  ConsumerFatalError,
  type CommitOffset,
  type ConsumeOptions,
  type PartitionRef,
  type FormattableRecord,
  type GroupMembership,
  type RecordConsumer,
  type StartPosition,
  type StopReason,
} from '../kafka-client.js'
import type { RemoteClient } from './remote-client.js'
import { remoteFailure } from './remote-errors.js'
import { partitionKey, RemoteGroupMember } from './remote-group-member.js'
import { isRetriable, type TopicRoute } from './wire/cluster.js'

// The remote consumer, on our connection layer (wire/cluster.ts) and generated codec. Without a group it
// reads the partitions itself, as the embedded consumer does: positions from ListOffsets. In a group the
// partitions and their start offsets come from the group (remote-group-member.ts: JoinGroup/SyncGroup,
// heartbeats, eager rebalances, OffsetFetch), and what was handed out is committed. Either way: Fetch to
// each partition's leader (found and refreshed through metadata), OFFSET_OUT_OF_RANGE resets per
// auto.offset.reset, and the records come back as the bytes the broker sent (the newest Fetch version
// both sides take), walked with our record cursor as the embedded consumer walks stored batches.

interface Position {
  readonly topic: string
  readonly topicId: Buffer
  readonly partition: number
  offset: number
  /** Rounds in a row this partition was answered with a retriable error. */
  failures: number
}

/** One partition's part of a Fetch answer. */
interface Fetched {
  readonly pos: Position
  readonly errorCode: number
  /** The partition's records section (whole batches), null when empty. */
  readonly bytes: Buffer | null
  /** read_committed: the aborted transactions the records overlap (null for read_uncommitted). */
  readonly aborted?: readonly AbortedTxnRef[] | null
}

type OnRecord = (record: FormattableRecord, topic: string, partition: number) => boolean

/** One topic of a Fetch request: what is asked, and the positions its answer moves, by partition. */
interface AskedTopic {
  readonly topicId: Buffer
  readonly partitions: FetchTopicInput['partitions'][number][]
  readonly positions: Map<number, Position>
}

const PARTITION_MAX_BYTES = 1 << 20
/** fetch.max.bytes' default. */
const FETCH_MAX_BYTES = 50 << 20
const FETCH_MAX_WAIT_MS = 500
/** How often an idle consumer re-reads the topic list (new partitions, --include matches). */
const REFRESH_MS = 1000

export class RemoteConsumer implements RecordConsumer {
  private consumed = 0
  private member: RemoteGroupMember | undefined
  private readonly positions = new Map<string, Position>()
  /** Group mode: the offsets last committed, per partition key. */
  private readonly committed = new Map<string, number>()
  private closed = false

  constructor(
    private readonly client: RemoteClient,
    private readonly opts: ConsumeOptions,
  ) {}

  get count(): number {
    return this.consumed
  }

  async run(onRecord: OnRecord, drain: () => Promise<boolean>): Promise<StopReason> {
    const { maxMessages } = this.opts
    if (maxMessages !== undefined && maxMessages <= 0) return 'max-messages'
    try {
      return await this.loop(onRecord, drain)
    } catch (err) {
      if (err instanceof ConsumerFatalError || err instanceof KafkaError) throw err
      if (err instanceof GroupMemberError) throw new ConsumerFatalError(javaErrorString(err.error), { cause: err })
      throw remoteFailure(err, this.client.settings.bootstrap)
    }
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    if (this.member !== undefined && this.opts.group?.autoCommit === true) {
      try {
        await this.commitPrinted()
      } catch {
        // leaving anyway: the next owner starts from the last commit
      }
    }
    await this.shutdown()
  }

  /** Leaves the group without committing (also the client's last resort). */
  async shutdown(): Promise<void> {
    const member = this.member
    this.member = undefined
    await member?.leave()
  }

  private async loop(onRecord: OnRecord, drain: () => Promise<boolean>): Promise<StopReason> {
    const { signal, timeoutMs, maxMessages, group } = this.opts
    const cluster = this.client.cluster
    const member = group === undefined ? undefined : new RemoteGroupMember(cluster, group)
    this.member = member
    let routes = await this.refresh(member, true)
    let lastRecordAt = Date.now()
    let nextRefreshAt = lastRecordAt + REFRESH_MS
    let nextCommitAt = lastRecordAt + (group?.autoCommitIntervalMs ?? 0)
    for (;;) {
      if (signal.aborted) return 'aborted'
      if (member !== undefined && group !== undefined) {
        if (member.needsRejoin) {
          const stop = await this.rebalance(member, group, timeoutMs === undefined ? undefined : lastRecordAt + timeoutMs)
          if (stop !== undefined) return stop
          routes = await this.refresh(member, false)
          nextRefreshAt = Date.now() + REFRESH_MS
        }
        if (group.autoCommit && Date.now() >= nextCommitAt) {
          await this.commitPrinted().catch(() => undefined)
          nextCommitAt = Date.now() + group.autoCommitIntervalMs
        }
      }
      if (Date.now() >= nextRefreshAt) {
        routes = await this.refresh(member, false)
        nextRefreshAt = Date.now() + REFRESH_MS
        if (member?.needsRejoin === true) continue
      }
      const byLeader = new Map<number, Position[]>()
      for (const p of this.positions.values()) {
        const leader = routes.get(p.topic)?.leaders[p.partition] ?? -1
        if (leader < 0) continue
        const list = byLeader.get(leader)
        if (list === undefined) byLeader.set(leader, [p])
        else list.push(p)
      }
      if (byLeader.size === 0) {
        if (!(await drain())) return 'consumer-stopped'
        if (timeoutMs !== undefined && Date.now() - lastRecordAt >= timeoutMs) return 'timeout'
        await sleep(Math.min(REFRESH_MS, timeoutMs ?? REFRESH_MS), signal)
        nextRefreshAt = 0
        continue
      }
      const maxWaitMs = timeoutMs === undefined ? FETCH_MAX_WAIT_MS : Math.min(FETCH_MAX_WAIT_MS, Math.max(1, timeoutMs))
      let lost: Error | undefined
      const responses = await Promise.all(
        [...byLeader].map(([node, list]) =>
          this.fetchFrom(node, maxWaitMs, list).catch((err: unknown): Fetched[] => {
            // The leader's connection broke (or it is gone): count a failed round for its partitions, look again.
            if (!isRetriable(err) || !(err instanceof Error)) throw err
            lost = err
            return []
          }),
        ),
      )
      let progressed = false
      let stop: StopReason | undefined
      let staleMetadata = lost !== undefined
      if (lost !== undefined) {
        for (const list of byLeader.values()) for (const pos of list) if (++pos.failures > cluster.settings.retries) throw lost
        await sleep(cluster.backoffMs(0), signal)
      }
      for (const { pos, errorCode, bytes, aborted } of responses.flat()) {
        // A partition given up in a rebalance meanwhile (its position object is no longer ours).
        if (this.positions.get(positionKey(pos.topic, pos.partition)) !== pos) continue
        if (errorCode === 1) {
          await this.reset(pos)
          continue
        }
        if (errorCode !== 0) {
          // Leader moved, partition not there yet…: look again, a few rounds in a row at most.
          const error = kafkaErrorForCode(errorCode)
          // The broker's log is damaged there: asking again reads the same damage.
          if (isLogDamage(error)) throw damagedPartitionError(damageAt(error, pos))
          if (!error.retriable || ++pos.failures > cluster.settings.retries) throw new ConsumerFatalError(javaErrorString(error), { cause: error })
          staleMetadata = true
          continue
        }
        pos.failures = 0
        if (bytes !== null) {
          stop = this.deliverBytes(bytes, aborted, pos, onRecord, maxMessages)
          progressed = true
        }
        if (stop) break
      }
      if (!(await drain())) return 'consumer-stopped'
      if (stop) return stop
      if (staleMetadata) {
        for (const topic of routes.keys()) cluster.forget(topic)
        routes = await this.refresh(member, false)
      }
      if (progressed) lastRecordAt = Date.now()
      else if (timeoutMs !== undefined && Date.now() - lastRecordAt >= timeoutMs) return 'timeout'
    }
  }

  /**
   * The topics that match and their leaders. Without a group, new partitions get a position (at the start
   * position the first time, from their beginning later); in a group, the subscription follows the topics
   * that match and the leader watches partition counts (a change means a rebalance).
   */
  private async refresh(member: RemoteGroupMember | undefined, initial: boolean): Promise<Map<string, TopicRoute>> {
    const cluster = this.client.cluster
    const spec = this.opts.topics
    // By name, Metadata for that topic alone (it must not auto-create); by pattern, every topic.
    const metadata = await cluster.retrying(() => cluster.metadata('name' in spec ? [spec.name] : null))
    const routes = new Map<string, TopicRoute>()
    for (const t of metadata.topics) {
      if (t.name === null || t.errorCode !== 0) continue
      const topic = t.name
      if ('name' in spec ? topic !== spec.name : !spec.pattern.test(topic)) continue
      const route = await cluster.route(topic)
      routes.set(topic, route)
      if (member !== undefined) continue
      const count = route.leaders.length
      const partitions = this.opts.partition === undefined ? range(count) : [this.opts.partition]
      for (const partition of partitions) {
        const key = positionKey(topic, partition)
        if (this.positions.has(key) || partition >= count) continue
        const pos: Position = { topic, topicId: t.topicId, partition, offset: 0, failures: 0 }
        // Partitions that appear later (new topic, --alter) are read from their beginning.
        await this.seek(pos, initial ? this.opts.start : 'earliest')
        this.positions.set(key, pos)
      }
    }
    if (member !== undefined) {
      // A topic named with --topic is subscribed to even before it exists, as Java subscribes.
      member.subscribe('name' in spec ? [spec.name] : [...routes.keys()])
      member.checkPartitionCounts((topic) => routes.get(topic)?.leaders.length)
    }
    return routes
  }

  /**
   * Eager rebalance: commit what was handed out, give up every partition, rejoin, then start each newly
   * assigned partition at its committed offset (auto.offset.reset without one). --timeout-ms bounds it,
   * as in Kafka a poll includes the rebalance.
   */
  private async rebalance(member: RemoteGroupMember, group: GroupMembership, deadlineMs: number | undefined): Promise<StopReason | undefined> {
    if (group.autoCommit) await this.commitPrinted().catch(() => undefined)
    if (this.positions.size > 0) this.opts.onRebalance?.('revoked', this.assigned())
    this.positions.clear()
    const { signal } = this.opts
    const timeout = deadlineMs === undefined ? undefined : AbortSignal.timeout(Math.max(0, deadlineMs - Date.now()))
    const cluster = this.client.cluster
    let assigned
    try {
      assigned = await member.join(timeout === undefined ? signal : AbortSignal.any([signal, timeout]), async (topic) => {
        const t = (await cluster.metadata([topic])).topics.find((x) => x.name === topic)
        return t === undefined || t.errorCode !== 0 ? undefined : t.partitions.length
      })
    } catch (err) {
      if (signal.aborted) return 'aborted'
      if (timeout?.aborted === true) return 'timeout'
      throw err
    }
    const committed = await member.committed(assigned)
    for (const tp of assigned) {
      let route: TopicRoute
      try {
        route = await cluster.route(tp.topic)
      } catch {
        continue // assigned a topic that is gone: nothing to read
      }
      for (const partition of tp.partitions) {
        if (partition >= route.leaders.length) continue
        const pos: Position = { topic: tp.topic, topicId: route.topicId, partition, offset: 0, failures: 0 }
        const offset = committed.get(partitionKey(tp.topic, partition)) ?? -1
        if (offset >= 0) await this.seek(pos, offset)
        else if (this.opts.resetTo === 'none') throw new ConsumerFatalError(`Undefined offset with no reset policy for partitions: [${tp.topic}-${partition}]`)
        else await this.seek(pos, this.opts.resetTo)
        this.positions.set(positionKey(tp.topic, partition), pos)
        this.committed.set(partitionKey(tp.topic, partition), pos.offset)
      }
    }
    this.opts.onRebalance?.('assigned', this.assigned())
    return undefined
  }

  private assigned(): PartitionRef[] {
    return [...this.positions.values()].map((p) => ({ topic: p.topic, partition: p.partition }))
  }

  async commit(offsets: readonly CommitOffset[]): Promise<boolean> {
    const member = this.member
    if (member === undefined || !(await member.commit(offsets))) return false
    for (const o of offsets) this.committed.set(partitionKey(o.topic, o.partition), o.offset)
    return true
  }

  /** Commits each partition's position (the offset after the last record handed out) that moved since the last commit. */
  private async commitPrinted(): Promise<void> {
    const member = this.member
    if (member === undefined) return
    const offsets = [...this.positions.values()]
      .filter((p) => this.committed.get(partitionKey(p.topic, p.partition)) !== p.offset)
      .map((p) => ({ topic: p.topic, partition: p.partition, offset: p.offset }))
    if (offsets.length === 0) return
    if (await member.commit(offsets)) for (const o of offsets) this.committed.set(partitionKey(o.topic, o.partition), o.offset)
  }

  /**
   * One Fetch to broker `node` for these positions; each partition's records section comes back as the
   * bytes the broker sent (a view of the response frame, never copied or parsed into records here).
   */
  private async fetchFrom(node: number, maxWaitMs: number, list: readonly Position[]): Promise<Fetched[]> {
    const conn = await this.client.cluster.broker(node)
    const topics = new Map<string, AskedTopic>()
    const byId = new Map<string, AskedTopic>()
    for (const p of list) {
      let t = topics.get(p.topic)
      if (t === undefined) {
        t = { topicId: p.topicId, partitions: [], positions: new Map() }
        topics.set(p.topic, t)
        byId.set(p.topicId.toString('hex'), t)
      }
      t.partitions.push({ partition: p.partition, fetchOffset: p.offset, partitionMaxBytes: PARTITION_MAX_BYTES })
      t.positions.set(p.partition, p)
    }
    const response = await conn.request(
      ApiKey.Fetch,
      (w, v) =>
        encodeFetchRequest(w, v, {
          maxWaitMs,
          minBytes: 1,
          maxBytes: FETCH_MAX_BYTES,
          isolationLevel: this.opts.isolation === 'read_committed' ? 1 : 0,
          // Up to v12 a topic goes by name, from v13 by id: the codec writes the one the version has.
          topics: [...topics].map(([topic, t]) => ({ topic, topicId: t.topicId, partitions: t.partitions })),
        }),
      decodeFetchResponse,
    )
    if (response.errorCode !== 0) return list.map((pos) => ({ pos, errorCode: response.errorCode, bytes: null }))
    const out: Fetched[] = []
    for (const t of response.responses) {
      // Up to v12 the answer names the topic, from v13 it carries the id.
      const asked = t.topic === '' ? byId.get(t.topicId.toString('hex')) : topics.get(t.topic)
      if (asked === undefined) continue
      for (const part of t.partitions) {
        const pos = asked.positions.get(part.partitionIndex)
        if (pos !== undefined) {
          const bytes = part.records === null || part.records.length === 0 ? null : part.records
          out.push({ pos, errorCode: part.errorCode, bytes, aborted: part.abortedTransactions })
        }
      }
    }
    return out
  }

  /**
   * Hands the records at or after the position, from the whole batches of a Fetch answer's records
   * section, to onRecord (the cursor is reused: onRecord must not keep it); moves the position past each batch.
   */
  private deliverBytes(
    records: Buffer,
    aborted: readonly AbortedTxnRef[] | null | undefined,
    pos: Position,
    onRecord: OnRecord,
    maxMessages: number | undefined,
  ): StopReason | undefined {
    let stop: StopReason | undefined
    const walk = new AbortedTxnWalk(aborted)
    for (const batch of splitBatches(records).batches) {
      const header = readBatchHeader(batch)
      checkBatchCrc(batch, pos.topic, pos.partition, header.baseOffset)
      const end = header.baseOffset + header.lastOffsetDelta + 1
      if (walk.classify(header) === 'data' && end > pos.offset) {
        forEachRecord(batch, (r: RecordCursor) => {
          if (r.offset < pos.offset) return true
          pos.offset = r.offset + 1
          this.consumed++
          if (!onRecord(r, pos.topic, pos.partition)) stop = 'consumer-stopped'
          else if (maxMessages !== undefined && this.consumed >= maxMessages) stop = 'max-messages'
          return stop === undefined
        })
        if (stop) return stop
      }
      pos.offset = Math.max(pos.offset, end)
    }
    return undefined
  }

  private async seek(pos: Position, start: StartPosition): Promise<void> {
    if (start === 'earliest' || start === 'latest') {
      pos.offset = await this.offset(pos, start)
      return
    }
    const [low, high] = [await this.offset(pos, 'earliest'), await this.offset(pos, 'latest')]
    if (start < low || start > high) await this.reset(pos)
    else pos.offset = start
  }

  private async reset(pos: Position): Promise<void> {
    if (this.opts.resetTo === 'none') {
      throw new ConsumerFatalError(`Offset ${pos.offset} is out of range for partition ${pos.topic}-${pos.partition} and auto.offset.reset is none`)
    }
    pos.offset = await this.offset(pos, this.opts.resetTo)
  }

  private async offset(pos: Position, which: 'earliest' | 'latest'): Promise<number> {
    // As Kafka's consumer: ListOffsets with its isolation level, so read_committed's 'latest' is the last stable offset.
    const [listed] = await this.client.listOffsets([{ topic: pos.topic, partition: pos.partition, spec: which }], { isolation: this.opts.isolation ?? 'read_uncommitted' })
    if (listed === undefined || !listed.ok) throw listed?.ok === false ? listed.error : new KafkaError('UNKNOWN_SERVER_ERROR')
    return listed.value.offset
  }
}

function positionKey(topic: string, partition: number): string {
  return `${topic}:${partition}`
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i)
}

/** Waits `ms`, or less when `signal` aborts (the loop then sees the abort itself). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal }).catch(() => undefined)
}

/** A damage error from the broker, worded as Kafka's consumer words it, with the partition and offset. */
function damageAt(error: KafkaError, pos: Position): KafkaError {
  const tp = `${pos.topic}-${pos.partition}`
  return new KafkaError(
    error.errorName,
    error.errorName === 'CORRUPT_MESSAGE'
      ? `Encountered corrupt message when fetching offset ${pos.offset} for topic-partition ${tp}`
      : `The broker cannot read ${tp} at offset ${pos.offset}: ${error.message}`,
  )
}
