import { forEachRecord, readBatchHeader, verifyBatchCrc, type BatchHeader, type RecordCursor } from '../../broker/records.js'

// The lines of kafka-dump-log (DumpLogSegments.dumpLog / printBatchLevel, cli.md §10) for one stored
// RecordBatch v2. Pure string building: the command feeds it batches and their positions.
//
//   baseOffset: 0 lastOffset: 2 count: 3 baseSequence: -1 lastSequence: -1 producerId: -1 producerEpoch: -1
//   partitionLeaderEpoch: 0 isTransactional: false isControl: false deleteHorizonMs: OptionalLong.empty
//   position: 0 CreateTime: 1700000000005 size: 86 magic: 2 compresscodec: none crc: 3192223529 isvalid: true
//   | offset: 0 CreateTime: 1700000000000 keySize: -1 valueSize: 5 sequence: -1 headerKeys: [] payload: hello
//
// Kafka's quirks are kept on purpose so the output diffs cleanly against a real dump: with
// --skip-record-metadata the `|` prefix is printed only before a key, so a keyless record's line is
// ` payload: v` (and an empty line when nothing at all is printed).

export interface DumpLogOptions {
  /** Print one line per record (--deep-iteration, implied by --print-data-log). */
  readonly deepIteration: boolean
  /** Append key and payload to record lines (--print-data-log or a decoder option). */
  readonly printDataLog: boolean
  /** Leave offset, timestamp, sizes, sequence and header keys out of record lines. */
  readonly skipRecordMetadata: boolean
}

export const RECORD_INDENT = '|'

const INT32_MAX = 2 ** 31 - 1

/** DefaultRecordBatch.incrementSequence: sequences wrap from Integer.MAX_VALUE to 0. */
export function incrementSequence(sequence: number, increment: number): number {
  if (sequence > INT32_MAX - increment) return increment - (INT32_MAX - sequence) - 1
  return sequence + increment
}

/** The CRC check of DefaultRecordBatch.isValid (size at least the header, stored CRC = computed). */
export function isBatchValid(batch: Buffer): boolean {
  return batchCrcProblem(batch) === undefined
}

/** Why the batch fails its CRC check (`Record is corrupt (stored crc = …, computed crc = …)`), or undefined. */
export function batchCrcProblem(batch: Buffer): string | undefined {
  try {
    verifyBatchCrc(batch)
    return undefined
  } catch (err) {
    return err instanceof Error ? err.message : String(err)
  }
}

/** printBatchLevel for a magic-2 batch found `position` bytes into the partition's stored log. */
export function renderBatchLine(batch: Buffer, position: number, header: BatchHeader = readBatchHeader(batch), valid = isBatchValid(batch)): string {
  const lastSequence = header.baseSequence < 0 ? -1 : incrementSequence(header.baseSequence, header.lastOffsetDelta)
  const deleteHorizon = header.hasDeleteHorizon ? `OptionalLong[${header.baseTimestamp}]` : 'OptionalLong.empty'
  return (
    `baseOffset: ${header.baseOffset} lastOffset: ${header.baseOffset + header.lastOffsetDelta} count: ${header.recordCount}` +
    ` baseSequence: ${header.baseSequence} lastSequence: ${lastSequence}` +
    ` producerId: ${header.producerId} producerEpoch: ${header.producerEpoch}` +
    ` partitionLeaderEpoch: ${header.partitionLeaderEpoch} isTransactional: ${header.isTransactional}` +
    ` isControl: ${header.isControl} deleteHorizonMs: ${deleteHorizon}` +
    ` position: ${position} ${header.timestampType}: ${header.maxTimestamp}` +
    ` size: ${header.batchLength + 12} magic: ${header.magic}` +
    ` compresscodec: ${header.compression} crc: ${header.crc} isvalid: ${valid}`
  )
}

/** Kafka's ControlRecordType ids (ControlRecordType.java); anything else prints as UNKNOWN. */
const CONTROL_TYPES: readonly string[] = ['ABORT', 'COMMIT', 'LEADER_CHANGE', 'SNAPSHOT_HEADER', 'SNAPSHOT_FOOTER', 'KRAFT_VERSION', 'KRAFT_VOTERS']

/**
 * The control-record part of a record line. Transaction markers as Kafka prints them
 * (` endTxnMarker: COMMIT coordinatorEpoch: 5`); other control types as ` controlType: NAME(id)`
 * (Kafka prints snapshot header/footer records as JSON; kafka-ts has no KRaft snapshots to show).
 */
export function renderControl(key: Buffer | null, value: Buffer | null): string {
  if (key === null || key.length < 4) return ' controlType: UNKNOWN(-1)'
  const typeId = key.readInt16BE(2)
  const type = CONTROL_TYPES[typeId] ?? 'UNKNOWN'
  if ((type === 'ABORT' || type === 'COMMIT') && value !== null && value.length >= 6) {
    return ` endTxnMarker: ${type} coordinatorEpoch: ${value.readInt32BE(2)}`
  }
  return ` controlType: ${type}(${typeId})`
}

/** One deep-iteration line for the record under the cursor (no newline). */
export function renderRecordLine(r: RecordCursor, header: BatchHeader, opts: DumpLogOptions): string {
  let line = ''
  let prefix = `${RECORD_INDENT} `
  if (!opts.skipRecordMetadata) {
    const sequence = header.baseSequence < 0 ? -1 : incrementSequence(header.baseSequence, r.offset - header.baseOffset)
    const headerKeys = r.headers().map((h) => h.key.toString('utf8'))
    line +=
      `${prefix}offset: ${r.offset} ${header.timestampType}: ${r.timestamp} keySize: ${r.keyLength} valueSize: ${r.valueLength}` +
      ` sequence: ${sequence} headerKeys: [${headerKeys.join(',')}]`
    prefix = ' '
    if (header.isControl) line += renderControl(r.key(), r.value())
  }
  if (opts.printDataLog && !header.isControl) {
    const key = r.key()
    if (key !== null) {
      line += `${prefix}key: ${key.toString('utf8')}`
      prefix = ' '
    }
    const value = r.value()
    if (value !== null) line += ` payload: ${value.toString('utf8')}`
  }
  return line
}

/** What dumping one batch produced: its text (newline-terminated lines) and the offsets of its records. */
export interface RenderedBatch {
  readonly text: string
  readonly header: BatchHeader
  /** Offsets seen by deep iteration, in order (empty without it). */
  readonly recordOffsets: readonly number[]
  /** Set when the records could not be decoded; `text` then holds the lines before the failure. */
  readonly error?: Error
  /** Set when the batch fails its CRC (it is printed with `isvalid: false`). */
  readonly crcProblem?: string
}

/** The batch line and, with deep iteration, one line per record. */
export function renderBatch(batch: Buffer, position: number, opts: DumpLogOptions): RenderedBatch {
  const header = readBatchHeader(batch)
  const crcProblem = batchCrcProblem(batch)
  const crc = crcProblem === undefined ? {} : { crcProblem }
  let text = `${renderBatchLine(batch, position, header, crcProblem === undefined)}\n`
  const recordOffsets: number[] = []
  if (!opts.deepIteration) return { text, header, recordOffsets, ...crc }
  try {
    forEachRecord(batch, (r) => {
      recordOffsets.push(r.offset)
      text += `${renderRecordLine(r, header, opts)}\n`
    })
  } catch (err) {
    return { text, header, recordOffsets, error: err instanceof Error ? err : new Error(String(err)), ...crc }
  }
  return { text, header, recordOffsets, ...crc }
}
