import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const SOURCES = [
  'app',
  'src',
  'proxy.ts',
  'instrumentation.ts',
  'next.config.mjs',
  'package-lock.json',
];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/** Runs `next build` in `root` when its build is missing or older than its sources. */
export function buildIfStale(root: string): void {
  const buildId = join(root, process.env.NEXT_DIST_DIR || '.next', 'BUILD_ID');
  const built = existsSync(buildId) ? statSync(buildId).mtimeMs : 0;
  const changed = Math.max(...SOURCES.map((s) => newestMtime(join(root, s))));
  if (built > changed && process.env.FORCE_NEXT_BUILD !== '1') return;
  console.log(`[tests] next build in ${root} (the HTTP suites run against next start) ...`);
  execFileSync(
    process.execPath,
    [join(process.cwd(), 'node_modules/next/dist/bin/next'), 'build'],
    {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' },
    },
  );
}

/**
 * Vitest global setup for the HTTP suites: builds the kit once when `.next` is missing or older
 * than the sources, so the suites test what `next start` really serves.
 */
export default function buildOnce(): void {
  buildIfStale(process.cwd());
}
