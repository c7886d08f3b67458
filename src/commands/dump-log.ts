import fs from 'node:fs'
import { once } from 'node:events'

import { Flags } from '@oclif/core'

import type { Broker } from '../broker/broker.js'
import { isLogDamage, storageCheckHint } from '../broker/log-damage.js'
import { openBroker, resolveDataDir } from '../broker/open-broker.js'
import type { TopicRow } from '../broker/records.js'
import { UsageError, UserError } from '../cli/errors.js'
import { missingArgument } from '../cli/flags.js'
import { KafkaCommand } from '../cli/kafka-command.js'
import { renderBatch, type DumpLogOptions } from '../cli/render/dump-log.js'

// kafka-dump-log (DumpLogSegments, cli.md §10) over the SQLite store. Kafka's --files names segment
// files; here each entry is a topic-partition (`orders-0`, read from --data-dir / KAFKA_TS_DATA_DIR /
// the default) or a data directory (every partition in it). A partition's "file" is its stored
// batches in offset order from the log start, so `position` is the byte offset of a batch in the
// concatenation of those batches, and `Log starting offset` is the partition's log start offset.
// Batches are read in bounded chunks and written with stdout back-pressure, so memory stays flat
// however long the log. The store is opened with initialize 'never': dump-log never creates a
// data directory. There are no index, time-index, snapshot or transaction-index files.

// Kafka 4's decoder interface (org.apache.kafka.tools.api.Decoder); 3.9's Scala class name is still taken here.
const STRING_DECODER = 'org.apache.kafka.tools.api.StringDecoder'
const STRING_DECODER_NAMES = new Set([STRING_DECODER, 'kafka.serializer.StringDecoder', 'StringDecoder'])
const DECODER_FLAGS = ['key-decoder-class', 'value-decoder-class'] as const
/** Kafka's internal-topic decoders, and why there is nothing for them to decode in kafka-ts. */
const INTERNAL_DECODERS = {
  'offsets-decoder': 'kafka-ts keeps consumer group offsets in its store, not in a __consumer_offsets log (see `kafka-ts consumer-groups --describe`)',
  'transaction-log-decoder': 'kafka-ts has no transaction coordinator, so there is no __transaction_state log',
  'cluster-metadata-decoder': 'kafka-ts has no KRaft controller, so there is no __cluster_metadata log',
  'remote-log-metadata-decoder': 'kafka-ts has no tiered storage, so there is no __remote_log_metadata log',
  'share-group-state-decoder': 'kafka-ts has no share groups yet, so there is no __share_group_state log',
} as const
const INDEX_FLAGS = ['verify-index-only', 'index-sanity-check'] as const
/** `<topic>-<partition>`: Kafka's legal topic characters, a dash, decimal digits. */
const TOPIC_PARTITION = /^([a-zA-Z0-9._-]+)-(\d+)$/
/** How much of a log one read asks the store for (the store always returns at least one batch). */
const CHUNK_BYTES = 1 << 20
const CHUNK_BATCHES = 1000
/** Output is handed to stdout in pieces of about this size. */
const FLUSH_BYTES = 64 * 1024

/** One partition log to dump, resolved and checked before anything is printed. */
interface DumpTarget {
  /** What `Dumping …` shows. */
  readonly label: string
  readonly broker: Broker
  readonly topic: TopicRow
  readonly partition: number
  /** The data directory, for the hint on damage. */
  readonly dataDir: string
}

