import type { KafkaError } from '../../broker/kafka-error.js'
import type { KafkaClient, PartitionRef } from '../../client/kafka-client.js'
import type { AbortTransactionSpec, ProducerState, TransactionDescription } from '../../client/transactions-client.js'
import { UserError } from '../errors.js'
import { prettyTable } from '../render/pretty-table.js'

// The sub-commands of kafka-transactions.sh (Kafka's TransactionsCommand, cli-4.md B.2) over the client seam:
// each gathers what Kafka's does through Admin and returns the table it prints. A failure is Kafka's one
// line (`<context>: <cause>. Enable debug logging for additional detail.`), exit 1.

const LIST_HEADERS = ['TransactionalId', 'Coordinator', 'ProducerId', 'TransactionState']
const DESCRIBE_HEADERS = [
  'CoordinatorId',
  'TransactionalId',
  'ProducerId',
  'ProducerEpoch',
  'TransactionState',
  'TransactionTimeoutMs',
  'CurrentTransactionStartTimeMs',
  'TransactionDurationMs',
  'TopicPartitions',
]
const PRODUCER_HEADERS = ['ProducerId', 'ProducerEpoch', 'LatestCoordinatorEpoch', 'LastSequence', 'LastTimestamp', 'CurrentTransactionStartOffset']
const HANGING_HEADERS = ['Topic', 'Partition', 'ProducerId', 'ProducerEpoch', 'CoordinatorEpoch', 'StartOffset', 'LastTimestamp', 'Duration(min)']
/** find-hanging asks DescribeProducers for this many partitions at a time, as Kafka's tool does. */
const DESCRIBE_PRODUCERS_BATCH = 500

/** Kafka's printErrorAndExit(message, cause). */
export function failure(message: string, cause: Error): UserError {
  return new UserError(`${message}: ${cause.message}. Enable debug logging for additional detail.`)
}

const tp = (p: PartitionRef) => `${p.topic}-${p.partition}`
const orNone = (n: number) => (n < 0 ? 'None' : String(n))

export async function listTransactions(client: KafkaClient, opts: { durationMs?: number; transactionalIdPattern?: string }): Promise<string> {
  let listed
  try {
    listed = await client.transactions.listTransactions(opts)
  } catch (err) {
    throw failure('Failed to list transactions', asError(err))
  }
  return prettyTable(
    LIST_HEADERS,
    listed.map((t) => [t.transactionalId, String(t.coordinatorId), String(t.producerId), t.state]),
  )
}

export async function describeTransaction(client: KafkaClient, transactionalId: string, nowMs: () => number = Date.now): Promise<string> {
  const described = await client.transactions.describeTransaction(transactionalId)
  if (!described.ok) throw failure(`Failed to describe transaction state of transactional-id \`${transactionalId}\``, described.error)
  const d = described.value
  const started = d.startTimeMs >= 0
  return prettyTable(DESCRIBE_HEADERS, [
    [
      String(d.coordinatorId),
      transactionalId,
      String(d.producerId),
      String(d.producerEpoch),
      d.state,
      String(d.timeoutMs),
      started ? String(d.startTimeMs) : 'None',
      started ? String(nowMs() - d.startTimeMs) : 'None',
      d.partitions.map(tp).join(','),
    ],
  ])
}

export async function describeProducers(client: KafkaClient, partition: PartitionRef, brokerId: number | undefined): Promise<string> {
  const producers = await producersOf(client, partition, brokerId, `Failed to describe producers for partition ${tp(partition)} on ${brokerId === undefined ? 'leader' : `broker ${brokerId}`}`)
  return prettyTable(
    PRODUCER_HEADERS,
    producers.map((p) => [String(p.producerId), String(p.producerEpoch), String(p.coordinatorEpoch), String(p.lastSequence), String(p.lastTimestamp), orNone(p.currentTxnStartOffset)]),
  )
}

export type AbortTarget = { readonly startOffset: number } | { readonly producerId: number; readonly producerEpoch: number; readonly coordinatorEpoch: number }

export async function abortTransaction(client: KafkaClient, partition: PartitionRef, target: AbortTarget): Promise<string> {
  let spec: AbortTransactionSpec
  if ('startOffset' in target) {
    const producers = await producersOf(client, partition, undefined, `Failed to validate producer state for partition ${tp(partition)}`)
    const found = producers.find((p) => p.currentTxnStartOffset >= 0 && p.currentTxnStartOffset === target.startOffset)
    if (found === undefined) throw new UserError(`Could not find any open transactions starting at offset ${target.startOffset} on partition ${tp(partition)}`)
    spec = { ...partition, producerId: found.producerId, producerEpoch: found.producerEpoch, coordinatorEpoch: Math.max(found.coordinatorEpoch, 0) }
  } else {
    spec = { ...partition, ...target, coordinatorEpoch: Math.max(target.coordinatorEpoch, 0) }
  }
  const error = await client.transactions.abortTransaction(spec)
  if (error !== undefined) {
    const text = `AbortTransactionSpec(topicPartition=${tp(spec)}, producerId=${spec.producerId}, producerEpoch=${spec.producerEpoch}, coordinatorEpoch=${spec.coordinatorEpoch})`
    throw failure(`Failed to abort transaction ${text}`, error)
  }
  return ''
}

