// kafka-producer-perf-test's Stats (org.apache.kafka.tools.ProducerPerformance.Stats, Kafka 4.3): a window
// line every --reporting-interval ms of acknowledgements, checked when an acknowledgement arrives, and the
// total line with latency percentiles from a sample of every k-th acknowledged record. With
// --warmup-records a second, steady-state Stats counts the records after the warm-up: its window lines
// replace the overall ones (the first preceded by `In steady state.`) and its total line follows the
// overall one. Number formats are Java's printf: %.1f / %.2f round half-up; %f prints six decimals.

import { javaFixed } from '../../util/java/numbers.js'

/** Kafka's default reporting window for the interim lines (--reporting-interval). */
export const REPORTING_INTERVAL_MS = 5000
/** At most this many latency samples are kept (one per `sampling` records). */
const MAX_SAMPLES = 500_000

export class ProducerStats {
  private readonly start: number
  private readonly latencies: Int32Array
  private readonly sampling: number
  private iteration = 0
  private index = 0
  private count = 0
  private bytes = 0
  private maxLatency = 0
  private totalLatency = 0
  private windowCount = 0
  private windowMaxLatency = 0
  private windowTotalLatency = 0
  private windowBytes = 0
  private windowStart: number
  private printing = true
  private windowsPrinted = 0

  constructor(
    numRecords: number,
    private readonly print: (line: string) => void,
    private readonly now: () => number = Date.now,
    private readonly reportingIntervalMs = REPORTING_INTERVAL_MS,
    /** The steady-state Stats of a run with --warmup-records. */
    private readonly steadyState = false,
  ) {
    this.start = now()
    this.windowStart = this.start
    this.sampling = Math.floor(numRecords / Math.min(numRecords, MAX_SAMPLES))
    this.latencies = new Int32Array(Math.floor(numRecords / this.sampling) + 1)
  }

  /** Records acknowledged so far. */
  get totalCount(): number {
    return this.count
  }

  /** One acknowledged record: its latency (ms), payload bytes, and the time of the acknowledgement. */
  record(latency: number, bytes: number, time: number): void {
    this.count++
    this.bytes += bytes
    this.totalLatency += latency
    if (latency > this.maxLatency) this.maxLatency = latency
    this.windowCount++
    this.windowBytes += bytes
    this.windowTotalLatency += latency
    if (latency > this.windowMaxLatency) this.windowMaxLatency = latency
    if (this.iteration % this.sampling === 0 && this.index < this.latencies.length) {
      this.latencies[this.index] = latency
      this.index++
    }
    if (time - this.windowStart >= this.reportingIntervalMs) {
      if (this.printing) this.printWindow()
      this.newWindow()
    }
    this.iteration++
  }

  /** The warm-up is over: the steady-state Stats print the window lines from now on. */
  suppressPrinting(): void {
    this.printing = false
  }

  private printWindow(): void {
    if (this.steadyState && this.windowsPrinted++ === 0) this.print('In steady state.')
    const elapsed = this.now() - this.windowStart
    const recsPerSec = (1000 * this.windowCount) / elapsed
    const mbPerSec = (1000 * this.windowBytes) / elapsed / (1024 * 1024)
    this.print(
      `${this.windowCount} records sent, ${javaFixed(recsPerSec, 1)} records/sec (${javaFixed(mbPerSec, 2)} MB/sec), ` +
        `${javaFixed(this.windowTotalLatency / this.windowCount, 1)} ms avg latency, ${javaFixed(this.windowMaxLatency, 1)} ms max latency.`,
    )
  }

  private newWindow(): void {
    this.windowStart = this.now()
    this.windowCount = 0
    this.windowMaxLatency = 0
    this.windowTotalLatency = 0
    this.windowBytes = 0
  }

  /** The final line (Kafka prints it after the producer is closed). */
  totalLine(): string {
    const elapsed = this.now() - this.start
    const recsPerSec = (1000 * this.count) / elapsed
    const mbPerSec = (1000 * this.bytes) / elapsed / (1024 * 1024)
    const [p50, p95, p99, p999] = percentiles(this.latencies, this.index, [0.5, 0.95, 0.99, 0.999])
    return (
      `${this.count}${this.steadyState ? ' steady state' : ''} records sent, ${javaFixed(recsPerSec, 6)} records/sec (${javaFixed(mbPerSec, 2)} MB/sec), ` +
      `${javaFixed(this.totalLatency / this.count, 2)} ms avg latency, ${javaFixed(this.maxLatency, 2)} ms max latency, ` +
      `${p50} ms 50th, ${p95} ms 95th, ${p99} ms 99th, ${p999} ms 99.9th.`
    )
  }
}

/** Kafka's percentiles: sort the samples, take the one at floor(p × count). No samples: 0 (Java would throw). */
export function percentiles(latencies: Int32Array, count: number, ps: readonly number[]): number[] {
  const size = Math.min(count, latencies.length)
  const sorted = latencies.slice(0, size).sort()
  return ps.map((p) => sorted[Math.floor(p * size)] ?? 0)
}
