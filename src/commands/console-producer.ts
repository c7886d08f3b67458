import { Flags } from '@oclif/core'

import type { SendFailure } from '../client/kafka-client.js'
import { ExitRequest, UserError } from '../cli/errors.js'
import { keyValues, missingArgument, validateBootstrapServer } from '../cli/flags.js'
import { KafkaCommand } from '../cli/kafka-command.js'
import { LineParseError, LineReaderConfigError, lineReaderConfig, parseLine, type LineReaderConfig } from '../cli/line-reader.js'
import { logUnusedConfigs } from '../cli/unused-configs.js'
import { producerSettings } from '../cli/producer-settings.js'
import { toolProperties } from '../cli/properties-file.js'
import { consoleToolRename, renamedOption } from '../cli/renamed-options.js'
import { StdinLines } from '../cli/stdin-lines.js'
import { stoppedProducing } from '../cli/storage-errors.js'
import { storeFailureOf } from '../broker/store-failure.js'

export interface ProducerReport {
  topic: string
  records: number
}

export default class ConsoleProducer extends KafkaCommand<ProducerReport> {
  static override summary = 'Read lines from standard input and publish them as records (kafka-console-producer.sh).'
  static override examples = [
    'echo hello | <%= config.bin %> <%= command.id %> --topic quickstart-events',
    '<%= config.bin %> <%= command.id %> --topic orders --reader-property parse.key=true --reader-property key.separator=: < orders.txt',
  ]
  static override enableJsonFlag = false

  static override flags = {
    ...KafkaCommand.connectionFlags,
    topic: Flags.string({ summary: 'The topic to produce messages to.' }),
    sync: Flags.boolean({ summary: 'Send each record and wait for its acknowledgement before reading the next line.' }),
    'compression-codec': Flags.string({ summary: "Compression codec: 'none', 'gzip', 'snappy', 'lz4' or 'zstd' (no value means gzip)." }),
    'batch-size': Flags.integer({ summary: 'Bytes per batch (batch.size, default 16384).' }),
    'max-partition-memory-bytes': Flags.integer({ summary: 'Also sets batch.size (applied after --batch-size).' }),
    'message-send-max-retries': Flags.integer({ summary: 'retries (remote: at most 3; local appends do not retry).' }),
    'retry-backoff-ms': Flags.integer({ summary: 'retry.backoff.ms (remote).' }),
    timeout: Flags.integer({ summary: 'linger.ms: how long a record may wait for its batch to fill (default 1000).' }),
    'request-required-acks': Flags.string({ summary: 'acks: -1/all (fsync before acknowledging, default), 1 or 0.' }),
    'request-timeout-ms': Flags.integer({ summary: 'request.timeout.ms (remote).' }),
    'metadata-expiry-ms': Flags.integer({ summary: 'metadata.max.age.ms (remote).' }),
    'max-block-ms': Flags.integer({ summary: 'max.block.ms (accepted; not acted on).' }),
    'max-memory-bytes': Flags.integer({ summary: 'buffer.memory: unacknowledged bytes before reading waits, and the largest record.' }),
    'socket-buffer-size': Flags.integer({ summary: 'send.buffer.bytes (accepted; the operating system sizes the socket buffers).' }),
    'line-reader': Flags.string({ summary: 'Only the default kafka.tools.LineMessageReader is available.' }),
    'reader-property': keyValues('Line reader property: parse.key, key.separator, parse.headers, headers.delimiter, headers.separator, headers.key.separator, null.marker, ignore.error.'),
    property: keyValues('Deprecated: use --reader-property.'),
    'reader-config': Flags.string({ summary: 'Properties file of line reader properties (--reader-property wins).' }),
    'command-property': keyValues('Producer config key=value (repeatable).'),
    'producer-property': keyValues('Deprecated: use --command-property.'),
    'command-config': Flags.string({ summary: 'Producer config properties file (--command-property wins).', helpGroup: 'CONNECTION' }),
    'producer.config': Flags.string({ summary: 'Deprecated: use --command-config.' }),
  }

