import { Args } from '@oclif/core'

import { UsageError } from '../cli/errors.js'
import { KafkaCommand } from '../cli/kafka-command.js'
import { completionScript, type CompletionCommand } from '../cli/completion-script.js'

const SHELLS = ['bash', 'zsh'] as const

// `kafka-ts autocomplete [bash|zsh]`: prints a completion script for commands and their flags, built
// from the command manifest (no command module is loaded), to source from a shell's rc file.
export default class Autocomplete extends KafkaCommand<void> {
  static override summary = 'Print a bash or zsh completion script for kafka-ts (commands and their flags).'
  static override description = [
    'Load it in the current shell with `source <(kafka-ts autocomplete bash)` (or zsh),',
    'or add that line to ~/.bashrc or ~/.zshrc.',
  ].join('\n')
  static override enableJsonFlag = false
  static override args = {
    shell: Args.string({ description: 'Shell to complete in (default: from $SHELL, else bash).', options: [...SHELLS] }),
  }
  static override examples = ['source <(<%= config.bin %> autocomplete bash)', 'echo \'source <(<%= config.bin %> autocomplete zsh)\' >> ~/.zshrc']

  async run(): Promise<void> {
    const { args } = await this.parse(Autocomplete)
    const fromEnv = (process.env['SHELL'] ?? '').split('/').pop()
    const shell = args.shell ?? (fromEnv === 'zsh' ? 'zsh' : 'bash')
    if (shell !== 'bash' && shell !== 'zsh') throw new UsageError(`Unsupported shell ${shell}: use bash or zsh.`)
    const commands: CompletionCommand[] = this.config.commands
      .filter((c) => !c.hidden)
      .map((c) => ({
        words: c.id.split(':'),
        flags: Object.values(c.flags)
          .filter((f) => !f.hidden)
          .map((f) => ({ name: f.name, char: f.char, takesValue: f.type === 'option' })),
      }))
    process.stdout.write(completionScript(this.config.bin, shell, commands))
  }
}
