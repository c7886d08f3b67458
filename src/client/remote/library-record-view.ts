import type { FormattableRecord, RecordHeader } from '../formattable-record.js'

const EMPTY = Buffer.alloc(0)

/**
 * A record decoded by the client library, in the shape the formatter reads (one buffer with key and
 * value ranges, as our own record cursor presents stored bytes).
 */
export class LibraryRecordView implements FormattableRecord {
  readonly data: Buffer
  readonly keyStart = 0
  readonly keyLength: number
  readonly valueStart: number
  readonly valueLength: number
  readonly headerCount: number

  constructor(
    key: Buffer | null,
    value: Buffer | null,
    private readonly rawHeaders: readonly (readonly [Buffer | null, Buffer | null])[],
    public offset: number,
    public timestamp: number,
    public timestampType: 'CreateTime' | 'LogAppendTime',
  ) {
    this.data = key === null || key.length === 0 ? (value ?? EMPTY) : value === null || value.length === 0 ? key : Buffer.concat([key, value])
    this.keyLength = key === null ? -1 : key.length
    this.valueStart = key === null || value === null || value.length === 0 ? 0 : key.length
    this.valueLength = value === null ? -1 : value.length
    this.headerCount = rawHeaders.length
  }

  headers(): readonly RecordHeader[] {
    return this.rawHeaders.map(([key, value]) => ({ key: key ?? EMPTY, value }))
  }
}
