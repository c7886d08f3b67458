import { Flags } from '@oclif/core'

import { featureDependencies } from '../../broker/features.js'
import { UserError } from '../../cli/errors.js'
import { featureArgument } from '../../cli/features/feature-errors.js'
import { KafkaCommand } from '../../cli/kafka-command.js'

export default class StorageFeatureDependencies extends KafkaCommand<{ lines: string[] }> {
  static override argparseProgram = 'kafka-storage feature-dependencies'
  static override summary = 'Print what a feature level depends on (kafka-storage.sh feature-dependencies).'
  static override examples = ['<%= config.bin %> storage feature-dependencies --feature eligible.leader.replicas.version=1']
  static override flags = {
    feature: Flags.string({ char: 'f', multiple: true, summary: 'A feature level, name=level (repeatable).' }),
  }

  async run(): Promise<{ lines: string[] }> {
    const { flags } = await this.parse(StorageFeatureDependencies)
    if (flags.feature === undefined) throw new UserError('kafka-storage feature-dependencies: error: argument --feature/-f is required')
    const features = flags.feature
    const lines = featureArgument(() => features.flatMap((f) => featureDependencies(f)))
    this.out(lines.join('\n'))
    return { lines }
  }
}
