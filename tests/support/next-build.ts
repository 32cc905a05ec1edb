import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

/** Whether `root` needs `next build`: its build is missing or older than its sources. */
function isStale(root: string): boolean {
  const buildId = join(root, process.env.NEXT_DIST_DIR || '.next', 'BUILD_ID');
  const built = existsSync(buildId) ? statSync(buildId).mtimeMs : 0;
  const changed = Math.max(...SOURCES.map((s) => newestMtime(join(root, s))));
  return built <= changed || process.env.FORCE_NEXT_BUILD === '1';
}

const NEXT_BIN = join(process.cwd(), 'node_modules/next/dist/bin/next');
const BUILD_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  NEXT_TELEMETRY_DISABLED: '1',
  NODE_ENV: 'production',
};

/** Runs `next build` in `root` when its build is missing or older than its sources. */
export function buildIfStale(root: string): void {
  if (!isStale(root)) return;
  console.log(`[tests] next build in ${root} (the HTTP suites run against next start) ...`);
  execFileSync(process.execPath, [NEXT_BIN, 'build'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: BUILD_ENV,
  });
}

/**
 * Set by the global setup for the test workers: the file that says how the build it started
 * ended. Unset (no build running, e.g. outside vitest) means there is nothing to wait for.
 */
const STATUS_VARIABLE = 'KIT_TEST_NEXT_BUILD_STATUS';

interface BuildStatus {
  ok: boolean;
  /** What `next build` printed on stderr, when it failed. */
  output?: string;
}

/**
 * Waits until the build the global setup started has finished, and throws its output when it
 * failed. startNextServer() calls it, so only the suites that start servers wait: the CLI, the
 * drivers and the unit and flow suites run while the app builds.
 */
export async function nextBuildReady(): Promise<void> {
  const file = process.env[STATUS_VARIABLE];
  if (!file) return;
  for (;;) {
    let text: string | null = null;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      /* still building */
    }
    if (text) {
      const status = JSON.parse(text) as BuildStatus;
      if (status.ok) return;
      throw new Error(`next build failed, so no server can start:\n${status.output ?? ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

// One build for every project that lists this setup (integration, e2e, timing): vitest may load
// the file once per project, so the state lives on globalThis.
const shared = globalThis as unknown as { __kitNextBuild?: { child: ChildProcess | null } };

/**
 * Vitest global setup for the HTTP and browser suites: starts `next build` when `.next` is missing
 * or older than the sources, and returns at once, so the unit and flow suites run while it
 * builds (the build leaves much of a second core idle). The suites that start `next start` wait
 * for it in nextBuildReady().
 */
export default function setup(): () => void {
  if (shared.__kitNextBuild) return () => {};
  shared.__kitNextBuild = { child: null };
  const status = join(tmpdir(), `kit-next-build-${process.pid}.json`);
  rmSync(status, { force: true });
  process.env[STATUS_VARIABLE] = status;
  const done = (result: BuildStatus) => writeFileSync(status, JSON.stringify(result));
  if (!isStale(process.cwd())) {
    done({ ok: true });
  } else {
    console.log(
      '[tests] next build (the HTTP suites run against next start), beside the first suites ...',
    );
    const child = spawn(process.execPath, [NEXT_BIN, 'build'], {
      cwd: process.cwd(),
      stdio: ['ignore', 'ignore', 'pipe'],
      env: BUILD_ENV,
    });
    shared.__kitNextBuild.child = child;
    let output = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
      process.stderr.write(chunk);
    });
    child.once('error', (error) => done({ ok: false, output: error.message }));
    child.once('exit', (code, signal) => {
      shared.__kitNextBuild!.child = null;
      done(
        code === 0 ? { ok: true } : { ok: false, output: `${output}\n(exit ${code ?? signal})` },
      );
    });
  }
  return () => {
    shared.__kitNextBuild?.child?.kill('SIGTERM');
    rmSync(status, { force: true });
  };
}
