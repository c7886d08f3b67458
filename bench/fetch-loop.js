// The raw Fetch loop of the server benchmark: a client that speaks the protocol itself with the project's
// generated codec (dist/), asks for one partition from offset 0 to the end, discards the record bytes and
// only walks the batch headers (to advance and to count records). It measures what the broker can serve,
// with almost no client cost: no record decoding, no copies beyond assembling each response frame.
//
//   node bench/fetch-loop.js '{"port":9092,"topic":"bench","records":1000000,"passes":3}'
//
// Reads the whole partition `passes` times on one connection and prints one JSON object on stdout.
// Fetch v11 (the newest the broker serves, non-flexible), max_wait_ms 0 so that reaching the end never
// waits for a long poll.

import { ApiKey } from '../dist/protocol/api-keys.js'
import { decodeFetchResponse, encodeFetchRequest } from '../dist/protocol/messages/fetch.js'

import { connect, makeClient } from './wire-client.js'

const FETCH_VERSION = 11
// RecordBatch v2 header positions (protocol.md): batchLength after the 8-byte base offset, then the
// last offset delta at 23 and the record count at 57.
const BATCH_LENGTH_AT = 8
const LAST_OFFSET_DELTA_AT = 23
const RECORD_COUNT_AT = 57
const LOG_OVERHEAD = 12

const seconds = (start) => Number(process.hrtime.bigint() - start) / 1e9

/** Walks the batch headers of a records blob; returns counts and the offset after the last whole batch. */
function walkBatches(records, fetchOffset) {
  let at = 0
  let batches = 0
  let count = 0
  let next = fetchOffset
  while (records.length - at >= LOG_OVERHEAD + RECORD_COUNT_AT - 8) {
    const size = LOG_OVERHEAD + records.readInt32BE(at + BATCH_LENGTH_AT)
    if (records.length - at < size) break // a partial batch at the end of the response: clients skip it
    const base = records.readInt32BE(at) * 2 ** 32 + records.readUInt32BE(at + 4)
    const last = base + records.readInt32BE(at + LAST_OFFSET_DELTA_AT)
    // A fetch from a mid-batch offset returns the whole batch; count only records at or after the offset.
    if (last >= next) {
      count += base >= next ? records.readInt32BE(at + RECORD_COUNT_AT) : last - next + 1
      next = last + 1
    }
    batches++
    at += size
  }
  return { batches, count, next, bytes: at }
}

async function main() {
  const { port, topic, records, passes = 1, maxBytes = 52_428_800, partitionMaxBytes = 8 << 20 } = JSON.parse(process.argv[2] ?? '{}')
  const socket = await connect(port)
  const client = makeClient(socket, 'bench-fetch-loop')
  let requests = 0
  let batchBytes = 0
  let batchCount = 0
  let recordCount = 0
  const passS = []
  for (let pass = 0; pass < passes; pass++) {
    const start = process.hrtime.bigint()
    let offset = 0
    let seen = 0
    while (seen < records) {
      const fetchOffset = offset
      const r = await client.request(ApiKey.Fetch, FETCH_VERSION, (w) =>
        encodeFetchRequest(w, FETCH_VERSION, {
          maxWaitMs: 0,
          minBytes: 1,
          maxBytes,
          isolationLevel: 0,
          topics: [{ topic, partitions: [{ partition: 0, fetchOffset, partitionMaxBytes }] }],
        }),
      )
      requests++
      const res = decodeFetchResponse(r, FETCH_VERSION)
      const p = res.responses[0]?.partitions[0]
      if (!p) throw new Error('Fetch response without the partition')
      if (res.errorCode !== 0 || p.errorCode !== 0) throw new Error(`Fetch error ${res.errorCode}/${p.errorCode} at offset ${fetchOffset}`)
      const walked = walkBatches(p.records ?? Buffer.alloc(0), fetchOffset)
      if (walked.count === 0) throw new Error(`no records at offset ${fetchOffset} (high watermark ${p.highWatermark}); expected ${records}`)
      seen += walked.count
      offset = walked.next
      batchBytes += walked.bytes
      batchCount += walked.batches
    }
    passS.push(seconds(start))
    recordCount += seen
    if (seen !== records) throw new Error(`pass ${pass + 1} read ${seen} records, expected ${records}`)
  }
  socket.destroy()
  const totalS = passS.reduce((a, b) => a + b, 0)
  process.stdout.write(JSON.stringify({ passes, passS, totalS, requests, batchBytes, batchCount, recordCount, maxBytes, partitionMaxBytes }) + '\n')
}

await main()
