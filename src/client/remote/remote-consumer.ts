import { Consumer, kGetConnection, kPerformWithRetry, type Broker, type ClusterMetadata, type Message, type MessagesStream } from '@platformatic/kafka'

import { ASSIGNORS, type AssignorMember } from '../../broker/groups/assignors.js'
import { KafkaError, kafkaErrorForCode } from '../../broker/kafka-error.js'
import { forEachRecord, readBatchHeader, splitBatches, type RecordCursor } from '../../broker/records.js'
import { javaErrorString } from '../java-exception.js'
import { checkBatchCrc, damagedPartitionError, isLogDamage } from '../damaged-batches.js'
import {
  ConsumerFatalError,
  type ConsumeOptions,
  type FormattableRecord,
  type RecordConsumer,
  type StartPosition,
  type StopReason,
} from '../kafka-client.js'
import { brokerTakes, libraryOptions } from './library.js'
import { RAW_FETCH_VERSION, rawFetchV12, type RawFetchResponse, type RawFetchTopic } from './raw-fetch.js'
import type { RemoteClient } from './remote-client.js'
import { kafkaErrorIn, remoteFailure } from './remote-errors.js'
import { LibraryRecordView } from './library-record-view.js'

// The remote consumer. Without a group it reads the partitions itself, as the embedded consumer does:
// positions from ListOffsets, Fetch to each partition's leader (found and refreshed through metadata),
// OFFSET_OUT_OF_RANGE resets per auto.offset.reset. The records come back as bytes (raw-fetch.ts, Fetch
// v12 over the library's connection) and are walked with our record cursor, as the embedded consumer
// walks stored batches. With a group it is the library's group member
// (join, sync, heartbeats, rebalances) reading from the committed offsets, and commits what was printed.

interface Position {
  readonly topic: string
  readonly topicId: string
  readonly partition: number
  offset: number
  /** Rounds in a row this partition was answered with a retriable error. */
  failures: number
}

/** One partition's part of a Fetch answer, from either path. */
interface Fetched {
  readonly pos: Position
  readonly errorCode: number
  /** The partition's records section (whole batches), null when empty. */
  readonly bytes: Buffer | null
}

type OnRecord = (record: FormattableRecord, topic: string, partition: number) => boolean

const PARTITION_MAX_BYTES = 1 << 20
/** fetch.max.bytes' default. */
const FETCH_MAX_BYTES = 50 << 20
const FETCH_MAX_WAIT_MS = 500
/** How often an idle consumer re-reads the topic list (new partitions, --include matches). */
const REFRESH_MS = 1000

