import { Errors, type Hook } from '@oclif/core'

import { unknownCommandMessage } from '../suggest-command.js'

// oclif's `command_not_found` hook: one line with a suggestion instead of oclif's "command x not found".
const hook: Hook<'command_not_found'> = async function (opts) {
  const ids = opts.config.commands.filter((c) => !c.hidden).map((c) => c.id.replaceAll(':', ' '))
  process.stderr.write(`${unknownCommandMessage(opts.id.replaceAll(':', ' '), ids)}\n`)
  throw new Errors.ExitError(2)
}

export default hook
