import { Args, loadHelpClass } from '@oclif/core'

import { UsageError } from '../cli/errors.js'
import { KafkaCommand } from '../cli/kafka-command.js'
import { unknownCommandMessage } from '../cli/suggest-command.js'

// `kafka-ts help [COMMAND]`: the same help `kafka-ts COMMAND --help` prints (oclif's plugin-help is not
// a dependency; this is its one useful command).
export default class HelpCommand extends KafkaCommand<void> {
  static override summary = 'Display help for kafka-ts or one of its commands.'
  static override enableJsonFlag = false
  static override strict = false
  static override args = {
    command: Args.string({ description: 'The command to show help for, e.g. `topics` or `storage format`.' }),
  }
  static override examples = ['<%= config.bin %> help topics', '<%= config.bin %> help storage format']

  async run(): Promise<void> {
    const { argv } = await this.parse(HelpCommand)
    const words = argv.filter((a): a is string => typeof a === 'string')
    if (words.length > 0 && !this.config.findCommand(words.join(':')) && !this.config.findTopic(words.join(':'))) {
      const ids = this.config.commands.filter((c) => !c.hidden).map((c) => c.id.replaceAll(':', ' '))
      throw new UsageError(unknownCommandMessage(words.join(' '), ids), undefined, 2)
    }
    const Help = await loadHelpClass(this.config)
    await new Help(this.config, this.config.pjson.oclif.helpOptions).showHelp(words)
  }
}
