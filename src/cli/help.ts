import { Help } from '@oclif/core'

// kafka-ts's help class (package.json oclif.helpClass). The root help lists every command, `storage
// format` and the like included, under one COMMANDS heading: oclif's default puts the commands that
// share a first word under a separate TOPICS heading, which reads oddly for a tool like Kafka's.
export default class KafkaTsHelp extends Help {
  override async showRootHelp(): Promise<void> {
    this.log(this.formatRoot())
    this.log('')
    const commands = this.sortedCommands.filter((c) => c.id !== '')
    if (commands.length > 0) {
      this.log(this.formatCommands(commands))
      this.log('')
    }
  }
}
