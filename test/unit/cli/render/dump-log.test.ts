import { describe, expect, it } from 'vitest'

import { incrementSequence, renderBatch, renderBatchLine, renderControl } from '../../../../src/cli/render/dump-log.js'
import { crc32c } from '../../../../src/protocol/crc32c.js'
import { RecordBatchBuilder, type BuildOptions } from '../../../../src/protocol/record-batch-builder.js'

// Lines are kafka-dump-log's (DumpLogSegments.printBatchLevel / dumpLog, cli.md §10). Batches are built
// here; the cases the CLI cannot produce (producer ids, sequences that wrap, transactional and control
// batches, a delete horizon, a bad CRC) are set in the header bytes directly.

const T = 1_700_000_000_000
const deep = { deepIteration: true, printDataLog: true, skipRecordMetadata: false }

function build(records: [string | null, string | null][], opts: BuildOptions = {}): Buffer {
  const b = new RecordBatchBuilder()
  records.forEach(([k, v], i) => b.append(T + i, k === null ? null : Buffer.from(k), v === null ? null : Buffer.from(v), i === 0 ? [{ key: Buffer.from('h'), value: null }] : []))
  return b.build(opts)
}

/** Sets attribute bits and rewrites the CRC (bytes 21…end), as a broker writing such a batch would. */
function withAttributes(batch: Buffer, bits: number): Buffer {
  const out = Buffer.from(batch)
  out.writeInt16BE(out.readInt16BE(21) | bits, 21)
  out.writeUInt32BE(crc32c(out, 21), 17)
  return out
}

describe('dump-log batch line', () => {
  it('prints producer id, epoch, sequences (wrapping past Integer.MAX_VALUE) and transactional flag', () => {
    const batch = build(
      [
        ['a', '1'],
        ['b', '2'],
        [null, '3'],
      ],
      { producerId: 7, producerEpoch: 2, baseSequence: 2147483646, isTransactional: true, baseOffset: 10, partitionLeaderEpoch: 4, compression: 'gzip' },
    )
    const crc = batch.readUInt32BE(17)
    expect(renderBatchLine(batch, 123)).toBe(
      `baseOffset: 10 lastOffset: 12 count: 3 baseSequence: 2147483646 lastSequence: 0 producerId: 7 producerEpoch: 2 partitionLeaderEpoch: 4 ` +
        `isTransactional: true isControl: false deleteHorizonMs: OptionalLong.empty position: 123 CreateTime: ${T + 2} size: ${batch.length} ` +
        `magic: 2 compresscodec: gzip crc: ${crc} isvalid: true`,
    )
    expect(renderBatch(batch, 0, deep).text.split('\n').slice(1)).toEqual([
      `| offset: 10 CreateTime: ${T} keySize: 1 valueSize: 1 sequence: 2147483646 headerKeys: [h] key: a payload: 1`,
      `| offset: 11 CreateTime: ${T + 1} keySize: 1 valueSize: 1 sequence: 2147483647 headerKeys: [] key: b payload: 2`,
      `| offset: 12 CreateTime: ${T + 2} keySize: -1 valueSize: 1 sequence: 0 headerKeys: [] payload: 3`,
      '',
    ])
    expect(incrementSequence(5, 3)).toBe(8)
    expect(incrementSequence(2147483647, 1)).toBe(0)
  })

  it('shows a delete horizon as OptionalLong[baseTimestamp] and a wrong CRC as isvalid: false', () => {
    const batch = withAttributes(build([['k', 'v']]), 0x40)
    expect(renderBatchLine(batch, 0)).toContain(` deleteHorizonMs: OptionalLong[${T}] position: 0 `)
    const corrupt = Buffer.from(batch)
    corrupt[corrupt.length - 1] = (corrupt[corrupt.length - 1] ?? 0) ^ 0xff
    expect(renderBatchLine(corrupt, 0)).toMatch(new RegExp(` crc: ${batch.readUInt32BE(17)} isvalid: false$`))
  })
})

describe('dump-log record lines', () => {
  it('prints transaction markers of control batches and never their key/payload', () => {
    const b = new RecordBatchBuilder()
    // EndTransactionMarker: key = version 0, type 1 (COMMIT); value = version 0, coordinatorEpoch 5.
    b.append(T, Buffer.from([0, 0, 0, 1]), Buffer.from([0, 0, 0, 0, 0, 5]))
    const batch = withAttributes(b.build({ producerId: 9, producerEpoch: 0, baseSequence: -1, isTransactional: true }), 0x20)
    const r = renderBatch(batch, 0, deep)
    expect(r.text.split('\n')[0]).toContain(' isTransactional: true isControl: true ')
    expect(r.text.split('\n')[1]).toBe(`| offset: 0 CreateTime: ${T} keySize: 4 valueSize: 6 sequence: -1 headerKeys: [] endTxnMarker: COMMIT coordinatorEpoch: 5`)
    expect(renderControl(Buffer.from([0, 0, 0, 0]), Buffer.from([0, 0, 0, 0, 0, 1]))).toBe(' endTxnMarker: ABORT coordinatorEpoch: 1')
    expect(renderControl(Buffer.from([0, 0, 0, 2]), null)).toBe(' controlType: LEADER_CHANGE(2)')
    expect(renderControl(Buffer.from([0, 0, 0, 99]), null)).toBe(' controlType: UNKNOWN(99)')
  })

  it('keeps Kafka spacing when record metadata is skipped', () => {
    const batch = build([
      ['k', 'v'],
      [null, 'only value'],
      ['only key', null],
    ])
    const lines = (opts: typeof deep) => renderBatch(batch, 0, opts).text.split('\n').slice(1, -1)
    expect(lines({ ...deep, skipRecordMetadata: true })).toEqual(['| key: k payload: v', ' payload: only value', '| key: only key'])
    expect(lines({ ...deep, skipRecordMetadata: true, printDataLog: false })).toEqual(['', '', ''])
    expect(lines({ ...deep, printDataLog: false })[2]).toBe(`| offset: 2 CreateTime: ${T + 2} keySize: 8 valueSize: -1 sequence: -1 headerKeys: []`)
    expect(renderBatch(batch, 0, { ...deep, deepIteration: false }).text.split('\n')).toHaveLength(2)
  })

  it('reports undecodable records instead of throwing, keeping the lines before them', () => {
    const batch = build([['k', 'v']])
    const broken = Buffer.from(batch)
    broken.writeInt32BE(5, 57) // claims 5 records, holds 1
    const r = renderBatch(broken, 0, deep)
    expect(r.error).toBeInstanceOf(Error)
    expect(r.recordOffsets).toEqual([0])
    expect(r.text.split('\n')).toHaveLength(3)
  })
})
