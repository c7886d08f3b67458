import { Flags } from '@oclif/core'

import { LATEST_PRODUCTION_METADATA_VERSION, metadataVersionFromString, versionMapping } from '../../broker/features.js'
import { UserError } from '../../cli/errors.js'
import { KafkaCommand } from '../../cli/kafka-command.js'

export default class StorageVersionMapping extends KafkaCommand<{ lines: string[] }> {
  static override argparseProgram = 'kafka-storage version-mapping'
  static override summary = 'Print the feature levels a release version maps to (kafka-storage.sh version-mapping).'
  static override examples = ['<%= config.bin %> storage version-mapping --release-version 4.0']
  static override flags = {
    'release-version': Flags.string({ char: 'r', summary: 'The release version (e.g. 4.3 or 4.3-IV0; default: the latest production version).' }),
  }

  async run(): Promise<{ lines: string[] }> {
    const { flags } = await this.parse(StorageVersionMapping)
    const given = flags['release-version'] ?? LATEST_PRODUCTION_METADATA_VERSION.name
    const mv = metadataVersionFromString(given)
    if (mv === undefined) throw new UserError(`Unknown release version '${given}'.`)
    const lines = versionMapping(mv, given)
    this.out(lines.join('\n'))
    return { lines }
  }
}
