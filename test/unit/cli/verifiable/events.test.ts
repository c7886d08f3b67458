import { describe, expect, it } from 'vitest'

import { JavaDouble, eventLine } from '../../../../src/cli/verifiable/events.js'

// The verifiable tools' JSON lines as Jackson writes them: timestamp and name first, fields in order,
// doubles in Java's form.
describe('eventLine', () => {
  it('puts timestamp and name first and writes a double as Java does', () => {
    const line = eventLine('tool_data', { sent: 10, acked: 10, target_throughput: -1, avg_throughput: new JavaDouble(2) }, 1718000005001)
    expect(line).toBe('{"timestamp":1718000005001,"name":"tool_data","sent":10,"acked":10,"target_throughput":-1,"avg_throughput":2.0}\n')
  })

  it('writes nested partition lists and null keys', () => {
    const line = eventLine('records_consumed', { count: 1, partitions: [{ topic: 't', partition: 0, count: 1, minOffset: 5, maxOffset: 5 }], key: null }, 1)
    expect(JSON.parse(line)).toEqual({ timestamp: 1, name: 'records_consumed', count: 1, partitions: [{ topic: 't', partition: 0, count: 1, minOffset: 5, maxOffset: 5 }], key: null })
  })
})
