// ConsumerProtocol payloads (protocol type "consumer"): the JoinGroup metadata (subscription) and the
// SyncGroup assignment bytes. Each is an int16 version followed by the non-flexible struct of
// ConsumerProtocolSubscription.json / ConsumerProtocolAssignment.json (protocol.md §10.2). A reader
// accepts versions above the ones it knows by parsing the known prefix and ignoring the rest, which is
// Kafka's compatibility rule for these two structs.

import {
  decodeConsumerProtocolAssignment,
  encodeConsumerProtocolAssignment,
  type ConsumerProtocolAssignment,
  type ConsumerProtocolAssignmentInput,
} from './messages/consumer-protocol-assignment.js'
import {
  decodeConsumerProtocolSubscription,
  encodeConsumerProtocolSubscription,
  type ConsumerProtocolSubscription,
  type ConsumerProtocolSubscriptionInput,
} from './messages/consumer-protocol-subscription.js'
import { Reader } from './reader.js'
import { Writer } from './writer.js'

export type { ConsumerProtocolAssignment, ConsumerProtocolSubscription }

export const CONSUMER_PROTOCOL_TYPE = 'consumer'

/** The newest struct version this codec writes (Java writes 3; kafkajs and kafka-python write 0). */
export const LATEST_CONSUMER_PROTOCOL_VERSION = 3

export interface Versioned<T> {
  readonly version: number
  readonly value: T
}

export function encodeSubscription(
  value: ConsumerProtocolSubscriptionInput,
  version: number = LATEST_CONSUMER_PROTOCOL_VERSION,
): Buffer {
  const w = new Writer(64)
  w.int16(version)
  encodeConsumerProtocolSubscription(w, version, value)
  return w.toBuffer()
}

/** Throws ProtocolDecodeError on malformed bytes or a negative version. */
export function decodeSubscription(bytes: Uint8Array): Versioned<ConsumerProtocolSubscription> {
  const r = readerOf(bytes)
  const version = r.int16()
  if (version < 0) throw r.error(`ConsumerProtocolSubscription: invalid version ${version}`, 0)
  return { version, value: decodeConsumerProtocolSubscription(r, Math.min(version, LATEST_CONSUMER_PROTOCOL_VERSION)) }
}

export function encodeAssignment(
  value: ConsumerProtocolAssignmentInput,
  version: number = LATEST_CONSUMER_PROTOCOL_VERSION,
): Buffer {
  const w = new Writer(64)
  w.int16(version)
  encodeConsumerProtocolAssignment(w, version, value)
  return w.toBuffer()
}

/** Throws ProtocolDecodeError on malformed bytes or a negative version. */
export function decodeAssignment(bytes: Uint8Array): Versioned<ConsumerProtocolAssignment> {
  const r = readerOf(bytes)
  const version = r.int16()
  if (version < 0) throw r.error(`ConsumerProtocolAssignment: invalid version ${version}`, 0)
  return { version, value: decodeConsumerProtocolAssignment(r, Math.min(version, LATEST_CONSUMER_PROTOCOL_VERSION)) }
}

/** The subscribed topics of a subscription, or undefined when the bytes are not a valid one. */
export function subscribedTopicsOf(metadata: Uint8Array): string[] | undefined {
  try {
    return decodeSubscription(metadata).value.topics
  } catch {
    return undefined
  }
}

function readerOf(bytes: Uint8Array): Reader {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return new Reader(buf)
}

/** The partitions of an assignment as DescribeGroups shows them: [] for none, null when the bytes do not decode. */
export function decodedPartitions(assignment: Buffer): { topic: string; partitions: number[] }[] | null {
  if (assignment.length === 0) return []
  try {
    return decodeAssignment(assignment).value.assignedPartitions
  } catch {
    return null
  }
}
