#!/usr/bin/env node
// oclif's engine check loads semver (~12 ms of every start); package.json's `engines` already says
// which Node kafka-ts needs, so skip it. Cold start matters: `kafka-ts topics --list` is a shell tool.
process.env.OCLIF_DISABLE_ENGINE_WARNING ??= '1'
const { execute } = await import('@oclif/core')
await execute({ dir: import.meta.url })
