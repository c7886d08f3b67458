import fs from 'node:fs'

import { Flags } from '@oclif/core'

import type { RecordsToDelete as DeleteRecordsEntry } from '../client/kafka-client.js'
import { UsageError, UserError } from '../cli/errors.js'
import { missingArgument } from '../cli/flags.js'
import { KafkaCommand } from '../cli/kafka-command.js'
import { javaErrorString } from '../client/java-exception.js'

// kafka-delete-records (DeleteRecordsCommand, cli.md §7). Per-partition failures are rows of the report
// and the exit status stays 0; a bad offset JSON file is the only failure (exit 1).

export interface DeleteRecordsRow {
  topic: string
  partition: number
  lowWatermark?: number
  /** Kafka's `<exception class>: <message>`. */
  error?: string
}

export interface DeleteRecordsReport {
  partitions: DeleteRecordsRow[]
}

const JSON_FORMAT = '{"partitions": [{"topic": "foo", "partition": 1, "offset": 1}], "version": 1}'

export default class DeleteRecords extends KafkaCommand<DeleteRecordsReport> {
  static override summary = 'Delete the records of partitions below given offsets (kafka-delete-records.sh).'
  static override examples = [`<%= config.bin %> <%= command.id %> --offset-json-file offsets.json  # ${JSON_FORMAT}`]

  static override flags = {
    ...KafkaCommand.connectionFlags,
    'offset-json-file': Flags.string({
      summary: `The JSON file with the offset per partition (offset -1: up to the high watermark): ${JSON_FORMAT}`,
    }),
  }

  async run(): Promise<DeleteRecordsReport> {
    const { flags } = await this.parse(DeleteRecords)
    const file = flags['offset-json-file']
    if (file === undefined) throw new UsageError(missingArgument('offset-json-file'))
    let text: string
    try {
      text = fs.readFileSync(file, 'utf8')
    } catch (err) {
      throw new UserError(`Cannot read offset json file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`)
    }
    const entries = parseOffsetJson(text)
    const client = await this.openClient(flags)

    this.out('Executing records delete operation')
    const outcomes = await client.deleteRecords(entries)
    this.out('Records delete operation completed:')
    const rows = entries.map((e, i): DeleteRecordsRow => {
      const outcome = outcomes[i]
      if (outcome === undefined) throw new Error('deleteRecords returned fewer outcomes than entries')
      return outcome.ok
        ? { topic: e.topic, partition: e.partition, lowWatermark: outcome.value }
        : { topic: e.topic, partition: e.partition, error: javaErrorString(outcome.error) }
    })
    this.out(
      rows
        .map((r) => `partition: ${r.topic}-${r.partition}\t${r.error === undefined ? `low_watermark: ${r.lowWatermark ?? -1}` : `error: ${r.error}`}\n`)
        .join(''),
    )
    return { partitions: rows }
  }
}

/**
 * The offset JSON file as DeleteRecordsCommand reads it: `version` optional (only 1), `partitions` of
 * {topic, partition, offset}; a topic partition listed twice is refused.
 */
export function parseOffsetJson(text: string): DeleteRecordsEntry[] {
  let js: unknown
  try {
    js = JSON.parse(text)
  } catch {
    throw new UserError('The input string is not a valid JSON')
  }
  const root = asObject(js, 'the offset json file')
  const version = root['version'] === undefined ? 1 : asInt(root['version'], 'version')
  if (version !== 1) throw new UserError(`Not supported version field value ${version}`)
  if (root['partitions'] === undefined) throw new UserError('Missing partitions field')
  const list = root['partitions']
  if (!Array.isArray(list)) throw new UserError(`Expected JSON array, received ${JSON.stringify(list)}`)

  const entries: DeleteRecordsEntry[] = []
  const seen = new Set<string>()
  const duplicates = new Set<string>()
  for (const item of list) {
    const p = asObject(item, 'a partition entry')
    const entry = { topic: asString(p['topic'], 'topic'), partition: asInt(p['partition'], 'partition'), offset: asLong(p['offset'], 'offset') }
    const key = `${entry.topic}-${entry.partition}`
    if (seen.has(key)) duplicates.add(key)
    else {
      seen.add(key)
      entries.push(entry)
    }
  }
  if (duplicates.size > 0) throw new UserError(`Offset json file contains duplicate topic partitions: ${[...duplicates].join(',')}`)
  return entries
}

function asObject(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new UserError(`Expected JSON object for ${what}, received ${JSON.stringify(v)}`)
  return v as Record<string, unknown>
}

function asString(v: unknown, field: string): string {
  if (v === undefined) throw new UserError(`No such field exists: \`${field}\``)
  if (typeof v !== 'string') throw new UserError(`Expected \`String\` value for \`${field}\`, received ${JSON.stringify(v)}`)
  return v
}

function asInt(v: unknown, field: string): number {
  if (v === undefined) throw new UserError(`No such field exists: \`${field}\``)
  if (typeof v !== 'number' || !Number.isInteger(v) || v < -(2 ** 31) || v > 2 ** 31 - 1) {
    throw new UserError(`Expected \`Int\` value for \`${field}\`, received ${JSON.stringify(v)}`)
  }
  return v
}

/** Offsets are int64 in Kafka; kafka-ts keeps them as numbers, exact up to 2^53 (far beyond any real log). */
function asLong(v: unknown, field: string): number {
  if (v === undefined) throw new UserError(`No such field exists: \`${field}\``)
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new UserError(`Expected \`Long\` value for \`${field}\`, received ${JSON.stringify(v)}`)
  return v
}
