#!/usr/bin/env node
// Bundles each command (with the project code it imports) into one ESM file in dist/commands/.
// Node loads ESM modules one file at a time (~1 ms each); a command touching ~40 project modules
// paid ~35 ms of its cold start for that. npm packages stay external (they are installed).
// tsc still emits every module to dist/ for tests, benches and worker scripts.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { build } from 'esbuild'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const src = path.join(root, 'src', 'commands')
const entryPoints = []
const walk = (dir) => {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) walk(p)
    else if (e.name.endsWith('.ts')) entryPoints.push(p)
  }
}
walk(src)
await build({
  entryPoints,
  outbase: src,
  outdir: path.join(root, 'dist', 'commands'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  allowOverwrite: true,
  logLevel: 'warning',
})
console.log(`bundled ${entryPoints.length} commands`)
