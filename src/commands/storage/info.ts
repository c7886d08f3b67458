import fs from 'node:fs'
import path from 'node:path'

import { Flags } from '@oclif/core'

import { brokerConfigFrom } from '../../broker/broker-config.js'
import { inspectStorageDirectory } from '../../broker/open-broker.js'
import { ExitRequest } from '../../cli/errors.js'
import { KafkaCommand } from '../../cli/kafka-command.js'
import { readPropertiesFile } from '../../cli/properties-file.js'

export interface InfoReport {
  directories: string[]
  metadata?: Record<string, string>
  problems: string[]
}

export default class StorageInfo extends KafkaCommand<InfoReport> {
  static override argparseProgram = 'kafka-storage info'
  static override summary = 'Show the state of the log directories named in server.properties (kafka-storage.sh info).'
  static override flags = {
    config: Flags.string({ char: 'c', summary: 'The Kafka configuration file to use (server.properties).' }),
  }

  async run(): Promise<InfoReport> {
    const { flags } = await this.parse(StorageInfo)
    const configFile = await this.required(flags.config, 'Path of server.properties:', 'kafka-storage info: error: argument --config/-c is required')
    const config = brokerConfigFrom(readPropertiesFile(configFile))
    const dirs = [...new Set(config.logDirs.map((d) => path.resolve(d)))].sort()
    if (dirs.length === 0) {
      this.out('No directories specified.')
      return { directories: [], problems: [] }
    }
    const problems: string[] = []
    const found: string[] = []
    const metas: Map<string, string>[] = []
    for (const dir of dirs) {
      if (!fs.existsSync(dir)) {
        problems.push(`${dir} does not exist`)
        continue
      }
      if (!fs.statSync(dir).isDirectory()) {
        problems.push(`${dir} is not a directory`)
        continue
      }
      found.push(dir)
      const { state, meta } = inspectStorageDirectory(dir)
      if (state !== 'formatted' || !meta) problems.push(`${dir} is not formatted.`)
      else metas.push(meta)
    }
    if (new Set(metas.map((m) => m.get('cluster.id'))).size > 1) problems.push('Mismatched cluster IDs between storage directories.')
    if (new Set(metas.map((m) => m.get('node.id'))).size > 1) problems.push('Mismatched node IDs between storage directories.')

    let text = ''
    if (found.length > 0) {
      text += `Found log director${found.length === 1 ? 'y' : 'ies'}:\n${found.map((d) => `  ${d}\n`).join('')}\n`
    }
    const first = metas[0]
    const metadata = first ? Object.fromEntries([...first.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) : undefined
    if (metadata) {
      text += `Found metadata: {${Object.entries(metadata).map(([k, v]) => `${k}=${v}`).join(', ')}}\n\n`
    }
    if (problems.length > 0) {
      text += `Found problem${problems.length === 1 ? '' : 's'}:\n${problems.map((p) => `  ${p}\n`).join('')}\n`
    }
    this.out(text)
    if (problems.length > 0 && !this.jsonEnabled()) throw new ExitRequest(1)
    return { directories: found, ...(metadata ? { metadata } : {}), problems }
  }
}
