// ConsumerProtocol bytes written out by hand from the field tables in protocol.md §10.2
// (ConsumerProtocolSubscription.json / ConsumerProtocolAssignment.json): int16 version, then the struct.

import { describe, expect, it } from 'vitest'
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription, subscribedTopicsOf } from '../../../src/protocol/consumer-protocol.js'
import { ProtocolDecodeError } from '../../../src/protocol/protocol-error.js'

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex')

// version 0 | 2 topics: "a", "b" | user_data null
const SUB_V0 = hex('0000 00000002 0001 61 0001 62 ffffffff')
// version 3 | 1 topic "t" | user_data 2 bytes | owned [t: 0, 2] | generation 5 | rack "r1"
const SUB_V3 = hex('0003 00000001 0001 74 00000002 abcd 00000001 0001 74 00000002 00000000 00000002 00000005 0002 7231')
// version 0 | [t: 1] | user_data empty (what kafkajs sends)
const ASSIGN_V0 = hex('0000 00000001 0001 74 00000001 00000001 00000000')

describe('subscription', () => {
  it('encodes and decodes version 0', () => {
    expect(encodeSubscription({ topics: ['a', 'b'] }, 0)).toEqual(SUB_V0)
    expect(decodeSubscription(SUB_V0)).toEqual({ version: 0, value: { topics: ['a', 'b'], userData: null, ownedPartitions: [], generationId: -1, rackId: null } })
  })

  it('encodes and decodes version 3 with owned partitions, generation and rack', () => {
    const value = { topics: ['t'], userData: hex('abcd'), ownedPartitions: [{ topic: 't', partitions: [0, 2] }], generationId: 5, rackId: 'r1' }
    expect(encodeSubscription(value)).toEqual(SUB_V3)
    expect(decodeSubscription(SUB_V3)).toEqual({ version: 3, value })
  })

  it('reads the known fields of a newer version and ignores what follows', () => {
    const v9 = Buffer.concat([hex('0009'), SUB_V3.subarray(2), hex('deadbeef')])
    expect(decodeSubscription(v9).value.rackId).toBe('r1')
    expect(decodeSubscription(v9).version).toBe(9)
  })

  it('refuses truncated bytes and negative versions; subscribedTopicsOf says undefined instead', () => {
    expect(() => decodeSubscription(SUB_V0.subarray(0, 7))).toThrow(ProtocolDecodeError)
    expect(() => decodeSubscription(hex('ffff 00000000 ffffffff'))).toThrow(ProtocolDecodeError)
    expect(subscribedTopicsOf(SUB_V0)).toEqual(['a', 'b'])
    expect(subscribedTopicsOf(hex('00'))).toBeUndefined()
  })
})

describe('assignment', () => {
  it('encodes and decodes version 0 (and reads higher versions by their v0 layout)', () => {
    expect(encodeAssignment({ assignedPartitions: [{ topic: 't', partitions: [1] }], userData: Buffer.alloc(0) }, 0)).toEqual(ASSIGN_V0)
    expect(decodeAssignment(ASSIGN_V0)).toEqual({ version: 0, value: { assignedPartitions: [{ topic: 't', partitions: [1] }], userData: Buffer.alloc(0) } })
    const v3 = Buffer.concat([hex('0003'), ASSIGN_V0.subarray(2)])
    expect(encodeAssignment({ assignedPartitions: [{ topic: 't', partitions: [1] }], userData: Buffer.alloc(0) })).toEqual(v3)
    expect(decodeAssignment(Buffer.concat([hex('0007'), ASSIGN_V0.subarray(2)])).value.assignedPartitions).toEqual([{ topic: 't', partitions: [1] }])
  })
})
