/** A record header; the same shape as the protocol module's RecordHeader. */
export interface RecordHeader {
  key: Buffer
  value: Buffer | null
}

/**
 * The record as the formatter sees it; the protocol module's RecordCursor satisfies it
 * structurally. A negative keyLength/valueLength means null.
 */
export interface FormattableRecord {
  readonly data: Buffer
  offset: number
  timestamp: number
  /** NoTimestampType (magic v0 records) prints NO_TIMESTAMP. */
  timestampType: 'CreateTime' | 'LogAppendTime' | 'NoTimestampType'
  keyStart: number
  keyLength: number
  valueStart: number
  valueLength: number
  headerCount: number
  headers(): readonly RecordHeader[]
}
