// kafka-transactions' tables (TransactionsCommand, Kafka 4.3; cli-4.md B.2): ToolsUtils.prettyPrintTable,
// every cell padded to its column's width and followed by a TAB.

import type { ListedTransactions, PartitionProducers, TransactionDescription } from '../../client/transactions-client.js'

export function prettyPrintTable(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: readonly string[]) => cells.map((c, i) => `${c.padEnd(widths[i] ?? 0)}\t`).join('')
  return [line(headers), ...rows.map(line)]
}

export function renderTransactionList(listed: readonly ListedTransactions[]): string[] {
  const rows = listed.flatMap((l) => l.transactions.map((t) => [t.transactionalId, String(l.coordinatorId), String(t.producerId), t.state]))
  return prettyPrintTable(['TransactionalId', 'Coordinator', 'ProducerId', 'TransactionState'], rows)
}

export function renderTransactionDescription(d: TransactionDescription, nowMs: number): string[] {
  const open = d.startTimestampMs >= 0
  const partitions = d.topics.flatMap((t) => t.partitions.map((p) => `${t.name}-${p}`))
  return prettyPrintTable(
    ['CoordinatorId', 'TransactionalId', 'ProducerId', 'ProducerEpoch', 'TransactionState', 'TransactionTimeoutMs', 'CurrentTransactionStartTimeMs', 'TransactionDurationMs', 'TopicPartitions'],
    [
      [
        String(d.coordinatorId),
        d.transactionalId,
        String(d.producerId),
        String(d.producerEpoch),
        d.state,
        String(d.timeoutMs),
        open ? String(d.startTimestampMs) : 'None',
        open ? String(nowMs - d.startTimestampMs) : 'None',
        partitions.join(','),
      ],
    ],
  )
}

export function renderProducers(p: PartitionProducers): string[] {
  return prettyPrintTable(
    ['ProducerId', 'ProducerEpoch', 'LatestCoordinatorEpoch', 'LastSequence', 'LastTimestamp', 'CurrentTransactionStartOffset'],
    p.producers.map((s) => [
      String(s.producerId),
      String(s.producerEpoch),
      String(s.coordinatorEpoch),
      String(s.lastSequence),
      String(s.lastTimestamp),
      s.currentTxnStartOffset < 0 ? 'None' : String(s.currentTxnStartOffset),
    ]),
  )
}
