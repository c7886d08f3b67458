import path from 'node:path'

import { Flags } from '@oclif/core'

import { brokerConfigFrom } from '../../broker/broker-config.js'
import { checkStorageDirectory, resolveDataDir } from '../../broker/open-broker.js'
import type { StoreCheckSummary, StoreDamage } from '../../broker/store-check.js'
import { UsageError } from '../../cli/errors.js'
import { KafkaCommand } from '../../cli/kafka-command.js'
import { readPropertiesFile } from '../../cli/properties-file.js'

// kafka-ts's own: Kafka has no offline checker of a log directory (kafka-dump-log prints `isvalid` per
// batch). One line per damaged place on stdout as it is found, then a summary; exit 1 if anything is
// damaged. Reads only, so it is safe beside running kafka-ts processes.

export interface CheckReport {
  directories: (StoreCheckSummary & { directory: string })[]
  damages: (StoreDamage & { directory: string })[]
}

export default class StorageCheck extends KafkaCommand<CheckReport> {
  static override summary = "Check a data directory's store for damage: SQLite's integrity check, then every batch's CRC and offsets."
  static override description =
    'Walks every partition in offset order, holding one batch at a time. Prints each damaged place ' +
    '(topic-partition, offsets, what is wrong) and exits 1 if there is any; exits 0 after a clean summary otherwise.'
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --data-dir /var/lib/kafka-ts',
    '<%= config.bin %> <%= command.id %> -c config/server.properties --quick',
  ]

  static override flags = {
    'data-dir': Flags.string({ summary: 'Data directory to check (default: $KAFKA_TS_DATA_DIR, else ~/.local/share/kafka-ts).' }),
    config: Flags.string({ char: 'c', summary: 'Check the log directories named in this server.properties (log.dirs) instead.' }),
    quick: Flags.boolean({ summary: "SQLite's quick_check instead of integrity_check: skips the index contents, faster on big stores." }),
  }

  async run(): Promise<CheckReport> {
    const { flags } = await this.parse(StorageCheck)
    if (flags.config !== undefined && flags['data-dir'] !== undefined) {
      throw new UsageError('--config and --data-dir cannot be used together.')
    }
    const dirs =
      flags.config === undefined
        ? [resolveDataDir(flags['data-dir'])]
        : [...new Set(brokerConfigFrom(readPropertiesFile(flags.config)).logDirs.map((d) => path.resolve(d)))].sort()
    if (dirs.length === 0) throw new UsageError(`${flags.config ?? ''} names no log.dirs to check.`)

    const report: CheckReport = { directories: [], damages: [] }
    for (const directory of dirs) {
      const summary = checkStorageDirectory(directory, { quick: flags.quick }, (damage) => {
        report.damages.push({ directory, ...damage })
        this.out(damageLine(damage))
      })
      report.directories.push({ directory, ...summary })
      this.out(summaryLine(summary))
    }
    if (report.damages.length > 0) process.exitCode = 1
    return report
  }
}

/** `orders-0 offsets 40-79: Record is corrupt (…)`; damage outside a partition's log names the file's part. */
function damageLine(d: StoreDamage): string {
  const where = d.topic === undefined ? 'store' : `${d.topic}-${d.partition}`
  const offsets =
    d.fromOffset === undefined ? '' : d.toOffset === undefined || d.toOffset === d.fromOffset ? ` offset ${d.fromOffset}` : ` offsets ${d.fromOffset}-${d.toOffset}`
  return `${where}${offsets}: ${d.problem}`
}

function summaryLine(s: StoreCheckSummary): string {
  const counted = `${s.partitions} partition${s.partitions === 1 ? '' : 's'}, ${s.batches} batch${s.batches === 1 ? '' : 'es'}`
  if (s.damages === 0) return `${s.file}: no damage found (${counted} checked; ${s.engineCheck} ok, every batch's CRC and offsets ok).`
  const where = s.damagedPartitions > 0 ? ` in ${s.damagedPartitions} of ${s.partitions} partitions` : ''
  return `${s.file}: ${s.damages} damaged place${s.damages === 1 ? '' : 's'} found${where} (${counted} checked).`
}
