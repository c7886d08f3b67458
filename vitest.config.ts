import { defineConfig } from 'vitest/config'

// Tiers by folder: unit (pure, temp dirs only), storage (the LogStore contract on real SQLite files),
// integration (real processes and sockets), interop (system-package clients: kcat, python).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    disableConsoleIntercept: true,
    env: { FORCE_COLOR: '0', NO_COLOR: '1' },
  },
})