export class RemoteConsumer implements RecordConsumer {
  private consumed = 0
  private library: Consumer | undefined
  private stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined
  /** Group mode: the next offset to commit per `topic:partition` (what was printed). */
  private readonly printed = new Map<string, { topic: string; partition: number; offset: number }>()
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
      return this.opts.group === undefined ? await this.runAssigned(onRecord, drain) : await this.runGroup(onRecord, drain)
    } catch (err) {
      if (err instanceof ConsumerFatalError || err instanceof KafkaError) throw err
      const kafka = kafkaErrorIn(err)
      if (kafka) throw new ConsumerFatalError(javaErrorString(kafka), { cause: err })
      throw remoteFailure(err, this.client.settings.bootstrap)
    }
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    const group = this.opts.group
    if (group !== undefined && this.library !== undefined && group.autoCommit) {
      try {
        await this.commitPrinted()
      } catch {
        // leaving anyway: the next owner starts from the last commit
      }
    }
    await this.shutdown()
  }

  /** Stops the stream and leaves the group without committing (also the client's last resort). */
  async shutdown(): Promise<void> {
    const stream = this.stream
    this.stream = undefined
    if (stream !== undefined) {
      try {
        await stream.close()
      } catch {
        // already closed by the library
      }
    }
    const library = this.library
    this.library = undefined
    if (library !== undefined) await new Promise<void>((resolve) => library.close(true, () => resolve()))
  }

  private newLibraryConsumer(groupId: string): Consumer {
    const group = this.opts.group
    const assignor = group === undefined ? 'range' : eagerAssignor(group.assignors)
    this.library = new Consumer({
      ...libraryOptions({ ...this.client.settings, clientId: group?.clientId ?? this.opts.clientId ?? 'console-consumer' }),
      groupId,
      ...(group === undefined
        ? {}
        : {
            ...(group.groupInstanceId === null ? {} : { groupInstanceId: group.groupInstanceId }),
            sessionTimeout: group.sessionTimeoutMs,
            rebalanceTimeout: group.rebalanceTimeoutMs,
            heartbeatInterval: group.heartbeatIntervalMs,
            protocols: [{ name: assignor, version: 0 }],
            partitionAssigner: (_current, members, topics, metadata) => assign(assignor, members, topics, metadata),
          }),
      autocommit: false,
      maxWaitTime: FETCH_MAX_WAIT_MS,
    })
    return this.library
  }

  // ---- without a group: the partitions are ours to read

  private async runAssigned(onRecord: OnRecord, drain: () => Promise<boolean>): Promise<StopReason> {
    const { signal, timeoutMs, maxMessages } = this.opts
    const consumer = this.newLibraryConsumer(`console-consumer-${Math.floor(Math.random() * 100_000)}`)
    // The library itself fetches with v12 and up only: a broker without it cannot be read remotely at all.
    if (!(await brokerTakes(consumer, 1, RAW_FETCH_VERSION))) {
      throw new ConsumerFatalError(`The broker at ${this.client.target} does not serve Fetch v${RAW_FETCH_VERSION}; remote mode needs Kafka 2.7 or later.`)
    }
    const positions = new Map<string, Position>()
    let metadata = await this.refreshPositions(positions, true)
    let lastRecordAt = Date.now()
    let nextRefreshAt = lastRecordAt + REFRESH_MS
    for (;;) {
      if (signal.aborted) return 'aborted'
      if (Date.now() >= nextRefreshAt) {
        metadata = await this.refreshPositions(positions, false)
        nextRefreshAt = Date.now() + REFRESH_MS
      }
      const byLeader = new Map<number, Position[]>()
      for (const p of positions.values()) {
        const leader = metadata.topics.get(p.topic)?.partitions[p.partition]?.leader ?? -1
        if (leader < 0) continue
        byLeader.set(leader, [...(byLeader.get(leader) ?? []), p])
      }
      if (byLeader.size === 0) {
        if (timeoutMs !== undefined && Date.now() - lastRecordAt >= timeoutMs) return 'timeout'
        await sleep(Math.min(REFRESH_MS, timeoutMs ?? REFRESH_MS), signal)
        nextRefreshAt = 0
        continue
      }
      const maxWaitMs = timeoutMs === undefined ? FETCH_MAX_WAIT_MS : Math.min(FETCH_MAX_WAIT_MS, Math.max(1, timeoutMs))
      const responses = await Promise.all(
        [...byLeader].map(async ([node, list]): Promise<Fetched[]> => {
          const broker = metadata.brokers.get(node)
          // A leader missing from the broker list: metadata is stale, look again next round.
          return broker === undefined ? [] : fetchRaw(consumer, broker, maxWaitMs, list)
        }),
      )
      let progressed = false
      let stop: StopReason | undefined
      let staleMetadata = false
      for (const { pos, errorCode, bytes } of responses.flat()) {
        if (errorCode === 1) {
          await this.reset(pos)
          continue
        }
        if (errorCode !== 0) {
          // Leader moved, partition not there yet…: look again, a few rounds in a row at most.
          const error = kafkaErrorForCode(errorCode)
          // The broker's log is damaged there: asking again reads the same damage.
          if (isLogDamage(error)) throw damagedPartitionError(damageAt(error, pos))
          if (!error.retriable || ++pos.failures > this.client.settings.retries) throw new ConsumerFatalError(javaErrorString(error), { cause: error })
          staleMetadata = true
          continue
        }
        pos.failures = 0
        if (bytes !== null) {
          stop = this.deliverBytes(bytes, pos, onRecord, maxMessages)
          progressed = true
        }
        if (stop) break
      }
      if (!(await drain())) return 'consumer-stopped'
      if (stop) return stop
      if (staleMetadata) metadata = await this.refreshPositions(positions, false)
      if (progressed) lastRecordAt = Date.now()
      else if (timeoutMs !== undefined && Date.now() - lastRecordAt >= timeoutMs) return 'timeout'
    }
  }

  /**
   * Hands the records at or after the position, from the whole batches of a Fetch answer's records
   * section, to onRecord (the cursor is reused: onRecord must not keep it); moves the position past each batch.
   */
  private deliverBytes(records: Buffer, pos: Position, onRecord: OnRecord, maxMessages: number | undefined): StopReason | undefined {
    let stop: StopReason | undefined
    for (const batch of splitBatches(records).batches) {
      const header = readBatchHeader(batch)
      checkBatchCrc(batch, pos.topic, pos.partition, header.baseOffset)
      const end = header.baseOffset + header.lastOffsetDelta + 1
      if (!header.isControl && end > pos.offset) {
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

  /** The partitions to read (new ones added with their start position) and fresh metadata. */
  private async refreshPositions(positions: Map<string, Position>, initial: boolean): Promise<ClusterMetadata> {
    const spec = this.opts.topics
    const names = 'name' in spec ? [spec.name] : (await this.client.call((a) => a.listTopics({ includeInternals: true }))).filter((n) => spec.pattern.test(n))
    const existing = 'name' in spec ? new Set(await this.client.call((a) => a.listTopics({ includeInternals: true }))) : new Set(names)
    const present = names.filter((n) => existing.has(n))
    const metadata = present.length === 0 ? await this.client.metadata([]) : await this.client.metadata(present)
    for (const topic of present) {
      const t = metadata.topics.get(topic)
      if (t === undefined) continue
      const partitions = this.opts.partition === undefined ? range(t.partitionsCount) : [this.opts.partition]
      for (const partition of partitions) {
        const key = `${topic}:${partition}`
        if (positions.has(key) || partition >= t.partitionsCount) continue
        const pos: Position = { topic, topicId: t.id, partition, offset: 0, failures: 0 }
        // Partitions that appear later (new topic, --alter) are read from their beginning.
        await this.seek(pos, initial ? this.opts.start : 'earliest')
        positions.set(key, pos)
      }
    }
    return metadata
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
    const [listed] = await this.client.listOffsets([{ topic: pos.topic, partition: pos.partition, spec: which }])
    if (listed === undefined || !listed.ok) throw listed?.ok === false ? listed.error : new KafkaError('UNKNOWN_SERVER_ERROR')
    return listed.value.offset
  }

  // ---- in a group: the library is the member

  private async runGroup(onRecord: OnRecord, drain: () => Promise<boolean>): Promise<StopReason> {
    const group = this.opts.group
    if (group === undefined) throw new Error('runGroup without a group')
    const { signal, timeoutMs, maxMessages } = this.opts
    const consumer = this.newLibraryConsumer(group.groupId)
    const spec = this.opts.topics
    const topics = 'name' in spec ? [spec.name] : (await this.client.call((a) => a.listTopics({ includeInternals: true }))).filter((n) => spec.pattern.test(n))
    if (group.autoCommit) {
      // Commit what was printed before giving partitions up, as the Java consumer does before a rebalance.
      consumer.on('consumer:group:rebalance', () => {
        this.commitPrinted().catch(() => undefined)
      })
    }
    const { onRebalance } = this.opts
    if (onRebalance !== undefined) {
      // The library rebalances eagerly: a rebalance gives every partition up, a completed join assigns anew.
      consumer.on('consumer:group:rebalance', () => onRebalance('revoked'))
      consumer.on('consumer:group:join', () => onRebalance('assigned'))
    }
    const stream = await consumer.consume({
      topics,
      mode: 'committed',
      fallbackMode: this.opts.resetTo === 'none' ? 'fail' : this.opts.resetTo,
      autocommit: false,
      maxWaitTime: FETCH_MAX_WAIT_MS,
    })
    this.stream = stream
    let lastRecordAt = Date.now()
    let nextCommitAt = lastRecordAt + group.autoCommitIntervalMs
    const iterator = stream[Symbol.asyncIterator]()
    const aborted = new Promise<'aborted'>((resolve) => {
      if (signal.aborted) resolve('aborted')
      signal.addEventListener('abort', () => resolve('aborted'), { once: true })
    })
    let pending: Promise<IteratorResult<Message<Buffer, Buffer, Buffer, Buffer>>> | undefined
    for (;;) {
      pending ??= iterator.next()
      let next: IteratorResult<Message<Buffer, Buffer, Buffer, Buffer>> | 'aborted' | 'tick'
      if (stream.readableLength > 0 && !signal.aborted) {
        // Records are buffered: the next one is there, no need for a timer per record (which cost more than
        // the record itself: a million timers for a million records).
        next = await pending
      } else {
        const waitMs = timeoutMs === undefined ? REFRESH_MS : Math.max(0, Math.min(REFRESH_MS, lastRecordAt + timeoutMs - Date.now()))
        next = await Promise.race([pending, aborted, sleep(waitMs).then(() => 'tick' as const)])
      }
      if (next === 'aborted') return 'aborted'
      if (group.autoCommit && Date.now() >= nextCommitAt) {
        await this.commitPrinted().catch(() => undefined)
        nextCommitAt = Date.now() + group.autoCommitIntervalMs
      }
      if (next === 'tick') {
        if (!(await drain())) return 'consumer-stopped'
        if (timeoutMs !== undefined && Date.now() - lastRecordAt >= timeoutMs) return 'timeout'
        continue
      }
      pending = undefined
      if (next.done === true) return 'consumer-stopped'
      const m = next.value
      lastRecordAt = Date.now()
      this.consumed++
      const headers: [Buffer | null, Buffer | null][] = [...m.headers]
      const view = new LibraryRecordView(m.key ?? null, m.value ?? null, headers, Number(m.offset), Number(m.timestamp), 'CreateTime')
      const keep = onRecord(view, m.topic, m.partition)
      this.printed.set(`${m.topic}:${m.partition}`, { topic: m.topic, partition: m.partition, offset: Number(m.offset) + 1 })
      if (!keep) return 'consumer-stopped'
      if (maxMessages !== undefined && this.consumed >= maxMessages) {
        await drain()
        return 'max-messages'
      }
      if (stream.readableLength === 0 && !(await drain())) return 'consumer-stopped'
    }
  }

  private async commitPrinted(): Promise<void> {
    const library = this.library
    if (library === undefined) return
    const offsets = [...this.printed.values()].filter((p) => this.committed.get(`${p.topic}:${p.partition}`) !== p.offset)
    if (offsets.length === 0) return
    await library.commit({ offsets: offsets.map((p) => ({ topic: p.topic, partition: p.partition, offset: BigInt(p.offset), leaderEpoch: -1 })) })
    for (const p of offsets) this.committed.set(`${p.topic}:${p.partition}`, p.offset)
  }
}

/**
 * The library rebalances eagerly, so of the configured assignors only the eager ones can be offered:
 * range or roundrobin (Java's default list [range, cooperative-sticky] gives range).
 */
function eagerAssignor(assignors: readonly string[]): string {
  const found = assignors.find((a) => ASSIGNORS.has(a))
  if (found === undefined) {
    throw new ConsumerFatalError(
      `partition.assignment.strategy ${assignors.join(',')}: remote mode offers only the eager assignors (RangeAssignor, RoundRobinAssignor).`,
    )
  }
  return found
}

/** The leader's assignment with our implementation of the chosen Java assignor. */
function assign(
  name: string,
  members: Map<string, { topics?: string[] }>,
  topics: Set<string>,
  metadata: ClusterMetadata,
): { memberId: string; assignments: Map<string, { topic: string; partitions: number[] }> }[] {
  const assignor = ASSIGNORS.get(name) ?? ASSIGNORS.get('range')
  if (assignor === undefined) throw new Error('no assignor')
  const list: AssignorMember[] = [...members].map(([memberId, m]) => ({ memberId, groupInstanceId: null, topics: m.topics ?? [...topics] }))
  const counts = new Map<string, number>()
  for (const t of topics) counts.set(t, metadata.topics.get(t)?.partitionsCount ?? 0)
  const result = assignor.assign(list, counts)
  return list.map((m) => ({
    memberId: m.memberId,
    assignments: new Map((result.get(m.memberId) ?? []).map((ta) => [ta.topic, { topic: ta.topic, partitions: [...ta.partitions] }])),
  }))
}

/** A Fetch with the records sections as bytes, over the library's connection to the leader (retried as the library retries). */
function fetchRaw(consumer: Consumer, broker: Broker, maxWaitMs: number, list: readonly Position[]): Promise<Fetched[]> {
  const topics = new Map<string, RawFetchTopic['partitions'][number][]>()
  for (const p of list) {
    const parts = topics.get(p.topic) ?? []
    parts.push({ partition: p.partition, fetchOffset: p.offset, partitionMaxBytes: PARTITION_MAX_BYTES })
    topics.set(p.topic, parts)
  }
  const request: RawFetchTopic[] = [...topics].map(([topic, partitions]) => ({ topic, partitions }))
  return new Promise<RawFetchResponse>((resolve, reject) => {
    void consumer[kPerformWithRetry]<RawFetchResponse>(
      'fetch',
      (done) => {
        consumer[kGetConnection](broker, (err, connection) => {
          if (err || connection === undefined) done(err ?? new Error('no connection'))
          else rawFetchV12(connection, maxWaitMs, 1, FETCH_MAX_BYTES, request, done)
        })
      },
      (err, response) => {
        if (err || response === undefined) reject(err ?? new Error('no Fetch answer'))
        else resolve(response)
      },
    )
  }).then((response) => {
    if (response.errorCode !== 0) return list.map((pos) => ({ pos, errorCode: response.errorCode, bytes: null }))
    return response.partitions.flatMap((part) => {
      const pos = list.find((p) => p.topic === part.topic && p.partition === part.partition)
      return pos === undefined ? [] : [{ pos, errorCode: part.errorCode, bytes: part.records }]
    })
  })
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i)
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer)
        resolve()
      },
      { once: true },
    )
  })
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
