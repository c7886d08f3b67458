import { setTimeout as sleep } from 'node:timers/promises'

// Kafka's ThroughputThrottler (org.apache.kafka.server.util): with a target ≥ 0, once the average rate
// since the start exceeds it, every further record adds 1/target s of "sleep deficit", and the sender
// sleeps whenever at least 2 ms have accumulated. A negative target never throttles; 0 blocks for good
// (Java waits for a wakeup() that the perf tool never calls). Here the sleep is asynchronous, so the
// producer's acknowledgements keep arriving while the sender waits, as they do on Java's I/O thread.

const NS_PER_MS = 1_000_000
const NS_PER_SEC = 1000 * NS_PER_MS
const MIN_SLEEP_NS = 2 * NS_PER_MS

export class ThroughputThrottler {
  private readonly sleepTimeNs: number
  private sleepDeficitNs = 0

  constructor(
    private readonly targetThroughput: number,
    private readonly startMs: number,
  ) {
    this.sleepTimeNs = targetThroughput > 0 ? Math.trunc(NS_PER_SEC / targetThroughput) : Number.MAX_SAFE_INTEGER
  }

  /** `amountSoFar` records sent, the latest at `sendStartMs`: is the average above the target? */
  shouldThrottle(amountSoFar: number, sendStartMs: number): boolean {
    if (this.targetThroughput < 0) return false
    // Java computes the elapsed seconds as a float.
    const elapsedSec = Math.fround((sendStartMs - this.startMs) / 1000)
    return elapsedSec > 0 && amountSoFar / elapsedSec > this.targetThroughput
  }

  /** Sleeps when enough deficit has accumulated (for ever with a target of 0). */
  async throttle(): Promise<void> {
    if (this.targetThroughput === 0) {
      // Java's wait() without a wakeup: keep the process alive and never return.
      await new Promise<never>(() => setInterval(() => undefined, 1 << 30))
    }
    this.sleepDeficitNs += this.sleepTimeNs
    if (this.sleepDeficitNs < MIN_SLEEP_NS) return
    const start = process.hrtime.bigint()
    let remaining = this.sleepDeficitNs
    while (remaining > 0) {
      await sleep(Math.max(1, Math.ceil(remaining / NS_PER_MS)))
      remaining = this.sleepDeficitNs - Number(process.hrtime.bigint() - start)
    }
    this.sleepDeficitNs = 0
  }
}
