import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildIfStale } from '../support/next-build';

const ROOT = process.cwd();
/** The benchmark's copy of the app: inside the repository (git-ignored), so packages resolve. */
export const BENCH_APP_DIR = join(ROOT, '.bench-app');
const FIXTURE = join(ROOT, 'tests/bench/fixture');
/** What `next build` reads of the product: copied as it is. */
const PRODUCT = [
  'app',
  'src',
  'drizzle',
  'instrumentation.ts',
  'package.json',
  'tsconfig.json',
  'postcss.config.mjs',
];

/**
 * Lays out the benchmark's app: the kit as a user clones it, with the benchmark's routes
 * (tests/bench/fixture/app/bench) and proxy overlaid, then builds it when it is stale. The kit
 * itself ships none of these routes.
 */
export function prepareBenchApp(): string {
  rmSync(join(BENCH_APP_DIR, 'app'), { recursive: true, force: true });
  rmSync(join(BENCH_APP_DIR, 'src'), { recursive: true, force: true });
  mkdirSync(BENCH_APP_DIR, { recursive: true });
  for (const entry of PRODUCT) {
    const from = join(ROOT, entry);
    if (existsSync(from))
      cpSync(from, join(BENCH_APP_DIR, entry), { recursive: true, preserveTimestamps: true });
  }
  // Timestamps kept, so that the copy is only rebuilt when a source changed (not on every run).
  cpSync(join(ROOT, 'next.config.mjs'), join(BENCH_APP_DIR, 'next.config.product.mjs'), {
    preserveTimestamps: true,
  });
  cpSync(FIXTURE, BENCH_APP_DIR, { recursive: true, preserveTimestamps: true });
  // The copy must not type-check the repository's tests, which are not in it.
  writeFileSync(join(BENCH_APP_DIR, '.gitignore'), '*\n');
  buildIfStale(BENCH_APP_DIR);
  return BENCH_APP_DIR;
}
