import { describe, expect, it } from 'vitest'

import { JavaRandom } from '../../../src/util/java/random.js'

// java.util.Random's values for known seeds (what `new Random(seed).nextInt(bound)` gives on any JVM).
describe('JavaRandom', () => {
  it('draws what java.util.Random draws for seed 42 (nextInt(10): 0, 3, 8, 4, 0)', () => {
    const r = new JavaRandom(42)
    expect(Array.from({ length: 5 }, () => r.nextInt(10))).toEqual([0, 3, 8, 4, 0])
  })

  it('uses the power-of-two shortcut as Java does (nextInt(16) of seed 0)', () => {
    // next(31) of seed 0 is 1569741360 (nextInt() = -1155484576, shifted one bit less); 16 × that >> 31.
    expect(new JavaRandom(0).nextInt(16)).toBe(Math.floor((16 * 1569741360) / 2 ** 31))
  })
})
