import { accessSync, constants, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Scratch data (every PGlite directory, the migrated template, the servers' data) goes to a RAM
// disk where the machine has one, unless TMPDIR says where: each commit on PGlite calls fsync(),
// which on a disk costs about as much again as the commit itself. No suite tests what a disk
// keeps through a power cut; a killed process loses the same on either (see tests/README.md).
if (!process.env.TMPDIR) {
  try {
    accessSync('/dev/shm', constants.W_OK);
    mkdirSync('/dev/shm/kit-tests', { recursive: true });
    process.env.TMPDIR = '/dev/shm/kit-tests';
  } catch {
    /* no RAM disk: the system's temporary directory */
  }
}

/** What the suites against `next start` need first: the build, and the migrated PGlite template. */
const SERVER_SETUP = ['tests/support/next-build.ts', 'tests/support/pglite-template.ts'];

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
    // The suites against servers run in processes: each file its own, with its children.
    pool: 'forks',
    // Two files at a time: vitest's default on two cores is one (cores - 1), which leaves a core
    // idle while a file imports its modules or waits on a child process.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.{ts,tsx}'],
          sequence: { groupOrder: 0 },
          // Worker threads start faster than processes; these suites start no servers of their own.
          pool: 'threads',
        },
      },
      // The flow rules (refresh, reuse, lifetimes, sign-in, throttling) in process at a frozen
      // clock: services on in-memory PGlite, no build, no HTTP.
      {
        extends: true,
        test: {
          name: 'flows',
          include: ['tests/flows/**/*.test.ts'],
          sequence: { groupOrder: 0 },
          pool: 'threads',
          globalSetup: ['tests/support/pglite-template.ts'],
        },
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
          globalSetup: SERVER_SETUP,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          sequence: { groupOrder: 2 },
          include: ['tests/e2e/**/*.test.ts'],
          globalSetup: SERVER_SETUP,
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
          globalSetup: SERVER_SETUP,
          // One file at a time, or the two would load each other's medians.
          fileParallelism: false,
        },
      },
    ],
  },
});