export async function forceTerminateTransaction(client: KafkaClient, transactionalId: string): Promise<string> {
  const error = await client.transactions.fenceProducer(transactionalId)
  if (error !== undefined) throw failure(`Failed to force terminate transactionalId \`${transactionalId}\``, error)
  return ''
}

interface OpenTransaction {
  readonly partition: PartitionRef
  readonly producer: ProducerState
}

/**
 * find-hanging: open transactions (a producer with a current transaction start offset) whose last write is
 * older than the maximum transaction timeout, and that the coordinator does not know to be in progress in
 * that partition — their producer id maps to no transactional id, the id is gone, or its description does
 * not list the partition.
 */
export async function findHangingTransactions(
  client: KafkaClient,
  scope: { topic?: string; partition?: number; brokerId?: number; maxTransactionTimeoutMinutes: number },
  nowMs: () => number = Date.now,
): Promise<string> {
  const partitions = await partitionsToSearch(client, scope)
  const maxMs = scope.maxTransactionTimeoutMinutes * 60_000
  const candidates: OpenTransaction[] = []
  for (let i = 0; i < partitions.length; i += DESCRIBE_PRODUCERS_BATCH) {
    const batch = partitions.slice(i, i + DESCRIBE_PRODUCERS_BATCH)
    const described = await client.transactions.describeProducers(batch, scope.brokerId)
    const now = nowMs()
    for (const d of described) {
      if (!d.ok) throw failure(`Failed to describe producers for ${batch.length} partitions on broker ${scope.brokerId === undefined ? 'Optional.empty' : `Optional[${scope.brokerId}]`}`, d.error)
      for (const producer of d.value) {
        if (producer.currentTxnStartOffset >= 0 && now - producer.lastTimestamp > maxMs) candidates.push({ partition: { topic: d.topic, partition: d.partition }, producer })
      }
    }
  }
  const hanging = candidates.length === 0 ? [] : await filterHanging(client, candidates)
  const now = nowMs()
  return prettyTable(
    HANGING_HEADERS,
    hanging.map(({ partition, producer }) => [
      partition.topic,
      String(partition.partition),
      String(producer.producerId),
      String(producer.producerEpoch),
      String(producer.coordinatorEpoch),
      String(producer.currentTxnStartOffset),
      String(producer.lastTimestamp),
      String(Math.floor((now - producer.lastTimestamp) / 60_000)),
    ]),
  )
}

async function partitionsToSearch(client: KafkaClient, scope: { topic?: string; partition?: number; brokerId?: number }): Promise<PartitionRef[]> {
  if (scope.topic !== undefined && scope.partition !== undefined) return [{ topic: scope.topic, partition: scope.partition }]
  const topics = scope.topic !== undefined ? [scope.topic] : (await client.listTopics()).map((t) => t.name)
  const described = await client.describeTopics(topics)
  if (described.length < topics.length) {
    throw failure(`Failed to describe ${topics.length} topics`, new Error('This server does not host this topic-partition.'))
  }
  return described.flatMap((t) =>
    t.partitions.filter((p) => scope.brokerId === undefined || p.replicas.includes(scope.brokerId)).map((p) => ({ topic: t.name, partition: p.partition })),
  )
}

async function filterHanging(client: KafkaClient, candidates: readonly OpenTransaction[]): Promise<OpenTransaction[]> {
  const producerIds = [...new Set(candidates.map((c) => c.producer.producerId))]
  let listed
  try {
    listed = await client.transactions.listTransactions({ producerIds })
  } catch (err) {
    throw failure(`Failed to list transactions for ${producerIds.length} producers`, asError(err))
  }
  const idOf = new Map(listed.filter((l) => producerIds.includes(l.producerId)).map((l) => [l.producerId, l.transactionalId]))
  const descriptions = new Map<string, TransactionDescription | undefined>()
  for (const id of new Set(idOf.values())) {
    const d = await client.transactions.describeTransaction(id)
    if (d.ok) descriptions.set(id, d.value)
    else if (d.error.errorName === 'TRANSACTIONAL_ID_NOT_FOUND') descriptions.set(id, undefined)
    else throw failure(`Failed to describe ${idOf.size} transactions`, d.error)
  }
  return candidates.filter((c) => {
    const id = idOf.get(c.producer.producerId)
    const description = id === undefined ? undefined : descriptions.get(id)
    return description === undefined || !description.partitions.some((p) => p.topic === c.partition.topic && p.partition === c.partition.partition)
  })
}

async function producersOf(client: KafkaClient, partition: PartitionRef, brokerId: number | undefined, context: string): Promise<ProducerState[]> {
  const [answer] = await client.transactions.describeProducers([partition], brokerId)
  if (answer === undefined) throw failure(context, new Error('no answer for the partition'))
  if (!answer.ok) throw failure(context, answer.error)
  return answer.value
}

function asError(err: unknown): Error | KafkaError {
  return err instanceof Error ? err : new Error(String(err))
}
