// The records path: Fetch responses splice stored batches by reference (one copy at most: the socket write), and
// Produce requests decode their records as views of the frame.
import { describe, expect, it } from 'vitest'
import { decodeFetchResponse, encodeFetchResponse } from '../../../../src/protocol/messages/fetch.js'
import { decodeMetadataRequest, encodeMetadataRequest } from '../../../../src/protocol/messages/metadata.js'
import { decodeProduceRequest, encodeProduceRequest } from '../../../../src/protocol/messages/produce.js'
import { Reader } from '../../../../src/protocol/reader.js'
import { responseFrame } from '../../../../src/protocol/request-header.js'
import { Writer } from '../../../../src/protocol/writer.js'

describe('records without copies', () => {
  for (const version of [4, 11, 12, 16]) {
    it(`Fetch v${version} response carries stored batches by reference`, () => {
      const batchA = Buffer.alloc(1 << 20, 0xa1)
      const batchB = Buffer.alloc(300_000, 0xb2)
      const frame = responseFrame(1, version, 99, (w) =>
        encodeFetchResponse(w, version, {
          throttleTimeMs: 0,
          responses: [
            {
              topic: 'orders',
              topicId: Buffer.alloc(16, 1),
              partitions: [{ partitionIndex: 0, errorCode: 0, highWatermark: 5, abortedTransactions: null, records: [batchA, batchB] }],
            },
          ],
        }),
      )
      expect(frame.filter((c) => c === batchA)).toHaveLength(1)
      expect(frame.filter((c) => c === batchB)).toHaveLength(1)
      const wire = Buffer.concat(frame)
      expect(wire.readInt32BE(0)).toBe(wire.length - 4)
      const r = new Reader(wire, version >= 12 ? 9 : 8) // size + correlation id (+ empty header tags when flexible)
      const res = decodeFetchResponse(r, version)
      const records = res.responses[0]!.partitions[0]!.records!
      expect(records.length).toBe(batchA.length + batchB.length)
      expect(records.equals(Buffer.concat([batchA, batchB]))).toBe(true)
      expect(r.remaining).toBe(0)
    })
  }

  it('Produce request records decode as a view of the frame', () => {
    const batch = Buffer.alloc(5000, 7)
    const w = new Writer()
    encodeProduceRequest(w, 9, { acks: 1, timeoutMs: 100, topicData: [{ name: 't', partitionData: [{ index: 0, records: batch }] }] })
    const wire = w.toBuffer()
    const req = decodeProduceRequest(new Reader(wire), 9)
    const records = req.topicData[0]!.partitionData[0]!.records!
    expect(records.buffer).toBe(wire.buffer)
    expect(records.equals(batch)).toBe(true)
  })
})

describe('encoder guards', () => {
  it('refuses a non-default value for a non-ignorable field the version lacks', () => {
    // AllowAutoTopicCreation (v4+) is not ignorable: false cannot be expressed at v3, true (the default) can.
    expect(() => encodeMetadataRequest(new Writer(), 3, { topics: [], allowAutoTopicCreation: false })).toThrow(RangeError)
    const w = new Writer()
    encodeMetadataRequest(w, 3, { topics: [], allowAutoTopicCreation: true })
    expect(w.toBuffer().toString('hex')).toBe('00000000')
  })

  it('refuses null where the version does not allow it, and versions outside the spec', () => {
    expect(() => encodeMetadataRequest(new Writer(), 0, { topics: null })).toThrow(RangeError)
    expect(() => encodeMetadataRequest(new Writer(), 14, { topics: [] })).toThrow(RangeError)
    const w = new Writer()
    encodeMetadataRequest(w, 1, { topics: null })
    expect(w.toBuffer().toString('hex')).toBe('ffffffff')
    expect(decodeMetadataRequest(new Reader(w.toBuffer()), 1).topics).toBeNull()
  })
})