export default class DumpLog extends KafkaCommand<void> {
  static override summary = 'Print the record batches (and records) stored for topic partitions (kafka-dump-log.sh).'
  static override description =
    'Each --files entry is a topic-partition name such as orders-0 (looked up in --data-dir, $KAFKA_TS_DATA_DIR or the default ' +
    'data directory) or a data directory path (every partition in it; write ./name for a relative directory whose name looks ' +
    'like a topic-partition). The batch `position` is the byte offset of the batch within the partition\'s stored batches.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> --files orders-0',
    '<%= config.bin %> <%= command.id %> --files orders-0,orders-1 --print-data-log',
    '<%= config.bin %> <%= command.id %> --files ~/.local/share/kafka-ts --deep-iteration',
  ]
  // A text dump that streams; a JSON document of every batch would defeat the bounded memory.
  static override enableJsonFlag = false

  static override flags = {
    'bootstrap-server': Flags.string({ summary: 'Not supported: dump-log reads the local data directory only.', helpGroup: 'CONNECTION' }),
    'data-dir': KafkaCommand.connectionFlags['data-dir'],
    files: Flags.string({
      summary: 'REQUIRED: comma-separated topic-partition names (e.g. orders-0) and/or data directories (all their partitions).',
    }),
    'print-data-log': Flags.boolean({ summary: 'Print record keys and payloads (implies --deep-iteration; set by any decoder option).' }),
    'deep-iteration': Flags.boolean({ summary: 'Print every record, not only the batches.' }),
    'skip-record-metadata': Flags.boolean({ summary: 'Leave offsets, timestamps, sizes, sequences and header keys out of record lines.' }),
    'max-bytes': Flags.integer({ summary: 'Dump only the batches within the first N bytes of each partition log.', default: 2147483647, min: 0 }),
    'key-decoder-class': Flags.string({ summary: `Key decoder; only ${STRING_DECODER} (the default) is available. Implies --print-data-log.` }),
    'value-decoder-class': Flags.string({ summary: `Value decoder; only ${STRING_DECODER} (the default) is available. Implies --print-data-log.` }),
    'offsets-decoder': Flags.boolean({ summary: 'Refused: kafka-ts has no __consumer_offsets log.' }),
    'transaction-log-decoder': Flags.boolean({ summary: 'Refused: kafka-ts has no __transaction_state log.' }),
    'cluster-metadata-decoder': Flags.boolean({ summary: 'Refused: kafka-ts has no __cluster_metadata log.' }),
    'remote-log-metadata-decoder': Flags.boolean({ summary: 'Refused: kafka-ts has no tiered storage.' }),
    'share-group-state-decoder': Flags.boolean({ summary: 'Refused: kafka-ts has no __share_group_state log.' }),
    'max-message-size': Flags.integer({ summary: 'Accepted; Kafka uses it for index verification only.', default: 5 * 1024 * 1024 }),
    'verify-index-only': Flags.boolean({ summary: 'No effect: kafka-ts keeps no index files (the log is dumped as without it, as Kafka does for .log files).' }),
    'index-sanity-check': Flags.boolean({ summary: 'No effect: kafka-ts keeps no index files (the log is dumped as without it, as Kafka does for .log files).' }),
  }

  private readonly brokers = new Map<string, Broker>()
  private stdoutBroken = false

  async run(): Promise<void> {
    const { flags } = await this.parse(DumpLog, withOptionalDecoderValues(this.argv))
    if (flags['bootstrap-server'] !== undefined) {
      throw new UserError('dump-log reads the local data directory only; --bootstrap-server is not supported.', 'omit it; choose the directory with --data-dir')
    }
    for (const [flag, why] of Object.entries(INTERNAL_DECODERS)) {
      if (flags[flag as keyof typeof INTERNAL_DECODERS]) throw new UserError(`--${flag} does not apply: ${why}.`)
    }
    for (const flag of DECODER_FLAGS) {
      const value = flags[flag]
      if (value !== undefined && !STRING_DECODER_NAMES.has(value)) {
        throw new UserError(`Decoder class ${value} is not available: kafka-ts decodes keys and values with ${STRING_DECODER} only.`)
      }
    }
    if (flags.files === undefined || flags.files === '') throw new UsageError(missingArgument('files'))

    const printDataLog = flags['print-data-log'] || DECODER_FLAGS.some((f) => flags[f] !== undefined)
    const opts: DumpLogOptions = {
      printDataLog,
      deepIteration: flags['deep-iteration'] || printDataLog,
      skipRecordMetadata: flags['skip-record-metadata'],
    }
    for (const flag of INDEX_FLAGS) {
      if (flags[flag]) process.stderr.write(`--${flag} has no effect: kafka-ts keeps no index files (offsets are indexed inside SQLite); dumping the logs.\n`)
    }

    const targets = this.resolveTargets(flags.files, flags['data-dir'])
    process.stdout.on('error', () => {
      this.stdoutBroken = true
    })
    let failed = false
    for (const target of targets) {
      if (!(await this.dumpPartition(target, opts, flags['max-bytes']))) failed = true
      if (this.stdoutBroken) break
    }
    if (failed) process.exitCode = 1
  }

  /** Every --files entry as partitions to dump; any bad entry fails the command before output. */
  private resolveTargets(files: string, dataDirFlag: string | undefined): DumpTarget[] {
    const entries = files.split(',').filter((e) => e !== '')
    if (entries.length === 0) throw new UsageError(missingArgument('files'))
    const targets: DumpTarget[] = []
    for (const entry of entries) {
      const tp = TOPIC_PARTITION.exec(entry)
      if (tp) {
        const dataDir = resolveDataDir(dataDirFlag)
        const broker = this.brokerAt(dataDir)
        const [, topicName = '', partitionText = ''] = tp
        const topic = broker.findTopic(topicName)
        const partition = Number(partitionText)
        if (!topic) {
          throw new UserError(`Cannot dump ${entry}: topic '${topicName}' does not exist.`, 'list the topics with `kafka-ts topics --list`')
        }
        if (partition >= topic.partitionCount) {
          throw new UserError(`Cannot dump ${entry}: topic '${topicName}' has ${topic.partitionCount} partition(s), numbered from 0.`)
        }
        targets.push({ label: entry, broker, topic, partition, dataDir })
        continue
      }
      let isDir = false
      try {
        isDir = fs.statSync(entry).isDirectory()
      } catch {
        // reported below
      }
      if (!isDir) {
        throw new UserError(
          `Cannot dump ${entry}: it is neither a topic-partition name (<topic>-<partition>, e.g. orders-0) nor an existing data directory.`,
        )
      }
      const broker = this.brokerAt(entry)
      const base = entry.replace(/\/+$/, '')
      const rows = [...broker.listTopics()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      for (const topic of rows) {
        for (let partition = 0; partition < topic.partitionCount; partition++) {
          targets.push({ label: `${base}/${topic.name}-${partition}`, broker, topic, partition, dataDir: entry })
        }
      }
    }
    return targets
  }

  /** The store in `dir`, opened once; never initialises a directory. */
  private brokerAt(dir: string): Broker {
    const key = fs.existsSync(dir) ? fs.realpathSync(dir) : dir
    let broker = this.brokers.get(key)
    if (!broker) {
      if (!fs.existsSync(dir)) {
        throw new UserError(`Data directory ${dir} does not exist.`, 'nothing was dumped; check --data-dir, KAFKA_TS_DATA_DIR or --files')
      }
      broker = openBroker({ dataDir: dir, initialize: 'never' })
      this.brokers.set(key, broker)
    }
    return broker
  }

  /**
   * Streams one partition's batches to stdout; false if a batch could not be decoded or damage was met
   * (reported on stderr after the batches before it; the other partitions are still dumped).
   */
  private async dumpPartition(target: DumpTarget, opts: DumpLogOptions, maxBytes: number): Promise<boolean> {
    const { broker, topic, partition, label } = target
    const damaged = (message: string): false => {
      process.stderr.write(`${message} (${storageCheckHint(target.dataDir)})\n`)
      return false
    }
    const ends = broker.offsets(topic, partition)
    if (!ends.ok) {
      if (isLogDamage(ends.error)) return damaged(`Cannot dump ${label}: ${ends.error.message}`)
      throw new UserError(`Cannot dump ${label}: ${ends.error.message}`)
    }
    // The log as it was when the dump started (other processes may append while it runs).
    const { logStartOffset, highWatermark } = ends.value
    let text = `Dumping ${label}\nLog starting offset: ${logStartOffset}\n`
    let position = 0
    let from = logStartOffset
    let lastOffset = -1
    const gaps: [number, number][] = []
    let ok = true
    reading: while (from < highWatermark) {
      const chunk = broker.read(topic, partition, from, CHUNK_BYTES, { maxBatches: CHUNK_BATCHES })
      if (!chunk.ok) {
        if (!isLogDamage(chunk.error)) throw new UserError(`Cannot dump ${label}: ${chunk.error.message}`)
        await this.write(text)
        return damaged(chunk.error.message)
      }
      if (chunk.value.batches.length === 0) break
      for (const batch of chunk.value.batches) {
        if (position + batch.length > maxBytes) break reading
        const rendered = renderBatch(batch, position, opts)
        if (rendered.header.baseOffset >= highWatermark) break reading
        text += rendered.text
        for (const offset of rendered.recordOffsets) {
          if (lastOffset !== -1 && offset !== lastOffset + 1) gaps.push([lastOffset, offset])
          lastOffset = offset
        }
        if (rendered.crcProblem !== undefined) {
          ok = false
          damaged(`The record batch of ${label} at offset ${rendered.header.baseOffset} (position ${position}) is corrupt: ${rendered.crcProblem}`)
        }
        if (rendered.error) {
          ok = false
          process.stderr.write(`Cannot decode the records of the batch at position ${position} of ${label}: ${rendered.error.message}\n`)
        }
        position += batch.length
        from = rendered.header.baseOffset + rendered.header.lastOffsetDelta + 1
        if (text.length >= FLUSH_BYTES) {
          if (!(await this.write(text))) return ok
          text = ''
        }
      }
    }
    await this.write(text)
    if (gaps.length > 0) {
      process.stderr.write(`Non-consecutive offsets in ${label}\n${gaps.map(([a, b]) => `  ${a} is followed by ${b}\n`).join('')}`)
    }
    return ok
  }

  /** Writes to stdout, waiting while the pipe is full; false once stdout is closed (`| head`). */
  private async write(text: string): Promise<boolean> {
    if (this.stdoutBroken) return false
    if (text === '') return true
    if (!process.stdout.write(text)) {
      const settled = new AbortController()
      const { signal } = settled
      await Promise.race([once(process.stdout, 'drain', { signal }), once(process.stdout, 'close', { signal }), once(process.stdout, 'error', { signal })]).catch(
        () => undefined,
      )
      settled.abort()
    }
    return !this.stdoutBroken
  }

  protected override async finally(err: Error | undefined): Promise<unknown> {
    try {
      for (const broker of this.brokers.values()) broker.close()
    } finally {
      this.brokers.clear()
    }
    return super.finally(err)
  }
}

/** The decoder options take an optional value in Kafka (StringDecoder when absent); oclif needs one, so supply it. */
function withOptionalDecoderValues(argv: string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    out.push(arg)
    if (DECODER_FLAGS.some((f) => arg === `--${f}`)) {
      const next = argv[i + 1]
      if (next === undefined || next.startsWith('--')) out.push(STRING_DECODER)
    }
  }
  return out
}
