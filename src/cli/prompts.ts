import { UsageError } from './errors.js'
import { canPrompt } from './terminal.js'

/**
 * Asks for a missing required value when both stdin and stdout are a terminal (and not CI);
 * otherwise fails with Kafka's usage message, so scripts and pipes never hang on a prompt.
 */
export async function promptForMissing(question: string, usageMessage: string): Promise<string> {
  if (!canPrompt()) throw new UsageError(usageMessage)
  const { input } = await import('@inquirer/prompts')
  const value = await input({ message: question, required: true }, { output: process.stderr })
  if (value.trim() === '') throw new UsageError(usageMessage)
  return value.trim()
}
