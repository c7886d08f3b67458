// A minimal protocol client for the benchmarks: one connection, one request in flight at a time, encoded and
// decoded with the project's generated codec from dist/ (so a benchmark measures the broker, not a library).

import net from 'node:net'

import { FrameDecoder } from '../dist/protocol/frame-decoder.js'
import { Reader } from '../dist/protocol/reader.js'
import { readResponseHeader, requestFrame } from '../dist/protocol/request-header.js'

export function connect(port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.off('error', reject)
      resolve(socket)
    })
    socket.once('error', reject)
  })
}

/** One request/response at a time over `socket` (the broker answers in order; we never pipeline). */
export function makeClient(socket, clientId) {
  const frames = new FrameDecoder({ maxFrameSize: 1 << 30 })
  let waiting
  let failure
  socket.setNoDelay(true)
  socket.on('data', (chunk) => {
    frames.push(chunk)
    const frame = frames.next()
    if (frame && waiting) {
      const w = waiting
      waiting = undefined
      w.resolve(frame)
    }
  })
  const fail = (err) => {
    failure = err
    waiting?.reject(err)
  }
  socket.on('error', fail)
  socket.on('close', () => fail(new Error('broker closed the connection')))
  let correlationId = 0
  return {
    request(apiKey, apiVersion, writeBody) {
      if (failure) return Promise.reject(failure)
      const header = { apiKey, apiVersion, correlationId: ++correlationId, clientId }
      return new Promise((resolve, reject) => {
        waiting = { resolve, reject }
        for (const b of requestFrame(header, writeBody)) socket.write(b)
      }).then((frame) => {
        const r = new Reader(frame)
        const { correlationId: got } = readResponseHeader(r, apiKey, apiVersion)
        if (got !== header.correlationId) throw new Error(`correlation id ${got}, expected ${header.correlationId}`)
        return r
      })
    },
  }
}
