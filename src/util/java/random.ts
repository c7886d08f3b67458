// java.util.Random: the 48-bit linear congruential generator, so that a tool seeded as Kafka's is
// (kafka-e2e-latency uses new Random(0)) draws the same values.

const MULTIPLIER = 0x5deece66dn
const ADDEND = 0xbn
const MASK = (1n << 48n) - 1n

export class JavaRandom {
  private seed: bigint

  constructor(seed: number) {
    this.seed = (BigInt(seed) ^ MULTIPLIER) & MASK
  }

  private next(bits: number): number {
    this.seed = (this.seed * MULTIPLIER + ADDEND) & MASK
    return Number(BigInt.asIntN(32, this.seed >> BigInt(48 - bits)))
  }

  /** Uniform in [0, bound), bound > 0: Java's algorithm, rejection loop included. */
  nextInt(bound: number): number {
    const m = bound - 1
    let u = this.next(31)
    if ((bound & m) === 0) return Number((BigInt(bound) * BigInt(u)) >> 31n)
    let r = u % bound
    // Java's int arithmetic: u - r + m overflows (goes negative) in the last, partial range; draw again.
    while (((u - r + m) | 0) < 0) {
      u = this.next(31)
      r = u % bound
    }
    return r
  }
}