  async run(): Promise<ProducerReport> {
    const { flags } = await this.parse(ConsoleProducer, withOptionalCodecValue(this.argv))
    const topicName = await this.required(flags.topic, 'Topic to produce to:', missingArgument('topic'))
    const reader = flags['line-reader']
    if (reader !== undefined && !/(^|\.)LineMessageReader$/.test(reader)) {
      throw new UserError(`Line reader class ${reader} is not available; kafka-ts supports the default LineMessageReader.`)
    }
    // Kafka announces the renamed options in this order: --producer-property, --producer.config, then --property.
    const commandProperties = renamedOption<string[]>(flags, consoleToolRename('producer', 'producer-property', 'command-property'))
    const props = toolProperties(renamedOption<string>(flags, consoleToolRename('producer', 'producer.config', 'command-config')), commandProperties)
    // The tool's own flags win over the producer properties.
    const overlay = (key: string, value: string | number | undefined) => {
      if (value !== undefined) props.set(key, String(value))
    }
    overlay('acks', flags['request-required-acks'])
    if (flags['max-partition-memory-bytes'] !== undefined) {
      process.stdout.write('Warning: --max-partition-memory-bytes is deprecated and will be removed in Apache Kafka 5.0. Use --batch-size instead.\n')
    }
    overlay('batch.size', flags['max-partition-memory-bytes'] ?? flags['batch-size'])
    overlay('linger.ms', flags.timeout)
    // Kafka merges these the same way (CommandLineUtils.maybeMergeOptions). Their defaults are left to the
    // client: Kafka's tool would put its 1.5 s --request-timeout-ms default over request.timeout.ms.
    overlay('request.timeout.ms', flags['request-timeout-ms'])
    overlay('metadata.max.age.ms', flags['metadata-expiry-ms'])
    overlay('max.block.ms', flags['max-block-ms'])
    overlay('buffer.memory', flags['max-memory-bytes'])
    overlay('send.buffer.bytes', flags['socket-buffer-size'])
    overlay('retries', flags['message-send-max-retries'])
    overlay('retry.backoff.ms', flags['retry-backoff-ms'])
    // Kafka: the flag with an empty value (`--compression-codec=`) means gzip too.
    overlay('compression.type', flags['compression-codec'] === '' ? 'gzip' : flags['compression-codec'])
    const settings = producerSettings(props, { clientId: 'console-producer', lingerMs: 1000 })
    logUnusedConfigs('producer', props)
    const cfg = readerConfig(toolProperties(flags['reader-config'], renamedOption<string[]>(flags, consoleToolRename('producer', 'property', 'reader-property'))))

    // `props` already holds --command-config's settings.
    validateBootstrapServer(flags['bootstrap-server'])
    const client = await this.openClient({ ...flags, 'command-config': undefined }, { props, clientId: settings.clientId })
    const input = new StdinLines()
    let failedSends = 0
    // A failure of the local store (disk full, lock, I/O) ends the run: reported once, with the count.
    let storeFailure: ReturnType<typeof storeFailureOf>
    let failure: Error | undefined
    const producer = await client.producer(topicName, settings, (f) => {
      const storage = storeFailureOf(f.error)
      if (storage === undefined) {
        failedSends++
        reportFailure(topicName, f)
        return
      }
      storeFailure ??= storage
      failure ??= storage
      input.stop()
    })

    const fastPath = !cfg.parseKey && !cfg.parseHeaders && cfg.nullMarker === null
    let lineNumber = 0
    const onLine = (line: Buffer) => {
      if (failure) return
      lineNumber++
      const now = Date.now()
      if (fastPath) {
        producer.send(null, line, undefined, now)
        return
      }
      try {
        const parsed = parseLine(line, lineNumber, cfg)
        producer.send(parsed.key, parsed.value, parsed.headers, now)
      } catch (err) {
        failure = err as Error
      }
    }
    // Kafka's --sync waits on each send: a failed one ends the tool (exit 1) before the next line.
    const syncLine = async (line: Buffer) => {
      onLine(line)
      if (failure) return
      await producer.flush()
      if (failedSends > 0) failure = new ExitRequest(1)
    }
    await input.read(
      { onLine, afterChunk: () => producer.afterChunk(), ...(flags.sync ? { syncLine } : {}), failed: () => failure !== undefined },
      process.stdin.isTTY === true && process.stdout.isTTY === true,
    )
    // Ctrl-C: what was read is flushed, then the tool exits (Kafka's shutdown hook closes the producer).
    if (input.interrupted) process.exitCode = 130
    await producer.close()

    if (storeFailure !== undefined) throw stoppedProducing(storeFailure, producer.acknowledged)
    if (failure) {
      if (failure instanceof LineParseError) throw new UserError(failure.message)
      throw failure
    }
    if (failedSends > 0) process.exitCode = 1
    return { topic: topicName, records: producer.acknowledged }
  }
}

/** The line reader's settings; a property it cannot honour is one line. */
function readerConfig(props: ReadonlyMap<string, string>): LineReaderConfig {
  try {
    return lineReaderConfig(props)
  } catch (err) {
    if (err instanceof LineReaderConfigError) throw new UserError(err.message)
    throw err
  }
}

/** Kafka's async-send error line (the tool keeps going; exit status is non-zero at the end here). */
function reportFailure(topic: string, f: SendFailure): void {
  const size = (n: number | null) => (n === null ? 'null' : `${n} bytes`)
  process.stderr.write(
    `Error when sending message to topic ${topic} with key: ${size(f.keyBytes)}, value: ${size(f.valueBytes)} with error: ${f.error.message}\n`,
  )
}


/** `--compression-codec` takes an optional value in Kafka (gzip when absent); oclif needs one, so supply it. */
function withOptionalCodecValue(argv: string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    out.push(arg)
    if (arg === '--compression-codec') {
      const next = argv[i + 1]
      if (next === undefined || next.startsWith('--')) out.push('gzip')
    }
  }
  return out
}
