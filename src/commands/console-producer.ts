import fs from 'node:fs'

import { Flags } from '@oclif/core'

import { type CompressionCodec } from '../broker/records.js'
import type { SendFailure } from '../client/kafka-client.js'
import { ExitRequest, UsageError, UserError } from '../cli/errors.js'
import { keyValues, missingArgument, parseKeyValues } from '../cli/flags.js'
import { KafkaCommand } from '../cli/kafka-command.js'
import { LineParseError, LineReaderConfigError, lineReaderConfig, parseLine } from '../cli/line-reader.js'
import { LineSplitter } from '../cli/line-splitter.js'
import { readPropertiesFile } from '../cli/properties-file.js'
import { stoppedProducing } from '../cli/storage-errors.js'
import { storeFailureOf } from '../broker/store-failure.js'

const CODECS: readonly CompressionCodec[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd']

export interface ProducerReport {
  topic: string
  records: number
}

export default class ConsoleProducer extends KafkaCommand<ProducerReport> {
  static override summary = 'Read lines from standard input and publish them as records (kafka-console-producer.sh).'
  static override examples = [
    'echo hello | <%= config.bin %> <%= command.id %> --topic quickstart-events',
    '<%= config.bin %> <%= command.id %> --topic orders --property parse.key=true --property key.separator=: < orders.txt',
  ]
  static override enableJsonFlag = false

  static override flags = {
    ...KafkaCommand.connectionFlags,
    'broker-list': Flags.string({ summary: 'Deprecated alias of --bootstrap-server.', hidden: true }),
    topic: Flags.string({ summary: 'The topic to produce messages to.' }),
    sync: Flags.boolean({ summary: 'Send each record and wait for its acknowledgement before reading the next line.' }),
    'compression-codec': Flags.string({ summary: "Compression codec: 'none', 'gzip', 'snappy', 'lz4' or 'zstd' (no value means gzip)." }),
    'batch-size': Flags.integer({ summary: 'Bytes per batch (batch.size, default 16384).' }),
    'max-partition-memory-bytes': Flags.integer({ summary: 'Also sets batch.size (applied after --batch-size).' }),
    'message-send-max-retries': Flags.integer({ summary: 'retries (accepted; local appends do not retry).' }),
    'retry-backoff-ms': Flags.integer({ summary: 'retry.backoff.ms (accepted).' }),
    timeout: Flags.integer({ summary: 'linger.ms: how long a record may wait for its batch to fill (default 1000).' }),
    'request-required-acks': Flags.string({ summary: 'acks: -1/all (fsync before acknowledging, default), 1 or 0.' }),
    'request-timeout-ms': Flags.integer({ summary: 'request.timeout.ms (accepted).' }),
    'metadata-expiry-ms': Flags.integer({ summary: 'metadata.max.age.ms (accepted).' }),
    'max-block-ms': Flags.integer({ summary: 'max.block.ms (accepted).' }),
    'max-memory-bytes': Flags.integer({ summary: 'buffer.memory (accepted).' }),
    'socket-buffer-size': Flags.integer({ summary: 'send.buffer.bytes (accepted).' }),
    'line-reader': Flags.string({ summary: 'Only the default kafka.tools.LineMessageReader is available.' }),
    property: keyValues('Line reader property: parse.key, key.separator, parse.headers, headers.delimiter, headers.separator, headers.key.separator, null.marker, ignore.error.'),
    'reader-config': Flags.string({ summary: 'Properties file of line reader properties (--property wins).' }),
    'producer-property': keyValues('Producer config key=value (repeatable).'),
    'producer.config': Flags.string({ summary: 'Producer config properties file (--producer-property wins).' }),
  }

  async run(): Promise<ProducerReport> {
    const { flags } = await this.parse(ConsoleProducer, withOptionalCodecValue(this.argv))
    const topicName = await this.required(flags.topic, 'Topic to produce to:', missingArgument('topic'))
    const bootstrap = flags['bootstrap-server'] ?? flags['broker-list']
    const reader = flags['line-reader']
    if (reader !== undefined && !/(^|\.)LineMessageReader$/.test(reader)) {
      throw new UserError(`Line reader class ${reader} is not available; kafka-ts supports the default LineMessageReader.`)
    }

    const props = new Map([...(flags['producer.config'] ? readPropertiesFile(flags['producer.config']) : []), ...parseKeyValues(flags['producer-property'])])
    const setting = (flag: string | number | undefined, key: string, fallback: string) =>
      flag !== undefined ? String(flag) : (props.get(key) ?? fallback)
    const acks = parseAcks(setting(flags['request-required-acks'], 'acks', '-1'))
    const batchSize = Number(setting(flags['max-partition-memory-bytes'] ?? flags['batch-size'], 'batch.size', '16384'))
    const lingerMs = Number(setting(flags.timeout, 'linger.ms', '1000'))
    // Kafka: the flag with an empty value (`--compression-codec=`) means gzip too.
    const codecFlag = flags['compression-codec'] === '' ? 'gzip' : flags['compression-codec']
    const codec = (codecFlag ?? props.get('compression.type') ?? 'none').toLowerCase()
    const compression = (codec === 'uncompressed' ? 'none' : codec) as CompressionCodec
    if (!CODECS.includes(compression)) {
      throw new UsageError(`Invalid value ${codec} for configuration compression.type: String must be one of: none, gzip, snappy, lz4, zstd`)
    }
    if (!Number.isInteger(batchSize) || batchSize < 0) throw new UsageError(`Invalid value ${batchSize} for configuration batch.size`)
    if (!Number.isFinite(lingerMs) || lingerMs < 0) throw new UsageError(`Invalid value ${lingerMs} for configuration linger.ms`)

    let cfg
    try {
      const readerProps = new Map([...(flags['reader-config'] ? readPropertiesFile(flags['reader-config']) : []), ...parseKeyValues(flags.property)])
      cfg = lineReaderConfig(readerProps)
    } catch (err) {
      if (err instanceof LineReaderConfigError) throw new UserError(err.message)
      throw err
    }

    const bufferMemory = Number(props.get('buffer.memory') ?? 32 * 1024 * 1024)
    if (!Number.isSafeInteger(bufferMemory) || bufferMemory < 0) throw new UsageError(`Invalid value ${props.get('buffer.memory') ?? ''} for configuration buffer.memory`)
    const clientId = props.get('client.id') ?? 'console-producer'
    const client = await this.openClient({ ...flags, 'bootstrap-server': bootstrap }, { props, clientId })
    let failedSends = 0
    // A failure of the local store (disk full, lock, I/O) ends the run: reported once, with the count.
    let storeFailure: ReturnType<typeof storeFailureOf>
    let stopInput: (() => void) | undefined
    let failure: Error | undefined
    const producer = await client.producer(
      topicName,
      {
        acks,
        batchSize,
        lingerMs,
        compression,
        allowAutoCreate: props.get('allow.auto.create.topics') !== 'false',
        bufferMemory,
        clientId,
        idempotent: props.get('enable.idempotence') !== 'false',
      },
      (f) => {
        const storage = storeFailureOf(f.error)
        if (storage !== undefined) {
          storeFailure ??= storage
          failure ??= storage
          stopInput?.()
          return
        }
        failedSends++
        reportFailure(topicName, f)
      },
    )

    const fastPath = !cfg.parseKey && !cfg.parseHeaders && cfg.nullMarker === null
    const prompt = process.stdin.isTTY === true && process.stdout.isTTY === true
    // Lines end at \n (a \r before it is dropped, as Java's readLine does); a lone \r stays in the
    // record, so binary values pass through byte-exact.
    const splitter = new LineSplitter({ loneCrEndsLine: false })
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
    const syncLines = async (lines: readonly Buffer[]) => {
      for (const line of lines) {
        onLine(line)
        if (failure) return
        await producer.flush()
        if (failedSends > 0) failure = new ExitRequest(1)
        if (failure) return
      }
    }

    const input = stdinStream()
    await new Promise<void>((resolve, reject) => {
      const stdin = input
      let finished = false
      const finish = () => {
        if (finished) return
        finished = true
        stdin.off('data', onData)
        process.off('SIGINT', onSigint)
        process.off('SIGTERM', onSigint)
        resolve()
      }
      const fail = (err: unknown) => {
        finished = true
        reject(err instanceof Error ? err : new Error(String(err)))
      }
      // Each chunk is handed to the producer before the next is read: back-pressure from the
      // producer (buffer.memory, --sync) holds stdin. 'end' can fire while a chunk is still being
      // handed over (a paused stream still ends once its buffer is empty), so the steps are chained.
      let chain = Promise.resolve()
      const onData = (chunk: Buffer) => {
        stdin.pause()
        chain = chain.then(async () => {
          if (finished || failure) return
          if (flags.sync) {
            const lines: Buffer[] = []
            splitter.push(chunk, (l) => lines.push(l))
            await syncLines(lines)
          } else {
            splitter.push(chunk, onLine)
            await producer.afterChunk()
          }
          if (finished) return
          if (failure) finish()
          else {
            if (prompt) process.stdout.write('>')
            stdin.resume()
          }
        })
        chain.catch(fail)
      }
      // Ctrl-C: what was read is flushed, then the tool exits (Kafka's shutdown hook closes the producer).
      const onSigint = () => {
        process.exitCode = 130
        stdin.pause()
        finish()
      }
      stopInput = () => {
        stdin.pause()
        finish()
      }
      if (prompt) process.stdout.write('>')
      stdin.on('data', onData)
      // A prompt for a missing flag (inquirer) leaves stdin paused, and a 'data' listener does not
      // restart a stream paused explicitly.
      stdin.resume()
      stdin.once('end', () => {
        chain = chain.then(async () => {
          if (finished) return
          const lines: Buffer[] = []
          if (!failure) splitter.end((l) => lines.push(l))
          if (flags.sync) await syncLines(lines)
          else lines.forEach(onLine)
          finish()
        })
        chain.catch(fail)
      })
      stdin.once('error', fail)
      process.once('SIGINT', onSigint)
      process.once('SIGTERM', onSigint)
    })
    await producer.close()
    input.destroy()

    if (storeFailure !== undefined) throw stoppedProducing(storeFailure, producer.acknowledged)
    if (failure) {
      if (failure instanceof LineParseError) throw new UserError(failure.message)
      throw failure
    }
    if (failedSends > 0) process.exitCode = 1
    return { topic: topicName, records: producer.acknowledged }
  }
}

/** stdin; a regular file (`< file`) is read in 1 MiB chunks, which halves the per-chunk overhead of 64 KiB reads. */
function stdinStream(): NodeJS.ReadableStream & { destroy(): void; pause(): unknown } {
  try {
    if (fs.fstatSync(0).isFile()) return fs.createReadStream('', { fd: 0, highWaterMark: 1 << 20, autoClose: false })
  } catch {
    // fall back to process.stdin
  }
  return process.stdin
}

/** Kafka's async-send error line (the tool keeps going; exit status is non-zero at the end here). */
function reportFailure(topic: string, f: SendFailure): void {
  const size = (n: number | null) => (n === null ? 'null' : `${n} bytes`)
  process.stderr.write(
    `Error when sending message to topic ${topic} with key: ${size(f.keyBytes)}, value: ${size(f.valueBytes)} with error: ${f.error.message}\n`,
  )
}

function parseAcks(value: string): -1 | 0 | 1 {
  const v = value.trim().toLowerCase()
  if (v === 'all' || v === '-1') return -1
  if (v === '0') return 0
  if (v === '1') return 1
  throw new UsageError(`Invalid value ${value} for configuration acks: String must be one of: all, -1, 0, 1`)
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
