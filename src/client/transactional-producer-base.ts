import type { RecordHeader } from '../broker/records.js'
import type { RecordProducer, SendFailure, TransactionalProducer } from './kafka-client.js'

// What a transactional producer does around its coordinator calls, whichever way it reaches the coordinator
// (embedded/embedded-transactional-producer.ts, remote/remote-transactional-producer.ts): records go to the
// idempotent batch producer underneath, the first send failure of a transaction is kept, and a commit first
// sends everything queued, then commits — or aborts and throws that failure, as Java's commitTransaction does.

export abstract class TransactionalProducerBase implements TransactionalProducer {
  private failed: SendFailure | undefined

  protected abstract readonly producer: RecordProducer

  /** The coordinator's part of beginTransaction (the topic's partitions join the transaction). */
  protected abstract addPartitions(): Promise<void>
  /** EndTxn: commit or abort at the coordinator. */
  protected abstract end(commit: boolean): Promise<void>

  /** The batch producer's failure callback: kept for the transaction's commit, then passed on. */
  protected reporting(onFailure: (failure: SendFailure) => void): (failure: SendFailure) => void {
    return (f) => {
      this.failed ??= f
      onFailure(f)
    }
  }

  get partitionCount(): number {
    return this.producer.partitionCount
  }

  get acknowledged(): number {
    return this.producer.acknowledged
  }

  async beginTransaction(): Promise<void> {
    this.failed = undefined
    await this.addPartitions()
  }

  send(key: Buffer | null, value: Buffer | null, headers: readonly RecordHeader[] | undefined, timestamp: number, partition?: number): number {
    return this.producer.send(key, value, headers, timestamp, partition)
  }

  afterChunk(): Promise<void> {
    return this.producer.afterChunk()
  }

  flush(): Promise<void> {
    return this.producer.flush()
  }

  async commitTransaction(): Promise<void> {
    await this.producer.flush()
    const failed = this.failed
    await this.end(failed === undefined)
    if (failed !== undefined) throw failed.error
  }

  async abortTransaction(): Promise<void> {
    await this.producer.flush()
    await this.end(false)
  }

  close(): Promise<void> {
    return this.producer.close()
  }
}
