import { describe, expect, it } from 'vitest'

import { GroupCommandFailure } from '../../../../src/cli/consumer-groups/failure.js'
import { csvField, parseResetPlan, splitCsvLine } from '../../../../src/cli/consumer-groups/reset-csv.js'
import { renderResetCsv } from '../../../../src/cli/render/groups.js'

describe('reset plan CSV', () => {
  it('quotes values the way Jackson\'s CSV writer does', () => {
    expect(csvField('my-group.v2_x')).toBe('my-group.v2_x')
    expect(csvField('a,b')).toBe('"a,b"')
    expect(csvField('my group')).toBe('"my group"')
    expect(csvField('say "hi"')).toBe('"say ""hi"""')
  })

  it('splits quoted fields and rejects broken quoting', () => {
    expect(splitCsvLine('"a,b",t,0,5')).toEqual(['a,b', 't', '0', '5'])
    expect(splitCsvLine('"say ""hi""",t')).toEqual(['say "hi"', 't'])
    expect(splitCsvLine('a,,b,')).toEqual(['a', '', 'b', ''])
    expect(splitCsvLine('"open,t')).toBeUndefined()
    expect(splitCsvLine('"a"x,t')).toBeUndefined()
  })

  it('reads the single-group form only for one --group, and the group form otherwise', () => {
    expect(parseResetPlan('orders,0,5\norders,1,7\n', 'g')).toEqual(
      new Map([
        [
          'g',
          [
            { topic: 'orders', partition: 0, offset: 5 },
            { topic: 'orders', partition: 1, offset: 7 },
          ],
        ],
      ]),
    )
    const multi = parseResetPlan('g1,orders,0,5\r\n"g 2",audit,1,3\ng1,orders,0,6\n', 'g1')
    expect(multi.get('g1')).toEqual([{ topic: 'orders', partition: 0, offset: 6 }])
    expect(multi.get('g 2')).toEqual([{ topic: 'audit', partition: 1, offset: 3 }])
    expect(() => parseResetPlan('orders,0,5\n', undefined)).toThrow("Invalid reset plan line 1: 'orders,0,5' (expected group,topic,partition,offset)")
  })

  it('round-trips what --export writes, including group ids that need quoting', () => {
    const rows = [
      { group: 'a,b', topic: 'orders', partition: 0, newOffset: 12 },
      { group: 'plain', topic: 'audit', partition: 3, newOffset: 0 },
    ]
    const plan = parseResetPlan(renderResetCsv(rows, true), undefined)
    expect([...plan].flatMap(([group, offsets]) => offsets.map((o) => ({ group, topic: o.topic, partition: o.partition, newOffset: o.offset })))).toEqual(rows)
  })

  it.each(['', 'orders,0\n', 'orders,x,1\n', 'orders,0,1\norders,0,1.5\n', 'orders,0,1\ng,orders,0,1\n'])('refuses malformed plan %j', (text) => {
    expect(() => parseResetPlan(text, 'g')).toThrow(GroupCommandFailure)
  })
})
