import { describe, expect, it } from 'vitest'

import { suggestCommand, unknownCommandMessage } from '../../../src/cli/suggest-command.js'

const IDS = ['configs', 'console-consumer', 'console-producer', 'consumer-groups', 'topics', 'storage format', 'storage info', 'get-offsets']

describe('suggestCommand', () => {
  it.each([
    ['topic', 'topics'],
    ['topcis', 'topics'],
    ['console-consumr', 'console-consumer'],
    ['consumer-group', 'consumer-groups'],
    ['storage formt', 'storage format'],
    ['get-offset', 'get-offsets'],
  ])('%s → %s', (typed, expected) => {
    expect(suggestCommand(typed, IDS)).toBe(expected)
  })

  it('suggests nothing for a word far from every command', () => {
    expect(suggestCommand('zookeeper-shell', IDS)).toBeUndefined()
    expect(unknownCommandMessage('zookeeper-shell', IDS)).toBe("'zookeeper-shell' is not a kafka-ts command. See kafka-ts --help.")
  })

  it('says it in one line', () => {
    expect(unknownCommandMessage('topic', IDS)).toBe("'topic' is not a kafka-ts command. Did you mean topics?")
  })
})
