// The temp directory of a benchmark script: created under os.tmpdir(), removed by cleanup() (kept with
// BENCH_KEEP=1, its path printed) and on Ctrl-C.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export function benchTempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  const cleanup = () => {
    if (process.env.BENCH_KEEP === '1') process.stderr.write(`bench data kept in ${dir}\n`)
    else rmSync(dir, { recursive: true, force: true })
  }
  process.once('SIGINT', () => {
    cleanup()
    process.exit(130)
  })
  return { dir, cleanup }
}
