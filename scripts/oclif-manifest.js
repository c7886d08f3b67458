#!/usr/bin/env node
// Writes oclif.manifest.json after a build, so `kafka-ts <command>` loads only that command's
// module instead of importing every command to find it (cold start). Same output as `oclif manifest`,
// without pulling the whole oclif CLI into devDependencies.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { Plugin } from '@oclif/core'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const plugin = new Plugin({ root, type: 'core', ignoreManifest: true, errorOnManifestCreate: true, isRoot: true })
await plugin.load()
fs.writeFileSync(path.join(root, 'oclif.manifest.json'), JSON.stringify(plugin.manifest, null, 2))
console.log(`wrote oclif.manifest.json (${Object.keys(plugin.manifest.commands).length} commands)`)
