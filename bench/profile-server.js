// CPU profiles of the broker under the server benchmark's workloads, one broker process (and one
// .cpuprofile) per workload so that produce and fetch hotspots are not mixed:
//
//   npm run build && node bench/profile-server.js [--out DIR] [--top N] [--records N]
//
// Workloads, in order, over one data directory: kcat -P acks=1, kcat -P acks=-1, kcat -C -e, the raw
// Fetch loop. Each broker runs `node --cpu-prof` and is stopped with SIGTERM, which writes its profile;
// bench/cpuprofile-top.js then summarises each one. Profiles are kept in DIR (default: a temp dir).

import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { startBroker } from './broker-process.js'
import { writeLinesFile } from './input.js'
import { runChecked } from './measure.js'
import { fetchLoop, kcatConsume, kcatProduce } from './server.js'

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)))
const CLI = join(ROOT, 'bin', 'run.js')

const args = process.argv.slice(2)
const opt = (name, fallback) => {
  const at = args.indexOf(name)
  return at >= 0 ? args[at + 1] : fallback
}
const records = Number(opt('--records', 1_000_000))
const top = opt('--top', '20')
const out = opt('--out', mkdtempSync(join(tmpdir(), 'kafka-ts-profile-')))
const work = mkdtempSync(join(tmpdir(), 'kafka-ts-profile-data-'))

const env = { ...process.env, NO_COLOR: '1' }
delete env.DEBUG
delete env.NODE_OPTIONS

async function profiled(name, dataDir, fn) {
  const dir = join(out, name)
  mkdirSync(dir, { recursive: true })
  const broker = await startBroker({ cli: CLI, dataDir, env, nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] })
  let r
  try {
    r = await fn(broker.port)
  } finally {
    await broker.stop()
  }
  process.stderr.write(`[profile] ${name}: ${r.wallS.toFixed(2)} s\n`)
  const [file] = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))
  if (!file) throw new Error(`no .cpuprofile written in ${dir}`)
  return join(dir, file)
}

try {
  const inputFile = join(work, 'lines.txt')
  writeLinesFile(inputFile, records, 100)
  const dataDir = join(work, 'data')
  mkdirSync(dataDir)
  for (const topic of ['acks-one', 'acks-all']) {
    runChecked(process.execPath, [CLI, 'topics', '--create', '--topic', topic, '--partitions', '1'], { env: { ...env, KAFKA_TS_DATA_DIR: dataDir } })
  }
  const profiles = [
    await profiled('produce-acks-1', dataDir, (port) => kcatProduce(port, 'acks-one', 1, inputFile)),
    await profiled('produce-acks-all', dataDir, (port) => kcatProduce(port, 'acks-all', -1, inputFile)),
    await profiled('consume-kcat', dataDir, (port) => kcatConsume(port, 'acks-one', records)),
    await profiled('fetch-loop', dataDir, (port) => fetchLoop(ROOT, port, 'acks-all', records)),
  ]
  for (const p of profiles) {
    process.stdout.write(runChecked(process.execPath, [join(ROOT, 'bench', 'cpuprofile-top.js'), p, '--top', top], { stdout: 'pipe' }).stdout)
  }
  process.stderr.write(`[profile] profiles kept in ${out}\n`)
} finally {
  rmSync(work, { recursive: true, force: true })
}
