// Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by function, self time by file or
// package, and total (inclusive) time of the heaviest functions. Used to find where the CLI spends time:
//
//   node --cpu-prof --cpu-prof-dir=/tmp/prof bin/run.js console-producer --topic t < lines.txt
//   node bench/cpuprofile-top.js /tmp/prof/*.cpuprofile [--top 25]

import { readFileSync } from 'node:fs'
import { relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

/**
 * Where a frame's code lives: a project file, a package, node's own code, or V8/GC pseudo-frames.
 * `group` folds a package's files into one entry; `file` keeps the path inside the package.
 */
function locate(url) {
  if (url === '') return { group: '(native / V8)', file: '(native / V8)' }
  if (url.startsWith('node:')) return { group: url, file: url }
  const path = url.startsWith('file://') ? fileURLToPath(url) : url
  const nm = path.lastIndexOf('/node_modules/')
  if (nm >= 0) {
    const rest = path.slice(nm + '/node_modules/'.length).split('/')
    const pkgParts = rest[0]?.startsWith('@') ? 2 : 1
    const pkg = rest.slice(0, pkgParts).join('/')
    return { group: `npm:${pkg}`, file: `npm:${pkg}/${rest.slice(pkgParts).join('/')}` }
  }
  const local = path.startsWith(ROOT) ? relative(ROOT, path) : path
  return { group: local, file: local }
}

function summarise(file, top) {
  const profile = JSON.parse(readFileSync(file, 'utf8'))
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)

  const selfUs = new Map()
  const { samples, timeDeltas } = profile
  for (let i = 0; i < samples.length; i++) {
    const dt = timeDeltas[i + 1] ?? 0 // the delta after a sample is the time spent in it
    selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + dt)
  }
  const totalUs = profile.endTime - profile.startTime

  const key = (n) => {
    const cf = n.callFrame
    const where = locate(cf.url).file
    return `${cf.functionName || '(anonymous)'}  ${where}${cf.url ? `:${cf.lineNumber + 1}` : ''}`
  }
  const fnSelf = new Map()
  const fileSelf = new Map()
  const fnTotal = new Map()
  for (const [id, us] of selfUs) {
    const n = byId.get(id)
    fnSelf.set(key(n), (fnSelf.get(key(n)) ?? 0) + us)
    const where = locate(n.callFrame.url).group
    fileSelf.set(where, (fileSelf.get(where) ?? 0) + us)
    // Inclusive time: every distinct function on the sampled stack gets the sample once.
    const seen = new Set()
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const k = key(byId.get(cur))
      if (seen.has(k)) continue
      seen.add(k)
      fnTotal.set(k, (fnTotal.get(k) ?? 0) + us)
    }
  }
  const ms = (us) => (us / 1000).toFixed(1).padStart(8)
  const pct = (us) => `${((100 * us) / totalUs).toFixed(1).padStart(5)}%`
  const list = (m, n) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, us]) => `${ms(us)} ms ${pct(us)}  ${k}`)
      .join('\n')

  console.log(`== ${file}\nprofiled ${(totalUs / 1000).toFixed(1)} ms, ${samples.length} samples\n`)
  console.log(`-- self time by file (packages folded)\n${list(fileSelf, top)}\n`)
  console.log(`-- self time by function\n${list(fnSelf, top)}\n`)
  const skip = new Set(['(root)', '(program)', '(idle)', '(garbage collector)'])
  const totals = new Map([...fnTotal].filter(([k]) => !skip.has(k.split('  ')[0])))
  console.log(`-- total (inclusive) time by function\n${list(totals, top)}\n`)
}

const args = process.argv.slice(2)
const topAt = args.indexOf('--top')
const top = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : 25
if (args.length === 0) {
  console.error('usage: node bench/cpuprofile-top.js FILE.cpuprofile... [--top N]')
  process.exitCode = 2
}
for (const file of args) summarise(file, top)
