import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    alias: {
      '@': fileURLToPath(new URL('./src', import.meta.url)),
      // `server-only` throws outside a React Server environment; tests run server modules directly.
      'server-only': fileURLToPath(new URL('./tests/support/server-only.ts', import.meta.url)),
    },
  },
  test: {
    testTimeout: 30_000,
    hookTimeout: 180_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.{ts,tsx}'],
          sequence: { groupOrder: 0 },
        },
      },
      // The flow rules (refresh, reuse, lifetimes, sign-in, throttling) in process at a frozen
      // clock: services on in-memory PGlite, no build, no HTTP.
      {
        extends: true,
        test: { name: 'flows', include: ['tests/flows/**/*.test.ts'], sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          include: ['tests/integration/**/*.test.ts'],
          exclude: [
            'tests/integration/http/timing.test.ts',
            'tests/integration/http/accounts-timing.test.ts',
          ],
          globalSetup: ['tests/support/next-build.ts'],
          // Each file starts its own next start servers; two at a time suit a 2-core machine.
          maxWorkers: 2,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          sequence: { groupOrder: 2 },
          include: ['tests/e2e/**/*.test.ts'],
          globalSetup: ['tests/support/next-build.ts'],
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          // Response-time medians compared (sign-in failures within 10 %, the account endpoints'
          // existing vs missing address within 25 % or 20 ms): measured alone, after everything
          // else, so another suite's load on the same two cores does not skew them.
          name: 'timing',
          sequence: { groupOrder: 3 },
          include: [
            'tests/integration/http/timing.test.ts',
            'tests/integration/http/accounts-timing.test.ts',
          ],
          globalSetup: ['tests/support/next-build.ts'],
          // One file at a time, or the two would load each other's medians.
          fileParallelism: false,
        },
      },
    ],
  },
});
