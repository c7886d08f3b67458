import { describe, expect, it } from 'vitest'

import { parseLongOption } from '../../../../src/cli/flags.js'
import {
  checkOptions,
  javaHashSetOrder,
  missingScenarioMessage,
  normalizeOptionalValues,
  parseStateFilter,
  parseTopicArg,
  parseTypeFilter,
  type GroupsFlags,
} from '../../../../src/cli/consumer-groups/options.js'
import { UsageError } from '../../../../src/cli/errors.js'

const base: GroupsFlags = {
  list: false,
  describe: false,
  delete: false,
  'reset-offsets': false,
  'delete-offsets': false,
  'all-groups': false,
  'all-topics': false,
  offsets: false,
  members: false,
  verbose: false,
  'dry-run': false,
  execute: false,
  export: false,
  'to-earliest': false,
  'to-latest': false,
  'to-current': false,
}
const check = (flags: Partial<GroupsFlags>, warnings: string[] = []) => checkOptions({ ...base, ...flags }, (w) => warnings.push(w))
const usage = (flags: Partial<GroupsFlags>) => {
  try {
    check(flags)
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError)
    return (err as Error).message
  }
  throw new Error('no usage error')
}

describe('javaHashSetOrder', () => {
  // Orders Kafka's own tests assert (ConsumerGroupCommandTest, StreamsGroupCommandTest messages).
  it('orders option sets as java.util.HashSet iterates them', () => {
    expect(javaHashSetOrder(['group', 'all-groups'])).toEqual(['all-groups', 'group'])
    expect(javaHashSetOrder(['group', 'topic'])).toEqual(['topic', 'group'])
  })
})

describe('checkOptions', () => {
  it('accepts each action with its scope and reports what was asked', () => {
    expect(check({ list: true, state: '' })).toMatchObject({ action: 'list', listColumns: { state: true, type: false }, stateFilter: undefined })
    expect(check({ list: true, state: 'stable' }).stateFilter).toBe('stable')
    expect(check({ describe: true, group: ['b', 'a', 'b'] })).toMatchObject({ action: 'describe', groups: ['b', 'a'], view: 'offsets', singleGroup: false })
    expect(check({ describe: true, 'all-groups': true, members: true, verbose: true })).toMatchObject({ view: 'members', verbose: true })
    expect(check({ describe: true, group: ['g'], state: '' }).view).toBe('state')
    expect(check({ 'reset-offsets': true, group: ['g'], 'shift-by': '-3', execute: true })).toMatchObject({
      scenario: { kind: 'shift-by', shift: -3 },
      execute: true,
      singleGroup: true,
    })
  })

  it('warns about a reset without --dry-run or --execute, even before failing', () => {
    const warnings: string[] = []
    expect(() => check({ 'reset-offsets': true, 'to-earliest': true }, warnings)).toThrow('Option [reset-offsets] takes one of these options: [all-groups], [group]')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toBe(
      'WARN: No action will be performed as the --execute option is missing. In version 5.0, this command will require either --dry-run or --execute to be specified. ' +
        'You should add the --dry-run option explicitly if you are scripting this command and want to keep the current default behavior without prompting.',
    )
    const none: string[] = []
    check({ 'reset-offsets': true, group: ['g'], 'to-earliest': true, 'dry-run': true }, none)
    expect(none).toEqual([])
  })

  it('reports the first conflicting scenario in Kafka\'s order', () => {
    expect(usage({ 'reset-offsets': true, group: ['g'], 'from-file': 'f', 'to-datetime': 'x', 'dry-run': true })).toBe(
      'Option "[to-datetime]" can\'t be used with option "[from-file]"',
    )
    expect(usage({ 'reset-offsets': true, group: ['g'], 'to-latest': true, 'by-duration': 'P1D', 'dry-run': true })).toBe(
      'Option "[by-duration]" can\'t be used with option "[to-latest]"',
    )
  })

  it('checks availability before anything else, then the action count last', () => {
    expect(usage({ verbose: true, offsets: true })).toBe('Option(s) [verbose, offsets] are unavailable given other options on the command line')
    expect(usage({ describe: true, list: true, group: ['g'] })).toBe('Option "[group]" can\'t be used with option "[list]"')
    expect(usage({ describe: true, 'delete-offsets': true, group: ['g'], topic: ['t'] })).toBe('Option "[topic]" can\'t be used with option "[describe]"')
    expect(usage({ 'delete-offsets': true, 'reset-offsets': true, group: ['g'], topic: ['t'], 'dry-run': true })).toBe(
      'Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets, --validate-regex',
    )
    expect(usage({ list: true, timeout: '5s' })).toBe("Cannot parse argument '5s' of option timeout")
  })

  it('names every scenario when none is given', () => {
    expect(missingScenarioMessage()).toBe(
      "Option '[reset-offsets]' requires one of the following scenarios: [[to-offset], [to-current], [to-datetime], [from-file], [by-duration], [to-earliest], [to-latest], [shift-by]]",
    )
  })
})

describe('argument parsing', () => {
  it('gives --state / --type an empty value when the next token is an option or missing', () => {
    expect(normalizeOptionalValues(['--list', '--state'])).toEqual(['--list', '--state='])
    expect(normalizeOptionalValues(['--list', '--state', '--type', 'classic'])).toEqual(['--list', '--state=', '--type', 'classic'])
    expect(normalizeOptionalValues(['--describe', '--state', 'x', '--group', 'g'])).toEqual(['--describe', '--state', 'x', '--group', 'g'])
  })

  it('parses --topic values as Kafka does', () => {
    expect(parseTopicArg('orders')).toEqual({ topic: 'orders', partitions: null })
    expect(parseTopicArg('orders:0,2,1,')).toEqual({ topic: 'orders', partitions: [0, 2, 1] })
    expect(() => parseTopicArg('orders:0:1')).toThrow("Invalid topic arg 'orders:0:1', expected topic name and partitions")
    expect(() => parseTopicArg('orders:')).toThrow("Invalid topic arg 'orders:', expected topic name and partitions")
    expect(() => parseTopicArg('orders:0,,1')).toThrow("Invalid partition '' specified in topic arg 'orders:0,,1''")
    expect(() => parseTopicArg('orders:2147483648')).toThrow("Invalid partition '2147483648'")
  })

  it('converts longs like jopt-simple', () => {
    expect(parseLongOption('+42', 'to-offset')).toBe(42)
    expect(parseLongOption('-7', 'shift-by')).toBe(-7)
    expect(() => parseLongOption('9223372036854775808', 'to-offset')).toThrow("Cannot parse argument '9223372036854775808' of option to-offset")
    expect(() => parseLongOption('1.5', 'to-offset')).toThrow(UsageError)
  })

  it('parses state and type filters case-insensitively, with Kafka\'s messages', () => {
    expect(parseStateFilter('stable, EMPTY')).toEqual(['Stable', 'Empty'])
    expect(() => parseStateFilter('stable,,empty')).toThrow("Invalid state list 'stable,,empty'")
    expect(parseTypeFilter('Classic,consumer')).toEqual(['classic', 'consumer'])
    expect(() => parseTypeFilter('share')).toThrow("Invalid types list 'share'. Valid types are: Consumer, Classic")
  })
})
