// A member's completed JoinGroup outcome, kept in its row (GroupMemberRow.joinResult) until the member
// joins again. The waiting JoinGroup — in this process or another one — reads it from there, so the
// answer stays the one of the generation that completed even if the group has moved on since.
// Layout (private to this module): int32 generation, nullable string protocol type, nullable string
// protocol name, string leader, int32 count of (string member id, nullable string instance id, bytes).

import { Reader } from '../../protocol/reader.js'
import { Writer } from '../../protocol/writer.js'
import type { JoinedMember } from './types.js'

export interface StoredJoinResult {
  readonly generationId: number
  readonly protocolType: string | null
  readonly protocolName: string | null
  readonly leader: string
  readonly members: readonly JoinedMember[]
}

export function encodeJoinResult(result: StoredJoinResult): Buffer {
  const w = new Writer(128)
  w.int32(result.generationId)
  w.nullableString(result.protocolType)
  w.nullableString(result.protocolName)
  w.string(result.leader)
  w.array(result.members, (m) => {
    w.string(m.memberId)
    w.nullableString(m.groupInstanceId)
    w.bytes(m.metadata)
  })
  return w.toBuffer()
}

export function decodeJoinResult(bytes: Buffer): StoredJoinResult {
  const r = new Reader(bytes)
  return {
    generationId: r.int32(),
    protocolType: r.nullableString(),
    protocolName: r.nullableString(),
    leader: r.string(),
    members: r.array(() => ({ memberId: r.string(), groupInstanceId: r.nullableString(), metadata: Buffer.from(r.bytes()) })),
  }
}
