// TEMPORARY: runs the e2e project alone until the lead adds it to vitest.config.ts. Delete after.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    alias: {
      '@': fileURLToPath(new URL('../../src', import.meta.url)),
      'server-only': fileURLToPath(new URL('../support/server-only.ts', import.meta.url)),
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
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          globalSetup: process.env.NEXT_DIST_DIR ? [] : ['tests/support/next-build.ts'],
          fileParallelism: false,
        },
      },
    ],
  },
});
