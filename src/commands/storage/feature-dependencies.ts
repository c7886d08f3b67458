import { Flags } from '@oclif/core'

import { FeatureError, featureDependencies } from '../../broker/features.js'
import { UserError } from '../../cli/errors.js'
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
    let lines: string[]
    try {
      lines = flags.feature.flatMap((f) => featureDependencies(f))
    } catch (err) {
      if (err instanceof FeatureError) throw new UserError(err.message)
      throw err
    }
    this.out(lines.join('\n'))
    return { lines }
  }
}
