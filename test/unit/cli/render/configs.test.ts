import { describe, expect, it } from 'vitest'

import { ConfigArgumentError, configLine, describeHeading, parseAddConfig, parseDeleteConfig } from '../../../../src/cli/render/configs.js'

describe('parseAddConfig (ConfigCommand.parseConfigsToBeAdded)', () => {
  it('splits at commas outside brackets, drops the brackets, trims keys and values, keeps empty values', () => {
    expect(parseAddConfig('a=1, b = [x,y] ,c=,d=[]')).toEqual(
      new Map([
        ['a', '1'],
        ['b', 'x,y'],
        ['c', ''],
        ['d', ''],
      ]),
    )
    expect(parseAddConfig('a=1,')).toEqual(new Map([['a', '1']]))
  })

  it('refuses items without exactly one = outside brackets', () => {
    for (const bad of ['a', 'a=1=2', '', 'a=1,,b=2']) expect(() => parseAddConfig(bad)).toThrow(ConfigArgumentError)
    expect(parseAddConfig('a=[k=v]')).toEqual(new Map([['a', 'k=v']]))
  })
})

describe('describe rendering', () => {
  it('prints headings and entries as ConfigCommand does', () => {
    expect(describeHeading('topics', 't', false)).toBe('Dynamic configs for topic t are:')
    expect(describeHeading('brokers', '1', true)).toBe('All configs for broker 1 are:')
    expect(describeHeading('brokers', '', false)).toBe('Default configs for brokers in the cluster are:')
    expect(
      configLine({
        name: 'secret',
        value: null,
        source: 'DYNAMIC_BROKER_CONFIG',
        isSensitive: true,
        readOnly: true,
        synonyms: [{ name: 'secret', value: null, source: 'DYNAMIC_BROKER_CONFIG' }],
        type: undefined,
      }),
    ).toBe('  secret=null sensitive=true synonyms={DYNAMIC_BROKER_CONFIG:secret=null}')
    expect(parseDeleteConfig(['a, b', 'c'])).toEqual(['a', 'b', 'c'])
  })
})
