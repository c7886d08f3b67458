import { KafkaError } from '../../broker/kafka-error.js'
import { javaExceptionClass } from '../../client/java-exception.js'
import { javaDoubleToString } from '../../util/java/numbers.js'

// The JSON event lines of Kafka's verifiable producer and consumer (Jackson's output): `timestamp` and
// `name` first, then the event's fields in the order the tool declares them; doubles as Java prints them
// (2.0, not 2). Lines are gathered and written to stdout in one write per batch of events.

/** A double field, written as Java's Double.toString writes it. */
export class JavaDouble {
  constructor(readonly value: number) {}
}

export type EventValue = string | number | boolean | null | JavaDouble | readonly EventObject[]
export type EventObject = Readonly<Record<string, EventValue>>

function encode(value: EventValue): string {
  if (value instanceof JavaDouble) return javaDoubleToString(value.value)
  if (Array.isArray(value)) return `[${(value as readonly EventObject[]).map(encodeObject).join(',')}]`
  return JSON.stringify(value)
}

function encodeObject(fields: EventObject): string {
  return `{${Object.entries(fields)
    .map(([k, v]) => `${JSON.stringify(k)}:${encode(v)}`)
    .join(',')}}`
}

/** One event line: `{"timestamp":…,"name":…,<fields>}`. */
export function eventLine(name: string, fields: EventObject = {}, timestamp = Date.now()): string {
  return `${encodeObject({ timestamp, name, ...fields })}\n`
}

/** Writes events now (one line) or gathers several into one write. */
export class EventWriter {
  private pending = ''

  print(name: string, fields?: EventObject): void {
    process.stdout.write(eventLine(name, fields))
  }

  add(name: string, fields?: EventObject, timestamp?: number): void {
    this.pending += eventLine(name, fields, timestamp)
  }

  flush(): void {
    if (this.pending === '') return
    process.stdout.write(this.pending)
    this.pending = ''
  }
}

/** Java's `exception.getClass().toString()` for a failure: the Kafka exception class the error maps to. */
export function exceptionClassOf(error: Error): string {
  if (error instanceof KafkaError) return `class ${javaExceptionClass(error.errorName)}`
  return 'class org.apache.kafka.common.KafkaException'
}
